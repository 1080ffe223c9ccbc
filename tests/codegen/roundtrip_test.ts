/**
 * Freshly generated code against real implementations: handlers are classes
 * that `implements` the generated interfaces (so this file type-checks them),
 * and every call goes client → `spawn` → generated server → handler and back
 * through the code the generator emits now (not the checked-in files).
 */

import assert from "node:assert/strict";
import {
  BadRequestError,
  type CallOptions,
  type Service,
  spawn,
  UnknownMethodError,
} from "@norpc/norpc";
// Types only: the checked-in files type the handlers below (the golden test
// proves they equal today's output); the code that runs is generated now.
import type {
  CounterHandler,
  CounterRequest,
  CounterResponse,
  CounterResponses,
} from "./testdata/basic/service.gen.ts";
import type { GeometryHandler } from "./testdata/types/service.gen.ts";
import type { Box, Polygon } from "./testdata/types/service.ts";
import type { Point } from "./testdata/types/shapes.ts";
import { generateFresh } from "./_fresh.ts";

/**
 * The modules the generator emits now, written to a temporary directory and
 * imported from there, so a generator bug (say, method names swapped in the
 * server's switch) fails these tests even when the checked-in files are fine.
 */
const fresh = await generateFresh();
const basic: typeof import("./testdata/basic/service.gen.ts") = await import(
  fresh.files.basic
);
const types: typeof import("./testdata/types/service.gen.ts") = await import(
  fresh.files.types
);
const multi: typeof import("./testdata/multi/service.gen.ts") = await import(
  fresh.files.multi
);
await fresh.remove();
const { CounterClient, counterServer } = basic;
const { GeometryClient, geometryServer } = types;
const {
  AVeryLongServiceNameThatMakesEveryGeneratedLineLongerClient,
  aVeryLongServiceNameThatMakesEveryGeneratedLineLongerServer,
  EchoClient,
  echoServer,
} = multi;

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends
  (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_T extends true>(): void {}

class CounterImpl implements CounterHandler {
  count = 0;
  seenOptions: CallOptions[] = [];
  add(n: number | undefined, options: CallOptions): number {
    this.seenOptions.push(options);
    this.count += n ?? 1;
    return this.count;
  }
  get(): Promise<number> {
    return Promise.resolve(this.count);
  }
  reset(): void {
    this.count = 0;
  }
  sleep(ms: number, options: CallOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      options.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        this.aborted = true;
        reject(options.signal?.reason);
      }, { once: true });
    });
  }
  aborted = false;
  fail(message: string, sync: boolean): Promise<never> {
    if (sync) throw new Error(message);
    return Promise.reject(new Error(message));
  }
}

