/**
 * Bad options and bad use (issue 8, item 4).
 *
 * One table calls every public factory and constructor of the runtime
 * (mod.ts) and of the layers (layers/mod.ts) with the invalid values an
 * untyped JavaScript caller could pass, one option at a time: each row names
 * the call, the error class, and for `InvalidOptionError` the option and the
 * value the error (and its message) must name. A second table misuses the
 * runtime (closed servers and channels, double close, unknown methods,
 * non-Error throws): each must give a typed error or be a documented no-op,
 * and every wait is bounded, so a hang fails the row instead of the run.
 *
 * The coverage step keeps the tables complete: every function or class
 * exported by mod.ts and layers/mod.ts needs rows (or a stated reason why it
 * takes no options), and every option name the sources validate needs a row.
 * A new layer or option without rows fails here.
 */

import assert, { AssertionError } from "node:assert/strict";
import * as runtime from "../mod.ts";
import {
  channel,
  ChannelClosedError,
  Client,
  connect,
  type Envelope,
  HandlerError,
  InvalidOptionError,
  serve,
  type Service,
  ServiceBuilder,
  serviceFn,
  spawn,
  stack,
  UnknownMethodError,
} from "../mod.ts";
import * as layers from "../layers/mod.ts";
import {
  balance,
  BalancedService,
  batch,
  BatchService,
  circuitBreaker,
  CircuitBreakerService,
  concurrencyLimit,
  ConcurrencyLimitService,
  filter,
  hedge,
  HedgeService,
  loadShed,
  LoadShedService,
  mapError,
  mapRequest,
  mapResponse,
  observe,
  ObserveService,
  rateLimit,
  RateLimitService,
  retry,
  RetryBudget,
  RetryService,
  timeout,
  TimeoutService,
} from "../layers/mod.ts";
import {
  HelloWorldClient,
  type HelloWorldRequest,
  helloWorldServer,
} from "../examples/hello_world/hello_world.gen.ts";
import { ControlledService, fulfilled, rejected, watch } from "./_helpers.ts";
import { flush, withClock, wrong } from "./layers/_helpers.ts";

// ---------------------------------------------------------------------------
// Values. `undefined` is listed only where the option is required: an absent
// optional option means its default (checked by the valid baseline).

/** A function where a number, an object or a service is expected. */
function notAnOption(): void {}

/** Wrong types for a number option. */
const NOT_NUMBERS = ["5", null, true, {}, [], notAnOption, 5n];
/** Not a positive integer (counts: permits, sizes, attempts). */
const BAD_COUNTS = [
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53, // not a safe integer
  ...NOT_NUMBERS,
];
/** Not a finite number > 0 (durations that must elapse, windows). */
const BAD_POSITIVE = [0, -0, -1, NaN, Infinity, -Infinity, ...NOT_NUMBERS];
/** Not a finite number >= 0 (ratios, delays that may be zero). */
const BAD_NON_NEGATIVE = [-1, -Infinity, NaN, Infinity, ...NOT_NUMBERS];
/** Past setTimeout's limit (2^31 - 1 ms): such a timer fires after 1 ms. */
const TOO_LONG = 2 ** 31;
/** Not a positive integer or Infinity (channel capacity, server concurrency). */
const BAD_CAPACITY = [0, -0, -1, 1.5, NaN, -Infinity, ...NOT_NUMBERS];
/** Not a function, where a callback is expected. */
const BAD_FUNCTIONS = ["fn", 1, null, true, {}, []];
/** Not an options object. */
const BAD_OBJECTS = [null, 5, "x", true, [], notAnOption];
/** Not a service: a bare function is the usual slip (serviceFn forgotten). */
const NOT_SERVICES = [undefined, null, "svc", 1, {}, { call: 1 }, notAnOption];
/** Not a layer, not a callback. */
const NOT_FUNCTIONS = [undefined, null, "fn", 1, {}];

const svc: Service<number, number> = serviceFn((n: number) => n);
const batchSvc = serviceFn((ns: number[]) => ns);
const combine = (reqs: number[]) => reqs;

/** A fresh receiver for each serve() row (a receiver is served once). */
function rx() {
  return channel<Envelope<number, number>>(4)[1];
}

// ---------------------------------------------------------------------------
// The options table

type ErrorClass = new (...args: never[]) => Error;

interface Row {
  /** The export under test, for the coverage check. */
  subject: string;
  /** What the row passes, for failure messages. */
  what: string;
  call: () => unknown;
  error: ErrorClass;
  /** InvalidOptionError rows: the option and value it must name. */
  option?: string;
  value?: unknown;
  /** TypeError rows: what the message must say. */
  message?: RegExp;
}

interface Group {
  name: string;
  rows: Row[];
}

/**
 * Rows for one option: each value through each entry point, each expected
 * to throw InvalidOptionError naming `name` and the value.
 */
function option(
  name: string,
  values: readonly unknown[],
  entries: Record<string, (value: never) => unknown>,
): Group {
  const rows: Row[] = [];
  for (const [subject, call] of Object.entries(entries)) {
    for (const value of values) {
      rows.push({
        subject,
        what: `${subject}: ${name} = ${rendered(value)}`,
        call: () => call(value as never),
        error: InvalidOptionError,
        option: name,
        value,
      });
    }
  }
  return { name, rows };
}

/** Rows for a wrong-type argument, expected to throw TypeError. */
function typeError(
  name: string,
  values: readonly unknown[],
  message: RegExp,
  entries: Record<string, (value: never) => unknown>,
): Group {
  const rows: Row[] = [];
  for (const [subject, call] of Object.entries(entries)) {
    for (const value of values) {
      rows.push({
        subject,
        what: `${subject}: ${name} = ${rendered(value)}`,
        call: () => call(value as never),
        error: TypeError,
        message,
      });
    }
  }
  return { name, rows };
}

