/**
 * The soak's fault injection: the handler every soak server runs. For each
 * request it plays the {@linkcode Behaviour} the plan gave that attempt —
 * answering synchronously, after microtasks, after a timer or never (until
 * its signal aborts); with a response, a thrown or rejected `Error`, a
 * non-`Error` value or an `OverloadedError` — and records what it did, for
 * the oracle to compare with what the caller got.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { injectedResult } from "./faults.ts";
 * import type { Behaviour } from "./plan.ts";
 *
 * const b = { result: "overloaded", variant: 0 } as Behaviour;
 * const settled = injectedResult(b, { call: 1 }, 1);
 * assert.equal(settled.ok, false);
 * assert.equal((settled.value as Error).name, "OverloadedError");
 * ```
 *
 * @module
 */

import { type CallOptions, OverloadedError, type Service } from "../mod.ts";
import { type Behaviour, injectedError, nonErrorValue } from "./plan.ts";
import type { Attempt, Call, Recorder, Relay, Settled } from "./record.ts";

/** What the fault injection needs from the driver. */
export interface FaultHost extends Recorder {
  /** Counts an injected fault of kind `key`. */
  injected(key: string): void;
  /** Work to finish before the window is checked (a handler's tail). */
  background(work: Promise<unknown>): void;
  /** The plan aborts the call while it runs: schedules that abort. */
  abortWhileRunning(call: Call): void;
}

/**
 * What a handler playing `b` ends with, unless it is aborted first.
 *
 * @param b The behaviour.
 * @param response The response object of a successful call.
 * @param id The call's id (named in errors).
 * @returns The result.
 */
export function injectedResult(
  b: Behaviour,
  response: unknown,
  id: number,
): Settled {
  switch (b.result) {
    case "ok":
      return { ok: true, value: response };
    case "throw":
    case "reject":
      return { ok: false, value: injectedError(b.variant, id) };
    case "non-error":
      return { ok: false, value: nonErrorValue(b.variant, id) };
    default:
      return {
        ok: false,
        value: new OverloadedError(`injected overload of call ${id}`),
      };
  }
}

/**
 * The downstream hop a relaying handler calls: the client of a second
 * server, running a {@linkcode Handler} in the `downstream` role.
 */
export interface Downstream {
  call(attempt: Attempt, options?: CallOptions): Promise<unknown>;
}

/**
 * The service every soak server runs: plays each attempt's behaviour. In the
 * `upstream` role (the servers the calls go to) a behaviour with `relay`
 * is not played here: the handler calls the downstream server with its own
 * options, and that server's handler (the `downstream` role) plays it.
 */
export class Handler implements Service<Attempt, unknown> {
  readonly #host: FaultHost;
  readonly #downstream: Downstream | undefined;

  /**
   * @param host The driver.
   * @param downstream Where relayed requests go; absent for the downstream
   * role itself.
   */
  constructor(host: FaultHost, downstream?: Downstream) {
    this.#host = host;
    this.#downstream = downstream;
  }

  call(attempt: Attempt, options?: CallOptions): Promise<unknown> {
    const host = this.#host;
    const call = attempt.call;
    const plan = call.plan;
    const b =
      plan.behaviours[Math.min(attempt.index, plan.behaviours.length - 1)];
    if (this.#downstream === undefined) {
      return this.#second(attempt, b, options);
    }
    if (attempt.dispatched) {
      host.mismatch("one outcome", call, "an attempt was dispatched twice");
    }
    attempt.dispatched = true;
    attempt.startedAt = Date.now();
    checkDeadline(host, attempt, options);
    checkMetadata(host, attempt, options, "handler");
    if (plan.abort === "running" && !call.runningAbortScheduled) {
      call.runningAbortScheduled = true;
      host.abortWhileRunning(call);
    }
    host.injected(`latency ${b.latency}`);
    const injected = injectedResult(b, call.response, call.id);
    if (b.latency !== "hang") host.injected(`result ${b.result}`);
    attempt.injected = injected;
    const record = (settled: Settled): void => {
      if (attempt.handler !== undefined) {
        host.mismatch("one outcome", call, "a handler finished twice");
      }
      attempt.handler = settled;
    };
    if (b.relay) {
      host.injected("relay");
      return this.#relay(attempt, options, record);
    }
    return play(host, b, injected, options?.signal, record, call);
  }

