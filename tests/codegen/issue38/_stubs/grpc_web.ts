// deno-lint-ignore-file -- written as in the interface's source (any, {})
export namespace grpc {
  export class Metadata {
    headersMap: Record<string, string[]> = {};
  }
}

/** Runtime code on purpose: `deno task gen tests` skips this stub. */
export const STUB = true;
