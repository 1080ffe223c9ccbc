// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface HeroById {
  id: number;
}
export interface Hero {
  id: number;
  name: string;
}
export interface HeroService {
  FindOneHero(request: HeroById): Promise<Hero>;
}
export interface Rpc {
  request(
    service: string,
    method: string,
    data: Uint8Array,
  ): Promise<Uint8Array>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "tsproto_plain";
