// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// NestJS: PipeTransform (a generic interface whose parameters have defaults).
export interface ArgumentMetadata {
  readonly type: "body" | "query" | "param" | "custom";
  readonly data?: string | undefined;
}

/** Interface describing implementation of a pipe. */
export interface PipeTransform<T = any, R = any> {
  /**
   * Method to implement a custom pipe. Called with two parameters.
   *
   * @param value argument before it is received by route handler method
   * @param metadata contains metadata about the value
   */
  transform(value: T, metadata: ArgumentMetadata): R;
}

export const SOURCE =
  "nestjs/nest packages/common/interfaces/features/pipe-transform.interface.ts";
