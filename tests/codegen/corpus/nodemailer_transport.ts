// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// Nodemailer: Transport (properties, an optional overloaded `verify`).
export interface MailMessage<T = any> {
  data: { to?: string; subject?: string; text?: string };
  info?: T;
}

/** A nodemailer transport. */
export interface Transport<T = any> {
  name: string;
  version: string;
  send(
    mail: MailMessage<T>,
    callback: (err: Error | null, info?: T) => void,
  ): void;
  verify?(callback: (err: Error | null, success: true) => void): void;
  verify?(): Promise<true>;
  close?(): void;
}

export const SOURCE =
  "DefinitelyTyped/DefinitelyTyped types/nodemailer/lib/mailer/index.d.ts";
