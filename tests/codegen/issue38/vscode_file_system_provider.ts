// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Thenable<T> extends PromiseLike<T> {}
export interface Uri {
  readonly path: string;
}
export interface Disposable {
  dispose(): any;
}
export interface FileStat {
  type: number;
  size: number;
}
export interface FileChangeEvent {
  readonly type: number;
  readonly uri: Uri;
}
export type Event<T> = (listener: (e: T) => any) => Disposable;
export interface FileSystemProvider {
  readonly onDidChangeFile: Event<FileChangeEvent[]>;
  watch(
    uri: Uri,
    options: {
      readonly recursive: boolean;
      readonly excludes: readonly string[];
    },
  ): Disposable;
  stat(uri: Uri): FileStat | Thenable<FileStat>;
  readDirectory(uri: Uri): [string, number][] | Thenable<[string, number][]>;
  createDirectory(uri: Uri): void | Thenable<void>;
  readFile(uri: Uri): Uint8Array | Thenable<Uint8Array>;
  writeFile(
    uri: Uri,
    content: Uint8Array,
    options: { readonly create: boolean; readonly overwrite: boolean },
  ): void | Thenable<void>;
  delete(
    uri: Uri,
    options: { readonly recursive: boolean },
  ): void | Thenable<void>;
  rename(
    oldUri: Uri,
    newUri: Uri,
    options: { readonly overwrite: boolean },
  ): void | Thenable<void>;
  copy?(
    source: Uri,
    destination: Uri,
    options: { readonly overwrite: boolean },
  ): void | Thenable<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "vscode_file_system_provider";
