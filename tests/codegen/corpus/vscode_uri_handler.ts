// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// VS Code API: UriHandler (a result written `ProviderResult<void>`).
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

/** A uri handler is responsible for handling system-wide uris. */
export interface UriHandler {
  /** Handle the provided system-wide uri. */
  handleUri(uri: Uri): ProviderResult<void>;
}

export const SOURCE = "microsoft/vscode src/vscode-dts/vscode.d.ts";
