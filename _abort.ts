/**
 * Internal (not exported from any entry point): abort listeners for norpc's
 * calls. One native listener per signal fans out to every call waiting on
 * it, so adding and removing a call's listener is O(1) however many calls
 * share a long-lived signal.
 *
 * @module
 */

import { notAnAbortSignal } from "./errors.ts";

/**
 * A listener that is its own node in a fanout's list: every call norpc
 * keeps (a client's call, a layer's waiting or timed call) is one, through
 * `Deadline` in `_timers.ts`. Linking it costs a few field writes, where
 * a `Set` made for a burst of concurrent calls used to stay for the
 * signal's life and cost every later call ~60 ns (add and delete of a
 * fresh object).
 */
export interface AbortNode {
  /** The node before it in its signal's fanout. */
  abortPrev: Linked | undefined;
  /** The node after it in its signal's fanout. */
  abortNext: Linked | undefined;
}

/** A node added with `onAbort`, so a listener too. */
type Linked = AbortNode & EventListenerObject;

/**
 * The listeners norpc keeps on one signal: a single listener registered with
 * the signal, fanning out to them. Many calls often share a signal (a
 * shutdown or request-scoped one), and an `EventTarget` removes a listener
 * by scanning them all, so n calls each adding and removing their own would
 * cost O(n²); here each add and remove is O(1). An {@linkcode AbortNode} is
 * linked into a list; any other listener goes into a `Set`.
 */
class AbortFanout implements EventListenerObject {
  /**
   * The oldest listener, while the list is empty (most signals serve one
   * call at a time: a field write is the cheapest add).
   */
  #one: EventListenerObject | undefined = undefined;
  /** The later nodes, in order (see {@linkcode AbortNode}). */
  #head: Linked | undefined = undefined;
  #tail: Linked | undefined = undefined;
  /** Listeners in `#one` and the list. */
  #count = 0;
  /** Listeners that are not nodes, when `#one` was taken. */
  others: Set<EventListenerObject> | undefined = undefined;
  /** How many times the fanout went idle (its last listener left). */
  idles = 0;
  /** Whether its native listener is registered on the signal. */
  attached = false;

  constructor(readonly signal: AbortSignal) {}

  get size(): number {
    return this.#count + (this.others?.size ?? 0);
  }

