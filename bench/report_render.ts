/**
 * Pure rendering for `bench/report.ts`: `deno bench --json` output in,
 * `bench/RESULTS.md` and `bench/chart.svg` out. No I/O here, so it is tested
 * on a fixture (tests/bench/report_test.ts).
 *
 * @module
 */

/** Statistics of one bench, in nanoseconds per iteration. */
export interface BenchStats {
  n: number;
  min: number;
  max: number;
  avg: number;
  p75: number;
  p99: number;
  p995: number;
  p999: number;
}

/** One bench as `deno bench --json` reports it. */
export interface BenchEntry {
  origin: string;
  group: string | null;
  name: string;
  baseline: boolean;
  results: ({ ok: BenchStats } | { failed: string })[];
}

/** The whole `deno bench --json` document. */
export interface BenchJson {
  version: number;
  runtime: string;
  cpu: string;
  benches: BenchEntry[];
}

/** Heap figures printed by `bench/memory.ts --json`. */
export interface MemoryResult {
  name: string;
  heapAt100k: number;
  heapAt1M: number;
}

/** Where and when the suite ran. */
export interface Machine {
  cpu: string;
  cores: number;
  os: string;
  memoryBytes?: number;
  deno: string;
  v8: string;
  typescript: string;
  date: string;
}

/** One case of a group, per request. */
export interface Row {
  name: string;
  baseline: boolean;
  /** Requests per bench iteration (see {@linkcode requestsPerIteration}). */
  perIteration: number;
  /** Nanoseconds per request, in the fastest iteration. */
  min: number;
  /** Nanoseconds per request. */
  avg: number;
  p75: number;
  p99: number;
  /** Requests per second at `avg`. */
  reqPerSec: number;
  /** `avg` over the group's baseline (the direct call); NaN without one. */
  xFloor: number;
  /**
   * `min` over the baseline's `min`. Noise on a shared machine only ever
   * adds time, and adds proportionally more to the cheap floor, which makes
   * `xFloor` flatter the slower cases; fastest against fastest is the most
   * reproducible ratio, so targets are judged on it.
   */
  xFloorMin: number;
}

/** A bench group with its cases, timings per request. */
export interface Group {
  name: string;
  rows: Row[];
}

/** A goal of the benchmark issue, with what this run measured. */
export interface TargetResult {
  goal: string;
  measured: string;
  /** true met, false missed, undefined when a case is missing. */
  met: boolean | undefined;
}

/**
 * Requests per iteration of a bench: a name ending in `×N` (as in
 * `norpc spawn ×256`) runs N, any other name 1.
 *
 * @param benchName The bench's name.
 * @returns How many requests one iteration makes.
 */
export function requestsPerIteration(benchName: string): number {
  const match = / ×(\d+)$/.exec(benchName);
  return match ? Number(match[1]) : 1;
}

/**
 * Parses and checks `deno bench --json` output.
 *
 * @param text The JSON text.
 * @returns The document.
 * @throws {Error} when it is not bench JSON, or a bench failed.
 */
export function parseBenchJson(text: string): BenchJson {
  const json = JSON.parse(text) as BenchJson;
  if (json === null || !Array.isArray(json.benches)) {
    throw new Error("not `deno bench --json` output: no `benches` array");
  }
  for (const bench of json.benches) {
    const result = bench.results?.[0];
    if (result === undefined || !("ok" in result)) {
      const why = result && "failed" in result ? result.failed : "no result";
      throw new Error(`bench "${bench.name}" failed: ${why}`);
    }
  }
  return json;
}

/**
 * Groups the benches, in run order, with timings per request and ratios to
 * each group's baseline.
 *
 * @param json The bench document.
 * @returns One entry per group (ungrouped benches go under their file name).
 */
