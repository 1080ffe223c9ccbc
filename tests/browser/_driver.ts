/**
 * Drives the demo page in headless Chromium and prints what happened as
 * JSON. Run by browser_test.ts in its own `deno run -A` process, because
 * playwright-core reads system files (/proc…) that only --allow-all grants,
 * and the test suite runs with narrower permissions.
 *
 * Usage: deno run -A tests/browser/_driver.ts <chromium executable>
 */
import { chromium } from "playwright-core";
import { startDemo } from "../../examples/worker/browser/serve.ts";

/** The page's `globalThis.demo` (examples/worker/browser/page.ts). */
interface Demo {
  inPage(name: string): Promise<string>;
  shout(text: string): Promise<string>;
  refused(): Promise<string>;
  abort(afterMs: number): Promise<string>;
  close(): Promise<void>;
}

const executablePath = Deno.args[0];
await using demo = await startDemo();
const browser = await chromium.launch({ executablePath });
try {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(demo.url);
  await page.waitForFunction(() => "demo" in globalThis);
  const run = <T>(fn: (demo: Demo) => Promise<T>) =>
    page.evaluate(`(${fn.toString()})(globalThis.demo)`) as Promise<T>;
  const results = {
    inPage: await run((d) => d.inPage("browser")),
    shout: await run((d) => d.shout("hi")),
    refused: await run((d) => d.refused()),
    abort: await run((d) => d.abort(50)),
  };
  await run((d) => d.close());
  const log = await page.locator("#log li").allTextContents();
  console.log(JSON.stringify({
    userAgent: await page.evaluate(() => navigator.userAgent),
    results,
    log,
    errors,
  }));
} finally {
  await browser.close();
}
