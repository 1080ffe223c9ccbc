// deno-lint-ignore-file -- written as in the interface's source (any, {})
declare type CanPromise<T> = T | Promise<T>;
declare interface Job {
  id: string;
  payload: unknown;
}
declare interface JobQueue {
  add(job: Job): CanPromise<string>;
  remove(id: string): CanPromise<boolean>;
}
