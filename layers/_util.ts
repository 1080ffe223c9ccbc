// Small helpers shared by the layers: option forwarding, abort detection,
// readiness of an inner service, and an intrusive FIFO list whose nodes can be
// removed in O(1) when their caller aborts.

import type { CallOptions, Service } from "../service.ts";

export { refuseSignal } from "../_abort.ts";

/** The options to pass to an inner call whose signal the layer owns. */
export function withSignal(
  options: CallOptions | undefined,
  signal: AbortSignal,
): CallOptions {
  return options === undefined ? { signal } : { ...options, signal };
}

/** True when `error` is the caller's own abort, which layers never retry, count or map. */
export function isOwnAbort(
  error: unknown,
  options: CallOptions | undefined,
): boolean {
  const signal = options?.signal;
  return signal != null && signal.aborted && error === signal.reason;
}

/** `inner.ready()`, or `true` when the inner service has no readiness probe. */
export function innerReady(inner: Service<unknown, unknown>): boolean {
  return inner.ready === undefined || inner.ready();
}

/** Calls `inner.call`, turning a synchronous throw into a rejection. */
export function callInner<Req, Res>(
  inner: Service<Req, Res>,
  req: Req,
  options: CallOptions | undefined,
): Promise<Res> {
  try {
    return inner.call(req, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The request's `method` when it is a string (generated requests have one). */
export function methodOf(req: unknown): string | undefined {
  if (typeof req === "object" && req !== null && "method" in req) {
    const method = (req as { method: unknown }).method;
    if (typeof method === "string") return method;
  }
  return undefined;
}

/** A node of a {@linkcode FifoList}. */
export interface Node {
  prev: Node | undefined;
  next: Node | undefined;
}

/**
 * A doubly linked FIFO queue of caller-owned nodes: push, shift and remove
 * are O(1) and allocate nothing (the node is the waiter itself).
 */
export class FifoList<T extends Node> {
  #head: T | undefined = undefined;
  #tail: T | undefined = undefined;
  #size = 0;

  /** Number of queued nodes. */
  get size(): number {
    return this.#size;
  }

  /** The oldest node, without removing it. */
  get head(): T | undefined {
    return this.#head;
  }

  /** Appends `node`, which must not be in any list. */
  push(node: T): void {
    node.prev = this.#tail;
    node.next = undefined;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    this.#size++;
  }

  /** Removes and returns the oldest node. */
  shift(): T | undefined {
    const node = this.#head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Removes `node`; returns false when it was not queued here. */
  remove(node: T): boolean {
    if (node.prev === undefined && this.#head !== node) return false;
    if (node.prev === undefined) this.#head = node.next as T | undefined;
    else node.prev.next = node.next;
    if (node.next === undefined) this.#tail = node.prev as T | undefined;
    else node.next.prev = node.prev;
    node.prev = undefined;
    node.next = undefined;
    this.#size--;
    return true;
  }
}

/**
 * A call waiting in a layer's {@linkcode FifoList} (for a permit, a token):
 * it is its own list node and abort listener, so queueing allocates nothing
 * else. The layer resolves it with the inner call once let through; if the
 * caller aborts first, `leave` takes it out of the queue and it rejects with
 * the signal's reason.
 */
export class QueuedCall<Req, Res> implements Node {
  prev: Node | undefined = undefined;
  next: Node | undefined = undefined;
  readonly promise: Promise<Res>;
  readonly resolve: (value: Res | PromiseLike<Res>) => void;
  readonly reject: (reason: unknown) => void;
  readonly #leave: (waiter: QueuedCall<Req, Res>) => boolean;

  constructor(
    leave: (waiter: QueuedCall<Req, Res>) => boolean,
    readonly req: Req,
    readonly options: CallOptions | undefined,
  ) {
    this.#leave = leave;
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    this.promise = promise;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** The caller aborted while queued: leave the queue, reject. */
  handleEvent(): void {
    if (this.#leave(this)) this.reject(this.options!.signal!.reason);
  }
}
