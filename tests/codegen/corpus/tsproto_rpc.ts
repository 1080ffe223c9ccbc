// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// ts-proto output: the Rpc transport interface every generated client takes.
export interface Rpc {
  request(
    service: string,
    method: string,
    data: Uint8Array,
  ): Promise<Uint8Array>;
}

export const SOURCE =
  "stephenh/ts-proto integration/simple/simple.ts (interface Rpc)";
