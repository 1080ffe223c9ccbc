// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// An application's user repository (readonly argument objects, an alias
// for `User | null`).
export interface CreateUserArgs {
  readonly email: string;
  readonly password: string;
}
export interface GetUserForCredentialsArgs {
  readonly email: string;
  readonly password: string;
}
export interface User {
  readonly id: string;
  readonly email: string;
}
export type OptionalUser = User | null;

export interface DBUserAdapter {
  createUser(args: CreateUserArgs): Promise<User>;
  getUser(email: string): Promise<OptionalUser>;
  getUsersByID(ids: string[]): Promise<OptionalUser[]>;
  getUserByID(id: string): Promise<OptionalUser>;
  getUserForCredentials(args: GetUserForCredentialsArgs): Promise<OptionalUser>;
}

export const SOURCE =
  "code search corpus (unnamed repository): DBUserAdapter, an application's user adapter";
