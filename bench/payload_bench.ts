/**
 * Payload size: norpc moves the request and the response by reference, so
 * its round trip costs the same for a 10k-element array or a 1 MB object as
 * for a number. A `MessageChannel` structured-clones both ways, so its time
 * grows with the payload. The handler echoes its request. A case named
 * `… ×256` makes 256 calls per iteration; the report divides by 256.
 */
import { serviceFn, spawn } from "../mod.ts";
import { type Callable, PER_ITERATION, sequential } from "./harness.ts";
import * as peers from "./peers.ts";

/** A 10,000-element array of numbers. */
const array: number[] = Array.from({ length: 10_000 }, (_, i) => i);

interface Row {
  id: number;
  name: string;
  tags: string[];
}
/** An object of about 1 MB as JSON: 8,000 rows of ~130 bytes. */
const object: { rows: Row[] } = {
  rows: Array.from({ length: 8_000 }, (_, i) => ({
    id: i,
    name: `row ${i}`.padEnd(80, "."),
    tags: ["alpha", "beta", String(i)],
  })),
};
const objectBytes = JSON.stringify(object).length;
if (objectBytes < 1_000_000 || objectBytes > 1_100_000) {
  throw new Error(`the 1 MB payload is ${objectBytes} bytes of JSON`);
}

/** Echoes its request. */
const echo = <T>(req: T): Promise<T> => Promise.resolve(req);

async function verify<T>(
  name: string,
  svc: Callable<T, T>,
  payload: T,
  byReference: boolean,
): Promise<void> {
  const res = await svc.call(payload);
  const ok = byReference
    ? res === payload
    : res !== payload && JSON.stringify(res) === JSON.stringify(payload);
  if (!ok) {
    throw new Error(
      `${name}: wrong response (expected ${
        byReference ? "the same object" : "an equal copy"
      })`,
    );
  }
}

const payloads = [
  ["payload 10k-element array", array],
  ["payload 1 MB object", object],
] as const;

for (const [group, payload] of payloads) {
  // [name, service, moves by reference, calls per iteration]: a structured
  // clone takes milliseconds, so it runs once per iteration.
  const cases: [
    string,
    Callable<typeof payload, typeof payload>,
    boolean,
    number,
  ][] = [
    ["direct call", peers.direct(echo), true, PER_ITERATION],
    [
      "norpc spawn",
      spawn(serviceFn(echo<typeof payload>)).client,
      true,
      PER_ITERATION,
    ],
    ["MessageChannel, same thread", peers.messageChannel(echo), false, 1],
  ];
  for (const [name, svc, byReference, count] of cases) {
    await verify(name, svc, payload, byReference);
    Deno.bench(count === 1 ? name : `${name} ×${count}`, {
      group,
      baseline: name === "direct call",
    }, sequential(svc, payload, count));
  }
}
