import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ChannelClosedError,
  CircuitOpenError,
  HandlerError,
  InvalidOptionError,
  NorpcError,
  OverloadedError,
  TimeoutError,
  UnknownMethodError,
} from "../../mod.ts";
import {
  callIdOf,
  checkWireError,
  decodeContext,
  decodeError,
  encodeContext,
  encodeError,
  encodeReason,
  MalformedMessageError,
  MAX_ERROR_DEPTH,
  parseMessage,
  type ValueMode,
  type WireError,
} from "../../transports/_wire.ts";

/** Sends like a Worker (structured clone) or like NATS (JSON). */
const carriers: Record<ValueMode, (wire: WireError) => WireError> = {
  clone: (wire) => structuredClone(wire),
  json: (wire) => JSON.parse(JSON.stringify(wire)),
};

function roundTrip(thrown: unknown, mode: ValueMode = "json"): unknown {
  const wire = carriers[mode](encodeError(thrown, { values: mode }));
  assert.equal(checkWireError(wire), undefined);
  return decodeError(wire);
}

for (const mode of ["json", "clone"] as const) {
  Deno.test(`_wire (${mode}): every NorpcError subclass comes back as itself with its fields`, () => {
    const cases: Error[] = [
      new NorpcError("base", { cause: new Error("inner") }),
      new ChannelClosedError("closed", { n: 1 }),
      new TimeoutError(50, 51.5, "hello"),
      new TimeoutError(50, 51.5),
      new OverloadedError("busy"),
      new CircuitOpenError(1500),
      new UnknownMethodError("helo", "HelloWorld"),
      new InvalidOptionError("capacity", -1, "a positive integer"),
      new HandlerError("boom"),
      new MalformedMessageError("t: bad", "a peer"),
    ];
    for (const original of cases) {
      const back = roundTrip(original, mode) as Error;
      assert.equal(back.constructor, original.constructor, original.name);
      assert.ok(back instanceof NorpcError);
      assert.equal(back.name, original.name);
      assert.equal(back.message, original.message);
      assert.equal(back.stack, original.stack);
      for (const key of Object.keys(original)) {
        assert.deepEqual(
          (back as unknown as Record<string, unknown>)[key],
          (original as unknown as Record<string, unknown>)[key],
          `${original.name}.${key}`,
        );
      }
    }
    const timeout = roundTrip(new TimeoutError(50, 51.5, "hello"), mode);
    assert.ok(timeout instanceof TimeoutError);
    assert.equal(timeout.timeoutMs, 50);
    assert.equal(timeout.elapsedMs, 51.5);
    assert.equal(timeout.method, "hello");
    const circuit = roundTrip(new CircuitOpenError(1500), mode);
    assert.ok(circuit instanceof CircuitOpenError);
    assert.equal(circuit.retryAfterMs, 1500);
    const option = roundTrip(new InvalidOptionError("x", 3, "a string"), mode);
    assert.ok(option instanceof InvalidOptionError);
    assert.equal(option.option, "x");
    assert.equal(option.value, 3);
    const unknown = roundTrip(new UnknownMethodError("m"), mode);
    assert.ok(unknown instanceof UnknownMethodError);
    assert.equal(unknown.method, "m");
    const handler = roundTrip(new HandlerError({ code: 7 }), mode);
    assert.ok(handler instanceof HandlerError);
    assert.deepEqual(handler.cause, { code: 7 });
    const base = roundTrip(new NorpcError("b", { cause: new RangeError("r") }));
    assert.ok((base as Error).cause instanceof RangeError);
  });

  Deno.test(`_wire (${mode}): a user Error keeps name, message, stack, fields and its cause chain`, () => {
    class PaymentDeclined extends Error {
      code = "card_declined";
      constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "PaymentDeclined";
      }
    }
    const original = new PaymentDeclined("no funds", {
      cause: new TypeError("bad card", { cause: "root" }),
    });
    const back = roundTrip(original, mode) as Error & { code?: string };
    assert.ok(back instanceof Error);
    assert.equal(back.name, "PaymentDeclined");
    assert.equal(back.message, "no funds");
    assert.equal(back.stack, original.stack);
    assert.equal(back.code, "card_declined");
    const cause = back.cause as Error;
    assert.ok(cause instanceof TypeError);
    assert.equal(cause.message, "bad card");
    assert.equal(cause.cause, "root");
    const aggregate = roundTrip(
      new AggregateError([new Error("a"), "b"], "both"),
      mode,
    );
    assert.ok(aggregate instanceof AggregateError);
    assert.equal(aggregate.message, "both");
    assert.equal((aggregate.errors[0] as Error).message, "a");
    assert.equal(aggregate.errors[1], "b");
  });

  Deno.test(`_wire (${mode}): abort reasons come back as DOMExceptions`, () => {
    for (const name of ["AbortError", "TimeoutError"]) {
      const original = new DOMException("stopped", name);
      const wire = carriers[mode](encodeReason(original, { values: mode }));
      const back = decodeError(wire);
      assert.ok(back instanceof DOMException);
      assert.equal(back.name, name);
      assert.equal(back.message, "stopped");
    }
    const controller = new AbortController();
    controller.abort();
    const back = decodeError(
      carriers[mode](encodeReason(controller.signal.reason)),
    );
    assert.ok(back instanceof DOMException);
    assert.equal(back.name, "AbortError");
    // A plain reason stays a plain value; undefined stays undefined.
    assert.equal(
      decodeError(carriers[mode](encodeReason("shutdown"))),
      "shutdown",
    );
    assert.equal(
      decodeError(carriers[mode](encodeReason(undefined))),
      undefined,
    );
  });
}

