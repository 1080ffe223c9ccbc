import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  type CallOptions,
  HandlerError,
  InvalidOptionError,
  NorpcError,
  OverloadedError,
  ServiceBuilder,
  serviceFn,
  TimeoutError,
  UnknownMethodError,
} from "@norpc/norpc";
import { retry, timeout } from "@norpc/norpc/layers";
import {
  type Codec,
  MalformedMessageError,
  natsClient,
  NatsUnavailableError,
  PayloadError,
  retryableOverNats,
  serveNats,
} from "@norpc/norpc/nats";
import {
  HelloWorldClient,
  helloWorldServer,
} from "../../examples/hello_world/hello_world.gen.ts";
import { type NatsServer, natsTest, startNatsServer } from "./_nats_server.ts";

/** Runs `fn` with a private nats-server and connections to it, then ends them all. */
async function withNats(
  fn: (ctx: {
    server: NatsServer;
    connect: (options?: { reconnect?: boolean }) => Promise<NatsConnection>;
  }) => Promise<void>,
): Promise<void> {
  await using server = await startNatsServer();
  const conns: NatsConnection[] = [];
  try {
    await fn({
      server,
      connect: async (options) => {
        const nc = await connect({
          servers: server.url,
          reconnectTimeWait: 50,
          ...options,
        });
        conns.push(nc);
        return nc;
      },
    });
  } finally {
    for (const nc of conns) {
      if (!nc.isClosed()) await nc.close();
    }
  }
}

function later<T>(): PromiseWithResolvers<T> {
  return Promise.withResolvers<T>();
}

natsTest(
  "nats: a generated client calls a served service; counters add up",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const server = serveNats(
        nc,
        "hello",
        helloWorldServer({ hello: (s) => `Hello, ${s}!` }),
      );
      const hello = new HelloWorldClient(natsClient(nc, "hello"));
      assert.equal(await hello.hello("world"), "Hello, world!");
      const many = await Promise.all(
        Array.from({ length: 50 }, (_, i) => hello.hello(`n${i}`)),
      );
      assert.equal(many[49], "Hello, n49!");
      assert.equal(server.served, 51);
      assert.equal(server.failed + server.cancelled + server.rejected, 0);
      assert.equal(server.inFlight + server.queued, 0);
      await server.close();
    });
  },
);

natsTest(
  "nats: undefined and JSON values round-trip; layers stack on the client",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const server = serveNats(
        nc,
        "echo",
        serviceFn((req: unknown) => req === "void" ? undefined : req),
      );
      const client = new ServiceBuilder<unknown, unknown>()
        .layer(timeout(2000))
        .service(natsClient(nc, "echo"));
      assert.equal(await client.call("void"), undefined);
      assert.equal(await client.call(undefined), undefined);
      const value = { a: [1, "two", null, { b: true }], n: -3.5 };
      assert.deepEqual(await client.call(value), value);
      await server.close();
    });
  },
);

natsTest("nats: errors cross typed, with their fields and causes", async () => {
  await withNats(async ({ connect }) => {
    const nc = await connect();
    const server = serveNats(
      nc,
      "errors",
      serviceFn((kind: string) => {
        switch (kind) {
          case "timeout":
            throw new TimeoutError(50, 61, "slow");
          case "type":
            throw new TypeError("bad input", { cause: new Error("root") });
          case "value":
            throw 42;
          case "overloaded":
            throw new OverloadedError("busy");
          default:
            throw new UnknownMethodError(kind, "Errors");
        }
      }),
    );
    const client = natsClient<string, never>(nc, "errors");
    const timeoutError = await client.call("timeout").catch((e) => e);
    assert.ok(timeoutError instanceof TimeoutError);
    assert.equal(timeoutError.timeoutMs, 50);
    assert.equal(timeoutError.method, "slow");
    assert.equal(timeoutError.stack?.includes("server.ts"), false);
    const typeError = await client.call("type").catch((e) => e);
    assert.ok(typeError instanceof TypeError);
    assert.equal(typeError.message, "bad input");
    assert.equal((typeError.cause as Error).message, "root");
    const handlerError = await client.call("value").catch((e) => e);
    assert.ok(handlerError instanceof HandlerError);
    assert.equal(handlerError.cause, 42);
    assert.ok(
      await client.call("overloaded").catch((e) => e) instanceof
        OverloadedError,
    );
    const unknown = await client.call("nope").catch((e) => e);
    assert.ok(unknown instanceof UnknownMethodError);
    assert.equal(unknown.method, "nope");
    assert.equal(server.failed, 5);
    await server.close();
  });
});

