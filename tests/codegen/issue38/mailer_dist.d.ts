// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Message {
  to: string;
  subject: string;
  html?: string;
}
export interface SendResult {
  id: string;
  accepted: string[];
}
export interface Mailer {
  send(message: Message): Promise<SendResult>;
  verify(): Promise<boolean>;
}
export declare function createMailer(url: string): Mailer;
