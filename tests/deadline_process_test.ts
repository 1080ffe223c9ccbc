/**
 * The channel's deadline timer in a real process (not fake time): it keeps
 * the process alive exactly while a deadline is pending, and lets it exit
 * soon after, even when the server is never closed.
 */
import assert from "node:assert/strict";
import { serviceFn, spawn, TimeoutError } from "../mod.ts";

Deno.test("deadline in a real process: a call whose only pending work is its deadline gets its TimeoutError, then the process exits by itself", async () => {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      new URL("./fixtures/deadline_only_wait.ts", import.meta.url).pathname,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  const stdout = new TextDecoder().decode(out.stdout).trim();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.match(stdout, /^TimeoutError after \d+ ms$/);
  const waited = Number(/(\d+) ms/.exec(stdout)![1]);
  assert.ok(waited >= 100, `answered after ${waited} ms, before its deadline`);
  // Exits within the timer's linger (a second) plus start-up, not at some
  // far deadline: generous, as the machine may be busy.
  assert.ok(elapsed < 30_000, `the process took ${elapsed} ms to exit`);
});

Deno.test("deadline with real timers: a test awaiting a call whose only pending work is its deadline gets its TimeoutError (the timer holds the event loop)", async () => {
  const { promise: gate, resolve: open } = Promise.withResolvers<number>();
  const { client, server } = spawn(serviceFn((_: number) => gate), {
    name: "Stuck",
  });
  const started = Date.now();
  // Nothing but the channel's deadline timer is pending while this waits: an
  // unref'd timer would let the event loop run dry and fail the test.
  const err = await client.call(1, { deadline: Date.now() + 50 }).then(
    () => undefined,
    (e) => e,
  );
  assert.ok(err instanceof TimeoutError, String(err));
  assert.ok(Date.now() - started >= 50);
  open(0); // the handler settles at last, so the server can close
  await server.close();
});
