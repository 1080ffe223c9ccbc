/**
 * The definition of done, literally: a new user writes `service.ts`
 * with one interface in an empty directory, runs the generator, implements
 * the handler and calls it through the client with full type inference.
 */

import assert from "node:assert/strict";
import { deno, REPO } from "./_helpers.ts";

Deno.test("new user: interface → gen → implement → call, from an empty directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "norpc_new_user_" });
  try {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        imports: { "@norpc/norpc": new URL("mod.ts", REPO).href },
      }),
    );
    await Deno.writeTextFile(
      `${dir}/service.ts`,
      `/** A to-do list. */
export interface Todos {
  /** Adds an item; returns its id. */
  add(title: string, tags?: string[]): number;
  /** Lists the items. */
  list(): Promise<{ id: number; title: string; tags: string[] }[]>;
}
`,
    );

    const gen = await deno([
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      new URL("codegen/main.ts", REPO).pathname,
      "service.ts",
    ], dir);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stdout, /wrote 1 file \(service\.gen\.ts\)/);

    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { spawn } from "@norpc/norpc";
import { TodosClient, type TodosHandler, todosServer } from "./service.gen.ts";

class TodoList implements TodosHandler {
  #items: { id: number; title: string; tags: string[] }[] = [];
  add(title: string, tags: string[] | undefined): number {
    const id = this.#items.length + 1;
    this.#items.push({ id, title, tags: tags ?? [] });
    return id;
  }
  list() {
    return Promise.resolve(this.#items);
  }
}

const { client, server } = spawn(todosServer(new TodoList()));
const todos = new TodosClient(client);
const id: number = await todos.add("write docs", ["docs"]);
await todos.add("ship");
const items = await todos.list();
const titles: string[] = items.map((item) => item.title);
console.log(JSON.stringify({ id, titles, tags: items[0].tags }));
await server.close();
`,
    );
    // A type error must be caught, so the check below proves inference works.
    await Deno.writeTextFile(
      `${dir}/wrong.ts`,
      `import { TodosClient } from "./service.gen.ts";
declare const todos: TodosClient;
const title: string = await todos.add("x");
console.log(title);
`,
    );

    const check = await deno(["check", "main.ts"], dir);
    assert.equal(check.code, 0, check.stderr);
    const wrong = await deno(["check", "wrong.ts"], dir);
    assert.notEqual(wrong.code, 0, "a number result must not type as string");
    assert.match(wrong.stderr, /TS2322/);

    const run = await deno(["run", "main.ts"], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      id: 1,
      titles: ["write docs", "ship"],
      tags: ["docs"],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
