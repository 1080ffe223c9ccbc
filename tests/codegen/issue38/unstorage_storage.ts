// deno-lint-ignore-file -- written as in the interface's source (any, {})
export type StorageValue = null | string | number | boolean | object;
export type TransactionOptions = Record<string, any>;
export interface StorageMeta {
  atime?: Date;
  mtime?: Date;
}
export interface Storage<T extends StorageValue = StorageValue> {
  hasItem(key: string, opts?: TransactionOptions): Promise<boolean>;
  getItem<U extends T>(
    key: string,
    opts?: TransactionOptions,
  ): Promise<U | null>;
  getItemRaw<T = any>(
    key: string,
    opts?: TransactionOptions,
  ): Promise<T | null>;
  setItem<U extends T>(
    key: string,
    value: U,
    opts?: TransactionOptions,
  ): Promise<void>;
  removeItem(
    key: string,
    opts?: (TransactionOptions & { removeMeta?: boolean }) | boolean,
  ): Promise<void>;
  getMeta(
    key: string,
    opts?: (TransactionOptions & { nativeOnly?: boolean }) | boolean,
  ): MaybePromise<StorageMeta>;
  getKeys(base?: string, opts?: TransactionOptions): Promise<string[]>;
  clear(base?: string, opts?: TransactionOptions): Promise<void>;
  dispose(): Promise<void>;
}
export type MaybePromise<T> = T | Promise<T>;

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "unstorage_storage";
