/**
 * Starts a throwaway `nats-server` on 127.0.0.1 and a free port, for the
 * example: in production you run NATS yourself and only `connect()` to it.
 *
 * @module
 */

/** A running nats-server started by {@linkcode startNatsServer}. */
export interface LocalNatsServer extends AsyncDisposable {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
}

/**
 * Starts `nats-server -a 127.0.0.1 -p -1` (a free port) and waits for the
 * ports file it writes once it accepts connections.
 *
 * @returns The server; dispose it to stop it.
 * @throws {Error} when nats-server is not installed, saying how to get it.
 */
export async function startNatsServer(): Promise<LocalNatsServer> {
  const dir = await Deno.makeTempDir({ prefix: "shop-nats-" });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("nats-server", {
      args: [
        "-a",
        "127.0.0.1",
        "-p",
        "-1",
        "--ports_file_dir",
        dir,
        "-l",
        `${dir}/nats.log`,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch (err) {
    await Deno.remove(dir, { recursive: true });
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        "nats-server not found: install it with `apt-get install -y nats-server` (or see https://docs.nats.io)",
      );
    }
    throw err;
  }
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  };
  const portsFile = `${dir}/nats-server_${child.pid}.ports`;
  for (let waited = 0; waited < 10_000; waited += 10) {
    try {
      const url = JSON.parse(await Deno.readTextFile(portsFile)).nats?.[0];
      if (typeof url === "string") return { url, [Symbol.asyncDispose]: stop };
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await stop();
  throw new Error("nats-server did not start within 10 s");
}