Deno.test("_wire: a thrown non-Error becomes a HandlerError; an uncarriable one is described", () => {
  const back = roundTrip(42);
  assert.ok(back instanceof HandlerError);
  assert.equal(back.cause, 42);
  const fn = roundTrip(function secret() {});
  assert.ok(fn instanceof HandlerError);
  assert.equal(fn.cause, "function secret");
  // Clone mode carries what structuredClone can, JSON mode only JSON data.
  const date = new Date(0);
  assert.deepEqual((roundTrip(date, "clone") as Error).cause, date);
  assert.equal(
    (roundTrip(date, "json") as Error).cause,
    "[object Date]",
  );
});

Deno.test("_wire: ChannelClosedError.value is kept only when it can cross", () => {
  const fn = () => {};
  const back = roundTrip(new ChannelClosedError("closed", fn), "clone");
  assert.ok(back instanceof ChannelClosedError);
  assert.equal(back.value, undefined);
  assert.equal(back.message, "closed");
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const json = roundTrip(new ChannelClosedError("closed", cyclic), "json");
  assert.ok(json instanceof ChannelClosedError);
  assert.equal(json.value, undefined);
});

Deno.test("_wire: the cause chain is bounded", () => {
  let error = new Error("0");
  for (let i = 1; i < 50; i++) error = new Error(String(i), { cause: error });
  let back = roundTrip(error) as Error;
  let links = 0;
  while (back.cause instanceof Error) {
    back = back.cause;
    links++;
  }
  assert.equal(links, MAX_ERROR_DEPTH);
  // A hostile peer sending a deeper chain is refused, not recursed into.
  let wire: WireError = { kind: "error", message: "x" };
  for (let i = 0; i < 100; i++) wire = { kind: "error", cause: wire };
  assert.match(checkWireError(wire) ?? "", /nested too deeply/);
});

Deno.test("_wire: an error whose getters throw is encoded, not thrown", () => {
  const hostile = new Error("x");
  Object.defineProperty(hostile, "message", {
    get() {
      throw new Error("no");
    },
  });
  const back = roundTrip(hostile) as Error;
  assert.ok(back instanceof Error);
  const proxy = new Proxy(new Error("p"), {
    ownKeys() {
      throw new Error("no keys");
    },
  });
  assert.match((roundTrip(proxy) as Error).message, /could not encode/);
});

