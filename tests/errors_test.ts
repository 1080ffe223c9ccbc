import assert from "node:assert/strict";
import {
  ChannelClosedError,
  CircuitOpenError,
  HandlerError,
  InvalidOptionError,
  NorpcError,
  OverloadedError,
  TimeoutError,
  UnknownMethodError,
} from "../mod.ts";

Deno.test("every norpc error is a NorpcError and an Error named after its class", () => {
  const cases: [Error, string][] = [
    [new NorpcError("x"), "NorpcError"],
    [new ChannelClosedError("x"), "ChannelClosedError"],
    [new TimeoutError(1, 1), "TimeoutError"],
    [new OverloadedError("x"), "OverloadedError"],
    [new CircuitOpenError(1), "CircuitOpenError"],
    [new UnknownMethodError("m"), "UnknownMethodError"],
    [new InvalidOptionError("o", 1, "e"), "InvalidOptionError"],
    [new HandlerError("x"), "HandlerError"],
  ];
  for (const [err, name] of cases) {
    assert.ok(err instanceof NorpcError, name);
    assert.ok(err instanceof Error, name);
    assert.equal(err.name, name);
    assert.equal(Object.prototype.toString.call(err), "[object Error]");
    assert.match(err.stack ?? "", new RegExp(name));
  }
  assert.ok(!(new OverloadedError("x") instanceof ChannelClosedError));
});

Deno.test("a user subclass of NorpcError is named after itself", () => {
  class MyError extends NorpcError {}
  const err = new MyError("mine");
  assert.equal(err.name, "MyError");
  assert.ok(err instanceof NorpcError);
});

Deno.test("NorpcError keeps message and cause", () => {
  const cause = new Error("root");
  const err = new NorpcError("outer", { cause });
  assert.equal(err.message, "outer");
  assert.equal(err.cause, cause);
  assert.ok(!("cause" in new NorpcError("no cause")));
});

Deno.test("ChannelClosedError carries the unsent value and the close reason", async (t) => {
  await t.step("value and cause", () => {
    const value = { id: 1 };
    const reason = new Error("shutdown");
    const err = new ChannelClosedError("closed", value, { cause: reason });
    assert.equal(err.value, value); // the very object, not a copy
    assert.equal(err.cause, reason);
    assert.equal(err.message, "closed");
  });
  await t.step("value undefined when there was none", () => {
    const err = new ChannelClosedError("closed");
    assert.equal(err.value, undefined);
    assert.ok("value" in err);
  });
  await t.step("a falsy value is kept as is", () => {
    const err = new ChannelClosedError("closed", 0);
    assert.equal(err.value, 0);
  });
});

Deno.test("TimeoutError fields and message", async (t) => {
  await t.step("with a method", () => {
    const err = new TimeoutError(50, 50.4, "hello");
    assert.equal(err.timeoutMs, 50);
    assert.equal(err.elapsedMs, 50.4);
    assert.equal(err.method, "hello");
    assert.equal(err.message, "hello timed out after 50 ms (limit 50 ms)");
  });
  await t.step("without a method", () => {
    const err = new TimeoutError(10, 12.6);
    assert.equal(err.method, undefined);
    assert.equal(err.message, "call timed out after 13 ms (limit 10 ms)");
  });
  await t.step("cause", () => {
    const cause = new Error("x");
    assert.equal(new TimeoutError(1, 1, "m", { cause }).cause, cause);
  });
});

Deno.test("CircuitOpenError fields and message", () => {
  const cause = new Error("last failure");
  const err = new CircuitOpenError(1499.6, { cause });
  assert.equal(err.retryAfterMs, 1499.6);
  assert.equal(err.cause, cause);
  assert.match(err.message, /another 1500 ms/);
  // A negative remaining time (clock skew) never shows as negative.
  assert.match(new CircuitOpenError(-5).message, /another 0 ms/);
  assert.equal(new CircuitOpenError(-5).retryAfterMs, -5);
});

Deno.test("UnknownMethodError names the method and the service", () => {
  const err = new UnknownMethodError("helo", "HelloWorld");
  assert.equal(err.method, "helo");
  assert.match(err.message, /^unknown method "helo" on service HelloWorld;/);
  assert.match(
    err.message,
    /regenerate the client: `deno run --allow-read --allow-write jsr:@norpc\/norpc\/codegen FILE`$/,
  );
  const bare = new UnknownMethodError('we"ird');
  assert.match(bare.message, /^unknown method "we\\"ird";/);
  assert.doesNotMatch(bare.message, /on service/);
});

Deno.test("InvalidOptionError names the option and renders any value", async (t) => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const nullProtoNoJson = Object.assign(Object.create(null), {
    toJSON: () => undefined,
  });
  const cases: [unknown, string][] = [
    [0, "0"],
    [-1, "-1"],
    [1.5, "1.5"],
    [NaN, "NaN"],
    [-Infinity, "-Infinity"],
    ["3", '"3"'],
    [null, "null"],
    [undefined, "undefined"],
    [true, "true"],
    [10n, "10n"],
    [Symbol("s"), "Symbol(s)"],
    [function named() {}, "function named"],
    [() => {}, "function (anonymous)"],
    [{ a: 1 }, '{"a":1}'],
    [[1, 2], "[1,2]"],
    [circular, "[object Object]"],
    [nullProtoNoJson, "[object Object]"],
  ];
  for (const [i, [value, rendered]] of cases.entries()) {
    await t.step(`${i}: ${rendered}`, () => {
      const err = new InvalidOptionError("capacity", value, "a positive int");
      assert.equal(err.option, "capacity");
      assert.ok(Object.is(err.value, value));
      assert.equal(
        err.message,
        `invalid option capacity: ${rendered}; expected a positive int`,
      );
    });
  }
});

Deno.test("HandlerError keeps the thrown value as cause", async (t) => {
  const values: unknown[] = ["boom", 42, undefined, null, { code: 7 }, 1n];
  for (const [i, thrown] of values.entries()) {
    await t.step(`${i}: ${typeof thrown}`, () => {
      const err = new HandlerError(thrown);
      assert.ok(Object.is(err.cause, thrown));
      assert.ok("cause" in err);
      assert.match(err.message, /^handler threw a non-Error value: /);
    });
  }
  assert.equal(
    new HandlerError("boom").message,
    'handler threw a non-Error value: "boom"',
  );
  assert.equal(
    new HandlerError({ code: 7 }).message,
    'handler threw a non-Error value: {"code":7}',
  );
});
