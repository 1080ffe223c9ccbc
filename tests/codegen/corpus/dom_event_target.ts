// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// DOM lib: EventTarget (listener types as unions of callable interfaces).
export interface Event {
  readonly type: string;
}
export interface EventListener {
  (evt: Event): void;
}
export interface EventListenerObject {
  handleEvent(object: Event): void;
}
export type EventListenerOrEventListenerObject =
  | EventListener
  | EventListenerObject;
export interface AddEventListenerOptions {
  once?: boolean;
  passive?: boolean;
  signal?: AbortSignal;
}

/** An object that can receive events and may have listeners for them. */
export interface EventTarget {
  addEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void;
  dispatchEvent(event: Event): boolean;
  removeEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean,
  ): void;
}

export const SOURCE = "microsoft/TypeScript src/lib/dom.generated.d.ts";
