// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// DOM lib: StorageManager.
export interface StorageEstimate {
  quota?: number;
  usage?: number;
}
export interface FileSystemDirectoryHandleLike {
  readonly kind: "directory";
  readonly name: string;
}

/** The StorageManager interface of the Storage API. */
export interface StorageManager {
  estimate(): Promise<StorageEstimate>;
  getDirectory(): Promise<FileSystemDirectoryHandleLike>;
  persist(): Promise<boolean>;
  persisted(): Promise<boolean>;
}

export const SOURCE = "microsoft/TypeScript src/lib/dom.generated.d.ts";
