// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// VS Code API: TextDocumentContentProvider (ProviderResult over Thenable, an
// optional event property).
export interface Thenable<T> extends PromiseLike<T> {}
export type ProviderResult<T> =
  | T
  | undefined
  | null
  | Thenable<T | undefined | null>;
export interface Uri {
  readonly scheme: string;
  readonly path: string;
}
export interface CancellationToken {
  isCancellationRequested: boolean;
}
export type Event<T> = (listener: (e: T) => unknown) => { dispose(): void };

/** A text document content provider allows to add readonly documents. */
export interface TextDocumentContentProvider {
  /** An event to signal a resource has changed. */
  onDidChange?: Event<Uri>;
  /** Provide textual content for a given uri. */
  provideTextDocumentContent(
    uri: Uri,
    token: CancellationToken,
  ): ProviderResult<string>;
}

export const SOURCE = "microsoft/vscode src/vscode-dts/vscode.d.ts";
