/// <reference lib="deno.worker" />
/**
 * The page's worker: serves the `Shout` service. Bundled for the browser by
 * `serve.ts` into `shout_worker.js`.
 *
 * @module
 */

import { type CallOptions, InvalidOptionError } from "@norpc/norpc";
import { serveWorker } from "@norpc/norpc/worker";
import { type ShoutHandler, shoutServer } from "./shout.gen.ts";

let aborted = 0;

class Shouter implements ShoutHandler {
  shout(text: string): string {
    if (text === "") {
      throw new InvalidOptionError("text", text, "a non-empty string");
    }
    return text.toUpperCase();
  }

  wait(ms: number, options?: CallOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(`waited ${ms} ms`), ms);
      options?.signal?.addEventListener("abort", () => {
        aborted++;
        clearTimeout(timer);
        reject(options.signal!.reason);
      }, { once: true });
    });
  }

  aborted(): number {
    return aborted;
  }
}

serveWorker(shoutServer(new Shouter()));
