import assert from "node:assert/strict";
import {
  type CallOptions,
  type Layer,
  type Service,
  ServiceBuilder,
  serviceFn,
  stack,
} from "../mod.ts";
import { abortListeners, offAbort, onAbort } from "../_abort.ts";
import { loadShed } from "../layers/mod.ts";
import { fulfilled, rejected } from "./_helpers.ts";
import { listenerCount } from "./layers/_helpers.ts";

type S = Service<string, string>;

/**
 * A layer that logs when a request enters and a response leaves it and tags
 * both, so the order of layers is visible in the log and in the values.
 */
function tagging(name: string, log: string[]): Layer<S, S> {
  return (inner) => ({
    async call(req, options) {
      log.push(`${name}>`);
      const res = await inner.call(`${req}|${name}`, options);
      log.push(`<${name}`);
      return `${res}|${name}`;
    },
  });
}

const echo: S = serviceFn((req: string) => req);

Deno.test("ServiceBuilder: the first layer added is outermost", async () => {
  const log: string[] = [];
  const svc = new ServiceBuilder<string, string>()
    .layer(tagging("a", log))
    .layer(tagging("b", log))
    .layer(tagging("c", log))
    .service(echo);
  const res = await fulfilled(svc.call("req"));
  assert.equal(res, "req|a|b|c|c|b|a");
  assert.deepEqual(log, ["a>", "b>", "c>", "<c", "<b", "<a"]);
});

Deno.test("ServiceBuilder: no layers gives the inner service's behaviour", async () => {
  const svc = new ServiceBuilder<string, string>().service(echo);
  assert.equal(await fulfilled(svc.call("x")), "x");
});

Deno.test("ServiceBuilder is immutable: layer() returns a new builder", async () => {
  const log: string[] = [];
  const base = new ServiceBuilder<string, string>().layer(tagging("a", log));
  const withB = base.layer(tagging("b", log));
  const withC = base.layer(tagging("c", log));
  assert.notEqual(withB, base);
  assert.notEqual(withC, withB);

  assert.equal(await fulfilled(base.service(echo).call("r")), "r|a|a");
  assert.equal(await fulfilled(withB.service(echo).call("r")), "r|a|b|b|a");
  assert.equal(await fulfilled(withC.service(echo).call("r")), "r|a|c|c|a");
  // Adding to a derived builder did not change the base or its sibling.
  assert.equal(await fulfilled(base.service(echo).call("r")), "r|a|a");
});

Deno.test("ServiceBuilder applies each layer once per service(), not per call", async () => {
  let applied = 0;
  const counting: Layer<S, S> = (inner) => {
    applied++;
    return inner;
  };
  const builder = new ServiceBuilder<string, string>().layer(counting);
  assert.equal(applied, 0);
  const svc = builder.service(echo);
  assert.equal(applied, 1);
  await fulfilled(svc.call("a"));
  await fulfilled(svc.call("b"));
  assert.equal(applied, 1);
  builder.service(echo);
  assert.equal(applied, 2);
});

Deno.test("ServiceBuilder.layer rejects a non-function with a TypeError", () => {
  const builder = new ServiceBuilder<string, string>();
  for (const bad of [undefined, null, 1, "layer", {}]) {
    assert.throws(
      () => builder.layer(bad as unknown as Layer<S, S>),
      (err: unknown) =>
        err instanceof TypeError && /expects a function/.test(err.message),
    );
  }
});

Deno.test("ServiceBuilder.toLayer applies the same layers in the same order", async () => {
  const log: string[] = [];
  const inner = new ServiceBuilder<string, string>()
    .layer(tagging("b", log))
    .layer(tagging("c", log));
  const outer = new ServiceBuilder<string, string>()
    .layer(tagging("a", log))
    .layer(inner.toLayer())
    .layer(tagging("d", log));
  assert.equal(
    await fulfilled(outer.service(echo).call("r")),
    "r|a|b|c|d|d|c|b|a",
  );
  assert.equal(await fulfilled(inner.toLayer()(echo).call("r")), "r|b|c|c|b");
});

