/**
 * A bounded, multi-producer, FIFO channel: the queue between norpc clients and
 * a server, usable on its own too.
 *
 * `send` resolves at once while there is room and waits, in order, while the
 * channel is full; `close` stops new sends while queued values still drain.
 * The request path uses the channel directly; `readable` and `writable` are
 * Web Streams views for `pipeTo`/`pipeThrough` interop.
 *
 * @module
 */

import { ChannelClosedError, InvalidOptionError } from "./errors.ts";
import { offAbort, onAbort, refuseSignal } from "./_abort.ts";
import { TimerQueue } from "./_timers.ts";

/**
 * Result of a non-blocking receive. `undefined` is a valid channel value, so
 * the outcome is a discriminated union rather than `T | undefined`.
 *
 * @typeParam T The channel's value type.
 *
 * @example
 * ```ts
 * import { channel } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx, rx] = channel<number>(4);
 * tx.trySend(1);
 * assert.deepEqual(rx.tryRecv(), { state: "ok", value: 1 });
 * assert.deepEqual(rx.tryRecv(), { state: "empty" });
 * ```
 */
export type RecvResult<T> =
  | { readonly state: "ok"; readonly value: T }
  | { readonly state: "empty" }
  | { readonly state: "closed" };

/**
 * Options of {@linkcode Sender.send}.
 *
 * @example
 * ```ts
 * import { channel, type SendOptions } from "@norpc/norpc";
 *
 * const [tx] = channel<string>(1);
 * const options: SendOptions = { signal: AbortSignal.timeout(100) };
 * await tx.send("hi", options);
 * ```
 */
