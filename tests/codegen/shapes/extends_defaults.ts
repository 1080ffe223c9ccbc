// deno-lint-ignore-file -- shapes the generator must survive
export interface Thenable<T> extends PromiseLike<T> {}
interface A extends B {
  a(): Thenable<number>;
}
interface B {
  b(): void;
}
export interface C extends A {}
export interface D<T extends string = "x", U = T[]> {
  d(t: T): U;
  e(): Thenable<U>;
}
export interface E extends D<"y"> {
  f(): string;
}
export type F = {
  g(x: number): Thenable<Thenable<boolean>>;
  h: (cb: () => void) => void;
};

/** Runtime code on purpose: `deno task gen tests` skips this fixture. */
export const FIXTURE = true;