const TABLE: Group[] = [
  // ---- runtime: channel, serve, spawn, connect, Client
  option("capacity", [undefined, ...BAD_CAPACITY], {
    channel: (v) => channel(v),
  }),
  option("capacity", BAD_CAPACITY, {
    spawn: (v) => spawn(svc, { capacity: v }),
  }),
  option("concurrency", BAD_CAPACITY, {
    serve: (v) => serve(rx(), svc, { concurrency: v }),
    spawn: (v) => spawn(svc, { concurrency: v }),
  }),
  // A number or a string where the options object goes would silently mean
  // the defaults (e.g. serve(rx, svc, 4) meaning concurrency 4); the layers
  // refuse such options objects, and so must serve and spawn.
  option("name", ["", 5, null, true, {}, ["Bank"]], {
    serve: (v) => serve(rx(), svc, { name: v }),
    spawn: (v) => spawn(svc, { name: v }),
  }),
  option("onError", BAD_FUNCTIONS, {
    serve: (v) => serve(rx(), svc, { onError: v }),
    spawn: (v) => spawn(svc, { onError: v }),
  }),
  // A misspelled key is refused, naming the key (and the closest valid one).
  option("concurency", [1], {
    serve: (v) => serve(rx(), svc, { concurency: v } as never),
    spawn: (v) => spawn(svc, { concurency: v } as never),
  }),
  option("serve options", BAD_OBJECTS, {
    serve: (v) => serve(rx(), svc, v),
  }),
  option("spawn options", BAD_OBJECTS, {
    spawn: (v) => spawn(svc, v),
  }),
  typeError(
    "receiver",
    [undefined, null, {}, "rx", 42, notAnOption],
    /serve\(\) expects the receiver of a norpc channel/,
    { serve: (v) => serve(v, svc) },
  ),
  typeError("service", NOT_SERVICES, /^(serve|spawn)\(\) expects a Service/, {
    serve: (v) => serve(rx(), v),
    spawn: (v) => spawn(v),
  }),
  typeError(
    "sender",
    [undefined, null, {}, "tx", 42],
    /expects the sender of a norpc channel/,
    { connect: (v) => connect(v) },
  ),
  // The public constructor behind connect() must say what it wants too,
  // not "Cannot read properties of undefined".
  typeError("new Client(sender)", [undefined, null, {}, "tx"], /sender/, {
    Client: (v) => new Client(v),
  }),

  // ---- runtime: ServiceBuilder, stack, serviceFn
  typeError("ServiceBuilder.layer", NOT_FUNCTIONS, /expects a function/, {
    ServiceBuilder: (v) => new ServiceBuilder().layer(v),
  }),
  // Without a check, service(x) hands x back (no layers) or fails at the
  // first call, far from the mistake.
  typeError("ServiceBuilder.service", NOT_SERVICES, /expects? a Service/, {
    ServiceBuilder: (v) => new ServiceBuilder().service(v),
  }),
  typeError("stack", NOT_FUNCTIONS, /stack\(\) expects layers.*argument 1/, {
    stack: (v) => stack(timeout(1), v),
  }),
  typeError("serviceFn", NOT_FUNCTIONS, /serviceFn\(\) expects a function/, {
    serviceFn: (v) => serviceFn(v),
  }),

  // ---- layers: timeout, concurrencyLimit, rateLimit
  option("timeout.ms", [undefined, ...BAD_POSITIVE, TOO_LONG], {
    timeout: (v) => timeout(v),
    TimeoutService: (v) => new TimeoutService(svc, v),
  }),
  option("concurrencyLimit.max", [undefined, ...BAD_COUNTS], {
    concurrencyLimit: (v) => concurrencyLimit(v),
    ConcurrencyLimitService: (v) => new ConcurrencyLimitService(svc, v),
  }),
  option("rateLimit options", [undefined, ...BAD_OBJECTS], {
    rateLimit: (v) => rateLimit(v),
    RateLimitService: (v) => new RateLimitService(svc, v),
  }),
  option("rateLimit.requests", [undefined, ...BAD_COUNTS], {
    rateLimit: (v) => rateLimit({ requests: v, per: 1000 }),
    RateLimitService: (v) =>
      new RateLimitService(svc, { requests: v, per: 1000 }),
  }),
  option("rateLimit.per", [undefined, ...BAD_POSITIVE], {
    rateLimit: (v) => rateLimit({ requests: 10, per: v }),
    RateLimitService: (v) =>
      new RateLimitService(svc, { requests: 10, per: v }),
  }),
  option("rateLimit.burst", BAD_COUNTS, {
    rateLimit: (v) => rateLimit({ requests: 10, per: 1000, burst: v }),
    RateLimitService: (v) =>
      new RateLimitService(svc, { requests: 10, per: 1000, burst: v }),
  }),

  // ---- retry and its budget
  option("retry policy", BAD_OBJECTS, {
    retry: (v) => retry(v),
    RetryService: (v) => new RetryService(svc, v),
  }),
  option("retry.attempts", BAD_COUNTS, {
    retry: (v) => retry({ attempts: v }),
    RetryService: (v) => new RetryService(svc, { attempts: v }),
  }),
  option("retry.base", BAD_NON_NEGATIVE, {
    retry: (v) => retry({ base: v }),
    RetryService: (v) => new RetryService(svc, { base: v }),
  }),
  option("retry.max", [...BAD_NON_NEGATIVE, TOO_LONG], {
    retry: (v) => retry({ max: v }),
    RetryService: (v) => new RetryService(svc, { max: v }),
  }),
  option("retry.retryIf", BAD_FUNCTIONS, {
    retry: (v) => retry({ retryIf: v }),
    RetryService: (v) => new RetryService(svc, { retryIf: v }),
  }),
  option("retry.random", BAD_FUNCTIONS, {
    retry: (v) => retry({ random: v }),
    RetryService: (v) => new RetryService(svc, { random: v }),
  }),
  // `false` means no budget; any other non-object, 0 and true included, is
  // a mistake.
  option("retry.budget", [...BAD_OBJECTS, 0, "false"], {
    retry: (v) => retry({ budget: v }),
    RetryService: (v) => new RetryService(svc, { budget: v }),
    RetryBudget: (v) => new RetryBudget(v),
  }),
  option("retry.budget.ratio", BAD_NON_NEGATIVE, {
    retry: (v) => retry({ budget: { ratio: v } }),
    RetryBudget: (v) => new RetryBudget({ ratio: v }),
  }),
  option("retry.budget.minPerSecond", BAD_NON_NEGATIVE, {
    retry: (v) => retry({ budget: { minPerSecond: v } }),
    RetryBudget: (v) => new RetryBudget({ minPerSecond: v }),
  }),
  option("retry.budget.window", BAD_POSITIVE, {
    retry: (v) => retry({ budget: { window: v } }),
    RetryBudget: (v) => new RetryBudget({ window: v }),
  }),

  // ---- circuitBreaker
  option("circuitBreaker options", BAD_OBJECTS, {
    circuitBreaker: (v) => circuitBreaker(v),
    CircuitBreakerService: (v) => new CircuitBreakerService(svc, v),
  }),
  option("circuitBreaker.failureThreshold", BAD_COUNTS, {
    circuitBreaker: (v) => circuitBreaker({ failureThreshold: v }),
  }),
  option("circuitBreaker.resetAfter", BAD_POSITIVE, {
    circuitBreaker: (v) => circuitBreaker({ resetAfter: v }),
  }),
  option("circuitBreaker.halfOpenMax", BAD_COUNTS, {
    circuitBreaker: (v) => circuitBreaker({ halfOpenMax: v }),
    CircuitBreakerService: (v) =>
      new CircuitBreakerService(svc, { halfOpenMax: v }),
  }),
  option("circuitBreaker.isFailure", BAD_FUNCTIONS, {
    circuitBreaker: (v) => circuitBreaker({ isFailure: v }),
  }),
  option("circuitBreaker.onStateChange", BAD_FUNCTIONS, {
    circuitBreaker: (v) => circuitBreaker({ onStateChange: v }),
  }),

  // ---- hedge
  option("hedge options", [undefined, ...BAD_OBJECTS], {
    hedge: (v) => hedge(v),
    HedgeService: (v) => new HedgeService(svc, v),
  }),
  option(
    "hedge.after",
    // [] is an object but no { percentile }: it must name `after` itself.
    [undefined, ...BAD_NON_NEGATIVE.filter((v) => !isPlainObject(v)), TOO_LONG],
    {
      hedge: (v) => hedge({ after: v }),
      HedgeService: (v) => new HedgeService(svc, { after: v }),
    },
  ),
  option(
    "hedge.after.percentile",
    [undefined, 0, -0.5, 1.5, 95, NaN, Infinity, "p95", null, true],
    { hedge: (v) => hedge({ after: { percentile: v } }) },
  ),
  option("hedge.after.window", BAD_COUNTS, {
    hedge: (v) => hedge({ after: { percentile: 0.9, window: v } }),
  }),
  option("hedge.after.minSamples", [...BAD_COUNTS, 11], {
    // 11 is a valid count but more than the window of 10.
    hedge: (v) =>
      hedge({ after: { percentile: 0.9, window: 10, minSamples: v } }),
  }),

  // ---- filter, mapRequest, mapResponse, mapError
  option("filter.predicate", [undefined, ...BAD_FUNCTIONS], {
    filter: (v) => filter(v),
  }),
  option("mapRequest.fn", [undefined, ...BAD_FUNCTIONS], {
    mapRequest: (v) => mapRequest(v),
  }),
  option("mapResponse.fn", [undefined, ...BAD_FUNCTIONS], {
    mapResponse: (v) => mapResponse(v),
  }),
  option("mapError.fn", [undefined, ...BAD_FUNCTIONS], {
    mapError: (v) => mapError(v),
  }),

  // ---- observe
  option("observe hooks", [undefined, ...BAD_OBJECTS], {
    observe: (v) => observe(v),
  }),
  option("observe.onRequest", BAD_FUNCTIONS, {
    observe: (v) => observe({ onRequest: v }),
  }),
  option("observe.onResponse", BAD_FUNCTIONS, {
    observe: (v) => observe({ onResponse: v }),
  }),
  option("observe.onError", BAD_FUNCTIONS, {
    observe: (v) => observe({ onError: v }),
  }),

  // ---- batch
  option("batch options", [undefined, ...BAD_OBJECTS], {
    batch: (v) => batch(v),
    BatchService: (v) => new BatchService(batchSvc, v),
  }),
  option("batch.maxSize", [undefined, ...BAD_COUNTS], {
    batch: (v) => batch({ maxSize: v, maxDelay: 1, combine }),
    BatchService: (v) =>
      new BatchService(batchSvc, { maxSize: v, maxDelay: 1, combine }),
  }),
  option("batch.maxDelay", [undefined, ...BAD_NON_NEGATIVE, TOO_LONG], {
    batch: (v) => batch({ maxSize: 8, maxDelay: v, combine }),
    BatchService: (v) =>
      new BatchService(batchSvc, { maxSize: 8, maxDelay: v, combine }),
  }),
  option("batch.combine", [undefined, ...BAD_FUNCTIONS], {
    batch: (v) => batch({ maxSize: 8, maxDelay: 1, combine: v }),
  }),

  // ---- balance
  option(
    "balance.services",
    [undefined, null, [], "svc", 5, {}, { length: 1, 0: svc }, svc],
    {
      balance: (v) => balance(v),
      BalancedService: (v) => new BalancedService(v),
    },
  ),
  option("balance.services[1]", NOT_SERVICES, {
    balance: (v) => balance([svc, v]),
    BalancedService: (v) => new BalancedService([svc, v]),
  }),
  // The holes of a sparse array are replicas too: forEach/map skip them.
  option("balance.services[0]", [undefined], {
    balance: () => balance(new Array(2)),
  }),
  option("balance.services[1]", [undefined], {
    // deno-lint-ignore no-sparse-arrays
    balance: () => balance([svc, , svc] as never),
  }),
  option("balance options", BAD_OBJECTS, {
    balance: (v) => balance([svc], v),
    BalancedService: (v) => new BalancedService([svc], v),
  }),
  option("balance.strategy", ["round-robin", "P2C", "", 1, null, true, {}], {
    balance: (v) => balance([svc], { strategy: v }),
  }),
  option("balance.random", BAD_FUNCTIONS, {
    balance: (v) => balance([svc], { random: v }),
  }),

  // ---- layers: hook error handlers, extra arguments (issue 11, 13)
  option("retry.onRetry", BAD_FUNCTIONS, {
    retry: (v) => retry({ onRetry: v }),
    RetryService: (v) => new RetryService(svc, { onRetry: v }),
  }),
  option("retry.onHookError", BAD_FUNCTIONS, {
    retry: (v) => retry({ onHookError: v }),
  }),
  option("circuitBreaker.onHookError", BAD_FUNCTIONS, {
    circuitBreaker: (v) => circuitBreaker({ onHookError: v }),
  }),
  option("observe.onHookError", BAD_FUNCTIONS, {
    observe: (v) => observe({ onHookError: v }),
    ObserveService: (v) => new ObserveService(svc, { onHookError: v }),
  }),
  option("observe hooks", [undefined, ...BAD_OBJECTS], {
    ObserveService: (v) => new ObserveService(svc, v),
  }),
  // An argument a factory does not take is refused, not ignored:
  // `loadShed("x")`, `concurrencyLimit(5, { queue: 10 })`.
  option("loadShed() argument 1", ["x", 5, {}, { max: 5 }, null], {
    loadShed: (v) => (loadShed as (v: unknown) => unknown)(v),
  }),
  ...extraArguments(),

  // ---- layers: misspelled option keys name the closest valid one
  ...unknownKeys(),

  // ---- layers: the inner service is checked when the layer is applied
  typeError(
    "inner service",
    NOT_SERVICES,
    /^\w+\(\) expects a Service/,
    {
      timeout: (v) => timeout(10)(v),
      TimeoutService: (v) => new TimeoutService(v, 10),
      concurrencyLimit: (v) => concurrencyLimit(1)(v),
      ConcurrencyLimitService: (v) => new ConcurrencyLimitService(v, 1),
      rateLimit: (v) => rateLimit({ requests: 1, per: 10 })(v),
      RateLimitService: (v) =>
        new RateLimitService(v, { requests: 1, per: 10 }),
      loadShed: (v) => loadShed()(v),
      LoadShedService: (v) => new LoadShedService(v),
      retry: (v) => retry()(v),
      RetryService: (v) => new RetryService(v),
      circuitBreaker: (v) => circuitBreaker()(v),
      CircuitBreakerService: (v) => new CircuitBreakerService(v),
      hedge: (v) => hedge({ after: 5 })(v),
      HedgeService: (v) => new HedgeService(v, { after: 5 }),
      filter: (v) => filter(() => true)(v),
      mapRequest: (v) => mapRequest((x) => x)(v),
      mapResponse: (v) => mapResponse((x) => x)(v),
      mapError: (v) => mapError((x) => x)(v),
      observe: (v) => observe({})(v),
      ObserveService: (v) => new ObserveService(v, {}),
      batch: (v) => batch({ maxSize: 2, maxDelay: 1, combine })(v),
      BatchService: (v) =>
        new BatchService(v, { maxSize: 2, maxDelay: 1, combine }),
    },
  ),
];

