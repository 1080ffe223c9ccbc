/** The hello-world example: generated code, run in-process and as a program. */

import assert from "node:assert/strict";
import { HelloWorldApp, run } from "../../examples/hello_world/main.ts";
import { generate } from "../../codegen/mod.ts";

Deno.test("hello_world: run() greets the world through the generated client", async () => {
  assert.equal(await run(), "Hello, world!");
  assert.equal(new HelloWorldApp().hello("you"), "Hello, you!");
});

Deno.test("hello_world: main.ts prints the greeting and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      new URL("../../examples/hello_world/main.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(new TextDecoder().decode(out.stdout), "Hello, world!\n");
});

Deno.test("hello_world: hello_world.gen.ts is what the generator writes", async () => {
  const dir = new URL("../../examples/hello_world/", import.meta.url);
  const result = generate(
    await Deno.readTextFile(new URL("hello_world.ts", dir)),
    { fileName: "examples/hello_world/hello_world.ts" },
  );
  assert.deepEqual(result.diagnostics, []);
  assert.equal(
    result.code,
    await Deno.readTextFile(new URL("hello_world.gen.ts", dir)),
    "hello_world.gen.ts is stale: run `deno task gen`",
  );
});
