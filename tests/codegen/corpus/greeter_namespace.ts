// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// A gRPC code generator's output: the service interface inside a namespace.
export interface HelloRequest {
  name: string;
}
export interface HelloReply {
  message: string;
}

export namespace Greeter {
  /** Greeter interface that provides types for the gRPC Greeter service. */
  export interface Service {
    sayHello(request: HelloRequest): HelloReply;
  }
}

export const SOURCE =
  "code search corpus: 'export namespace Greeter { export interface Service … }' (Jonathan Casarrubias' gRPC generator output)";