Deno.test("ServiceBuilder changes request and response types across layers", async () => {
  const parse: Layer<Service<number, number>, Service<string, string>> = (
    inner,
  ) => ({
    call: async (req, options) =>
      String(await inner.call(Number(req), options)),
  });
  const svc: Service<string, string> = new ServiceBuilder<string, string>()
    .layer(parse)
    .service(serviceFn((n: number) => n * 2));
  assert.equal(await fulfilled(svc.call("21")), "42");
});

Deno.test("stack: the first layer is outermost, stack(a, b)(s) is a(b(s))", async () => {
  const log: string[] = [];
  const a = tagging("a", log);
  const b = tagging("b", log);
  const c = tagging("c", log);
  const stacked = stack(a, b, c)(echo);
  const nested = a(b(c(echo)));
  assert.equal(
    await fulfilled(stacked.call("r")),
    await fulfilled(nested.call("r")),
  );
  assert.equal(await fulfilled(stacked.call("r")), "r|a|b|c|c|b|a");
  assert.deepEqual(log.slice(0, 6), ["a>", "b>", "c>", "<c", "<b", "<a"]);
});

Deno.test("stack of one layer is that layer; stack of many composes beyond five", async () => {
  const log: string[] = [];
  assert.equal(
    await fulfilled(stack(tagging("x", log))(echo).call("r")),
    "r|x|x",
  );
  const names = ["1", "2", "3", "4", "5", "6", "7"];
  const svc = stack(...names.map((n) => tagging(n, log)))(echo);
  assert.equal(
    await fulfilled(svc.call("r")),
    "r|1|2|3|4|5|6|7|7|6|5|4|3|2|1",
  );
});

Deno.test("stack() with no layers is the identity", () => {
  const identity = stack<S>();
  assert.equal(identity(echo), echo);
});

Deno.test("stack rejects a non-function and names the argument", () => {
  const ok = tagging("a", []);
  assert.throws(
    () => stack(ok, 5 as unknown as Layer<S, S>),
    (err: unknown) =>
      err instanceof TypeError && /argument 1 is number/.test(err.message),
  );
});

Deno.test("stack and ServiceBuilder agree", async () => {
  const log: string[] = [];
  const layers = [tagging("a", log), tagging("b", log), tagging("c", log)];
  let builder = new ServiceBuilder<string, string>();
  for (const l of layers) builder = builder.layer(l);
  assert.equal(
    await fulfilled(builder.service(echo).call("r")),
    await fulfilled(stack(...layers)(echo).call("r")),
  );
});

Deno.test("serviceFn: sync value, promise, thenable", async () => {
  assert.equal(await fulfilled(serviceFn((n: number) => n + 1).call(1)), 2);
  assert.equal(
    await fulfilled(serviceFn((n: number) => Promise.resolve(n * 3)).call(2)),
    6,
  );
  const thenable: PromiseLike<string> = {
    then: (ok, _err) => Promise.resolve(ok?.("from thenable")),
  } as PromiseLike<string>;
  assert.equal(
    await fulfilled(serviceFn(() => thenable).call(0)),
    "from thenable",
  );
  // undefined is a valid response.
  assert.equal(await fulfilled(serviceFn(() => undefined).call(0)), undefined);
});

Deno.test("serviceFn: a synchronous throw becomes a rejection, never a throw", async () => {
  const boom = new Error("boom");
  const svc = serviceFn((_: number): number => {
    throw boom;
  });
  let promise: Promise<number> | undefined;
  assert.doesNotThrow(() => {
    promise = svc.call(1);
  });
  assert.ok(promise instanceof Promise);
  assert.equal(await rejected(promise), boom);

  // Non-Error values are passed as they are (wrapping is the server's job).
  const odd = serviceFn((): number => {
    throw "plain string";
  });
  assert.equal(await rejected(odd.call(0)), "plain string");
});

