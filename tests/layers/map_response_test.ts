import assert from "node:assert/strict";
import { ServiceBuilder, serviceFn } from "../../service.ts";
import { mapResponse } from "../../layers/map_response.ts";
import { assertInvalidOption, ManualService, wrong } from "./_helpers.ts";

Deno.test("mapResponse()", async (t) => {
  await t.step("adapts responses", async () => {
    const svc = new ServiceBuilder<string, string>()
      .layer(mapResponse((n: number) => `${n} chars`))
      .service(serviceFn((s: string) => s.length));
    assert.equal(await svc.call("hello"), "5 chars");
  });

  await t.step("an asynchronous mapper", async () => {
    const svc = mapResponse<string, number, number>((n) =>
      Promise.resolve(n + 1)
    )(serviceFn((s: string) => s.length));
    assert.equal(await svc.call("ab"), 3);
  });

  await t.step(
    "errors pass through untouched; the mapper is not called",
    async () => {
      let mapped = 0;
      const boom = new Error("boom");
      const svc = mapResponse<string, number, number>((n) => {
        mapped++;
        return n;
      })(serviceFn((_s: string): number => {
        throw boom;
      }));
      await assert.rejects(svc.call("x"), (err) => err === boom);
      assert.equal(mapped, 0);
    },
  );

  await t.step("a throwing mapper rejects the call", async () => {
    const svc = mapResponse<string, number, number>(() => {
      throw new RangeError("bad");
    })(serviceFn((s: string) => s.length));
    await assert.rejects(svc.call("x"), RangeError);
  });

  await t.step(
    "passes the signal through; an abort rejects with its reason",
    async () => {
      const inner = new ManualService<string, number>();
      const svc = mapResponse<string, number, number>((n) => n)(inner);
      const controller = new AbortController();
      const call = svc.call("x", { signal: controller.signal });
      assert.equal(inner.last.signal, controller.signal);
      controller.abort("stop");
      await assert.rejects(call, (err) => err === "stop");
    },
  );

  await t.step("forwards ready()", () => {
    const inner = new ManualService<string, number>();
    const svc = mapResponse<string, number, number>((n) => n)(inner);
    inner.isReady = () => false;
    assert.equal(svc.ready?.(), false);
  });

  await t.step("rejects a mapper that is not a function", () => {
    const notAFunction = { fn: true };
    assertInvalidOption(
      () => mapResponse<string, number, number>(wrong(notAFunction)),
      "mapResponse.fn",
      notAFunction,
    );
  });
});
