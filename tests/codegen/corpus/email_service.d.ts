// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// An application's email port, shipped as a declaration file: an object type
// alias (not an interface) in a `.d.ts` input.
export type EmailService = {
  sendEmail(email: Email): void;
};
export type Email = {
  from: string;
  to: string;
  subject: string;
  text: string;
};

export declare const SOURCE = "duskfare/nexttslib server/services/email.d.ts";
