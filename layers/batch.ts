/**
 * The {@linkcode batch} layer: many calls, one inner call (DataLoader-style).
 *
 * @module
 */

import { NorpcError, rejectUnknownKeys } from "../errors.ts";
import type { CallOptions, Layer, Service } from "../service.ts";
import { offAbort, onAbort, refuseSignal } from "../_abort.ts";
import { deadlineOf, deadlineToWatch } from "./_call_options.ts";
import { deadlineExceeded, expireAt, waitTimers } from "./_deadline.ts";
import { callInner, checkInner, innerReady } from "./_inner.ts";
import { FifoList, type ListNode } from "./_list.ts";
import { SettleOnce } from "./_settle_once.ts";
import {
  noMoreArguments,
  optionsObject,
  positiveInteger,
  requiredFunction,
  timerDelay,
} from "./_validate.ts";

/**
 * Options of {@linkcode batch}.
 *
 * @typeParam Req The request type of one call.
 * @typeParam BatchReq The request type of the inner (batched) call.
 *
 * @example
 * ```ts
 * import type { BatchOptions } from "@norpc/norpc/layers";
 *
 * const options: BatchOptions<number, { ids: number[] }> = {
 *   maxSize: 100,
 *   maxDelay: 2,
 *   combine: (ids) => ({ ids }),
 * };
 * ```
 */
export interface BatchOptions<Req, BatchReq> {
  /** Most calls in one batch; a full batch is sent at once: a positive integer. */
  maxSize: number;
  /**
   * How long the first call of a batch waits for others, in milliseconds: a
   * number >= 0 and at most 2147483647, the timer limit (`0`: calls made in
   * the same task are batched).
   */
  maxDelay: number;
  /**
   * Builds the inner request from the batched requests, in call order. If it
   * throws, every call of the batch rejects with that error.
   */
  combine: (reqs: Req[]) => BatchReq;
}

/**
 * Collects calls that arrive within `maxDelay` ms of the first (or until
 * `maxSize` have arrived) into one call of the inner service, built by
 * `combine`, and fans the results back out, as DataLoader does. The inner
 * service answers with an array holding one entry per request, in order; an
 * entry that is an `Error` rejects that caller only, any other value
 * resolves it. If the inner call rejects, every caller of the batch rejects
 * with that error; a malformed answer (not an array of the right length)
 * rejects them with a `NorpcError` saying so.
 *
 * A caller that aborts rejects at once with `signal.reason`: before the
 * batch is sent it leaves the batch in O(1) (an emptied batch is dropped
 * with its timer); after, its entry of the answer is ignored, and when every
 * caller of a sent batch has aborted the inner call's signal is aborted too.
 * A caller whose `options.deadline` passes, while its batch is collected or
 * after it was sent, is treated the same way but rejects with
 * `TimeoutError`, so the batched service enforces deadlines whatever the
 * service below does (callers with a deadline share one timer).
 *
 * @typeParam Req The request type of one call.
 * @typeParam Res The response type of one call.
 * @typeParam BatchReq The request type of the inner call.
 * @param options `maxSize`, `maxDelay` and `combine`.
 * @returns A layer producing a {@linkcode BatchService} over a service that
 * takes a `BatchReq` and answers `ReadonlyArray<Res | Error>`.
 * @throws {InvalidOptionError} When an option is missing or out of range.
 *
 * @example Loading users by id, one query per batch
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { batch } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const queries: number[][] = [];
 * const users = serviceFn((ids: number[]) => {
 *   queries.push(ids);
 *   return ids.map((id) => id > 0 ? `user ${id}` : new RangeError(`bad id ${id}`));
 * });
 * const loader = batch<number, string, number[]>({
 *   maxSize: 10,
 *   maxDelay: 1,
 *   combine: (ids) => ids,
 * })(users);
 * const [a, b, c] = await Promise.allSettled([
 *   loader.call(1),
 *   loader.call(2),
 *   loader.call(-3),
 * ]);
 * assert.deepEqual(queries, [[1, 2, -3]]);
 * assert.deepEqual([a, b], [
 *   { status: "fulfilled", value: "user 1" },
 *   { status: "fulfilled", value: "user 2" },
 * ]);
 * assert.equal(c.status, "rejected");
 * ```
 */
