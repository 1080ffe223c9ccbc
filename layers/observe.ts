/**
 * The {@linkcode observe} layer: hooks around every call, for logs, metrics
 * and tracing.
 *
 * @module
 */

import type { CallOptions, Layer, Service } from "../service.ts";
import { callInner, innerReady, isOwnAbort } from "./_util.ts";
import { optionalFunction, optionsObject } from "./_validate.ts";

/**
 * A call is starting; passed to {@linkcode ObserveHooks.onRequest}.
 *
 * @typeParam Req The request type.
 *
 * @example
 * ```ts
 * import type { RequestEvent } from "@norpc/norpc/layers";
 *
 * const log = ({ req }: RequestEvent<string>) => console.log("->", req);
 * ```
 */
export interface RequestEvent<Req> {
  /** The request. */
  readonly req: Req;
}

/**
 * A call succeeded; passed to {@linkcode ObserveHooks.onResponse}.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @typeParam Ctx What `onRequest` returned for this call.
 *
 * @example
 * ```ts
 * import type { ResponseEvent } from "@norpc/norpc/layers";
 *
 * const log = (e: ResponseEvent<string, number>) =>
 *   console.log(`${e.req} -> ${e.res} in ${e.durationMs.toFixed(1)} ms`);
 * ```
 */
export interface ResponseEvent<Req, Res, Ctx = undefined> {
  /** The request. */
  readonly req: Req;
  /** The response. */
  readonly res: Res;
  /** Milliseconds from the call to its response (monotonic clock). */
  readonly durationMs: number;
  /** What `onRequest` returned for this call (e.g. a tracing span). */
  readonly context: Ctx;
}

/**
 * A call failed; passed to {@linkcode ObserveHooks.onError}.
 *
 * @typeParam Req The request type.
 * @typeParam Ctx What `onRequest` returned for this call.
 *
 * @example
 * ```ts
 * import type { CallErrorEvent } from "@norpc/norpc/layers";
 *
 * const log = (e: CallErrorEvent<string>) =>
 *   console.error(e.aborted ? "cancelled" : "failed", e.req, e.error);
 * ```
 */
export interface CallErrorEvent<Req, Ctx = undefined> {
  /** The request. */
  readonly req: Req;
  /** What the call rejected with. */
  readonly error: unknown;
  /** Milliseconds from the call to its failure (monotonic clock). */
  readonly durationMs: number;
  /** True when the caller aborted: `error` is then the signal's reason. */
  readonly aborted: boolean;
  /** What `onRequest` returned for this call (e.g. a tracing span). */
  readonly context: Ctx;
}

/**
 * The hooks {@linkcode observe} calls. Every hook is optional. Hooks run
 * synchronously on the call's path, so keep them cheap; a hook must not
 * throw: an exception is reported with `reportError()` (like one in an event
 * listener) and does not change the call's outcome.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @typeParam Ctx What `onRequest` returns, handed to the other two hooks.
 *
 * @example
 * ```ts
 * import type { ObserveHooks } from "@norpc/norpc/layers";
 *
 * const hooks: ObserveHooks<string, number, string> = {
 *   onRequest: ({ req }) => `span:${req}`,
 *   onResponse: ({ context, durationMs }) => console.log(context, durationMs),
 *   onError: ({ context, error }) => console.error(context, error),
 * };
 * ```
 */
export interface ObserveHooks<Req, Res, Ctx = undefined> {
  /** Called before the inner service; its result becomes `context`. */
  onRequest?: (event: RequestEvent<Req>) => Ctx;
  /** Called when the call resolves. */
  onResponse?: (event: ResponseEvent<Req, Res, Ctx>) => void;
  /** Called when the call rejects, aborts included (`aborted: true`). */
  onError?: (event: CallErrorEvent<Req, Ctx>) => void;
}