export function summarize(json: BenchJson): Group[] {
  const groups = new Map<string, Group>();
  for (const bench of json.benches) {
    const name = bench.group ?? fileName(bench.origin);
    let group = groups.get(name);
    if (group === undefined) {
      group = { name, rows: [] };
      groups.set(name, group);
    }
    const stats = (bench.results[0] as { ok: BenchStats }).ok;
    const per = requestsPerIteration(bench.name);
    group.rows.push({
      name: bench.name,
      baseline: bench.baseline,
      perIteration: per,
      min: stats.min / per,
      avg: stats.avg / per,
      p75: stats.p75 / per,
      p99: stats.p99 / per,
      reqPerSec: 1e9 / (stats.avg / per),
      xFloor: NaN,
      xFloorMin: NaN,
    });
  }
  for (const group of groups.values()) {
    const floor = group.rows.find((row) => row.baseline);
    if (floor === undefined) continue;
    for (const row of group.rows) {
      row.xFloor = row.avg / floor.avg;
      row.xFloorMin = row.min / floor.min;
    }
  }
  const rank = (name: string) => {
    const i = GROUP_ORDER.findIndex((prefix) => name.startsWith(prefix));
    return i === -1 ? GROUP_ORDER.length : i;
  };
  // Array.prototype.sort is stable: run order within one rank.
  return [...groups.values()].sort((a, b) => rank(a.name) - rank(b.name));
}

/** Groups are listed by these name prefixes first, then in run order. */
export const GROUP_ORDER: readonly string[] = [
  "noop c=1",
  "noop batch",
  "context",
  "payload",
  "fan-out",
];

/** A bench name without its `×N` suffix. */
function caseLabel(benchName: string): string {
  return benchName.replace(/ ×\d+$/, "");
}

function fileName(origin: string): string {
  return origin.slice(origin.lastIndexOf("/") + 1);
}

function find(groups: Group[], group: string, name: string): Row | undefined {
  return groups.find((g) => g.name === group)?.rows.find((r) =>
    r.name === name || r.name.startsWith(`${name} ×`)
  );
}

/**
 * Evaluates the goals of the benchmark issue on this run.
 *
 * @param groups The summarized groups.
 * @param memory Heap figures, if `bench/memory.ts` ran.
 * @returns One line per goal.
 */
export function evaluateTargets(
  groups: Group[],
  memory: MemoryResult[] = [],
): TargetResult[] {
  const targets: TargetResult[] = [];
  const norpc1 = find(groups, "noop c=1", "norpc spawn");
  const norpc256 = find(groups, "noop batch 256", "norpc spawn");
  targets.push(
    ratioTarget(
      "noop round trip at concurrency 1: ≤ 3× the direct call",
      norpc1,
      3,
    ),
  );
  targets.push(
    ratioTarget(
      "per request in a batch of 256: ≤ 2.5× the direct call",
      norpc256,
      2.5,
    ),
  );
  const birpcs = ["birpc, no timeout", "birpc, default 60 s timeout"]
    .map((name) => find(groups, "noop c=1", name))
    .filter((row): row is Row => row !== undefined);
  const fastestBirpc = birpcs.sort((a, b) => a.min - b.min)[0];
  targets.push(
    speedupTarget(
      "≥ 10× faster than birpc (c=1, its fastest configuration)",
      norpc1,
      fastestBirpc,
      10,
    ),
  );
  targets.push(
    speedupTarget(
      "≥ 50× faster than comlink (c=1)",
      norpc1,
      find(groups, "noop c=1", "comlink over MessageChannel"),
      50,
    ),
  );
  targets.push({
    goal: "under 0.5 µs per round trip (c=1)",
    measured: norpc1 ? formatTime(norpc1.avg) : "missing",
    met: norpc1 ? norpc1.avg < 500 : undefined,
  });
  const big = find(groups, "payload 1 MB object", "norpc spawn");
  const clone = find(
    groups,
    "payload 1 MB object",
    "MessageChannel, same thread",
  );
  targets.push({
    goal:
      "a 1 MB payload moves by reference: norpc's time does not grow with size",
    measured: big && norpc1
      ? `${formatTime(big.avg)} (noop: ${
        formatTime(norpc1.avg)
      }; structured clone: ${clone ? formatTime(clone.avg) : "missing"})`
      : "missing",
    met: big && norpc1 ? big.avg < 2 * norpc1.avg : undefined,
  });
  targets.push(...contextTargets(groups));
  targets.push(...workerTargets(groups));
  targets.push(...natsTargets(groups));
  for (const m of memory) {
    const growth = m.heapAt1M - m.heapAt100k;
    targets.push({
      goal: `heap stays flat over 1M requests (${m.name})`,
      measured: `${formatBytes(m.heapAt100k)} at 100k → ${
        formatBytes(m.heapAt1M)
      } at 1M`,
      met: growth < 512 * 1024,
    });
  }
  return targets;
}

