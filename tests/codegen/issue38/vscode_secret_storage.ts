// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Thenable<T> extends PromiseLike<T> {}
export interface SecretStorageChangeEvent {
  readonly key: string;
}
export type Event<T> = (listener: (e: T) => any) => { dispose(): any };
export interface SecretStorage {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
  onDidChange: Event<SecretStorageChangeEvent>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "vscode_secret_storage";