Deno.test("_wire: the deadline travels as remaining time, rebuilt on the receiver's clock", () => {
  const wire = encodeContext({ deadline: 1_500, metadata: { a: "1" } }, 1_000);
  assert.deepEqual(wire, { remainingMs: 500, metadata: { a: "1" } });
  // The receiver's clock is an hour off: the deadline is 500 ms from ITS now.
  const context = decodeContext(JSON.parse(JSON.stringify(wire)), 3_601_000);
  assert.deepEqual(context, { deadline: 3_601_500, metadata: { a: "1" } });
  // A deadline already past travels as 0 remaining; none means none.
  assert.deepEqual(encodeContext({ deadline: 10 }, 1_000), { remainingMs: 0 });
  assert.equal(encodeContext({}, 1_000), undefined);
  assert.equal(encodeContext(undefined), undefined);
  assert.deepEqual(encodeContext({ deadline: Infinity }), {});
  assert.deepEqual(decodeContext(undefined), {});
});

Deno.test("_wire: bad context is refused with a typed error naming it", () => {
  assert.throws(
    () => encodeContext({ metadata: { a: 1 as unknown as string } }),
    (err) => err instanceof InvalidOptionError && err.option === "metadata.a",
  );
  assert.throws(
    () => encodeContext({ metadata: "x" as unknown as Record<string, string> }),
    (err) => err instanceof InvalidOptionError && err.option === "metadata",
  );
  assert.throws(
    () => encodeContext({ deadline: NaN }),
    (err) => err instanceof InvalidOptionError && err.option === "deadline",
  );
  for (
    const bad of [
      null,
      1,
      { remainingMs: -1 },
      { remainingMs: "5" },
      { metadata: { a: 2 } },
      { metadata: [] },
    ]
  ) {
    assert.ok(decodeContext(bad) instanceof MalformedMessageError, String(bad));
  }
});

Deno.test("_wire: parseMessage accepts the protocol and types every malformed message", () => {
  const valid = [
    { t: "call", id: 0, req: { method: "m", args: [] } },
    { t: "call", id: 1, req: null, ctx: { remainingMs: 5 } },
    { t: "cancel", id: 2 },
    {
      t: "cancel",
      id: 2,
      reason: encodeReason(new DOMException("x", "AbortError")),
    },
    { t: "ok", id: 3, res: undefined },
    { t: "err", id: 4, error: encodeError(new TimeoutError(1, 2)) },
  ];
  for (const message of valid) assert.equal(parseMessage(message), message);
  const malformed: [unknown, RegExp, number | undefined][] = [
    [null, /expected an object/, undefined],
    ["call", /expected an object/, undefined],
    [{ t: "nope", id: 1 }, /t: expected/, 1],
    [{ t: "call", id: -1 }, /call.id/, undefined],
    [{ t: "call", id: 1.5 }, /call.id/, undefined],
    [
      { t: "call", id: 7, ctx: { metadata: { a: 1 } } },
      /call.ctx.metadata.a/,
      7,
    ],
    [{ t: "err", id: 8 }, /err.error: expected an object/, 8],
    [
      { t: "err", id: 8, error: { kind: "norpc", type: "TimeoutError" } },
      /timeoutMs/,
      8,
    ],
    [
      { t: "err", id: 8, error: { kind: "norpc", type: "toString" } },
      /unknown norpc/,
      8,
    ],
    [{ t: "err", id: 8, error: { kind: "error", message: 5 } }, /message/, 8],
    [{ t: "cancel", id: 9, reason: { kind: "dom" } }, /name/, 9],
  ];
  for (const [data, problem, id] of malformed) {
    const error = parseMessage(data, "worker x");
    assert.ok(error instanceof MalformedMessageError, JSON.stringify(data));
    assert.match(error.problem, problem);
    assert.match(error.message, /from worker x/);
    assert.equal(callIdOf(error), id);
  }
});

// --- properties ---------------------------------------------------------

