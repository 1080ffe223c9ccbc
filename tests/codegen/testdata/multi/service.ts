/**
 * Two services in one file, with parameters named like the generated code's
 * locals (`options`, `req`) and long names that force line breaks.
 *
 * @module
 */

/** Echoes. */
export interface Echo {
  echo(options: string, req: number): [string, number];
  echoAVeryLongMethodNameThatForcesTheFormatterToBreakLines(
    aVeryLongParameterName: string,
  ): string;
}

export interface AVeryLongServiceNameThatMakesEveryGeneratedLineLonger {
  ping(): "pong";
}
