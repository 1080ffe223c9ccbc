// The shared one-timer deadline queue (`_timers.ts`): entries added or removed
// from inside another entry's expire() never delay an earlier entry (issue 11,
// defect 3: a 200 ms timeout fired after 301 ms); `idle: "keep"` keeps one
// timer across a stream of add/remove pairs, and release() clears it; a
// served channel arms one timer for a stream of calls with deadlines.

import assert from "node:assert/strict";
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
