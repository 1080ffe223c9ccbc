import assert from "node:assert/strict";
import {
  type BenchJson,
  evaluateTargets,
  formatRatio,
  formatTime,
  type Machine,
  type MemoryResult,
  parseBenchJson,
  README_SUMMARY_END,
  README_SUMMARY_START,
  renderMarkdown,
  renderReadmeSummary,
  renderSvg,
  requestsPerIteration,
  spliceReadme,
  summarize,
} from "../../bench/report_render.ts";
import fixture from "./fixtures/bench.json" with { type: "json" };

const json: BenchJson = parseBenchJson(JSON.stringify(fixture));

const machine: Machine = {
  cpu: "AMD EPYC",
  cores: 2,
  os: "linux 6.1 x86_64",
  memoryBytes: 24 * 2 ** 30,
  deno: "2.9.6",
  v8: "15.0",
  typescript: "6.0.3",
  date: "2026-11-25",
};

const memory: MemoryResult[] = [
  {
    name: "spawn, default options",
    heapAt100k: 2_500_000,
    heapAt1M: 2_490_000,
  },
  { name: "leaky", heapAt100k: 2_500_000, heapAt1M: 90_000_000 },
];

Deno.test("requestsPerIteration reads the ×N suffix of a bench name", () => {
  assert.equal(requestsPerIteration("norpc spawn ×256"), 256);
  assert.equal(requestsPerIteration("direct call ×16"), 16);
  assert.equal(requestsPerIteration("MessageChannel, same thread"), 1);
  assert.equal(requestsPerIteration("fan-out 1→3"), 1);
  assert.equal(requestsPerIteration("×256 in the middle"), 1);
});

Deno.test("summarize orders groups, times per request, ratios to the floor", () => {
  const groups = summarize(json);
  assert.deepEqual(groups.map((g) => g.name), [
    "noop c=1",
    "noop batch 256",
    "payload 1 MB object",
    "other_bench.ts",
  ]);
  const batch = groups[1];
  assert.equal(batch.rows[0].perIteration, 256);
  assert.equal(batch.rows[0].avg, 100);
  assert.equal(batch.rows[1].avg, 300);
  assert.equal(batch.rows[1].xFloor, 3);
  assert.equal(batch.rows[1].reqPerSec, 1e9 / 300);
  assert.equal(groups[0].rows[1].xFloor, 2);
  // The fixture's c=1 floor had one fast iteration: by min, norpc is 4×.
  assert.equal(groups[0].rows[0].min, 45);
  assert.equal(groups[0].rows[1].xFloorMin, 4);
  assert.equal(batch.rows[1].xFloorMin, 3);
  const payload = groups[2].rows;
  assert.deepEqual(payload.map((r) => r.perIteration), [256, 256, 1]);
  assert.equal(payload[2].avg, 14_000_000, "a ×1 case is not divided");
  assert.equal(payload[2].xFloor, 140_000);
  assert.ok(Number.isNaN(groups[3].rows[0].xFloor), "no baseline, no ratio");
});

Deno.test("evaluateTargets reports every goal with its figure", () => {
  const targets = evaluateTargets(summarize(json), memory);
  const byGoal = new Map(targets.map((t) => [t.goal.split(":")[0], t]));
  // Judged by min: 2× by avg would pass, 4× by min does not.
  const c1 = byGoal.get("noop round trip at concurrency 1")!;
  assert.equal(c1.met, false);
  assert.equal(c1.measured, "4.00× by min (180 ns); 2.00× by avg (200 ns)");
  const b256 = byGoal.get("per request in a batch of 256")!;
  assert.equal(b256.met, false);
  assert.equal(b256.measured, "3.00× by min (270 ns); 3.00× by avg (300 ns)");
  const birpc = targets.find((t) => t.goal.includes("birpc"))!;
  assert.equal(birpc.met, true);
  assert.equal(
    birpc.measured,
    "10.0× by min; 10.0× by avg (birpc, no timeout: 1.80 µs min, 2.00 µs avg)",
  );
  const comlink = targets.find((t) => t.goal.includes("comlink"))!;
  assert.equal(
    comlink.measured,
    "100× by min; 100× by avg (comlink over MessageChannel: 18.0 µs min, 20.0 µs avg)",
  );
  assert.equal(comlink.met, true);
  const abs = targets.find((t) => t.goal.includes("0.5 µs"))!;
  assert.deepEqual([abs.measured, abs.met], ["200 ns", true]);
  const payload = targets.find((t) => t.goal.includes("1 MB"))!;
  assert.equal(payload.met, true);
  assert.match(payload.measured, /210 ns .*noop: 200 ns.*14\.0 ms/);
  const heaps = targets.filter((t) => t.goal.includes("heap"));
  assert.deepEqual(heaps.map((t) => t.met), [true, false]);
});

Deno.test("evaluateTargets marks goals n/a when a case is missing", () => {
  const targets = evaluateTargets([]);
  assert.ok(targets.length >= 5);
  for (const t of targets) {
    assert.equal(t.met, undefined);
    assert.equal(t.measured, "missing");
  }
});

