/**
 * Layers: reusable behaviour to stack around any {@linkcode Service}, after
 * Tower's. Each is a function returning a {@linkcode Layer}; compose them with
 * `ServiceBuilder` or `stack` (the first added is the outermost, the one a
 * caller meets first).
 *
 * | layer | what it does |
 * | --- | --- |
 * | {@linkcode timeout} | deadline = the earlier of the caller's and now + `ms`; enforced below or here |
 * | {@linkcode concurrencyLimit} | at most `max` calls at once; others wait (FIFO) |
 * | {@linkcode rateLimit} | token bucket: `requests` per `per` ms; others wait (FIFO) |
 * | {@linkcode loadShed} | rejects `OverloadedError` at once when the service below is not ready |
 * | {@linkcode retry} | retries with backoff and full jitter, within a {@linkcode RetryBudget} |
 * | {@linkcode circuitBreaker} | closed / open / half-open; `CircuitOpenError` while open |
 * | {@linkcode hedge} | a second copy after a delay or latency percentile; first answer wins |
 * | {@linkcode filter} | refuses requests a predicate rejects |
 * | {@linkcode mapRequest}, {@linkcode mapResponse}, {@linkcode mapError} | adapt requests, responses, errors |
 * | {@linkcode observe} | hooks with durations, for logs, metrics and tracing |
 * | {@linkcode batch} | DataLoader-style: many calls, one inner call |
 * | {@linkcode balance} | power of two choices over replicas |
 *
 * Every layer validates its options when it is created (throwing
 * `InvalidOptionError` naming the option and the value, and for a
 * misspelled key the closest valid one: `retry({ attemps: 3 })`) and its
 * inner service when it is applied (a `TypeError` at once, not at the first
 * call). It passes the caller's `AbortSignal` down, rejects an aborted call
 * with `signal.reason` at once wherever it makes the call wait, and releases
 * every timer, listener, queue slot and permit when a call settles or
 * aborts. Layers forward the inner service's `ready()` where it is
 * meaningful, and accept whatever the inner service's `call` returns (a
 * promise, a thenable, a plain value, a synchronous throw) as one promise.
 *
 * ## Deadlines
 *
 * A call's `options.deadline` (absolute, `Date.now()` clock) travels down
 * the stack with the signal and the metadata. {@linkcode timeout} shrinks it
 * to `now + ms` when that is earlier (nested timeouts: the earliest wins).
 * A service whose `enforcesDeadline` is true rejects a call at its deadline
 * itself, as a norpc client does (its server enforces it); over such a
 * service `timeout` arms nothing per call. Layers that only pass calls
 * through report the `enforcesDeadline` of the service below; `timeout` and
 * `batch` always enforce. Layers that make a call wait
 * ({@linkcode concurrencyLimit}, {@linkcode rateLimit}, {@linkcode batch},
 * an asynchronous {@linkcode filter}) reject it with `TimeoutError` when its
 * deadline passes while it waits, releasing its place; those waits share one
 * timer, and a call that does not wait arms nothing. {@linkcode retry} makes
 * no retry whose backoff would end past the deadline (it gives up at once
 * with the last error), and {@linkcode hedge} sends no second copy with less
 * than its hedging delay left.
 *
 * ## Hooks that throw
 *
 * A user callback never ends the process and never changes another call's
 * outcome. What a hook without a call to fail throws (`observe`'s hooks,
 * `circuitBreaker`'s `isFailure` and `onStateChange`, `retry`'s `retryIf`
 * and `onRetry`) goes to the layer's `onHookError(error, context)` option,
 * or to `console.error` without one (never to `reportError()`, which ends a
 * Deno process), and is counted in the service's `hookErrors`.
 *
 * ## Inspecting a layer's state
 *
 * The stateful layers build services of exported classes with read-only
 * counters, e.g. {@linkcode ConcurrencyLimitService} (`inFlight`, `waiting`,
 * `available`), {@linkcode RateLimitService} (`waiting`, `available`),
 * {@linkcode TimeoutService} (`active`), {@linkcode RetryService}
 * (`retrying`, `budget`, `hookErrors`), {@linkcode CircuitBreakerService}
 * (`state`, `failures`, `probes`, `hookErrors`), {@linkcode ObserveService}
 * (`hookErrors`), {@linkcode HedgeService} (`active`, `hedged`),
 * {@linkcode BatchService} (`pending`, `inFlight`, `waiting`) and
 * {@linkcode BalancedService} (`inFlight`, `loads`). Every count of calls in
 * progress returns to zero once every call has settled, which is how tests
 * prove nothing leaks (`hookErrors` only grows). To
 * keep a handle on a layer, apply it yourself (`layer(inner)` returns the
 * service) and build the rest of the stack around it:
 *
 * @example Keeping a handle on a layer in a stack
 * ```ts
 * import { ServiceBuilder, serviceFn } from "@norpc/norpc";
 * import { concurrencyLimit, timeout } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const limiter = concurrencyLimit<string, number>(8)(
 *   serviceFn((s: string) => s.length),
 * );
 * const svc = new ServiceBuilder<string, number>()
 *   .layer(timeout(1000))
 *   .service(limiter);
 * assert.equal(await svc.call("four"), 4);
 * assert.equal(limiter.inFlight, 0);
 * assert.equal(limiter.waiting, 0);
 * ```
 *
 * @example A resilient client stack
 * ```ts
 * import { ServiceBuilder, serviceFn } from "@norpc/norpc";
 * import {
 *   concurrencyLimit,
 *   loadShed,
 *   rateLimit,
 *   retry,
 *   timeout,
 * } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = new ServiceBuilder<string, string>()
 *   .layer(timeout(500)) // bounds the whole call, retries included
 *   .layer(retry({ attempts: 3 })) // retries OverloadedError from below
 *   .layer(loadShed()) // fail fast instead of queueing...
 *   .layer(concurrencyLimit(64)) // ...when 64 calls are running
 *   .layer(rateLimit({ requests: 1000, per: 1000 }))
 *   .service(serviceFn((s: string) => s.toUpperCase()));
 * assert.equal(await svc.call("hi"), "HI");
 * ```
 *
 * @module
 */

import type { NorpcError } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";

export { balance, BalancedService, type BalanceOptions } from "./balance.ts";
export { batch, type BatchOptions, BatchService } from "./batch.ts";
export {
  circuitBreaker,
  type CircuitBreakerOptions,
  CircuitBreakerService,
  type CircuitState,
  type CircuitStateChange,
} from "./circuit_breaker.ts";
export {
  concurrencyLimit,
  ConcurrencyLimitService,
} from "./concurrency_limit.ts";
export { filter, FilterRejectedError } from "./filter.ts";
export {
  hedge,
  type HedgeOptions,
  type HedgePercentile,
  HedgeService,
} from "./hedge.ts";
export { loadShed, LoadShedService } from "./load_shed.ts";
export { mapError } from "./map_error.ts";
export { mapRequest } from "./map_request.ts";
export { mapResponse } from "./map_response.ts";
export {
  type CallErrorEvent,
  observe,
  type ObserveHooks,
  ObserveService,
  type RequestEvent,
  type ResponseEvent,
} from "./observe.ts";
export {
  rateLimit,
  type RateLimitOptions,
  RateLimitService,
} from "./rate_limit.ts";
export {
  retry,
  retryableByDefault,
  type RetryEvent,
  type RetryPolicy,
  RetryService,
} from "./retry.ts";
export { RetryBudget, type RetryBudgetOptions } from "./retry_budget.ts";
export { timeout, TimeoutService } from "./timeout.ts";
export type { CallOptions, Layer, NorpcError, Service };