/** One row per layer factory: an argument past the ones it takes. */
function extraArguments(): Group[] {
  const extra = { queue: 10 };
  const call = (f: unknown, ...args: unknown[]) =>
    (f as (...args: unknown[]) => unknown)(...args);
  const cases: [string, number, () => unknown][] = [
    ["timeout", 2, () => call(timeout, 10, extra)],
    ["concurrencyLimit", 2, () => call(concurrencyLimit, 5, extra)],
    [
      "rateLimit",
      2,
      () => call(rateLimit, { requests: 1, per: 10 }, extra),
    ],
    ["retry", 2, () => call(retry, {}, extra)],
    ["circuitBreaker", 2, () => call(circuitBreaker, {}, extra)],
    ["hedge", 2, () => call(hedge, { after: 5 }, extra)],
    ["filter", 2, () => call(filter, () => true, extra)],
    ["mapRequest", 2, () => call(mapRequest, (x: unknown) => x, extra)],
    ["mapResponse", 2, () => call(mapResponse, (x: unknown) => x, extra)],
    ["mapError", 2, () => call(mapError, (x: unknown) => x, extra)],
    ["observe", 2, () => call(observe, {}, extra)],
    [
      "batch",
      2,
      () => call(batch, { maxSize: 2, maxDelay: 1, combine }, extra),
    ],
    ["balance", 3, () => call(balance, [svc], {}, extra)],
  ];
  return cases.map(([subject, n, run]) => ({
    name: `${subject}() argument ${n}`,
    rows: [{
      subject,
      what: `${subject}: an argument ${n}`,
      call: run,
      error: InvalidOptionError,
      option: `${subject}() argument ${n}`,
      value: extra,
    }],
  }));
}

