/**
 * norpc in a real browser: the demo page (examples/worker/browser), bundled
 * with `deno bundle --platform browser`, served on 127.0.0.1 and driven in
 * headless Chromium through playwright-core (in `_driver.ts`, its own
 * process). Covers an in-page `spawn` call, a Worker call, a typed error
 * from the Worker and an abort that reaches the Worker's handler.
 *
 * Needs the system's Chromium (no browser download is possible here):
 * `apt-get install -y chromium-headless-shell` (or `chromium`); `.ci/run`
 * installs it. Set CHROMIUM_PATH to use another binary. Without one, this
 * file registers no test and prints one line saying what to install.
 */
import assert from "node:assert/strict";

const CANDIDATES = [
  "/usr/bin/chromium-headless-shell",
  "/usr/lib/chromium/chromium-headless-shell",
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
];

function findBrowser(): string | undefined {
  const fromEnv = Deno.env.get("CHROMIUM_PATH");
  for (const path of fromEnv ? [fromEnv] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

const executablePath = findBrowser();

const INSTALL_HINT =
  "no Chromium found; install it with `apt-get install -y chromium-headless-shell` (or set CHROMIUM_PATH)";

if (executablePath === undefined) {
  if (Deno.env.get("NORPC_REQUIRE_BROWSER") === "1") {
    // CI (.ci/run) installs the browser: there, a missing one is a failure,
    // never a silent skip.
    Deno.test("browser: norpc in headless Chromium", () => {
      throw new Error(`NORPC_REQUIRE_BROWSER=1 but ${INSTALL_HINT}`);
    });
  } else {
    console.log(`browser test skipped: ${INSTALL_HINT}`);
  }
} else {
  Deno.test("browser: norpc in headless Chromium — spawn in the page, a Worker call, a typed error, an abort", async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./_driver.ts", import.meta.url).pathname,
        executablePath,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const report = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.match(report.userAgent, /HeadlessChrome|Chrome/);
    assert.deepEqual(report.results, {
      inPage: "in page: Hello, browser!",
      shout: "worker: HI",
      refused: "worker refused: InvalidOptionError option=text typed=true",
      abort: "aborted: TimeoutError; worker saw the abort",
    });
    // What the page showed, in order.
    assert.deepEqual(report.log, [
      "ready",
      "in page: Hello, browser!",
      "worker: HI",
      "worker refused: InvalidOptionError option=text typed=true",
      "aborted: TimeoutError; worker saw the abort",
    ]);
    assert.deepEqual(report.errors, []);
  });
}
