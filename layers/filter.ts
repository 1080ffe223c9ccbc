/**
 * The {@linkcode filter} layer: refuse requests a predicate rejects.
 *
 * @module
 */

import { NorpcError } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { offAbort, onAbort, refuseSignal } from "../_abort.ts";
import { deadlineToWatch } from "./_call_options.ts";
import { deadlineExceeded, expireAt, waitTimers } from "./_deadline.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { SettleOnce } from "./_settle_once.ts";
import { noMoreArguments, requiredFunction } from "./_validate.ts";

/**
 * A request was refused by a {@linkcode filter}: its predicate returned (or
 * resolved to) false, or threw (then the thrown error is the `cause`).
 *
 * @example
 * ```ts
 * import { FilterRejectedError } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const err = new FilterRejectedError("isAdmin");
 * assert.equal(err.predicate, "isAdmin");
 * assert.equal(err.message, "request rejected by filter isAdmin");
 * ```
 */
export class FilterRejectedError extends NorpcError {
  /** The predicate's function name, or `"(anonymous)"`. */
  readonly predicate: string;

  /**
   * Builds the error; the message names the predicate and what it threw.
   *
   * @param predicate The predicate's name, for the message.
   * @param options `cause`: what the predicate threw, if it threw.
   */
  constructor(predicate: string, options?: ErrorOptions) {
    super(
      options === undefined || !("cause" in options)
        ? `request rejected by filter ${predicate}`
        : `request rejected: filter ${predicate} threw: ${
          options.cause instanceof Error
            ? options.cause.message
            : String(options.cause)
        }`,
      options,
    );
    this.predicate = predicate;
  }
}

/**
 * Calls the inner service only for requests `predicate` accepts; others
 * reject with {@linkcode FilterRejectedError} without reaching it. The
 * predicate may be synchronous (no extra tick) or return a promise; a caller
 * that aborts while an asynchronous predicate runs is rejected at once with
 * `signal.reason`, and one whose `options.deadline` passes meanwhile with
 * `TimeoutError`; the inner service is then not called. A predicate that
 * throws or rejects refuses the request too, its error kept as `cause`.
 * The filtered service enforces deadlines when the inner service does.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param predicate Decides, per request, whether it may pass.
 * @returns A layer producing the filtered service.
 * @throws {InvalidOptionError} When `predicate` is not a function.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { filter, FilterRejectedError } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = filter<number, number>(function nonNegative(n) {
 *   return n >= 0;
 * })(serviceFn((n: number) => Math.sqrt(n)));
 * assert.equal(await svc.call(9), 3);
 * await assert.rejects(svc.call(-1), FilterRejectedError);
 * ```
 */
export function filter<Req, Res>(
  predicate: (req: Req) => boolean | PromiseLike<boolean>,
): Layer<Service<Req, Res>, Service<Req, Res>> {
  noMoreArguments("filter", arguments, 1);
  requiredFunction("filter.predicate", predicate);
  return (inner) => new FilterService(inner, predicate);
}

class FilterService<Req, Res> implements Service<Req, Res> {
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  readonly #predicate: (req: Req) => boolean | PromiseLike<boolean>;
  readonly #name: string;

  constructor(
    inner: Service<Req, Res>,
    predicate: (req: Req) => boolean | PromiseLike<boolean>,
  ) {
    checkInner(inner, "filter()");
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#predicate = predicate;
    this.#name = predicate.name || "(anonymous)";
  }

  call(req: Req, options?: CallOptions): Promise<Res> {
    const signal = options?.signal;
    const refused = refuseSignal(signal);
    if (refused !== undefined) return refused;
    let verdict;
    try {
      verdict = this.#predicate(req);
    } catch (error) {
      return Promise.reject(
        new FilterRejectedError(this.#name, { cause: error }),
      );
    }
    if (verdict === true) return callInner(this.#inner, req, options);
    if (isThenable(verdict)) {
      return new PendingVerdict(this.#inner, this.#name, req, options, verdict)
        .promise;
    }
    if (verdict) return callInner(this.#inner, req, options);
    return Promise.reject(new FilterRejectedError(this.#name));
  }

  ready(): boolean {
    return innerReady(this.#inner);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (
    (typeof value !== "object" || value === null) && typeof value !== "function"
  ) {
    return false;
  }
  try {
    return typeof (value as PromiseLike<unknown>).then === "function";
  } catch {
    // A `then` getter that throws: adopting the verdict rejects with what it
    // threw, which refuses the request with that cause.
    return true;
  }
}

/** A request whose asynchronous predicate is still deciding. */
class PendingVerdict<Req, Res> extends SettleOnce<Res> {
  readonly #inner: Service<Req, Res>;
  readonly #name: string;
  readonly #req: Req;
  readonly #options: CallOptions | undefined;
  /** When the wait for a verdict with a deadline began, else 0. */
  #start = 0;
  #limit = 0;

  constructor(
    inner: Service<Req, Res>,
    name: string,
    req: Req,
    options: CallOptions | undefined,
    verdict: PromiseLike<unknown>,
  ) {
    super();
    this.#inner = inner;
    this.#name = name;
    this.#req = req;
    this.#options = options;
    if (options?.signal != null) onAbort(options.signal, this);
    const deadline = deadlineToWatch(options);
    if (deadline !== Infinity) {
      this.#start = performance.now();
      this.#limit = deadline - Date.now();
      expireAt(waitTimers, this, deadline);
    }
    // Promise.resolve adopts any thenable; a `then` that throws rejects.
    Promise.resolve(verdict).then(
      (pass) => this.#decide(pass, false, undefined),
      (error) => this.#decide(false, true, error),
    );
  }

  /** The caller aborted while the predicate ran. */
  handleEvent(): void {
    this.rejectOnce(this.#options!.signal!.reason);
  }

  /** The deadline passed while the predicate ran. */
  override expire(): void {
    this.rejectOnce(deadlineExceeded(this.#req, this.#limit, this.#start));
  }

  protected release(): void {
    if (this.#options?.signal != null) offAbort(this.#options.signal, this);
    waitTimers.remove(this);
  }

  readonly #pass = (req: Req, options: CallOptions | undefined) =>
    callInner(this.#inner, req, options);

  #decide(pass: unknown, threw: boolean, error: unknown): void {
    if (this.settled) return;
    if (pass) {
      this.resolveWithCall(this.#pass, this.#req, this.#options);
    } else {
      this.rejectOnce(
        new FilterRejectedError(this.#name, threw ? { cause: error } : {}),
      );
    }
  }
}