/**
 * One row per layer factory with an options object: a misspelled key
 * throws InvalidOptionError naming that key (and, in the message, the
 * closest valid one) instead of being ignored.
 */
function unknownKeys(): Group[] {
  const cases: [string, string, unknown, string, () => unknown][] = [
    ["retry", "attemps", 3, "attempts", () => retry(wrong({ attemps: 3 }))],
    [
      "RetryService",
      "bse",
      4,
      "base",
      () => new RetryService(svc, wrong({ bse: 4 })),
    ],
    [
      "RetryBudget",
      "ration",
      0.1,
      "ratio",
      () => new RetryBudget(wrong({ ration: 0.1 })),
    ],
    [
      "retry",
      "minPerSec",
      1,
      "minPerSecond",
      () => retry({ budget: wrong({ minPerSec: 1 }) }),
    ],
    [
      "rateLimit",
      "request",
      2,
      "requests",
      () => rateLimit(wrong({ request: 2, requests: 1, per: 10 })),
    ],
    [
      "circuitBreaker",
      "failureThreshhold",
      2,
      "failureThreshold",
      () => circuitBreaker(wrong({ failureThreshhold: 2 })),
    ],
    [
      "hedge",
      "afterMs",
      5,
      "after",
      () => hedge(wrong({ after: 5, afterMs: 5 })),
    ],
    [
      "hedge",
      "percentil",
      0.9,
      "percentile",
      () => hedge({ after: wrong({ percentile: 0.9, percentil: 0.9 }) }),
    ],
    [
      "observe",
      "onResponce",
      notAnOption,
      "onResponse",
      () => observe(wrong<object>({ onResponce: notAnOption })),
    ],
    [
      "batch",
      "maxDelai",
      1,
      "maxDelay",
      () =>
        batch(wrong<never>({ maxSize: 2, maxDelay: 1, maxDelai: 1, combine })),
    ],
    [
      "balance",
      "stratgy",
      "p2c",
      "strategy",
      () => balance([svc], wrong({ stratgy: "p2c" })),
    ],
  ];
  return cases.map(([subject, key, value, closest, call]) => ({
    name: `unknown key: ${subject}({ ${key} })`,
    rows: [{
      subject,
      what: `${subject}: { ${key} } (did you mean ${closest}?)`,
      call,
      error: InvalidOptionError,
      option: key,
      value,
      message: new RegExp(`did you mean ${closest}\\?`),
    }],
  }));
}