/**
 * The realistic call's goals (issue 12), when `bench/context_bench.ts` ran:
 * ratios to a direct `await handler(req, { signal })` in the same group.
 */
function contextTargets(groups: Group[]): TargetResult[] {
  if (!groups.some((g) => g.name.startsWith("context "))) return [];
  const cases: [label: string, name: string, c1: number, c256: number][] = [
    [
      "a call with a long-lived caller signal",
      "norpc spawn, with a signal",
      5,
      3,
    ],
    ["through a client-side timeout(1000)", "norpc timeout(1000)", 6, 4],
    [
      "timeout → retry → concurrencyLimit + signal",
      "norpc timeout → retry → concurrencyLimit, signal",
      10,
      5,
    ],
  ];
  const targets: TargetResult[] = [];
  for (const [label, name, c1, c256] of cases) {
    targets.push(
      ratioTarget(
        `${label}, c=1: ≤ ${c1}× a direct call with a signal`,
        find(groups, "context c=1", name),
        c1,
      ),
      ratioTarget(
        `${label}, 256 in flight: ≤ ${c256}× a direct call with a signal`,
        find(groups, "context batch 256", name),
        c256,
      ),
    );
  }
  targets.push(
    speedupTarget(
      "the full stack ≥ 10× faster than birpc's in-memory pair (c=1)",
      find(
        groups,
        "context c=1",
        "norpc timeout → retry → concurrencyLimit, signal",
      ),
      find(groups, "context c=1", "birpc, default 60 s timeout"),
      10,
    ),
  );
  return targets;
}

/**
 * The NATS transport's goal (issue 16), when `bench/nats_bench.ts` ran (it
 * needs a nats-server): overhead over a raw `nc.request` echo.
 */
function natsTargets(groups: Group[]): TargetResult[] {
  if (!groups.some((g) => g.name.startsWith("nats "))) return [];
  return [
    ratioTarget(
      "NATS, sequential: natsClient + serveNats ≤ 1.2× a raw nc.request echo",
      find(groups, "nats c=1", "natsClient + serveNats"),
      1.2,
    ),
    ratioTarget(
      "NATS, 256 in flight: natsClient + serveNats ≤ 1.2× a raw nc.request echo",
      find(groups, "nats c=256", "natsClient + serveNats"),
      1.2,
    ),
  ];
}

/** The Worker transport's goals (issue 14), when its bench ran. */
function workerTargets(groups: Group[]): TargetResult[] {
  if (!groups.some((g) => g.name.startsWith("worker "))) return [];
  const seq = find(groups, "worker round trip c=1", "norpc spawnWorker");
  const inFlight = find(groups, "worker round trip c=256", "norpc spawnWorker");
  const cpu = "worker CPU-bound 1 ms";
  return [
    ratioTarget(
      "Worker round trip, sequential: ≤ 1.3× a raw postMessage echo",
      seq,
      1.3,
    ),
    ratioTarget(
      "Worker round trip, 256 in flight: ≤ 1.5× a raw postMessage echo",
      inFlight,
      1.5,
    ),
    speedupTarget(
      "Worker round trip faster than comlink over the same kind of Worker (c=1)",
      seq,
      find(groups, "worker round trip c=1", "comlink over a Worker"),
      1,
    ),
    speedupTarget(
      "CPU-bound 1 ms calls: a pool of 2 Workers ≥ 1.8× the in-process throughput",
      find(groups, cpu, "spawnWorker size 2"),
      find(groups, cpu, "in-process spawn"),
      1.8,
    ),
  ];
}

