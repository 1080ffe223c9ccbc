// Internal: a call waiting in a layer's queue (concurrencyLimit for a
// permit, rateLimit for a token). It is its own list node, abort listener
// and deadline entry, so queueing allocates nothing else; only a call that
// actually waits pays for any of it. It leaves the queue when let through,
// when its caller aborts (rejecting with the signal's reason) or when its
// `options.deadline` passes (rejecting with a TimeoutError), and releases
// its listener and deadline entry whichever comes first.

import type { CallOptions } from "../service.ts";
import { offAbort, onAbort } from "../_abort.ts";
import { deadlineToWatch } from "./_call_options.ts";
import { deadlineExceeded, expireAt, waitTimers } from "./_deadline.ts";
import type { ListNode } from "./_list.ts";
import { SettleOnce } from "./_settle_once.ts";

/** What a {@linkcode Waiter} leaves: its layer's queue (a `FifoList`). */
export interface WaitQueue<Req, Res> {
  /** Takes `waiter` out of the queue if it is still there. */
  remove(waiter: Waiter<Req, Res>): unknown;
}

/** Starts the inner call of a waiter that has been let through. */
export type Run<Req, Res> = (
  req: Req,
  options: CallOptions | undefined,
) => Promise<Res>;

/** A call queued in a layer until it is let through. */
export class Waiter<Req, Res> extends SettleOnce<Res> implements ListNode {
  older: ListNode | undefined = undefined;
  newer: ListNode | undefined = undefined;
  readonly req: Req;
  readonly options: CallOptions | undefined;
  readonly #queue: WaitQueue<Req, Res>;
  /** When the wait started (`performance.now()`), for the TimeoutError. */
  #start = 0;
  /** The time the call had left when it started waiting, in ms. */
  #limit = 0;

  /**
   * @param queue The layer's queue, which the caller has pushed it onto.
   * @param req The request.
   * @param options The call's options: its signal and deadline are watched.
   */
  constructor(
    queue: WaitQueue<Req, Res>,
    req: Req,
    options: CallOptions | undefined,
  ) {
    super();
    this.#queue = queue;
    this.req = req;
    this.options = options;
    const signal = options?.signal;
    if (signal != null) onAbort(signal, this);
    const deadline = deadlineToWatch(options);
    if (deadline !== Infinity) {
      this.#start = performance.now();
      this.#limit = deadline - Date.now();
      expireAt(waitTimers, this, deadline);
    }
  }

  /**
   * Lets the call through: starts its inner call with `run` and hands the
   * result to the caller. Returns false, rejecting it instead, when its
   * caller has aborted meanwhile (then the next waiter should go).
   */
  admit(run: Run<Req, Res>): boolean {
    if (this.settled) return false;
    const signal = this.options?.signal;
    if (signal != null && signal.aborted) {
      this.rejectOnce(signal.reason);
      return false;
    }
    return this.resolveWithCall(run, this.req, this.options);
  }

  /** The caller aborted while waiting (EventListener interface). */
  handleEvent(): void {
    this.rejectOnce(this.options!.signal!.reason);
  }

  /** The deadline passed while waiting. */
  override expire(): void {
    this.rejectOnce(deadlineExceeded(this.req, this.#limit, this.#start));
  }

  protected release(): void {
    this.#queue.remove(this);
    const signal = this.options?.signal;
    if (signal != null) offAbort(signal, this);
    waitTimers.remove(this);
  }
}
