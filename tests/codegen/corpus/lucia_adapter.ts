// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// Lucia auth: Adapter (named tuple results).
export interface DatabaseUser {
  id: string;
  attributes: Record<string, unknown>;
}
export interface DatabaseSession {
  userId: string;
  expiresAt: Date;
  id: string;
  attributes: Record<string, unknown>;
}

/** What Lucia needs from a database. */
export interface Adapter {
  getSessionAndUser(
    sessionId: string,
  ): Promise<[session: DatabaseSession | null, user: DatabaseUser | null]>;
  getUserSessions(userId: string): Promise<DatabaseSession[]>;
  setSession(session: DatabaseSession): Promise<void>;
  updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void>;
  deleteSession(sessionId: string): Promise<void>;
  deleteUserSessions(userId: string): Promise<void>;
  deleteExpiredSessions(): Promise<void>;
}

export const SOURCE = "lucia-auth/lucia packages/lucia/src/database.ts";
