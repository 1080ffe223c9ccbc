/**
 * Per-call overhead of each layer: one layer around a noop service (a plain
 * object whose `call` returns a resolved promise), against the bare service
 * as the baseline. Every layer is configured so it never waits, queues or
 * fails, so the figures are the cost of its bookkeeping on the happy path.
 *
 * Three groups: one call at a time; the same with an abort signal on the
 * call; and 64 calls in flight at once (one iteration = 64 calls), where the
 * deadline-based layers (timeout, hedge) share one timer among the calls in
 * flight instead of setting and clearing one per call.
 *
 * ```sh
 * deno bench bench/layers_bench.ts
 * ```
 *
 * @module
 */

import { type Service, spawn } from "@norpc/norpc";
import {
  balance,
  batch,
  circuitBreaker,
  concurrencyLimit,
  filter,
  hedge,
  loadShed,
  mapError,
  mapRequest,
  mapResponse,
  observe,
  rateLimit,
  retry,
  timeout,
} from "@norpc/norpc/layers";

const noop: Service<number, number> = {
  call: (req) => Promise.resolve(req),
};
const noopBatch: Service<number[], number[]> = {
  call: (reqs) => Promise.resolve(reqs),
};

type S = Service<number, number>;

const cases: [name: string, service: S][] = [
  ["timeout", timeout<number, number>(60_000)(noop)],
  ["concurrencyLimit", concurrencyLimit<number, number>(64)(noop)],
  ["rateLimit", rateLimit<number, number>({ requests: 1e12, per: 1 })(noop)],
  ["loadShed", loadShed<number, number>()(noop)],
  ["retry", retry<number, number>()(noop)],
  ["circuitBreaker", circuitBreaker<number, number>()(noop)],
  ["hedge (fixed)", hedge<number, number>({ after: 60_000 })(noop)],
  [
    "hedge (p95)",
    hedge<number, number>({ after: { percentile: 0.95 } })(noop),
  ],
  ["filter (sync)", filter<number, number>(() => true)(noop)],
  ["filter (async)", filter<number, number>(() => Promise.resolve(true))(noop)],
  ["mapRequest", mapRequest<number, number, number>((n) => n + 1)(noop)],
  ["mapResponse", mapResponse<number, number, number>((n) => n + 1)(noop)],
  ["mapError", mapError<number, number>((e) => e)(noop)],
  [
    "observe",
    observe<number, number>({
      onRequest: () => undefined,
      onResponse: () => {},
      onError: () => {},
    })(noop),
  ],
  [
    "batch (maxSize 1)",
    batch<number, number, number[]>({
      maxSize: 1,
      maxDelay: 0,
      combine: (reqs) => reqs,
    })(noopBatch),
  ],
  ["balance (p2c, 4 replicas)", balance([noop, noop, noop, noop])],
];

const signal = new AbortController().signal;

Deno.bench({
  name: "bare service",
  group: "layer overhead",
  baseline: true,
  async fn() {
    await noop.call(1);
  },
});

for (const [name, service] of cases) {
  Deno.bench({
    name,
    group: "layer overhead",
    async fn() {
      await service.call(1);
    },
  });
}

// The same, with an abort signal on the call: layers that listen for the
// caller's abort only pay for it when there is a signal.
Deno.bench({
  name: "bare service",
  group: "layer overhead, with a signal",
  baseline: true,
  async fn() {
    await noop.call(1, { signal });
  },
});

for (const [name, service] of cases) {
  Deno.bench({
    name,
    group: "layer overhead, with a signal",
    async fn() {
      await service.call(1, { signal });
    },
  });
}

// 64 calls in flight at once: one iteration is 64 calls.
const CONCURRENT = 64;

function concurrently(service: S): () => Promise<void> {
  const calls = new Array<Promise<number>>(CONCURRENT);
  return async () => {
    for (let i = 0; i < CONCURRENT; i++) calls[i] = service.call(i);
    await Promise.all(calls);
  };
}

Deno.bench({
  name: "bare service",
  group: "64 calls in flight",
  baseline: true,
  fn: concurrently(noop),
});

for (const [name, service] of cases) {
  Deno.bench({ name, group: "64 calls in flight", fn: concurrently(service) });
}

// The stack issue 12 targets, over a spawned client, with a caller's
// long-lived signal: timeout(1000) → retry → concurrencyLimit. Until the
// core's client reports `enforcesDeadline`, a wrapper says it does (as the
// norpc client will), so `timeout` takes its deadline-only path.
const spawned = spawn(noop);
const client: S = spawned.client;
const enforcing: S = {
  call: (req, options) => client.call(req, options),
  enforcesDeadline: true,
};
function contextStack(inner: S): S {
  return timeout<number, number>(1000)(
    retry<number, number>()(concurrencyLimit<number, number>(1024)(inner)),
  );
}
const overPlainClient = contextStack(client);
const overEnforcingClient = contextStack(enforcing);

Deno.bench({
  name: "stack baseline: spawned client, signal",
  group: "call-context stack",
  baseline: true,
  async fn() {
    await client.call(1, { signal });
  },
});
Deno.bench({
  name: "stack: timeout → retry → concurrencyLimit, plain client, signal",
  group: "call-context stack",
  async fn() {
    await overPlainClient.call(1, { signal });
  },
});
Deno.bench({
  name: "stack: timeout → retry → concurrencyLimit, enforcing client, signal",
  group: "call-context stack",
  async fn() {
    await overEnforcingClient.call(1, { signal });
  },
});

// The same stack with 256 calls in flight (one iteration = 256 calls).
const IN_FLIGHT = 256;
function inFlight(service: S): () => Promise<void> {
  const calls = new Array<Promise<number>>(IN_FLIGHT);
  return async () => {
    for (let i = 0; i < IN_FLIGHT; i++) calls[i] = service.call(i, { signal });
    await Promise.all(calls);
  };
}
Deno.bench({
  name: "stack baseline x256: spawned client, signal",
  group: "call-context stack, 256 in flight",
  baseline: true,
  fn: inFlight(client),
});
Deno.bench({
  name: "stack x256: timeout → retry → concurrencyLimit, plain client",
  group: "call-context stack, 256 in flight",
  fn: inFlight(overPlainClient),
});
Deno.bench({
  name: "stack x256: timeout → retry → concurrencyLimit, enforcing client",
  group: "call-context stack, 256 in flight",
  fn: inFlight(overEnforcingClient),
});
