// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// VS Code API: OutputChannel (overloaded `show`, a `name` property).
export enum ViewColumn {
  Active = -1,
  One = 1,
}

/** An output channel is a container for readonly textual information. */
export interface OutputChannel {
  /** The human-readable name of this output channel. */
  readonly name: string;
  /** Append the given value to the channel. */
  append(value: string): void;
  /** Append the given value and a line feed character to the channel. */
  appendLine(value: string): void;
  /** Replaces all output from the channel with the given value. */
  replace(value: string): void;
  /** Removes all output from the channel. */
  clear(): void;
  /** Reveal this channel in the UI. */
  show(preserveFocus?: boolean): void;
  /** @deprecated Use the overload with just one parameter. */
  show(column?: ViewColumn, preserveFocus?: boolean): void;
  /** Hide this channel from the UI. */
  hide(): void;
  /** Dispose and free associated resources. */
  dispose(): void;
}

export const SOURCE = "microsoft/vscode src/vscode-dts/vscode.d.ts";
