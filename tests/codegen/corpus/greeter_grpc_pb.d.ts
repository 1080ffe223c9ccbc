// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// grpc-tools (grpc_tools_node_protoc_ts) output, a declaration file: client
// overloads with callbacks, an interface extending one from a package.
import * as grpc from "./_stubs/grpc_js.ts"; // @grpc/grpc-js, stubbed

export interface HelloRequest {
  getName(): string;
}
export interface HelloReply {
  getMessage(): string;
}

export interface IGreeterClient {
  sayHello(
    request: HelloRequest,
    callback: (error: grpc.ServiceError | null, response: HelloReply) => void,
  ): grpc.ClientUnaryCall;
  sayHello(
    request: HelloRequest,
    metadata: grpc.Metadata,
    callback: (error: grpc.ServiceError | null, response: HelloReply) => void,
  ): grpc.ClientUnaryCall;
}

export declare const SOURCE =
  "agreatfool/grpc_tools_node_protoc_ts examples/src/grpcjs/proto/book_grpc_pb.d.ts (shape of the generated client)";