Deno.test("roundtrip: Counter through spawn", async (t) => {
  const impl = new CounterImpl();
  const { client, server } = spawn(counterServer(impl));
  const counter = new CounterClient(client);
  try {
    await t.step("results are typed and delivered", async () => {
      const added = await counter.add(2);
      assertType<Equal<typeof added, number>>();
      assert.equal(added, 2);
      assert.equal(await counter.add(), 3);
      const got = await counter.get();
      assertType<Equal<typeof got, number>>();
      assert.equal(got, 3);
      const reset = await counter.reset();
      assertType<Equal<typeof reset, void>>();
      assert.equal(reset, undefined);
      assert.equal(await counter.get(), 0);
    });

    await t.step("the handler gets the call's options last", async () => {
      const controller = new AbortController();
      impl.seenOptions = [];
      await counter.add(1, { signal: controller.signal });
      await counter.add(1);
      assert.equal(impl.seenOptions.length, 2);
      // The server may hand the handler a signal of its own, linked to the
      // caller's; what matters is that the handler always gets options.
      assert.ok(impl.seenOptions[0].signal instanceof AbortSignal);
      assert.equal(typeof impl.seenOptions[1], "object");
    });

    await t.step("abort reaches the running handler", async () => {
      const controller = new AbortController();
      const call = counter.sleep(60_000, { signal: controller.signal });
      await new Promise((r) => setTimeout(r, 10));
      controller.abort(new Error("give up"));
      await assert.rejects(call, /give up/);
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(impl.aborted, true);
    });

    await t.step(
      "sync throws and rejections both reject the caller",
      async () => {
        await assert.rejects(counter.fail("sync", true), /^Error: sync$/);
        await assert.rejects(counter.fail("async", false), /^Error: async$/);
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("roundtrip: the generated server on its own", async (t) => {
  const service: Service<CounterRequest, CounterResponse> = counterServer(
    new CounterImpl(),
  );

  await t.step(
    "returns a promise even when the handler throws synchronously",
    async () => {
      const result = service.call({ method: "fail", args: ["boom", true] });
      assert.ok(result instanceof Promise);
      await assert.rejects(result, /boom/);
    },
  );

  await t.step(
    "an unknown method rejects with UnknownMethodError",
    async () => {
      const bogus = { method: "nope", args: [] } as unknown as CounterRequest;
      const result = service.call(bogus);
      assert.ok(result instanceof Promise);
      await assert.rejects(result, (err) => {
        assert.ok(err instanceof UnknownMethodError);
        assert.equal(err.method, "nope");
        assert.match(err.message, /Counter/);
        return true;
      });
    },
  );

  await t.step(
    "a malformed request rejects, typed and naming the service, instead of throwing",
    async () => {
      const result = service.call(null as unknown as CounterRequest);
      assert.ok(result instanceof Promise);
      await assert.rejects(result, (err) => {
        assert.ok(err instanceof BadRequestError);
        assert.equal(err.service, "Counter");
        return true;
      });
    },
  );

  await t.step("response map types", () => {
    assertType<Equal<CounterResponses["add"], number>>();
    assertType<Equal<CounterResponses["sleep"], void>>();
    assertType<
      Equal<
        CounterRequest["method"],
        "add" | "get" | "reset" | "sleep" | "fail"
      >
    >();
  });
});

class GeometryImpl implements GeometryHandler {
  distance(a: Point, b: Point, rounding?: "floor" | "ceil" | "round" | "none") {
    const d = Math.hypot(a.x - b.x, a.y - b.y);
    return rounding === "floor" ? Math.floor(d) : d;
  }
  bounds(polygon: Polygon): Box | null {
    if (polygon.length === 0) return null;
    const xs = polygon.map((p) => p.x);
    const ys = polygon.map((p) => p.y);
    return {
      min: { x: Math.min(...xs), y: Math.min(...ys) },
      max: { x: Math.max(...xs), y: Math.max(...ys) },
    };
  }
  label(point: Point, meta: { label: string }) {
    return Promise.resolve(
      `${point.x},${point.y}: ${meta.label}` as `${number},${number}: ${string}`,
    );
  }
  split(
    polygon: Polygon,
    at: [first: number, second?: number],
  ): [Polygon, Polygon] {
    return [polygon.slice(0, at[0]), polygon.slice(at[1] ?? at[0])];
  }
  transform(polygon: Polygon, f: (p: Point, index: number) => Point) {
    return polygon.map(f);
  }
  classify(
    point: Point,
    shape: Parameters<GeometryHandler["classify"]>[1],
  ): "inside" | "outside" {
    if (shape.kind === "circle") {
      const d = Math.hypot(point.x - shape.center.x, point.y - shape.center.y);
      return d < shape.radius ? "inside" : "outside";
    }
    return "outside";
  }
  lookup(names: string[], table: Record<string, Point>) {
    return new Map(names.map((n) => [n, table[n]] as const));
  }
  scaler(factor: number) {
    return (p: Point) => ({ x: p.x * factor, y: p.y * factor });
  }
  configure(settings: { precision: number; rounding: "none" } | undefined) {
    return settings ?? null;
  }
}

Deno.test("roundtrip: Geometry with imported, local and inline types", async () => {
  const { client, server } = spawn(geometryServer(new GeometryImpl()));
  try {
    const geo = new GeometryClient(client);
    const o = { x: 0, y: 0 };
    assert.equal(await geo.distance(o, { x: 3, y: 4 }), 5);
    assert.equal(await geo.distance(o, { x: 1, y: 1 }, "floor"), 1);
    const box = await geo.bounds([o, { x: 2, y: -1 }]);
    assertType<Equal<typeof box, Box | null>>();
    assert.deepEqual(box, { min: { x: 0, y: -1 }, max: { x: 2, y: 0 } });
    assert.equal(await geo.bounds([]), null);
    const label = await geo.label({ x: 1, y: 2 }, { label: "here" });
    assert.equal(label, "1,2: here");
    const [left, right] = await geo.split([o, o, { x: 1, y: 1 }], [2]);
    assert.equal(left.length, 2);
    assert.equal(right.length, 1);
    const moved = await geo.transform(
      [o],
      (p, i) => ({ x: p.x + i + 1, y: p.y }),
    );
    assert.deepEqual(moved, [{ x: 1, y: 0 }]);
    const where = await geo.classify(o, {
      kind: "circle",
      center: o,
      radius: 1,
    });
    assertType<
      Equal<
        typeof where,
        "inside" | "outside" | "on the edge" | 'on a "vertex"'
      >
    >();
    assert.equal(where, "inside");
    const found = await geo.lookup(["a", "b"], { a: o });
    assert.equal(found.get("a"), o);
    assert.equal(found.get("b"), undefined);
    const double = await geo.scaler(2);
    assert.deepEqual(double({ x: 1, y: 2 }), { x: 2, y: 4 });
    assert.equal(await geo.configure(), null);
    const typeErrors = () => {
      // @ts-expect-error: distance takes points, not numbers
      geo.distance(1, 2);
      // @ts-expect-error: rounding is one of the Rounding literals
      geo.distance(o, o, "up");
      // @ts-expect-error: the tuple's first element is required
      geo.split([], []);
    };
    assert.equal(typeof typeErrors, "function");
  } finally {
    await server.close();
  }
});

Deno.test("roundtrip: parameters named like generated locals, long names", async () => {
  const echo = spawn(echoServer({
    echo: (options, req) => [options, req],
    echoAVeryLongMethodNameThatForcesTheFormatterToBreakLines: (s) => s + s,
  }));
  const long = spawn(
    aVeryLongServiceNameThatMakesEveryGeneratedLineLongerServer({
      ping: () => Promise.resolve("pong" as const),
    }),
  );
  try {
    const client = new EchoClient(echo.client);
    assert.deepEqual(await client.echo("a", 1), ["a", 1]);
    assert.equal(
      await client.echoAVeryLongMethodNameThatForcesTheFormatterToBreakLines(
        "ab",
      ),
      "abab",
    );
    const typeErrors = () => {
      // @ts-expect-error: the trailing argument is CallOptions, not a string
      client.echo("a", 1, "extra");
      // @ts-expect-error: no such method
      client.call({ method: "echo", args: ["a", 1] });
    };
    assert.equal(typeof typeErrors, "function");
    const other =
      new AVeryLongServiceNameThatMakesEveryGeneratedLineLongerClient(
        long.client,
      );
    assert.equal(await other.ping(), "pong");
  } finally {
    await echo.server.close();
    await long.server.close();
  }
});
