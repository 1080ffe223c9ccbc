// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface OutputChannel {
  readonly name: string;
  append(value: string): void;
  appendLine(value: string): void;
  replace(value: string): void;
  clear(): void;
  show(preserveFocus?: boolean): void;
  show(column?: number, preserveFocus?: boolean): void;
  hide(): void;
  dispose(): void;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "vscode_output_channel";
