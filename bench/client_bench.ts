/**
 * Client overhead: the generated client against a `Proxy`-based generic
 * client (the approach of birpc and comlink: any property is a method that
 * builds `{ method, args }` at run time) and against calling the service
 * directly. All three call the same noop service, the generated server over a
 * handler that returns its argument, without a channel in between, so the
 * figures are the cost of the client layer alone.
 *
 * ```sh
 * deno bench bench/client_bench.ts
 * ```
 *
 * @module
 */

import { type CallOptions, type Service, spawn } from "@norpc/norpc";
import { timeout } from "@norpc/norpc/layers";
import {
  HelloWorldClient,
  type HelloWorldRequest,
  type HelloWorldResponse,
  helloWorldServer,
  spawnHelloWorld,
} from "../examples/hello_world/hello_world.gen.ts";

const service: Service<HelloWorldRequest, HelloWorldResponse> =
  helloWorldServer({ hello: (s) => s });

/** What a Proxy client exposes: every method of the interface, untyped inside. */
type ProxyClient = { hello(s: string, options?: CallOptions): Promise<string> };

/**
 * A generic client as birpc/comlink build it: a Proxy whose `get` returns a
 * function that packs the arguments and calls the service.
 */
function proxyClient(
  svc: Service<HelloWorldRequest, HelloWorldResponse>,
): ProxyClient {
  return new Proxy({}, {
    get(_target, method) {
      return (...args: unknown[]) =>
        svc.call({ method, args } as unknown as HelloWorldRequest);
    },
  }) as ProxyClient;
}

const generated = new HelloWorldClient(service);
const proxy = proxyClient(service);
const request: HelloWorldRequest = { method: "hello", args: ["world"] };

// Each case checks its answer once before timing.
for (
  const [name, call] of [
    ["generated", () => generated.hello("world")],
    ["proxy", () => proxy.hello("world")],
    ["direct", () => service.call(request)],
  ] as const
) {
  if (await call() !== "world") throw new Error(`${name}: wrong answer`);
}

Deno.bench({
  name: "direct service.call",
  group: "client",
  baseline: true,
  async fn() {
    await service.call({ method: "hello", args: ["world"] });
  },
});

Deno.bench({
  name: "generated client",
  group: "client",
  async fn() {
    await generated.hello("world");
  },
});

Deno.bench({
  name: "Proxy client (birpc/comlink style)",
  group: "client",
  async fn() {
    await proxy.hello("world");
  },
});

// The same, 100 calls per iteration awaited together: the fixed cost of an
// `await` per iteration shrinks, so the client's own cost shows more.
const BATCH = 100;

Deno.bench({
  name: "direct service.call ×100",
  group: "client ×100",
  baseline: true,
  async fn() {
    const pending: Promise<string>[] = [];
    for (let i = 0; i < BATCH; i++) {
      pending.push(service.call({ method: "hello", args: ["world"] }));
    }
    await Promise.all(pending);
  },
});

Deno.bench({
  name: "generated client ×100",
  group: "client ×100",
  async fn() {
    const pending: Promise<string>[] = [];
    for (let i = 0; i < BATCH; i++) pending.push(generated.hello("world"));
    await Promise.all(pending);
  },
});

Deno.bench({
  name: "Proxy client ×100",
  group: "client ×100",
  async fn() {
    const pending: Promise<string>[] = [];
    for (let i = 0; i < BATCH; i++) pending.push(proxy.hello("world"));
    await Promise.all(pending);
  },
});

// `spawnHelloWorld(impl)` against what it replaces,
// `new HelloWorldClient(spawn(helloWorldServer(impl)).client)`: the same
// call through a channel and a server. The generated helper does its work at
// spawn time, so the two should be equal per call.
const impl = { hello: (s: string) => s };
const viaSpawnHelper = spawnHelloWorld(impl);
const viaSpawn = new HelloWorldClient(spawn(helloWorldServer(impl)).client);
for (const client of [viaSpawnHelper.client, viaSpawn]) {
  if (await client.hello("world") !== "world") throw new Error("wrong answer");
}

Deno.bench({
  name: "new HelloWorldClient(spawn(helloWorldServer(impl)).client)",
  group: "spawned",
  baseline: true,
  async fn() {
    await viaSpawn.hello("world");
  },
});

Deno.bench({
  name: "spawnHelloWorld(impl).client",
  group: "spawned",
  async fn() {
    await viaSpawnHelper.client.hello("world");
  },
});

// What a realistic call adds on top: a caller's signal (the envelope path),
// then a `timeout` layer on the client side as well.
const signal = new AbortController().signal;
const withTimeout = spawnHelloWorld(impl, { clientLayers: [timeout(10_000)] });
if (await withTimeout.client.hello("world", { signal }) !== "world") {
  throw new Error("wrong answer");
}

Deno.bench({
  name: "spawnHelloWorld(impl).client, with a signal",
  group: "spawned",
  async fn() {
    await viaSpawnHelper.client.hello("world", { signal });
  },
});

Deno.bench({
  name: "spawnHelloWorld(impl).client, with a signal and a timeout layer",
  group: "spawned",
  async fn() {
    await withTimeout.client.hello("world", { signal });
  },
});
