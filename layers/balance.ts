/**
 * {@linkcode balance}: spread calls over replicas of a service.
 *
 * @module
 */

import { InvalidOptionError, rejectUnknownKeys } from "../errors.ts";
import type { CallOptions, Service } from "../service.ts";
import { callInner, innerEnforcesDeadline, innerReady } from "./_inner.ts";
import { randomIndex } from "./_random.ts";
import {
  noMoreArguments,
  optionalFunction,
  optionsObject,
} from "./_validate.ts";

/**
 * Options of {@linkcode balance}.
 *
 * @example
 * ```ts
 * import type { BalanceOptions } from "@norpc/norpc/layers";
 *
 * const options: BalanceOptions = { strategy: "p2c" };
 * ```
 */
export interface BalanceOptions {
  /**
   * How a replica is picked. Only `"p2c"` (power of two choices on in-flight
   * count, Tower's `balance::p2c`) for now, the default.
   */
  strategy?: "p2c";
  /**
   * Source of randomness, returning a number in `[0, 1)` (a value outside
   * is clamped into it, `NaN` counts as 0, so no index falls past the end;
   * if it throws, the call rejects with what it threw). Defaults to
   * `Math.random`; pass a seeded one for reproducible tests.
   */
  random?: () => number;
}

/**
 * Spreads calls over replicas of a service with the power of two choices
 * (Tower's `balance::p2c`): for each call it picks two distinct replicas at
 * random among the `ready()` ones and sends the call to the one with fewer
 * calls in flight (the balancer's own count). When no replica is ready it
 * picks the same way among all of them, so the call waits in the less
 * loaded one's queue; put {@linkcode loadShed} in front to fail fast
 * instead (the balanced service is ready while any replica is). The
 * balanced service enforces deadlines when every replica does.
 *
 * P2C keeps the load spread nearly as well as always picking the least
 * loaded replica, without herding onto one replica. A call costs two random
 * draws and two `ready()` probes while both samples are ready (a pair of
 * ready samples is a uniform pair of ready replicas); only when one is not
 * does it scan the replicas and draw again among the ready ones.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 * @param services The replicas: a non-empty array of services.
 * @param options `strategy` and `random`.
 * @returns A {@linkcode BalancedService} over the replicas.
 * @throws {InvalidOptionError} When `services` is empty or holds a
 * non-service, or an option is invalid.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { balance } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const replicas = [1, 2, 3].map((id) =>
 *   serviceFn((req: string) => `${req} from replica ${id}`)
 * );
 * const svc = balance(replicas, { strategy: "p2c" });
 * assert.match(await svc.call("hello"), /^hello from replica \d$/);
 * assert.deepEqual(svc.loads, [0, 0, 0]);
 * ```
 */
export function balance<Req, Res>(
  services: ReadonlyArray<Service<Req, Res>>,
  options: BalanceOptions = {},
): BalancedService<Req, Res> {
  noMoreArguments("balance", arguments, 2);
  return new BalancedService(services, options);
}

/**
 * The service {@linkcode balance} produces. Read-only `loads` (calls in
 * flight per replica) and `inFlight` (their sum) return to zero once every
 * call has settled.
 *
 * @typeParam Req The request type.
 * @typeParam Res The response type.
 *
 * @example
 * ```ts
 * import { serviceFn } from "@norpc/norpc";
 * import { BalancedService } from "@norpc/norpc/layers";
 * import assert from "node:assert/strict";
 *
 * const svc = new BalancedService([
 *   serviceFn((n: number) => n),
 *   serviceFn((n: number) => n),
 * ]);
 * assert.equal(await svc.call(1), 1);
 * assert.equal(svc.inFlight, 0);
 * assert.deepEqual(svc.loads, [0, 0]);
 * ```
 */
export class BalancedService<Req, Res> implements Service<Req, Res> {
  /** Whether every replica rejects calls at their deadline. */
  readonly enforcesDeadline: boolean;
  /** The name of the service behind this one (see `Service.serviceName`). */
  readonly serviceName: string | undefined;
  readonly #replicas: Replica<Req, Res>[];
  /** Scratch list of ready replicas, reused by every pick. */
  readonly #ready: Replica<Req, Res>[] = [];
  readonly #random: () => number;
  readonly #total = new Total();

