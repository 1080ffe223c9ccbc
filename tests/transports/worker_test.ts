import assert from "node:assert/strict";
import {
  ChannelClosedError,
  CircuitOpenError,
  HandlerError,
  InvalidOptionError,
  OverloadedError,
  ServiceBuilder,
  serviceFn,
  TimeoutError,
  UnknownMethodError,
} from "../../mod.ts";
import { loadShed, retry, timeout } from "../../layers/mod.ts";
import {
  connectWorker,
  MalformedMessageError,
  serveWorker,
  spawnWorker,
  UncloneableError,
  WorkerDiedError,
} from "../../transports/worker/mod.ts";
import {
  HelloWorldClient,
  type HelloWorldRequest,
  type HelloWorldResponse,
} from "../../examples/hello_world/hello_world.gen.ts";
import {
  LAB_WORKER,
  type LabRequest,
  type LabResponse,
} from "./worker_fixtures/lab.ts";
import {
  assertWorkersEnded,
  eventually,
  sleep,
  withWorkers,
  workersStarted,
} from "./worker_helpers.ts";

function lab(options?: Parameters<typeof spawnWorker<LabRequest, unknown>>[1]) {
  return spawnWorker<LabRequest, LabResponse>(LAB_WORKER, options);
}

Deno.test(
  "worker: a generated client calls a generated server in a worker, unchanged",
  withWorkers(async () => {
    await using hello = spawnWorker<HelloWorldRequest, HelloWorldResponse>(
      new URL("./worker_fixtures/hello_worker.ts", import.meta.url),
    );
    const client = new HelloWorldClient(hello.client);
    assert.equal(await client.hello("world"), "Hello, world!");
    // Layers stack on it like on any service.
    const layered = new ServiceBuilder<HelloWorldRequest, HelloWorldResponse>()
      .layer(timeout(5_000))
      .layer(retry({ attempts: 2 }))
      .service(hello.client);
    assert.equal(
      await new HelloWorldClient(layered).hello("layers"),
      "Hello, layers!",
    );
    assert.equal(hello.client.enforcesDeadline, true);
  }),
);

Deno.test(
  "worker: requests and responses cross by structured clone",
  withWorkers(async () => {
    await using w = lab();
    const value = {
      date: new Date(5),
      map: new Map([[1, "a"]]),
      nested: { list: [1, undefined, null] },
      big: 10n,
    };
    const back = await w.client.call({ method: "echo", args: [value] });
    assert.deepEqual(back, value);
    assert.notEqual(back, value); // a copy, not the object
  }),
);

Deno.test(
  "worker: the transfer option moves an ArrayBuffer instead of copying it",
  withWorkers(async () => {
    await using w = lab({
      transfer: (req) => req.method === "bytes" ? [req.args[0]] : [],
    });
    const buffer = new ArrayBuffer(1024);
    assert.equal(
      await w.client.call({ method: "bytes", args: [buffer] }),
      1024,
    );
    assert.equal(buffer.byteLength, 0); // detached: it moved
    // Without a transfer, the buffer is copied and stays usable.
    await using copying = lab();
    const kept = new ArrayBuffer(8);
    assert.equal(
      await copying.client.call({ method: "bytes", args: [kept] }),
      8,
    );
    assert.equal(kept.byteLength, 8);
  }),
);

Deno.test(
  "worker: errors come back typed, with their fields",
  withWorkers(async () => {
    await using w = lab();
    const thrown = (kind: string) =>
      w.client.call({ method: "throw", args: [kind] }).then(
        () => assert.fail("resolved"),
        (error) => error,
      );
    const timeoutError = await thrown("timeout");
    assert.ok(timeoutError instanceof TimeoutError);
    assert.equal(timeoutError.timeoutMs, 50);
    assert.equal(timeoutError.method, "slow");
    const closed = await thrown("closed");
    assert.ok(closed instanceof ChannelClosedError);
    assert.deepEqual(closed.value, { id: 1 });
    const circuit = await thrown("circuit");
    assert.ok(circuit instanceof CircuitOpenError);
    assert.equal(circuit.retryAfterMs, 1500);
    const option = await thrown("option");
    assert.ok(option instanceof InvalidOptionError);
    assert.equal(option.option, "size");
    const unknown = await thrown("unknown");
    assert.ok(unknown instanceof UnknownMethodError);
    assert.equal(unknown.method, "nope");
    const handler = await thrown("handler");
    assert.ok(handler instanceof HandlerError);
    assert.equal(handler.cause, "raw");
    const user = await thrown("user");
    assert.ok(user instanceof Error);
    assert.equal(user.name, "PaymentError");
    assert.equal(user.message, "declined");
    assert.match(user.stack ?? "", /lab_worker\.ts/); // the worker's stack
    assert.ok(user.cause instanceof TypeError);
    assert.equal(user.cause.message, "bad card");
    const nonError = await thrown("plain string");
    assert.ok(nonError instanceof HandlerError);
    assert.equal(nonError.cause, "plain string");
  }),
);

