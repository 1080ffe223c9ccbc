// deno-lint-ignore-file -- written as in the interface's source (any, {})
declare global {
  interface User {
    id: string;
    name: string;
  }
}
export interface UserService {
  current(): Promise<User>;
  rename(user: User, name: string): Promise<User>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "declare_global_user";
