// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// cache-manager: Store (generic methods, rest parameters).
export type Milliseconds = number;

export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, data: T, ttl?: Milliseconds): Promise<void>;
  del(key: string): Promise<void>;
  reset(): Promise<void>;
  mset(args: [string, unknown][], ttl?: Milliseconds): Promise<void>;
  mget(...args: string[]): Promise<unknown[]>;
  mdel(...args: string[]): Promise<void>;
  keys(pattern?: string): Promise<string[]>;
  ttl(key: string): Promise<number>;
}

export const SOURCE = "node-cache-manager/node-cache-manager src/caching.ts";
