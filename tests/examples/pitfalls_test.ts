/** The actor-pitfalls example: each pitfall shows, then its fix works. */

import assert from "node:assert/strict";
import { assertGeneratedFresh, runExample } from "./_helpers.ts";

Deno.test("pitfalls: main.ts shows each pitfall and its fix", async () => {
  assert.equal(
    await runExample("examples/pitfalls/main.ts"),
    [
      "1. loadShed in the server: 5 answered, 0 shed",
      "   loadShed in the client: 3 answered, 2 shed",
      "   norpc warned: actor deadlock: a handler of Counter called Counter itself",
      "2. an actor calling itself: TimeoutError",
      "   doing the work in place: count 1",
      "3. options after an optional parameter: Hello, ada!",
      "   options bound with with(): Hello, ada!",
      "",
    ].join("\n"),
  );
});

Deno.test("pitfalls: pitfalls.gen.ts is what the generator writes", async () => {
  await assertGeneratedFresh("examples/pitfalls", "pitfalls");
});
