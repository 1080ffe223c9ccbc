/** The hello-world example: generated code, run in-process and as a program. */

import assert from "node:assert/strict";
import { HelloWorldApp, run } from "../../examples/hello_world/main.ts";
import { assertGeneratedFresh, runExample } from "./_helpers.ts";

Deno.test("hello_world: run() greets the world through the generated client", async () => {
  assert.equal(await run(), "Hello, world!");
  assert.equal(new HelloWorldApp().hello("you"), "Hello, you!");
});

Deno.test("hello_world: main.ts prints the greeting and exits 0", async () => {
  assert.equal(
    await runExample("examples/hello_world/main.ts"),
    "Hello, world!\n",
  );
});

Deno.test("hello_world: hello_world.gen.ts is what the generator writes", async () => {
  await assertGeneratedFresh("examples/hello_world", "hello_world");
});
