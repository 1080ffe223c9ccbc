// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// DOM lib: FileSystemDirectoryHandle (extends FileSystemHandle, properties).
export interface FileSystemGetFileOptions {
  create?: boolean;
}
export interface FileSystemRemoveOptions {
  recursive?: boolean;
}
export interface FileSystemFileHandleLike {
  readonly kind: "file";
  readonly name: string;
}

/** A file or directory entry. */
export interface FileSystemHandle {
  readonly kind: "file" | "directory";
  readonly name: string;
  isSameEntry(other: FileSystemHandle): Promise<boolean>;
}

/** A handle to a file system directory. */
export interface FileSystemDirectoryHandle extends FileSystemHandle {
  readonly kind: "directory";
  getDirectoryHandle(
    name: string,
    options?: FileSystemGetFileOptions,
  ): Promise<FileSystemDirectoryHandle>;
  getFileHandle(
    name: string,
    options?: FileSystemGetFileOptions,
  ): Promise<FileSystemFileHandleLike>;
  removeEntry(name: string, options?: FileSystemRemoveOptions): Promise<void>;
  resolve(possibleDescendant: FileSystemHandle): Promise<string[] | null>;
}

export const SOURCE = "microsoft/TypeScript src/lib/dom.generated.d.ts";