/** JSON data as JSON delivers it (no -0, which arrives as 0). */
const jsonData = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)));

const norpcErrors: fc.Arbitrary<Error> = fc.oneof(
  fc.tuple(fc.string(), jsonData).map(([m, v]) => new ChannelClosedError(m, v)),
  fc.tuple(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.option(fc.string(), { nil: undefined }),
    // JSON has no -0 (it arrives as 0): documented, so not generated here.
  ).map(([t, e, m]) => new TimeoutError(t + 0, e + 0, m)),
  fc.string().map((m) => new OverloadedError(m)),
  fc.integer().map((ms) => new CircuitOpenError(ms)),
  fc.string().map((m) => new UnknownMethodError(m)),
  fc.tuple(fc.string(), jsonData).map(([o, v]) =>
    new InvalidOptionError(o, v, "x")
  ),
  jsonData.map((v) => new HandlerError(v)),
);

const anyError: fc.Arbitrary<Error> = fc.letrec<{ error: Error }>((tie) => ({
  error: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    norpcErrors,
    fc.tuple(fc.string(), fc.string()).map(([name, message]) => {
      const error = new Error(message);
      error.name = name;
      return error;
    }),
    fc.tuple(fc.string(), tie("error")).map(([message, cause]) =>
      new TypeError(message, { cause })
    ),
    fc.tuple(fc.string(), tie("error")).map(([message, cause]) =>
      new NorpcError(message, { cause })
    ),
  ),
})).error;

function sameError(a: unknown, b: unknown, depth = 0): void {
  if (!(b instanceof Error) || depth > MAX_ERROR_DEPTH) return;
  assert.ok(a instanceof Error);
  assert.equal(a.constructor, b.constructor);
  assert.equal(a.name, b.name);
  assert.equal(a.message, b.message);
  for (const key of Object.keys(b)) {
    assert.deepEqual(
      (a as unknown as Record<string, unknown>)[key],
      (b as unknown as Record<string, unknown>)[key],
    );
  }
  if (b.cause instanceof Error) sameError(a.cause, b.cause, depth + 1);
  else assert.deepEqual(a.cause, b.cause);
}

Deno.test("_wire property: any error round-trips through JSON and structured clone", () => {
  fc.assert(
    fc.property(
      anyError,
      fc.constantFrom<ValueMode>("json", "clone"),
      (error, mode) => {
        sameError(roundTrip(error, mode), error);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("_wire property: anything encodes to a well-formed, JSON-safe wire error", () => {
  fc.assert(
    fc.property(
      fc.anything({ withBigInt: true, withDate: true, withMap: true }),
      (value) => {
        for (const wire of [encodeError(value), encodeReason(value)]) {
          const json = JSON.parse(JSON.stringify(wire));
          assert.equal(checkWireError(json), undefined);
          decodeError(json);
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("_wire property: parseMessage never throws on junk", () => {
  const junk = fc.oneof(
    fc.anything(),
    fc.record({
      t: fc.constantFrom("call", "cancel", "ok", "err", "x"),
      id: fc.oneof(fc.integer(), fc.double(), fc.string()),
      ctx: fc.anything(),
      error: fc.anything(),
      reason: fc.anything(),
    }, { requiredKeys: ["t"] }),
  );
  fc.assert(
    fc.property(junk, (data) => {
      const result = parseMessage(data);
      if (result instanceof MalformedMessageError) {
        assert.ok(result.problem.length > 0);
      } else {
        assert.equal(result, data);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("_wire property: deadline remaining time is preserved across any clock offset", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e12 }),
      fc.integer({ min: 0, max: 1e9 }),
      fc.integer({ min: -1e9, max: 1e9 }),
      (now, remaining, skew) => {
        const wire = encodeContext({ deadline: now + remaining }, now);
        const context = decodeContext(wire, now + skew);
        assert.ok(!(context instanceof MalformedMessageError));
        assert.equal(context.deadline, now + skew + remaining);
      },
    ),
  );
});
