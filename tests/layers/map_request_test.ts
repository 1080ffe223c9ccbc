import assert from "node:assert/strict";
import { ServiceBuilder, serviceFn } from "../../service.ts";
import { mapRequest } from "../../layers/map_request.ts";
import { assertInvalidOption, ManualService, wrong } from "./_helpers.ts";

Deno.test("mapRequest()", async (t) => {
  await t.step("adapts requests and passes options through", async () => {
    const inner = new ManualService<number, string>();
    const svc = new ServiceBuilder<string, string>()
      .layer(mapRequest((s: string) => s.length))
      .service(inner);
    const controller = new AbortController();
    const call = svc.call("four", { signal: controller.signal });
    assert.equal(inner.last.req, 4);
    assert.equal(inner.last.signal, controller.signal);
    inner.last.resolve("ok");
    assert.equal(await call, "ok");
  });

  await t.step(
    "a throwing mapper rejects without calling the inner service",
    async () => {
      const inner = new ManualService<number, string>();
      const svc = mapRequest<string, number, string>((s) => {
        if (s === "") throw new RangeError("empty");
        return s.length;
      })(inner);
      await assert.rejects(svc.call(""), RangeError);
      assert.equal(inner.received.length, 0);
    },
  );

  await t.step(
    "an already aborted call reaches the inner service with its signal, which rejects it",
    async () => {
      const seen: (AbortSignal | undefined)[] = [];
      const inner = new ManualService<number, number>();
      const svc = mapRequest<string, number, number>((s) => s.length)({
        call(req, options) {
          seen.push(options?.signal);
          return inner.call(req, options);
        },
      });
      const signal = AbortSignal.abort("no");
      await assert.rejects(svc.call("x", { signal }), (err) => err === "no");
      assert.deepEqual(seen, [signal]);
    },
  );

  await t.step("forwards ready()", () => {
    const inner = new ManualService<number, number>();
    const svc = mapRequest<string, number, number>((s) => s.length)(inner);
    assert.equal(svc.ready?.(), true);
    inner.isReady = () => false;
    assert.equal(svc.ready?.(), false);
    const plain = mapRequest<string, number, number>((s) => s.length)(
      serviceFn((n: number) => n),
    );
    assert.equal(plain.ready?.(), true);
  });

  await t.step("rejects a mapper that is not a function", () => {
    assertInvalidOption(
      () => mapRequest<string, number, number>(wrong(42)),
      "mapRequest.fn",
      42,
    );
  });
});