Deno.test(
  "worker: a value that cannot be cloned fails only its own call",
  withWorkers(async () => {
    await using w = lab();
    await assert.rejects(
      w.client.call({ method: "echo", args: [() => 1] }),
      (error) =>
        error instanceof UncloneableError &&
        error.direction === "request" &&
        (error.cause as DOMException).name === "DataCloneError",
    );
    await assert.rejects(
      w.client.call({ method: "uncloneable", args: [] }),
      (error) =>
        error instanceof UncloneableError && error.direction === "response",
    );
    // The port and the worker are fine.
    assert.equal(await w.client.call({ method: "echo", args: [1] }), 1);
    assert.equal(w.inFlight, 0);
  }),
);

Deno.test(
  "worker: an abort in the parent rejects at once and aborts the handler's signal in the worker",
  withWorkers(async () => {
    await using w = lab();
    const controller = new AbortController();
    const call = w.client.call({ method: "wait", args: ["a", 10_000] }, {
      signal: controller.signal,
    });
    await eventually(async () =>
      (await w.client.call({ method: "events", args: [] }) as string[])
        .includes("start a")
    );
    const reason = new Error("user left");
    controller.abort(reason);
    await assert.rejects(call, (error) => error === reason);
    // The worker saw it: the handler's signal aborted with the reason.
    const seen: string[] = [];
    await eventually(async () => {
      seen.push(
        ...await w.client.call({ method: "events", args: [] }) as string[],
      );
      return seen.includes("aborted a: Error");
    });
    // An already-aborted signal never reaches the worker.
    await assert.rejects(
      w.client.call({ method: "wait", args: ["b", 1] }, {
        signal: AbortSignal.abort("no"),
      }),
      (error) => error === "no",
    );
    await assert.rejects(
      w.client.call({ method: "echo", args: [1] }, {
        signal: {} as AbortSignal,
      }),
      TypeError,
    );
  }),
);

Deno.test(
  "worker: a worker serves one service; a second serveWorker() is refused",
  withWorkers(async () => {
    await using w = lab();
    await assert.rejects(
      w.client.call({ method: "serveAgain", args: [] }),
      (error) =>
        error instanceof TypeError && /already called/.test(error.message),
    );
    assert.equal(await w.client.call({ method: "echo", args: [1] }), 1);
  }),
);

Deno.test(
  "worker: the deadline and metadata cross; the deadline rejects typed and aborts the handler",
  withWorkers(async () => {
    await using w = lab();
    const context = await w.client.call({ method: "context", args: [] }, {
      deadline: Date.now() + 5_000,
      metadata: { traceparent: "00-abc-def-01" },
    }) as {
      remaining: number;
      metadata: Record<string, string>;
      frozen: boolean;
    };
    assert.ok(context.remaining > 4_000 && context.remaining <= 5_000);
    assert.deepEqual(context.metadata, { traceparent: "00-abc-def-01" });
    assert.equal(context.frozen, true);
    await assert.rejects(
      w.client.call({ method: "wait", args: ["slow", 10_000] }, {
        deadline: Date.now() + 50,
      }),
      (error) => error instanceof TimeoutError && error.method === "wait",
    );
    const seen: string[] = [];
    await eventually(async () => {
      seen.push(
        ...await w.client.call({ method: "events", args: [] }) as string[],
      );
      return seen.includes("aborted slow: TimeoutError");
    });
    // A deadline already past fails at once; bad metadata is refused.
    await assert.rejects(
      w.client.call({ method: "echo", args: [1] }, {
        deadline: Date.now() - 1,
      }),
      TimeoutError,
    );
    await assert.rejects(
      w.client.call({ method: "echo", args: [1] }, {
        metadata: { n: 1 as unknown as string },
      }),
      (error) =>
        error instanceof InvalidOptionError && error.option === "metadata.n",
    );
    // The `timeout` layer composes with it.
    await assert.rejects(
      timeout<LabRequest, LabResponse>(30)(w.client).call({
        method: "wait",
        args: ["t", 10_000],
      }),
      TimeoutError,
    );
  }),
);

