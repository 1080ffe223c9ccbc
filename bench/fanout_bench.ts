/**
 * Fan-out, the microservice shape: one request is handled by a service that
 * calls three downstream services, norpc against the same code calling the
 * downstream handlers directly. Downstream calls run concurrently
 * (`Promise.all`) in one group and one after another in the other. Each
 * iteration handles 256 front-end requests in a row (`×256`).
 */
import { serviceFn, spawn } from "../mod.ts";
import { type Callable, PER_ITERATION, sequential } from "./harness.ts";
import * as peers from "./peers.ts";

const inc = (n: number): Promise<number> => Promise.resolve(n + 1);
const double = (n: number): Promise<number> => Promise.resolve(n * 2);
const dec = (n: number): Promise<number> => Promise.resolve(n - 3);
/** What every front end answers. */
const expected = (n: number) => 4 * n - 2;

type Down = Callable<number, number>;

// Two copies of each front end, so that each one's downstream call sites
// see a single receiver type, as they would in a real service.
function parallelDirect(a: Down, b: Down, c: Down) {
  return async (n: number): Promise<number> => {
    const [x, y, z] = await Promise.all([a.call(n), b.call(n), c.call(n)]);
    return x + y + z;
  };
}
function parallelNorpc(a: Down, b: Down, c: Down) {
  return async (n: number): Promise<number> => {
    const [x, y, z] = await Promise.all([a.call(n), b.call(n), c.call(n)]);
    return x + y + z;
  };
}
function serialDirect(a: Down, b: Down, c: Down) {
  return async (n: number): Promise<number> =>
    (await a.call(n)) + (await b.call(n)) + (await c.call(n));
}
function serialNorpc(a: Down, b: Down, c: Down) {
  return async (n: number): Promise<number> =>
    (await a.call(n)) + (await b.call(n)) + (await c.call(n));
}

const directDown = [peers.direct(inc), peers.direct(double), peers.direct(dec)];
const norpcDown = [inc, double, dec].map((h) => spawn(serviceFn(h)).client);
const [a, b, c] = directDown;
const [x, y, z] = norpcDown;

const groups: [string, [string, Down][]][] = [
  ["fan-out 1→3, parallel", [
    ["direct calls", peers.direct(parallelDirect(a, b, c))],
    ["norpc spawn", spawn(serviceFn(parallelNorpc(x, y, z))).client],
  ]],
  ["fan-out 1→3, sequential", [
    ["direct calls", peers.direct(serialDirect(a, b, c))],
    ["norpc spawn", spawn(serviceFn(serialNorpc(x, y, z))).client],
  ]],
];

for (const [group, cases] of groups) {
  for (const [name, svc] of cases) {
    const res = await svc.call(5);
    if (res !== expected(5)) {
      throw new Error(`${group}, ${name}: expected ${expected(5)}, got ${res}`);
    }
    Deno.bench(`${name} ×${PER_ITERATION}`, {
      group,
      baseline: name === "direct calls",
    }, sequential(svc, 5, PER_ITERATION));
  }
}