/**
 * Calls hooks around every call: `onRequest` before it, then `onResponse`
 * or `onError` with the duration measured on the monotonic clock
 * (`performance.now()`). What `onRequest` returns is passed on as `context`,
 * so a tracing span started there can be ended in the other two. The call's
 * outcome is passed through untouched. This is the seam for logs, metrics
 * and OpenTelemetry.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @typeParam Ctx What `onRequest` returns.
 * @param hooks `onRequest`, `onResponse`, `onError`, all optional.
 * @returns A layer producing the observed service.
 * @throws {InvalidOptionError} When a hook is not a function.
 *
 * @example A request counter and a latency histogram
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { observe } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const requests = new Map<string, number>(); // counter by outcome
 * const bucketsMs = [1, 5, 25, 100, Infinity];
 * const histogram = new Array<number>(bucketsMs.length).fill(0);
 * const record = (outcome: string, durationMs: number) => {
 *   requests.set(outcome, (requests.get(outcome) ?? 0) + 1);
 *   histogram[bucketsMs.findIndex((le) => durationMs <= le)]++;
 * };
 *
 * const svc = observe<number, number>({
 *   onResponse: ({ durationMs }) => record("ok", durationMs),
 *   onError: ({ durationMs, aborted }) =>
 *     record(aborted ? "cancelled" : "error", durationMs),
 * })(serviceFn((n: number) => {
 *   if (n < 0) throw new RangeError("negative");
 *   return n;
 * }));
 *
 * await svc.call(1);
 * await svc.call(2);
 * await svc.call(-1).catch(() => {});
 * assert.equal(requests.get("ok"), 2);
 * assert.equal(requests.get("error"), 1);
 * assert.equal(histogram.reduce((a, b) => a + b), 3);
 * ```
 */
export function observe<Req, Res, Ctx = undefined>(
  hooks: ObserveHooks<Req, Res, Ctx>,
): Layer<Service<Req, Res>, Service<Req, Res>> {
  optionsObject("observe hooks", hooks);
  optionalFunction("observe.onRequest", hooks.onRequest);
  optionalFunction("observe.onResponse", hooks.onResponse);
  optionalFunction("observe.onError", hooks.onError);
  const { onRequest, onResponse, onError } = hooks;
  return (inner) =>
    new ObserveService<Req, Res, Ctx>(inner, onRequest, onResponse, onError);
}

class ObserveService<Req, Res, Ctx> implements Service<Req, Res> {
  readonly #inner: Service<Req, Res>;
  readonly #onRequest: ObserveHooks<Req, Res, Ctx>["onRequest"];
  readonly #onResponse: ObserveHooks<Req, Res, Ctx>["onResponse"];
  readonly #onError: ObserveHooks<Req, Res, Ctx>["onError"];

  constructor(
    inner: Service<Req, Res>,
    onRequest: ObserveHooks<Req, Res, Ctx>["onRequest"],
    onResponse: ObserveHooks<Req, Res, Ctx>["onResponse"],
    onError: ObserveHooks<Req, Res, Ctx>["onError"],
  ) {
    this.#inner = inner;
    this.#onRequest = onRequest;
    this.#onResponse = onResponse;
    this.#onError = onError;
  }

  call(req: Req, options?: CallOptions): Promise<Res> {
    const start = performance.now();
    let context = undefined as Ctx;
    if (this.#onRequest !== undefined) {
      try {
        context = this.#onRequest({ req });
      } catch (error) {
        reportError(error);
      }
    }
    const onResponse = this.#onResponse;
    const onError = this.#onError;
    if (onResponse === undefined && onError === undefined) {
      return callInner(this.#inner, req, options);
    }
    return callInner(this.#inner, req, options).then(
      onResponse === undefined ? undefined : (res) => {
        try {
          onResponse({
            req,
            res,
            durationMs: performance.now() - start,
            context,
          });
        } catch (error) {
          reportError(error);
        }
        return res;
      },
      onError === undefined ? undefined : (error) => {
        try {
          onError({
            req,
            error,
            durationMs: performance.now() - start,
            aborted: isOwnAbort(error, options),
            context,
          });
        } catch (hookError) {
          reportError(hookError);
        }
        throw error;
      },
    );
  }

  ready(): boolean {
    return innerReady(this.#inner);
  }
}
