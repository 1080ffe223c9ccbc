// deno-lint-ignore-file -- written as in the interface's source (any, {})
import type { Observable } from "./_stubs/rxjs.ts"; // rxjs, stubbed
export interface HeroById {
  id: number;
}
export interface Hero {
  id: number;
  name: string;
}
export interface HeroServiceController {
  findOneHero(request: HeroById): Promise<Hero> | Observable<Hero> | Hero;
}
export interface HeroServiceClient {
  findOneHero(request: HeroById): Observable<Hero>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "tsproto_nestjs_controller";
