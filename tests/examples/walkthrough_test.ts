/** The walkthrough example: two services, layers, an abort, a graceful close. */

import assert from "node:assert/strict";
import { assertGeneratedFresh, runExample } from "./_helpers.ts";

Deno.test("walkthrough: main.ts prints each step's outcome and exits 0", async () => {
  assert.equal(
    await runExample("examples/walkthrough/main.ts"),
    [
      "deposit: 100",
      "deposit: 120",
      "balance: 120",
      "statement: took too long",
      "bob: 5 then 12",
      "after close: ChannelClosedError",
      "audit: ada +100, ada +20, bob +5, bob +7",
      "statements stopped early: 1",
      "",
    ].join("\n"),
  );
});

Deno.test("walkthrough: services.gen.ts is what the generator writes", async () => {
  await assertGeneratedFresh("examples/walkthrough", "services");
});
