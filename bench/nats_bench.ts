/**
 * NATS round trip: `natsClient` + `serveNats` against a raw `nc.request`
 * echo (JSON-encoded, as a user would write it by hand), one at a time and
 * 256 in flight, on a private nats-server on 127.0.0.1. The target: norpc
 * within 1.2× of the raw request in both groups.
 *
 * Needs `nats-server` on PATH and `--allow-net=127.0.0.1 --allow-write`;
 * without either it registers nothing and says why in one line.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { serviceFn } from "../mod.ts";
import { natsClient, serveNats } from "../transports/nats/mod.ts";
import {
  NATS_SERVER_PATH,
  startNatsServer,
} from "../tests/transports/_nats_server.ts";
import { batch, type Callable, sequential, verifyEcho } from "./harness.ts";

/** Sequential requests per iteration (each is a real network round trip). */
const N = 64;

function permitted(): boolean {
  return Deno.permissions.querySync({ name: "net", host: "127.0.0.1" })
        .state === "granted" &&
    Deno.permissions.querySync({ name: "write" }).state === "granted" &&
    Deno.permissions.querySync({ name: "run" }).state === "granted";
}

if (NATS_SERVER_PATH === undefined) {
  // stderr: `deno bench --json` owns stdout.
  console.error(
    "nats_bench: skipped, nats-server not found; install it with `apt-get install -y nats-server`",
  );
} else if (!permitted()) {
  console.error(
    "nats_bench: skipped; run it with --allow-net=127.0.0.1 --allow-write --allow-run (deno task bench does)",
  );
} else {
  const server = await startNatsServer();
  globalThis.addEventListener("unload", () => server.stopSync());
  const responder: NatsConnection = await connect({ servers: server.url });
  const caller: NatsConnection = await connect({ servers: server.url });

  const encoder = new TextEncoder();
  responder.subscribe("raw.echo", {
    callback: (_err, msg) => {
      msg.respond(msg.data);
    },
  });
  const raw: Callable<number, number> = {
    call: (n) =>
      caller.request("raw.echo", encoder.encode(JSON.stringify(n)), {
        timeout: 10_000,
      }).then((msg) => msg.json<number>()),
  };

  serveNats(responder, "norpc.echo", serviceFn((n: number) => n));
  const norpc = natsClient<number, number>(caller, "norpc.echo");
  const withDeadline: Callable<number, number> = {
    call: (n) => norpc.call(n, { deadline: Date.now() + 10_000 }),
  };
  await responder.flush();

  const cases: [string, Callable<number, number>][] = [
    ["raw nc.request echo", raw],
    ["natsClient + serveNats", norpc],
    ["natsClient + serveNats, with a deadline", withDeadline],
  ];
  for (const [name, svc] of cases) await verifyEcho(name, svc);
  for (const [name, svc] of cases) {
    Deno.bench(`${name} ×${N}`, {
      group: "nats c=1",
      baseline: name === "raw nc.request echo",
    }, sequential(svc, 1, N));
    Deno.bench(`${name} ×256`, {
      group: "nats c=256",
      baseline: name === "raw nc.request echo",
    }, batch(svc, 256, 1));
  }
}
