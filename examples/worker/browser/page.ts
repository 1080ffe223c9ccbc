/**
 * The demo page's script, bundled for the browser by `serve.ts` into
 * `page.js`: one service spawned in the page, one in a Worker, both called
 * through generated clients. It exposes `globalThis.demo` so a test (or you,
 * in the devtools console) can drive it, and writes what happens into the
 * page.
 *
 * @module
 */

import { InvalidOptionError, serviceFn, spawn } from "@norpc/norpc";
import { spawnWorker } from "@norpc/norpc/worker";
import {
  ShoutClient,
  type ShoutRequest,
  type ShoutResponse,
} from "./shout.gen.ts";

/** The little of the DOM this page uses (Deno's types have no DOM lib). */
interface PageDocument {
  createElement(tag: "li"): { textContent: string };
  querySelector(selector: string): { append(node: unknown): void } | null;
}

function show(line: string): string {
  const document = (globalThis as { document?: PageDocument }).document;
  if (document !== undefined) {
    const li = document.createElement("li");
    li.textContent = line;
    document.querySelector("#log")?.append(li);
  }
  return line;
}

const worker = spawnWorker<ShoutRequest, ShoutResponse>(
  new URL("./shout_worker.js", import.meta.url),
);
const shout = new ShoutClient(worker.client);

/** What the page can do; every function returns the line it showed. */
const demo = {
  /** An in-page service: spawn + call, no Worker. */
  async inPage(name: string): Promise<string> {
    const { client, server } = spawn(
      serviceFn((who: string) => `Hello, ${who}!`),
    );
    try {
      return show(`in page: ${await client.call(name)}`);
    } finally {
      await server.close();
    }
  },
  /** A call to the Worker. */
  async shout(text: string): Promise<string> {
    return show(`worker: ${await shout.shout(text)}`);
  },
  /** A call the Worker refuses: the error arrives typed. */
  async refused(): Promise<string> {
    try {
      await shout.shout("");
      return show("worker: accepted an empty text?");
    } catch (error) {
      const typed = error instanceof InvalidOptionError;
      return show(
        `worker refused: ${(error as Error).name} option=${
          typed ? error.option : "?"
        } typed=${typed}`,
      );
    }
  },
  /** A slow Worker call aborted from the page after `afterMs`. */
  async abort(afterMs: number): Promise<string> {
    const before = await shout.aborted();
    const signal = AbortSignal.timeout(afterMs);
    try {
      await shout.wait(60_000, { signal });
      return show("worker: the wait was not aborted?");
    } catch (error) {
      // Did the handler in the worker see its own signal abort?
      const end = Date.now() + 2_000;
      let seen = false;
      while (!(seen = await shout.aborted() > before) && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return show(
        `aborted: ${(error as Error).name}; worker ${
          seen ? "saw" : "did NOT see"
        } the abort`,
      );
    }
  },
  /** Ends the Worker. */
  close: (): Promise<void> => worker.close(),
};

(globalThis as { demo?: typeof demo }).demo = demo;
show("ready");
