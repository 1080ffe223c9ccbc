/**
 * The soak's oracle: once a window has settled it checks every call's
 * records against its plan — exactly one outcome, the outcome the injected
 * fault implies, retry and shedding rules, deadlines — books each attempt to
 * the server counter it should have moved, and compares the servers' and
 * layers' counters with those expectations. It also folds every call's
 * outcome into a hash, so two runs of one seed can be compared call by call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Oracle } from "./oracle.ts";
 *
 * const oracle = new Oracle();
 * oracle.mismatch("hang", undefined, "server 1 never finished closing");
 * assert.equal(oracle.mismatchCount, 1);
 * assert.equal(oracle.failedChecks.hang, 1);
 * assert.deepEqual(oracle.mismatches, ["server 1 never finished closing"]);
 * ```
 *
 * @module
 */

import {
  ChannelClosedError,
  HandlerError,
  OverloadedError,
  TimeoutError,
} from "../mod.ts";
import type { Generation } from "./generation.ts";
import {
  describePlan,
  LONG_TIMEOUT_MS,
  RETRY_ATTEMPTS,
  retryable,
} from "./plan.ts";
import { VIRTUAL_EPOCH } from "./clock.ts";
import type {
  Attempt,
  Bucket,
  Call,
  Check,
  Counts,
  Settled,
} from "./record.ts";

/**
 * How late (virtual ms) a call may end after its deadline where the server
 * enforces deadlines: the server's one timer fires at the deadline, and the
 * rejection reaches the caller within the same instant.
 */
export const DEADLINE_TOLERANCE_MS = 1;

/** Checks calls and servers; collects mismatches and the run's figures. */
export class Oracle {
  mismatchCount = 0;
  readonly failedChecks: Record<Check, number> = {
    "one outcome": 0,
    "outcome": 0,
    "deadline": 0,
    "metadata": 0,
    "cascade": 0,
    "server counters": 0,
    "layer counts": 0,
    "queue slots": 0,
    "unhandled rejection": 0,
    "hang": 0,
  };
  /** The first mismatches, described (at most 20). */
  readonly mismatches: string[] = [];
  /** Final outcomes: `response`, `caller abort`, or an error class name. */
  readonly outcomes: Record<string, number> = {};
  /** Faults injected, by kind. */
  readonly injected: Record<string, number> = {};
  readonly attempts = {
    total: 0,
    abortedBeforeSend: 0,
    toClosedServer: 0,
    dispatched: 0,
    /** Refused by the client: the deadline was due before sending. */
    expiredBeforeSend: 0,
    /** Sent, then ended with a `TimeoutError` at their deadline. */
    expired: 0,
    /** Of those, on servers that do not enforce deadlines (booked anywhere). */
    unbooked: 0,
  };
  readonly servers = { served: 0, failed: 0, cancelled: 0, rejected: 0 };
  readonly layers = { shed: 0, retried: 0, timedOut: 0 };
  /** Calls checked. */
  checked = 0;
  #hashA = 0x811c9dc5;
  #hashB = 0x01000193;

  /** Records a failed check. */
  mismatch(check: Check, call: Call | undefined, what: string): void {
    this.mismatchCount++;
    this.failedChecks[check]++;
    if (this.mismatches.length < 20) {
      const where = call === undefined
        ? ""
        : `call ${call.id} (${
          describePlan(call.plan)
        }, server ${call.gen.index}): `;
      this.mismatches.push(where + what);
    }
  }

  /** Counts one event of kind `key` in `table`. */
  count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  /**
   * A hash of every checked call's outcome (id, outcome class, virtual time
   * and logical order of the outcome, attempts and tries): equal for two
   * runs only when every call ended the same way at the same moment.
   */
  get outcomeHash(): string {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
    return hex(this.#hashA) + hex(this.#hashB);
  }

  #hash(text: string): void {
    let a = this.#hashA;
    let b = this.#hashB;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.#hashA = a;
    this.#hashB = b;
  }

