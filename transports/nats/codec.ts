/**
 * The codec seam of the NATS transport: how requests and responses become
 * bytes. Errors and the call context do not go through it (they use the
 * shared wire format), so a codec only ever sees your own values.
 *
 * @module
 */

/**
 * Turns requests and responses into bytes and back. Both sides of a subject
 * must use the same codec. `encode` may throw (the call then fails with a
 * `PayloadError`); `decode` may throw on bytes it does not accept (the call
 * fails with a `MalformedMessageError`, and a responder never crashes).
 *
 * @example A codec that keeps `Date`s
 * ```ts
 * import type { Codec } from "@norpc/norpc/nats";
 * import assert from "node:assert/strict";
 *
 * const dates: Codec = {
 *   encode: (value) =>
 *     new TextEncoder().encode(JSON.stringify(value, function (key, v) {
 *       const raw = this[key];
 *       return raw instanceof Date ? { $date: raw.toISOString() } : v;
 *     })),
 *   decode: (bytes) =>
 *     JSON.parse(new TextDecoder().decode(bytes), (_key, v) =>
 *       v !== null && typeof v === "object" && typeof v.$date === "string"
 *         ? new Date(v.$date)
 *         : v),
 * };
 * const when = new Date(0);
 * assert.deepEqual(dates.decode(dates.encode({ when })), { when });
 * ```
 */
export interface Codec {
  /**
   * Encodes a value.
   *
   * @param value A request or response.
   * @returns Its bytes.
   */
  encode(value: unknown): Uint8Array;
  /**
   * Decodes bytes made by `encode`.
   *
   * @param bytes What arrived.
   * @returns The value.
   */
  decode(bytes: Uint8Array): unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const EMPTY = new Uint8Array(0);

/**
 * The default codec: UTF-8 JSON. `undefined` (a `void` method's result, a
 * missing request) travels as zero bytes. Its limits are JSON's: inside a
 * value `undefined` properties vanish and `undefined` array items become
 * `null`; `NaN` and `±Infinity` become `null`, `-0` becomes `0`; a `Date`
 * arrives as its ISO string; `Map`, `Set` and class instances arrive as
 * plain objects (their own enumerable fields only); a `BigInt` or a cycle
 * cannot be encoded (the call fails with a `PayloadError`). Pass a custom
 * {@linkcode Codec} to both `serveNats` and `natsClient` for more.
 *
 * @example
 * ```ts
 * import { jsonCodec } from "@norpc/norpc/nats";
 * import assert from "node:assert/strict";
 *
 * const req = { method: "hello", args: ["world"] };
 * assert.deepEqual(jsonCodec.decode(jsonCodec.encode(req)), req);
 * assert.equal(jsonCodec.decode(jsonCodec.encode(undefined)), undefined);
 * ```
 */
export const jsonCodec: Codec = Object.freeze({
  encode(value: unknown): Uint8Array {
    if (value === undefined) return EMPTY;
    const text = JSON.stringify(value);
    // A function or symbol at the top level stringifies to undefined.
    if (text === undefined) {
      throw new TypeError(`${typeof value} is not JSON data`);
    }
    return encoder.encode(text);
  },
  decode(bytes: Uint8Array): unknown {
    if (bytes.length === 0) return undefined;
    return JSON.parse(decoder.decode(bytes));
  },
});
