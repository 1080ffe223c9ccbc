/**
 * Errors the layers raise on behalf of a generated service name it: the
 * generated server carries `serviceName`, a client takes its server's name,
 * and every layer passes its inner service's on.
 */
import assert from "node:assert/strict";
import {
  CircuitOpenError,
  OverloadedError,
  serviceFn,
  spawn,
} from "../../mod.ts";
import {
  circuitBreaker,
  concurrencyLimit,
  loadShed,
  retry,
  timeout,
} from "../../layers/mod.ts";
import { helloWorldServer } from "../../examples/hello_world/hello_world.gen.ts";

const impl = { hello: (name: string) => `Hello, ${name}!` };

Deno.test("service names: a generated server carries its service's name, and layers pass it on", () => {
  const server = helloWorldServer(impl);
  assert.equal(server.serviceName, "HelloWorld");
  const wrapped = timeout(1000)(
    retry({ attempts: 2 })(concurrencyLimit(4)(loadShed()(server))),
  );
  assert.equal(wrapped.serviceName, "HelloWorld");
  assert.equal(loadShed()(serviceFn(() => 1)).serviceName, undefined);
});

Deno.test("service names: loadShed's OverloadedError names the service it protects", async () => {
  const busy = { ...helloWorldServer(impl), ready: () => false };
  const shed = loadShed()(busy);
  const err = await shed.call({ method: "hello", args: ["ada"] }).then(
    () => undefined,
    (e) => e,
  );
  assert.ok(err instanceof OverloadedError);
  assert.equal(err.service, "HelloWorld");
  assert.match(err.message, /^HelloWorld is at capacity/);
});

Deno.test("service names: an open circuit's CircuitOpenError names the service", async () => {
  const failing = {
    serviceName: "Bank",
    call: () => Promise.reject(new Error("down")),
  };
  const breaker = circuitBreaker<unknown, never>({
    failureThreshold: 1,
    resetAfter: 60_000,
  })(failing);
  await breaker.call({}).catch(() => {});
  const err = await breaker.call({}).then(() => undefined, (e) => e);
  assert.ok(err instanceof CircuitOpenError);
  assert.equal(err.service, "Bank");
  assert.match(err.message, /^Bank's circuit is open/);
});

Deno.test("service names: a client of a named server carries the name", async () => {
  const { client, server } = spawn(helloWorldServer(impl), {
    name: "HelloWorld",
  });
  assert.equal(client.serviceName, "HelloWorld");
  assert.equal(loadShed()(client).serviceName, "HelloWorld");
  await server.close();
});
