// deno-lint-ignore-file -- written as in the interface's source (any, {})
import type { CallOptions } from "./_stubs/nice_grpc_common.ts"; // nice-grpc-common, stubbed
export interface HeroById {
  id: number;
}
export interface Hero {
  id: number;
  name: string;
}
export type DeepPartial<T> = T extends object
  ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T;
export interface HeroServiceClient<CallOptionsExt = {}> {
  findOneHero(
    request: DeepPartial<HeroById>,
    options?: CallOptions & CallOptionsExt,
  ): Promise<Hero>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "tsproto_nice_grpc_client";