export interface SendOptions {
  /** Gives up waiting for room: the send rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Internal: a consumer that takes values synchronously as they are sent (the
 * server loop). Not part of the public API.
 */
export interface Consumer<T> {
  /** Takes `value` now if it has capacity; false to leave it queued. */
  offer(value: T): boolean;
  /** A queued value was withdrawn before the consumer took it. */
  onWithdraw(value: T): void;
  /** The channel was closed. */
  onClose(): void;
}

/**
 * Internal: a value that can be withdrawn from the queue in O(1). The channel
 * sets `queued` while the value sits in its ring buffer; withdrawing clears it
 * and leaves a tombstone that `shift` skips and compaction drops.
 */
export interface Withdrawable {
  queued: boolean;
}

/** A sender waiting for room; it is its own abort listener. */
class SendWaiter<T> {
  prev: SendWaiter<T> | undefined = undefined;
  next: SendWaiter<T> | undefined = undefined;
  constructor(
    readonly core: ChannelCore<T>,
    readonly value: T,
    readonly resolve: () => void,
    readonly reject: (reason: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  handleEvent(): void {
    this.core.unlinkSender(this);
    this.reject(this.signal!.reason);
  }
}

interface RecvWaiter<T> {
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
  next: RecvWaiter<T> | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();
const EMPTY: RecvResult<never> = Object.freeze({ state: "empty" });
const CLOSED: RecvResult<never> = Object.freeze({ state: "closed" });
const INITIAL_RING = 16;

/**
 * Internal shared state of a channel; {@linkcode Sender} and
 * {@linkcode Receiver} are thin views over it.
 */
export class ChannelCore<T> {
  readonly capacity: number;
  closed = false;
  closeReason: unknown = undefined;
  consumer: Consumer<T> | undefined = undefined;
  /** The name of the service behind the channel, for error messages. */
  name: string | undefined = undefined;
  /**
   * The deadlines of calls sent through this channel (created by the first
   * call that has one): one timer for all of them, kept armed while the
   * channel is open so that a stream of calls does not set and clear a
   * timer each (see `_timers.ts`).
   */
  #deadlines: TimerQueue | undefined = undefined;

  // Ring buffer: a power-of-two array grown on demand up to `capacity`.
  #ring: (T | undefined)[];
  #mask: number;
  #head = 0;
  /** Slots in use in the ring, tombstones of withdrawn values included. */
  #used = 0;
  /** Withdrawn values still occupying a ring slot. */
  #tombstones = 0;
  /** Live queued values. */
  size = 0;
  /** Whether values are {@linkcode Withdrawable} (a client's envelopes). */
  #withdrawable = false;

  #sendHead: SendWaiter<T> | undefined = undefined;
  #sendTail: SendWaiter<T> | undefined = undefined;
  waitingSenders = 0;
  /** Waiting senders by value, for withdrawable values only. */
  #waitingByValue: Map<T, SendWaiter<T>> | undefined = undefined;
  #recvHead: RecvWaiter<T> | undefined = undefined;
  #recvTail: RecvWaiter<T> | undefined = undefined;

  constructor(capacity: number) {
    const ringSize = capacity < INITIAL_RING
      ? nextPowerOfTwo(capacity)
      : INITIAL_RING;
    this.capacity = capacity;
    this.#ring = new Array(ringSize);
    this.#mask = ringSize - 1;
  }

  /**
   * The consumer, when a value sent now would be offered straight to it:
   * open, nothing queued, no pending `recv()`. Lets the client skip the
   * envelope (see `Client.call`).
   */
  idleConsumer(): Consumer<T> | undefined {
    return this.size === 0 && this.#recvHead === undefined && !this.closed
      ? this.consumer
      : undefined;
  }

  /** Hands `value` on without waiting if possible; false when full. */
  accept(value: T): boolean {
    const receiver = this.#recvHead;
    if (receiver !== undefined) {
      this.#recvHead = receiver.next;
      if (this.#recvHead === undefined) this.#recvTail = undefined;
      receiver.resolve(value);
      return true;
    }
    if (
      this.size === 0 && this.consumer !== undefined &&
      this.consumer.offer(value)
    ) {
      return true;
    }
    if (this.size < this.capacity) {
      this.#push(value);
      return true;
    }
    return false;
  }

  trySend(value: T): boolean {
    if (this.closed) throw this.closedError(value);
    if (this.#withdrawable && !isObject(value)) throw notAnEnvelope(value);
    return this.accept(value);
  }

  send(value: T, signal: AbortSignal | null | undefined): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError(value));
    // Checked before a waiter is linked: a bad signal must not leave an
    // orphan waiter behind that breaks the next recv().
    const refused = refuseSignal(signal);
    if (refused !== undefined) return refused;
    signal ??= undefined; // null means no signal, as for fetch()
    if (this.#withdrawable && !isObject(value)) {
      return Promise.reject(notAnEnvelope(value));
    }
    if (this.accept(value)) return RESOLVED;
    return this.#waitToSend(value, signal);
  }

  #waitToSend(value: T, signal: AbortSignal | undefined): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const waiter = new SendWaiter(this, value, resolve, reject, signal);
    waiter.prev = this.#sendTail;
    if (this.#sendTail === undefined) this.#sendHead = waiter;
    else this.#sendTail.next = waiter;
    this.#sendTail = waiter;
    this.waitingSenders++;
    if (this.#withdrawable) {
      (this.#waitingByValue ??= new Map()).set(value, waiter);
    }
    if (signal !== undefined) onAbort(signal, waiter);
    return promise;
  }

  /** Removes a waiting sender from the wait list. */
  unlinkSender(waiter: SendWaiter<T>): void {
    if (waiter.prev === undefined) this.#sendHead = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.#sendTail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = undefined;
    this.waitingSenders--;
    this.#waitingByValue?.delete(waiter.value);
    if (waiter.signal !== undefined) offAbort(waiter.signal, waiter);
  }

  /** Moves waiting senders into freed slots, oldest first. */
  #admitSenders(): void {
    while (this.#sendHead !== undefined && this.size < this.capacity) {
      const waiter = this.#sendHead;
      this.unlinkSender(waiter);
      this.#push(waiter.value);
      waiter.resolve();
    }
  }

  tryRecv(): RecvResult<T> {
    if (this.size > 0) return { state: "ok", value: this.shift() };
    return this.closed ? CLOSED : EMPTY;
  }

  /** Removes the oldest queued value; the caller checks `size > 0` first. */
  shift(): T {
    const ring = this.#ring;
    let value = ring[this.#head] as T;
    ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#used--;
    if (this.#withdrawable) {
      // Skip tombstones: values withdrawn while queued.
      while (!(value as Withdrawable).queued) {
        this.#tombstones--;
        value = ring[this.#head] as T;
        ring[this.#head] = undefined;
        this.#head = (this.#head + 1) & this.#mask;
        this.#used--;
      }
      (value as Withdrawable).queued = false;
    }
    this.size--;
    if (this.#sendHead !== undefined) this.#admitSenders();
    return value;
  }

  recv(): Promise<T> {
    if (this.size > 0) return Promise.resolve(this.shift());
    if (this.closed) {
      return Promise.reject(
        new ChannelClosedError("channel is closed and drained", undefined, {
          cause: this.closeReason,
        }),
      );
    }
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const waiter: RecvWaiter<T> = { resolve, reject, next: undefined };
    if (this.#recvTail === undefined) this.#recvHead = waiter;
    else this.#recvTail.next = waiter;
    this.#recvTail = waiter;
    return promise;
  }

  /**
   * Makes queued values withdrawable in O(1) (see {@linkcode Withdrawable});
   * called by `connect`, whose envelopes are unique objects.
   */
  enableWithdraw(): void {
    if (this.#withdrawable) return;
    this.#withdrawable = true;
    for (let i = 0; i < this.#used; i++) {
      (this.#ring[(this.#head + i) & this.#mask] as Withdrawable).queued = true;
    }
  }

  /**
   * Withdraws a queued value (its sender gave up) and frees its slot.
   * Returns false when the value is not queued (already taken, or never
   * queued). Needs {@linkcode ChannelCore.enableWithdraw}.
   */
  withdraw(value: T & Withdrawable): boolean {
    if (!this.#withdrawable) return false;
    if (!value.queued) {
      // Still waiting for room: leave the wait list (its send resolves; the
      // value was never delivered and its sender already has its answer).
      const waiter = this.#waitingByValue?.get(value);
      if (waiter === undefined) return false;
      this.unlinkSender(waiter);
      waiter.resolve();
      return true;
    }
    value.queued = false;
    this.size--;
    this.#tombstones++;
    this.consumer?.onWithdraw(value);
    if (this.#sendHead !== undefined) this.#admitSenders();
    return true;
  }

  /** Removes and returns every queued value (used by a server abort). */
  drainAll(): T[] {
    const values: T[] = [];
    while (this.size > 0) values.push(this.shift());
    return values;
  }

  /** The channel's deadline queue, created on first use. */
  deadlines(): TimerQueue {
    return this.#deadlines ??= new TimerQueue({
      clock: Date.now,
      idle: this.closed ? "clear" : "keep",
    });
  }

  close(reason?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    // No new calls: the kept timer goes once the last deadline is gone.
    this.#deadlines?.release();
    while (this.#sendHead !== undefined) {
      const waiter = this.#sendHead;
      this.unlinkSender(waiter);
      waiter.reject(this.closedError(waiter.value));
    }
    if (this.size === 0) this.#failReceivers();
    this.consumer?.onClose();
  }

  /** Ends pending receives once the channel is closed and drained. */
  #failReceivers(): void {
    while (this.#recvHead !== undefined) {
      const waiter = this.#recvHead;
      this.#recvHead = waiter.next;
      waiter.reject(
        new ChannelClosedError("channel is closed and drained", undefined, {
          cause: this.closeReason,
        }),
      );
    }
    this.#recvTail = undefined;
  }

  closedError(value: T): ChannelClosedError {
    return new ChannelClosedError(
      "cannot send: the channel is closed",
      value,
      { cause: this.closeReason },
    );
  }

  #push(value: T): void {
    if (this.#used === this.#ring.length) {
      // Compact only when it frees at least half the ring, else grow: with
      // a full ring and one withdrawn value, compacting every time would
      // cost O(capacity) per abort and send. The ring stays under 4 ×
      // capacity, since tombstones are then fewer than live values.
      if (this.#tombstones * 2 >= this.#used) this.#compact();
      else this.#grow();
    }
    this.#ring[(this.#head + this.#used) & this.#mask] = value;
    if (this.#withdrawable) (value as Withdrawable).queued = true;
    this.#used++;
    this.size++;
  }

  #grow(): void {
    this.#relocate(this.#ring.length * 2);
  }

  /** Drops tombstones; amortised O(1) per withdrawal (see #push). */
  #compact(): void {
    this.#relocate(this.#ring.length);
  }

  #relocate(length: number): void {
    const old = this.#ring;
    const ring = new Array<T | undefined>(length);
    let used = 0;
    for (let i = 0; i < this.#used; i++) {
      const value = old[(this.#head + i) & this.#mask] as T;
      if (this.#withdrawable && !(value as Withdrawable).queued) continue;
      ring[used++] = value;
    }
    this.#ring = ring;
    this.#head = 0;
    this.#mask = length - 1;
    this.#used = used;
    this.#tombstones = 0;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

let senderCore: <T>(sender: Sender<T>) => ChannelCore<T>;
let receiverCore: <T>(receiver: Receiver<T>) => ChannelCore<T>;
let newSender: <T>(core: ChannelCore<T>) => Sender<T>;
let newReceiver: <T>(core: ChannelCore<T>) => Receiver<T>;

/**
 * Internal (not exported from `mod.ts`): the shared state behind a sender or
 * receiver, or undefined when `end` is neither (an untyped caller's slip).
 */
export function channelCore<T>(
  end: Sender<T> | Receiver<T> | unknown,
): ChannelCore<T> | undefined {
  if (end instanceof Sender) return senderCore(end as Sender<T>);
  if (end instanceof Receiver) return receiverCore(end as Receiver<T>);
  return undefined;
}

/**
 * The sending half of a {@linkcode channel}. Any number of producers may
 * share it.
 *
 * @typeParam T The channel's value type.
 *
 * @example
 * ```ts
 * import { channel } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx, rx] = channel<string>(8);
 * await tx.send("a");
 * assert.equal(tx.trySend("b"), true);
 * tx.close();
 * assert.deepEqual(await Array.fromAsync(rx), ["a", "b"]);
 * ```
 */
export class Sender<T> implements Disposable {
  #core!: ChannelCore<T>;
  #writable: WritableStream<T> | undefined;

  private constructor() {}

  /**
   * Sends a value, waiting (first come, first served) while the channel is
   * full.
   *
   * @param value The value; it is moved by reference, never copied.
   * @param options `signal` gives up waiting; the value is then not sent.
   * @returns Resolves once the value is queued or handed to a receiver.
   * @throws {ChannelClosedError} (as a rejection) when the channel is closed,
   * at call time or while waiting; its `value` is the unsent value.
   * @throws {TypeError} (as a rejection) when `signal` is not an
   * `AbortSignal` (`null` means no signal), or when a primitive is sent on a
   * channel a client sends its request envelopes through.
   */
  send(value: T, options?: SendOptions): Promise<void> {
    return this.#core.send(value, options?.signal);
  }

  /**
   * Sends without waiting.
   *
   * @param value The value.
   * @returns true when sent, false when the channel is full.
   * @throws {ChannelClosedError} when the channel is closed; `value` is kept.
   * @throws {TypeError} when a primitive is sent on a channel a client sends
   * its request envelopes through.
   */
  trySend(value: T): boolean {
    return this.#core.trySend(value);
  }

  /**
   * Closes the channel: further sends reject, waiting sends reject, queued
   * values still drain to the receiver. Closing twice is a no-op.
   *
   * @param reason Kept as the `cause` of the `ChannelClosedError`s that follow.
   */
  close(reason?: unknown): void {
    this.#core.close(reason);
  }

  /** Whether the channel is closed. */
  get closed(): boolean {
    return this.#core.closed;
  }

  /** The channel's capacity. */
  get capacity(): number {
    return this.#core.capacity;
  }

  /** Number of values queued (not counting waiting senders). */
  get size(): number {
    return this.#core.size;
  }

  /**
   * A `WritableStream` view: each chunk is sent with backpressure; closing
   * the stream closes the channel; aborting it closes it with the reason.
   */
  get writable(): WritableStream<T> {
    return this.#writable ??= writableView(this.#core);
  }

  /** Closes the channel (`using tx = …`). */
  [Symbol.dispose](): void {
    this.close();
  }

  static {
    senderCore = (sender) => sender.#core;
    newSender = <U>(core: ChannelCore<U>) => {
      const sender = new Sender<U>();
      sender.#core = core;
      return sender;
    };
  }
}

/**
 * The receiving half of a {@linkcode channel}. Iterate it with `for await`,
 * or call {@linkcode Receiver.recv} / {@linkcode Receiver.tryRecv}.
 *
 * @typeParam T The channel's value type.
 *
 * @example
 * ```ts
 * import { channel } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx, rx] = channel<number>(2);
 * tx.trySend(1);
 * assert.equal(await rx.recv(), 1);
 * assert.deepEqual(rx.tryRecv(), { state: "empty" });
 * ```
 */
export class Receiver<T> implements AsyncIterable<T>, Disposable {
  #core!: ChannelCore<T>;
  #readable: ReadableStream<T> | undefined;

  private constructor() {}

  /**
   * Receives the next value, waiting while the channel is empty.
   *
   * @returns The oldest queued value.
   * @throws {ChannelClosedError} (as a rejection) once the channel is closed
   * and drained.
   */
  recv(): Promise<T> {
    return this.#core.recv();
  }

  /**
   * Receives without waiting.
   *
   * @returns `{state: "ok", value}`, `{state: "empty"}`, or `{state:
   * "closed"}` once the channel is closed and drained.
   */
  tryRecv(): RecvResult<T> {
    return this.#core.tryRecv();
  }

  /**
   * Closes the channel from the receiving side (same effect as
   * {@linkcode Sender.close}).
   *
   * @param reason Kept as the `cause` of later `ChannelClosedError`s.
   */
  close(reason?: unknown): void {
    this.#core.close(reason);
  }

  /** Whether the channel is closed (values may still be queued). */
  get closed(): boolean {
    return this.#core.closed;
  }

  /** Number of values queued. */
  get size(): number {
    return this.#core.size;
  }

  /**
   * A `ReadableStream` view pulling from the channel; it closes when the
   * channel is closed and drained; cancelling it closes the channel.
   */
  get readable(): ReadableStream<T> {
    return this.#readable ??= readableView(this.#core);
  }

  /** Yields values until the channel is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    const core = this.#core;
    while (true) {
      if (core.size > 0) {
        yield core.shift();
        continue;
      }
      if (core.closed) return;
      try {
        yield await core.recv();
      } catch (err) {
        if (
          err instanceof ChannelClosedError && core.closed && core.size === 0
        ) return;
        throw err;
      }
    }
  }

  /** Closes the channel (`using rx = …`). */
  [Symbol.dispose](): void {
    this.close();
  }

  static {
    receiverCore = (receiver) => receiver.#core;
    newReceiver = <U>(core: ChannelCore<U>) => {
      const receiver = new Receiver<U>();
      receiver.#core = core;
      return receiver;
    };
  }
}

/**
 * Creates a bounded channel.
 *
 * @typeParam T The value type.
 * @param capacity How many values may be queued: a positive integer, or
 * `Infinity` for an unbounded channel.
 * @returns The sender and the receiver.
 * @throws {InvalidOptionError} when `capacity` is not a positive integer or
 * `Infinity`.
 *
 * @example
 * ```ts
 * import { channel } from "@norpc/norpc";
 * import assert from "node:assert/strict";
 *
 * const [tx, rx] = channel<string>(1);
 * await tx.send("first");
 * const second = tx.send("second"); // waits: the channel is full
 * assert.equal(await rx.recv(), "first");
 * await second;
 * ```
 */
export function channel<T>(capacity: number): [Sender<T>, Receiver<T>] {
  validateCapacity(capacity);
  const core = new ChannelCore<T>(capacity);
  return [newSender(core), newReceiver(core)];
}

/** Throws {@linkcode InvalidOptionError} unless `capacity` is valid. */
export function validateCapacity(capacity: unknown, option = "capacity"): void {
  if (
    typeof capacity !== "number" ||
    !(capacity === Infinity || (Number.isInteger(capacity) && capacity > 0))
  ) {
    throw new InvalidOptionError(
      option,
      capacity,
      "a positive integer or Infinity",
    );
  }
}

function writableView<T>(core: ChannelCore<T>): WritableStream<T> {
  return new WritableStream<T>({
    // The controller's signal fires on abort(): a write waiting for room
    // gives up, so the stream's abort is not held behind it forever.
    write: (value, controller) => core.send(value, controller.signal),
    close: () => core.close(),
    abort: (reason) => core.close(reason),
  }, { highWaterMark: 1 });
}

function readableView<T>(core: ChannelCore<T>): ReadableStream<T> {
  return new ReadableStream<T>({
    async pull(controller) {
      if (core.size > 0) {
        controller.enqueue(core.shift());
        return;
      }
      if (core.closed) {
        controller.close();
        return;
      }
      try {
        controller.enqueue(await core.recv());
      } catch (err) {
        if (err instanceof ChannelClosedError && core.closed) {
          controller.close();
        } else throw err;
      }
    },
    cancel: (reason) => core.close(reason),
  }, { highWaterMark: 0 });
}

function isObject(value: unknown): boolean {
  return (typeof value === "object" && value !== null) ||
    typeof value === "function";
}

/**
 * A client's channel carries envelopes, which the channel marks while they
 * are queued; a primitive sent on it by an untyped caller cannot be marked.
 */
function notAnEnvelope(value: unknown): TypeError {
  return new TypeError(
    `this channel carries request envelopes (it has a client), got a ${typeof value}: send requests with connect(tx).call(req), not tx.send(req)`,
  );
}
