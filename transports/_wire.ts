/**
 * Internal (not an entry point): the one codec every norpc transport shares.
 * It turns what crosses a process or thread boundary — errors, abort
 * reasons, the call context — into plain data that survives both
 * `structuredClone` and `JSON.stringify`, and back; and it validates every
 * incoming message, turning malformed input into a typed
 * {@linkcode MalformedMessageError} instead of a raw throw.
 *
 * Why plain data rather than cloning errors directly: structured clone keeps
 * only `name`, `message`, `stack` and `cause` of built-in errors and turns a
 * `TimeoutError` into a bare `Error`, and JSON keeps nothing at all. Here
 * every `NorpcError` subclass comes back as itself with its fields.
 *
 * @module
 */

import {
  BadRequestError,
  type CallOptions,
  ChannelClosedError,
  CircuitOpenError,
  HandlerError,
  InvalidOptionError,
  NorpcError,
  OverloadedError,
  TimeoutError,
  UnknownMethodError,
} from "../mod.ts";

/** How many `cause` links (and nested `errors`) an encoded error keeps. */
export const MAX_ERROR_DEPTH = 8;
/** How many entries of an `AggregateError`'s `errors` are kept. */
const MAX_AGGREGATE = 16;
/** How many extra own fields of an error are kept. */
const MAX_FIELDS = 32;
/** How deep a plain value (a field, a thrown value) may nest in JSON mode. */
const MAX_VALUE_DEPTH = 16;
/** How many nodes a plain value may have in JSON mode. */
const MAX_VALUE_NODES = 1024;

/**
 * A message off a transport was not what the protocol allows (wrong shape,
 * wrong field types, an unknown kind). The transport rejects the call it
 * belongs to with it, or drops the message when it names no call; it never
 * crashes the peer.
 */
export class MalformedMessageError extends NorpcError {
  /** What was wrong, e.g. `"call.id: expected a non-negative integer"`. */
  readonly problem: string;

  /**
   * Creates the error.
   *
   * @param problem What was wrong with the message.
   * @param where Which transport or peer sent it, for the message.
   */
  constructor(problem: string, where = "the transport") {
    super(
      `malformed message from ${where}: ${problem}; both sides must run the same norpc version`,
    );
    this.problem = problem;
  }
}

/** The kinds of error an encoded error rebuilds. */
export type WireErrorKind = "norpc" | "error" | "dom" | "value";

/**
 * An error (or any thrown value or abort reason) as plain data.
 *
 * - `norpc`: a `NorpcError`; `type` is its runtime class (`TimeoutError`…),
 *   `fields` its own fields (`timeoutMs`, `value`…).
 * - `error`: any other `Error`; `type` is the nearest built-in constructor
 *   (`TypeError`, `AggregateError`, else `Error`), `name` its own name.
 * - `dom`: a `DOMException` such as an abort's `AbortError`/`TimeoutError`.
 * - `value`: a thrown non-`Error` value; `lost` describes it when it could
 *   not be carried.
 *
 * In `"json"` mode numbers follow JSON: `-0` arrives as `0`.
 */
export interface WireError {
  /** What to rebuild. */
  readonly kind: WireErrorKind;
  /** The class to rebuild (`norpc`, `error`). */
  readonly type?: string;
  /** The error's `name`. */
  readonly name?: string;
  /** The error's `message`. */
  readonly message?: string;
  /** The error's `stack`, from the side that raised it. */
  readonly stack?: string;
  /** The error's `cause`, when it had one. */
  readonly cause?: WireError;
  /** An `AggregateError`'s `errors`. */
  readonly errors?: readonly WireError[];
  /** Own enumerable fields with plain values (`code`, `timeoutMs`…). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The thrown value (`value` kind). */
  readonly value?: unknown;
  /** What the value was, when it could not be carried (`value` kind). */
  readonly lost?: string;
}

/**
 * How values inside errors are carried: `"json"` keeps only JSON data (what
 * a network transport can send), `"clone"` anything `structuredClone`
 * accepts (a Worker's `postMessage`).
 */
export type ValueMode = "json" | "clone";

