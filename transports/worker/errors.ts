/**
 * Errors of the Worker transport.
 *
 * @module
 */

import { ChannelClosedError, NorpcError } from "../../mod.ts";

/**
 * The worker a call was sent to died before answering: it threw an uncaught
 * error, called `self.close()`, or was terminated. Every call pending on
 * that worker rejects with it at once. It is a
 * {@linkcode ChannelClosedError}: for a call still queued in the parent,
 * `value` is the request, which never reached the worker (safe to resend);
 * for a call the worker had received, `value` is `undefined` (it may have
 * run). `cause` is what killed the worker, when known.
 *
 * @example
 * ```ts
 * import { WorkerDiedError } from "@norpc/norpc/worker";
 * import { ChannelClosedError } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const err = new WorkerDiedError("worker primes died: Error: boom");
 * assert.ok(err instanceof ChannelClosedError);
 * ```
 */
export class WorkerDiedError extends ChannelClosedError {}

/**
 * A request or response could not be copied to the other side with
 * structured clone (it holds a function, a class instance with private
 * state, a symbol…). Only that call fails; the worker goes on serving.
 * `cause` is the runtime's `DataCloneError`.
 *
 * @example
 * ```ts
 * import { UncloneableError } from "@norpc/norpc/worker";
 * import assert from "node:assert/strict";
 *
 * const err = new UncloneableError("request", "worker primes");
 * assert.equal(err.direction, "request");
 * ```
 */
export class UncloneableError extends NorpcError {
  /** Which side failed to cross: the `request` or the `response`. */
  readonly direction: "request" | "response";

  /**
   * Creates the error.
   *
   * @param direction Which message failed to cross.
   * @param where The worker's name, for the message.
   * @param options `cause`: the runtime's `DataCloneError`.
   */
  constructor(
    direction: "request" | "response",
    where: string,
    options?: ErrorOptions,
  ) {
    super(
      `the ${direction} cannot cross to ${
        direction === "request" ? "" : "the caller of "
      }${where}: it is not structured-cloneable (functions, symbols and class instances with private fields are not); send plain data, or pass ArrayBuffers and streams with the transfer option`,
      options,
    );
    this.direction = direction;
  }
}