Deno.test(
  "worker: at most `capacity` calls in flight, the rest wait in a bounded queue",
  withWorkers(async () => {
    await using w = lab({ capacity: 2, queue: 2 });
    await eventually(() => w.client.ready!());
    const started = [1, 2, 3, 4].map((i) =>
      w.client.call({ method: "wait", args: [`c${i}`, 200] })
    );
    assert.equal(w.inFlight, 2);
    assert.equal(w.queued, 2);
    assert.equal(w.client.ready!(), false);
    await assert.rejects(
      w.client.call({ method: "echo", args: [5] }),
      (error) =>
        error instanceof OverloadedError && /capacity/.test(error.message),
    );
    // loadShed fails fast on ready() instead of queueing.
    await assert.rejects(
      loadShed<LabRequest, LabResponse>()(w.client).call({
        method: "echo",
        args: [6],
      }),
      OverloadedError,
    );
    assert.deepEqual(await Promise.all(started), ["c1", "c2", "c3", "c4"]);
    assert.equal(w.client.ready!(), true);
  }),
);

Deno.test(
  "worker: a call aborted while queued in the parent never reaches the worker",
  withWorkers(async () => {
    await using w = lab({ capacity: 1 });
    await eventually(() => w.client.ready!());
    const first = w.client.call({ method: "wait", args: ["first", 100] });
    const controller = new AbortController();
    const queued = w.client.call({ method: "wait", args: ["queued", 1] }, {
      signal: controller.signal,
    });
    assert.equal(w.queued, 1);
    controller.abort();
    await assert.rejects(queued, (e) => (e as Error).name === "AbortError");
    assert.equal(w.queued, 0);
    assert.equal(await first, "first");
    const events = await w.client.call({ method: "events", args: [] });
    assert.deepEqual(events, ["start first", "done first"]);
  }),
);

Deno.test(
  "worker: close() stops intake, drains queued and in-flight calls, then ends the worker",
  withWorkers(async () => {
    const w = lab({ capacity: 1 });
    const calls = ["x", "y"].map((tag) =>
      w.client.call({ method: "wait", args: [tag, 50] })
    );
    const closing = w.close();
    assert.equal(w.close(), closing);
    await assert.rejects(
      w.client.call({ method: "echo", args: ["late"] }),
      (error) =>
        error instanceof ChannelClosedError &&
        !(error instanceof WorkerDiedError),
    );
    assert.deepEqual(await Promise.all(calls), ["x", "y"]);
    await closing;
    assertWorkersEnded();
  }),
);

Deno.test(
  "worker: close() does not wait for a call whose caller gave up",
  withWorkers(async () => {
    const w = lab();
    const controller = new AbortController();
    const call = w.client.call({ method: "stubborn", args: [30_000] }, {
      signal: controller.signal,
    });
    await sleep(50);
    controller.abort();
    await assert.rejects(call, (e) => (e as Error).name === "AbortError");
    const started = performance.now();
    await w.close(); // the handler ignores its signal: it would run 30 s
    assert.ok(performance.now() - started < 5_000);
    assertWorkersEnded();
  }),
);

