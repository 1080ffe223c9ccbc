/**
 * The service abstraction: a {@linkcode Service} is an object whose `call`
 * maps a request to a promise of a response; a {@linkcode Layer} wraps a
 * service to add behaviour; {@linkcode ServiceBuilder} and
 * {@linkcode stack} compose layers (first added is outermost, as in Tower).
 *
 * @module
 */

/**
 * Options every call accepts.
 *
 * @example
 * ```ts
 * import type { CallOptions } from "@norpc/norpc";
 *
 * const options: CallOptions = { signal: AbortSignal.timeout(1000) };
 * ```
 */
export interface CallOptions {
  /**
   * Cancels the call. The caller's promise rejects with `signal.reason` at
   * once; a queued request is skipped, a running handler sees its own
   * `options.signal` abort.
   */
  signal?: AbortSignal;
  /**
   * When the caller stops waiting: absolute, in milliseconds on the
   * `Date.now()` clock. A server never starts a request whose deadline has
   * passed, aborts a running handler's `options.signal` with a
   * `TimeoutError` at the deadline and rejects the caller then, whatever the
   * handler does. A handler's `options.deadline` is the effective one, so
   * passing its options on to a downstream call bounds that call too.
   */
  deadline?: number;
  /**
   * String key/value pairs that travel with the call to the handler and,
   * when the handler passes its options on, to every downstream call (W3C
   * `traceparent` lives here). Never modified in flight.
   */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * An asynchronous function from request to response, with an optional
 * readiness probe. Clients, servers, handlers and layers are all services.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import type { Service } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const echo: Service<string, string> = {
 *   call: (req) => Promise.resolve(req),
 * };
 * assert.equal(await echo.call("hi"), "hi");
 * ```
 */
export interface Service<Req, Res> {
  /**
   * Handles one request.
   *
   * @param req The request; it is passed by reference, never copied.
   * @param options Per-call options, notably the abort signal.
   * @returns The response.
   */
  call(req: Req, options?: CallOptions): Promise<Res>;
  /**
   * Whether `call` would start at once rather than wait for capacity. Absent
   * means always ready. `loadShed` uses it to fail fast.
   */
  ready?(): boolean;
  /**
   * True when `call` itself rejects a call at its `options.deadline` with a
   * `TimeoutError` (a norpc client does: its server enforces deadlines).
   * The `timeout` layer then only shrinks the deadline and arms no timer.
   * Absent means the service may ignore deadlines.
   */
  readonly enforcesDeadline?: boolean;
  /**
   * The name of the service behind this one, for the errors raised on its
   * behalf (`OverloadedError`, `CircuitOpenError`… name it). Generated
   * servers carry it, a client takes it from its server's `name`, and
   * layers pass on their inner service's.
   */
  readonly serviceName?: string;
}

/**
 * Wraps a value (usually a service) into another: Tower's `Layer`, as a plain
 * function.
 *
 * @typeParam In What the layer wraps.
 * @typeParam Out What it produces.
 *
 * @example A logging layer
 * ```ts
 * import type { Layer, Service } from "@norpc/norpc";
 *
 * function logged<Req, Res>(): Layer<Service<Req, Res>, Service<Req, Res>> {
 *   return (inner) => ({
 *     call(req, options) {
 *       console.debug("call", req);
 *       return inner.call(req, options);
 *     },
 *     ready: () => inner.ready?.() ?? true,
 *   });
 * }
 * ```
 */
export type Layer<In, Out> = (inner: In) => Out;

/**
 * Builds a service from layers; the first layer added is the outermost, the
 * one a caller meets first (Tower's order).
 *
 * @typeParam OuterReq Request type of the built service.
 * @typeParam OuterRes Response type of the built service.
 * @typeParam InnerReq Request type the innermost layer expects of the wrapped service.
 * @typeParam InnerRes Response type the innermost layer expects of the wrapped service.
 *
 * @example
 * ```ts
 * import { serviceFn, ServiceBuilder } from "@norpc/norpc";
 * import { concurrencyLimit, timeout } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = new ServiceBuilder<string, number>()
 *   .layer(timeout(50)) // outermost: times the whole call, queueing included
 *   .layer(concurrencyLimit(8))
 *   .service(serviceFn((s: string) => s.length));
 * assert.equal(await svc.call("four"), 4);
 * ```
 */
export class ServiceBuilder<
  OuterReq,
  OuterRes,
  InnerReq = OuterReq,
  InnerRes = OuterRes,
> {
  #layers: ReadonlyArray<AnyLayer> = [];

  /**
   * Adds a layer inside the ones added so far. Returns a new builder; this one
   * is not modified, so a partial builder can be shared.
   *
   * @param layer The layer to add.
   * @returns A builder whose `service()` expects what `layer` wraps.
   */
  layer<NextReq, NextRes>(
    layer: Layer<Service<NextReq, NextRes>, Service<InnerReq, InnerRes>>,
  ): ServiceBuilder<OuterReq, OuterRes, NextReq, NextRes> {
    if (typeof layer !== "function") {
      throw new TypeError(
        `ServiceBuilder.layer() expects a function (inner) => service, got ${typeof layer}`,
      );
    }
    const next = new ServiceBuilder<OuterReq, OuterRes, NextReq, NextRes>();
    next.#layers = [...this.#layers, layer as AnyLayer];
    return next;
  }

  /**
   * Wraps `inner` in every layer, the last added innermost.
   *
   * @param inner The service to wrap.
   * @returns The composed service.
   * @throws {TypeError} when `inner` is not a service.
   */
  service(inner: Service<InnerReq, InnerRes>): Service<OuterReq, OuterRes> {
    // Checked here, not at the first call, far from the mistake.
    assertService(inner, "ServiceBuilder.service()");
    return applyLayers(this.#layers, inner) as Service<OuterReq, OuterRes>;
  }

  /**
   * The builder as a single layer (to nest builders or pass to `stack`).
   *
   * @returns A layer applying every layer of this builder.
   */
  toLayer(): Layer<Service<InnerReq, InnerRes>, Service<OuterReq, OuterRes>> {
    const layers = this.#layers;
    return (inner) => applyLayers(layers, inner) as Service<OuterReq, OuterRes>;
  }
}

type AnyLayer = (inner: unknown) => unknown;

function applyLayers(layers: ReadonlyArray<AnyLayer>, inner: unknown): unknown {
  let wrapped = inner;
  for (let i = layers.length - 1; i >= 0; i--) wrapped = layers[i](wrapped);
  return wrapped;
}

/**
 * Composes layers into one; the first is outermost. `stack(a, b)(svc)` is
 * `a(b(svc))`.
 *
 * @example
 * ```ts
 * import { type Service, serviceFn, stack } from "@norpc/norpc";
 * import { concurrencyLimit, timeout } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const guard = stack(
 *   timeout<string, number>(50),
 *   concurrencyLimit<string, number>(4),
 * );
 * const svc: Service<string, number> = guard(serviceFn((s: string) => s.length));
 * assert.equal(await svc.call("abc"), 3);
 * ```
 */
export function stack<A, B>(l1: Layer<A, B>): Layer<A, B>;
/** Two layers; the first is outermost. */
export function stack<A, B, C>(l1: Layer<B, C>, l2: Layer<A, B>): Layer<A, C>;
/** Three layers; the first is outermost. */
export function stack<A, B, C, D>(
  l1: Layer<C, D>,
  l2: Layer<B, C>,
  l3: Layer<A, B>,
): Layer<A, D>;
/** Four layers; the first is outermost. */
export function stack<A, B, C, D, E>(
  l1: Layer<D, E>,
  l2: Layer<C, D>,
  l3: Layer<B, C>,
  l4: Layer<A, B>,
): Layer<A, E>;
/** Five layers; the first is outermost. */
export function stack<A, B, C, D, E, F>(
  l1: Layer<E, F>,
  l2: Layer<D, E>,
  l3: Layer<C, D>,
  l4: Layer<B, C>,
  l5: Layer<A, B>,
): Layer<A, F>;
/** Any number of layers of one type; the first is outermost. */
export function stack<S>(...layers: Layer<S, S>[]): Layer<S, S>;
export function stack(...layers: AnyLayer[]): AnyLayer {
  for (const [i, layer] of layers.entries()) {
    if (typeof layer !== "function") {
      throw new TypeError(
        `stack() expects layers (functions); argument ${i} is ${typeof layer}`,
      );
    }
  }
  return (inner) => applyLayers(layers, inner);
}

/**
 * Makes a service from a function. The function may return a value or a
 * promise, and may throw; a synchronous throw becomes a rejection.
 *
 * @param fn Handles one request; receives the call's options (signal).
 * @returns A service calling `fn`.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const double = serviceFn((n: number) => n * 2);
 * assert.equal(await double.call(21), 42);
 * ```
 */
export function serviceFn<Req, Res>(
  fn: (req: Req, options: CallOptions) => Res | PromiseLike<Res>,
): Service<Req, Res> {
  if (typeof fn !== "function") {
    throw new TypeError(`serviceFn() expects a function, got ${typeof fn}`);
  }
  return new FnService(fn);
}

const NO_OPTIONS: CallOptions = Object.freeze({});

class FnService<Req, Res> implements Service<Req, Res> {
  readonly #fn: (req: Req, options: CallOptions) => Res | PromiseLike<Res>;
  constructor(fn: (req: Req, options: CallOptions) => Res | PromiseLike<Res>) {
    this.#fn = fn;
  }
  call(req: Req, options?: CallOptions): Promise<Res> {
    try {
      return Promise.resolve(this.#fn(req, options ?? NO_OPTIONS));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/**
 * Internal (not exported from `mod.ts`): throws unless `value` is a
 * {@linkcode Service}, i.e. an object with a `call` method.
 *
 * @param value What the caller passed as a service.
 * @param where The function that expects it, for the message.
 * @throws {TypeError} naming `where` and how to fix the usual slip (a bare
 * function where `serviceFn(fn)` was meant).
 */
export function assertService(value: unknown, where: string): void {
  if (
    value === null || typeof value !== "object" ||
    typeof (value as { call?: unknown }).call !== "function"
  ) {
    throw new TypeError(
      `${where} expects a Service (an object with a call(req, options) method)${
        typeof value === "function" ? ", got a function" : ""
      }: wrap a function with serviceFn(fn)`,
    );
  }
}
