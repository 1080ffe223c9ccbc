/**
 * The connection type the NATS transport takes.
 *
 * @module
 */

import type { NatsConnection as NatsJsConnection } from "@nats-io/transport-node";

/**
 * A connection from `connect()` of `npm:@nats-io/transport-node` (the
 * transport's one dependency): `serveNats` and `natsClient` take it, and
 * leave connecting, authentication, TLS and reconnection to it.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nats-io/transport-node";
 * import type { NatsConnection } from "@norpc/norpc/nats";
 *
 * const nc: NatsConnection = await connect({ servers: "127.0.0.1:4222" });
 * ```
 */
export type NatsConnection = NatsJsConnection;
