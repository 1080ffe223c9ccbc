// deno-lint-ignore-file -- written as in the interface's source (any, {})
export type StorageValue = null | string | number | boolean | object;
export type MaybePromise<T> = T | Promise<T>;
export type TransactionOptions = Record<string, any>;
export interface StorageMeta {
  atime?: Date;
  mtime?: Date;
  [key: string]: StorageValue | Date | undefined;
}
export interface Driver<OptionsT = any, InstanceT = any> {
  name?: string;
  options?: OptionsT;
  getInstance?: () => InstanceT;
  hasItem: (key: string, opts: TransactionOptions) => MaybePromise<boolean>;
  getItem: (
    key: string,
    opts?: TransactionOptions,
  ) => MaybePromise<StorageValue>;
  getItems?: (
    items: { key: string; options?: TransactionOptions }[],
    commonOptions?: TransactionOptions,
  ) => MaybePromise<{ key: string; value: StorageValue }[]>;
  setItem?: (
    key: string,
    value: string,
    opts: TransactionOptions,
  ) => MaybePromise<void>;
  removeItem?: (key: string, opts: TransactionOptions) => MaybePromise<void>;
  getMeta?: (
    key: string,
    opts: TransactionOptions,
  ) => MaybePromise<StorageMeta | null>;
  getKeys: (base: string, opts: TransactionOptions) => MaybePromise<string[]>;
  clear?: (base: string, opts: TransactionOptions) => MaybePromise<void>;
  dispose?: () => MaybePromise<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "unstorage_driver";
