// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface ClipboardItem {
  readonly types: ReadonlyArray<string>;
  getType(type: string): Promise<Blob>;
}
export type ClipboardItems = ClipboardItem[];
export interface EventTargetLike {
  addEventListener(type: string, listener: (e: unknown) => void): void;
}
export interface Clipboard extends EventTargetLike {
  read(): Promise<ClipboardItems>;
  readText(): Promise<string>;
  write(data: ClipboardItems): Promise<void>;
  writeText(data: string): Promise<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "dom_clipboard";
