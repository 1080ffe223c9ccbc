// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface Lock {
  readonly mode: "exclusive" | "shared";
  readonly name: string;
}
export interface LockManagerSnapshot {
  held?: Lock[];
  pending?: Lock[];
}
export interface LockOptions {
  ifAvailable?: boolean;
  mode?: "exclusive" | "shared";
  signal?: AbortSignal;
  steal?: boolean;
}
export interface LockGrantedCallback<T> {
  (lock: Lock | null): T;
}
export interface LockManager {
  query(): Promise<LockManagerSnapshot>;
  request<T>(name: string, callback: LockGrantedCallback<T>): Promise<T>;
  request<T>(
    name: string,
    options: LockOptions,
    callback: LockGrantedCallback<T>,
  ): Promise<T>;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "dom_lock_manager";
