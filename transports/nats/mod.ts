/**
 * The NATS transport: the same generated service across machines. A
 * responder process serves it with {@linkcode serveNats}; callers reach it
 * with {@linkcode natsClient}, an ordinary `Service`, so generated clients
 * and every layer work on it unchanged. NATS does the routing (queue groups
 * share the load); norpc carries typed errors, deadlines, metadata and
 * cancellation, and fails fast when nobody can answer.
 *
 * Depends on `npm:@nats-io/transport-node` (connect with it and pass the
 * connection in). Besides the service's subject, responders subscribe to
 * `_NORPC.cancel.<subject>` and `_NORPC.probe.<subject>` and callers
 * publish there and to their `_INBOX.>` replies: allow those subjects when
 * your NATS accounts restrict permissions.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nats-io/transport-node";
 * import { natsClient, retryableOverNats, serveNats } from "@norpc/norpc/nats";
 * import { ServiceBuilder } from "@norpc/norpc";
 * import { retry } from "@norpc/norpc/layers";
 * import { InventoryClient, inventoryServer } from "./inventory.gen.ts";
 *
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * // In the responder process(es):
 * const server = serveNats(nc, "shop.inventory", inventoryServer(impl), { queue: "inventory" });
 * // In the caller:
 * const inventory = new InventoryClient(
 *   new ServiceBuilder()
 *     .layer(retry({ attempts: 3, retryIf: retryableOverNats }))
 *     .service(natsClient(nc, "shop.inventory")),
 * );
 * await inventory.reserve("o1", "mug", 2, { deadline: Date.now() + 500 });
 * await server.close();
 * await nc.drain();
 * ```
 *
 * @module
 */

export { type Codec, jsonCodec } from "./codec.ts";
export { natsClient, type NatsClientOptions } from "./client.ts";
export { type NatsServer, serveNats, type ServeNatsOptions } from "./server.ts";
export {
  type NatsUnavailableCode,
  NatsUnavailableError,
  PayloadError,
  retryableOverNats,
} from "./errors.ts";
export { MalformedMessageError } from "../_wire.ts";
export type { NatsConnection } from "./connection.ts";
