/** The soak command line and its seeded random generator. */

import assert from "node:assert/strict";
import { parseSoakArgs } from "../../soak/main.ts";
import { Rng } from "../../soak/rng.ts";

const MAIN = new URL("../../soak/main.ts", import.meta.url);

Deno.test("soak cli: flags", () => {
  assert.deepEqual(parseSoakArgs([]), {
    requests: 1_000_000,
    seed: undefined,
    help: false,
    workers: 0,
  });
  assert.deepEqual(parseSoakArgs(["--requests", "1_000", "--seed=7"]), {
    requests: 1000,
    seed: 7,
    help: false,
    workers: 0,
  });
  assert.deepEqual(parseSoakArgs(["--requests=1e6", "--seed", "0"]), {
    requests: 1_000_000,
    seed: 0,
    help: false,
    workers: 0,
  });
  assert.equal(parseSoakArgs(["-h"]).valueOf().constructor, Object);
  for (
    const bad of [
      ["--requests", "0"],
      ["--requests", "-5"],
      ["--requests", "1.5"],
      ["--requests", "abc"],
      ["--requests"],
      ["--seed", "4294967296"],
      ["--seed", "-1"],
      ["--seeds", "1"],
      ["extra"],
    ]
  ) {
    assert.equal(typeof parseSoakArgs(bad), "string", bad.join(" "));
  }
});

async function run(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--v8-flags=--expose-gc", MAIN.pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

Deno.test("soak cli: a short run prints its summary and passes", async () => {
  const { code, stdout, stderr } = await run(
    "--requests",
    "3000",
    "--seed",
    "5",
  );
  assert.equal(code, 0, stdout + stderr);
  assert.match(
    stderr,
    /seed 5 \(replay: deno task soak --requests 3000 --seed 5\)/,
  );
  assert.match(stdout, /norpc soak: 3,000 calls, seed 5/);
  assert.match(stdout, /every call got exactly one outcome\.+ ok/);
  assert.match(
    stdout,
    /server counters add up\.+ ok {2}([\d,]+) counted = \1 /,
  );
  assert.match(stdout, /heap after GC within a few MB of the start\.+ ok/);
  assert.match(stdout, /\nPASS$/m);
});

Deno.test("soak cli: the same seed prints the same outcomes and outcome hash", async () => {
  const replayed = (stdout: string) => {
    // Everything but the wall-clock line and the heap figures.
    const lines = stdout.split("\n");
    return lines.filter((l) =>
      !l.startsWith("norpc soak:") && !l.includes("heap after GC")
    ).join("\n");
  };
  const a = await run("--requests", "2500", "--seed", "77");
  const b = await run("--requests", "2500", "--seed", "77");
  assert.equal(a.code, 0, a.stdout + a.stderr);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  const hash = /outcome hash ([0-9a-f]{16})/.exec(a.stdout);
  assert.ok(hash !== null, a.stdout);
  assert.match(b.stdout, new RegExp(`outcome hash ${hash[1]}`));
  assert.equal(replayed(b.stdout), replayed(a.stdout));
  const other = await run("--requests", "2500", "--seed", "78");
  assert.doesNotMatch(other.stdout, new RegExp(`outcome hash ${hash[1]}`));
});

Deno.test("soak cli: usage errors exit 2, --help exits 0", async () => {
  const bad = await run("--requests", "zero");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--requests must be a positive integer/);
  const help = await run("--help");
  assert.equal(help.code, 0);
  assert.match(
    help.stdout,
    /Usage: deno task soak \[--workers\[=N\]\] \[--requests N\] \[--seed S\]/,
  );
  assert.match(help.stdout, /a seed replays the WHOLE run/);
});

Deno.test("rng: seeded, uniform enough, in range", () => {
  const a = new Rng(123);
  const b = new Rng(123);
  const first = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(first, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(
    first,
    Array.from({ length: 5 }, () => new Rng(124).next()),
  );
  // mulberry32's published first output for seed 0.
  assert.equal(Math.round(new Rng(0).next() * 2 ** 32), 1144304738);

  const rng = new Rng(9);
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    buckets[Math.floor(x * 10)]++;
  }
  for (const n of buckets) assert.ok(n > 9_000 && n < 11_000, String(buckets));
  for (let i = 0; i < 1000; i++) {
    const r = rng.range(3, 5);
    assert.ok(r >= 3 && r <= 5 && Number.isInteger(r));
  }
  const counts = { a: 0, b: 0 };
  for (let i = 0; i < 10_000; i++) counts[rng.weighted({ a: 1, b: 3 })]++;
  assert.ok(
    counts.b > 2.5 * counts.a && counts.b < 3.5 * counts.a,
    JSON.stringify(counts),
  );
});