/**
 * Valid calls next to the rows: each row changes one thing in one of these,
 * so its error can only come from the value under test. Absent optional
 * options and the edges of each range are valid.
 */
const VALID: Record<string, () => unknown> = {
  "channel(1)": () => channel(1),
  "channel(Infinity)": () => channel(Infinity),
  "serve(rx, svc)": () => serve(rx(), svc),
  "serve(rx, svc, {})": () => serve(rx(), svc, {}),
  "serve(rx, svc, { concurrency: Infinity })": () =>
    serve(rx(), svc, { concurrency: Infinity }),
  "spawn(svc)": () => spawn(svc),
  "spawn(svc, { capacity: 1, concurrency: 1 })": () =>
    spawn(svc, { capacity: 1, concurrency: 1 }),
  "connect(tx)": () => connect(channel<Envelope<number, number>>(1)[0]),
  "new ServiceBuilder().layer(timeout(1)).service(svc)": () =>
    new ServiceBuilder().layer(timeout(1)).service(svc),
  "stack(timeout(1), concurrencyLimit(1))": () =>
    stack(timeout(1), concurrencyLimit(1)),
  "timeout(2 ** 31 - 1)": () => timeout(2 ** 31 - 1)(svc),
  "timeout(Number.MIN_VALUE)": () => timeout(Number.MIN_VALUE)(svc),
  "concurrencyLimit(1)": () => concurrencyLimit(1)(svc),
  "rateLimit({ requests: 1, per: 1e12 })": () =>
    rateLimit({ requests: 1, per: 1e12 })(svc),
  "rateLimit({ ..., burst: 1 })": () =>
    rateLimit({ requests: 10, per: 1000, burst: 1 })(svc),
  "retry()": () => retry()(svc),
  "retry({ attempts: 1, base: 0, max: 2 ** 31 - 1, budget: false })": () =>
    retry({ attempts: 1, base: 0, max: 2 ** 31 - 1, budget: false })(svc),
  "retry({ budget: new RetryBudget() })": () =>
    retry({ budget: new RetryBudget() })(svc),
  "retry({ budget: { ratio: 0, minPerSecond: 0, window: 1 } })": () =>
    retry({ budget: { ratio: 0, minPerSecond: 0, window: 1 } })(svc),
  "circuitBreaker()": () => circuitBreaker()(svc),
  "circuitBreaker({ ... all set })": () =>
    circuitBreaker({
      failureThreshold: 1,
      resetAfter: 1e12, // no timer behind it: past the timer limit is fine
      halfOpenMax: 1,
      isFailure: () => true,
      onStateChange: () => {},
    })(svc),
  "hedge({ after: 0 })": () => hedge({ after: 0 })(svc),
  "hedge({ after: 2 ** 31 - 1 })": () => hedge({ after: 2 ** 31 - 1 })(svc),
  "hedge({ after: { percentile: 1, window: 1, minSamples: 1 } })": () =>
    hedge({ after: { percentile: 1, window: 1, minSamples: 1 } })(svc),
  "filter(() => true)": () => filter(() => true)(svc),
  "mapRequest / mapResponse / mapError": () =>
    stack(
      mapRequest((n: number) => n),
      mapResponse((n: number) => n),
      mapError((e: unknown) => e),
    )(svc),
  "observe({})": () => observe({})(svc),
  "batch({ maxSize: 1, maxDelay: 0 })": () =>
    batch({ maxSize: 1, maxDelay: 0, combine })(batchSvc),
  "balance([svc])": () => balance([svc]),
  "balance([svc, svc], { strategy: 'p2c', random })": () =>
    balance([svc, svc], { strategy: "p2c", random: () => 0.5 }),
};

// ---------------------------------------------------------------------------
// The misuse table

interface Misuse {
  name: string;
  /** Option names the row asserts (for the coverage check). */
  options?: string[];
  run: () => Promise<void>;
}

/** Asserts `err` is a ChannelClosedError carrying `value` (and `cause`). */
function assertClosed(err: unknown, value: unknown, cause?: unknown): void {
  assert.ok(err instanceof ChannelClosedError, String(err));
  assert.equal(err.value, value, "the error carries the undelivered value");
  if (cause !== undefined) assert.equal(err.cause, cause);
}

