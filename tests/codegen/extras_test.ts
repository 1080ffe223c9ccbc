/**
 * What generated modules offer beyond the client and server:
 * `spawnName(impl, options)` with typed layers on either side, the
 * `nameService` descriptor and `NameMethod`.
 */

import assert from "node:assert/strict";
import {
  ChannelClosedError,
  InvalidOptionError,
  type Service,
} from "@norpc/norpc";
import { timeout } from "@norpc/norpc/layers";
import {
  type HelloWorldLayer,
  type HelloWorldMethod,
  type HelloWorldRequest,
  type HelloWorldResponse,
  helloWorldService,
  spawnHelloWorld,
} from "../../examples/hello_world/hello_world.gen.ts";

/** A layer that records `tag` for each call it passes on. */
function recording(log: string[], tag: string): HelloWorldLayer {
  return (inner: Service<HelloWorldRequest, HelloWorldResponse>) => ({
    call(req, options) {
      log.push(`${tag}:${req.method}`);
      return inner.call(req, options);
    },
  });
}

Deno.test("extras: spawnName returns a typed client and a server to close", async () => {
  const { client, server } = spawnHelloWorld({ hello: (s) => `Hello, ${s}!` });
  assert.equal(await client.hello("world"), "Hello, world!");
  assert.equal(server.served, 1);
  await server.close();
  await assert.rejects(client.hello("late"), ChannelClosedError);
});

Deno.test("extras: serverLayers wrap the handler, clientLayers the channel, first outermost", async () => {
  const log: string[] = [];
  let handlerSaw: string[] = [];
  await using hello = spawnHelloWorld({
    hello: (s) => {
      handlerSaw = [...log];
      return s;
    },
  }, {
    concurrency: 1,
    serverLayers: [recording(log, "server1"), recording(log, "server2")],
    clientLayers: [recording(log, "client1"), timeout(1000)],
  });
  assert.equal(await hello.client.hello("x"), "x");
  assert.deepEqual(handlerSaw, [
    "client1:hello",
    "server1:hello",
    "server2:hello",
  ]);
});

Deno.test("extras: `await using` closes the server", async () => {
  let server;
  {
    await using hello = spawnHelloWorld({ hello: (s) => s });
    server = hello.server;
    await hello.client.hello("x");
  }
  await server.closed;
  assert.equal(server.inFlight, 0);
});

Deno.test("extras: bad layer options are refused at spawn time, naming the option", () => {
  const impl = { hello: (s: string) => s };
  for (
    const [options, option] of [
      [{ serverLayers: "timeout" }, "serverLayers"],
      [{ clientLayers: 5 }, "clientLayers"],
      [null, "options"],
      [7, "options"],
    ] as const
  ) {
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => spawnHelloWorld(impl, options as any),
      (err: unknown) =>
        err instanceof InvalidOptionError && err.option === option,
      String(options),
    );
  }
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => spawnHelloWorld(impl, { serverLayers: [42 as any] }),
    TypeError,
  );
});

Deno.test("extras: the descriptor names the service and lists its methods", () => {
  assert.deepEqual(helloWorldService, {
    name: "HelloWorld",
    methods: ["hello"],
  });
  const method: HelloWorldMethod = helloWorldService.methods[0];
  assert.equal(method, "hello");
});

Deno.test("extras: with(options) binds call options, the call's own win", async () => {
  const seen: (string | undefined)[] = [];
  // Seen where the options enter the channel: the client side.
  const spy: HelloWorldLayer = (inner) => ({
    call(req, options) {
      seen.push(options?.metadata?.who);
      return inner.call(req, options);
    },
  });
  await using hello = spawnHelloWorld({ hello: (s) => s }, {
    clientLayers: [spy],
  });
  const bound = hello.with({ metadata: { who: "bound" } });
  assert.equal(await bound.hello("a"), "a");
  assert.equal(await bound.hello("b", { metadata: { who: "own" } }), "b");
  assert.deepEqual(seen, ["bound", "own"]);

  const controller = new AbortController();
  const aborting = hello.with({ signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(aborting.hello("c"), /stop/);
});