function ratioTarget(
  goal: string,
  row: Row | undefined,
  max: number,
): TargetResult {
  if (row === undefined || Number.isNaN(row.xFloorMin)) {
    return { goal, measured: "missing", met: undefined };
  }
  return {
    goal,
    measured: `${formatRatio(row.xFloorMin)} by min (${formatTime(row.min)}); ${
      formatRatio(row.xFloor)
    } by avg (${formatTime(row.avg)})`,
    met: row.xFloorMin <= max,
  };
}

function speedupTarget(
  goal: string,
  ours: Row | undefined,
  peer: Row | undefined,
  min: number,
): TargetResult {
  if (ours === undefined || peer === undefined) {
    return { goal, measured: "missing", met: undefined };
  }
  const speedup = peer.min / ours.min;
  return {
    goal,
    measured: `${formatRatio(speedup)} by min; ${
      formatRatio(peer.avg / ours.avg)
    } by avg (${caseLabel(peer.name)}: ${formatTime(peer.min)} min, ${
      formatTime(peer.avg)
    } avg)`,
    met: speedup >= min,
  };
}

/** Formats nanoseconds as ns, µs or ms with three significant digits. */
export function formatTime(ns: number): string {
  if (ns < 1_000) return `${ns.toPrecision(3)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toPrecision(3)} µs`;
  return `${(ns / 1_000_000).toPrecision(3)} ms`;
}

/** Formats a ratio as `2.06×`, `38.1×` or `1,234×`. */
export function formatRatio(x: number): string {
  if (Number.isNaN(x)) return "—";
  if (x < 10) return `${x.toFixed(2)}×`;
  if (x < 100) return `${x.toFixed(1)}×`;
  return `${Math.round(x).toLocaleString("en-US")}×`;
}

function formatRate(perSec: number): string {
  return Math.round(perSec).toLocaleString("en-US");
}

function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/**
 * Renders `bench/RESULTS.md`.
 *
 * @param json The bench document.
 * @param machine Where and when it ran.
 * @param memory Heap figures of `bench/memory.ts`, if it ran.
 * @returns The Markdown text.
 */
