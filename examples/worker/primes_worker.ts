/// <reference lib="deno.worker" />
/**
 * The worker module: serves the same generated server, around the same
 * handler, to the parent that spawned it.
 *
 * @module
 */

import { serveWorker } from "@norpc/norpc/worker";
import { primesServer } from "./primes.gen.ts";
import { PrimeSieve } from "./sieve.ts";

serveWorker(primesServer(new PrimeSieve()));
