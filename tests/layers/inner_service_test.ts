// What an inner service may hand back (issue 11): layers call it through one
// seam that turns a promise, a thenable, a thenable whose `then` throws, a
// plain value or a synchronous throw into one real Promise, so every call
// gets exactly one outcome and `call` itself never throws.

import assert from "node:assert/strict";
import type { Service } from "../../service.ts";
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
} from "../../layers/mod.ts";
import { withClock } from "./_helpers.ts";

type Answer = (req: number) => unknown;

const thenable: Answer = (req) => ({
  then(resolve: (value: unknown) => void) {
    resolve(req);
  },
});
const bug = new Error("then bug");
const throwingThen: Answer = () => ({
  then() {
    throw bug;
  },
});
const throwingGetter: Answer = () => ({
  get then() {
    throw bug;
  },
});
const plainValue: Answer = (req) => req;
const syncThrow: Answer = () => {
  throw bug;
};

/** A service whose `call` returns whatever `answer` gives, promise or not. */
function untyped(answer: Answer): Service<number, number> {
  return { call: (req) => answer(req) as Promise<number> };
}

/** Wraps a batch answer the same way: one result per request. */
function untypedBatch(answer: Answer): Service<number[], number[]> {
  return {
    call: (reqs) => {
      const out = answer(reqs[0]);
      if (out === reqs[0]) return reqs as unknown as Promise<number[]>;
      if (out !== null && typeof out === "object") {
        return {
          then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
            return (out as PromiseLike<unknown>).then(
              () => resolve(reqs),
              reject,
            );
          },
        } as unknown as Promise<number[]>;
      }
      return out as Promise<number[]>;
    },
  };
}

const LAYERS: [string, (inner: Answer) => Service<number, number>][] = [
  ["timeout", (a) => timeout<number, number>(1000)(untyped(a))],
  [
    "timeout over an enforcing service",
    (a) =>
      timeout<number, number>(1000)({
        ...untyped(a),
        enforcesDeadline: true,
      }),
  ],
  ["concurrencyLimit", (a) => concurrencyLimit<number, number>(2)(untyped(a))],
  [
    "rateLimit",
    (a) => rateLimit<number, number>({ requests: 10, per: 10 })(untyped(a)),
  ],
  ["loadShed", (a) => loadShed<number, number>()(untyped(a))],
  [
    "retry",
    (a) => retry<number, number>({ attempts: 1 })(untyped(a)),
  ],
  ["retry (3 attempts)", (a) => retry<number, number>()(untyped(a))],
  ["circuitBreaker", (a) => circuitBreaker<number, number>()(untyped(a))],
  ["hedge", (a) => hedge<number, number>({ after: 1000 })(untyped(a))],
  ["filter", (a) => filter<number, number>(() => true)(untyped(a))],
  [
    "filter (async)",
    (a) => filter<number, number>(() => Promise.resolve(true))(untyped(a)),
  ],
  [
    "mapRequest",
    (a) => mapRequest<number, number, number>((n) => n)(untyped(a)),
  ],
  [
    "mapResponse",
    (a) => mapResponse<number, number, number>((n) => n)(untyped(a)),
  ],
  ["mapError", (a) => mapError<number, number>((e) => e)(untyped(a))],
  [
    "observe",
    (a) =>
      observe<number, number>({ onResponse: () => {}, onError: () => {} })(
        untyped(a),
      ),
  ],
  ["balance", (a) => balance([untyped(a), untyped(a)])],
  [
    "batch",
    (a) =>
      batch<number, number, number[]>({
        maxSize: 1,
        maxDelay: 0,
        combine: (reqs) => reqs,
      })(untypedBatch(a)),
  ],
];

Deno.test("every layer: whatever the inner service returns, one outcome", async (t) => {
  for (const [name, make] of LAYERS) {
    await t.step(name, async () => {
      await withClock(async (clock) => {
        for (
          const [kind, answer, ok] of [
            ["a thenable", thenable, true],
            ["a plain value", plainValue, true],
            ["a thenable whose then throws", throwingThen, false],
            ["a thenable whose then getter throws", throwingGetter, false],
            ["a synchronous throw", syncThrow, false],
          ] as const
        ) {
          const svc = make(answer);
          let reply: Promise<number> | undefined;
          assert.doesNotThrow(() => {
            reply = svc.call(5);
          }, `${kind}: call() threw`);
          assert.ok(reply instanceof Promise, `${kind}: not a Promise`);
          const settled = Promise.allSettled([reply]);
          await clock.runAllAsync();
          const [outcome] = await settled;
          if (ok) {
            assert.deepEqual(outcome, { status: "fulfilled", value: 5 }, kind);
          } else {
            assert.deepEqual(
              outcome,
              { status: "rejected", reason: bug },
              kind,
            );
          }
        }
      });
    });
  }
});
