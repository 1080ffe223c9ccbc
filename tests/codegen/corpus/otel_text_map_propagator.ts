// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// OpenTelemetry API: TextMapPropagator (a default type parameter, a
// callback-object parameter).
export interface Context {
  getValue(key: symbol): unknown;
}
export interface TextMapSetter<Carrier = any> {
  set(carrier: Carrier, key: string, value: string): void;
}
export interface TextMapGetter<Carrier = any> {
  keys(carrier: Carrier): string[];
  get(carrier: Carrier, key: string): undefined | string | string[];
}

/** Injects values into and extracts values from carriers as string pairs. */
export interface TextMapPropagator<Carrier = any> {
  inject(
    context: Context,
    carrier: Carrier,
    setter: TextMapSetter<Carrier>,
  ): void;
  extract(
    context: Context,
    carrier: Carrier,
    getter: TextMapGetter<Carrier>,
  ): Context;
  /** The fields this propagator sets. */
  fields(): string[];
}

export const SOURCE =
  "open-telemetry/opentelemetry-js api/src/propagation/TextMapPropagator.ts";
