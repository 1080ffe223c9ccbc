/**
 * The worker side of the Worker transport: {@linkcode serveWorker}.
 *
 * @module
 */

import {
  type CallOptions,
  InvalidOptionError,
  type Service,
  TimeoutError,
} from "../../mod.ts";
import {
  callIdOf,
  type CallMessage,
  decodeContext,
  decodeError,
  encodeError,
  MalformedMessageError,
  parseMessage,
} from "../_wire.ts";
import { UncloneableError } from "./errors.ts";
import {
  BYE,
  isDataCloneError,
  methodOf,
  PING,
  READY,
  type Transfer,
  transferList,
} from "./_protocol.ts";

/**
 * Options of {@linkcode serveWorker}.
 *
 * @example
 * ```ts
 * import type { ServeWorkerOptions } from "@norpc/norpc/worker";
 *
 * const options: ServeWorkerOptions<Uint8Array> = {
 *   transfer: (res) => [res.buffer as ArrayBuffer], // move, don't copy
 * };
 * ```
 */
export interface ServeWorkerOptions<Res> {
  /**
   * The objects to transfer (move instead of copy) with a response, e.g. its
   * `ArrayBuffer`s. Streams in the response are always transferred.
   */
  transfer?: (res: Res) => Transferable[];
  /** This worker's name in error messages; default `self.name` or "worker". */
  name?: string;
}

/** What `serveWorker` needs of the worker's global scope. */
interface WorkerScope {
  postMessage(message: unknown, transfer?: Transfer[]): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent) => void,
  ): void;
  close(): void;
  name?: string;
}

/**
 * Serves `service` to the parent that spawned this worker (with
 * `spawnWorker` or `connectWorker`): call it once, at the top level of the
 * worker module. Requests and responses cross by structured clone; errors
 * cross typed; the caller's abort and deadline reach the handler's
 * `options.signal`, its metadata `options.metadata`.
 *
 * If the worker later calls `self.close()`, the parent is told first, so
 * the calls pending on it reject at once instead of hanging.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param service The service to run, e.g. a generated `helloWorldServer(impl)`.
 * @param options `transfer` for responses, `name`.
 * @throws {TypeError} when `service` is not a service or this is not a
 * worker.
 *
 * @example A worker module (primes_worker.ts)
 * ```ts ignore
 * /// <reference lib="deno.worker" />
 * import { serviceFn } from "@norpc/norpc";
 * import { serveWorker } from "@norpc/norpc/worker";
 *
 * serveWorker(serviceFn((n: number) => n * 2));
 * ```
 */
export function serveWorker<Req, Res>(
  service: Service<Req, Res>,
  options?: ServeWorkerOptions<Res>,
): void {
  if (
    typeof service !== "object" || service === null ||
    typeof (service as Partial<Service<Req, Res>>).call !== "function"
  ) {
    throw new TypeError(
      "serveWorker(service): service must be an object with a call(req, options) method, such as a generated xServer(impl) or serviceFn(fn)",
    );
  }
  validateServeOptions(options);
  const scope = globalThis as unknown as WorkerScope;
  if (
    typeof scope.postMessage !== "function" ||
    typeof scope.close !== "function" || "document" in globalThis
  ) {
    throw new TypeError(
      "serveWorker() must run inside a Worker: call it at the top level of the module you pass to spawnWorker()",
    );
  }
  if (serving) {
    throw new TypeError(
      "serveWorker() was already called in this worker: a worker serves one service (compose several into one with a generated server per interface, or spawn one worker per service)",
    );
  }
  serving = true;
  new WorkerServer(scope, service, options).start();
}

function validateServeOptions(options: unknown): void {
  if (options === undefined) return;
  if (
    typeof options !== "object" || options === null || Array.isArray(options)
  ) {
    throw new InvalidOptionError(
      "serveWorker options",
      options,
      "an options object such as { name: 'primes' }, or nothing",
    );
  }
  const allowed = ["transfer", "name"];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidOptionError(
        key,
        (options as Record<string, unknown>)[key],
        `no such option of serveWorker(); valid options: ${allowed.join(", ")}`,
      );
    }
  }
  const { transfer, name } = options as Record<string, unknown>;
  if (transfer !== undefined && typeof transfer !== "function") {
    throw new InvalidOptionError(
      "transfer",
      transfer,
      "a function from a response to the objects to transfer",
    );
  }
  if (name !== undefined && typeof name !== "string") {
    throw new InvalidOptionError("name", name, "a string");
  }
}

/** Whether this worker already serves (one service per worker). */
let serving = false;

class WorkerServer<Req, Res> {
  readonly #scope: WorkerScope;
  readonly #service: Service<Req, Res>;
  readonly #transfer: ((res: Res) => Transferable[]) | undefined;
  readonly #name: string;
  /** Running calls by id: their controller, to abort on a cancel. */
  readonly #running = new Map<number, AbortController>();

