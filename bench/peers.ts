/**
 * What a TypeScript user would pick instead of norpc, each set up as an
 * in-process request/reply service around the same handler, so the bench
 * files can time them side by side. Peer libraries are pinned inline.
 *
 * Every peer is a {@linkcode Peer}: `call(req)` returns the response, and
 * `close()` releases what keeps the event loop alive (ports, fibers).
 *
 * @module
 */
// Pinned inline until deno.json maps them (then: bare "birpc", "comlink",
// "effect" specifiers and no lint exemptions).
import { createBirpc } from "birpc";
import * as Comlink from "comlink";
import { Deferred, Effect, Fiber, Queue } from "effect";

/** A request/reply service as the bench files see it. */
export interface Peer<Req, Res> {
  call(req: Req): Promise<Res>;
  close(): void;
}

/** The handler every peer wraps: an async function of the request. */
export type Handler<Req, Res> = (req: Req) => Promise<Res>;

/**
 * The floor: the handler called directly, `await handler(req)`.
 *
 * @param handler The handler.
 * @returns A peer calling it with no transport at all.
 */
export function direct<Req, Res>(handler: Handler<Req, Res>): Peer<Req, Res> {
  return { call: handler, close() {} };
}

/**
 * A naive channel: an array the client pushes `{req, resolve, reject}` onto
 * and a server drains in a microtask. The simplest queue one would write by
 * hand; a reference point, with no bound, no abort and no close semantics.
 *
 * @param handler The handler.
 * @returns The peer.
 */
export function naiveQueue<Req, Res>(
  handler: Handler<Req, Res>,
): Peer<Req, Res> {
  interface Job {
    req: Req;
    resolve: (res: Res) => void;
    reject: (err: unknown) => void;
  }
  const queue: Job[] = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    while (queue.length > 0) {
      const job = queue.shift()!;
      handler(job.req).then(job.resolve, job.reject);
    }
  };
  return {
    call(req) {
      return new Promise<Res>((resolve, reject) => {
        queue.push({ req, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(drain);
        }
      });
    },
    close() {},
  };
}

/**
 * Requests written to a Web Streams `TransformStream`; a server loop reads
 * them and answers each through its resolver.
 *
 * @param handler The handler.
 * @returns The peer.
 */
export function webStreams<Req, Res>(
  handler: Handler<Req, Res>,
): Peer<Req, Res> {
  interface Job {
    req: Req;
    resolve: (res: Res) => void;
    reject: (err: unknown) => void;
  }
  const { readable, writable } = new TransformStream<Job, Job>(
    undefined,
    { highWaterMark: 1024 },
    { highWaterMark: 1024 },
  );
  const writer = writable.getWriter();
  const reader = readable.getReader();
  (async () => {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      handler(value.req).then(value.resolve, value.reject);
    }
  })();
  return {
    call(req) {
      return new Promise<Res>((resolve, reject) => {
        writer.write({ req, resolve, reject }).catch(reject);
      });
    },
    close() {
      writer.close().catch(() => {});
    },
  };
}

/**
 * Request/reply over a same-thread `MessageChannel`: every request and
 * response is structured-cloned, as it would be to a Worker.
 *
 * @param handler The handler.
 * @returns The peer.
 */
export function messageChannel<Req, Res>(
  handler: Handler<Req, Res>,
): Peer<Req, Res> {
  const { port1: server, port2: client } = new MessageChannel();
  server.onmessage = (e: MessageEvent<{ id: number; req: Req }>) => {
    const { id, req } = e.data;
    handler(req).then((res) => server.postMessage({ id, res }));
  };
  const pending = new Map<number, (res: Res) => void>();
  client.onmessage = (e: MessageEvent<{ id: number; res: Res }>) => {
    const resolve = pending.get(e.data.id)!;
    pending.delete(e.data.id);
    resolve(e.data.res);
  };
  let nextId = 0;
  return {
    call(req) {
      const id = nextId++;
      return new Promise<Res>((resolve) => {
        pending.set(id, resolve);
        client.postMessage({ id, req });
      });
    },
    close() {
      server.close();
      client.close();
    },
  };
}

/**
 * birpc over an in-memory pair of endpoints with identity serialization
 * (birpc's default), so only birpc's own protocol is measured.
 *
 * @param handler The handler.
 * @param timeout birpc's per-call timeout in ms (it arms a timer per call);
 * a negative number disables it.
 * @returns The peer.
 */
export function birpc<Req, Res>(
  handler: Handler<Req, Res>,
  timeout: number,
): Peer<Req, Res> {
  // deno-lint-ignore no-explicit-any
  type Listener = (data: any) => void;
  let toServer: Listener = () => {};
  let toClient: Listener = () => {};
  createBirpc<Record<string, never>, { call: Handler<Req, Res> }>(
    { call: handler },
    {
      post: (data) => toClient(data),
      on: (fn) => {
        toServer = fn;
      },
      timeout,
    },
  );
  const rpc = createBirpc<{ call: Handler<Req, Res> }, Record<string, never>>(
    {},
    {
      post: (data) => toServer(data),
      on: (fn) => {
        toClient = fn;
      },
      timeout,
    },
  );
  return {
    call: (req) => rpc.call(req),
    close: () => rpc.$close(),
  };
}

/**
 * comlink: the handler exposed on one port of a `MessageChannel`, called
 * through `Comlink.wrap` on the other.
 *
 * @param handler The handler.
 * @returns The peer.
 */
export function comlink<Req, Res>(
  handler: Handler<Req, Res>,
): Peer<Req, Res> {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose({ call: handler }, port1);
  // comlink's types rewrite `Req` (proxy-or-clone); the values are plain.
  const remote = Comlink.wrap<{ call: (req: unknown) => Promise<Res> }>(port2);
  return {
    call: (req) => remote.call(req) as Promise<Res>,
    close() {
      remote[Comlink.releaseProxy]();
      port1.close();
      port2.close();
    },
  };
}

/**
 * An Effect service: a `Queue` of `[request, Deferred]` pairs served by a
 * fiber; each call offers its pair and awaits the `Deferred`.
 *
 * @param handler The handler.
 * @returns The peer.
 */
export function effect<Req, Res>(
  handler: Handler<Req, Res>,
): Peer<Req, Res> {
  type Job = readonly [Req, Deferred.Deferred<Res>];
  const queue = Effect.runSync(Queue.unbounded<Job>());
  const server = Effect.runFork(
    Effect.forever(
      Effect.gen(function* () {
        const [req, reply] = yield* Queue.take(queue);
        const res = yield* Effect.promise(() => handler(req));
        yield* Deferred.succeed(reply, res);
      }),
    ),
  );
  const call = (req: Req) =>
    Effect.gen(function* () {
      const reply = yield* Deferred.make<Res>();
      yield* Queue.offer(queue, [req, reply] as const);
      return yield* Deferred.await(reply);
    });
  return {
    call: (req) => Effect.runPromise(call(req)),
    close() {
      Effect.runFork(Fiber.interrupt(server));
    },
  };
}
