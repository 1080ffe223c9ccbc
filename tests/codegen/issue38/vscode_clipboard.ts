// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Thenable<T> extends PromiseLike<T> {}
export interface Clipboard {
  readText(): Thenable<string>;
  writeText(value: string): Thenable<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "vscode_clipboard";
