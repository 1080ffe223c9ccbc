/**
 * The {@linkcode observe} layer: hooks around every call, for logs, metrics
 * and tracing.
 *
 * @module
 */

import { rejectUnknownKeys, reportCallbackError } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { isOwnAbort } from "./_call_options.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import {
  noMoreArguments,
  optionalFunction,
  optionsObject,
} from "./_validate.ts";

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
 * synchronously on the call's path, so keep them cheap. A hook that throws
 * never changes the call's outcome (nor `context`, which stays `undefined`
 * when `onRequest` throws): what it threw goes to `onHookError` (by default
 * `console.error`) and is counted in {@linkcode ObserveService.hookErrors}.
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
  /**
   * Receives what another hook threw, with a `context` naming the hook
   * (e.g. `"observe() onResponse hook"`); it has no call to fail. Defaults
   * to `console.error`. Never `reportError()`, which would end a Deno
   * process: a bug in a metrics exporter must not take a server down. If it
   * throws too, both errors go to `console.error`.
   */
  onHookError?: (error: unknown, context: string) => void;
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
 * @param hooks `onRequest`, `onResponse`, `onError` and `onHookError`, all
 * optional.
 * @returns A layer producing an {@linkcode ObserveService}.
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
 * await assert.rejects(svc.call(-1), RangeError);
 * assert.equal(requests.get("ok"), 2);
 * assert.equal(requests.get("error"), 1);
 * assert.equal(histogram.reduce((a, b) => a + b), 3);
 * ```
 */
export function observe<Req, Res, Ctx = undefined>(
  hooks: ObserveHooks<Req, Res, Ctx>,
): Layer<Service<Req, Res>, ObserveService<Req, Res, Ctx>> {
  noMoreArguments("observe", arguments, 1);
  validate(hooks);
  return (inner) => new ObserveService<Req, Res, Ctx>(inner, hooks);
}

const HOOKS = ["onRequest", "onResponse", "onError", "onHookError"];

function validate(hooks: object): void {
  optionsObject("observe hooks", hooks);
  rejectUnknownKeys("observe()", hooks, HOOKS);
  const { onRequest, onResponse, onError, onHookError } = hooks as Record<
    string,
    unknown
  >;
  optionalFunction("observe.onRequest", onRequest);
  optionalFunction("observe.onResponse", onResponse);
  optionalFunction("observe.onError", onError);
  optionalFunction("observe.onHookError", onHookError);
}

/**
 * The service {@linkcode observe} produces. Its read-only
 * {@linkcode ObserveService.hookErrors} counts the exceptions its hooks
 * threw (each also went to `onHookError`), so a dashboard can tell that the
 * metrics themselves are broken. It enforces deadlines when the service it
 * observes does.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @typeParam Ctx What `onRequest` returns.
 *
 * @example A broken hook is counted, the call goes on
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { observe } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const svc = observe<number, number>({
 *   onResponse: () => {
 *     throw new Error("exporter down");
 *   },
 *   onHookError: (_error, context) => seen.push(context),
 * })(serviceFn((n: number) => n * 2));
 * assert.equal(await svc.call(21), 42);
 * assert.equal(svc.hookErrors, 1);
 * assert.deepEqual(seen, ["observe() onResponse hook"]);
 * ```
 */
export class ObserveService<Req, Res, Ctx = undefined>
  implements Service<Req, Res> {
  /** Whether the observed service rejects calls at their deadline. */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  readonly #onRequest: ObserveHooks<Req, Res, Ctx>["onRequest"];
  readonly #onResponse: ObserveHooks<Req, Res, Ctx>["onResponse"];
  readonly #onError: ObserveHooks<Req, Res, Ctx>["onError"];
  readonly #onHookError: ObserveHooks<Req, Res, Ctx>["onHookError"];
  #hookErrors = 0;

  /**
   * Prefer the {@linkcode observe} layer factory.
   *
   * @param inner The service to observe.
   * @param hooks `onRequest`, `onResponse`, `onError` and `onHookError`.
   */
  constructor(inner: Service<Req, Res>, hooks: ObserveHooks<Req, Res, Ctx>) {
    checkInner(inner, "observe()");
    validate(hooks);
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#onRequest = hooks.onRequest;
    this.#onResponse = hooks.onResponse;
    this.#onError = hooks.onError;
    this.#onHookError = hooks.onHookError;
  }

  /** Exceptions thrown by the hooks so far. */
  get hookErrors(): number {
    return this.#hookErrors;
  }

  /**
   * Calls the inner service between the hooks.
   *
   * @param req The request.
   * @param options The call's options, passed through.
   * @returns The inner service's outcome, untouched.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const start = performance.now();
    let context = undefined as Ctx;
    if (this.#onRequest !== undefined) {
      try {
        context = this.#onRequest({ req });
      } catch (error) {
        this.#hookFailed("observe() onRequest hook", error);
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
          this.#hookFailed("observe() onResponse hook", error);
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
          this.#hookFailed("observe() onError hook", hookError);
        }
        throw error;
      },
    );
  }

  /** The inner service's readiness. */
  ready(): boolean {
    return innerReady(this.#inner);
  }

  #hookFailed(context: string, error: unknown): void {
    this.#hookErrors++;
    reportCallbackError(context, error, this.#onHookError);
  }
}