const MISUSE: Misuse[] = [
  {
    name: "calling a client whose server is closed, or aborted",
    async run() {
      // Object requests, so `value` is provably this request, not a copy.
      const byId = serviceFn((r: { id: number }) => r.id);
      const closed = spawn(byId);
      await fulfilled(closed.server.close());
      const aborted = spawn(byId);
      const reason = new Error("shut down");
      await fulfilled(aborted.server.abort(reason));
      for (
        const { client, cause } of [
          { client: closed.client, cause: undefined },
          { client: aborted.client, cause: reason },
        ]
      ) {
        // With and without a signal: the slow path checks closure too.
        for (
          const options of [undefined, { signal: new AbortController().signal }]
        ) {
          const req = { id: 7 };
          assertClosed(await rejected(client.call(req, options)), req, cause);
        }
      }
    },
  },
  {
    name: "calling a client whose channel was closed from either side",
    async run() {
      for (const side of ["sender", "receiver"] as const) {
        const [tx, rx] = channel<Envelope<{ id: number }, number>>(4);
        const server = serve(rx, serviceFn((r: { id: number }) => r.id));
        const client = connect(tx);
        const reason = new Error(`${side} closed`);
        (side === "sender" ? tx : rx).close(reason);
        const req = { id: 1 };
        assertClosed(await rejected(client.call(req)), req, reason);
        await fulfilled(server.closed, "the server stops by itself");
      }
    },
  },
  {
    name: "serving the same receiver twice: InvalidOptionError, first unharmed",
    options: ["receiver"],
    async run() {
      const [tx, rx] = channel<Envelope<number, number>>(4);
      const first = serve(rx, svc);
      assert.throws(() => serve(rx, serviceFn(() => -1)), (err: unknown) => {
        assert.ok(err instanceof InvalidOptionError, String(err));
        assert.equal(err.option, "receiver");
        assert.match(err.message, /already served/);
        return true;
      });
      assert.equal(await fulfilled(connect(tx).call(2)), 2);
      await fulfilled(first.close());
      // Once stopped, the receiver may be served again; its channel is
      // closed, so that server stops at once.
      await fulfilled(serve(rx, svc).closed);
    },
  },
  {
    name: "close() twice, and [Symbol.asyncDispose] twice: one promise",
    async run() {
      const { server } = spawn(svc);
      const closing = server.close();
      assert.equal(server.close(), closing);
      assert.equal(server[Symbol.asyncDispose](), closing);
      assert.equal(server[Symbol.asyncDispose](), closing);
      assert.equal(server.closed, closing);
      await fulfilled(closing);
      const spawned = spawn(svc);
      await fulfilled(Promise.resolve(spawned[Symbol.asyncDispose]()));
      await fulfilled(Promise.resolve(spawned[Symbol.asyncDispose]()));
    },
  },
  {
    name: "abort() after close(): same promise; running handlers see it",
    async run() {
      const handler = new ControlledService<number, number>();
      const { client, server } = spawn(handler);
      const reply = client.call(1);
      const closing = server.close();
      const reason = new Error("no more waiting");
      assert.equal(server.abort(reason), closing);
      const [running] = handler.calls;
      assert.equal(running.signal?.aborted, true);
      assert.equal(running.signal?.reason, reason);
      running.reject(running.signal!.reason);
      assert.equal(await rejected(reply), reason);
      await fulfilled(closing);
    },
  },
  {
    name: "close() after abort(), and abort() twice: no-ops, first reason kept",
    async run() {
      const handler = new ControlledService<number, number>();
      const { client, server } = spawn(handler);
      const reply = client.call(1);
      const first = new Error("first");
      const aborting = server.abort(first);
      assert.equal(server.abort(new Error("second")), aborting);
      assert.equal(server.close(), aborting);
      assert.equal(handler.calls[0].signal?.reason, first);
      handler.calls[0].reject(first);
      assert.equal(await rejected(reply), first);
      await fulfilled(aborting);
      assertClosed(await rejected(client.call(2)), 2, first);
    },
  },
  {
    name: "sending on a closed channel: ChannelClosedError carrying the value",
    async run() {
      const [tx, rx] = channel<{ n: number }>(2);
      const queued = { n: 1 };
      tx.trySend(queued);
      const reason = new Error("done");
      tx.close(reason);
      // Closing again, from either side or by dispose, keeps the first reason.
      tx.close(new Error("again"));
      rx.close();
      tx[Symbol.dispose]();
      rx[Symbol.dispose]();
      const value = { n: 2 };
      assertClosed(await rejected(tx.send(value)), value, reason);
      assert.throws(() => tx.trySend(value), (err: unknown) => {
        assertClosed(err, value, reason);
        return true;
      });
      // What was queued still drains; then receiving is a typed error.
      assert.equal(await fulfilled(rx.recv()), queued);
      assertClosed(await rejected(rx.recv()), undefined, reason);
      assert.deepEqual(rx.tryRecv(), { state: "closed" });
    },
  },
  {
    name: "an unknown method on a generated server: UnknownMethodError",
    async run() {
      const direct = helloWorldServer({ hello: (s) => `Hello, ${s}!` });
      const { client, server } = spawn(direct);
      for (const method of ["goodbye", "constructor", "__proto__", ""]) {
        const req = wrong<HelloWorldRequest>({ method, args: ["x"] });
        for (const service of [direct, client]) {
          const err = await rejected(service.call(req));
          assert.ok(err instanceof UnknownMethodError, String(err));
          assert.equal(err.method, method);
          assert.match(err.message, /on service HelloWorld/);
        }
      }
      // The server keeps serving the methods it has.
      const hello = new HelloWorldClient(client);
      assert.equal(await fulfilled(hello.hello("x")), "Hello, x!");
      await fulfilled(server.close());
    },
  },
  {
    name:
      "a handler throwing a non-Error: HandlerError with the value as cause",
    async run() {
      for (const thrown of ["boom", 0, null, undefined, { code: 7 }]) {
        const throwing = spawn<number, number>({
          call: () => {
            throw thrown;
          },
        });
        const rejecting = spawn(serviceFn(() => Promise.reject(thrown)));
        for (const { client } of [throwing, rejecting]) {
          // Without a signal the idle server runs the call at once; with
          // one the call travels as an envelope: both paths wrap.
          for (
            const options of [undefined, {
              signal: new AbortController().signal,
            }]
          ) {
            const err = await rejected(client.call(1, options));
            assert.ok(err instanceof HandlerError, String(err));
            assert.ok(Object.is(err.cause, thrown));
            assert.ok(err.message.includes(rendered(thrown)), err.message);
          }
        }
        await fulfilled(throwing.server.close());
        await fulfilled(rejecting.server.close());
      }
    },
  },
  {
    // Valid, but its wait passes setTimeout's limit, past which a timer
    // fires after 1 ms: the layer must cap its timer, not poll every ms.
    name: "a rate period past the timer limit: capped timers, no 1 ms polling",
    run: () =>
      withClock(async (clock) => {
        const limited = rateLimit<number, number>({
          requests: 1,
          per: 2 ** 32,
        })(
          svc,
        );
        assert.equal(await limited.call(1), 1);
        const second = watch(limited.call(2));
        assert.equal(clock.next(), 2 ** 31 - 1, "the first wait is capped");
        await flush();
        assert.equal(second.settled, false, "no token before its time");
        clock.tick(2 ** 32 - clock.now);
        await flush();
        assert.deepEqual(second.outcome, { status: "fulfilled", value: 2 });
      }),
  },
  {
    // Today the waiter is linked before its listener throws: send() throws
    // synchronously, and the orphan waiter breaks the next recv().
    name:
      "send with a signal that is not an AbortSignal: TypeError, channel intact",
    async run() {
      const [tx, rx] = channel<number>(1);
      tx.trySend(1); // full: the send would wait
      for (const signal of [{}, "abort", 1]) {
        let sent: Promise<void> | undefined;
        assert.doesNotThrow(() => {
          sent = tx.send(2, { signal: wrong(signal) });
        }, "send() must reject, not throw");
        const err = await rejected(sent!);
        assert.ok(err instanceof TypeError, String(err));
        assert.match(err.message, /AbortSignal/);
      }
      assert.equal(tx.size, 1);
      assert.equal(await fulfilled(rx.recv()), 1);
      assert.deepEqual(rx.tryRecv(), { state: "empty" }, "nothing queued");
      tx.close();
    },
  },
  {
    name: "call with a signal that is not an AbortSignal: TypeError rejection",
    async run() {
      const handler = new ControlledService<number, number>();
      const { client, server } = spawn(handler);
      for (const signal of [{}, "abort", 1]) {
        let reply: Promise<number> | undefined;
        assert.doesNotThrow(() => {
          reply = client.call(1, { signal: wrong(signal) });
        }, "call() must reject, not throw");
        const err = await rejected(reply!);
        assert.ok(err instanceof TypeError, String(err));
        assert.match(err.message, /AbortSignal/);
      }
      assert.equal(handler.calls.length, 0, "the handler never ran");
      await fulfilled(server.close());
    },
  },
  {
    // A layer may be the outermost service a caller reaches: it must refuse
    // a bad signal itself, before it arms a timer or queues the call.
    name:
      "every layer: a signal that is not an AbortSignal rejects TypeError, arming nothing; null is no signal",
    run: () =>
      withClock(async (clock) => {
        const echo = serviceFn((n: number) => n);
        const guarded: [string, Service<number, number>][] = [
          ["timeout", timeout<number, number>(50)(echo)],
          ["concurrencyLimit", concurrencyLimit<number, number>(1)(echo)],
          [
            "rateLimit",
            rateLimit<number, number>({ requests: 1, per: 1000 })(echo),
          ],
          ["loadShed", layers.loadShed<number, number>()(echo)],
          ["retry", retry<number, number>({ attempts: 3 })(echo)],
          ["circuitBreaker", circuitBreaker<number, number>({})(echo)],
          ["hedge", hedge<number, number>({ after: 10 })(echo)],
          ["filter", filter<number, number>((n) => n > 0)(echo)],
          [
            "batch",
            batch<number, number, number[]>({
              maxSize: 4,
              maxDelay: 5,
              combine,
            })(
              batchSvc,
            ),
          ],
        ];
        for (const [name, svc] of guarded) {
          for (const signal of [{}, "abort", new AbortController()]) {
            let reply: Promise<number> | undefined;
            assert.doesNotThrow(() => {
              reply = svc.call(1, { signal: wrong(signal) });
            }, `${name}: call() must reject, not throw`);
            const err = await rejected(reply!);
            assert.ok(err instanceof TypeError, `${name}: ${err}`);
            assert.match(err.message, /must be an AbortSignal/, name);
            assert.equal(clock.countTimers(), 0, `${name} armed a timer`);
          }
          const reply = svc.call(2, { signal: wrong(null) });
          await clock.runAllAsync();
          assert.equal(await fulfilled(reply), 2, `${name}: null signal`);
        }
      }),
  },
  {
    // As for fetch(), a null signal is no signal, not a TypeError.
    name: "a null signal means no signal, for send and call",
    async run() {
      const [tx, rx] = channel<number>(1);
      await fulfilled(tx.send(1, { signal: wrong(null) }));
      const waiting = tx.send(2, { signal: wrong(null) }); // full: waits
      assert.equal(await fulfilled(rx.recv()), 1);
      await fulfilled(waiting);
      assert.equal(await fulfilled(rx.recv()), 2);
      tx.close();
      const { client, server } = spawn(svc);
      assert.equal(await fulfilled(client.call(7, { signal: wrong(null) })), 7);
      await fulfilled(server.close());
    },
  },
  {
    // tx.send(value) beside connect(tx): there is no caller to answer, so
    // the value is counted as failed and reported, and the loop goes on.
    name: "a value that is not an envelope is reported, never served",
    async run() {
      const reported: unknown[] = [];
      const onError = (error: unknown) => void reported.push(error);
      {
        const handler = new ControlledService<number, number>();
        const [tx, rx] = channel<Envelope<number, number>>(4);
        const server = serve(rx, handler, { concurrency: 1, onError });
        await fulfilled(tx.send(wrong(42))); // idle server: offered at once
        const client = connect(tx);
        const busy = client.call(1); // occupies the only slot
        // A primitive cannot travel as an envelope: refused at the send.
        const refused = await rejected(tx.send(wrong("queued")));
        assert.ok(refused instanceof TypeError, String(refused));
        assert.match(refused.message, /request envelopes/);
        assert.throws(() => tx.trySend(wrong(7)), TypeError);
        await fulfilled(tx.send(wrong({ req: 3 }))); // queued, drained later
        const after = client.call(2);
        assert.equal(handler.calls.length, 1);
        handler.calls[0].resolve(1);
        assert.equal(await fulfilled(busy), 1);
        await flush();
        assert.equal(handler.calls.length, 2, "only envelopes are served");
        handler.calls[1].resolve(2);
        assert.equal(await fulfilled(after), 2);
        assert.equal(reported.length, 2);
        for (const err of reported) {
          assert.ok(err instanceof TypeError, String(err));
          assert.match(err.message, /connect\(tx\)\.call\(req\)/);
        }
        assert.equal(server.failed, 2);
        assert.equal(server.served, 2);
        await fulfilled(server.close());
      }
    },
  },
];

