// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// @nestjs/passport: PassportSerializer's operations over the global
// `Express.User` that passport augments (`declare global`).
declare global {
  namespace Express {
    interface User {
      id: string;
    }
  }
}

/** Turns the logged-in user into a session value and back. */
export interface SessionSerializer {
  serializeUser(user: Express.User): Promise<string>;
  deserializeUser(payload: string): Promise<Express.User | null>;
}

export const SOURCE = "nestjs/passport lib/passport/passport.serializer.ts";