  /** Checks one settled call and books its attempts. */
  check(call: Call): void {
    this.checked++;
    const problem = this.#problem(call);
    if (problem !== undefined) {
      const check = call.outcomes !== 1
        ? "one outcome"
        : problem.startsWith("deadline:")
        ? "deadline"
        : "outcome";
      this.mismatch(check, call, problem);
    }
    const kind = outcomeClass(call);
    this.count(this.outcomes, kind);
    this.#hash(
      `${call.id}:${kind}:${
        call.outcomeAt - VIRTUAL_EPOCH
      }:${call.outcomeTick}:${call.attempts.length}:${call.tries.length};`,
    );
    const plan = call.plan;
    this.count(this.injected, `stack ${plan.stack}`);
    if (plan.abort !== "none") this.count(this.injected, `abort ${plan.abort}`);
    if (plan.deadline !== "none") {
      this.count(this.injected, `deadline ${plan.deadline}`);
    }
    if (plan.previous) this.count(this.injected, "call to a closed server");
    if (plan.metadata) this.count(this.injected, "metadata");
    if (call.tries.length > 1) this.layers.retried += call.tries.length - 1;
    for (const t of call.tries) if (t.shed) this.layers.shed++;
    if (!call.ok && call.result instanceof TimeoutError) {
      this.layers.timedOut++;
    }
  }

  /** Checks one call; returns a description of the first problem. */
  #problem(call: Call): string | undefined {
    if (call.outcomes !== 1) {
      return `${call.outcomes} outcomes, expected exactly one`;
    }
    if (call.syncThrow) {
      return `the stack threw synchronously: ${show(call.result)}`;
    }
    for (const attempt of call.attempts) {
      const problem = this.#attemptProblem(attempt);
      if (problem !== undefined) return problem;
    }
    const deadlineProblem = this.#deadlineProblem(call);
    if (deadlineProblem !== undefined) return deadlineProblem;
    const plan = call.plan;
    const byCaller = call.aborted && !call.ok &&
      Object.is(call.result, call.abortReason) &&
      call.abortTick < call.outcomeTick;
    const byDeadline = endedByDeadline(call);
    const problem = plan.stack === "resilient"
      ? this.#retryProblem(call, byCaller, byDeadline)
      : this.#singleProblem(call, byCaller, byDeadline);
    if (problem !== undefined) return problem;
    if (
      !call.ok && call.result instanceof TimeoutError &&
      plan.stack !== "timeout-short" && !byDeadline
    ) {
      return `a ${LONG_TIMEOUT_MS} ms timeout fired: ${show(call.result)}`;
    }

    // What the injected fault implies, unless a server close or abort, or
    // the deadline, got in the way (those outcomes were checked above).
    const disturbed = plan.previous || byDeadline ||
      call.tries.some((t) => t.closedServer) ||
      call.attempts.some((a) =>
        a.closedAtCall || a.gen.abortTick < a.outcomeTick
      );
    if (disturbed) return undefined;
    const dispatched = call.attempts.some((a) => a.dispatched);
    switch (plan.abort) {
      case "before":
        if (!byCaller) {
          return `aborted before sending, got ${showOutcome(call)}`;
        }
        if (dispatched) return "aborted before sending, yet a handler ran";
        return undefined;
      case "queued":
        if (!byCaller) return `aborted while queued, got ${showOutcome(call)}`;
        if (!call.dispatchedAtAbort && dispatched) {
          return "aborted while queued, yet the handler ran afterwards";
        }
        return undefined;
      case "running": {
        // The short timeout may beat the abort the handler scheduled.
        const timedOut = plan.stack === "timeout-short" && !call.ok &&
          call.result instanceof TimeoutError;
        if (dispatched && !byCaller && !timedOut) {
          return `aborted while running, got ${showOutcome(call)}`;
        }
        return undefined;
      }
      case "race":
        return undefined;
    }
    if (plan.stack === "timeout-short") {
      // The timeout's own error, or — when the handler relays the call with
      // its options — a downstream server's for the same deadline, whose
      // limit is the time that was left (both fire at the same instant).
      if (
        call.ok || !(call.result instanceof TimeoutError) ||
        call.result.timeoutMs > call.gen.shortMs
      ) {
        return `a hanging handler under timeout(${call.gen.shortMs}) gave ${
          showOutcome(call)
        }`;
      }
    }
    return undefined;
  }

  /**
   * A call with a deadline: a `TimeoutError` never comes before the
   * deadline (or the layer's own timeout); where the server enforces
   * deadlines, the call ends by its deadline whatever the handler does.
   * Messages start with "deadline:" (booked to the `deadline` check).
   */
  #deadlineProblem(call: Call): string | undefined {
    const deadline = call.deadline;
    if (deadline === undefined) return undefined;
    if (!call.ok && call.result instanceof TimeoutError) {
      const own = call.plan.stack === "timeout-short"
        ? call.issuedAt + call.gen.shortMs
        : Infinity;
      const earliest = Math.min(deadline, own);
      if (call.outcomeAt < earliest) {
        return `deadline: a TimeoutError ${
          earliest - call.outcomeAt
        } ms before the deadline`;
      }
    }
    const enforced = call.attempts.length > 0 &&
      call.attempts.every((a) => a.gen.enforcesDeadline);
    const late = call.outcomeAt - Math.max(deadline, call.issuedAt);
    if (enforced && late > DEADLINE_TOLERANCE_MS) {
      return `deadline: the call ended ${late} ms after its deadline, got ${
        showOutcome(call)
      }`;
    }
    return undefined;
  }

  /** Stacks without retry: one attempt, whose outcome passes through. */
  #singleProblem(
    call: Call,
    byCaller: boolean,
    byDeadline: boolean,
  ): string | undefined {
    if (call.attempts.length === 0) {
      return (call.plan.abort === "before" && byCaller) || byDeadline
        ? undefined
        : `no attempt reached the client, outcome ${showOutcome(call)}`;
    }
    if (call.attempts.length > 1) {
      return `${call.attempts.length} attempts without a retry layer`;
    }
    const a = call.attempts[0];
    // A timeout layer answers the caller's abort (or the deadline) at once,
    // even when the client's reply is already on its way.
    const layered = call.plan.stack !== "direct";
    if (
      (a.ok !== call.ok || !Object.is(a.outcome, call.result)) &&
      !(layered && (byCaller || byDeadline))
    ) {
      return `the layers changed the outcome: client gave ${
        show(a.outcome)
      }, caller got ${showOutcome(call)}`;
    }
    return undefined;
  }

  /** The resilient stack: tries, shedding and the retry rules. */
  #retryProblem(
    call: Call,
    byCaller: boolean,
    byDeadline: boolean,
  ): string | undefined {
    const tries = call.tries;
    if (tries.length === 0) {
      return (call.plan.abort === "before" && byCaller) || byDeadline
        ? undefined
        : `the retry layer made no try, outcome ${showOutcome(call)}`;
    }
    if (tries.length > RETRY_ATTEMPTS) {
      return `${tries.length} tries, the limit is ${RETRY_ATTEMPTS}`;
    }
    for (const [i, t] of tries.entries()) {
      if (!t.done) return `try ${i} never settled`;
      const tryExpired = call.deadline !== undefined && !t.ok &&
        t.outcome instanceof TimeoutError;
      if (t.shed) {
        if (
          t.ok || !(t.outcome instanceof OverloadedError) ||
          t.attempt !== undefined
        ) {
          return `try ${i} was shed but gave ${show(t.outcome)}`;
        }
      } else if (t.preAborted) {
        if (t.ok || !Object.is(t.outcome, t.preReason)) {
          return `try ${i} began aborted but gave ${show(t.outcome)}`;
        }
      } else if (t.attempt === undefined) {
        if (!tryExpired) return `try ${i} was neither shed nor sent`;
      } else if (
        (t.attempt.ok !== t.ok || !Object.is(t.attempt.outcome, t.outcome)) &&
        !tryExpired
      ) {
        return `try ${i}: loadShed/concurrencyLimit changed the outcome ${
          show(t.attempt.outcome)
        } into ${show(t.outcome)}`;
      }
      if (i < tries.length - 1) {
        if (t.ok) return `try ${i} succeeded, yet the call was retried`;
        if (!retryable(t.outcome)) {
          return `try ${i} failed with ${
            show(t.outcome)
          }, not retryable, yet it was retried`;
        }
        if (call.aborted && Object.is(t.outcome, call.abortReason)) {
          return `the caller's abort was retried`;
        }
      }
    }
    const last = tries[tries.length - 1];
    if (byCaller || byDeadline) return undefined;
    if (last.ok !== call.ok || !Object.is(last.outcome, call.result)) {
      return `the last try gave ${show(last.outcome)}, the caller got ${
        showOutcome(call)
      }`;
    }
    if (
      !last.ok && retryable(last.outcome) && tries.length < RETRY_ATTEMPTS &&
      !(call.aborted && call.abortTick < call.outcomeTick) &&
      // retry makes no try that cannot finish before the deadline
      call.deadline === undefined
    ) {
      return `gave up after ${tries.length} tries on a retryable ${
        show(last.outcome)
      }`;
    }
    return undefined;
  }

  /** Checks one attempt and books it to a server counter. */
  #attemptProblem(a: Attempt): string | undefined {
    const gen = a.gen;
    this.attempts.total++;
    if (a.outcomes !== 1) return `an attempt had ${a.outcomes} outcomes`;
    // Ended by its deadline after it was sent.
    const expired = a.deadline !== undefined && !a.ok &&
      a.outcome instanceof TimeoutError && a.outcomeAt >= a.deadline &&
      !a.preExpired;
    let bucket: Bucket;
    let problem: string | undefined;
    if (a.preAborted) {
      this.attempts.abortedBeforeSend++;
      bucket = "none";
      if (a.dispatched) {
        problem = "an attempt sent with an aborted signal was handled";
      } else if (a.ok || !Object.is(a.outcome, a.preReason)) {
        problem = `an attempt sent with an aborted signal gave ${
          show(a.outcome)
        }`;
      }
    } else if (a.closedAtCall) {
      this.attempts.toClosedServer++;
      bucket = "none";
      const cause = gen.abortTick === Infinity ? undefined : gen.abortReason;
      if (a.dispatched) problem = "a call to a closed server was handled";
      else if (
        a.ok || !(a.outcome instanceof ChannelClosedError) ||
        a.outcome.value !== a ||
        !(gen.abortTick === Infinity
          ? a.outcome.cause === cause
          : gen.isAbortReason(a.outcome.cause))
      ) {
        problem = `a call to a closed server gave ${
          show(a.outcome)
        }, expected ChannelClosedError`;
      }
    } else if (a.preExpired && gen.enforcesDeadline) {
      // Never sent, never started: the client answers at once.
      this.attempts.expiredBeforeSend++;
      bucket = "none";
      if (a.dispatched) {
        problem = "an attempt whose deadline was due when sent was handled";
      } else if (a.ok || !(a.outcome instanceof TimeoutError)) {
        problem = `an attempt whose deadline was due when sent gave ${
          show(a.outcome)
        }, expected TimeoutError`;
      }
    } else if (expired) {
      this.attempts.expired++;
      if (!gen.enforcesDeadline) {
        this.attempts.unbooked++;
        if (a.dispatched) this.attempts.dispatched++;
        gen.unbooked++;
        bucket = "none";
      } else if (a.dispatched) {
        // The caller got its TimeoutError; the server books the handler's
        // own outcome when it ends.
        this.attempts.dispatched++;
        const h = a.handler;
        if (h === undefined) return "a handler never finished";
        bucket = h.ok ? "served" : "failed";
      } else {
        bucket = "cancelled"; // left the queue, or its turn, at the deadline
      }
    } else if (a.dispatched) {
      this.attempts.dispatched++;
      const h = a.handler;
      if (h === undefined) return "a handler never finished";
      bucket = h.ok ? "served" : "failed";
      const clean = a.abortedAt === Infinity && gen.abortTick > a.outcomeTick;
      const byAbort = a.abortedAt < a.outcomeTick && !a.ok &&
        Object.is(a.outcome, a.abortReason);
      if (clean && !sameAsInjected(h, a.injected!, a.relay !== undefined)) {
        problem = `the handler gave ${h.ok ? "" : "error "}${
          show(h.value)
        }, not what was injected${
          a.relay === undefined ? " (engine bug)" : " (through the relay)"
        }`;
      } else if (!byAbort && !matchesHandler(h, a.ok, a.outcome)) {
        problem = `the handler gave ${h.ok ? "" : "error "}${
          show(h.value)
        }, the client got ${a.ok ? "" : "error "}${show(a.outcome)}`;
      }
    } else if (
      a.abortedAt < gen.abortTick && !a.ok &&
      Object.is(a.outcome, a.abortReason) && a.abortedAt < a.outcomeTick
    ) {
      bucket = "cancelled";
    } else if (
      gen.abortTick < a.outcomeTick && a.callTick < gen.abortTick && !a.ok &&
      a.outcome instanceof ChannelClosedError && a.outcome.value === a &&
      gen.isAbortReason(a.outcome.cause)
    ) {
      bucket = "rejected";
    } else {
      bucket = "none";
      problem = `an attempt that was never handled gave ${
        a.ok ? "" : "error "
      }${show(a.outcome)}`;
    }
    if (bucket !== "none") gen.expected[bucket]++;
    return problem ?? this.#cascadeProblem(a);
  }

  /**
   * A relayed request: when the upstream handler's signal aborted before the
   * downstream handler finished, the downstream handler's signal aborted
   * too (with the same reason, unless the downstream server's own deadline
   * timer got there first).
   */
  #cascadeProblem(a: Attempt): string | undefined {
    const relay = a.relay;
    if (relay === undefined || relay.downSignal === undefined) return undefined;
    if (!(relay.upAbortedAt < relay.downDoneAt)) return undefined;
    const down = relay.downSignal;
    const up = relay.upSignal!;
    if (!down.aborted) {
      this.mismatch(
        "cascade",
        a.call,
        `the upstream handler's signal aborted (${
          show(up.reason)
        }), the downstream handler's did not`,
      );
    } else if (
      !Object.is(down.reason, up.reason) &&
      !(down.reason instanceof TimeoutError && a.deadline !== undefined)
    ) {
      this.mismatch(
        "cascade",
        a.call,
        `the downstream handler's signal aborted with ${
          show(down.reason)
        }, the upstream one with ${show(up.reason)}`,
      );
    }
    return undefined;
  }

  /**
   * Compares each generation's counters with what its attempts imply, and
   * checks that the layers hold nothing. Attempts that ended at their
   * deadline on a server that does not say it enforces deadlines may sit in
   * any counter (or in none the oracle knows of): each counter is at least
   * what is expected, and the sum exceeds the expected sum by at most the
   * number of such attempts. Everywhere else the counters must be exact.
   */
  checkGenerations(touched: Iterable<Generation>): void {
    for (const gen of touched) {
      const s = gen.server;
      const got: Counts = {
        served: s.served,
        failed: s.failed,
        cancelled: s.cancelled,
        rejected: s.rejected,
      };
      const want = gen.expected;
      const keys = Object.keys(want) as (keyof Counts)[];
      const sum = (c: Counts) => keys.reduce((n, k) => n + c[k], 0);
      const extra = sum(got) - sum(want);
      if (
        keys.some((k) => got[k] < want[k]) ||
        extra < 0 || extra > gen.unbooked ||
        (gen.unbooked === 0 && keys.some((k) => got[k] !== want[k]))
      ) {
        this.mismatch(
          "server counters",
          undefined,
          `server ${gen.index} counters ${JSON.stringify(got)}, expected ${
            JSON.stringify(want)
          }${gen.unbooked > 0 ? ` + up to ${gen.unbooked} expired` : ""}`,
        );
      }
      const d = gen.downstream.server;
      if (d.queued !== 0 || d.inFlight !== 0) {
        this.mismatch(
          "server counters",
          undefined,
          `server ${gen.index}'s downstream idle with queued=${d.queued} inFlight=${d.inFlight}`,
        );
      }
      if (s.queued !== 0 || s.inFlight !== 0) {
        this.mismatch(
          "server counters",
          undefined,
          `server ${gen.index} idle with queued=${s.queued} inFlight=${s.inFlight}`,
        );
      }
      const layers = {
        "timeout(short).active": gen.timeoutShort.active,
        "timeout(long).active": gen.timeoutLong.active,
        "timeout(outer).active": gen.timeoutOuter.active,
        "concurrencyLimit.inFlight": gen.limiter.inFlight,
        "concurrencyLimit.waiting": gen.limiter.waiting,
        "retry.retrying": gen.retry.retrying,
      };
      for (const [name, value] of Object.entries(layers)) {
        if (value !== 0) {
          this.mismatch(
            "layer counts",
            undefined,
            `server ${gen.index}: ${name} is ${value} with nothing in flight`,
          );
        }
      }
      if (gen.stopped && !gen.counted) {
        gen.counted = true;
        this.servers.served += s.served;
        this.servers.failed += s.failed;
        this.servers.cancelled += s.cancelled;
        this.servers.rejected += s.rejected;
      }
    }
  }

  /**
   * The checks over the whole run: every call checked, and the servers'
   * counters add up to the attempts that reached a server.
   */
  finish(requests: number): void {
    const reached = this.attempts.total - this.attempts.abortedBeforeSend -
      this.attempts.toClosedServer - this.attempts.expiredBeforeSend;
    const counted = this.servers.served + this.servers.failed +
      this.servers.cancelled + this.servers.rejected;
    if (counted > reached || counted < reached - this.attempts.unbooked) {
      this.mismatch(
        "server counters",
        undefined,
        `server counters add up to ${counted}, but ${reached} attempts reached a server${
          this.attempts.unbooked > 0
            ? ` (${this.attempts.unbooked} of them expired, booked anywhere)`
            : ""
        }`,
      );
    }
    if (this.checked !== requests) {
      this.mismatch(
        "one outcome",
        undefined,
        `${this.checked} calls checked, ${requests} made`,
      );
    }
  }
}