Deno.test(
  "worker: terminate() rejects every pending call at once, typed, with the reason",
  withWorkers(async () => {
    const w = lab({ capacity: 1 });
    const running = w.client.call({ method: "wait", args: ["r", 10_000] });
    const queued = w.client.call({ method: "echo", args: ["q"] });
    await sleep(50);
    const reason = new Error("shutting down");
    const before = performance.now();
    w.terminate(reason);
    const outcomes = await Promise.allSettled([running, queued]);
    assert.ok(performance.now() - before < 1_000);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      assert.ok(outcome.reason instanceof WorkerDiedError);
      assert.equal(outcome.reason.cause, reason);
    }
    // The queued request never reached the worker: it comes back as value.
    assert.deepEqual(
      (outcomes[1] as PromiseRejectedResult).reason.value,
      { method: "echo", args: ["q"] },
    );
    await assert.rejects(
      w.client.call({ method: "echo", args: [1] }),
      ChannelClosedError,
    );
  }),
);

for (const how of ["throw", "reject", "close", "exit"] as const) {
  Deno.test(
    `worker: a worker that dies (${how}) rejects its pending calls at once; the pool replaces it`,
    withWorkers(async () => {
      await using w = lab();
      const before = workersStarted();
      const pending = w.client.call({ method: "wait", args: ["p", 10_000] });
      await w.client.call({ method: "crash", args: [how, 20] });
      await assert.rejects(pending, (error) => {
        assert.ok(error instanceof WorkerDiedError);
        assert.match(
          error.message,
          how === "close" || how === "exit" ? /closed itself/ : /died/,
        );
        return true;
      });
      // The parent is alive, and a fresh worker serves.
      assert.equal(await w.client.call({ method: "echo", args: ["on"] }), "on");
      assert.equal(workersStarted(), before + 1);
      assert.equal(w.replaced, 1);
      assert.equal(w.live, 1);
    }),
  );
}

Deno.test(
  "worker: a module that fails to load rejects calls typed, without a restart loop",
  withWorkers(async () => {
    const before = workersStarted();
    await using w = spawnWorker<number, number>(
      new URL("./worker_fixtures/broken_worker.ts", import.meta.url),
      { size: 2 },
    );
    const outcomes = await Promise.allSettled([
      w.client.call(1),
      w.client.call(2),
    ]);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      assert.ok(outcome.reason instanceof WorkerDiedError);
    }
    await eventually(() => w.live === 0);
    await assert.rejects(w.client.call(3), /no live worker/);
    assert.equal(workersStarted(), before + 2);
  }),
);

Deno.test(
  "worker: a pool of two balances calls over both workers",
  withWorkers(async () => {
    await using pool = lab({ size: 2 });
    const names = await Promise.all(
      Array.from(
        { length: 40 },
        () => pool.client.call({ method: "name", args: [] }),
      ),
    );
    assert.deepEqual(
      new Set(names),
      new Set(["lab_worker.ts#0", "lab_worker.ts#1"]),
    );
    assert.equal(pool.live, 2);
  }),
);

Deno.test(
  "worker: a ReadableStream result crosses with backpressure and cancellation",
  withWorkers(async () => {
    await using w = lab();
    const stream = await w.client.call({
      method: "count",
      args: [1_000],
    }) as ReadableStream<number>;
    const reader = stream.getReader();
    assert.deepEqual(await reader.read(), { value: 0, done: false });
    assert.deepEqual(await reader.read(), { value: 1, done: false });
    await sleep(50);
    await reader.cancel("enough");
    const seen: string[] = [];
    await eventually(async () => {
      seen.push(
        ...await w.client.call({ method: "events", args: [] }) as string[],
      );
      return seen.includes("cancel enough");
    });
    // Backpressure: the worker produced only a few more than were read.
    const pulls = seen.filter((e) => e.startsWith("pull")).length;
    assert.ok(pulls < 10, `${pulls} pulls for 2 reads`);
  }),
);

Deno.test(
  "worker: a ReadableStream argument crosses to the handler",
  withWorkers(async () => {
    await using w = lab();
    const numbers = ReadableStream.from([1, 2, 3, 4]);
    assert.equal(await w.client.call({ method: "sum", args: [numbers] }), 10);
  }),
);

Deno.test(
  "worker: connectWorker wraps a Worker the caller made",
  withWorkers(async () => {
    const worker = new Worker(LAB_WORKER, {
      type: "module",
      name: "sandboxed",
    });
    await using w = connectWorker<LabRequest, LabResponse>(worker);
    assert.equal(
      await w.client.call({ method: "name", args: [] }),
      "sandboxed",
    );
    await assert.rejects(
      w.client.call({ method: "throw", args: ["timeout"] }),
      TimeoutError,
    );
  }),
);