natsTest(
  "nats: no responders rejects at once, typed, naming the subject",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const started = Date.now();
      const error = await natsClient(nc, "nobody.home").call({ x: 1 }).catch((
        e,
      ) => e);
      assert.ok(error instanceof NatsUnavailableError);
      assert.equal(error.code, "no-responders");
      assert.equal(error.subject, "nobody.home");
      assert.deepEqual(error.value, { x: 1 });
      assert.match(error.message, /nobody\.home/);
      assert.ok(Date.now() - started < 1000);
    });
  },
);

natsTest(
  "nats: the deadline crosses as remaining time and bounds the call",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const seen = later<{ deadline?: number; reason: unknown }>();
      const server = serveNats(
        nc,
        "slow",
        serviceFn((_req: string, options: CallOptions) =>
          new Promise<never>((_, reject) => {
            options.signal!.addEventListener("abort", () => {
              seen.resolve({
                deadline: options.deadline,
                reason: options.signal!.reason,
              });
              reject(options.signal!.reason);
            });
          })
        ),
      );
      const client = natsClient<string, string>(nc, "slow");
      assert.equal(client.enforcesDeadline, true);
      const deadline = Date.now() + 150;
      const started = Date.now();
      const error = await client.call("x", { deadline }).catch((e) => e);
      const elapsed = Date.now() - started;
      assert.ok(error instanceof TimeoutError, String(error));
      assert.ok(elapsed >= 140 && elapsed < 1000, `elapsed ${elapsed}`);
      const { deadline: handlerDeadline, reason } = await seen.promise;
      assert.ok(Math.abs(handlerDeadline! - deadline) < 50);
      assert.ok(reason instanceof TimeoutError);
      // A deadline already past never leaves the caller.
      const past = await client.call("x", { deadline: Date.now() - 1 }).catch((
        e,
      ) => e);
      assert.ok(past instanceof TimeoutError);
      await server.close();
      assert.equal(server.failed, 1);
    });
  },
);

natsTest(
  "nats: metadata crosses as headers (traceparent); reserved or bad keys are refused",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const server = serveNats(
        nc,
        "meta",
        serviceFn((_req: null, options: CallOptions) => ({
          ...options.metadata,
        })),
      );
      const client = natsClient<null, Record<string, string>>(nc, "meta");
      const traceparent =
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      assert.deepEqual(
        await client.call(null, { metadata: { traceparent, tenant: "acme" } }),
        { traceparent, tenant: "acme" },
      );
      assert.deepEqual(await client.call(null), {});
      await assert.rejects(
        client.call(null, { metadata: { "Norpc-Deadline": "1" } }),
        InvalidOptionError,
      );
      await assert.rejects(
        client.call(null, { metadata: { "bad key": "1" } }),
        InvalidOptionError,
      );
      await assert.rejects(
        client.call(null, { metadata: { ok: "line\nbreak" } }),
        InvalidOptionError,
      );
      await assert.rejects(
        client.call(null, {
          metadata: { n: 1 } as unknown as Record<string, string>,
        }),
        InvalidOptionError,
      );
      await server.close();
    });
  },
);