export function batch<Req, Res, BatchReq>(
  options: BatchOptions<Req, BatchReq>,
): Layer<
  Service<BatchReq, ReadonlyArray<Res | Error>>,
  BatchService<Req, Res, BatchReq>
> {
  noMoreArguments("batch", arguments, 1);
  validate(options);
  const { maxSize, maxDelay, combine } = options;
  return (inner) => new BatchService(inner, { maxSize, maxDelay, combine });
}

function validate<Req, BatchReq>(options: BatchOptions<Req, BatchReq>): void {
  optionsObject("batch options", options);
  rejectUnknownKeys("batch()", options, ["maxSize", "maxDelay", "combine"]);
  positiveInteger("batch.maxSize", options.maxSize);
  // Capped at the timer limit: a longer setTimeout fires after 1 ms, which
  // would send every batch early.
  timerDelay("batch.maxDelay", options.maxDelay, true);
  requiredFunction("batch.combine", options.combine);
}

/**
 * The service {@linkcode batch} produces. Read-only `pending` (calls in the
 * batch being collected), `inFlight` (batches sent, not yet answered) and
 * `waiting` (callers not yet settled) return to zero once every call has
 * settled, with no timer left.
 *
 * @typeParam Req The request type of one call.
 * @typeParam Res The response type of one call.
 * @typeParam BatchReq The request type of the inner call.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { batch } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const loader = batch<number, number, number[]>({
 *   maxSize: 2,
 *   maxDelay: 10,
 *   combine: (ns) => ns,
 * })(serviceFn((ns: number[]) => ns.map((n) => n * 2)));
 * const both = Promise.all([loader.call(1), loader.call(2)]); // full: sent now
 * assert.equal(loader.pending, 0);
 * assert.equal(loader.inFlight, 1);
 * assert.deepEqual(await both, [2, 4]);
 * ```
 */
export class BatchService<Req, Res, BatchReq> implements Service<Req, Res> {
  /** Most calls in one batch. */
  readonly maxSize: number;
  /** Milliseconds the first call of a batch waits for others. */
  readonly maxDelay: number;
  /** Always true: a caller rejects at its deadline, whatever the inner service does. */
  readonly enforcesDeadline = true;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #inner: Service<BatchReq, ReadonlyArray<Res | Error>>;
  readonly #combine: (reqs: Req[]) => BatchReq;
  #open: Batch<Req, Res> | undefined = undefined;
  #inFlight = 0;
  #waiting = 0;

  /**
   * Prefer the {@linkcode batch} layer factory.
   *
   * @param inner The batched service.
   * @param options `maxSize`, `maxDelay` and `combine`.
   */
  constructor(
    inner: Service<BatchReq, ReadonlyArray<Res | Error>>,
    options: BatchOptions<Req, BatchReq>,
  ) {
    checkInner(inner, "batch()");
    this.serviceName = inner.serviceName;
    validate(options);
    this.#inner = inner;
    this.maxSize = options.maxSize;
    this.maxDelay = options.maxDelay;
    this.#combine = options.combine;
  }

  /** Calls in the batch being collected. */
  get pending(): number {
    return this.#open?.size ?? 0;
  }

  /** Batches sent to the inner service and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Callers whose call has not settled yet. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Adds the call to the current batch (starting one if needed).
   *
   * @param req The request.
   * @param options The call's options; aborting `signal` rejects at once
   * with `signal.reason` and takes the call out of its batch.
   * @returns This request's own entry of the batch's answer.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    const signal = options?.signal;
    const refused = refuseSignal(signal);
    if (refused !== undefined) return refused;
    if (options?.deadline !== undefined && deadlineOf(options) <= Date.now()) {
      // Its deadline has passed: it joins no batch.
      return Promise.reject(deadlineExceeded(req, 0, performance.now()));
    }
    let open = this.#open;
    if (open === undefined) open = this.#open = new Batch(this.#settle);
    const entry = new Entry<Req, Res>(
      open,
      req,
      signal,
      deadlineToWatch(options),
    );
    open.push(entry);
    this.#waiting++;
    if (open.size >= this.maxSize) this.#flush(open);
    else if (open.timer === undefined) {
      open.timer = setTimeout(this.#onTimer, this.maxDelay, open);
    }
    return entry.promise;
  }

  /** The inner service's readiness. */
  ready(): boolean {
    return innerReady(this.#inner);
  }

  readonly #onTimer = (open: Batch<Req, Res>): void => {
    open.timer = undefined;
    if (this.#open === open) this.#flush(open);
  };

  /** A caller settled (answered or aborted); `open` when it left before sending. */
  readonly #settle = (batch: Batch<Req, Res>): void => {
    this.#waiting--;
    if (batch === this.#open && batch.size === 0) {
      clearTimeout(batch.timer);
      this.#open = undefined;
    }
  };

