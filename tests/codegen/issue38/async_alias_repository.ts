// deno-lint-ignore-file -- written as in the interface's source (any, {})
type Async<T> = Promise<T>;
export interface User {
  id: string;
  email: string;
}
export interface UserRepository {
  findById(id: string): Async<User | null>;
  save(user: User): Async<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "async_alias_repository";
