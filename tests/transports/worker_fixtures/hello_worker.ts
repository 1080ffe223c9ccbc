/// <reference lib="deno.worker" />
import { serveWorker } from "@norpc/norpc/worker";
import { helloWorldServer } from "../../../examples/hello_world/hello_world.gen.ts";

serveWorker(helloWorldServer({ hello: (s) => `Hello, ${s}!` }));
