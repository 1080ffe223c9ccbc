// Internal: a queue of deadlines served by one timer, shared by the server
// (deadline enforcement) and the layers (timeout, hedge). The timeout and hedge layers
// arm one deadline per call; a timer per call would cost a timer op to set
// and another to clear on every call. Deadlines of one layer arrive almost
// always in order (same delay, increasing start), so they are kept in a
// list sorted by deadline with insertion from the tail: O(1) in practice.
// The timer is armed for the earliest deadline and cleared as soon as the
// queue is empty, so an idle layer holds no timer.

/** An entry of a {@linkcode TimerQueue}: a call waiting for its deadline. */
export abstract class Deadline {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  /** When `expire()` is due, on the `performance.now()` clock. */
  deadline = 0;
  /** Whether the entry is in a queue. */
  queued = false;
  /** Called once, by the queue's timer, when the deadline has passed. */
  abstract expire(): void;
}

/** Deadlines sorted by time, served by a single timer. */
export class TimerQueue {
  #head: Deadline | undefined = undefined;
  #tail: Deadline | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The deadline the timer is armed for. */
  #armedFor = Infinity;

  /** Queues `entry` to expire `delay` ms from `now`. */
  add(entry: Deadline, now: number, delay: number): void {
    const deadline = now + delay;
    entry.deadline = deadline;
    entry.queued = true;
    let after = this.#tail;
    while (after !== undefined && after.deadline > deadline) {
      after = after.prev;
    }
    entry.prev = after;
    entry.next = after === undefined ? this.#head : after.next;
    if (after === undefined) this.#head = entry;
    else after.next = entry;
    if (entry.next === undefined) this.#tail = entry;
    else entry.next.prev = entry;
    if (deadline < this.#armedFor) this.#arm(now, deadline);
  }

  /** Takes `entry` out of the queue (its call settled first). */
  remove(entry: Deadline): void {
    if (!entry.queued) return;
    this.#unlink(entry);
    if (this.#head === undefined && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedFor = Infinity;
    }
  }

  #unlink(entry: Deadline): void {
    entry.queued = false;
    if (entry.prev === undefined) this.#head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.#tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
  }

  #arm(now: number, deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = deadline;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, deadline - now));
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = performance.now();
    let head;
    while ((head = this.#head) !== undefined && head.deadline <= now) {
      this.#unlink(head);
      head.expire();
    }
    // expire() may have added or removed entries: re-read the head.
    head = this.#head;
    if (head !== undefined && this.#timer === undefined) {
      this.#arm(now, head.deadline);
    }
  };
}
