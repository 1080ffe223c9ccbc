// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// obsidian-auth: Adapter (documented methods, results `T | null`).
export interface Session {
  id: string;
  userId: string;
  expiresAt: Date;
}
export interface User {
  id: string;
  name: string;
}

export interface Adapter {
  /**
   * Retrieves a {@link Session} by its ID.
   *
   * @param id The session ID to retrieve.
   * @returns The session if it exists, otherwise null.
   */
  getSessionById(id: string): Promise<Session | null>;
  /** Stores the provided session. */
  createSession(session: Session): Promise<void>;
  /** Retrieves a {@link User} by its ID. */
  getUserById(id: string): Promise<User | null>;
  /** Stores the provided user. */
  createUser(user: User): Promise<void>;
}

export const SOURCE =
  "caoimhebyrne/obsidian-auth packages/obsidian/src/adapter.ts";
