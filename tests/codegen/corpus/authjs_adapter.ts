// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// Auth.js: Adapter (optional methods, an `Awaitable<T> = T | PromiseLike<T>`
// alias as every result).
export type Awaitable<T> = T | PromiseLike<T>;
export interface AdapterUser {
  id: string;
  email: string;
  emailVerified: Date | null;
  name?: string | null;
}
export interface AdapterSession {
  sessionToken: string;
  userId: string;
  expires: Date;
}
export interface VerificationToken {
  identifier: string;
  expires: Date;
  token: string;
}

/** How Auth.js talks to a database. */
export interface Adapter {
  createUser?(user: AdapterUser): Awaitable<AdapterUser>;
  getUser?(id: string): Awaitable<AdapterUser | null>;
  getUserByEmail?(email: string): Awaitable<AdapterUser | null>;
  updateUser?(
    user: Partial<AdapterUser> & Pick<AdapterUser, "id">,
  ): Awaitable<AdapterUser>;
  deleteUser?(
    userId: string,
  ): Promise<void> | Awaitable<AdapterUser | null | undefined>;
  createSession?(session: {
    sessionToken: string;
    userId: string;
    expires: Date;
  }): Awaitable<AdapterSession>;
  getSessionAndUser?(
    sessionToken: string,
  ): Awaitable<{ session: AdapterSession; user: AdapterUser } | null>;
  deleteSession?(
    sessionToken: string,
  ): Promise<void> | Awaitable<AdapterSession | null | undefined>;
  createVerificationToken?(
    verificationToken: VerificationToken,
  ): Awaitable<VerificationToken | null | undefined>;
  useVerificationToken?(params: {
    identifier: string;
    token: string;
  }): Awaitable<VerificationToken | null>;
}

export const SOURCE = "nextauthjs/next-auth packages/core/src/adapters.ts";
