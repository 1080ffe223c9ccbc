/**
 * Typed errors raised by norpc. Every error is a {@linkcode NorpcError}, so a
 * caller can tell a transport or layer failure apart from an error its own
 * handler threw, and every error keeps its origin in `cause`.
 *
 * @module
 */

/**
 * Base class of every error norpc raises.
 *
 * @example Telling norpc failures apart from handler errors
 * ```ts
 * import { NorpcError, TimeoutError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err: unknown = new TimeoutError(50, 51, "hello");
 * assert.ok(err instanceof NorpcError);
 * assert.equal(err.name, "TimeoutError");
 * ```
 */
export class NorpcError extends Error {
  /**
   * The service the error was raised for, when known (servers started with
   * a `name`, as generated code does, fill it in).
   */
  readonly service: string | undefined;

  /**
   * Creates the error.
   *
   * @param message What went wrong, and where possible what to do about it.
   * @param options `cause`: the error or value behind this one; `service`:
   * the service it was raised for.
   */
  constructor(message: string, options?: NorpcErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.service = options?.service;
  }
}

/**
 * Options of {@linkcode NorpcError} and its subclasses.
 *
 * @example
 * ```ts
 * import { NorpcError, type NorpcErrorOptions } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const options: NorpcErrorOptions = { service: "Bank" };
 * assert.equal(new NorpcError("oops", options).service, "Bank");
 * ```
 */
export interface NorpcErrorOptions extends ErrorOptions {
  /** The service the error was raised for. */
  service?: string;
}

/**
 * The channel (or the server behind it) is closed, so the value could not be
 * delivered. When raised by a send, {@linkcode ChannelClosedError.value}
 * carries the unsent value so nothing is lost.
 *
 * @example Recovering the unsent value
 * ```ts
 * import { channel, ChannelClosedError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx] = channel<string>(1);
 * tx.close();
 * try {
 *   await tx.send("hi");
 * } catch (err) {
 *   assert.ok(err instanceof ChannelClosedError);
 *   assert.equal(err.value, "hi");
 * }
 * ```
 */
export class ChannelClosedError extends NorpcError {
  /** The value that was not delivered (`undefined` when there was none). */
  readonly value: unknown;

  /**
   * Creates the error.
   *
   * @param message What was closed.
   * @param value The value that could not be delivered.
   * @param options `cause`: the reason the channel or server was closed.
   */
  constructor(message: string, value?: unknown, options?: NorpcErrorOptions) {
    super(message, options);
    this.value = value;
  }
}

/**
 * A call did not settle within its time limit (raised by the `timeout` layer).
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new TimeoutError(50, 50.4, "hello");
 * assert.equal(err.message, "hello timed out after 50 ms (limit 50 ms)");
 * ```
 */
export class TimeoutError extends NorpcError {
  /** The limit, in milliseconds. */
  readonly timeoutMs: number;
  /** How long the call had run when it was given up, in milliseconds. */
  readonly elapsedMs: number;
  /** The request's `method`, when the request has one (generated requests do). */
  readonly method: string | undefined;

  /**
   * Creates the error.
   *
   * @param timeoutMs The limit, in milliseconds.
   * @param elapsedMs Time elapsed when the call was given up.
   * @param method The request's method name, if known.
   * @param options `cause`: usually absent.
   */
  constructor(
    timeoutMs: number,
    elapsedMs: number,
    method?: string,
    options?: NorpcErrorOptions,
  ) {
    const service = options?.service;
    const what = service === undefined
      ? method ?? "call"
      : method === undefined
      ? `call to ${service}`
      : `${service}.${method}`;
    super(
      `${what} timed out after ${Math.round(elapsedMs)} ms (limit ${
        Math.round(timeoutMs)
      } ms)`,
      options,
    );
    this.timeoutMs = timeoutMs;
    this.elapsedMs = elapsedMs;
    this.method = method;
  }
}

/**
 * The service has no capacity for the call right now and chose to fail fast
 * instead of queueing it (load shedding, or a full queue with `trySend`).
 * Safe to retry later.
 *
 * @example
 * ```ts
 * import { OverloadedError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new OverloadedError("service is at capacity; retry later");
 * assert.equal(err.name, "OverloadedError");
 * ```
 */
export class OverloadedError extends NorpcError {}

/**
 * The circuit breaker is open: recent calls failed too often, so calls are
 * refused until the breaker lets a probe through.
 *
 * @example
 * ```ts
 * import { CircuitOpenError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new CircuitOpenError(1500);
 * assert.equal(err.retryAfterMs, 1500);
 * ```
 */
export class CircuitOpenError extends NorpcError {
  /** Milliseconds until the breaker lets a probe call through. */
  readonly retryAfterMs: number;

  /**
   * Creates the error.
   *
   * @param retryAfterMs Milliseconds until the breaker half-opens.
   * @param options `cause`: the failure that opened the circuit.
   */
  constructor(retryAfterMs: number, options?: NorpcErrorOptions) {
    super(
      `${
        options?.service === undefined
          ? "circuit"
          : `${options.service}'s circuit`
      } is open; calls are refused for another ${
        Math.max(0, Math.round(retryAfterMs))
      } ms`,
      options,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A request named a method the service does not have (generated servers raise
 * it for requests built by hand or by an out-of-date client).
 *
 * @example
 * ```ts
 * import { UnknownMethodError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new UnknownMethodError("helo", "HelloWorld");
 * assert.match(err.message, /unknown method "helo" on service HelloWorld/);
 * ```
 */
export class UnknownMethodError extends NorpcError {
  /** The method name that was requested. */
  readonly method: string;

  /**
   * Creates the error.
   *
   * @param method The requested method name.
   * @param service The service's name, for the message.
   */
  constructor(method: string, service?: string) {
    super(
      `unknown method ${JSON.stringify(method)}${
        service ? ` on service ${service}` : ""
      }; if the interface changed, regenerate the client: \`deno run --allow-read --allow-write jsr:@norpc/norpc/codegen FILE\``,
      { service },
    );
    this.method = method;
  }
}

