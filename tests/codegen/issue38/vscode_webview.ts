// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Thenable<T> extends PromiseLike<T> {}
export type Event<T> = (listener: (e: T) => any) => { dispose(): any };
export interface Uri {
  readonly path: string;
}
export interface Webview {
  options: { enableScripts?: boolean };
  html: string;
  readonly onDidReceiveMessage: Event<any>;
  postMessage(message: any): Thenable<boolean>;
  asWebviewUri(localResource: Uri): Uri;
  readonly cspSource: string;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "vscode_webview";
