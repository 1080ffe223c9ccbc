/**
 * Internal: one watcher per NATS connection, shared by every client and
 * server on it, so each knows at once when the connection is down (publish
 * nothing, fail fast) or closed.
 *
 * @module
 */

import type { NatsConnection } from "./connection.ts";

/** What happened to the connection. */
export type ConnectionEvent = "down" | "up" | "closed";

/** A connection's state, kept current by one status watcher. */
export class ConnectionState {
  /** Disconnected and trying to reconnect. */
  down = false;
  /** Closed for good. */
  closed = false;
  readonly #listeners = new Set<(event: ConnectionEvent) => void>();

  constructor(nc: NatsConnection) {
    this.#watch(nc);
  }

  /** Calls `listener` on every change until it is removed. */
  listen(listener: (event: ConnectionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: ConnectionEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  async #watch(nc: NatsConnection): Promise<void> {
    (async () => {
      try {
        for await (const status of nc.status()) {
          if (status.type === "disconnect" && !this.down) {
            this.down = true;
            this.#emit("down");
          } else if (status.type === "reconnect" && this.down) {
            this.down = false;
            this.#emit("up");
          }
        }
      } catch {
        // the status iterator ends with the connection
      }
    })();
    await nc.closed();
    this.closed = true;
    this.down = true;
    this.#emit("closed");
    this.#listeners.clear();
  }
}

const states = new WeakMap<NatsConnection, ConnectionState>();

/** The shared state of `nc`, watched from the first call on. */
export function connectionState(nc: NatsConnection): ConnectionState {
  let state = states.get(nc);
  if (state === undefined) {
    state = new ConnectionState(nc);
    if (nc.isClosed()) {
      state.closed = true;
      state.down = true;
    }
    states.set(nc, state);
  }
  return state;
}

/** Whether new subscriptions and calls can be made on `nc`. */
export function isUsable(nc: NatsConnection): boolean {
  return !nc.isClosed() && !nc.isDraining();
}