  /** Upstream: passes the request on with this handler's own options. */
  #relay(
    attempt: Attempt,
    options: CallOptions | undefined,
    record: (settled: Settled) => void,
  ): Promise<unknown> {
    const host = this.#host;
    const upSignal = options?.signal;
    const relay: Relay = {
      upSignal,
      upAbortedAt: Infinity,
      downSignal: undefined,
      downDoneAt: Infinity,
    };
    attempt.relay = relay;
    const onUpAbort = () => {
      relay.upAbortedAt = host.tick();
    };
    if (upSignal?.aborted) relay.upAbortedAt = host.tick();
    else upSignal?.addEventListener("abort", onUpAbort, { once: true });
    let result: Promise<unknown>;
    try {
      result = this.#downstream!.call(attempt, options);
    } catch (error) {
      host.mismatch(
        "outcome",
        attempt.call,
        `the downstream client threw synchronously: ${String(error)}`,
      );
      result = Promise.reject(error);
    }
    const done = result.then(
      (value) => record({ ok: true, value }),
      (error) => record({ ok: false, value: error }),
    ).finally(() => upSignal?.removeEventListener("abort", onUpAbort));
    host.background(done);
    return result;
  }

  /** Downstream: plays the behaviour for a relayed request. */
  #second(
    attempt: Attempt,
    b: Behaviour,
    options: CallOptions | undefined,
  ): Promise<unknown> {
    const host = this.#host;
    const call = attempt.call;
    const relay = attempt.relay;
    if (relay === undefined || relay.downSignal !== undefined) {
      host.mismatch(
        "one outcome",
        call,
        "a downstream handler ran for a request that was not relayed once",
      );
    }
    checkMetadata(host, attempt, options, "downstream handler");
    const up = attempt.deadline;
    const down = options?.deadline;
    if (
      attempt.gen.enforcesDeadline && up !== undefined &&
      (down === undefined || down > up)
    ) {
      host.mismatch(
        "deadline",
        call,
        `the downstream handler's deadline is ${down}, the upstream one ${up}`,
      );
    }
    const signal = options?.signal;
    if (relay !== undefined) relay.downSignal = signal;
    // The very values the upstream handler was told to give (identity is
    // checked end to end).
    const injected = attempt.injected ??
      injectedResult(b, call.response, call.id);
    const finished = (_: Settled): void => {
      if (relay !== undefined) relay.downDoneAt = host.tick();
    };
    return play(host, b, injected, signal, finished, call);
  }
}

/** Plays behaviour `b`, recording how it ends. */
function play(
  host: FaultHost,
  b: Behaviour,
  injected: Settled,
  signal: AbortSignal | undefined,
  record: (settled: Settled) => void,
  call: Call,
): Promise<unknown> {
  switch (b.latency) {
    case "sync": {
      record(injected);
      if (injected.ok) {
        return (b.raw
          ? injected.value
          : Promise.resolve(injected.value)) as Promise<unknown>;
      }
      if (b.result === "throw" || (b.result !== "reject" && b.thrown)) {
        throw injected.value;
      }
      return Promise.reject(injected.value);
    }
    case "microtask": {
      let p = Promise.resolve();
      for (let i = 0; i < b.hops; i++) p = p.then();
      const result = p.then(() => {
        record(injected);
        if (injected.ok) return injected.value;
        throw injected.value;
      });
      host.background(result.catch(() => {}));
      return result;
    }
    case "timer": {
      const result = new Promise<unknown>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          record({ ok: false, value: signal!.reason });
          reject(signal!.reason);
        };
        const timer = setTimeout(() => {
          if (b.cooperative) signal?.removeEventListener("abort", onAbort);
          record(injected);
          if (injected.ok) resolve(injected.value);
          else reject(injected.value);
        }, b.timerMs);
        if (b.cooperative && signal !== undefined) {
          if (signal.aborted) onAbort();
          else signal.addEventListener("abort", onAbort, { once: true });
        }
      });
      host.background(result.catch(() => {}));
      return result;
    }
    default: {
      // Hangs until its signal aborts, then rejects with the reason.
      if (signal === undefined) {
        host.mismatch("outcome", call, "the handler got no signal");
        record({ ok: false, value: undefined });
        return Promise.reject(new Error("no signal"));
      }
      const result = new Promise<unknown>((_, reject) => {
        const onAbort = () => {
          record({ ok: false, value: signal.reason });
          reject(signal.reason);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
      host.background(result.catch(() => {}));
      return result;
    }
  }
}

/**
 * Where the server enforces deadlines (its client says
 * `enforcesDeadline`), a handler never starts past the deadline and sees
 * the effective one, never later than the caller's.
 */
function checkDeadline(
  host: FaultHost,
  attempt: Attempt,
  options: CallOptions | undefined,
): void {
  const sent = attempt.deadline;
  if (sent === undefined || !attempt.gen.enforcesDeadline) {
    return;
  }
  const seen = options?.deadline;
  if (seen === undefined || seen > sent) {
    host.mismatch(
      "deadline",
      attempt.call,
      `the handler's options.deadline is ${seen}, the caller's ${sent}`,
    );
  }
  if (attempt.startedAt > sent) {
    host.mismatch(
      "deadline",
      attempt.call,
      `a handler started ${attempt.startedAt - sent} ms past its deadline`,
    );
  }
}

/** The handler sees its caller's metadata, unchanged, or none. */
function checkMetadata(
  host: FaultHost,
  attempt: Attempt,
  options: CallOptions | undefined,
  who: string,
): void {
  const sent = attempt.call.metadata;
  const seen = options?.metadata;
  if (
    sent === undefined
      ? seen !== undefined
      : seen?.traceparent !== sent.traceparent
  ) {
    host.mismatch(
      "metadata",
      attempt.call,
      `the ${who} saw metadata ${JSON.stringify(seen)}, the caller sent ${
        JSON.stringify(sent)
      }`,
    );
  }
}
