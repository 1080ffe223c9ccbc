// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Config {
  region: string;
}
export interface ConfigService {
  getConfig(): globalThis.Promise<Config>;
  reload(): globalThis.Promise<void>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "globalthis_promise";
