/**
 * Hello world with generated code: implement the handler, `spawn` it as an
 * in-process service, call it through the typed client.
 *
 * Run it with `deno task example` (or `deno run examples/hello_world/main.ts`).
 *
 * @module
 */

import { spawn } from "@norpc/norpc";
import {
  HelloWorldClient,
  type HelloWorldHandler,
  helloWorldServer,
} from "./hello_world.gen.ts";

/** The implementation: a plain class that implements the generated handler. */
export class HelloWorldApp implements HelloWorldHandler {
  hello(s: string): string {
    return `Hello, ${s}!`;
  }
}

/** Spawns the service, calls it once and shuts it down; returns the greeting. */
export async function run(): Promise<string> {
  const { client, server } = spawn(helloWorldServer(new HelloWorldApp()));
  try {
    const hello = new HelloWorldClient(client);
    return await hello.hello("world");
  } finally {
    await server.close();
  }
}

if (import.meta.main) {
  console.log(await run());
}
