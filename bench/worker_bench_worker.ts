/// <reference lib="deno.worker" />
/**
 * The worker side of bench/worker_bench.ts; its `name` picks the mode:
 * `raw` (a bare postMessage echo), `comlink` (Comlink.expose) or `norpc`
 * (serveWorker). Every mode echoes a number, or spins for `-n` ms when sent
 * a negative number (the CPU-bound case).
 *
 * @module
 */
import * as Comlink from "comlink";
import { serviceFn } from "../mod.ts";
import { serveWorker } from "../transports/worker/mod.ts";

function handle(n: number): number {
  if (n >= 0) return n;
  const end = performance.now() - n;
  while (performance.now() < end) { /* burn CPU */ }
  return n;
}

switch (self.name) {
  case "raw":
    self.onmessage = (event: MessageEvent<{ id: number; v: number }>) => {
      self.postMessage({ id: event.data.id, v: handle(event.data.v) });
    };
    break;
  case "comlink":
    Comlink.expose({ call: handle });
    break;
  default:
    serveWorker(serviceFn(handle));
}