export function renderMarkdown(
  json: BenchJson,
  machine: Machine,
  memory: MemoryResult[] = [],
): string {
  const groups = summarize(json);
  const out: string[] = [];
  out.push("# norpc benchmarks", "");
  out.push(
    "Generated by `deno task bench:report` (`bench/report.ts`); do not edit by hand, rerun the task.",
    "",
  );
  out.push(
    `- Machine: ${machine.cpu}, ${machine.cores} cores` +
      (machine.memoryBytes
        ? `, ${Math.round(machine.memoryBytes / 2 ** 30)} GiB`
        : "") +
      `, ${machine.os}`,
    `- Runtime: Deno ${machine.deno}, V8 ${machine.v8}, TypeScript ${machine.typescript} (${json.runtime})`,
    `- Date: ${machine.date}`,
    "",
  );
  out.push(
    "Times are per request. A case named `… ×N` makes N requests per bench iteration (in a row, or in concurrent batches) " +
      "and its times are divided by N, so `deno bench`'s own per-iteration overhead, about the cost of a direct call, " +
      "stays out of the floor instead of flattering every ratio. " +
      "**× floor** is a case's time over its group's baseline, a direct `await handler(req)`: " +
      "**by min** compares the fastest iterations, **by avg** the averages. " +
      "Noise on a shared machine only adds time, and adds proportionally more to the cheap floor, " +
      "so the average ratio flatters the slower cases; the targets are judged by min, the most reproducible ratio. " +
      "Absolute times on a shared machine drift from run to run; compare ratios within one run.",
    "",
  );
  out.push("## Targets", "");
  out.push("| goal | measured | met |", "| --- | --- | --- |");
  for (const t of evaluateTargets(groups, memory)) {
    const met = t.met === undefined ? "n/a" : t.met ? "yes" : "**no**";
    out.push(
      `| ${escapeMarkdown(t.goal)} | ${escapeMarkdown(t.measured)} | ${met} |`,
    );
  }
  out.push("");
  out.push(
    "![norpc against the direct call and peers, × floor, log scale](chart.svg)",
    "",
  );
  for (const group of groups) {
    out.push(`## ${group.name}`, "");
    const batch = /\bbatch (\d+)\b/.exec(group.name);
    if (batch) {
      out.push(
        `Requests go in batches of ${
          batch[1]
        } concurrent calls; times are per request.`,
        "",
      );
    }
    const note = groupNote(group);
    if (note !== undefined) out.push(note, "");
    out.push(
      "| case | min | avg | p75 | p99 | req/s (avg) | × floor by min | × floor by avg | requests per iteration |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const row of group.rows) {
      const label = caseLabel(row.name);
      const name = escapeMarkdown(row.baseline ? `${label} (floor)` : label);
      out.push(
        `| ${name} | ${formatTime(row.min)} | ${formatTime(row.avg)} | ${
          formatTime(row.p75)
        } | ${formatTime(row.p99)} | ${formatRate(row.reqPerSec)} | ${
          formatRatio(row.xFloorMin)
        } | ${formatRatio(row.xFloor)} | ${row.perIteration} |`,
      );
    }
    out.push("");
  }
  if (memory.length > 0) {
    out.push("## Memory (`deno task bench:memory`)", "");
    out.push(
      "Heap used after a full GC while 1,000,000 requests go through `spawn` in batches of 256.",
      "",
    );
    out.push(
      "| server | after 100k | after 1M | growth |",
      "| --- | ---: | ---: | ---: |",
    );
    for (const m of memory) {
      const growth = m.heapAt1M - m.heapAt100k;
      out.push(
        `| ${escapeMarkdown(m.name)} | ${formatBytes(m.heapAt100k)} | ${
          formatBytes(m.heapAt1M)
        } | ${growth >= 0 ? "+" : "−"}${
          Math.abs(growth / 1024).toFixed(0)
        } KiB |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}

/**
 * What a group shows, when its table needs words: the "context anatomy"
 * groups are the profile behind the realistic call's targets, so their note
 * reads this run's own rows.
 */
function groupNote(group: Group): string | undefined {
  if (!group.name.startsWith("context anatomy")) return undefined;
  const row = (name: string) =>
    group.rows.find((r) => caseLabel(r.name) === name);
  const handMade = row("+ a listener on the caller's signal");
  const norpc = row("norpc spawn, with a signal");
  const lines = [
    "Where the realistic call's time goes. The rows build, by hand, the least " +
    "that any call which can be answered before its handler settles must do, " +
    "each row adding one step to the row above: a reaction on the handler's " +
    "promise (to record its outcome), the caller's own promise (so that an " +
    "abort or a deadline can answer it while the handler runs), a listener on " +
    "the caller's signal (norpc's O(1) fanout), and the `Date.now()` a deadline " +
    "needs. A direct call has none of these: its answer is the handler's own " +
    "promise, which nothing can cut short.",
  ];
  if (handMade !== undefined && norpc !== undefined) {
    lines.push(
      `In this run the hand-made abortable call with a listener is already ${
        formatRatio(handMade.xFloorMin)
      } the floor by min; norpc's call with a signal is ${
        formatRatio(norpc.xFloorMin)
      }, ${
        formatRatio(norpc.min / handMade.min)
      } the hand-made one. That rest is the queue slot and phase of its ` +
        "call, the server's counters, and the handler's context (its signal, " +
        "made only when read); there is no timer, controller or closure per " +
        "call. The targets of ≤ 5× (c = 1) and ≤ 3× (batch) sit one or two " +
        "steps above the hand-made floor; the V8 profile of the same call is " +
        "in [PROFILE.md](PROFILE.md).",
    );
  }
  return lines.join(" ");
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** The groups `renderSvg` draws by default. */
export const CHART_GROUPS: readonly string[] = ["noop c=1", "noop batch 256"];

type Attrs = Record<string, string | number>;

function element(tag: string, attrs: Attrs, content?: string): string {
  const list = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? round(v) : v}"`)
    .join("");
  return content === undefined
    ? `<${tag}${list}/>`
    : `<${tag}${list}>${content}</${tag}>`;
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

const COLORS = { floor: "#9e9e9e", norpc: "#2e7d32", peer: "#5c7cfa" };

/**
 * Renders a horizontal bar chart of × floor on a log scale, one panel per
 * group. Deterministic: the same input gives the same bytes.
 *
 * @param json The bench document.
 * @param groupNames The groups to draw, in order; missing ones are skipped.
 * @returns The SVG document.
 */
export function renderSvg(
  json: BenchJson,
  groupNames: readonly string[] = CHART_GROUPS,
): string {
  const groups = summarize(json)
    .filter((g) =>
      groupNames.includes(g.name) && g.rows.some((r) => r.baseline)
    )
    .sort((a, b) => groupNames.indexOf(a.name) - groupNames.indexOf(b.name));
  const width = 800;
  const labelLeft = 250;
  const plotWidth = width - labelLeft - 130;
  const rowHeight = 20;
  const ratios = groups.flatMap((g) => g.rows.map((r) => r.xFloorMin));
  const decades = Math.ceil(Math.log10(Math.max(10, ...ratios)));
  const x = (ratio: number) =>
    labelLeft + plotWidth * Math.log10(Math.max(ratio, 1)) / decades;
  const ticks: number[] = [];
  for (let d = 0; d <= decades; d++) {
    for (const m of [1, 2, 5]) {
      if (m * 10 ** d <= 10 ** decades) ticks.push(m * 10 ** d);
    }
  }
  const body: string[] = [
    element(
      "text",
      { x: width / 2, y: 18, "text-anchor": "middle", "font-weight": "bold" },
      escapeXml(
        `Time per request, × a direct call (fastest iterations, log scale) — ${json.runtime}`,
      ),
    ),
  ];
  let y = 40;
  for (const group of groups) {
    body.push(
      element(
        "text",
        { x: 8, y: y + 4, "font-weight": "bold" },
        escapeXml(group.name),
      ),
    );
    y += 10;
    const top = y;
    const bottom = top + group.rows.length * rowHeight;
    for (const t of ticks) {
      body.push(
        element("line", {
          x1: x(t),
          y1: top,
          x2: x(t),
          y2: bottom,
          stroke: "#ddd",
        }),
        element(
          "text",
          { x: x(t), y: bottom + 12, "text-anchor": "middle", class: "tick" },
          `${t.toLocaleString("en-US")}×`,
        ),
      );
    }
    for (const row of group.rows) {
      const color = row.baseline
        ? COLORS.floor
        : row.name.startsWith("norpc")
        ? COLORS.norpc
        : COLORS.peer;
      const end = Math.max(x(row.xFloorMin), labelLeft + 2);
      const label = caseLabel(row.name);
      const value = `${formatRatio(row.xFloorMin)} · ${formatTime(row.min)}`;
      body.push(
        element(
          "text",
          { x: labelLeft - 6, y: y + 14, "text-anchor": "end" },
          escapeXml(label),
        ),
        element(
          "rect",
          {
            x: labelLeft,
            y: y + 3,
            width: end - labelLeft,
            height: rowHeight - 6,
            fill: color,
          },
          element("title", {}, escapeXml(`${label}: ${value}`)),
        ),
        element("text", { x: end + 4, y: y + 14 }, escapeXml(value)),
      );
      y += rowHeight;
    }
    y = bottom + 36;
  }
  const height = y - 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    "<style>.tick { fill: #666; font-size: 10px; }</style>",
    element("rect", { width, height, fill: "#fff" }),
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** Marks the start of the generated summary in `README.md`. */
export const README_SUMMARY_START = "<!-- bench-summary:start -->";
/** Marks the end of the generated summary in `README.md`. */
export const README_SUMMARY_END = "<!-- bench-summary:end -->";

/**
 * Renders the short benchmark table the README embeds: every case of the
 * concurrency-1 group beside its figure in the batch-256 group, per request
 * and × floor, with the machine it ran on.
 *
 * @param json The bench document.
 * @param machine Where and when it ran.
 * @returns Markdown, without the markers.
 */
export function renderReadmeSummary(json: BenchJson, machine: Machine): string {
  const groups = summarize(json);
  const c1 = groups.find((g) => g.name === "noop c=1");
  if (c1 === undefined) {
    throw new Error('no "noop c=1" group: run bench/roundtrip_bench.ts');
  }
  const cell = (row: Row | undefined) =>
    row === undefined
      ? "— | —"
      : `${formatTime(row.min)} | ${formatRatio(row.xFloorMin)}`;
  const out = [
    `Noop round trip, per request in the fastest iteration (the most reproducible figure on a noisy machine), on ${machine.cpu} (${machine.cores} cores), Deno ${machine.deno}, ${machine.date}:`,
    "",
    "| case | one at a time | × floor | 256 concurrent | × floor |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const row of c1.rows) {
    const label = caseLabel(row.name);
    const name = escapeMarkdown(row.baseline ? `${label} (floor)` : label);
    out.push(
      `| ${name} | ${cell(row)} | ${
        cell(find(groups, "noop batch 256", label))
      } |`,
    );
  }
  const context = groups.find((g) => g.name === "context c=1");
  if (context !== undefined) {
    out.push(
      "",
      "The realistic call — a caller's signal, a deadline, layers — against a direct `await handler(req, { signal })`:",
      "",
      "| case | one at a time | × floor | 256 concurrent | × floor |",
      "| --- | ---: | ---: | ---: | ---: |",
    );
    for (const row of context.rows) {
      const label = caseLabel(row.name);
      const name = escapeMarkdown(row.baseline ? `${label} (floor)` : label);
      out.push(
        `| ${name} | ${cell(row)} | ${
          cell(find(groups, "context batch 256", label))
        } |`,
      );
    }
  }
  out.push(
    "",
    "Every group, averages and percentiles, the targets and the memory figures: [bench/RESULTS.md](bench/RESULTS.md).",
  );
  return out.join("\n");
}

/**
 * Replaces the generated summary between the markers of `readme`.
 *
 * @param readme The README's text.
 * @param summary The new summary (from {@linkcode renderReadmeSummary}).
 * @returns The README with the summary in place.
 * @throws {Error} when the markers are missing or out of order.
 */
export function spliceReadme(readme: string, summary: string): string {
  const start = readme.indexOf(README_SUMMARY_START);
  const end = readme.indexOf(README_SUMMARY_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(
      `README.md needs the lines ${README_SUMMARY_START} and ${README_SUMMARY_END}, in that order, where the benchmark summary goes`,
    );
  }
  return readme.slice(0, start + README_SUMMARY_START.length) + "\n\n" +
    summary + "\n\n" + readme.slice(end);
}
