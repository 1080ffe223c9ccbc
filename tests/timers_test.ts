// The shared one-timer deadline queue (`_timers.ts`): entries added or removed
// from inside another entry's expire() never delay an earlier entry (issue 11,
// defect 3: a 200 ms timeout fired after 301 ms); `idle: "keep"` keeps one
// timer across a stream of add/remove pairs, and release() clears it; a
// served channel arms one timer for a stream of calls with deadlines.

import assert from "node:assert/strict";
import fc from "fast-check";
import { Deadline, TimerQueue } from "../_timers.ts";
import { serviceFn, spawn } from "../mod.ts";
import { type Clock, withClock } from "./layers/_helpers.ts";

class Entry extends Deadline {
  constructor(
    readonly name: string,
    readonly fired: [string, number][],
    readonly clock: Clock,
    readonly onExpire?: () => void,
  ) {
    super();
  }
  expire(): void {
    this.fired.push([this.name, this.clock.now]);
    this.onExpire?.();
  }
}

/** Counts setTimeout calls (the fake clock's) while `fn` runs. */
async function countSetTimeout(
  fn: () => Promise<unknown> | void,
): Promise<number> {
  const original = globalThis.setTimeout;
  let calls = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    calls++;
    return original(...args);
  }) as typeof setTimeout;
  try {
    await fn();
  } finally {
    globalThis.setTimeout = original;
  }
  return calls;
}

for (const idle of ["clear", "keep"] as const) {
  Deno.test(`timers (${idle}): an entry added from inside expire() with a later deadline does not delay an earlier pending one`, async () => {
    await withClock(async (clock) => {
      const queue = new TimerQueue({ clock: () => clock.now, idle });
      const fired: [string, number][] = [];
      const late = new Entry("late", fired, clock);
      const first = new Entry(
        "first",
        fired,
        clock,
        () => queue.add(late, clock.now, 201),
      );
      const second = new Entry("second", fired, clock);
      const timers = await countSetTimeout(async () => {
        queue.add(first, clock.now, 100);
        queue.add(second, clock.now, 200);
        await clock.tickAsync(400);
      });
      assert.deepEqual(fired, [["first", 100], ["second", 200], ["late", 301]]);
      // One timer per expiry: the entry added while firing does not arm a
      // timer of its own that the end of the firing then replaces.
      assert.equal(timers, 3);
      queue.release();
    });
  });

  Deno.test(`timers (${idle}): entries added inside expire() that are earlier, or already due, fire on time; one removed there never fires`, async () => {
    await withClock(async (clock) => {
      const queue = new TimerQueue({ clock: () => clock.now, idle });
      const fired: [string, number][] = [];
      const now = new Entry("due now", fired, clock);
      const soon = new Entry("soon", fired, clock);
      const removed = new Entry("removed", fired, clock);
      const trigger = new Entry("trigger", fired, clock, () => {
        queue.add(now, clock.now, 0);
        queue.add(soon, clock.now, 50);
        queue.remove(removed);
      });
      const later = new Entry("later", fired, clock);
      queue.add(trigger, clock.now, 100);
      queue.add(removed, clock.now, 120);
      queue.add(later, clock.now, 300);
      await clock.tickAsync(500);
      assert.deepEqual(fired, [
        ["trigger", 100],
        ["due now", 100],
        ["soon", 150],
        ["later", 300],
      ]);
      assert.equal(queue.empty, true);
      queue.release();
    });
  });
}

Deno.test("timers: idle 'keep' keeps one timer across consecutive add/remove pairs; 'clear' sets one per pair; release() clears the kept one", async () => {
  await withClock(async (clock) => {
    const fired: [string, number][] = [];
    const pairs = (queue: TimerQueue) => {
      for (let i = 0; i < 100; i++) {
        const entry = new Entry(`e${i}`, fired, clock);
        queue.add(entry, clock.now, 50);
        clock.tick(0.25); // time passes between calls, no timer is due
        queue.remove(entry);
      }
    };

    const kept = new TimerQueue({ clock: () => clock.now, idle: "keep" });
    assert.equal(await countSetTimeout(() => pairs(kept)), 1);
    assert.equal(clock.countTimers(), 1, "the kept timer is gone");
    kept.release();
    assert.equal(clock.countTimers(), 0, "release() left the timer armed");

    const cleared = new TimerQueue({ clock: () => clock.now, idle: "clear" });
    assert.equal(await countSetTimeout(() => pairs(cleared)), 100);
    assert.equal(clock.countTimers(), 0);
    assert.deepEqual(fired, []);
  });
});

Deno.test("timers: a kept timer that fires with nothing due is not re-armed; release() with entries pending clears once they are gone", async () => {
  await withClock(async (clock) => {
    const fired: [string, number][] = [];
    const queue = new TimerQueue({ clock: () => clock.now, idle: "keep" });
    const a = new Entry("a", fired, clock);
    queue.add(a, clock.now, 50);
    queue.remove(a);
    await clock.tickAsync(50);
    assert.equal(clock.countTimers(), 0, "an empty queue re-armed its timer");

    const b = new Entry("b", fired, clock);
    const c = new Entry("c", fired, clock);
    queue.add(b, clock.now, 10);
    queue.add(c, clock.now, 20);
    queue.release();
    assert.equal(clock.countTimers(), 1, "release() dropped pending entries");
    queue.remove(b);
    await clock.tickAsync(20);
    assert.deepEqual(fired, [["c", 70]]);
    assert.equal(clock.countTimers(), 0);
  });
});