Deno.test("renderMarkdown writes machine, targets, chart and one table per group", () => {
  const md = renderMarkdown(json, machine, memory);
  assert.match(md, /^# norpc benchmarks\n/);
  assert.match(md, /AMD EPYC, 2 cores, 24 GiB, linux 6\.1 x86_64/);
  assert.match(md, /Deno 2\.9\.6, V8 15\.0, TypeScript 6\.0\.3/);
  assert.match(
    md,
    /\| per request in a batch of 256: ≤ 2\.5× the direct call \| 3\.00× by min \(270 ns\); 3\.00× by avg \(300 ns\) \| \*\*no\*\* \|/,
  );
  assert.match(md, /!\[[^\]]*\]\(chart\.svg\)/);
  for (const group of ["noop c=1", "noop batch 256", "payload 1 MB object"]) {
    assert.ok(md.includes(`\n## ${group}\n`), group);
  }
  assert.match(
    md,
    /\| norpc spawn \| 270 ns \| 300 ns \| 330 ns \| 600 ns \| 3,333,333 \| 3\.00× \| 3\.00× \| 256 \|/,
  );
  assert.match(md, /\| direct call \(floor\) \| 45\.0 ns \| 100 ns \|/);
  assert.match(
    md,
    /\| MessageChannel, same thread \| 12\.6 ms \| 14\.0 ms \| .* \| 1 \|/,
  );
  assert.match(md, /batches of 256 concurrent calls/);
  assert.ok(md.includes("| a <peer> & \\| co |"), "pipes are escaped");
  assert.match(md, /\| leaky \| 2\.38 MiB \| 85\.83 MiB \| \+85449 KiB \|/);
  assert.equal(md, renderMarkdown(json, machine, memory), "deterministic");
});

Deno.test("renderSvg draws the c=1 and batch-256 groups on a log scale", () => {
  const svg = renderSvg(json);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.ok(svg.includes(">noop c=1</text>"));
  assert.ok(svg.includes(">noop batch 256</text>"));
  assert.ok(!svg.includes("payload"), "only the chart groups");
  // 5 + 3 bars, plus the background.
  assert.equal(svg.match(/<rect /g)?.length, 9);
  assert.ok(svg.includes("a &lt;peer&gt; &amp; | co"), "names are escaped");
  assert.ok(!svg.includes("×256<"), "batch suffix dropped from labels");
  // comlink at 200× needs three decades: ticks up to 1,000×, no further.
  assert.ok(svg.includes(">1,000×</text>"));
  assert.ok(!svg.includes(">2,000×</text>"));
  assert.ok(svg.includes(">3.00× · 270 ns</text>"), "by min");
  assert.ok(svg.includes(">4.00× · 180 ns</text>"), "by min");
  assert.equal(svg, renderSvg(json), "deterministic");
});

Deno.test("parseBenchJson rejects failed benches and foreign JSON", () => {
  assert.throws(() => parseBenchJson("{}"), /no `benches` array/);
  const failed = {
    ...json,
    benches: [{ ...json.benches[0], results: [{ failed: "boom" }] }],
  };
  assert.throws(
    () => parseBenchJson(JSON.stringify(failed)),
    /bench "direct call ×256" failed: boom/,
  );
});

Deno.test("formatTime and formatRatio", () => {
  assert.equal(formatTime(91.2345), "91.2 ns");
  assert.equal(formatTime(1_234), "1.23 µs");
  assert.equal(formatTime(14_000_000), "14.0 ms");
  assert.equal(formatRatio(2.0634), "2.06×");
  assert.equal(formatRatio(38.12), "38.1×");
  assert.equal(formatRatio(1234.4), "1,234×");
  assert.equal(formatRatio(NaN), "—");
});

Deno.test("renderReadmeSummary pairs each c=1 case with its batch-256 figure", () => {
  const summary = renderReadmeSummary(json, machine);
  assert.match(summary, /on AMD EPYC \(2 cores\), Deno 2\.9\.6, 2026-11-25:/);
  assert.match(
    summary,
    /\| direct call \(floor\) \| 45\.0 ns \| 1\.00× \| 90\.0 ns \| 1\.00× \|/,
  );
  assert.match(
    summary,
    /\| norpc spawn \| 180 ns \| 4\.00× \| 270 ns \| 3\.00× \|/,
  );
  assert.match(summary, /\(bench\/RESULTS\.md\)/);
  const noC1 = {
    ...json,
    benches: json.benches.filter((b) => b.group !== "noop c=1"),
  };
  assert.throws(() => renderReadmeSummary(noC1, machine), /noop c=1/);
});

Deno.test("spliceReadme replaces only the text between the markers", () => {
  const readme =
    `# x\n\n${README_SUMMARY_START}\n\nold table\n\n${README_SUMMARY_END}\n\n## next\n`;
  const once = spliceReadme(readme, "new table");
  assert.equal(
    once,
    `# x\n\n${README_SUMMARY_START}\n\nnew table\n\n${README_SUMMARY_END}\n\n## next\n`,
  );
  assert.equal(spliceReadme(once, "new table"), once, "idempotent");
  assert.throws(() => spliceReadme("# no markers", "t"), /bench-summary:start/);
  assert.throws(
    () => spliceReadme(`${README_SUMMARY_END}\n${README_SUMMARY_START}`, "t"),
    /in that order/,
  );
});
