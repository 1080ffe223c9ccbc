/// <reference lib="deno.worker" />
import {
  ChannelClosedError,
  CircuitOpenError,
  HandlerError,
  InvalidOptionError,
  serviceFn,
  TimeoutError,
  UnknownMethodError,
} from "../../../mod.ts";
import { serveWorker } from "../../../transports/worker/mod.ts";
import type { LabRequest } from "./lab.ts";

/** What the handlers saw, for the parent to ask with `events`. */
const events: string[] = [];

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

serveWorker(serviceFn(async (req: LabRequest, options) => {
  const signal = options!.signal!;
  switch (req.method) {
    case "echo":
      return req.args[0];
    case "throw":
      switch (req.args[0]) {
        case "timeout":
          throw new TimeoutError(50, 51, "slow");
        case "closed":
          throw new ChannelClosedError("gone", { id: 1 });
        case "circuit":
          throw new CircuitOpenError(1500);
        case "option":
          throw new InvalidOptionError("size", -1, "a positive integer");
        case "unknown":
          throw new UnknownMethodError("nope", "Lab");
        case "handler":
          throw new HandlerError("raw");
        case "user": {
          const error = new Error("declined", {
            cause: new TypeError("bad card"),
          });
          error.name = "PaymentError";
          throw error;
        }
        default:
          throw req.args[0]; // a non-Error
      }
    case "uncloneable":
      return { fn: () => 1 };
    case "wait": {
      const [tag, ms] = req.args;
      events.push(`start ${tag}`);
      try {
        await wait(ms, signal);
        events.push(`done ${tag}`);
        return tag;
      } catch (reason) {
        events.push(
          `aborted ${tag}: ${
            reason instanceof Error ? reason.name : String(reason)
          }`,
        );
        throw reason;
      }
    }
    case "context":
      return {
        remaining: options!.deadline === undefined
          ? undefined
          : options!.deadline - Date.now(),
        metadata: options!.metadata,
        frozen: Object.isFrozen(options!.metadata),
      };
    case "events":
      return events.splice(0);
    case "crash": {
      const [how, afterMs] = req.args;
      setTimeout(() => {
        if (how === "throw") throw new Error("crashed on purpose");
        if (how === "reject") Promise.reject(new Error("rejected on purpose"));
        if (how === "close") self.close();
        if (how === "exit") Deno.exit(3);
      }, afterMs);
      return "crashing";
    }
    case "count": {
      const n = req.args[0];
      let i = 0;
      return new ReadableStream<number>({
        pull(controller) {
          events.push(`pull ${i}`);
          if (i < n) controller.enqueue(i++);
          else controller.close();
        },
        cancel(reason) {
          events.push(`cancel ${reason}`);
        },
      }, { highWaterMark: 0 });
    }
    case "sum": {
      let total = 0;
      for await (const n of req.args[0]) total += n;
      return total;
    }
    case "bytes":
      return req.args[0].byteLength;
    case "spin": {
      const end = performance.now() + req.args[0];
      while (performance.now() < end) { /* burn CPU */ }
      return req.args[0];
    }
    case "name":
      return self.name;
    case "stubborn": // ignores its signal
      await new Promise((resolve) => setTimeout(resolve, req.args[0]));
      return "finished anyway";
    case "serveAgain":
      serveWorker(serviceFn(() => "second"));
      return "served twice?";
  }
}));
