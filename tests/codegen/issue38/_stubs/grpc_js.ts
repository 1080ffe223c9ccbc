// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// The few @grpc/grpc-js types the corpus cases refer to (the test maps the
// package name here, so the generated files type-check offline).
export interface ServiceError extends Error {
  code: number;
}
export class Metadata {
  map: Record<string, string> = {};
}
export interface ClientUnaryCall {
  cancel(): void;
}
export interface ServerUnaryCall<Req, _Res> {
  request: Req;
}
export type sendUnaryData<Res> = (
  error: ServiceError | null,
  value?: Res,
) => void;
export type handleUnaryCall<Req, Res> = (
  call: ServerUnaryCall<Req, Res>,
  callback: sendUnaryData<Res>,
) => void;
export type UntypedServiceImplementation = {
  [name: string]: (...args: any[]) => void;
};

/** Runtime code on purpose: `deno task gen tests` skips this stub. */
export const STUB = true;