natsTest(
  "nats: an abort rejects at once and aborts the handler's signal on the responder",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const started = later<void>();
      const aborted = later<unknown>();
      const server = serveNats(
        nc,
        "abortable",
        serviceFn((_req: null, options: CallOptions) => {
          started.resolve();
          return new Promise<never>((_, reject) => {
            options.signal!.addEventListener("abort", () => {
              aborted.resolve(options.signal!.reason);
              reject(options.signal!.reason);
            });
          });
        }),
      );
      const client = natsClient<null, never>(nc, "abortable");
      const controller = new AbortController();
      const call = client.call(null, { signal: controller.signal });
      await started.promise;
      controller.abort(new RangeError("user left"));
      await assert.rejects(call, RangeError);
      const reason = await aborted.promise;
      assert.ok(reason instanceof RangeError);
      assert.equal((reason as Error).message, "user left");
      // An already aborted signal never sends.
      await assert.rejects(
        client.call(null, { signal: AbortSignal.abort(new Error("early")) }),
        /early/,
      );
      await server.close();
      assert.equal(server.failed, 1);
    });
  },
);

natsTest(
  "nats: malformed and oversized requests get typed replies; the responder goes on",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const server = serveNats(nc, "strict", serviceFn((n: number) => n + 1), {
        maxRequestBytes: 64,
      });
      const client = natsClient<unknown, number>(nc, "strict");
      const raw = await nc.request("strict", "{not json", { timeout: 2000 });
      assert.equal(raw.headers?.get("Norpc-Status"), "error");
      assert.equal(raw.json<{ type: string }>().type, "MalformedMessageError");
      const good = await nc.request("strict", "1", { timeout: 2000 });
      assert.equal(good.string(), "2");
      const big = await client.call("x".repeat(100)).catch((e) => e);
      assert.ok(big instanceof PayloadError, String(big));
      assert.equal(big.problem, "too-large");
      assert.equal(big.limitBytes, 64);
      const unencodable = await client.call(10n).catch((e) => e);
      assert.ok(unencodable instanceof PayloadError);
      assert.equal(unencodable.problem, "unencodable");
      assert.equal(await client.call(1), 2);
      assert.equal(server.failed, 2);
      assert.equal(server.served, 2);
      await server.close();
    });
  },
);

natsTest(
  "nats: a malformed deadline header is a typed error reply",
  async () => {
    await withNats(async ({ connect }) => {
      const { headers } = await import("@nats-io/transport-node");
      const nc = await connect();
      const server = serveNats(nc, "strict", serviceFn((n: number) => n));
      const h = headers();
      h.set("Norpc-Deadline", "soon");
      const raw = await nc.request("strict", "1", {
        timeout: 2000,
        headers: h,
      });
      assert.equal(raw.json<{ type: string }>().type, "MalformedMessageError");
      assert.equal(server.failed, 1);
      await server.close();
    });
  },
);

natsTest("nats: a custom codec is used both ways", async () => {
  await withNats(async ({ connect }) => {
    const nc = await connect();
    const dates: Codec = {
      encode: (v) => new TextEncoder().encode(String((v as Date).getTime())),
      decode: (b) => new Date(Number(new TextDecoder().decode(b))),
    };
    const server = serveNats(
      nc,
      "dates",
      serviceFn((d: Date) => new Date(d.getTime() + 1000)),
      { codec: dates },
    );
    const got = await natsClient<Date, Date>(nc, "dates", { codec: dates })
      .call(new Date(0));
    assert.ok(got instanceof Date);
    assert.equal(got.getTime(), 1000);
    await server.close();
  });
});

natsTest(
  "nats: concurrency and maxPending: the overflow is refused with OverloadedError",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const gate = later<void>();
      let running = 0;
      let most = 0;
      const server = serveNats(
        nc,
        "actor",
        serviceFn(async (n: number) => {
          most = Math.max(most, ++running);
          await gate.promise;
          running--;
          return n;
        }),
        { concurrency: 1, maxPending: 1 },
      );
      const client = natsClient<number, number>(nc, "actor");
      const calls = [1, 2, 3].map((n) => client.call(n).catch((e) => e));
      const third = await calls[2];
      assert.ok(third instanceof OverloadedError);
      assert.equal(server.rejected, 1);
      gate.resolve();
      assert.deepEqual(await Promise.all(calls.slice(0, 2)), [1, 2]);
      assert.equal(most, 1);
      await server.close();
      assert.equal(server.served, 2);
    });
  },
);

