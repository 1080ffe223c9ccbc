// deno-lint-ignore-file -- written as in the interface's source (any, {})
export type StoredData<Value> =
  | { value?: Value; expires?: number | null }
  | Value
  | undefined;
export interface KeyvStoreAdapter {
  opts: any;
  namespace?: string;
  get<Value>(key: string): Promise<StoredData<Value> | undefined>;
  set(key: string, value: any, ttl?: number): any;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
  has?(key: string): Promise<boolean>;
  getMany?<Value>(
    keys: string[],
  ): Promise<Array<StoredData<Value | undefined>>>;
  disconnect?(): Promise<void>;
  deleteMany?(key: string[]): Promise<boolean>;
  iterator?<Value>(
    namespace?: string,
  ): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "keyv_store_adapter";
