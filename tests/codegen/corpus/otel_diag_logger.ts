// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// OpenTelemetry API: DiagLogger (every operation a property typed with a
// function type alias).
export type DiagLogFunction = (message: string, ...args: unknown[]) => void;

/** Defines an internal diagnostic logger interface. */
export interface DiagLogger {
  error: DiagLogFunction;
  warn: DiagLogFunction;
  info: DiagLogFunction;
  debug: DiagLogFunction;
  verbose: DiagLogFunction;
}

export const SOURCE = "open-telemetry/opentelemetry-js api/src/diag/types.ts";
