/**
 * Bundles the demo page for the browser (`deno bundle --platform browser`)
 * and serves it on 127.0.0.1. Run it with `deno task example:browser` and
 * open the printed address.
 *
 * @module
 */

/** A running demo server. */
export interface Demo extends AsyncDisposable {
  /** The page's address, e.g. `http://127.0.0.1:40123/`. */
  readonly url: string;
  /** Stops the server and deletes the bundles. */
  close(): Promise<void>;
}

const HERE = new URL("./", import.meta.url);

/** Bundles `entry` (next to this file) into `outDir` for the browser. */
async function bundle(entry: string, outFile: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--output",
      outFile,
      new URL(entry, HERE).pathname,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `deno bundle ${entry} failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/**
 * Bundles the page and its worker and serves them on a free port of
 * 127.0.0.1.
 *
 * @returns The server's address and a way to stop it.
 */
export async function startDemo(): Promise<Demo> {
  const dir = await Deno.makeTempDir({ prefix: "norpc-browser-" });
  try {
    await Promise.all([
      bundle("page.ts", `${dir}/page.js`),
      bundle("shout_worker.ts", `${dir}/shout_worker.js`),
    ]);
    await Deno.copyFile(new URL("index.html", HERE), `${dir}/index.html`);
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const name = path === "/" ? "index.html" : path.slice(1);
      if (!/^[a-z_]+\.(html|js)$/.test(name)) {
        return new Response("not found", { status: 404 });
      }
      try {
        const body = await Deno.readFile(`${dir}/${name}`);
        return new Response(body, {
          headers: { "content-type": TYPES[name.slice(name.lastIndexOf("."))] },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const close = async () => {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

if (import.meta.main) {
  const demo = await startDemo();
  console.log(`norpc browser demo: open ${demo.url} (Ctrl-C to stop)`);
  Deno.addSignalListener("SIGINT", async () => {
    await demo.close();
    Deno.exit(0);
  });
}