Deno.test("timers: a served channel arms one timer for a stream of calls with deadlines, and none after close", async () => {
  await withClock(async (clock) => {
    const { client, server } = spawn(serviceFn((n: number) => n));
    const timers = await countSetTimeout(async () => {
      for (let i = 0; i < 1000; i++) {
        await client.call(i, { deadline: Date.now() + 1000 });
        clock.tick(0.5);
      }
    });
    assert.equal(timers, 1, "a timer per call");
    await server.close();
    assert.equal(clock.countTimers(), 0);
  });
});

Deno.test("timers: the kept deadline timer of an open server holds no process open (unref'd)", async () => {
  // A program that leaves its server open with the channel's timer armed for
  // a deadline ten minutes away must still exit when its work is done.
  const mod = new URL("../mod.ts", import.meta.url).href;
  const program = `
    import { serviceFn, spawn } from ${JSON.stringify(mod)};
    const { client } = spawn(serviceFn((n) => n));
    await client.call(1, { deadline: Date.now() + 600_000 });
    console.log("done");
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", program],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A hang fails the test instead of stalling it: kill after 30 s.
  let killed = false;
  const guard = setTimeout(() => {
    killed = true;
    child.kill();
  }, 30_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(guard);
  assert.equal(killed, false, "the process was held open by the kept timer");
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "done");
});

const DAY = 86_400_000;

Deno.test("timers: a deadline beyond the 2^31-1 ms timer limit (24.8 days) neither fires early nor spins", async () => {
  await withClock(async (clock) => {
    const fired: [string, number][] = [];
    const queue = new TimerQueue({ clock: () => clock.now, idle: "keep" });
    const far = new Entry("far", fired, clock);
    let timers = await countSetTimeout(async () => {
      queue.add(far, clock.now, 30 * DAY);
      await clock.tickAsync(1000);
    });
    assert.deepEqual(fired, []);
    assert.ok(timers <= 1, `${timers} timers armed in one second`);
    timers = await countSetTimeout(() => clock.tickAsync(30 * DAY - 1000));
    assert.deepEqual(fired, [["far", 30 * DAY]]);
    assert.ok(timers <= 2, `${timers} timers armed over 30 days`);
    queue.release();
  });
});

// Property: whatever the sequence of adds, removes and clock advances —
// including adds and removes made from inside another entry's expire() —
// every entry not removed in time fires exactly once, exactly at its due
// time, in due order, and no timer is left behind once the queue is empty.
type Reentry =
  | { kind: "add"; delay: number }
  | { kind: "remove"; target: number };
type TimerOp =
  | { kind: "add"; delay: number; reentry: Reentry | null }
  | { kind: "remove"; target: number }
  | { kind: "tick"; ms: number };

const reentryArb: fc.Arbitrary<Reentry | null> = fc.option(
  fc.oneof(
    fc.record({ kind: fc.constant("add" as const), delay: fc.nat(150) }),
    fc.record({ kind: fc.constant("remove" as const), target: fc.nat() }),
  ),
);
const timerOpArb: fc.Arbitrary<TimerOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      delay: fc.nat(150),
      reentry: reentryArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("remove" as const),
      target: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.nat(60),
    }),
  },
);

for (const idle of ["clear", "keep"] as const) {
  Deno.test(`timers (${idle}): property — entries fire once, on time, in order, whatever is added or removed, even from expire()`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(timerOpArb, { maxLength: 60 }), async (ops) => {
        await withClock(async (clock) => {
          const queue = new TimerQueue({ clock: () => clock.now, idle });
          const entries: PropEntry[] = [];
          const fires: PropEntry[] = [];
          class PropEntry extends Deadline {
            firedAt: number[] = [];
            removedEarly = false;
            constructor(readonly reentry: Reentry | null) {
              super();
            }
            expire(): void {
              this.firedAt.push(clock.now);
              fires.push(this);
              if (this.reentry?.kind === "add") {
                add(this.reentry.delay, null);
              } else if (this.reentry?.kind === "remove") {
                remove(this.reentry.target);
              }
            }
          }
          const add = (delay: number, reentry: Reentry | null) => {
            const entry = new PropEntry(reentry);
            entries.push(entry);
            queue.add(entry, clock.now, delay);
          };
          const remove = (target: number) => {
            if (entries.length === 0) return;
            const entry = entries[target % entries.length];
            if (entry.armed) entry.removedEarly = true;
            queue.remove(entry);
          };
          for (const op of ops) {
            if (op.kind === "add") add(op.delay, op.reentry);
            else if (op.kind === "remove") remove(op.target);
            else await clock.tickAsync(op.ms);
          }
          await clock.tickAsync(1000);
          for (const entry of entries) {
            if (entry.removedEarly) {
              assert.deepEqual(entry.firedAt, [], "a removed entry fired");
            } else {
              assert.deepEqual(entry.firedAt, [entry.due], "fired off time");
            }
          }
          for (let i = 1; i < fires.length; i++) {
            assert.ok(fires[i - 1].due <= fires[i].due, "fired out of order");
          }
          assert.equal(queue.empty, true);
          queue.release();
        });
      }),
      { numRuns: 200 },
    );
  });
}
