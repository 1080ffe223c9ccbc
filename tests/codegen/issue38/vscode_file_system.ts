// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Thenable<T> extends PromiseLike<T> {}
export interface Uri {
  readonly scheme: string;
  readonly path: string;
}
export enum FileType {
  Unknown = 0,
  File = 1,
  Directory = 2,
  SymbolicLink = 64,
}
export interface FileStat {
  type: FileType;
  ctime: number;
  mtime: number;
  size: number;
}
export interface FileSystem {
  stat(uri: Uri): Thenable<FileStat>;
  readDirectory(uri: Uri): Thenable<[string, FileType][]>;
  createDirectory(uri: Uri): Thenable<void>;
  readFile(uri: Uri): Thenable<Uint8Array>;
  writeFile(uri: Uri, content: Uint8Array): Thenable<void>;
  delete(
    uri: Uri,
    options?: { recursive?: boolean; useTrash?: boolean },
  ): Thenable<void>;
  rename(
    source: Uri,
    target: Uri,
    options?: { overwrite?: boolean },
  ): Thenable<void>;
  copy(
    source: Uri,
    target: Uri,
    options?: { overwrite?: boolean },
  ): Thenable<void>;
  isWritableFileSystem(scheme: string): boolean | undefined;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "vscode_file_system";
