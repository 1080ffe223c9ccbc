// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// An application's email port (hexagonal architecture, on Deno).
export interface EmailService {
  send(to: string, subject: string, body: string): Promise<void>;
}

export const SOURCE =
  "castrofilho-hildebrando/blog-with-deno src/application/ports/EmailService.ts";
