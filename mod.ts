/**
 * norpc: in-process microservices for Deno. Services talk through bounded
 * in-memory channels (the request object moves, nothing is serialized),
 * layers stack behaviour such as timeouts and rate limits, and a code
 * generator turns a TypeScript interface into a typed client and server.
 *
 * @example
 * ```ts
 * import { serviceFn, spawn } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const { client, server } = spawn(serviceFn((name: string) => `Hello, ${name}!`));
 * assert.equal(await client.call("world"), "Hello, world!");
 * await server.close();
 * ```
 *
 * @module
 */

export {
  channel,
  Receiver,
  type RecvResult,
  Sender,
  type SendOptions,
} from "./channel.ts";
export {
  type CallOptions,
  type Layer,
  type Service,
  ServiceBuilder,
  serviceFn,
  stack,
} from "./service.ts";
export { Client, connect, type Envelope } from "./client.ts";
export {
  serve,
  type ServeOptions,
  type Server,
  type ServerState,
  spawn,
  type Spawned,
  type SpawnOptions,
} from "./server.ts";
export {
  BadRequestError,
  ChannelClosedError,
  CircuitOpenError,
  HandlerError,
  InvalidOptionError,
  NorpcError,
  type NorpcErrorOptions,
  OverloadedError,
  TimeoutError,
  UnknownMethodError,
} from "./errors.ts";
