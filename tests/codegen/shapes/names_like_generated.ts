// deno-lint-ignore-file -- shapes the generator must survive
export interface Options {
  x: number;
}
export interface CallOptions {
  y: string;
}
export interface NO_OPTIONS {
  z: boolean;
}
export interface Svc {
  a(o: Options, c: CallOptions, n: NO_OPTIONS): Promise<CallOptions>;
  b(req: string, options: string): void;
}

/** Runtime code on purpose: `deno task gen tests` skips this fixture. */
export const FIXTURE = true;
