// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Observable<T> {
  subscribe(next: (value: T) => void): { unsubscribe(): void };
}

/** Runtime code on purpose: `deno task gen tests` skips this stub. */
export const STUB = true;