/** Options of {@linkcode encodeError}. */
export interface EncodeOptions {
  /** How values are carried; default `"json"`. */
  readonly values?: ValueMode;
}

const BUILTIN_ERRORS: readonly (readonly [string, ErrorConstructor])[] = [
  ["AggregateError", AggregateError as unknown as ErrorConstructor],
  ["TypeError", TypeError],
  ["RangeError", RangeError],
  ["SyntaxError", SyntaxError],
  ["ReferenceError", ReferenceError],
  ["EvalError", EvalError],
  ["URIError", URIError],
];

/**
 * Encodes what a handler threw for the caller: an `Error` as itself, any
 * other value as a `HandlerError` whose cause is that value (as the
 * in-process client does). Never throws.
 *
 * @param thrown What was thrown.
 * @param options How values are carried.
 * @returns The error as plain data.
 */
export function encodeError(
  thrown: unknown,
  options?: EncodeOptions,
): WireError {
  const mode = options?.values ?? "json";
  if (!isErrorLike(thrown)) {
    return encodeAny(new HandlerError(thrown), mode, 0);
  }
  return encodeAny(thrown, mode, 0);
}

/**
 * Encodes an abort reason (or any value) as it is: an `Error` or
 * `DOMException` as such, any other value as a value. Never throws.
 *
 * @param reason The value.
 * @param options How values are carried.
 * @returns The value as plain data.
 */
export function encodeReason(
  reason: unknown,
  options?: EncodeOptions,
): WireError {
  return encodeAny(reason, options?.values ?? "json", 0);
}

function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true;
  if (typeof DOMException === "function" && value instanceof DOMException) {
    return true;
  }
  try {
    return typeof value === "object" && value !== null &&
      Object.prototype.toString.call(value) === "[object Error]";
  } catch {
    return false; // a revoked Proxy
  }
}

function encodeAny(value: unknown, mode: ValueMode, depth: number): WireError {
  try {
    if (!isErrorLike(value)) return encodeValue(value, mode);
    if (typeof DOMException === "function" && value instanceof DOMException) {
      return {
        kind: "dom",
        name: safeString(value.name, "Error"),
        message: safeString(value.message, ""),
        ...stackOf(value),
      };
    }
    const error = value as Error;
    const norpc = error instanceof NorpcError ? norpcType(error) : undefined;
    const type = norpc ?? builtinType(error);
    const wire: {
      kind: WireErrorKind;
      type: string;
      name: string;
      message: string;
      stack?: string;
      cause?: WireError;
      errors?: WireError[];
      fields?: Record<string, unknown>;
    } = {
      kind: norpc === undefined ? "error" : "norpc",
      type,
      name: safeString(error.name, type),
      message: safeString(error.message, ""),
      ...stackOf(error),
    };
    if (depth < MAX_ERROR_DEPTH) {
      if (Object.hasOwn(error, "cause")) {
        wire.cause = encodeAny(error.cause, mode, depth + 1);
      }
      if (type === "AggregateError") {
        const errors = (error as AggregateError).errors;
        if (Array.isArray(errors)) {
          wire.errors = errors.slice(0, MAX_AGGREGATE).map((e) =>
            encodeAny(e, mode, depth + 1)
          );
        }
      }
    }
    const fields = fieldsOf(error, mode);
    if (fields !== undefined) wire.fields = fields;
    return wire;
  } catch (err) {
    // A getter threw, or a Proxy: say so rather than lose the call.
    return {
      kind: "error",
      type: "Error",
      name: "Error",
      message: `norpc could not encode the error: ${describeSafely(err)}`,
    };
  }
}

function encodeValue(value: unknown, mode: ValueMode): WireError {
  if (value === undefined) return { kind: "value" };
  const plain = toPlain(value, mode);
  return plain.ok
    ? { kind: "value", value: plain.value }
    : { kind: "value", lost: describeSafely(value) };
}

