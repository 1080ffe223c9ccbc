// deno-lint-ignore-file -- shapes the generator must survive
export interface Obj {
  a: string;
  b: number;
}
export interface Svc {
  pick<T extends Obj, K extends keyof T>(obj: T, key: K): Promise<T[K]>;
  map<A, B>(xs: A[], f: (a: A) => B): B[];
  maybe?<T>(x: T): T;
  over(a: string): string;
  over(a: number, b?: boolean): number;
  over(): void;
  fn: <T>(x: T) => Promise<T>;
  opt?: (x: string) => number;
  read(): PromiseLike<Promise<string>>;
  many(): Promise<string> | PromiseLike<number> | null;
  self(x: Svc): Svc;
}

/** Runtime code on purpose: `deno task gen tests` skips this fixture. */
export const FIXTURE = true;
