// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// The nice-grpc-common types the corpus cases refer to.
export interface CallOptions {
  signal?: AbortSignal;
  metadata?: Record<string, string>;
}

/** Runtime code on purpose: `deno task gen tests` skips this stub. */
export const STUB = true;