// ---------------------------------------------------------------------------
// Coverage: the tables against the exports and the validated option names

/** Exports that take no options, and why. */
const NO_OPTIONS: Record<string, string> = {
  Sender: "made by channel(); its constructor takes the channel's internals",
  Receiver: "made by channel(); its constructor takes the channel's internals",
  retryableByDefault: "a predicate over errors, not a factory",
};

/** Runtime and layer sources, scanned for the option names they validate. */
const SOURCES = [
  "../channel.ts",
  "../client.ts",
  "../server.ts",
  "../service.ts",
  ...[...Deno.readDirSync(new URL("../layers/", import.meta.url))]
    .filter((e) => e.isFile && e.name.endsWith(".ts"))
    .map((e) => `../layers/${e.name}`)
    .sort(),
];

/** First string argument of a validator or of `new InvalidOptionError`. */
const VALIDATED =
  /\b(?:positiveInteger|positiveNumber|nonNegativeNumber|timerDelay|optionsObject|optionalFunction|requiredFunction|InvalidOptionError)\(\s*(["`])((?:(?!\1).)+)\1/g;

Deno.test("bad input: every factory and option, and bad use, fail typed", async (t) => {
  for (const group of TABLE) {
    await t.step(`options: ${group.name}`, () => {
      const failures = group.rows.flatMap((row) => {
        const failure = check(row);
        return failure === undefined ? [] : [`${row.what}: ${failure}`];
      });
      if (failures.length > 0) {
        throw new AssertionError({
          message:
            `${failures.length} of ${group.rows.length} rows failed:\n  ${
              failures.join("\n  ")
            }`,
        });
      }
    });
  }

  await t.step("options: the valid baseline", () => {
    for (const [what, call] of Object.entries(VALID)) {
      let result: unknown;
      assert.doesNotThrow(() => {
        result = call();
      }, what);
      dispose(result);
    }
  });

  for (const misuse of MISUSE) {
    await t.step(`bad use: ${misuse.name}`, misuse.run);
  }

  await t.step("coverage: every export with options has rows", () => {
    const subjects = new Set(
      TABLE.flatMap((g) => g.rows.map((r) => r.subject)),
    );
    const exported = { ...runtime, ...layers } as Record<string, unknown>;
    const missing = Object.entries(exported)
      .filter(([name, value]) =>
        typeof value === "function" && !isErrorClass(value) &&
        !(name in NO_OPTIONS) && !subjects.has(name)
      )
      .map(([name]) => name);
    assert.deepEqual(missing, [], "exports without rows in the table");
    const stale = [...subjects, ...Object.keys(NO_OPTIONS)]
      .filter((name) => !(name in exported));
    assert.deepEqual(stale, [], "table names that are not exports");
  });

  await t.step("coverage: every validated option name has rows", async () => {
    const options = [
      ...TABLE.flatMap((g) => g.rows.map((r) => r.option ?? "")),
      ...MISUSE.flatMap((m) => m.options ?? []),
    ];
    const missing: string[] = [];
    for (const source of SOURCES) {
      const text = await Deno.readTextFile(new URL(source, import.meta.url));
      for (const [, , name] of text.matchAll(VALIDATED)) {
        // `balance.services[${i}]` stands for any index.
        const pattern = new RegExp(
          `^${name.split(/\$\{[^}]*\}/).map(escapeRegExp).join("\\d+")}$`,
        );
        if (!options.some((o) => pattern.test(o))) {
          missing.push(`${name} (${source})`);
        }
      }
    }
    assert.deepEqual(missing, [], "validated options without rows");
  });
});

// ---------------------------------------------------------------------------
// Helpers

const NOTHING = Symbol("nothing thrown");

/** Runs one options row; returns what went wrong, or undefined. */
function check(row: Row): string | undefined {
  let thrown: unknown = NOTHING;
  try {
    dispose(row.call());
  } catch (err) {
    thrown = err;
  }
  if (thrown === NOTHING) return "did not throw";
  if (!(thrown instanceof row.error)) {
    return `threw ${String(thrown)}, expected a ${row.error.name}`;
  }
  if (row.message !== undefined && !row.message.test(thrown.message)) {
    return `message ${
      JSON.stringify(thrown.message)
    } does not match ${row.message}`;
  }
  if (row.option === undefined) return undefined;
  const err = thrown as InvalidOptionError;
  if (err.option !== row.option) {
    return `names option ${JSON.stringify(err.option)}, expected ${
      JSON.stringify(row.option)
    }`;
  }
  if (!Object.is(err.value, row.value)) {
    return `carries value ${rendered(err.value)}, expected ${
      rendered(row.value)
    }`;
  }
  // The message names both, as InvalidOptionError promises.
  const named = `${row.option}: ${rendered(row.value)};`;
  if (!err.message.includes(named)) {
    return `message ${JSON.stringify(err.message)} lacks ${
      JSON.stringify(named)
    }`;
  }
  return undefined;
}

/** Stops whatever a row or a baseline call started by mistake or by design. */
function dispose(result: unknown): void {
  if (typeof result !== "object" || result === null) return;
  const server = "server" in result ? result.server : result;
  if (
    typeof server === "object" && server !== null && "abort" in server &&
    typeof server.abort === "function"
  ) {
    server.abort();
  }
}

/** How InvalidOptionError and HandlerError render a value in a message. */
function rendered(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") {
    return `function ${value.name || "(anonymous)"}`;
  }
  if (typeof value !== "object" || value === null) return String(value);
  return JSON.stringify(value);
}

function isErrorClass(value: unknown): boolean {
  return typeof value === "function" && value.prototype instanceof Error;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
