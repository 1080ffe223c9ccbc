// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface CallOptions {
  signal?: AbortSignal;
}
export interface CallContext {
  signal: AbortSignal;
  peer: string;
}

/** Runtime code on purpose: `deno task gen tests` skips this stub. */
export const STUB = true;
