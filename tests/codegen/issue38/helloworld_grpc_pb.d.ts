// deno-lint-ignore-file -- written as in the interface's source (any, {})
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
