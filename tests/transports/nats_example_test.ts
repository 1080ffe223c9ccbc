import assert from "node:assert/strict";
import { natsTest } from "./_nats_server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function run(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...args],
    cwd: ROOT,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr) + text);
  return text;
}

/** The output from the first order on: what both shops must print alike. */
function fromFirstOrder(output: string): string {
  const start = output.indexOf("== three orders, three outcomes ==");
  assert.ok(start > 0, output);
  return output.slice(start);
}

natsTest(
  "examples/shop_nats: the shop over NATS prints what the in-process shop prints",
  async () => {
    const [inProcess, overNats] = await Promise.all([
      run(["examples/shop/main.ts"]),
      run([
        "--allow-read",
        "--allow-run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-write",
        "examples/shop_nats/main.ts",
      ]),
    ]);
    assert.match(overNats, /inventory and payments in their own processes/);
    assert.equal(fromFirstOrder(overNats), fromFirstOrder(inProcess));
  },
);