  add(listener: EventListenerObject): void {
    if (this.#one === undefined && this.#head === undefined) {
      this.#one = listener;
      this.#count++;
    } else if ("abortNext" in listener) {
      if (
        this.#one === listener ||
        (listener as Linked).abortPrev !== undefined ||
        this.#head === listener
      ) return;
      const node = listener as Linked;
      node.abortPrev = this.#tail;
      node.abortNext = undefined;
      if (this.#tail === undefined) this.#head = node;
      else this.#tail.abortNext = node;
      this.#tail = node;
      this.#count++;
    } else if (this.#one !== listener) {
      (this.others ??= new Set()).add(listener);
    }
  }

  delete(listener: EventListenerObject): boolean {
    if (this.#one === listener) {
      this.#one = undefined;
      this.#count--;
      return true;
    }
    if (!("abortNext" in listener)) {
      return this.others !== undefined && this.others.delete(listener);
    }
    // A node is in at most one fanout (a call has one signal): linked here
    // when it has a predecessor or is the head.
    const node = listener as Linked;
    const prev = node.abortPrev;
    if (prev === undefined && this.#head !== node) return false;
    const next = node.abortNext;
    if (prev === undefined) this.#head = next;
    else prev.abortNext = next;
    if (next === undefined) this.#tail = prev;
    else next.abortPrev = prev;
    node.abortPrev = undefined;
    node.abortNext = undefined;
    this.#count--;
    return true;
  }

  handleEvent(event: Event): void {
    // Live iteration, oldest first: a listener removed by an earlier one is
    // skipped, as an EventTarget would; each is removed before it runs.
    const one = this.#one;
    if (one !== undefined) {
      this.delete(one);
      one.handleEvent(event);
    }
    let node;
    while ((node = this.#head) !== undefined) {
      this.delete(node);
      node.handleEvent(event);
    }
    const others = this.others;
    if (others !== undefined) {
      for (const listener of others) {
        others.delete(listener);
        listener.handleEvent(event);
      }
    }
    fanouts.delete(this.signal);
    if (lastFanout === this) lastFanout = undefined;
  }
}

const fanouts = new WeakMap<AbortSignal, AbortFanout>();
/**
 * The fanout used last. Call after call usually shares one signal, and a
 * field compare is cheaper than the two `WeakMap` lookups (~7 ns each) a
 * call would make on it. Held only while its native listener is attached,
 * so it retains at most one live, listened-to signal.
 */
let lastFanout: AbortFanout | undefined = undefined;
/** Idle periods after which a signal counts as long-lived (see offAbort). */
const STICKY_AFTER_IDLES = 3;
const ONCE: AddEventListenerOptions = Object.freeze({ once: true });

/**
 * Calls `listener.handleEvent` once when `signal` aborts, until {@linkcode offAbort} removes it. Adding and
 * removing are O(1) however many calls share the signal. The caller checks
 * `signal.aborted` first: an aborted signal fires no more.
 *
 * @param signal The call's signal.
 * @param listener Its `handleEvent` runs on abort.
 */
export function onAbort(
  signal: AbortSignal,
  listener: EventListenerObject,
): void {
  let fanout = lastFanout;
  if (fanout === undefined || fanout.signal !== signal) {
    fanout = fanouts.get(signal);
    if (fanout === undefined) {
      fanout = new AbortFanout(signal);
      fanouts.set(signal, fanout);
    }
    if (!fanout.attached) {
      fanout.attached = true;
      signal.addEventListener("abort", fanout, ONCE);
    }
    lastFanout = fanout;
  }
  fanout.add(listener);
}

/**
 * Removes a listener added with {@linkcode onAbort}. The signal's own
 * listener goes with the last one, except on a long-lived signal (see
 * below), where one idle listener stays for the signal's life.
 *
 * @param signal The call's signal.
 * @param listener The listener to remove; a no-op when it is not there.
 */
export function offAbort(
  signal: AbortSignal,
  listener: EventListenerObject,
): void {
  const last = lastFanout;
  const fanout = last !== undefined && last.signal === signal
    ? last
    : fanouts.get(signal);
  if (fanout === undefined || !fanout.delete(listener)) return;
  // A signal that went idle a few times already is a long-lived one (a
  // shutdown or session signal shared by call after call): its native
  // listener stays, idle, for the signal's life, since removing and adding
  // it back costs about 150 ns a call in Deno. It holds no call, and goes
  // when the signal aborts or is collected. A short-lived signal's goes now.
  if (fanout.size === 0 && ++fanout.idles < STICKY_AFTER_IDLES) {
    fanout.attached = false;
    signal.removeEventListener("abort", fanout);
    if (lastFanout === fanout) lastFanout = undefined;
  }
}

/**
 * how many norpc listeners wait on
 * `signal` (for tests and leak checks).
 *
 * @param signal A signal.
 * @returns The number of listeners added with {@linkcode onAbort} and not
 * yet removed or fired.
 */
export function abortListeners(signal: AbortSignal): number {
  return fanouts.get(signal)?.size ?? 0;
}

/**
 * what a client, a channel or a
 * layer returns at once for a call whose `signal` is already aborted
 * (a rejection with its reason) or is not an `AbortSignal` at all, as an
 * untyped caller could pass (a `TypeError` rejection, before any timer or
 * listener is armed); `undefined` to go on. `null` means no signal, as for
 * `fetch()`.
 */
export function refuseSignal(
  signal: AbortSignal | null | undefined,
): Promise<never> | undefined {
  if (signal == null) return undefined;
  if (!(signal instanceof AbortSignal)) {
    return Promise.reject(notAnAbortSignal(signal));
  }
  return signal.aborted ? Promise.reject(signal.reason) : undefined;
}