function norpcType(error: NorpcError): string {
  // Most specific first; string constants survive minifying bundlers.
  if (error instanceof MalformedMessageError) return "MalformedMessageError";
  if (error instanceof ChannelClosedError) return "ChannelClosedError";
  if (error instanceof TimeoutError) return "TimeoutError";
  if (error instanceof OverloadedError) return "OverloadedError";
  if (error instanceof CircuitOpenError) return "CircuitOpenError";
  if (error instanceof UnknownMethodError) return "UnknownMethodError";
  if (error instanceof BadRequestError) return "BadRequestError";
  if (error instanceof InvalidOptionError) return "InvalidOptionError";
  if (error instanceof HandlerError) return "HandlerError";
  return "NorpcError";
}

function builtinType(error: Error): string {
  for (const [name, ctor] of BUILTIN_ERRORS) {
    if (error instanceof ctor) return name;
  }
  return "Error";
}

function stackOf(error: Error): { stack?: string } {
  try {
    const stack = error.stack;
    return typeof stack === "string" ? { stack } : {};
  } catch {
    return {};
  }
}

const SKIPPED_FIELDS = new Set(["name", "message", "stack", "cause", "errors"]);

function fieldsOf(
  error: Error,
  mode: ValueMode,
): Record<string, unknown> | undefined {
  let fields: Record<string, unknown> | undefined;
  let count = 0;
  for (const key of Object.keys(error)) {
    if (SKIPPED_FIELDS.has(key)) continue;
    if (++count > MAX_FIELDS) break;
    let value: unknown;
    try {
      value = (error as unknown as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (value === undefined) continue;
    const plain = toPlain(value, mode);
    if (!plain.ok) continue; // e.g. ChannelClosedError.value is a function
    fields ??= {};
    Object.defineProperty(fields, key, {
      value: plain.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return fields;
}

type Plain = { ok: true; value: unknown } | { ok: false };

/** The value if it can cross in `mode`, else not ok. Never throws. */
function toPlain(value: unknown, mode: ValueMode): Plain {
  if (mode === "clone") {
    try {
      structuredClone(value);
      return { ok: true, value };
    } catch {
      return { ok: false };
    }
  }
  const budget = { nodes: MAX_VALUE_NODES };
  try {
    return isJsonData(value, 0, budget, new Set())
      ? { ok: true, value }
      : { ok: false };
  } catch {
    return { ok: false };
  }
}

function isJsonData(
  value: unknown,
  depth: number,
  budget: { nodes: number },
  seen: Set<object>,
): boolean {
  if (--budget.nodes < 0 || depth > MAX_VALUE_DEPTH) return false;
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (seen.has(value)) return false; // a cycle
      seen.add(value);
      let ok: boolean;
      if (Array.isArray(value)) {
        ok = value.every((item, i) =>
          i in value && item !== undefined &&
          isJsonData(item, depth + 1, budget, seen)
        );
      } else {
        const proto = Object.getPrototypeOf(value);
        ok = (proto === Object.prototype || proto === null) &&
          Object.values(value).every((item) =>
            item !== undefined && isJsonData(item, depth + 1, budget, seen)
          );
      }
      seen.delete(value);
      return ok;
    }
    default:
      return false;
  }
}

/**
 * Rebuilds an error (or value) encoded by {@linkcode encodeError} or
 * {@linkcode encodeReason}: `NorpcError` subclasses as themselves with their
 * fields, built-in errors as their constructor with the original name,
 * `DOMException`s as `DOMException`s. Call {@linkcode checkWireError} first
 * on data from outside; this never throws on checked data.
 *
 * @param wire The encoded error.
 * @returns The error or value.
 */
export function decodeError(wire: WireError): unknown {
  switch (wire.kind) {
    case "value":
      return wire.lost ?? wire.value;
    case "dom":
      return makeDomException(wire.message ?? "", wire.name ?? "Error", wire);
    case "norpc":
      return decorate(makeNorpc(wire), wire);
    default:
      return decorate(makeBuiltin(wire), wire);
  }
}

function makeDomException(
  message: string,
  name: string,
  wire: WireError,
): unknown {
  const error = new DOMException(message, name);
  if (wire.stack !== undefined) defineHidden(error, "stack", wire.stack);
  return error;
}

function causeOf(wire: WireError): ErrorOptions | undefined {
  return wire.cause === undefined
    ? undefined
    : { cause: decodeError(wire.cause) };
}

function makeNorpc(wire: WireError): Error {
  const f = wire.fields ?? {};
  const message = wire.message ?? "";
  const options = causeOf(wire);
  switch (wire.type) {
    case "ChannelClosedError":
      return new ChannelClosedError(message, f.value, options);
    case "TimeoutError":
      return new TimeoutError(
        f.timeoutMs as number,
        f.elapsedMs as number,
        f.method as string | undefined,
        options,
      );
    case "OverloadedError":
      return new OverloadedError(message, options);
    case "CircuitOpenError":
      return new CircuitOpenError(f.retryAfterMs as number, options);
    case "UnknownMethodError":
      return withCause(new UnknownMethodError(f.method as string), options);
    case "BadRequestError":
      return withCause(new BadRequestError(f.request), options);
    case "InvalidOptionError":
      return new InvalidOptionError(f.option as string, f.value, "");
    case "HandlerError": {
      const error = new HandlerError(options?.cause);
      if (options === undefined) delete (error as { cause?: unknown }).cause;
      return error;
    }
    case "MalformedMessageError":
      return withCause(
        new MalformedMessageError(f.problem as string),
        options,
      );
    default:
      return new NorpcError(message, options);
  }
}

function makeBuiltin(wire: WireError): Error {
  const message = wire.message ?? "";
  const options = causeOf(wire);
  if (wire.type === "AggregateError") {
    return new AggregateError(
      (wire.errors ?? []).map(decodeError),
      message,
      options,
    );
  }
  const ctor = BUILTIN_ERRORS.find(([name]) => name === wire.type)?.[1] ??
    Error;
  return new ctor(message, options);
}

function withCause(error: Error, options: ErrorOptions | undefined): Error {
  if (options !== undefined) defineHidden(error, "cause", options.cause);
  return error;
}

/** Restores the sender's name, message, stack and extra fields. */
function decorate(error: Error, wire: WireError): Error {
  if (wire.name !== undefined && error.name !== wire.name) {
    // NorpcError sets name as an own field; built-ins inherit it.
    if (Object.hasOwn(error, "name")) error.name = wire.name;
    else defineHidden(error, "name", wire.name);
  }
  if (wire.message !== undefined) defineHidden(error, "message", wire.message);
  if (wire.stack !== undefined) defineHidden(error, "stack", wire.stack);
  for (const [key, value] of Object.entries(wire.fields ?? {})) {
    if (SKIPPED_FIELDS.has(key)) continue;
    Object.defineProperty(error, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return error;
}

function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

/** Fields of the known classes and the type each must have. */
const NORPC_FIELDS: Readonly<
  Record<string, Readonly<Record<string, "number" | "string" | "string?">>>
> = {
  NorpcError: {},
  ChannelClosedError: {},
  TimeoutError: { timeoutMs: "number", elapsedMs: "number", method: "string?" },
  OverloadedError: {},
  CircuitOpenError: { retryAfterMs: "number" },
  UnknownMethodError: { method: "string" },
  InvalidOptionError: { option: "string" },
  HandlerError: {},
  MalformedMessageError: { problem: "string" },
};

/**
 * Checks that `data` is a well-formed {@linkcode WireError}. Never throws.
 *
 * @param data Data off a transport.
 * @param path Where in the message it is, for the problem text.
 * @returns The problem, or `undefined` when it is well formed.
 */
export function checkWireError(
  data: unknown,
  path = "error",
  depth = 0,
): string | undefined {
  if (depth > MAX_ERROR_DEPTH + 1) return `${path}: nested too deeply`;
  if (!isRecord(data)) return `${path}: expected an object`;
  const kind = data.kind;
  if (
    kind !== "norpc" && kind !== "error" && kind !== "dom" && kind !== "value"
  ) {
    return `${path}.kind: expected "norpc", "error", "dom" or "value"`;
  }
  for (const key of ["type", "name", "message", "stack", "lost"] as const) {
    if (data[key] !== undefined && typeof data[key] !== "string") {
      return `${path}.${key}: expected a string`;
    }
  }
  if (kind === "value") return undefined;
  if (kind === "dom") {
    if (typeof data.name !== "string") return `${path}.name: expected a string`;
    return undefined;
  }
  if (data.fields !== undefined && !isRecord(data.fields)) {
    return `${path}.fields: expected an object`;
  }
  if (kind === "norpc") {
    const expected = NORPC_FIELDS[data.type as string];
    if (
      expected === undefined ||
      !Object.hasOwn(NORPC_FIELDS, data.type as string)
    ) {
      return `${path}.type: unknown norpc error ${describeSafely(data.type)}`;
    }
    const fields = (data.fields ?? {}) as Record<string, unknown>;
    for (const [key, type] of Object.entries(expected)) {
      const value = fields[key];
      const ok = type === "number"
        ? typeof value === "number"
        : type === "string"
        ? typeof value === "string"
        : value === undefined || typeof value === "string";
      if (!ok) {
        return `${path}.fields.${key}: expected a ${type.replace("?", "")}`;
      }
    }
  }
  if (data.cause !== undefined) {
    const problem = checkWireError(data.cause, `${path}.cause`, depth + 1);
    if (problem !== undefined) return problem;
  }
  if (data.errors !== undefined) {
    if (!Array.isArray(data.errors) || data.errors.length > MAX_AGGREGATE) {
      return `${path}.errors: expected an array of at most ${MAX_AGGREGATE}`;
    }
    for (let i = 0; i < data.errors.length; i++) {
      const problem = checkWireError(
        data.errors[i],
        `${path}.errors[${i}]`,
        depth + 1,
      );
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/**
 * The call context as it crosses: the deadline as the time REMAINING (so
 * the two sides' clocks need not agree), the metadata as a string map.
 */
export interface WireContext {
  /** Milliseconds left until the deadline when the call was sent. */
  readonly remainingMs?: number;
  /** The call's metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The context a handler sees, rebuilt on the receiving side. */
export interface DecodedContext {
  /** The absolute deadline on the receiver's `Date.now()` clock. */
  deadline?: number;
  /** The call's metadata. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Encodes a call's `deadline` and `metadata`.
 *
 * @param options The call's options.
 * @param now The sender's `Date.now()`.
 * @returns The context as plain data, or `undefined` when there is none.
 * @throws {InvalidOptionError} when `deadline` is not a number or `metadata`
 * is not an object of string values.
 */
export function encodeContext(
  options: CallOptions | undefined,
  now: number = Date.now(),
): WireContext | undefined {
  const deadline = options?.deadline;
  const metadata = options?.metadata;
  if (deadline === undefined && metadata === undefined) return undefined;
  const wire: { remainingMs?: number; metadata?: Record<string, string> } = {};
  if (deadline !== undefined) {
    if (typeof deadline !== "number" || Number.isNaN(deadline)) {
      throw new InvalidOptionError(
        "deadline",
        deadline,
        "absolute milliseconds on the Date.now() clock",
      );
    }
    // Infinity means no deadline; JSON has no Infinity.
    if (deadline !== Infinity) wire.remainingMs = Math.max(0, deadline - now);
  }
  if (metadata !== undefined) {
    const problem = checkMetadata(metadata, "metadata");
    if (problem !== undefined) {
      throw new InvalidOptionError(
        problem.option,
        problem.value,
        "a plain object whose values are strings",
      );
    }
    wire.metadata = { ...metadata };
  }
  return wire;
}

function checkMetadata(
  metadata: unknown,
  path: string,
): { option: string; value: unknown } | undefined {
  if (!isRecord(metadata)) return { option: path, value: metadata };
  for (const key of Object.keys(metadata)) {
    if (typeof metadata[key] !== "string") {
      return { option: `${path}.${key}`, value: metadata[key] };
    }
  }
  return undefined;
}

/**
 * Rebuilds the context on the receiving side: the deadline becomes absolute
 * again on this side's clock. Never throws.
 *
 * @param data The encoded context (`undefined` means none).
 * @param now The receiver's `Date.now()`.
 * @param path Where in the message it is, for the problem text.
 * @returns The context, or a typed error for malformed data.
 */
export function decodeContext(
  data: unknown,
  now: number = Date.now(),
  path = "context",
): DecodedContext | MalformedMessageError {
  if (data === undefined) return {};
  if (!isRecord(data)) {
    return new MalformedMessageError(`${path}: expected an object`);
  }
  const context: DecodedContext = {};
  const remaining = data.remainingMs;
  if (remaining !== undefined) {
    if (
      typeof remaining !== "number" || !Number.isFinite(remaining) ||
      remaining < 0
    ) {
      return new MalformedMessageError(
        `${path}.remainingMs: expected a finite number >= 0`,
      );
    }
    context.deadline = now + remaining;
  }
  if (data.metadata !== undefined) {
    const problem = checkMetadata(data.metadata, `${path}.metadata`);
    if (problem !== undefined) {
      return new MalformedMessageError(
        `${problem.option}: expected a string map`,
      );
    }
    context.metadata = data.metadata as Record<string, string>;
  }
  return context;
}

/** A request: call `req` as call number `id`. */
export interface CallMessage {
  /** Kind. */
  readonly t: "call";
  /** The call's number, unique among the sender's pending calls. */
  readonly id: number;
  /** The request. */
  readonly req: unknown;
  /** The call context. */
  readonly ctx?: WireContext;
}

/** The caller gave up on call `id` (abort or deadline). */
export interface CancelMessage {
  /** Kind. */
  readonly t: "cancel";
  /** The call's number. */
  readonly id: number;
  /** The abort reason. */
  readonly reason?: WireError;
}

/** Call `id` succeeded. */
export interface OkMessage {
  /** Kind. */
  readonly t: "ok";
  /** The call's number. */
  readonly id: number;
  /** The response. */
  readonly res: unknown;
}

/** Call `id` failed. */
export interface ErrMessage {
  /** Kind. */
  readonly t: "err";
  /** The call's number. */
  readonly id: number;
  /** The error. */
  readonly error: WireError;
}

/** Every message of the call protocol. */
export type WireMessage = CallMessage | CancelMessage | OkMessage | ErrMessage;

/**
 * Validates a message off a transport. Never throws.
 *
 * @param data What arrived.
 * @param where Which transport or peer sent it, for the error message.
 * @returns The message, or a typed error naming the problem (its `id`,
 * when the message had a valid one, is on the error's `callId` field so
 * the transport can fail that call).
 */
export function parseMessage(
  data: unknown,
  where?: string,
): WireMessage | MalformedMessageError {
  const problem = checkMessage(data);
  if (problem === undefined) return data as WireMessage;
  const error = new MalformedMessageError(problem, where);
  if (isRecord(data) && isCallId(data.id)) {
    Object.defineProperty(error, "callId", {
      value: data.id,
      enumerable: true,
    });
  }
  return error;
}

/** The call number a malformed message named, if it named a valid one. */
export function callIdOf(error: MalformedMessageError): number | undefined {
  const id = (error as { callId?: unknown }).callId;
  return isCallId(id) ? id : undefined;
}

function checkMessage(data: unknown): string | undefined {
  if (!isRecord(data)) return "expected an object";
  const t = data.t;
  if (t !== "call" && t !== "cancel" && t !== "ok" && t !== "err") {
    return `t: expected "call", "cancel", "ok" or "err", got ${
      describeSafely(t)
    }`;
  }
  if (!isCallId(data.id)) return `${t}.id: expected a non-negative integer`;
  switch (t) {
    case "call": {
      if (data.ctx === undefined) return undefined;
      const context = decodeContext(data.ctx, 0, "call.ctx");
      return context instanceof MalformedMessageError
        ? context.problem
        : undefined;
    }
    case "cancel":
      return data.reason === undefined
        ? undefined
        : checkWireError(data.reason, "cancel.reason");
    case "err":
      return checkWireError(data.error, "err.error");
    default:
      return undefined;
  }
}

function isCallId(id: unknown): id is number {
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function safeString(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function describeSafely(value: unknown): string {
  try {
    if (typeof value === "function") {
      return `function ${value.name || "(anonymous)"}`;
    }
    if (typeof value === "symbol") return value.toString();
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "string") return JSON.stringify(value);
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (typeof value === "object" && value !== null) {
      return Object.prototype.toString.call(value);
    }
    return String(value);
  } catch {
    return "an unprintable value";
  }
}
