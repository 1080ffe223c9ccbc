/**
 * The realistic call (issue 12): norpc with what a user adds — a caller's
 * long-lived signal, a client-side `timeout`, `timeout → retry →
 * concurrencyLimit` — against the floor of a direct
 * `await handler(req, { signal })` and against birpc's in-memory pair with
 * its default per-call timer, at concurrency 1 and 256 in flight. Each
 * iteration runs 256 requests; `bench/report.ts` divides by 256.
 *
 * A second pair of groups, "context anatomy", takes the signal path apart:
 * the least that any call which can be answered before its handler settles
 * (an abort, a deadline) must do, built up step by step by hand, beside
 * norpc. It is the profile behind the targets the realistic call misses.
 *
 * Every case is checked to echo the right responses before timing.
 */
import { type CallOptions, type Service, serviceFn, spawn } from "../mod.ts";
import { concurrencyLimit, retry, timeout } from "../layers/mod.ts";
import {
  batch,
  type Callable,
  PER_ITERATION,
  sequential,
  verifyEcho,
} from "./harness.ts";
import * as peers from "./peers.ts";
import { type AbortNode, offAbort, onAbort } from "../_abort.ts";

/** The noop handler every case wraps; it takes the call's options. */
const handler = (req: number, _options?: CallOptions): Promise<number> =>
  Promise.resolve(req);

/** A caller's long-lived signal (a shutdown or request scope). */
const shutdown = new AbortController().signal;
const withSignal: CallOptions = { signal: shutdown };

const server = spawn(serviceFn(handler), { name: "Noop" });

/** Wraps `svc` so every call passes the long-lived signal. */
function signalled(svc: Service<number, number>): Callable<number, number> {
  return { call: (n) => svc.call(n, withSignal) };
}

const timedOut = timeout<number, number>(1000)(server.client);
const fullStack = timeout<number, number>(1000)(
  retry<number, number>({ attempts: 3 })(
    concurrencyLimit<number, number>(1024)(server.client),
  ),
);
const birpc = peers.birpc(handler, 60_000);

const cases: [name: string, svc: Callable<number, number>][] = [
  ["direct call with a signal", {
    call: (n) => handler(n, withSignal),
  }],
  ["norpc spawn, no options", server.client],
  ["norpc spawn, with a signal", signalled(server.client)],
  ["norpc spawn, with a deadline", {
    call: (n) => server.client.call(n, { deadline: Date.now() + 1000 }),
  }],
  ["norpc timeout(1000)", timedOut],
  ["norpc timeout → retry → concurrencyLimit, signal", signalled(fullStack)],
  ["birpc, default 60 s timeout", birpc],
];

/**
 * A hand-made abortable call's abort listener, linked into the signal's
 * fanout as norpc's own calls are (O(1) to add and remove).
 */
class Listening implements AbortNode, EventListenerObject {
  abortPrev: (AbortNode & EventListenerObject) | undefined = undefined;
  abortNext: (AbortNode & EventListenerObject) | undefined = undefined;
  constructor(readonly reject: (reason: unknown) => void) {}
  handleEvent(): void {
    this.reject(shutdown.reason);
  }
}

/**
 * The steps of an abortable call, each case adding one to the one before.
 * The caller's promise must be its own (not the handler's), so that an
 * abort or a deadline can answer it while the handler still runs.
 */
const anatomy: [name: string, svc: Callable<number, number>][] = [
  ["direct call with a signal", { call: (n) => handler(n, withSignal) }],
  ["+ one reaction on the handler's promise", {
    call: (n) => handler(n, withSignal).then(identity),
  }],
  ["+ the caller's own promise (abortable)", {
    call: (n) => {
      const { promise, resolve, reject } = Promise.withResolvers<number>();
      handler(n, withSignal).then(resolve, reject);
      return promise;
    },
  }],
  ["+ a listener on the caller's signal", {
    call: (n) => {
      const { promise, resolve, reject } = Promise.withResolvers<number>();
      const node = new Listening(reject);
      onAbort(shutdown, node);
      handler(n, withSignal).then((res) => {
        offAbort(shutdown, node);
        resolve(res);
      }, reject);
      return promise;
    },
  }],
  ["+ Date.now() (what a deadline reads)", {
    call: (n) => {
      const { promise, resolve, reject } = Promise.withResolvers<number>();
      const node = new Listening(reject);
      onAbort(shutdown, node);
      if (Date.now() < 0) reject(new Error("clock before 1970"));
      handler(n, withSignal).then((res) => {
        offAbort(shutdown, node);
        resolve(res);
      }, reject);
      return promise;
    },
  }],
  ["norpc spawn, with a signal", signalled(server.client)],
  ["norpc timeout(1000)", timedOut],
];

function identity(n: number): number {
  return n;
}

for (const [name, svc] of [...cases, ...anatomy]) await verifyEcho(name, svc);

const N = PER_ITERATION;
for (const [name, svc] of cases) {
  Deno.bench(`${name} ×${N}`, {
    group: "context c=1",
    baseline: name === "direct call with a signal",
  }, sequential(svc, 1, N));
}
for (const [name, svc] of cases) {
  Deno.bench(`${name} ×${N}`, {
    group: "context batch 256",
    baseline: name === "direct call with a signal",
  }, batch(svc, 256, 1));
}
for (const [name, svc] of anatomy) {
  Deno.bench(`${name} ×${N}`, {
    group: "context anatomy c=1",
    baseline: name === "direct call with a signal",
  }, sequential(svc, 1, N));
}
for (const [name, svc] of anatomy) {
  Deno.bench(`${name} ×${N}`, {
    group: "context anatomy batch 256",
    baseline: name === "direct call with a signal",
  }, batch(svc, 256, 1));
}
