/**
 * The {@linkcode mapRequest} layer.
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
 * Transforms each request before the inner service sees it (Tower's
 * `MapRequest`), so a service can be adapted to the requests its callers
 * speak. `fn` is synchronous; if it throws, the call rejects with that error
 * and the inner service is not called.
 *
 * The adapted service passes the call's options (signal, deadline,
 * metadata) through and enforces deadlines when the inner service does.
 *
 * @typeParam Outer The request type callers send.
 * @typeParam Inner The request type the inner service takes.
 * @typeParam Res The response type.
 * @param fn Maps a caller's request to the inner service's.
 * @returns A layer producing the adapted service.
 * @throws {InvalidOptionError} When `fn` is not a function.
 *
 * @example
 * ```ts
 * import { ServiceBuilder, serviceFn } from "@norpc/norpc";
 * import { mapRequest } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const lengths = new ServiceBuilder<string, number>()
 *   .layer(mapRequest((s: string) => s.trim()))
 *   .service(serviceFn((s: string) => s.length));
 * assert.equal(await lengths.call("  four  "), 4);
 * ```
 */
export function mapRequest<Outer, Inner, Res>(
  fn: (req: Outer) => Inner,
): Layer<Service<Inner, Res>, Service<Outer, Res>> {
  noMoreArguments("mapRequest", arguments, 1);
  requiredFunction("mapRequest.fn", fn);
  return (inner) => new MapRequestService(inner, fn);
}

class MapRequestService<Outer, Inner, Res> implements Service<Outer, Res> {
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Inner, Res>;
  readonly #fn: (req: Outer) => Inner;

  constructor(inner: Service<Inner, Res>, fn: (req: Outer) => Inner) {
    checkInner(inner, "mapRequest()");
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#fn = fn;
  }

  call(req: Outer, options?: CallOptions): Promise<Res> {
    let mapped: Inner;
    try {
      mapped = this.#fn(req);
    } catch (error) {
      return Promise.reject(error);
    }
    return callInner(this.#inner, mapped, options);
  }

  ready(): boolean {
    return innerReady(this.#inner);
  }
}
