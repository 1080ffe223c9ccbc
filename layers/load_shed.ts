/**
 * The {@linkcode loadShed} layer: fail fast instead of queueing.
 *
 * @module
 */

import { OverloadedError } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { refuseSignal } from "../_abort.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { noMoreArguments } from "./_validate.ts";

/**
 * Rejects a call at once with {@linkcode OverloadedError} when the inner
 * service is not `ready()` (for instance a {@linkcode concurrencyLimit} with
 * no free permit, or a {@linkcode rateLimit} with an empty bucket), instead
 * of letting it wait. Calls pass straight through while the inner service is
 * ready, or when it has no `ready()` probe.
 *
 * The shed service itself is always ready, as in Tower: shedding is its way
 * of answering at once. `OverloadedError` is safe to retry later, and
 * {@linkcode retry}'s default policy does.
 *
 * The shed service enforces deadlines when the service below does.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @returns A layer producing a {@linkcode LoadShedService}.
 * @throws {InvalidOptionError} When given an argument: it takes none.
 *
 * @example
 * ```ts
 * import { OverloadedError, ServiceBuilder, serviceFn } from "@norpc/norpc";
 * import { concurrencyLimit, loadShed } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const gate = Promise.withResolvers<void>();
 * const svc = new ServiceBuilder<number, number>()
 *   .layer(loadShed())
 *   .layer(concurrencyLimit(1))
 *   .service(serviceFn(async (n: number) => {
 *     await gate.promise;
 *     return n;
 *   }));
 * const first = svc.call(1);
 * await assert.rejects(svc.call(2), OverloadedError); // no permit: shed
 * gate.resolve();
 * assert.equal(await first, 1);
 * ```
 */
export function loadShed<Req, Res>(): Layer<
  Service<Req, Res>,
  LoadShedService<Req, Res>
> {
  noMoreArguments("loadShed", arguments, 0);
  return (inner) => new LoadShedService(inner);
}

/**
 * The service {@linkcode loadShed} produces; {@linkcode LoadShedService.shed}
 * counts the calls it has rejected.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { loadShed } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = loadShed<number, number>()(serviceFn((n: number) => n));
 * assert.equal(await svc.call(1), 1);
 * assert.equal(svc.shed, 0);
 * ```
 */
export class LoadShedService<Req, Res> implements Service<Req, Res> {
  /** Whether the protected service rejects calls at their deadline. */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  #shed = 0;

  /**
   * Prefer the {@linkcode loadShed} layer factory.
   *
   * @param inner The service to protect.
   */
  constructor(inner: Service<Req, Res>) {
    checkInner(inner, "loadShed()");
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
  }

  /** Calls rejected so far because the inner service was not ready. */
  get shed(): number {
    return this.#shed;
  }

  /**
   * Calls the inner service if it is ready, else rejects at once.
   *
   * @param req The request.
   * @param options The call's options, passed through.
   * @returns The inner response, or a rejection with `OverloadedError`.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const signal = options?.signal;
    const refused = refuseSignal(signal);
    if (refused !== undefined) return refused;
    const inner = this.#inner;
    if (!innerReady(inner)) {
      this.#shed++;
      const name = this.serviceName;
      return Promise.reject(
        new OverloadedError(
          `${
            name ?? "service"
          } is at capacity (not ready); the call was shed instead of queued — retry later or add capacity`,
          { service: name },
        ),
      );
    }
    return callInner(inner, req, options);
  }

  /** Always true: a shed service answers at once, one way or the other. */
  ready(): boolean {
    return true;
  }
}
