/**
 * The {@linkcode mapError} layer.
 *
 * @module
 */

import type { CallOptions, Layer, Service } from "../service.ts";
import { isOwnAbort } from "./_call_options.ts";
import {
  callInner,
  checkInner,
  innerEnforcesDeadline,
  innerReady,
} from "./_inner.ts";
import { noMoreArguments, requiredFunction } from "./_validate.ts";

/**
 * Transforms each error on its way back (Tower's `MapErr`): the call rejects
 * with whatever `fn` returns (or throws). Keep the original as `cause` when
 * wrapping, as in the example. The caller's own abort is not mapped: an
 * aborted call always rejects with `signal.reason`.
 *
 * The adapted service passes the call's options (signal, deadline,
 * metadata) through and enforces deadlines when the inner service does.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param fn Maps an error (and the request that caused it) to the error the
 * caller sees.
 * @returns A layer producing the adapted service.
 * @throws {InvalidOptionError} When `fn` is not a function.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { mapError } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * class UserNotFound extends Error {}
 * const svc = mapError<number, string>((error, id) =>
 *   new UserNotFound(`no user ${id}`, { cause: error })
 * )(serviceFn((_id: number): string => {
 *   throw new Error("row missing");
 * }));
 * await assert.rejects(svc.call(7), UserNotFound);
 * ```
 */
export function mapError<Req, Res>(
  fn: (error: unknown, req: Req) => unknown,
): Layer<Service<Req, Res>, Service<Req, Res>> {
  noMoreArguments("mapError", arguments, 1);
  requiredFunction("mapError.fn", fn);
  return (inner) => new MapErrorService(inner, fn);
}

class MapErrorService<Req, Res> implements Service<Req, Res> {
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<Req, Res>;
  readonly #fn: (error: unknown, req: Req) => unknown;

  constructor(
    inner: Service<Req, Res>,
    fn: (error: unknown, req: Req) => unknown,
  ) {
    checkInner(inner, "mapError()");
    this.#inner = inner;
    this.enforcesDeadline = innerEnforcesDeadline(inner);
    this.serviceName = inner.serviceName;
    this.#fn = fn;
  }

  call(req: Req, options?: CallOptions): Promise<Res> {
    return callInner(this.#inner, req, options).catch((error) => {
      throw isOwnAbort(error, options) ? error : this.#fn(error, req);
    });
  }

  ready(): boolean {
    return innerReady(this.#inner);
  }
}
