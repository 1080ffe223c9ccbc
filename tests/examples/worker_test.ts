/** The Worker example: the same caller, in-process and over a pool of 2. */

import assert from "node:assert/strict";
import { PrimeSieve } from "../../examples/worker/sieve.ts";
import { run } from "../../examples/worker/main.ts";
import { assertGeneratedFresh, ROOT } from "./_helpers.ts";
import { withWorkers } from "../transports/worker_helpers.ts";

Deno.test("worker example: the sieve counts primes", () => {
  const sieve = new PrimeSieve();
  assert.equal(sieve.countBelow(100), 25);
  assert.equal(sieve.countBelow(2), 0);
  assert.equal(sieve.largestBelow(100), 97);
  assert.equal(sieve.largestBelow(2), 0);
});

Deno.test(
  "worker example: the pool of 2 answers exactly as the in-process service",
  withWorkers(async () => {
    const { inProcess, pool } = await run();
    assert.deepEqual(pool, inProcess);
    assert.equal(inProcess[2], "78498 primes below 1000000");
  }),
);

Deno.test("worker example: main.ts prints both reports and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "example:worker"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(stderr, "");
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  assert.deepEqual(lines.slice(0, 1), ["in-process:"]);
  assert.deepEqual(lines.slice(1, 6), lines.slice(7, 12));
  assert.equal(lines[6], "pool of 2 Workers:");
});

Deno.test("worker example: primes.gen.ts is what the generator writes", async () => {
  await assertGeneratedFresh("examples/worker", "primes");
});
