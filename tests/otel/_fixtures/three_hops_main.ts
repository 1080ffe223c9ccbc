/**
 * Runs {@linkcode runThreeHops} as a program, for `OTEL_DENO=true`: Deno's
 * built-in OpenTelemetry exports the spans when the program ends.
 *
 * Usage: `deno run three_hops_main.ts <callers> [queued]`
 *
 * @module
 */

import { runThreeHops } from "../_three_hops.ts";

const callers = Number(Deno.args[0] ?? 64);
await runThreeHops({ callers, queued: Deno.args[1] === "queued" });
