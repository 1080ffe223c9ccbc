/**
 * What issue 17 made the generator accept, one behaviour per test: results
 * awaited through the type checker, inputs with only global types,
 * declaration-file inputs, function-typed properties, members left out with
 * a located warning (or refused with `strict`), generic interfaces with
 * defaults, same-file `extends`, overloads, generic and optional methods,
 * the lint header and undoubled names. The corpus tests check such code
 * with `deno check`; the calls here run it.
 */

import assert from "node:assert/strict";
import { generate, type GenerateOptions } from "../../codegen/mod.ts";
import { defaultOutFileName } from "../../codegen/parse.ts";
import { type Service, spawn, UnknownMethodError } from "../../mod.ts";

function code(source: string, options: Partial<GenerateOptions> = {}): string {
  const result = generate(source, { fileName: "svc.ts", ...options });
  assert.deepEqual(result.diagnostics, []);
  return result.code!;
}

/** Generates `source` into a temporary module and imports it. */
async function load(source: string): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir({ prefix: "norpc_support_" });
  try {
    await Deno.writeTextFile(`${dir}/svc.ts`, source);
    const out = `${dir}/svc.gen.ts`;
    await Deno.writeTextFile(out, code(source, { fileName: `${dir}/svc.ts` }));
    return await import(new URL(`file://${out}`).href);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The generated server function `name` of a loaded module. */
function serverOf(
  mod: Record<string, unknown>,
  name: string,
): (impl: object) => Service<unknown, unknown> {
  return mod[name] as (impl: object) => Service<unknown, unknown>;
}

/** An instance of the generated client class `name` of a loaded module. */
function clientOf<T>(
  mod: Record<string, unknown>,
  name: string,
  service: Service<unknown, unknown>,
): T {
  return new (mod[name] as new (s: Service<unknown, unknown>) => T)(service);
}

Deno.test("support: promise-likes not spelled Promise are awaited (Thenable, an alias, globalThis.Promise)", () => {
  const out = code(
    "export interface Thenable<T> extends PromiseLike<T> {}\n" +
      "type Async<T> = Promise<T>;\n" +
      "export type Maybe<T> = T | Thenable<T | undefined>;\n" +
      "export interface Svc {\n" +
      "  a(): Thenable<string>;\n" +
      "  b(): Async<number>;\n" +
      "  c(): globalThis.Promise<boolean>;\n" +
      "  d(): Maybe<string>;\n" +
      "}\n",
  );
  assert.match(out, /\n {2}a: string;\n {2}b: number;\n {2}c: boolean;\n/);
  // An alias whose awaited type is no type argument of it is written Awaited.
  assert.match(out, /\n {2}d: Awaited<Maybe<string>>;\n/);
});

Deno.test("support: a service over global types imports its input for them", () => {
  const out = code(
    "declare global {\n  interface User { id: string }\n}\n" +
      "export interface Users {\n  me(): Promise<User>;\n}\n",
  );
  assert.match(out, /\nimport type \{\} from "\.\/svc\.ts";\n/);
  // Standard globals alone need no import.
  assert.doesNotMatch(
    code("export interface S {\n  now(): Promise<Date>;\n}\n"),
    /import type \{\}/,
  );
});

Deno.test("support: a .d.ts input generates x.gen.ts, not a declaration file", () => {
  assert.equal(defaultOutFileName("dist/index.d.ts"), "dist/index.gen.ts");
  assert.equal(defaultOutFileName("a/x.d.mts"), "a/x.gen.ts");
  assert.equal(defaultOutFileName("a/x.ts"), "a/x.gen.ts");
});

Deno.test("support: function-typed properties are operations", () => {
  const out = code(
    "export type Log = (message: string) => void;\n" +
      "export interface Repo {\n  find: (id: string) => Promise<number>;\n  log: Log;\n}\n",
  );
  assert.match(
    out,
    /find\(id: string, options\?: CallOptions\): Promise<number>/,
  );
  assert.match(
    out,
    /log\(message: string, options\?: CallOptions\): Promise<void>/,
  );
});

Deno.test("support: members that are not operations are left out with a located warning; strict refuses", () => {
  const source = "export interface Channel {\n  readonly name: string;\n" +
    "  send(text: string): void;\n  [key: string]: unknown;\n}\n";
  const lenient = generate(source, { fileName: "svc.ts" });
  assert.match(lenient.code ?? "", /send\(text: string/);
  assert.deepEqual(
    lenient.warnings?.map((w) => [w.code, w.line, w.column]),
    [["property-member", 2, 3], ["index-signature", 4, 3]],
  );
  assert.match(lenient.warnings![0].message, /`name` is a property.*left out/);
  const strict = generate(source, { fileName: "svc.ts", strict: true });
  assert.equal(strict.code, undefined);
  assert.deepEqual(strict.diagnostics.map((d) => d.code), [
    "property-member",
    "index-signature",
  ]);
});

Deno.test("support: a service that cannot be generated beside others is skipped and named", () => {
  const source = "export interface Good {\n  a(): void;\n}\n" +
    "export interface Repo<T> {\n  get(): T;\n}\n";
  const result = generate(source, { fileName: "svc.ts" });
  assert.match(result.code ?? "", /export class GoodClient/);
  assert.doesNotMatch(result.code ?? "", /RepoClient/);
  assert.deepEqual(result.warnings?.map((w) => [w.code, w.line]), [
    ["service-skipped", 4],
  ]);
  assert.match(result.warnings![0].message, /`Repo` is skipped: .*generic/);
  const strict = generate(source, { fileName: "svc.ts", strict: true });
  assert.equal(strict.code, undefined);
  assert.equal(strict.diagnostics[0].code, "generic-interface");
});

Deno.test("support: generic interfaces are instantiated with their defaults; same-file extends with type arguments", () => {
  const out = code(
    "export interface User { id: string }\n" +
      "export interface Repo<T = User, K extends string = string> {\n  get(id: K): Promise<T>;\n}\n" +
      "interface Base<T> {\n  list(): Promise<T[]>;\n}\n" +
      "export interface Users extends Base<User> {\n  count(): number;\n}\n",
  );
  assert.match(out, /\n {2}get: User;\n/);
  assert.match(out, /get\(id: string, options\?: CallOptions\): Promise<User>/);
  assert.match(out, /\n {2}list: User\[\];\n {2}count: number;\n/);
});

Deno.test("support: objects type aliases and ambient interfaces are services", () => {
  assert.match(
    code("export type Mailer = {\n  send(to: string): Promise<void>;\n};\n"),
    /export class MailerClient/,
  );
  assert.match(
    code("declare interface Jobs {\n  add(id: string): void;\n}\n"),
    /export class JobsClient/,
  );
});

Deno.test("support: interfaces inside a namespace are refused with the workaround", () => {
  const result = generate(
    "export namespace Api {\n  export interface Users {\n    get(): string;\n  }\n}\n",
    { fileName: "svc.ts" },
  );
  assert.equal(result.code, undefined);
  assert.deepEqual(
    [result.diagnostics[0].code, result.diagnostics[0].line],
    ["namespaced-interface", 2],
  );
  assert.match(
    result.diagnostics[0].hint,
    /move the interface out of the namespace/,
  );
});

Deno.test("support: a rest parameter travels as the request's last elements; the handler gets an array", async () => {
  const mod = await load(
    "export interface Log {\n  log(message: string, ...data: unknown[]): number;\n}\n",
  );
  const seen: unknown[] = [];
  const { client, server } = spawn(
    serverOf(mod, "logServer")({
      log(message: string, data: unknown[], options: object) {
        seen.push(message, data, typeof options);
        return data.length;
      },
    }),
  );
  try {
    const log = clientOf<{
      log(message: string, ...data: unknown[]): Promise<number>;
    }>(mod, "LogClient", client);
    assert.equal(await log.log("m", 1, "two"), 2);
    assert.deepEqual(seen, ["m", [1, "two"], "object"]);
  } finally {
    await server.close();
  }
});

Deno.test("support: a rest parameter whose type is not an array leaves its method out (strict refuses)", () => {
  const source =
    "export interface Log {\n  log<T extends unknown[]>(...data: T): void;\n  flush(): void;\n}\n";
  const result = generate(source, { fileName: "svc.ts" });
  assert.doesNotMatch(result.code ?? "", /log\(/);
  assert.match(result.code ?? "", /flush\(/);
  assert.equal(result.warnings?.[0].code, "rest-parameter");
  assert.match(result.warnings![0].hint, /`\.\.\.data: X\[\]`/);
  assert.equal(
    generate(source, { fileName: "svc.ts", strict: true }).diagnostics[0].code,
    "rest-parameter",
  );
});

Deno.test("support: overloads keep their signatures; the handler gets every position, the options last", async () => {
  const mod = await load(
    "export interface Memento {\n" +
      "  get<T>(key: string): T | undefined;\n" +
      "  get<T>(key: string, defaultValue: T): T;\n" +
      "}\n",
  );
  const seen: unknown[][] = [];
  const { client, server } = spawn(
    serverOf(mod, "mementoServer")({
      get(
        key: string,
        defaultValue: unknown,
        options: { signal?: AbortSignal },
      ) {
        seen.push([key, defaultValue, options.signal instanceof AbortSignal]);
        return defaultValue ?? "stored";
      },
    }),
  );
  try {
    const memento = clientOf<{
      get(
        key: string,
        d?: unknown,
        o?: { signal?: AbortSignal },
      ): Promise<unknown>;
    }>(mod, "MementoClient", client);
    assert.equal(await memento.get("a"), "stored");
    assert.equal(await memento.get("b", 7), 7);
    const aborted = AbortSignal.abort(new Error("stop"));
    await assert.rejects(
      memento.get("c", undefined, { signal: aborted }),
      /stop/,
    );
    assert.deepEqual(seen.slice(0, 2), [["a", undefined, true], [
      "b",
      7,
      true,
    ]]);
  } finally {
    await server.close();
  }
});

Deno.test("support: an optional method a handler leaves out rejects with a typed error naming it", async () => {
  const mod = await load(
    "export interface Provider {\n  read(): string;\n  copy?(from: string): void;\n}\n",
  );
  const { client, server } = spawn(
    serverOf(mod, "providerServer")({ read: () => "r" }),
  );
  try {
    const provider = clientOf<{
      read(): Promise<string>;
      copy(from: string): Promise<void>;
    }>(mod, "ProviderClient", client);
    assert.equal(await provider.read(), "r");
    const error = await provider.copy("a").then(
      () => assert.fail("copy should reject"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UnknownMethodError);
    assert.equal(error.method, "copy");
    assert.match(error.message, /Provider\.copy is not implemented/);
  } finally {
    await server.close();
  }
});

Deno.test("support: a generic method keeps its type parameters on the client", () => {
  const out = code(
    "export interface Cache {\n  get<T extends object>(key: string): Promise<T | undefined>;\n}\n",
  );
  assert.match(
    out,
    /get<T extends object>\(\n?\s*key: string,\n?\s*options\?: CallOptions,?\n?\s*\): Promise<T \| undefined>/,
  );
  assert.match(out, /\n {2}get: object \| undefined;\n/);
});

Deno.test("support: generated files carry a lint-ignore header; no doubled Client suffix", () => {
  const out = code(
    "export interface HeroServiceClient {\n  find(id: number): Promise<string>;\n}\n",
  );
  assert.match(
    out,
    /^\/\/ Code generated by norpc\. DO NOT EDIT\.\n\/\/ Source: \.\/svc\.ts\n\/\/ deno-lint-ignore-file\n/,
  );
  assert.match(out, /export class HeroServiceClient \{/);
  assert.match(out, /export function heroServiceServer\(/);
  assert.doesNotMatch(out, /ClientClient/);
});

Deno.test("support: an input type named like generated code is imported under an alias", () => {
  const out = code(
    'import type { CallOptions } from "nice-grpc-common";\n' +
      "export interface Service {\n  id: string;\n}\n" +
      "export interface Health {\n  check(s: Service, o?: CallOptions): Promise<void>;\n}\n",
  );
  assert.match(
    out,
    /import type \{ CallOptions as CallOptions_ \} from "nice-grpc-common";/,
  );
  assert.match(
    out,
    /import type \{ Service as Service_ \} from "\.\/svc\.ts";/,
  );
  assert.match(out, /check\(\n?\s*s: Service_,\n?\s*o\?: CallOptions_,/);
  // A type imported from the runtime itself keeps its name.
  assert.doesNotMatch(
    code(
      'import type { CallOptions } from "@norpc/norpc";\n' +
        "export interface S {\n  f(o: CallOptions): void;\n}\n",
    ),
    /CallOptions_/,
  );
});

Deno.test("support: typeArguments instantiate a generic service; too many are reported", () => {
  const source = "export interface User {\n  id: string;\n}\n" +
    "export interface Repo<T, K = string> {\n  get(id: K): Promise<T>;\n}\n";
  const out = code(source, { typeArguments: { Repo: "User, number" } });
  assert.match(out, /get\(id: number, options\?: CallOptions\): Promise<User>/);
  assert.match(out, /import type \{ User \} from "\.\/svc\.ts";/);
  const tooMany = generate(source, {
    fileName: "svc.ts",
    typeArguments: { Repo: "User, number, boolean" },
  });
  assert.equal(tooMany.diagnostics[0].code, "type-arguments");
  const broken = generate(source, {
    fileName: "svc.ts",
    typeArguments: { Repo: "User]; evil" },
  });
  assert.equal(broken.diagnostics[0].code, "type-arguments");
});

Deno.test("support: cyclic extends is read once, not forever", () => {
  const result = generate(
    "interface A extends B {\n  a(): void;\n}\ninterface B extends A {\n  b(): void;\n}\n" +
      "export interface C extends A {}\n",
    { fileName: "svc.ts" },
  );
  assert.deepEqual(result.diagnostics, []);
  assert.match(result.code ?? "", /\n {2}b: void;\n {2}a: void;\n/);
});

Deno.test("support: members inherited from another file are left out with a warning; nothing left refuses", () => {
  const source = 'import type { Emitter } from "./emitter.ts";\n' +
    "export interface Media extends Emitter, EventTarget {\n  devices(): Promise<string[]>;\n}\n";
  const result = generate(source, { fileName: "svc.ts" });
  assert.match(result.code ?? "", /devices\(options\?: CallOptions\)/);
  assert.deepEqual(result.warnings?.map((w) => [w.code, w.line]), [
    ["extends", 2],
    ["extends", 2],
  ]);
  assert.match(result.warnings![0].message, /comes from "\.\/emitter\.ts"/);
  const empty = generate(
    'import type { Emitter } from "./emitter.ts";\nexport interface Only extends Emitter {\n  x(): void;\n}\nexport interface Bare extends Emitter {}\n',
    { fileName: "svc.ts", interfaces: ["Bare"] },
  );
  assert.equal(empty.code, undefined);
  assert.equal(empty.diagnostics[0].code, "extends");
});
