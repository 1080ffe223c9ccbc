// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface TemplateData {
  [key: string]: string | number;
}
export interface EmailService {
  sendEmail(to: string, subject: string, html: string): Promise<void>;
  sendTemplate(to: string, template: string, data: TemplateData): Promise<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "email_service";
