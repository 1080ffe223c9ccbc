/**
 * Helpers shared by the bench files: monomorphic bench bodies and response
 * checks run before timing.
 *
 * @module
 */

/** Anything with a `call(req)` returning a promise: a norpc client or a peer. */
export interface Callable<Req, Res> {
  call(req: Req): Promise<Res>;
}

/**
 * Compiles a fresh copy of `factory` so the closure it returns has its own
 * inline caches. A bench body registered for ten cases from one function
 * literal would share one call site for `svc.call`, which turns megamorphic
 * and slows every case, the direct-call floor included. A fresh copy per
 * case keeps each `svc.call` monomorphic, as it is in a user's program.
 *
 * `factory` must not use variables from its surrounding scope: only its
 * parameters.
 *
 * @param factory A function whose source is recompiled.
 * @returns An independent copy of `factory`.
 */
export function fresh<F extends (...args: never[]) => unknown>(factory: F): F {
  return new Function(`return (${factory.toString()});`)() as F;
}

/**
 * Requests per bench iteration in the round-trip groups. Running many per
 * iteration keeps `deno bench`'s own per-iteration cost (tens of ns, the
 * size of a direct call) out of the per-request figures, so it does not
 * inflate the floor and flatter every ratio. A case named `… ×N` runs N
 * requests per iteration; the report divides its times by N.
 */
export const PER_ITERATION = 256;

/**
 * A bench body awaiting `count` calls one after another (concurrency 1).
 *
 * @param svc The service.
 * @param req The request sent on every call.
 * @param count Calls per iteration.
 * @returns The bench function.
 */
export function sequential<Req, Res>(
  svc: Callable<Req, Res>,
  req: Req,
  count: number,
): () => Promise<void> {
  return fresh((svc: Callable<Req, Res>, req: Req, count: number) => {
    if (count === 1) {
      return async () => {
        await svc.call(req);
      };
    }
    return async () => {
      for (let i = 0; i < count; i++) await svc.call(req);
    };
  })(svc, req, count);
}

/**
 * A bench body issuing `size` concurrent calls and then awaiting them all,
 * `rounds` times.
 *
 * @param svc The service.
 * @param size Requests per batch.
 * @param rounds Batches per iteration.
 * @returns The bench function.
 */
export function batch(
  svc: Callable<number, number>,
  size: number,
  rounds: number,
): () => Promise<void> {
  return fresh(
    (svc: Callable<number, number>, size: number, rounds: number) => {
      const pending: Promise<number>[] = new Array(size);
      return async () => {
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < size; i++) pending[i] = svc.call(i);
          for (let i = 0; i < size; i++) await pending[i];
        }
      };
    },
  )(svc, size, rounds);
}

/**
 * Checks that `svc` echoes numbers, one at a time and in a batch of 256.
 *
 * @param name Case name, for the error message.
 * @param svc The service.
 * @throws {Error} on a wrong response.
 */
export async function verifyEcho(
  name: string,
  svc: Callable<number, number>,
): Promise<void> {
  const one = await svc.call(7);
  if (one !== 7) throw new Error(`${name}: expected 7, got ${one}`);
  const many = await Promise.all(
    Array.from({ length: 256 }, (_, i) => svc.call(i)),
  );
  many.forEach((res, i) => {
    if (res !== i) throw new Error(`${name}: expected ${i}, got ${res}`);
  });
}
