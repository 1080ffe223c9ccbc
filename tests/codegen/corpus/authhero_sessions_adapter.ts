// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// authhero: SessionsAdapter (operations as function-typed properties).
export interface Session {
  id: string;
  user_id: string;
  expires_at: string;
}

/** Stores login sessions. */
export interface SessionsAdapter {
  create: (session: Session) => Promise<void>;
  get: (tenant_id: string, id: string) => Promise<Session | null>;
  remove: (tenant_id: string, id: string) => Promise<boolean>;
}

export const SOURCE = "authhero/auth src/adapters/interfaces/Sessions.ts";
