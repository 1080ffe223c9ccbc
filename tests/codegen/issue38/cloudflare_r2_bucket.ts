// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface R2Conditional {
  etagMatches?: string;
  etagDoesNotMatch?: string;
}
export interface R2GetOptions {
  onlyIf?: R2Conditional | Headers;
  range?: { offset: number; length?: number };
}
export interface R2PutOptions {
  httpMetadata?: Record<string, string>;
  customMetadata?: Record<string, string>;
}
export interface R2ListOptions {
  limit?: number;
  prefix?: string;
  cursor?: string;
}
export interface R2Object {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}
export interface R2ObjectBody extends R2Object {
  readonly body: ReadableStream;
}
export type R2Objects = {
  objects: R2Object[];
  truncated: boolean;
  cursor?: string;
};
export interface R2Bucket {
  head(key: string): Promise<R2Object | null>;
  get(
    key: string,
    options: R2GetOptions & { onlyIf: R2Conditional | Headers },
  ): Promise<R2ObjectBody | R2Object | null>;
  get(key: string, options?: R2GetOptions): Promise<R2ObjectBody | null>;
  put(
    key: string,
    value:
      | ReadableStream
      | ArrayBuffer
      | ArrayBufferView
      | string
      | null
      | Blob,
    options?: R2PutOptions & { onlyIf: R2Conditional | Headers },
  ): Promise<R2Object | null>;
  put(
    key: string,
    value:
      | ReadableStream
      | ArrayBuffer
      | ArrayBufferView
      | string
      | null
      | Blob,
    options?: R2PutOptions,
  ): Promise<R2Object>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: R2ListOptions): Promise<R2Objects>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "cloudflare_r2_bucket";