natsTest(
  "nats: close drains: in-flight calls finish, then nobody answers",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const gate = later<void>();
      const server = serveNats(
        nc,
        "drain",
        serviceFn(async (n: number) => {
          await gate.promise;
          return n * 2;
        }),
      );
      const client = natsClient<number, number>(nc, "drain");
      const calls = [1, 2, 3].map((n) => client.call(n));
      while (server.inFlight < 3) await new Promise((r) => setTimeout(r, 5));
      assert.equal(server.state, "open");
      const closing = server.close();
      assert.equal(server.close(), closing);
      assert.equal(server.state, "closing");
      setTimeout(() => gate.resolve(), 20);
      await closing;
      assert.deepEqual(await Promise.all(calls), [2, 4, 6]);
      assert.equal(server.state, "stopped");
      const after = await client.call(4).catch((e) => e);
      assert.ok(after instanceof NatsUnavailableError);
      assert.equal(after.code, "no-responders");
      assert.equal(server.served, 3);
    });
  },
);

natsTest(
  "nats: abort stops at once: running handlers see the reason",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const server = serveNats(
        nc,
        "abort.me",
        serviceFn((_n: number, options: CallOptions) =>
          new Promise<never>((_, reject) =>
            options.signal!.addEventListener(
              "abort",
              () => reject(options.signal!.reason),
            )
          )
        ),
      );
      const client = natsClient<number, never>(nc, "abort.me");
      const call = client.call(1).catch((e) => e);
      while (server.inFlight < 1) await new Promise((r) => setTimeout(r, 5));
      await server.abort(new OverloadedError("shutting down"));
      assert.ok(await call instanceof OverloadedError);
    });
  },
);

natsTest(
  "nats: a lost connection rejects pending calls at once; new calls fail fast until it is back",
  async () => {
    await withNats(async ({ server, connect }) => {
      const responder = await connect();
      const caller = await connect();
      const served = serveNats(
        responder,
        "hang",
        serviceFn((_n: number, options: CallOptions) =>
          new Promise<never>((_, reject) =>
            options.signal!.addEventListener(
              "abort",
              () => reject(options.signal!.reason),
            )
          )
        ),
      );
      const client = natsClient<number, never>(caller, "hang", {
        probeAfter: false,
      });
      await responder.flush(); // the subscription is live at the server
      const call = client.call(1).catch((e) => e);
      while (served.inFlight < 1) await new Promise((r) => setTimeout(r, 5));
      const responderDown = (async () => {
        for await (const status of responder.status()) {
          if (status.type === "disconnect") return;
        }
      })();
      const started = Date.now();
      await server.kill();
      const error = await call;
      assert.ok(error instanceof NatsUnavailableError, String(error));
      assert.equal(error.code, "connection-lost");
      assert.ok(Date.now() - started < 1000);
      const next = await client.call(2).catch((e) => e);
      assert.ok(next instanceof NatsUnavailableError);
      assert.equal(client.ready?.(), false);
      // (nats.js throws "write after end" for a write racing the socket's end:
      // let the responder see its own disconnect before it replies.)
      await responderDown;
      await served.abort();
    });
  },
);

