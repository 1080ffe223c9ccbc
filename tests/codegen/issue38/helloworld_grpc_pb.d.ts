// deno-lint-ignore-file -- written as in the interface's source (any, {})
import * as grpc from "@grpc/grpc-js";
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