/**
 * A request is not what a generated server takes — not an object
 * `{ method, args }` with `args` an array — as only an untyped caller can
 * send (a `null`, a number, a hand-built object). The message names the
 * service.
 *
 * @example
 * ```ts
 * import { BadRequestError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new BadRequestError(null, "HelloWorld");
 * assert.equal(err.service, "HelloWorld");
 * assert.match(err.message, /HelloWorld/);
 * ```
 */
export class BadRequestError extends NorpcError {
  /** The request that was refused. */
  readonly request: unknown;

  /**
   * Creates the error.
   *
   * @param request The refused request.
   * @param service The service's name, for the message.
   */
  constructor(request: unknown, service?: string) {
    super(
      `bad request${
        service ? ` to service ${service}` : ""
      }: expected { method: string, args: [...] } (the generated client builds it), got ${
        describe(request)
      }`,
      { service },
    );
    this.request = request;
  }
}

/**
 * An option passed to a constructor or layer is invalid. Thrown at
 * construction time, never during a call; the message names the option and
 * the value that was given.
 *
 * @example
 * ```ts
 * import { channel, InvalidOptionError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => channel(-1), InvalidOptionError);
 * ```
 */
export class InvalidOptionError extends NorpcError {
  /** The option's name, e.g. `capacity`. */
  readonly option: string;
  /** The value that was rejected. */
  readonly value: unknown;

  /**
   * Creates the error.
   *
   * @param option The option's name.
   * @param value The rejected value.
   * @param expected What a valid value looks like, e.g. "a positive integer".
   */
  constructor(option: string, value: unknown, expected: string) {
    super(`invalid option ${option}: ${describe(value)}; expected ${expected}`);
    this.option = option;
    this.value = value;
  }
}

/**
 * A handler threw (or rejected with) something that is not an `Error`. The
 * thrown value is kept in `cause`; `Error` instances are passed through to the
 * caller unchanged.
 *
 * @example
 * ```ts
 * import { HandlerError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new HandlerError("boom");
 * assert.equal(err.cause, "boom");
 * ```
 */
export class HandlerError extends NorpcError {
  /**
   * Creates the error.
   *
   * @param thrown The non-Error value the handler threw.
   */
  constructor(thrown: unknown) {
    super(`handler threw a non-Error value: ${describe(thrown)}`, {
      cause: thrown,
    });
  }
}

/** Renders a value for an error message without throwing on odd inputs. */
/**
 * Internal (not exported from `mod.ts`): the error for a `signal` option that
 * is not an `AbortSignal`, as an untyped caller could pass. `null` and
 * `undefined` mean "no signal" (as for `fetch`) and never get here.
 *
 * @param signal The rejected value.
 * @returns A TypeError naming what was passed and what is expected.
 */
export function notAnAbortSignal(signal: unknown): TypeError {
  const got = typeof signal === "object"
    ? Object.prototype.toString.call(signal).slice(8, -1)
    : describe(signal);
  const hint = signal instanceof AbortController
    ? "pass controller.signal, not the controller"
    : "pass an AbortController's signal, or leave it out";
  return new TypeError(
    `options.signal must be an AbortSignal, got ${got}: ${hint}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") {
    return `function ${value.name || "(anonymous)"}`;
  }
  if (
    typeof value === "symbol" || typeof value !== "object" || value === null
  ) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Internal (not exported from any entry point): throws
 * {@linkcode InvalidOptionError} for the first key of `options` that is not
 * in `allowed`, naming the closest valid key, so a misspelled option
 * (`{ concurency: 1 }`) fails at construction instead of being ignored.
 *
 * @param where What takes the options, for the message (e.g. "spawn()").
 * @param options The options object (already known to be an object).
 * @param allowed Every valid key.
 */
export function rejectUnknownKeys(
  where: string,
  options: object,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const closest = closestName(key, allowed);
    throw new InvalidOptionError(
      key,
      (options as Record<string, unknown>)[key],
      `no such option of ${where}${
        closest === undefined ? "" : ` (did you mean ${closest}?)`
      }; valid options: ${allowed.join(", ")}`,
    );
  }
}

/** The valid name nearest to `name` by edit distance, if any is close. */
function closestName(
  name: string,
  candidates: readonly string[],
): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j] + 1,
        next[j - 1] + 1,
        row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length];
}

/**
 * Internal (not exported from any entry point): the one route for an error
 * raised by a user callback that has no call to fail (an `observe` hook, a
 * state-change hook, a value sent by an untyped caller). It never throws and
 * never uses `reportError`, which ends a Deno process: the error goes to
 * `onError` when the user gave one, else to `console.error` with `context`.
 * An `onError` that throws falls back to `console.error` too.
 *
 * @param context Where it happened, e.g. "observe() onResponse hook".
 * @param error What was thrown.
 * @param onError The user's handler for such errors, if any.
 */
export function reportCallbackError(
  context: string,
  error: unknown,
  onError?: (error: unknown, context: string) => void,
): void {
  if (onError !== undefined) {
    try {
      onError(error, context);
      return;
    } catch (handlerError) {
      error = new AggregateError(
        [error, handlerError],
        `${context} failed, and so did its onError handler`,
      );
    }
  }
  try {
    console.error(`norpc: ${context} threw (the call goes on):`, error);
  } catch {
    // console.error itself failed (a closed stderr): nothing else to do.
  }
}
