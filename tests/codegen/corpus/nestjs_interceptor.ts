// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// NestJS: NestInterceptor (generic defaults; `Observable<R> |
// Promise<Observable<R>>`).
export interface Observable<T> {
  subscribe(observer: (value: T) => void): { unsubscribe(): void };
}
export interface ExecutionContext {
  getType(): string;
}
export interface CallHandler<T = any> {
  handle(): Observable<T>;
}

/** Interface describing implementation of an interceptor. */
export interface NestInterceptor<T = any, R = any> {
  intercept(
    context: ExecutionContext,
    next: CallHandler<T>,
  ): Observable<R> | Promise<Observable<R>>;
}

export const SOURCE =
  "nestjs/nest packages/common/interfaces/features/nest-interceptor.interface.ts";