natsTest(
  "nats: a responder that dies mid-call is detected fast; retry reaches another member",
  async () => {
    await withNats(async ({ connect }) => {
      const doomed = await connect();
      const survivor = await connect();
      const caller = await connect();
      const hang = later<never>();
      const first = serveNats(doomed, "work", serviceFn(() => hang.promise), {
        queue: "workers",
      });
      await doomed.flush();
      const client = natsClient<number, string>(caller, "work", {
        probeAfter: 100,
      });
      const call = client.call(1).catch((e) => e);
      while (first.inFlight < 1) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      await doomed.close(); // the process is gone: its subscriptions with it
      const error = await call;
      const elapsed = Date.now() - started;
      assert.ok(error instanceof NatsUnavailableError, String(error));
      assert.equal(error.code, "responder-lost");
      assert.ok(elapsed < 1000, `took ${elapsed} ms`);
      assert.ok(retryableOverNats(error));

      // Two members; the one holding the call dies; retry resends to the other.
      const again = await connect();
      let holder = "";
      const held = later<void>();
      const a = serveNats(
        again,
        "work2",
        serviceFn(() => {
          holder = "a";
          held.resolve();
          return hang.promise;
        }),
        { queue: "workers" },
      );
      const b = serveNats(survivor, "work2", serviceFn(() => "b"), {
        queue: "workers",
      });
      await Promise.all([again.flush(), survivor.flush()]);
      const retried = new ServiceBuilder<number, string>()
        .layer(retry({ attempts: 3, base: 1, retryIf: retryableOverNats }))
        .service(natsClient(caller, "work2", { probeAfter: 100 }));
      // Make sure the first attempt lands on a: call until a holds one.
      const results: Promise<string>[] = [];
      while (holder !== "a") {
        results.push(retried.call(1));
        await Promise.race([
          held.promise,
          new Promise((r) => setTimeout(r, 20)),
        ]);
      }
      await again.close();
      assert.ok((await Promise.all(results)).every((r) => r === "b"));
      hang.reject(new Error("released")); // the dead members' handlers end
      await Promise.all([first.abort(), a.abort(), b.close()]);
    });
  },
);

natsTest("nats: queue group members share the load", async () => {
  await withNats(async ({ connect }) => {
    const one = await connect();
    const two = await connect();
    const caller = await connect();
    const a = serveNats(one, "shared", serviceFn(() => "a"), { queue: "q" });
    const b = serveNats(two, "shared", serviceFn(() => "b"), { queue: "q" });
    await Promise.all([one.flush(), two.flush()]); // both subscriptions live
    const client = natsClient<null, string>(caller, "shared");
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => client.call(null)),
    );
    assert.ok(answers.includes("a") && answers.includes("b"));
    assert.equal(a.served + b.served, 200);
    await Promise.all([a.close(), b.close()]);
  });
});

natsTest(
  "nats: invalid arguments and options are refused with typed errors",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const svc = serviceFn((n: number) => n);
      assert.throws(() => natsClient(nc, "a.*"), InvalidOptionError);
      assert.throws(() => natsClient(nc, ""), InvalidOptionError);
      assert.throws(() => natsClient(nc, "a b"), InvalidOptionError);
      assert.throws(
        () => natsClient(nc, "a", { probeAfer: 1 } as never),
        /probeAfer/,
      );
      assert.throws(
        () => natsClient(nc, "a", { probeAfter: 0 }),
        InvalidOptionError,
      );
      assert.throws(
        () => natsClient(nc, "a", { codec: {} as never }),
        InvalidOptionError,
      );
      assert.throws(() => natsClient({} as never, "a"), TypeError);
      assert.throws(() => serveNats(nc, "a..b", svc), InvalidOptionError);
      assert.throws(
        () => serveNats(nc, "a", svc, { concurrency: 0 }),
        InvalidOptionError,
      );
      assert.throws(
        () => serveNats(nc, "a", svc, { queue: "" }),
        InvalidOptionError,
      );
      assert.throws(
        () => serveNats(nc, "a", svc, { maxPending: 1.5 }),
        InvalidOptionError,
      );
      assert.throws(
        () => serveNats(nc, "a", svc, null as never),
        InvalidOptionError,
      );
      assert.throws(
        () => serveNats(nc, "a", ((n: number) => n) as never),
        TypeError,
      );
      const wild = serveNats(nc, "w.*", svc);
      assert.equal(await natsClient<number, number>(nc, "w.x").call(7), 7);
      await wild.close();
      await assert.rejects(
        natsClient(nc, "a").call(1, { signal: {} as never }),
        TypeError,
      );
      assert.ok(
        new NatsUnavailableError("s", "no-responders") instanceof NorpcError,
      );
    });
  },
);

