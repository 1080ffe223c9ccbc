/**
 * Errors raised for a generated service's server name the service: the
 * generated `spawnName` passes `name: "Name"` to `spawn`.
 *
 * Depends on the core's `name` option of `serve`/`spawn` (lead, issue 13):
 * it fails until that lands, then guards the generated side.
 */

import assert from "node:assert/strict";
import { ChannelClosedError } from "@norpc/norpc";
import { spawnHelloWorld } from "../examples/hello_world/hello_world.gen.ts";

Deno.test("service name: a call to a closed generated server names the service", async () => {
  const { client, server } = spawnHelloWorld({ hello: (s) => s });
  await server.close();
  await assert.rejects(
    client.hello("late"),
    (err: unknown) =>
      err instanceof ChannelClosedError && /HelloWorld/.test(err.message),
  );
});
