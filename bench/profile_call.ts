/**
 * Runs one realistic call shape in a tight loop, for a V8 tick profile (see
 * `bench/PROFILE.md` for the commands and a reading of the result):
 *
 * ```sh
 * deno run --v8-flags=--prof bench/profile_call.ts signal
 * ```
 *
 * Shapes: `bare` (no options), `signal` (a long-lived caller signal),
 * `timeout` (a client-side `timeout(1000)` and a signal) and `stack`
 * (`timeout → retry → concurrencyLimit` and a signal). Prints the time per
 * call, which under `--prof` is slower than in `deno bench`.
 *
 * @module
 */
import { type CallOptions, type Service, serviceFn, spawn } from "../mod.ts";
import { concurrencyLimit, retry, timeout } from "../layers/mod.ts";

const CALLS = 3_000_000;
const shape = Deno.args[0] ?? "signal";

const handler = (req: number, _options?: CallOptions): Promise<number> =>
  Promise.resolve(req);
await using server = spawn(serviceFn(handler), { name: "Noop" });
const options: CallOptions | undefined = shape === "bare"
  ? undefined
  : { signal: new AbortController().signal };

const shapes: Record<string, () => Service<number, number>> = {
  bare: () => server.client,
  signal: () => server.client,
  timeout: () => timeout<number, number>(1000)(server.client),
  stack: () =>
    timeout<number, number>(1000)(
      retry<number, number>({ attempts: 3 })(
        concurrencyLimit<number, number>(1024)(server.client),
      ),
    ),
};
const make = shapes[shape];
if (make === undefined) {
  console.error(
    `unknown shape ${shape}: use ${Object.keys(shapes).join(", ")}`,
  );
  Deno.exit(2);
}
const svc = make();

let sum = 0;
const start = performance.now();
for (let i = 0; i < CALLS; i++) sum += await svc.call(1, options);
const ns = (performance.now() - start) * 1e6 / CALLS;
if (sum !== CALLS) throw new Error(`expected ${CALLS}, got ${sum}`);
console.log(`${shape}: ${ns.toFixed(1)} ns per call over ${CALLS} calls`);
