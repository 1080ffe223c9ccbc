/// <reference lib="deno.worker" />
// A worker module that fails while loading, before it could serve.
throw new Error("broken on load");
