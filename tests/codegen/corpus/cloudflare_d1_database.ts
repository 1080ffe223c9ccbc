// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// Cloudflare Workers types: D1Database (generic methods with defaults, a
// class-like prepared statement as a result).
export interface D1Meta {
  duration: number;
  changes: number;
}
export type D1Result<T = unknown> = {
  results: T[];
  success: true;
  meta: D1Meta & Record<string, unknown>;
};
export interface D1ExecResult {
  count: number;
  duration: number;
}
export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first<T = unknown>(colName?: string): Promise<T | null>;
  run<T = Record<string, unknown>>(): Promise<D1Result<T>>;
}

/** A D1 database binding. */
export interface D1Database {
  prepare(query: string): D1PreparedStatement;
  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
  exec(query: string): Promise<D1ExecResult>;
  dump(): Promise<ArrayBuffer>;
}

export const SOURCE = "cloudflare/workerd types/defines/d1.d.ts";
