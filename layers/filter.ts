/**
 * The {@linkcode filter} layer: refuse requests a predicate rejects.
 *
 * @module
 */

import { NorpcError } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { offAbort, onAbort } from "../_abort.ts";
import { callInner, innerReady, refuseSignal } from "./_util.ts";
import { requiredFunction } from "./_validate.ts";

/**
 * A request was refused by a {@linkcode filter}: its predicate returned (or
 * resolved to) false, or threw (then the thrown error is the `cause`).
 *
 * @example
 * ```ts
 * import { FilterRejectedError } from "@norpc/norpc/layers";
 *
 * const err = new FilterRejectedError("isAdmin");
 * console.log(err.message);
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
 * `signal.reason`, and the inner service is not called. A predicate that
 * throws or rejects refuses the request too, its error kept as `cause`.
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
  requiredFunction("filter.predicate", predicate);
  return (inner) => new FilterService(inner, predicate);
}

class FilterService<Req, Res> implements Service<Req, Res> {
  readonly #inner: Service<Req, Res>;
  readonly #predicate: (req: Req) => boolean | PromiseLike<boolean>;
  readonly #name: string;

  constructor(
    inner: Service<Req, Res>,
    predicate: (req: Req) => boolean | PromiseLike<boolean>,
  ) {
    this.#inner = inner;
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
  return typeof value === "object" && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/** A request whose asynchronous predicate is still deciding. */
class PendingVerdict<Req, Res> {
  readonly promise: Promise<Res>;
  readonly #resolve: (value: Res | PromiseLike<Res>) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #inner: Service<Req, Res>;
  readonly #name: string;
  readonly #req: Req;
  readonly #options: CallOptions | undefined;
  #done = false;

  constructor(
    inner: Service<Req, Res>,
    name: string,
    req: Req,
    options: CallOptions | undefined,
    verdict: PromiseLike<unknown>,
  ) {
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#inner = inner;
    this.#name = name;
    this.#req = req;
    this.#options = options;
    if (options?.signal != null) onAbort(options.signal, this);
    Promise.resolve(verdict).then(
      (pass) => this.#decide(pass, false, undefined),
      (error) => this.#decide(false, true, error),
    );
  }

  handleEvent(): void {
    if (this.#done) return;
    this.#done = true;
    this.#reject(this.#options!.signal!.reason);
  }

  #decide(pass: unknown, threw: boolean, error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#options?.signal != null) offAbort(this.#options.signal, this);
    if (pass) this.#resolve(callInner(this.#inner, this.#req, this.#options));
    else {
      this.#reject(
        new FilterRejectedError(this.#name, threw ? { cause: error } : {}),
      );
    }
  }
}
