import assert from "node:assert/strict";
import { serviceFn } from "../../service.ts";
import { mapError } from "../../layers/map_error.ts";
import { assertInvalidOption, ManualService, wrong } from "./_helpers.ts";

class NotFound extends Error {}

Deno.test("mapError()", async (t) => {
  await t.step("maps errors, with the request at hand", async () => {
    const original = new Error("row missing");
    const svc = mapError<number, string>((error, id) =>
      new NotFound(`no user ${id}`, { cause: error })
    )(serviceFn((_id: number): string => {
      throw original;
    }));
    await assert.rejects(svc.call(7), (err) => {
      assert.ok(err instanceof NotFound);
      assert.equal(err.message, "no user 7");
      assert.equal(err.cause, original);
      return true;
    });
  });

  await t.step("responses pass through; the mapper is not called", async () => {
    let mapped = 0;
    const svc = mapError<number, number>((e) => {
      mapped++;
      return e;
    })(serviceFn((n: number) => n));
    assert.equal(await svc.call(3), 3);
    assert.equal(mapped, 0);
  });

  await t.step(
    "a throwing mapper's error is what the caller sees",
    async () => {
      const svc = mapError<number, number>(() => {
        throw new RangeError("mapper");
      })(serviceFn((): number => {
        throw new Error("inner");
      }));
      await assert.rejects(svc.call(1), RangeError);
    },
  );

  await t.step("the caller's own abort is not mapped", async () => {
    let mapped = 0;
    const inner = new ManualService<number, number>();
    const svc = mapError<number, number>((e) => {
      mapped++;
      return e;
    })(inner);
    const controller = new AbortController();
    const call = svc.call(1, { signal: controller.signal });
    controller.abort("stop");
    await assert.rejects(call, (err) => err === "stop");
    assert.equal(mapped, 0);
  });

  await t.step("forwards ready()", () => {
    const inner = new ManualService<number, number>();
    const svc = mapError<number, number>((e) => e)(inner);
    inner.isReady = () => false;
    assert.equal(svc.ready?.(), false);
  });

  await t.step("rejects a mapper that is not a function", () => {
    assertInvalidOption(
      () => mapError<number, number>(wrong("x")),
      "mapError.fn",
      "x",
    );
  });
});
