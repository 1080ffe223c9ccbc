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
  FindManyHeroes(request: AsyncIterable<HeroById>): AsyncIterable<Hero>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "tsproto_async_iterable";
