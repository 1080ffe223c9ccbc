// deno-lint-ignore-file -- shapes the generator must survive
declare type Maybe<T> = T | PromiseLike<T>;
declare interface Tool {
  name: string;
}
declare interface Toolbox {
  list(): Maybe<Tool[]>;
  get(name: string): Maybe<Tool | undefined>;
}
