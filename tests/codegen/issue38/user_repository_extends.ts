// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface User {
  id: string;
  email: string;
}
interface BaseRepository<T> {
  findById(id: string): Promise<T | null>;
  create(data: Omit<T, "id">): Promise<T>;
}
export interface UserRepository extends BaseRepository<User> {
  findByEmail(email: string): Promise<User | null>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "user_repository_extends";
