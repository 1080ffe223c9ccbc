// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// DOM lib: Console (rest parameters everywhere).
export interface Console {
  assert(condition?: boolean, ...data: any[]): void;
  clear(): void;
  count(label?: string): void;
  debug(...data: any[]): void;
  error(...data: any[]): void;
  info(...data: any[]): void;
  log(...data: any[]): void;
  warn(...data: any[]): void;
}

export const SOURCE = "microsoft/TypeScript src/lib/dom.generated.d.ts";