  #flush(open: Batch<Req, Res>): void {
    this.#open = undefined;
    if (open.timer !== undefined) clearTimeout(open.timer);
    open.timer = undefined;
    const entries = open.toArray();
    open.sent = true;
    open.live = entries.length;
    let batchReq: BatchReq;
    try {
      batchReq = this.#combine(entries.map((entry) => entry.req));
    } catch (error) {
      for (const entry of entries) entry.rejectOnce(error);
      return;
    }
    this.#inFlight++;
    callInner(this.#inner, batchReq, { signal: open.controller.signal }).then(
      (results) => {
        this.#inFlight--;
        if (!Array.isArray(results) || results.length !== entries.length) {
          const error = new NorpcError(
            `batch: the inner service answered ${
              Array.isArray(results)
                ? `${results.length} results`
                : typeof results
            } for ${entries.length} requests; it must return an array with one result (or Error) per request, in order`,
          );
          for (const entry of entries) entry.rejectOnce(error);
          return;
        }
        for (let i = 0; i < entries.length; i++) {
          const result = results[i];
          if (result instanceof Error) entries[i].rejectOnce(result);
          else entries[i].resolveOnce(result);
        }
      },
      (error) => {
        this.#inFlight--;
        for (const entry of entries) entry.rejectOnce(error);
      },
    );
  }
}

/**
 * The calls collected for one inner call, in call order: a list (one
 * leaves in O(1) when it gives up before the send) that also holds the
 * batch's state.
 */
class Batch<Req, Res> extends FifoList<Entry<Req, Res>> {
  readonly controller = new AbortController();
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  sent = false;
  /** Callers of a sent batch still waiting for its answer. */
  live = 0;
  constructor(readonly settle: (batch: Batch<Req, Res>) => void) {
    super();
  }
}

/** One caller's place in a batch; its own abort listener and deadline entry. */
class Entry<Req, Res> extends SettleOnce<Res> implements ListNode {
  older: ListNode | undefined = undefined;
  newer: ListNode | undefined = undefined;
  readonly #batch: Batch<Req, Res>;
  readonly #signal: AbortSignal | undefined;
  /** When a call with a deadline joined (`performance.now()`), else 0. */
  #start = 0;
  #limit = 0;

  constructor(
    batch: Batch<Req, Res>,
    readonly req: Req,
    signal: AbortSignal | undefined,
    deadline: number,
  ) {
    super();
    this.#batch = batch;
    this.#signal = signal ?? undefined;
    if (this.#signal !== undefined) onAbort(this.#signal, this);
    if (deadline !== Infinity) {
      this.#start = performance.now();
      this.#limit = deadline - Date.now();
      expireAt(waitTimers, this, deadline);
    }
  }

  /** The caller aborted: leave the batch, or stop waiting for its answer. */
  handleEvent(): void {
    this.#giveUp(this.#signal!.reason);
  }

  /** The deadline passed: the same, with a TimeoutError. */
  override expire(): void {
    this.#giveUp(deadlineExceeded(this.req, this.#limit, this.#start));
  }

  protected release(): void {
    const batch = this.#batch;
    if (this.#signal !== undefined) offAbort(this.#signal, this);
    waitTimers.remove(this);
    if (batch.sent) batch.live--;
    else batch.remove(this);
    batch.settle(batch);
  }

  #giveUp(reason: unknown): void {
    if (!this.rejectOnce(reason)) return;
    const batch = this.#batch;
    if (batch.sent && batch.live === 0) batch.controller.abort(reason);
  }
}
