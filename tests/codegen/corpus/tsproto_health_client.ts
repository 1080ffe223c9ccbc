// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// ts-proto with nice-grpc output: HealthClient (its options parameter is
// nice-grpc's `CallOptions`, which the generated file also declares).
import type { CallOptions } from "./_stubs/nice_grpc_common.ts"; // nice-grpc-common, stubbed

export interface HealthCheckRequest {
  service: string;
}
export interface HealthCheckResponse {
  status: 0 | 1 | 2 | 3;
}
export type DeepPartial<T> = T extends object
  ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

export interface HealthClient<CallOptionsExt = {}> {
  check(
    request: DeepPartial<HealthCheckRequest>,
    options?: CallOptions & CallOptionsExt,
  ): Promise<HealthCheckResponse>;
}

export const SOURCE =
  "stephenh/ts-proto integration/nice-grpc/simple.ts (grpc.health.v1 Health)";