natsTest(
  "nats: a malformed response or error reply rejects that call with MalformedMessageError",
  async () => {
    await withNats(async ({ connect }) => {
      const { headers } = await import("@nats-io/transport-node");
      const nc = await connect();
      const sub = nc.subscribe("rogue", {
        callback: (_err, msg) => {
          if (msg.string() === '"json"') {
            msg.respond("{broken");
          } else {
            const h = headers();
            h.set("Norpc-Status", "error");
            msg.respond(JSON.stringify({ kind: "norpc", type: "Nope" }), {
              headers: h,
            });
          }
        },
      });
      const client = natsClient<string, unknown>(nc, "rogue");
      const bad = await client.call("json").catch((e) => e);
      assert.ok(bad instanceof MalformedMessageError, String(bad));
      assert.match(bad.message, /rogue/);
      const badError = await client.call("error").catch((e) => e);
      assert.ok(badError instanceof MalformedMessageError, String(badError));
      sub.unsubscribe();
    });
  },
);

natsTest(
  "nats: probes keep a slow but live call alive; a far deadline is no deadline",
  async () => {
    await withNats(async ({ connect }) => {
      const responder = await connect();
      const caller = await connect();
      const server = serveNats(
        responder,
        "slowpoke",
        serviceFn(async (ms: number, options: CallOptions) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return options.signal!.aborted ? "aborted" : "done";
        }),
      );
      await responder.flush();
      const client = natsClient<number, string>(caller, "slowpoke", {
        probeAfter: 150,
      });
      // Four probe periods: each probe is answered, so the call lives on.
      assert.equal(await client.call(600), "done");
      assert.equal(
        await client.call(20, { deadline: Date.now() + 2 ** 32 }),
        "done",
      );
      assert.equal(server.served, 2);
      await server.close();
    });
  },
);

natsTest(
  "nats: requests and responses over the server's max_payload fail that call with PayloadError",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const limit = nc.info!.max_payload;
      const server = serveNats(
        nc,
        "big",
        serviceFn((n: number) => "x".repeat(n)),
      );
      const client = natsClient<unknown, string>(nc, "big");
      const request = await client.call("y".repeat(limit + 1)).catch((e) => e);
      assert.ok(request instanceof PayloadError, String(request));
      assert.equal(request.direction, "request");
      assert.equal(request.limitBytes, limit);
      const response = await client.call(limit + 1).catch((e) => e);
      assert.ok(response instanceof PayloadError, String(response));
      assert.equal(response.direction, "response");
      assert.equal(response.problem, "too-large");
      assert.equal(await client.call(3), "xxx");
      assert.equal(server.failed, 1);
      await server.close();
    });
  },
);

natsTest(
  "nats: on a closed connection, calls reject connection-closed and serveNats refuses",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const before = natsClient<number, number>(nc, "gone");
      await nc.close();
      const after = natsClient<number, number>(nc, "gone");
      for (const client of [before, after]) {
        const error = await client.call(1).catch((e) => e);
        assert.ok(error instanceof NatsUnavailableError, String(error));
        assert.equal(error.code, "connection-closed");
        assert.equal(error.value, 1);
        assert.equal(client.ready?.(), false);
      }
      assert.throws(
        () => serveNats(nc, "gone", serviceFn((n: number) => n)),
        NatsUnavailableError,
      );
    });
  },
);

natsTest(
  "nats: a plain publish (no reply subject) is counted and reported, never served",
  async () => {
    await withNats(async ({ connect }) => {
      const nc = await connect();
      const reported: [unknown, string][] = [];
      let handled = 0;
      const server = serveNats(
        nc,
        "named",
        serviceFn((n: number) => {
          handled++;
          return n;
        }),
        {
          name: "Doubler",
          onError: (error, context) => reported.push([error, context]),
        },
      );
      assert.equal(server.name, "Doubler");
      assert.equal(server.queue, "norpc");
      nc.publish("named", "1");
      assert.equal(await natsClient<number, number>(nc, "named").call(2), 2);
      assert.equal(handled, 1);
      assert.equal(server.failed, 1);
      assert.equal(reported.length, 1);
      assert.ok(reported[0][0] instanceof TypeError);
      assert.match(reported[0][1], /Doubler/);
      assert.throws(
        () => serveNats(nc, "x", serviceFn(() => 1), { onError: 1 as never }),
        InvalidOptionError,
      );
      await server.abort();
      assert.equal(server.state, "stopped");
    });
  },
);
