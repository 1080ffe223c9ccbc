/**
 * Test helper: starts a private `nats-server` on a random loopback port and
 * stops it. Tests register through {@linkcode natsTest}, which runs them when
 * `nats-server` is installed; without it they are left out and ONE line
 * says what to install — unless `NORPC_REQUIRE_NATS=1` (set by `.ci/run`),
 * when a missing server is a failing test, so CI never skips silently.
 *
 * @module
 */

/** The install hint printed (once per test run) when nats-server is missing. */
export const INSTALL_HINT =
  "nats-server not found: the NATS transport tests are skipped; install it with `apt-get install -y nats-server` (or see https://docs.nats.io/running-a-nats-service/introduction/installation)";

/** The absolute path of `nats-server` on `PATH`, if there is one. */
export const NATS_SERVER_PATH: string | undefined = findOnPath("nats-server");

function findOnPath(command: string): string | undefined {
  const path = Deno.env.get("PATH") ?? "";
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    const candidate = `${dir}/${command}`;
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const required = Deno.env.get("NORPC_REQUIRE_NATS") === "1";

/**
 * Registers a test that needs a running nats-server. With no nats-server
 * installed it is not registered (one line says what to install), unless
 * CI requires it, where it fails instead.
 *
 * @param name The test's name.
 * @param fn The test body.
 */
export function natsTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  if (NATS_SERVER_PATH !== undefined) {
    Deno.test(name, fn);
    return;
  }
  if (required) {
    Deno.test(name, () => {
      throw new Error(`NORPC_REQUIRE_NATS=1 but ${INSTALL_HINT}`);
    });
    return;
  }
  // Test files run in parallel workers of one process: the environment is
  // shared, so the hint prints once per run, not once per file.
  if (Deno.env.get("NORPC_NATS_HINT_PRINTED") !== "1") {
    Deno.env.set("NORPC_NATS_HINT_PRINTED", "1");
    console.log(INSTALL_HINT);
  }
}

/** A running nats-server owned by a test. */
export interface NatsServer extends AsyncDisposable {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stops it (SIGTERM) and waits for the process to end. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL) and waits for the process to end. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after stop or kill). */
  restart(): Promise<void>;
  /**
   * Sends SIGTERM and removes its directory without waiting: for an
   * `unload` listener (benches have no async teardown).
   */
  stopSync(): void;
}

/**
 * Starts a nats-server on 127.0.0.1 and a free port, and resolves once it
 * accepts connections (it writes its ports file then).
 *
 * @returns The running server.
 */
export async function startNatsServer(): Promise<NatsServer> {
  if (NATS_SERVER_PATH === undefined) throw new Error(INSTALL_HINT);
  const dir = await Deno.makeTempDir({ prefix: "norpc-nats-" });
  let child = await launch(dir, -1);
  const url = await readUrl(dir, child);
  const port = Number(new URL(url).port);
  let running = true;
  const end = async (signal: Deno.Signal) => {
    if (!running) return;
    running = false;
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
    await child.status;
  };
  return {
    url,
    port,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
    async restart() {
      await end("SIGTERM");
      child = await launch(dir, port);
      await readUrl(dir, child);
      running = true;
    },
    stopSync() {
      running = false;
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      Deno.removeSync(dir, { recursive: true });
    },
    async [Symbol.asyncDispose]() {
      await end("SIGTERM");
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function launch(dir: string, port: number): Promise<Deno.ChildProcess> {
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.name.endsWith(".ports")) {
      await Deno.remove(`${dir}/${entry.name}`);
    }
  }
  return new Deno.Command(NATS_SERVER_PATH!, {
    args: [
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "--ports_file_dir",
      dir,
      "-l",
      `${dir}/nats.log`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** Waits for `DIR/nats-server_<pid>.ports` and reads the client URL from it. */
async function readUrl(dir: string, child: Deno.ChildProcess): Promise<string> {
  const file = `${dir}/nats-server_${child.pid}.ports`;
  const started = Date.now();
  while (Date.now() - started < 10_000) {
    try {
      const ports = JSON.parse(await Deno.readTextFile(file));
      const url = ports?.nats?.[0];
      if (typeof url === "string") return url;
    } catch {
      // not written yet (or half written)
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill("SIGKILL");
  await child.status;
  let log = "";
  try {
    log = await Deno.readTextFile(`${dir}/nats.log`);
  } catch {
    // no log
  }
  throw new Error(`nats-server did not start within 10 s; its log:\n${log}`);
}
