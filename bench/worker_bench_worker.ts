/// <reference lib="deno.worker" />
/**
 * The worker side of bench/worker_bench.ts; its `name` picks the mode:
 * `raw` (a bare postMessage echo), `sab` (a SharedArrayBuffer ping-pong),
 * `comlink` (Comlink.expose) or `norpc` (serveWorker). Every mode echoes a number, or spins for `-n` ms when sent
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
  case "sab":
    // The shared-memory ceiling: a number in a SharedArrayBuffer, no
    // serialization at all. a[0]: 0 idle, 1 request, 2 response, 3 stop.
    self.onmessage = (event: MessageEvent<SharedArrayBuffer>) => {
      const a = new Int32Array(event.data);
      self.postMessage("ready");
      for (;;) {
        Atomics.wait(a, 0, 0);
        if (a[0] === 3) return;
        a[1] = handle(a[1]);
        Atomics.store(a, 0, 2);
        Atomics.notify(a, 0);
        while (Atomics.load(a, 0) === 2) Atomics.wait(a, 0, 2);
        if (a[0] === 3) return;
      }
    };
    break;
  case "comlink":
    Comlink.expose({ call: handle });
    break;
  default:
    serveWorker(serviceFn(handle));
}
