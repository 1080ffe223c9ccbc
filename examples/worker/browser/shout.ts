/** A small service for the browser demo, run in a Worker of the page. */
export interface Shout {
  /** `text` in capitals; an empty `text` is refused with a typed error. */
  shout(text: string): string;
  /** Resolves after `ms` milliseconds, unless the caller aborts first. */
  wait(ms: number): string;
  /** How many calls saw their signal abort in the worker so far. */
  aborted(): number;
}
