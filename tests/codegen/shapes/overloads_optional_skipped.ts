// deno-lint-ignore-file -- shapes the generator must survive
export interface Weird {
  get(key: string): Promise<string>;
  get(key: string, options: { type: "json" }): Promise<unknown>;
  get<T>(key: string[], options?: { type: "json" }): Promise<Map<string, T>>;
  del?(key: string): Promise<boolean>;
  del?(keys: string[]): Promise<number>;
  readonly size: number;
  [Symbol.asyncIterator](): AsyncIterator<string>;
  "quoted"(): void;
  call2(options: string, options_: number, req: boolean): void;
  cb(callback: (err: Error | null, value?: string) => void): void;
}

/** Runtime code on purpose: `deno task gen tests` skips this fixture. */
export const FIXTURE = true;