Deno.test("serviceFn: a rejected promise passes through unchanged", async () => {
  const boom = new RangeError("nope");
  assert.equal(
    await rejected(serviceFn(() => Promise.reject(boom)).call(0)),
    boom,
  );
});

Deno.test("serviceFn: passes the request by reference and the call options", async () => {
  const req = { id: 1 };
  const controller = new AbortController();
  let seen: { req: unknown; options: CallOptions } | undefined;
  const svc = serviceFn((r: typeof req, options: CallOptions) => {
    seen = { req: r, options };
    return "ok";
  });
  await fulfilled(svc.call(req, { signal: controller.signal }));
  assert.equal(seen?.req, req);
  assert.equal(seen?.options.signal, controller.signal);

  // Without options the function still gets an options object.
  await fulfilled(svc.call(req));
  assert.equal(typeof seen?.options, "object");
  assert.equal(seen?.options.signal, undefined);
});

Deno.test("serviceFn: has no ready probe, so loadShed over it never sheds", async () => {
  const svc = serviceFn((n: number) => n);
  // No probe at all (not one that returns true): "always ready" is what a
  // missing probe means to every layer.
  assert.equal(svc.ready, undefined);
  assert.equal("ready" in svc, false);
  const shed = loadShed<number, number>()(svc);
  assert.equal(shed.ready(), true);
  const replies = Array.from({ length: 100 }, (_, i) => shed.call(i));
  assert.deepEqual(
    await fulfilled(Promise.all(replies)),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.equal(shed.shed, 0);
});

Deno.test("serviceFn rejects a non-function with a TypeError", () => {
  for (const bad of [undefined, null, 3, {}]) {
    assert.throws(
      () => serviceFn(bad as unknown as () => number),
      (err: unknown) =>
        err instanceof TypeError && /expects a function/.test(err.message),
    );
  }
});

Deno.test("onAbort: many listeners on one signal share one native listener", async (t) => {
  await t.step("each fires once, in order; removed ones do not", () => {
    const controller = new AbortController();
    const count = listenerCount(controller.signal);
    const fired: number[] = [];
    const listeners = Array.from({ length: 1000 }, (_, i) => ({
      handleEvent: () => fired.push(i),
    }));
    for (const l of listeners) onAbort(controller.signal, l);
    assert.equal(count(), 1);
    assert.equal(abortListeners(controller.signal), 1000);
    for (let i = 0; i < 1000; i += 2) offAbort(controller.signal, listeners[i]);
    assert.equal(abortListeners(controller.signal), 500);
    controller.abort();
    assert.deepEqual(fired, listeners.map((_, i) => i).filter((i) => i % 2));
    assert.equal(abortListeners(controller.signal), 0);
    assert.equal(count(), 0);
  });
  await t.step("the last removal removes the native listener", () => {
    const controller = new AbortController();
    const count = listenerCount(controller.signal);
    const a = { handleEvent() {} };
    const b = { handleEvent() {} };
    onAbort(controller.signal, a);
    onAbort(controller.signal, b);
    offAbort(controller.signal, a);
    assert.equal(count(), 1);
    offAbort(controller.signal, b);
    offAbort(controller.signal, b); // removing twice is a no-op
    assert.equal(count(), 0);
    assert.equal(abortListeners(controller.signal), 0);
  });
  await t.step(
    "a listener removed by an earlier one during abort is skipped",
    () => {
      const controller = new AbortController();
      const fired: string[] = [];
      const second = { handleEvent: () => fired.push("second") };
      const first = {
        handleEvent: () => {
          fired.push("first");
          offAbort(controller.signal, second);
        },
      };
      onAbort(controller.signal, first);
      onAbort(controller.signal, second);
      controller.abort();
      assert.deepEqual(fired, ["first"]);
    },
  );
});
