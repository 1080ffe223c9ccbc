// deno-lint-ignore-file -- written as in the interface's source (any, {})
export type RequestInfo = Request | string;
export interface MultiCacheQueryOptions {
  cacheName?: string;
  ignoreSearch?: boolean;
}
export interface CacheLike {
  put(request: RequestInfo | URL, response: Response): Promise<void>;
}
export interface CacheStorage {
  delete(cacheName: string): Promise<boolean>;
  has(cacheName: string): Promise<boolean>;
  keys(): Promise<string[]>;
  match(
    request: RequestInfo | URL,
    options?: MultiCacheQueryOptions,
  ): Promise<Response | undefined>;
  open(cacheName: string): Promise<CacheLike>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "dom_cache_storage";