  constructor(
    scope: WorkerScope,
    service: Service<Req, Res>,
    options: ServeWorkerOptions<Res> | undefined,
  ) {
    this.#scope = scope;
    this.#service = service;
    this.#transfer = options?.transfer;
    this.#name = options?.name ?? (scope.name || "worker");
  }

  start(): void {
    const scope = this.#scope;
    scope.addEventListener("message", (event) => this.#onMessage(event.data));
    // The parent sees no event when a worker closes itself (self.close(),
    // or Deno.exit(), which in a worker ends only the worker): say so first,
    // so the parent fails the pending calls at once instead of never.
    const bye = () => {
      try {
        scope.postMessage(BYE);
      } catch {
        // Nothing to tell it with: its calls end on terminate or deadline.
      }
    };
    const close = scope.close;
    scope.close = () => {
      bye();
      close.call(scope);
    };
    const deno = (globalThis as { Deno?: { exit?: (code?: number) => never } })
      .Deno;
    const exit = deno?.exit;
    if (deno !== undefined && typeof exit === "function") {
      try {
        deno.exit = (code?: number): never => {
          bye();
          return exit.call(deno, code);
        };
      } catch {
        // A frozen Deno namespace: self.close() is still covered.
      }
    }
    scope.postMessage(READY);
  }

  #onMessage(data: unknown): void {
    if ((data as { t?: unknown } | null)?.t === PING.t) {
      return this.#scope.postMessage(READY);
    }
    const message = parseMessage(data, "the parent");
    if (message instanceof MalformedMessageError) {
      const id = callIdOf(message);
      if (id !== undefined) this.#fail(id, message);
      else console.error(`norpc: ${this.#name} dropped a message:`, message);
      return;
    }
    switch (message.t) {
      case "call":
        this.#run(message);
        break;
      case "cancel":
        this.#running.get(message.id)?.abort(
          message.reason === undefined
            ? new DOMException("The caller aborted the call.", "AbortError")
            : decodeError(message.reason),
        );
        break;
      default:
        this.#fail(
          message.id,
          new MalformedMessageError(
            `a worker takes "call" and "cancel" messages, not "${message.t}"`,
            "the parent",
          ),
        );
    }
  }

  #run(message: CallMessage): void {
    const { id } = message;
    const context = decodeContext(message.ctx);
    if (context instanceof MalformedMessageError) {
      return this.#fail(id, context);
    }
    const controller = new AbortController();
    const options: CallOptions = { signal: controller.signal };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const { deadline, metadata } = context;
    // Never modified in flight: the handler gets it read-only.
    if (metadata !== undefined) options.metadata = Object.freeze(metadata);
    if (deadline !== undefined) {
      options.deadline = deadline;
      const remaining = deadline - Date.now();
      const method = methodOf(message.req);
      if (remaining <= 0) {
        // Never start a call whose deadline has passed.
        return this.#fail(id, new TimeoutError(0, 0, method));
      }
      const started = performance.now();
      timer = setTimeout(() => {
        const elapsed = performance.now() - started;
        controller.abort(new TimeoutError(remaining, elapsed, method));
      }, remaining);
    }
    this.#running.set(id, controller);
    let result: Promise<Res>;
    try {
      result = Promise.resolve(this.#service.call(message.req as Req, options));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (res) => {
        this.#finish(id, timer);
        this.#succeed(id, res);
      },
      (error) => {
        this.#finish(id, timer);
        this.#fail(id, error);
      },
    );
  }

  #finish(id: number, timer: ReturnType<typeof setTimeout> | undefined): void {
    this.#running.delete(id);
    if (timer !== undefined) clearTimeout(timer);
  }

  #succeed(id: number, res: Res): void {
    let transfer: Transfer[] | undefined;
    try {
      transfer = transferList(res, this.#transfer as never);
    } catch (error) {
      return this.#fail(id, error);
    }
    try {
      const message = { t: "ok", id, res };
      if (transfer === undefined) this.#scope.postMessage(message);
      else this.#scope.postMessage(message, transfer);
    } catch (error) {
      this.#fail(
        id,
        isDataCloneError(error)
          ? new UncloneableError("response", this.#name, { cause: error })
          : error,
      );
    }
  }

  #fail(id: number, error: unknown): void {
    try {
      this.#scope.postMessage({
        t: "err",
        id,
        error: encodeError(error, { values: "clone" }),
      });
    } catch {
      // A value the clone check let through still failed: send plain JSON.
      try {
        this.#scope.postMessage({ t: "err", id, error: encodeError(error) });
      } catch (postError) {
        // The port itself failed; the parent's deadline or the worker's
        // end settles the call. Never let it become an uncaught error here.
        console.error(
          `norpc: ${this.#name} could not answer call ${id}:`,
          postError,
        );
      }
    }
  }
}