Deno.test(
  "worker: connectWorker works when attached after the worker said ready",
  withWorkers(async () => {
    const worker = new Worker(LAB_WORKER, { type: "module", name: "late" });
    // serveWorker's first `ready` arrives before connectWorker listens.
    await new Promise((resolve) =>
      worker.addEventListener("message", resolve, { once: true })
    );
    await using w = connectWorker<LabRequest, LabResponse>(worker);
    const deadline = Date.now() + 5_000; // without the ping: TimeoutError
    assert.equal(
      await w.client.call({ method: "echo", args: ["late"] }, { deadline }),
      "late",
    );
  }),
);

Deno.test(
  "worker: a malformed message from the worker fails its call typed, never the parent",
  withWorkers(async () => {
    // A hand-written, misbehaving peer (no norpc inside).
    const peer = `data:application/javascript,${
      encodeURIComponent(`
        self.postMessage({ t: "ready" });
        self.onmessage = ({ data }) => {
          if (data.t !== "call") return;
          const { id, req } = data;
          if (req === "bad error") {
            self.postMessage({ t: "err", id, error: { kind: "norpc", type: "TimeoutError" } });
          } else if (req === "bad kind") {
            self.postMessage({ t: "call", id, req: 1 });
          } else if (req === "no id") {
            self.postMessage({ t: "ok", res: 1 });
            self.postMessage({ t: "ok", id: id + 1000, res: "stray" });
          } else {
            self.postMessage({ t: "ok", id, res: req });
          }
        };
      `)
    }`;
    const original = console.error;
    const logged: unknown[] = [];
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      await using w = connectWorker<string, unknown>(
        new Worker(peer, { type: "module" }),
        { name: "peer" }, // a Worker does not tell its parent its name
      );
      await assert.rejects(
        w.client.call("bad error"),
        (error) =>
          error instanceof MalformedMessageError &&
          /err.error.fields.timeoutMs/.test(error.problem) &&
          /worker peer/.test(error.message),
      );
      await assert.rejects(
        w.client.call("bad kind"),
        (error) =>
          error instanceof MalformedMessageError &&
          /"ok" or "err"/.test(error.problem),
      );
      // A message naming no call is dropped (and logged); that call ends at
      // its deadline, typed.
      await assert.rejects(
        w.client.call("no id", { deadline: Date.now() + 100 }),
        TimeoutError,
      );
      assert.equal(logged.length, 1);
      assert.equal(await w.client.call("fine"), "fine");
    } finally {
      console.error = original;
    }
  }),
);

Deno.test("worker: invalid options are refused at construction, naming the option", () => {
  const bad: [unknown, string][] = [
    [{ size: 0 }, "size"],
    [{ size: 1.5 }, "size"],
    [{ capacity: 0 }, "capacity"],
    [{ queue: -1 }, "queue"],
    [{ transfer: 1 }, "transfer"],
    [{ name: 1 }, "name"],
    [{ sise: 2 }, "sise"],
    [{ workerOptions: 1 }, "workerOptions"],
    ["x", "spawnWorker options"],
  ];
  for (const [options, option] of bad) {
    assert.throws(
      () => spawnWorker(LAB_WORKER, options as never),
      (error) => error instanceof InvalidOptionError && error.option === option,
      JSON.stringify(options),
    );
  }
  assert.throws(() => spawnWorker(1 as never), InvalidOptionError);
  const echo = serviceFn((x: unknown) => x);
  assert.throws(
    () => serveWorker(echo, { nmae: "x" } as never),
    (error) => error instanceof InvalidOptionError && error.option === "nmae",
  );
  assert.throws(
    () => serveWorker(echo, { transfer: 1 } as never),
    (error) =>
      error instanceof InvalidOptionError && error.option === "transfer",
  );
  assert.throws(() => serveWorker({} as never), TypeError);
  // Valid, but this is not a worker: refused, nothing is listened to.
  assert.throws(() => serveWorker(echo), /must run inside a Worker/);
  assert.throws(() => connectWorker({} as Worker), TypeError);
  assertWorkersEnded(); // none was started
});
