/**
 * Load test of the NATS transport against a real nats-server: 10,000 calls
 * over two responder PROCESSES in a queue group, one killed with SIGKILL
 * half-way and restarted. Run once without retry (every call gets exactly
 * one outcome: its response, or a typed error within its deadline) and once
 * with `retry` on the idempotent echo (every call succeeds).
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { type Service, ServiceBuilder, TimeoutError } from "@norpc/norpc";
import { retry } from "@norpc/norpc/layers";
import {
  natsClient,
  NatsUnavailableError,
  retryableOverNats,
} from "@norpc/norpc/nats";
import { natsTest, startNatsServer } from "./_nats_server.ts";

const FIXTURE = new URL("./nats_fixtures/echo_responder.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);
const CALLS = 10_000;
const IN_FLIGHT = 256;
const DEADLINE_MS = 5_000;
const SUBJECT = "load.echo";

interface Counters {
  served: number;
  failed: number;
  cancelled: number;
  rejected: number;
  inFlight: number;
  queued: number;
}

/** A responder process running the echo fixture. */
class Responder {
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  readonly #ready = Promise.withResolvers<void>();
  readonly #output: Promise<void>;
  pid = 0;

  constructor(url: string) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        FIXTURE.pathname,
        url,
        SUBJECT,
        "echo",
      ],
      cwd: ROOT.pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#output = this.#read();
  }

  async #read(): Promise<void> {
    let buffered = "";
    for await (
      const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        this.#lines.push(line);
        if (line.startsWith("ready ")) {
          this.pid = Number(line.slice(6));
          this.#ready.resolve();
        }
      }
    }
    this.#ready.reject(new Error("responder exited before it was ready"));
  }

  ready(): Promise<void> {
    return this.#ready.promise;
  }

  async kill(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already ended
    }
    await this.#child.status;
    await this.#output;
  }

  /** Graceful stop; resolves to the counters it printed. */
  async stop(): Promise<Counters> {
    this.#child.kill("SIGTERM");
    const status = await this.#child.status;
    await this.#output;
    assert.equal(status.code, 0, `responder ${this.pid} exited ${status.code}`);
    return JSON.parse(this.#lines[this.#lines.length - 1]);
  }
}

async function startResponder(url: string): Promise<Responder> {
  const responder = new Responder(url);
  await responder.ready();
  return responder;
}

interface Run {
  ok: number;
  errors: Map<string, number>;
  answeredBy: Map<number, number>;
}

/**
 * Makes CALLS calls, IN_FLIGHT at a time; at the half-way call, `halfway`
 * runs (kills a responder and starts another, without waiting).
 */
async function run(
  client: Service<number, { n: number; by: number }>,
  halfway: () => Promise<void>,
): Promise<{ result: Run; restarted: Promise<void> }> {
  const result: Run = { ok: 0, errors: new Map(), answeredBy: new Map() };
  const settled = new Uint8Array(CALLS);
  let restarted: Promise<void> = Promise.resolve();
  let next = 0;
  const worker = async () => {
    while (next < CALLS) {
      const i = next++;
      if (i === CALLS / 2) restarted = halfway();
      const started = Date.now();
      const deadline = started + DEADLINE_MS;
      try {
        const res = await client.call(i, { deadline });
        settled[i]++;
        assert.equal(res.n, i);
        result.ok++;
        result.answeredBy.set(res.by, (result.answeredBy.get(res.by) ?? 0) + 1);
      } catch (error) {
        settled[i]++;
        const elapsed = Date.now() - started;
        assert.ok(
          error instanceof NatsUnavailableError ||
            error instanceof TimeoutError,
          `call ${i}: untyped error ${error}`,
        );
        // Typed, and within its deadline (plus timer slack on a busy box).
        assert.ok(elapsed <= DEADLINE_MS + 500, `call ${i} took ${elapsed} ms`);
        const key = error instanceof NatsUnavailableError
          ? error.code
          : error.name;
        result.errors.set(key, (result.errors.get(key) ?? 0) + 1);
      }
    }
  };
  // Nothing may hang: every call has a 5 s deadline, so the whole run
  // ends well within a minute or the test fails here, naming the stragglers.
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    watchdog = setTimeout(() => {
      const pending = [...settled.keys()].filter((i) =>
        i < next && settled[i] === 0
      );
      reject(
        new Error(`calls still pending after 60 s: ${pending.slice(0, 20)}`),
      );
    }, 60_000);
  });
  try {
    await Promise.race([
      Promise.all(Array.from({ length: IN_FLIGHT }, worker)),
      hung,
    ]);
  } finally {
    clearTimeout(watchdog);
  }
  // Exactly one outcome per call.
  assert.ok(settled.every((count) => count === 1));
  return { result, restarted };
}

natsTest(
  "nats load: 10,000 calls over two responder processes, one SIGKILLed half-way and restarted",
  async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    let a = await startResponder(server.url);
    let b = await startResponder(server.url);
    const killedPids: number[] = [];
    const graceful: Responder[] = [];
    try {
      // Without retry: each call gets its response or a typed error in time.
      const plain = natsClient<number, { n: number; by: number }>(
        nc,
        SUBJECT,
        { probeAfter: 200 },
      );
      const first = await run(plain, async () => {
        killedPids.push(a.pid);
        await a.kill();
        a = await startResponder(server.url);
      });
      await first.restarted;
      const lost = [...first.result.errors.values()].reduce((x, y) => x + y, 0);
      assert.equal(first.result.ok + lost, CALLS);

      // With retry on the idempotent echo: every call succeeds.
      const retried = new ServiceBuilder<number, { n: number; by: number }>()
        .layer(retry({ attempts: 5, base: 5, retryIf: retryableOverNats }))
        .service(plain);
      const second = await run(retried, async () => {
        killedPids.push(b.pid);
        await b.kill();
        b = await startResponder(server.url);
      });
      await second.restarted;
      assert.equal(
        second.result.ok,
        CALLS,
        `errors: ${[...second.result.errors]}`,
      );

      // The counters add up: the live responders answered every call the
      // caller saw them answer, ran nothing they did not finish, failed none.
      graceful.push(a, b);
      for (const responder of graceful) {
        const pid = responder.pid;
        const counters = await responder.stop();
        const answered = (first.result.answeredBy.get(pid) ?? 0) +
          (second.result.answeredBy.get(pid) ?? 0);
        assert.equal(counters.inFlight + counters.queued, 0);
        assert.equal(counters.failed + counters.rejected, 0);
        assert.ok(
          counters.served >= answered &&
            counters.served - answered <= lost + CALLS / 100,
          `responder ${pid}: served ${counters.served}, caller saw ${answered}`,
        );
      }
      const totalAnswered = [first, second].flatMap((
        { result },
      ) => [...result.answeredBy.values()]).reduce((x, y) => x + y, 0);
      assert.equal(totalAnswered, first.result.ok + second.result.ok);
      // Both killed processes had answered some calls before they died.
      for (const pid of killedPids) {
        assert.ok(
          (first.result.answeredBy.get(pid) ?? 0) +
              (second.result.answeredBy.get(pid) ?? 0) > 0,
        );
      }
    } finally {
      await nc.close();
      for (const responder of [a, b]) {
        if (!graceful.includes(responder)) await responder.kill();
      }
    }
  },
);
