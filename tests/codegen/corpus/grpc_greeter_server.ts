// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// grpc-tools output: the server interface extends grpc-js's
// UntypedServiceImplementation and types each handler with an alias from the
// package.
import * as grpc from "./_stubs/grpc_js.ts"; // @grpc/grpc-js, stubbed

export interface HelloRequest {
  name: string;
}
export interface HelloReply {
  message: string;
}

export interface IGreeterServer extends grpc.UntypedServiceImplementation {
  sayHello: grpc.handleUnaryCall<HelloRequest, HelloReply>;
}

export const SOURCE =
  "yogeshkathayat/grpc-node-typescript src/proto/greeter/greeter_grpc_pb.d.ts (imported by src/handlers/greeter.ts)";
