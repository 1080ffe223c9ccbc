// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// VS Code API: FileDecorationProvider (an optional event property and a
// `ProviderResult` result).
export interface Thenable<T> extends PromiseLike<T> {}
export type ProviderResult<T> =
  | T
  | undefined
  | null
  | Thenable<T | undefined | null>;
export interface Uri {
  readonly path: string;
}
export interface CancellationToken {
  isCancellationRequested: boolean;
}
export interface FileDecoration {
  badge?: string;
  tooltip?: string;
}
export type Event<T> = (listener: (e: T) => unknown) => { dispose(): void };

/** The decoration provider interfaces defines the contract between extensions and file decorations. */
export interface FileDecorationProvider {
  onDidChangeFileDecorations?: Event<undefined | Uri | Uri[]>;
  provideFileDecoration(
    uri: Uri,
    token: CancellationToken,
  ): ProviderResult<FileDecoration>;
}

export const SOURCE = "microsoft/vscode src/vscode-dts/vscode.d.ts";