/** The call ended with a `TimeoutError` at or after its deadline. */
function endedByDeadline(call: Call): boolean {
  return call.deadline !== undefined && !call.ok &&
    call.result instanceof TimeoutError && call.outcomeAt >= call.deadline;
}

/**
 * The handler did what was injected. A relayed non-`Error` comes back from
 * the downstream client as a `HandlerError` with the value as its cause.
 */
function sameAsInjected(
  h: Settled,
  injected: Settled,
  relayed: boolean,
): boolean {
  if (h.ok !== injected.ok) return false;
  if (Object.is(h.value, injected.value)) return true;
  return relayed && !injected.ok && !(injected.value instanceof Error) &&
    h.value instanceof HandlerError && Object.is(h.value.cause, injected.value);
}

function matchesHandler(h: Settled, ok: boolean, outcome: unknown): boolean {
  if (h.ok) return ok && Object.is(outcome, h.value);
  if (ok) return false;
  if (h.value instanceof Error) return outcome === h.value;
  return outcome instanceof HandlerError && Object.is(outcome.cause, h.value);
}

/** `response`, `caller abort`, or the error's class name. */
export function outcomeClass(call: Call): string {
  if (call.ok) return "response";
  if (call.aborted && Object.is(call.result, call.abortReason)) {
    return "caller abort";
  }
  const r = call.result;
  if (typeof r === "object" && r !== null) {
    return r.constructor?.name ?? "object";
  }
  return typeof r;
}

function showOutcome(call: Call): string {
  return call.ok
    ? `response ${show(call.result)}`
    : `error ${show(call.result)}`;
}

/** A short description of any value, for mismatch messages. */
export function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "symbol" || typeof value === "bigint") {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
