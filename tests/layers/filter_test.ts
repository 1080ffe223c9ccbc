import assert from "node:assert/strict";
import { NorpcError } from "../../errors.ts";
import { serviceFn } from "../../service.ts";
import { filter, FilterRejectedError } from "../../layers/filter.ts";
import {
  assertInvalidOption,
  flush,
  listenerCount,
  ManualService,
  track,
  wrong,
} from "./_helpers.ts";

const double = serviceFn((n: number) => n * 2);

Deno.test("filter()", async (t) => {
  await t.step(
    "a synchronous predicate lets accepted requests through",
    async () => {
      const svc = filter<number, number>(function positive(n) {
        return n > 0;
      })(double);
      assert.equal(await svc.call(2), 4);
      await assert.rejects(svc.call(-2), (err) => {
        assert.ok(err instanceof FilterRejectedError);
        assert.ok(err instanceof NorpcError);
        assert.equal(err.predicate, "positive");
        assert.equal(err.message, "request rejected by filter positive");
        assert.equal(err.cause, undefined);
        return true;
      });
    },
  );

  await t.step(
    "a rejected request never reaches the inner service",
    async () => {
      const inner = new ManualService<number, number>();
      const svc = filter<number, number>(() => false)(inner);
      await assert.rejects(svc.call(1), /filter \(anonymous\)/);
      assert.equal(inner.received.length, 0);
    },
  );

  await t.step("an asynchronous predicate", async () => {
    const svc = filter<number, number>((n) => Promise.resolve(n % 2 === 0))(
      double,
    );
    assert.equal(await svc.call(4), 8);
    await assert.rejects(svc.call(3), FilterRejectedError);
  });

  await t.step(
    "a throwing or rejecting predicate refuses, keeping the cause",
    async () => {
      const bug = new TypeError("no such field");
      const sync = filter<number, number>(function check() {
        throw bug;
      })(double);
      await assert.rejects(sync.call(1), (err) => {
        assert.ok(err instanceof FilterRejectedError);
        assert.equal(err.cause, bug);
        assert.match(err.message, /filter check threw: no such field/);
        return true;
      });
      const async = filter<number, number>(() => Promise.reject("nope"))(
        double,
      );
      await assert.rejects(async.call(1), (err) => {
        assert.ok(err instanceof FilterRejectedError);
        assert.equal(err.cause, "nope");
        return true;
      });
    },
  );

  await t.step(
    "a verdict that is a broken thenable refuses the request, keeping the cause",
    async () => {
      const bug = new Error("then bug");
      const verdicts = [
        {
          then: () => {
            throw bug;
          },
        },
        {
          get then() {
            throw bug;
          },
        },
      ];
      for (const verdict of verdicts) {
        const svc = filter<number, number>(
          () => verdict as unknown as PromiseLike<boolean>,
        )(double);
        await assert.rejects(svc.call(1), (err) => {
          assert.ok(err instanceof FilterRejectedError, String(err));
          assert.equal(err.cause, bug);
          return true;
        });
      }
    },
  );

  await t.step(
    "an abort while the predicate decides rejects at once",
    async () => {
      const inner = new ManualService<number, number>();
      const verdict = Promise.withResolvers<boolean>();
      const svc = filter<number, number>(() => verdict.promise)(inner);
      const controller = new AbortController();
      const listeners = listenerCount(controller.signal);
      const call = track(svc.call(1, { signal: controller.signal }));
      assert.equal(listeners(), 1);
      controller.abort("stop");
      await flush();
      assert.equal(call.error, "stop");
      assert.equal(listeners(), 0);
      verdict.resolve(true);
      await flush();
      assert.equal(inner.received.length, 0);
    },
  );

  await t.step("a decided request drops the abort listener", async () => {
    const inner = new ManualService<number, number>();
    const svc = filter<number, number>(() => Promise.resolve(true))(inner);
    const controller = new AbortController();
    const listeners = listenerCount(controller.signal);
    const call = track(svc.call(1, { signal: controller.signal }));
    await flush();
    assert.equal(inner.received.length, 1);
    assert.equal(listeners(), 1); // the inner service's own
    inner.last.resolve(5);
    await flush();
    assert.equal(call.value, 5);
    assert.equal(listeners(), 0);
  });

  await t.step("an already aborted call is not even checked", async () => {
    let checked = 0;
    const svc = filter<number, number>(() => {
      checked++;
      return true;
    })(double);
    await assert.rejects(
      svc.call(1, { signal: AbortSignal.abort("early") }),
      (err) => err === "early",
    );
    assert.equal(checked, 0);
  });

  await t.step("forwards ready()", () => {
    const inner = new ManualService<number, number>();
    const svc = filter<number, number>(() => true)(inner);
    inner.isReady = () => false;
    assert.equal(svc.ready?.(), false);
  });

  await t.step("rejects a predicate that is not a function", () => {
    for (const predicate of [undefined, null, true, "x"]) {
      assertInvalidOption(
        () => filter<number, number>(wrong(predicate)),
        "filter.predicate",
        predicate,
      );
    }
  });
});