  /**
   * Same as {@linkcode balance}.
   *
   * @param services The replicas: a non-empty array of services.
   * @param options `strategy` and `random`.
   * @throws {InvalidOptionError} When `services` is empty or holds a
   * non-service, or an option is invalid.
   */
  constructor(
    services: ReadonlyArray<Service<Req, Res>>,
    options: BalanceOptions = {},
  ) {
    if (!Array.isArray(services) || services.length === 0) {
      throw new InvalidOptionError(
        "balance.services",
        services,
        "a non-empty array of services",
      );
    }
    // An index loop, not forEach: forEach skips the holes of a sparse array
    // (`new Array(2)`, `[a, , b]`), which then crashed call() later.
    for (let i = 0; i < services.length; i++) {
      const service = services[i];
      if (
        typeof service !== "object" || service === null ||
        typeof service.call !== "function"
      ) {
        throw new InvalidOptionError(
          `balance.services[${i}]`,
          service,
          "a service (an object with a call method)",
        );
      }
    }
    optionsObject("balance options", options);
    rejectUnknownKeys("balance()", options, ["strategy", "random"]);
    if (options.strategy !== undefined && options.strategy !== "p2c") {
      throw new InvalidOptionError(
        "balance.strategy",
        options.strategy,
        `"p2c"`,
      );
    }
    optionalFunction("balance.random", options.random);
    this.#random = options.random ?? Math.random;
    this.#replicas = services.map((service) =>
      new Replica(this.#total, service)
    );
    this.enforcesDeadline = services.every(innerEnforcesDeadline);
    // Replicas of one service: its name, when they agree on one.
    const names = new Set(services.map((service) => service.serviceName));
    this.serviceName = names.size === 1 ? [...names][0] : undefined;
  }

  /** Calls in flight on each replica, in the order given. */
  get loads(): number[] {
    return this.#replicas.map((replica) => replica.load);
  }

  /** Calls in flight over all replicas. */
  get inFlight(): number {
    return this.#total.inFlight;
  }

  /**
   * Sends the call to the less loaded of two random ready replicas.
   *
   * @param req The request.
   * @param options The call's options, passed to the chosen replica.
   * @returns The replica's response.
   */
  call(req: Req, options?: CallOptions): Promise<Res> {
    let replica: Replica<Req, Res>;
    try {
      replica = this.#pick();
    } catch (error) {
      // A custom random() threw: that bug reaches this call, nothing else.
      return Promise.reject(error);
    }
    replica.load++;
    this.#total.inFlight++;
    return callInner(replica.service, req, options).then(
      replica.onFulfilled,
      replica.onRejected,
    );
  }

  /** True while at least one replica is ready. */
  ready(): boolean {
    for (const replica of this.#replicas) {
      if (innerReady(replica.service)) return true;
    }
    return false;
  }

  /** P2C among the ready replicas, or among all when none is ready. */
  #pick(): Replica<Req, Res> {
    const replicas = this.#replicas;
    const n = replicas.length;
    if (n === 1) return replicas[0];
    // Two samples that are both ready are a uniform pair of ready replicas:
    // the common case needs no scan. Otherwise draw again among the ready.
    const i = randomIndex(this.#random, n);
    const a = replicas[i];
    const b = replicas[otherIndex(this.#random, n, i)];
    if (innerReady(a.service) && innerReady(b.service)) return lessLoaded(a, b);
    const ready = this.#ready;
    for (const replica of replicas) {
      if (innerReady(replica.service)) ready.push(replica);
    }
    const pool = ready.length > 0 ? ready : replicas;
    let picked: Replica<Req, Res>;
    if (pool.length === 1) picked = pool[0];
    else {
      const k = randomIndex(this.#random, pool.length);
      picked = lessLoaded(
        pool[k],
        pool[otherIndex(this.#random, pool.length, k)],
      );
    }
    ready.length = 0;
    return picked;
  }
}

/** The replica with fewer calls in flight; the first on a tie. */
function lessLoaded<Req, Res>(
  a: Replica<Req, Res>,
  b: Replica<Req, Res>,
): Replica<Req, Res> {
  return b.load < a.load ? b : a;
}

/** An index in `[0, n)` other than `i`, drawn with `random()`. */
function otherIndex(random: () => number, n: number, i: number): number {
  const j = randomIndex(random, n - 1);
  return j >= i ? j + 1 : j;
}

/** One replica, its load and its (per-replica, not per-call) settle handlers. */
class Replica<Req, Res> {
  load = 0;
  constructor(readonly total: Total, readonly service: Service<Req, Res>) {}

  done(): void {
    this.load--;
    this.total.inFlight--;
  }

  readonly onFulfilled = (value: Res): Res => {
    this.done();
    return value;
  };

  readonly onRejected = (error: unknown): never => {
    this.done();
    throw error;
  };
}

/** The in-flight count over all replicas, shared with each replica. */
class Total {
  inFlight = 0;
}
