// deno-lint-ignore-file -- written as in the interface's source (any, {})
import { grpc } from "./_stubs/grpc_web.ts"; // @improbable-eng/grpc-web, stubbed
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
export interface HeroService {
  FindOneHero(
    request: DeepPartial<HeroById>,
    metadata?: grpc.Metadata,
  ): Promise<Hero>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "tsproto_grpc_web";
