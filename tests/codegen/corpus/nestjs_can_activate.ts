// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// NestJS: CanActivate (a result that is a boolean, a promise or an
// Observable).
export interface Observable<T> {
  subscribe(observer: (value: T) => void): { unsubscribe(): void };
}
export interface ExecutionContext {
  getType(): string;
  getArgs(): unknown[];
}

/** Interface defining the `canActivate()` function of a guard. */
export interface CanActivate {
  /**
   * @param context Current execution context.
   * @returns Value indicating whether or not the current request is allowed.
   */
  canActivate(
    context: ExecutionContext,
  ): boolean | Promise<boolean> | Observable<boolean>;
}

export const SOURCE =
  "nestjs/nest packages/common/interfaces/features/can-activate.interface.ts";
