import assert from "node:assert/strict";
import { serviceFn } from "../../service.ts";
import { balance } from "../../layers/balance.ts";
import {
  assertInvalidOption,
  flush,
  ManualService,
  track,
  wrong,
} from "./_helpers.ts";

/** A random source replaying `values` in a loop. */
function sequence(...values: number[]) {
  let i = 0;
  return () => values[i++ % values.length];
}

/** A seeded pseudo-random source (mulberry32), for reproducible spreads. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function replicas(n: number) {
  return Array.from({ length: n }, () => new ManualService<number, number>());
}

Deno.test("balance()", async (t) => {
  await t.step(
    "sends each call to the less loaded of two random replicas",
    async () => {
      const [a, b, c] = replicas(3);
      // Each pick draws i in [0, 3) and j in [0, 2) (j skips i).
      const svc = balance([a, b, c], { random: sequence(0, 0) }); // a vs b
      svc.call(1);
      assert.deepEqual(svc.loads, [1, 0, 0]); // tie: the first sample, a
      svc.call(2);
      assert.deepEqual(svc.loads, [1, 1, 0]); // a (1) vs b (0): b
      svc.call(3);
      assert.deepEqual(svc.loads, [2, 1, 0]);
      assert.equal(svc.inFlight, 3);
      for (const r of [a, b]) {
        for (const call of r.received) {
          call.resolve(call.req);
        }
      }
      await flush();
      assert.deepEqual(svc.loads, [0, 0, 0]);
      assert.equal(svc.inFlight, 0);
    },
  );

  await t.step("spreads load evenly over many calls", async () => {
    const rs = replicas(4);
    const svc = balance(rs, { random: seeded(42) });
    for (let i = 0; i < 400; i++) svc.call(i);
    // With p2c on in-flight count no replica drifts far from the mean (pure
    // random choice would typically be ~10 off after 400 calls).
    const loads = svc.loads;
    assert.equal(loads.reduce((x, y) => x + y), 400);
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 4, `${loads}`);
    for (const r of rs) for (const call of r.received) call.resolve(call.req);
    await flush();
    assert.equal(svc.inFlight, 0);
  });

  await t.step("chooses among the ready replicas first", () => {
    const [a, b, c] = replicas(3);
    a.isReady = () => false;
    // Each pick draws two indices into the ready replicas, here [b, c].
    const svc = balance([a, b, c], { random: sequence(0, 0) });
    svc.call(1); // b vs c, a tie: b
    svc.call(2); // b vs c: c, the less loaded; never a, though idle
    assert.deepEqual(svc.loads, [0, 1, 1]);
    b.isReady = () => false;
    svc.call(3); // c is the only ready replica
    assert.deepEqual(svc.loads, [0, 1, 2]);
    c.isReady = () => false;
    assert.equal(svc.ready(), false);
    svc.call(4); // none ready: p2c among all, a vs b: a
    assert.deepEqual(svc.loads, [1, 1, 2]);
    a.isReady = undefined;
    assert.equal(svc.ready(), true);
  });

  await t.step(
    "a random() returning 1, more, NaN or a negative never indexes past the end",
    async () => {
      for (const value of [1, 1.5, 7, Infinity, NaN, -0.5, -Infinity]) {
        const rs = replicas(3);
        const svc = balance(rs, { random: () => value });
        const call = track(svc.call(1));
        assert.equal(svc.inFlight, 1, `random() = ${value}`);
        for (const r of rs) for (const c of r.received) c.resolve(c.req);
        await flush();
        assert.equal(call.value, 1, `random() = ${value}`);
        assert.equal(svc.inFlight, 0);
      }
    },
  );

  await t.step("a random() that throws rejects that call only", async () => {
    const rs = replicas(2);
    const bug = new Error("random bug");
    let broken = true;
    const svc = balance(rs, {
      random: () => {
        if (broken) throw bug;
        return 0;
      },
    });
    const call = track(svc.call(1));
    await flush();
    assert.equal(call.error, bug);
    assert.equal(svc.inFlight, 0);
    broken = false;
    const next = track(svc.call(2));
    rs[0].last.resolve(2);
    await flush();
    assert.equal(next.value, 2);
  });

  await t.step(
    "passes requests and options to the chosen replica",
    async () => {
      const [a] = replicas(1);
      const svc = balance([a]);
      const controller = new AbortController();
      const call = track(svc.call(7, { signal: controller.signal }));
      assert.equal(a.last.req, 7);
      assert.equal(a.last.signal, controller.signal);
      controller.abort("stop");
      await flush();
      assert.equal(call.error, "stop");
      assert.equal(svc.inFlight, 0);
    },
  );

  await t.step("errors pass through and release the load", async () => {
    const boom = new Error("boom");
    const svc = balance([
      serviceFn((): number => {
        throw boom;
      }),
      {
        call: (): Promise<number> => {
          throw boom;
        },
      },
    ]);
    for (let i = 0; i < 4; i++) {
      await assert.rejects(svc.call(i), (err) => err === boom);
    }
    assert.deepEqual(svc.loads, [0, 0]);
  });

  await t.step("rejects invalid replicas and options", () => {
    const ok = [serviceFn((n: number) => n)];
    const empty: never[] = [];
    assertInvalidOption(() => balance(empty), "balance.services", empty);
    assertInvalidOption(
      () => balance<number, number>(wrong("svc")),
      "balance.services",
      "svc",
    );
    const bad = { call: 1 };
    assertInvalidOption(
      () => balance<number, number>([ok[0], wrong(bad)]),
      "balance.services[1]",
      bad,
    );
    assertInvalidOption(
      () => balance(ok, { strategy: wrong("round-robin") }),
      "balance.strategy",
      "round-robin",
    );
    assertInvalidOption(
      () => balance(ok, { random: wrong(4) }),
      "balance.random",
      4,
    );
    assertInvalidOption(
      () => balance(ok, wrong(null)),
      "balance options",
      null,
    );
  });
});
