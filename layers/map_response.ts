/**
 * The {@linkcode mapResponse} layer.
 *
 * @module
 */

import type { CallOptions, Layer, Service } from "../service.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { noMoreArguments, requiredFunction } from "./_validate.ts";

/**
 * Transforms each successful response on its way back (Tower's
 * `MapResponse`). `fn` may return a value or a promise; if it throws or
 * rejects, the call rejects with that error. Errors from the inner service
 * pass through untouched (see {@linkcode mapError}).
 *
 * The adapted service passes the call's options (signal, deadline,
 * metadata) through and enforces deadlines when the inner service does.
 *
 * @typeParam Req The request type.
 * @typeParam Inner The response type of the inner service.
 * @typeParam Outer The response type callers receive.
 * @param fn Maps the inner service's response to the caller's.
 * @returns A layer producing the adapted service.
 * @throws {InvalidOptionError} When `fn` is not a function.
 *
 * @example
 * ```ts
 * import { ServiceBuilder, serviceFn } from "@norpc/norpc";
 * import { mapResponse } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = new ServiceBuilder<string, string>()
 *   .layer(mapResponse((n: number) => `${n} chars`))
 *   .service(serviceFn((s: string) => s.length));
 * assert.equal(await svc.call("hello"), "5 chars");
 * ```
 */
export function mapResponse<Req, Inner, Outer>(
  fn: (res: Inner) => Outer | PromiseLike<Outer>,
): Layer<Service<Req, Inner>, Service<Req, Outer>> {
  noMoreArguments("mapResponse", arguments, 1);
  requiredFunction("mapResponse.fn", fn);
  return (inner) => new MapResponseService(inner, fn);
}

class MapResponseService<Req, Inner, Outer> implements Service<Req, Outer> {
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Inner>;
  readonly #fn: (res: Inner) => Outer | PromiseLike<Outer>;

  constructor(
    inner: Service<Req, Inner>,
    fn: (res: Inner) => Outer | PromiseLike<Outer>,
  ) {
    checkInner(inner, "mapResponse()");
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#fn = fn;
  }

  call(req: Req, options?: CallOptions): Promise<Outer> {
    return callInner(this.#inner, req, options).then(this.#fn);
  }

  ready(): boolean {
    return innerReady(this.#inner);
  }
}
