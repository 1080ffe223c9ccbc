import assert from "node:assert/strict";
import fc from "fast-check";
import { NorpcError } from "../../errors.ts";
import { serviceFn } from "../../service.ts";
import { batch } from "../../layers/batch.ts";
import {
  assertInvalidOption,
  flush,
  listenerCount,
  ManualService,
  track,
  withClock,
  wrong,
} from "./_helpers.ts";

type Inner = ManualService<number[], ReadonlyArray<number | Error>>;

function loader(maxSize: number, maxDelay: number) {
  const inner: Inner = new ManualService();
  const svc = batch<number, number, number[]>({
    maxSize,
    maxDelay,
    combine: (ids) => ids,
  })(inner);
  return { inner, svc };
}

Deno.test("batch()", async (t) => {
  await t.step(
    "collects calls within maxDelay into one inner call",
    async () => {
      await withClock(async (clock) => {
        const { inner, svc } = loader(10, 5);
        const a = track(svc.call(1));
        await clock.tickAsync(4);
        const b = track(svc.call(2));
        assert.equal(svc.pending, 2);
        assert.equal(inner.received.length, 0);
        await clock.tickAsync(1);
        assert.deepEqual(inner.received.map((c) => c.req), [[1, 2]]);
        assert.deepEqual([svc.pending, svc.inFlight, svc.waiting], [0, 1, 2]);
        const c = track(svc.call(3)); // starts the next batch
        inner.received[0].resolve([10, 20]);
        await clock.tickAsync(5);
        inner.last.resolve([30]);
        await flush();
        assert.deepEqual([a.value, b.value, c.value], [10, 20, 30]);
        assert.deepEqual([svc.pending, svc.inFlight, svc.waiting], [0, 0, 0]);
      });
    },
  );

  await t.step("a full batch is sent at once", async () => {
    await withClock(async (clock) => {
      const { inner, svc } = loader(2, 1000);
      svc.call(1);
      svc.call(2);
      assert.deepEqual(inner.received.map((c) => c.req), [[1, 2]]);
      assert.equal(clock.countTimers(), 0);
      svc.call(3);
      await clock.tickAsync(1000);
      assert.deepEqual(inner.received.map((c) => c.req), [[1, 2], [3]]);
      inner.received.forEach((c) => c.resolve(c.req));
    });
  });

  await t.step("an Error entry rejects only its own caller", async () => {
    await withClock(async (clock) => {
      const { inner, svc } = loader(10, 1);
      const ok = track(svc.call(1));
      const bad = track(svc.call(2));
      await clock.tickAsync(1);
      const notFound = new RangeError("no 2");
      inner.last.resolve([10, notFound]);
      await flush();
      assert.equal(ok.value, 10);
      assert.equal(bad.error, notFound);
    });
  });

  await t.step(
    "an inner failure rejects every caller of the batch",
    async () => {
      await withClock(async (clock) => {
        const { inner, svc } = loader(10, 1);
        const calls = [track(svc.call(1)), track(svc.call(2))];
        await clock.tickAsync(1);
        const down = new Error("db down");
        inner.last.reject(down);
        await flush();
        assert.deepEqual(calls.map((c) => c.error), [down, down]);
        assert.equal(svc.inFlight, 0);
      });
    },
  );

  await t.step("a malformed answer is a clear error", async () => {
    await withClock(async (clock) => {
      const { inner, svc } = loader(10, 1);
      const calls = [track(svc.call(1)), track(svc.call(2))];
      await clock.tickAsync(1);
      inner.last.resolve([1]);
      await flush();
      for (const call of calls) {
        assert.ok(call.error instanceof NorpcError);
        assert.match(
          call.error.message,
          /answered 1 results for 2 requests; it must return an array/,
        );
      }
      const next = track(svc.call(3));
      await clock.tickAsync(1);
      inner.last.resolve(wrong("nope"));
      await flush();
      assert.match((next.error as Error).message, /answered string for 1/);
    });
  });

  await t.step("a throwing combine rejects the batch", async () => {
    await withClock(async (clock) => {
      const bug = new TypeError("combine bug");
      const svc = batch<number, number, number[]>({
        maxSize: 10,
        maxDelay: 1,
        combine: () => {
          throw bug;
        },
      })(serviceFn((ids: number[]) => ids));
      const calls = [track(svc.call(1)), track(svc.call(2))];
      await clock.tickAsync(1);
      assert.deepEqual(calls.map((c) => c.error), [bug, bug]);
      assert.equal(svc.waiting, 0);
    });
  });

  await t.step(
    "a caller aborting before the batch is sent leaves it",
    async () => {
      await withClock(async (clock) => {
        const { inner, svc } = loader(10, 5);
        const controller = new AbortController();
        const listeners = listenerCount(controller.signal);
        const a = track(svc.call(1));
        const b = track(svc.call(2, { signal: controller.signal }));
        controller.abort("gone");
        await flush();
        assert.equal(b.error, "gone");
        assert.equal(listeners(), 0);
        assert.equal(svc.pending, 1);
        await clock.tickAsync(5);
        assert.deepEqual(inner.last.req, [1]);
        inner.last.resolve([10]);
        await flush();
        assert.equal(a.value, 10);
      });
    },
  );

  await t.step(
    "callers leaving from anywhere before the send keep the others in order",
    async () => {
      await withClock(async (clock) => {
        const { inner, svc } = loader(100, 5);
        const controllers = Array.from(
          { length: 10 },
          () => new AbortController(),
        );
        const calls = controllers.map((c, i) =>
          track(svc.call(i, { signal: c.signal }))
        );
        for (const i of [0, 9, 4, 5, 2]) controllers[i].abort(`gone ${i}`);
        await flush();
        assert.equal(svc.pending, 5);
        await clock.tickAsync(5);
        assert.deepEqual(inner.last.req, [1, 3, 6, 7, 8]);
        inner.last.resolve([10, 30, 60, 70, 80]);
        await flush();
        assert.deepEqual(
          calls.map((c) => c.value ?? c.error),
          [
            "gone 0",
            10,
            "gone 2",
            30,
            "gone 4",
            "gone 5",
            60,
            70,
            80,
            "gone 9",
          ],
        );
      });
    },
  );

  await t.step(
    "a batch whose callers all abort is dropped with its timer",
    async () => {
      await withClock(async (clock) => {
        const { inner, svc } = loader(10, 5);
        const controller = new AbortController();
        svc.call(1, { signal: controller.signal }).catch(() => {});
        svc.call(2, { signal: controller.signal }).catch(() => {});
        assert.equal(clock.countTimers(), 1);
        controller.abort("gone");
        await flush();
        assert.equal(clock.countTimers(), 0);
        assert.deepEqual([svc.pending, svc.waiting], [0, 0]);
        await clock.tickAsync(10);
        assert.equal(inner.received.length, 0);
      });
    },
  );

  await t.step(
    "a caller aborting after the batch is sent is rejected at once",
    async () => {
      await withClock(async (clock) => {
        const { inner, svc } = loader(10, 1);
        const first = new AbortController();
        const second = new AbortController();
        const a = track(svc.call(1, { signal: first.signal }));
        const b = track(svc.call(2, { signal: second.signal }));
        await clock.tickAsync(1);
        first.abort("a gone");
        await flush();
        assert.equal(a.error, "a gone");
        assert.equal(inner.last.signal?.aborted, false); // b still waits
        second.abort("b gone");
        await flush();
        assert.equal(b.error, "b gone");
        // Nobody is left: the inner call is aborted too.
        assert.equal(inner.last.signal?.aborted, true);
        assert.deepEqual([svc.inFlight, svc.waiting], [0, 0]);
      });
    },
  );

  await t.step("an already aborted call joins no batch", async () => {
    await withClock(async () => {
      const { svc } = loader(10, 1);
      await assert.rejects(
        svc.call(1, { signal: AbortSignal.abort("no") }),
        (err) => err === "no",
      );
      assert.equal(svc.pending, 0);
    });
  });

  await t.step("maxDelay 0 batches the calls of one task", async () => {
    await withClock(async (clock) => {
      const { inner, svc } = loader(10, 0);
      svc.call(1);
      svc.call(2);
      svc.call(3);
      await clock.tickAsync(0);
      assert.deepEqual(inner.received.map((c) => c.req), [[1, 2, 3]]);
      inner.last.resolve([1, 2, 3]);
    });
  });

  await t.step("forwards ready()", () => {
    const { inner, svc } = loader(1, 1);
    inner.isReady = () => false;
    assert.equal(svc.ready(), false);
  });

  await t.step("rejects invalid options", () => {
    const combine = (ids: number[]) => ids;
    for (const maxSize of [0, -1, 1.5, NaN, Infinity]) {
      assertInvalidOption(
        () => batch({ maxSize, maxDelay: 1, combine }),
        "batch.maxSize",
        maxSize,
      );
    }
    for (const maxDelay of [-1, NaN, Infinity]) {
      assertInvalidOption(
        () => batch({ maxSize: 1, maxDelay, combine }),
        "batch.maxDelay",
        maxDelay,
      );
    }
    assertInvalidOption(
      () => batch({ maxSize: wrong("10"), maxDelay: 1, combine }),
      "batch.maxSize",
      "10",
    );
    assertInvalidOption(
      () =>
        batch<number, number, number[]>({
          maxSize: 1,
          maxDelay: 1,
          combine: wrong(undefined),
        }),
      "batch.combine",
      undefined,
    );
    assertInvalidOption(
      () => batch<number, number, number[]>(wrong(null)),
      "batch options",
      null,
    );
  });

  await t.step(
    "property: batches respect maxSize and order, every caller gets its own outcome",
    async () => {
      const step = fc.oneof(
        fc.record({
          kind: fc.constant("call" as const),
          abortable: fc.boolean(),
        }),
        fc.record({ kind: fc.constant("abort" as const), index: fc.nat() }),
        fc.record({
          kind: fc.constant("wait" as const),
          ms: fc.integer({ min: 0, max: 20 }),
        }),
        fc.record({
          kind: fc.constant("answer" as const),
          index: fc.nat(),
          outcome: fc.constantFrom("ok", "fail", "mixed"),
        }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 0, max: 10 }),
          fc.array(step, { maxLength: 80, size: "max" }),
          async (maxSize, maxDelay, steps) => {
            await withClock(async (clock) => {
              const { inner, svc } = loader(maxSize, maxDelay);
              const callers: {
                controller?: AbortController;
                abortedAt?: number; // batches received when it aborted
                result: ReturnType<typeof track<number>>;
              }[] = [];
              const expected = new Map<number, "ok" | "fail" | "error">();
              const answer = (
                call: Inner["received"][number],
                outcome: string,
              ) => {
                if (outcome === "fail") {
                  call.req.forEach((id) => expected.set(id, "fail"));
                  call.reject(new Error("batch failed"));
                  return;
                }
                call.resolve(call.req.map((id) => {
                  const error = outcome === "mixed" && id % 2 === 1;
                  expected.set(id, error ? "error" : "ok");
                  return error ? new RangeError(`${id}`) : id * 10;
                }));
              };
              for (const s of steps) {
                if (s.kind === "call") {
                  const controller = s.abortable
                    ? new AbortController()
                    : undefined;
                  callers.push({
                    controller,
                    result: track(
                      svc.call(callers.length, { signal: controller?.signal }),
                    ),
                  });
                } else if (s.kind === "abort") {
                  const caller = callers[s.index % Math.max(1, callers.length)];
                  if (caller?.controller && !caller.controller.signal.aborted) {
                    caller.abortedAt = inner.received.length;
                    caller.controller.abort(`abort ${s.index}`);
                  }
                } else if (s.kind === "wait") {
                  await clock.tickAsync(s.ms);
                } else {
                  const open = inner.received.filter((c) => !c.settled);
                  const call = open[s.index % Math.max(1, open.length)];
                  if (call) answer(call, s.outcome);
                }
                await flush();
              }
              await clock.tickAsync(maxDelay);
              for (const call of inner.received) {
                if (!call.settled) answer(call, "ok");
              }
              await flush();
              // Shape: every batch is non-empty, at most maxSize, ids in order,
              // and no id is sent twice.
              const sent = inner.received.flatMap((c) => c.req);
              assert.deepEqual(sent, [...sent].sort((a, b) => a - b));
              assert.equal(new Set(sent).size, sent.length);
              for (const call of inner.received) {
                assert.ok(call.req.length >= 1 && call.req.length <= maxSize);
              }
              callers.forEach((caller, id) => {
                const { result } = caller;
                assert.notEqual(result.state, "pending");
                if (caller.abortedAt !== undefined) {
                  // Aborted: never sent in a later batch.
                  const later = inner.received.slice(caller.abortedAt);
                  assert.ok(!later.some((c) => c.req.includes(id)));
                  if (
                    result.state === "rejected" &&
                    typeof result.error === "string"
                  ) {
                    assert.match(result.error, /^abort/);
                    return;
                  }
                }
                const outcome = expected.get(id);
                if (outcome === "ok") assert.equal(result.value, id * 10);
                else if (outcome === "error") {
                  assert.equal((result.error as Error).message, `${id}`);
                } else {assert.equal(
                    (result.error as Error).message,
                    "batch failed",
                  );}
              });
              assert.deepEqual([svc.pending, svc.inFlight, svc.waiting], [
                0,
                0,
                0,
              ]);
            });
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});
