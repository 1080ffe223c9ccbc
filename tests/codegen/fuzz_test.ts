/**
 * Property-based fuzzing of the library API `generate(source, options)`.
 *
 * Random interface sources come in three kinds: valid services (random
 * names, including ones that are keywords elsewhere, random parameter and
 * result types, random JSDoc), services made invalid in a known way (one
 * unsupported member or shape per bad line, so the line a diagnostic must
 * point at is known), and mangled or plain garbage text. The properties:
 *
 * 1. `generate` never throws; it returns code or diagnostics, never both;
 *    every diagnostic is located inside the input and formats as
 *    `file:line:col: error: message` plus a hint line.
 * 2. A valid input gives code and no diagnostics, and a batch of the
 *    generated files (with their inputs) passes one real `deno check`.
 * 3. An input made invalid in a known way gets a diagnostic of the expected
 *    kind on each bad line (and, for member problems, nowhere else).
 *
 * Seeds are fixed so CI sees the same inputs every run; set NORPC_FUZZ_SEED
 * to explore others locally (a failure prints the seed and the shrunk input).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Diagnostic,
  formatDiagnostic,
  generate,
  type GenerateOptions,
} from "../../codegen/mod.ts";
import { deno, REPO } from "./_helpers.ts";
import { serviceNames } from "../../codegen/emit.ts";

const SEED = seedFromEnv() ?? 20260501;

function seedFromEnv(): number | undefined {
  const name = "NORPC_FUZZ_SEED";
  // Without --allow-env the fixed seed is used rather than failing.
  if (
    Deno.permissions.querySync({ name: "env", variable: name }).state !==
      "granted"
  ) {
    return undefined;
  }
  const value = Deno.env.get(name);
  return value === undefined ? undefined : Number(value);
}

/** The runtime the generated files import in the type-check batch. */
const RUNTIME = new URL("mod.ts", REPO).href;

// ---------------------------------------------------------------------------
// Names

/** Ordinary identifiers, unicode and `$`/`_` ones included. */
const PLAIN_NAMES = [
  "a",
  "id",
  "x1",
  "userName",
  "_private",
  "$dollar",
  "café",
  "π",
  "名前",
  "snake_case",
  "ALLCAPS",
];

/**
 * Method names that are keywords or well-known names somewhere but legal as
 * an interface method, a class method, a `case` label and `impl.name(…)`: the
 * generated code must cope with each. (`new` is missing on purpose: in an
 * interface `new(…)` is a construct signature, not a method.)
 */
const KEYWORD_METHOD_NAMES = [
  "delete",
  "default",
  "in",
  "typeof",
  "class",
  "function",
  "return",
  "switch",
  "import",
  "await",
  "yield",
  "let",
  "static",
  "get",
  "set",
  "async",
  "of",
  "type",
  "declare",
  "readonly",
  "keyof",
  "prototype",
  "name",
  "length",
  "toJSON",
  "options",
  "req",
  "impl",
  "service",
  "Promise",
  "undefined",
  "NO_OPTIONS",
  "CallOptions",
  "unknownMethod",
];

/**
 * Parameter names the generated code must not trip over: `options` and
 * `req` are names it uses itself, the others are contextual keywords or
 * names of types and helpers in the generated file.
 */
const PARAM_NAMES = [
  ...PLAIN_NAMES,
  "options",
  "options_",
  "req",
  "impl",
  "service",
  "get",
  "set",
  "async",
  "of",
  "type",
  "declare",
  "readonly",
  "is",
  "keyof",
  "undefined",
  "Promise",
  "CallOptions",
  "NO_OPTIONS",
  "string",
];

/**
 * Interface names. Some are names the generated file also uses (`Service`,
 * `CallOptions`, …); `HTTPClient` and `Café` test `lowerFirst`.
 */
const SERVICE_NAMES = [
  "Svc",
  "HelloWorld",
  "HTTPClient",
  "KVStore",
  "Café",
  "Ωmega",
  "lower",
  "Service",
  "CallOptions",
  "UnknownMethodError",
  "Request",
  "A",
];

/** Method names the generated client or server reserves. */
const RESERVED_METHOD_NAMES = [
  "call",
  "ready",
  "then",
  "catch",
  "finally",
  "constructor",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__proto__",
];

/** Parameter names that strict-mode (class) code rejects. */
const STRICT_PARAM_NAMES = [
  "yield",
  "await",
  "let",
  "static",
  "arguments",
  "eval",
  "public",
  "interface",
];

// ---------------------------------------------------------------------------
// JSDoc

/**
 * Text for one JSDoc line. Random unicode, plus the texts most likely to
 * confuse a comment copier: things that look like `*\/`, nested openers,
 * tags, code fences, emoji and right-to-left text. A real `*\/` would end the
 * comment, so it is escaped; CR and LF are replaced so each doc line stays
 * one line (U+2028 stays: TypeScript counts it as a line break, and so does
 * the invalid-input property).
 */
const docLineArb = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom(
    "looks like an end: * / and *\\/ and **",
    "/* nested opener /** and another",
    "@param x the x",
    "@returns the result",
    "@throws {Error} when it fails",
    "@example",
    "```ts",
    "const x = await svc.run(1);",
    "```",
    "{@linkcode Svc} and {@link https://example.com}",
    "`inline code` with <html> & entities &amp;",
    "emoji 🎉 👩‍👩‍👧 family",
    "RTL שלום עולם",
    "line\u2028separator",
    "combining é and a\u0301",
    "",
    "   ",
    "*",
    "*/ is escaped",
  ),
).map((s) => s.replaceAll("*/", "*\\/").replace(/[\r\n]/g, " "));

/** A JSDoc comment in one of the shapes people write, as source lines. */
const docArb: fc.Arbitrary<string[]> = fc.oneof(
  docLineArb.map((l) => [`/** ${l} */`]),
  fc.array(docLineArb, { minLength: 1, maxLength: 4 }).map((ls) => [
    "/**",
    ...ls.map((l) => ` * ${l}`),
    " */",
  ]),
  // Sloppy: text on the opening line, no leading stars, closing on a text line.
  fc.array(docLineArb, { minLength: 1, maxLength: 3 }).map((ls) => [
    `/** ${ls[0]}`,
    ...ls.slice(1).map((l) => `   ${l}`),
    "  end */",
  ]),
  fc.constant<string[]>(["/***/"]),
  fc.constant<string[]>(["/** */"]),
);

const maybeDoc = fc.option(docArb, { nil: undefined, freq: 2 });

// ---------------------------------------------------------------------------
// Types

/**
 * Exported data types every generated input file declares or imports, so
 * types can refer to them (and the generated file must import them right:
 * named, default, renamed, namespace and from a sibling file).
 */
const PREAMBLE = [
  'import type { Dep, DepAlias as Aliased } from "./dep.ts";',
  'import type * as dep from "./dep.ts";',
  'import type DepDefault from "./dep.ts";',
  "/** A data interface (no methods), so not a service. */",
  "export interface Point {",
  "  x: number;",
  "  y: number;",
  "}",
  'export type Color = "red" | "green";',
  'export enum Kind { A = "a", B = "b" }',
  "interface Local {",
  "  v: string;",
  "}",
  "export type { Local as Renamed };",
];

/** The sibling module the preamble imports from. */
const DEP_SOURCE = `export interface Dep {
  d: number;
}
export type DepAlias = string[];
export default interface DepDefault {
  dd: boolean;
}
`;

/** Type names the preamble makes available. */
const DECLARED_TYPES = [
  "Point",
  "Color",
  "Kind",
  "Kind.A",
  "Local",
  "Dep",
  "Aliased",
  "dep.Dep",
  "DepDefault",
  'import("./dep.ts").Dep',
];

/** Turns random text into a string literal type, double- or single-quoted. */
function stringLiteral(text: string, single: boolean): string {
  const json = JSON.stringify(text);
  if (!single) return json;
  return `'${json.slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

/**
 * Leaf types. No `any`: the type-equality check below would see
 * `1 & (any & "a")` and `1 & any & "a"` (the printer flattens nested
 * intersections) as different, though they mean the same.
 */
const leafTypeArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "string",
      "number",
      "boolean",
      "bigint",
      "unknown",
      "null",
      "undefined",
      "never",
      "object",
      "symbol",
      "void",
      "Date",
      "Uint8Array",
      "RegExp",
    ),
  },
  { weight: 3, arbitrary: fc.constantFrom(...DECLARED_TYPES) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.string({ unit: "grapheme", maxLength: 8 }),
      fc.boolean(),
    )
      .map(([s, single]) => stringLiteral(s, single)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "0",
      "-1",
      "1e3",
      "0x1F",
      "1_000",
      "10n",
      "true",
      "false",
      "`id-${number}`",
      "`${Color}-${string}`",
    ),
  },
);

/**
 * A property name in an object type: identifiers, keywords, quoted names.
 * (Not `then`: an object with a callable `then` is a thenable, which
 * awaiting unwraps; that is TypeScript's business, not the generator's.)
 */
const propNameArb = fc.constantFrom(
  ...PLAIN_NAMES,
  "class",
  "new",
  "call",
  '"with-dash"',
  "'single'",
  '"名前"',
  "0",
);

/**
 * Every compound wraps its operands in parentheses (`(A)[]`, `(A) | (B)`):
 * always legal, and it makes the printer prove it drops the needless ones and
 * keeps the needed ones (a union in an array, a function in a union, …).
 */
const p = (t: string) => `(${t})`;

const typeArb: fc.Arbitrary<string> = fc.letrec<{ type: string }>((tie) => {
  const t = tie("type");
  return {
    type: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leafTypeArb,
      t.map((a) => `${p(a)}[]`),
      t.map((a) => `readonly ${p(a)}[]`),
      t.map((a) => `Array<${a}>`),
      t.map((a) => `ReadonlyArray<${a}>`),
      fc.array(t, { minLength: 2, maxLength: 3 }).map((ts) =>
        ts.map(p).join(" | ")
      ),
      fc.tuple(t, t).map(([a, b]) => `{ a: ${a} } & { b: ${b} }`),
      fc.tuple(t, t).map(([a, b]) => `${p(a)} & ${p(b)}`),
      // Tuples: plain, with an optional tail, with a rest, named.
      fc.array(t, { maxLength: 3 }).map((ts) => `[${ts.join(", ")}]`),
      fc.tuple(t, t).map(([a, b]) => `[${a}, ${p(b)}?]`),
      fc.tuple(t, t).map(([a, b]) => `[${a}, ...${p(b)}[]]`),
      fc.tuple(t, t).map(([a, b]) => `[first: ${a}, second?: ${b}]`),
      fc.tuple(t, t).map(([a, b]) => `[head: ${a}, ...tail: ${p(b)}[]]`),
      // Object types: optional and readonly properties, methods, quoted keys.
      fc.uniqueArray(
        fc.tuple(propNameArb, fc.boolean(), fc.boolean(), t),
        // `名前` and `"名前"` are the same property.
        {
          minLength: 1,
          maxLength: 3,
          selector: ([n]) => n.replace(/["']/g, ""),
        },
      ).map((props) =>
        `{ ${
          props.map(([n, opt, ro, a]) =>
            `${ro ? "readonly " : ""}${n}${opt ? "?" : ""}: ${a}`
          ).join("; ")
        } }`
      ),
      fc.tuple(t, t).map(([a, b]) => `{ m(x: ${a}): ${b}; n?(): void }`),
      t.map((a) => `{ [key: string]: ${a} }`),
      t.map((a) => `{ [K in Color]: ${a} }`),
      t.map((a) => `{ readonly [K in keyof Point]?: ${a} }`),
      // Functions, generic ones too: generics are fine inside data types.
      fc.tuple(t, t, t).map(([a, b, r]) => `(x: ${a}, y?: ${b}) => ${r}`),
      t.map((a) => `<T>(x: T, y: ${a}) => T`),
      t.map((a) => `new (x: ${a}) => Point`),
      fc.tuple(t, t).map(([k, v]) => `Record<string, ${p(k)} | ${p(v)}>`),
      fc.tuple(t, t).map(([k, v]) => `Map<${k}, ${v}>`),
      t.map((a) => `Set<${a}>`),
      fc.constantFrom(
        "Partial<Point>",
        'Pick<Point, "x">',
        "keyof Point",
        'Point["x"]',
        "typeof Kind",
        "Readonly<Point>",
      ),
      t.map((a) => `keyof ${p(a)}`),
      fc.tuple(t, t, t).map(([a, b, c]) =>
        `${p(a)} extends string ? ${b} : ${c}`
      ),
      // Any type in the extends position, where a conditional or function
      // type must keep its parentheses.
      fc.tuple(t, t, t, t).map(([a, b, c, d]) =>
        `${p(a)} extends ${p(b)} ? ${c} : ${d}`
      ),
      t.map((a) => `${p(a)} extends [infer U] ? U : never`),
      t.map((a) => `${p(a)} | null`),
    ),
  };
}).type;

// ---------------------------------------------------------------------------
// Valid services

interface Param {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
}

interface Method {
  readonly name: string;
  readonly doc?: string[];
  readonly params: readonly Param[];
  readonly result: string;
}

interface ServiceSpec {
  readonly name: string;
  readonly doc?: string[];
  readonly methods: readonly Method[];
}

/** Unique parameter names; optional ones only after the required ones. */
const paramsArb: fc.Arbitrary<Param[]> = fc.tuple(
  fc.uniqueArray(fc.tuple(fc.constantFrom(...PARAM_NAMES), typeArb), {
    maxLength: 4,
    selector: ([n]) => n,
  }),
  fc.nat(4),
).map(([ps, optionalTail]) =>
  ps.map(([name, type], i) => ({
    name,
    type,
    optional: i >= ps.length - optionalTail,
  }))
);

/** `T`, `Promise<T>`, `void` or `Promise<void>`. */
/**
 * Results. Promises appear only where awaiting them is plain (`Promise<T>`,
 * a union member, nested promises), not inside intersections such as
 * `X & Promise<T>`: such a thenable's awaited type is TypeScript's
 * `Awaited<…>` business, not something a generator can print.
 */
const resultArb = fc.oneof(
  typeArb,
  typeArb.map((t) => `Promise<${t}>`),
  fc.constantFrom("void", "Promise<void>"),
  // Sync or async, and promises of promises: awaiting flattens them all.
  fc.tuple(typeArb, typeArb).map(([a, b]) => `${p(a)} | Promise<${b}>`),
  typeArb.map((t) => `Promise<Promise<${t}>>`),
  typeArb.map((t) => `PromiseLike<${t}>`),
);

const methodNameArb = fc.constantFrom(
  ...PLAIN_NAMES,
  ...KEYWORD_METHOD_NAMES,
);

const methodArb = (name: string): fc.Arbitrary<Method> =>
  fc.record({ doc: maybeDoc, params: paramsArb, result: resultArb }).map((
    m,
  ) => ({ name, ...m }));

const methodsArb: fc.Arbitrary<Method[]> = fc.uniqueArray(methodNameArb, {
  minLength: 1,
  maxLength: 4,
}).chain((names) => fc.tuple(...names.map(methodArb)));

/**
 * One to three services in a file. Names differ case-insensitively because
 * `Foo` and `foo` would both generate `fooServer` (that clash is an invalid
 * input below).
 */
const servicesArb: fc.Arbitrary<ServiceSpec[]> = fc.uniqueArray(
  fc.constantFrom(...SERVICE_NAMES),
  { minLength: 1, maxLength: 3, selector: (n) => n.toLowerCase() },
).chain((names) =>
  fc.tuple(
    ...names.map((name) =>
      fc.record({ doc: maybeDoc, methods: methodsArb }).map((s) => ({
        name,
        ...s,
      }))
    ),
  )
);

function paramText(p: Param): string {
  return `${p.name}${p.optional ? "?" : ""}: ${p.type}`;
}

function methodLine(m: Method): string {
  return `${m.name}(${m.params.map(paramText).join(", ")}): ${m.result};`;
}

/** A valid input file: its text, and the options to generate it with. */
interface ValidInput {
  readonly source: string;
  readonly services: readonly ServiceSpec[];
  /** Generate into `out/` rather than beside the input. */
  readonly outDir: boolean;
  /** Name the services in `interfaces` rather than taking all. */
  readonly named: boolean;
}

function renderValid(services: readonly ServiceSpec[]): string {
  const lines = [...PREAMBLE];
  for (const s of services) {
    lines.push("", ...(s.doc ?? []), `export interface ${s.name} {`);
    for (const m of s.methods) {
      lines.push(...(m.doc ?? []).map((l) => "  " + l), "  " + methodLine(m));
    }
    lines.push("}");
  }
  return lines.join("\n") + "\n";
}

const validArb: fc.Arbitrary<ValidInput> = fc.record({
  services: servicesArb,
  outDir: fc.boolean(),
  named: fc.boolean(),
}).map((v) => ({ ...v, source: renderValid(v.services) }));

/** A valid input from hand-written services. */
function validInput(services: ServiceSpec[]): ValidInput {
  return {
    services,
    source: renderValid(services),
    outDir: false,
    named: false,
  };
}

/**
 * Inputs the fuzzer once failed on, kept so the bugs stay fixed whatever
 * the seed: a union in an intersection laid out on several lines lost its
 * parentheses (`& A & | B`), results that await to something else than their
 * outer `Promise<…>` made the server fail to type-check, and a conditional
 * type after `extends` lost its parentheses.
 */
const VALID_REGRESSIONS: ValidInput[] = [
  validInput([{
    name: "KVStore",
    methods: [{
      name: "prototype",
      params: [{
        name: "x1",
        optional: true,
        type:
          "(((1e3) | null) extends [infer U] ? U : never) & (({ readonly [K in keyof Point]?: Local }) | (Dep) | (new (x: { readonly [K in keyof Point]?: boolean }) => Point))",
      }],
      result: "void",
    }],
  }]),
  validInput([{
    name: "Svc",
    methods: [
      { name: "a", params: [], result: "Promise<Promise<Kind>>" },
      { name: "b", params: [], result: "string | Promise<number>" },
      {
        name: "c",
        params: [],
        result: "(Point) | (Promise<Color | PromiseLike<Kind>>)",
      },
      { name: "d", params: [], result: "PromiseLike<void>" },
      {
        name: "e",
        params: [{
          name: "x",
          optional: false,
          type:
            "Point extends (keyof DepDefault extends [infer U] ? U : never) ? 1 : 2",
        }],
        result: "Point extends (() => void) ? 1 : 2",
      },
    ],
  }]),
];

function validOptions(v: ValidInput, i: number): GenerateOptions {
  return {
    fileName: `in${i}.ts`,
    outFileName: v.outDir ? `out/in${i}.gen.ts` : `in${i}.gen.ts`,
    interfaces: v.named ? v.services.map((s) => s.name) : undefined,
    runtime: RUNTIME,
  };
}

// ---------------------------------------------------------------------------
// Inputs invalid in a known way

/** An unsupported line and the diagnostic code it must draw. */
interface Bad {
  readonly line: string;
  readonly code: string;
}

/** Member lines that are each unsupported for exactly one reason. */
const badMemberArb: fc.Arbitrary<Bad> = fc.oneof(
  fc.constantFrom<Bad>(
    { line: "bad: string;", code: "property-member" },
    { line: "readonly bad?: number;", code: "property-member" },
    { line: "[key: string]: unknown;", code: "index-signature" },
    { line: "(x: string): void;", code: "call-signature" },
    { line: "new (x: string): Point;", code: "construct-signature" },
    { line: "get bad(): string;", code: "accessor" },
    { line: "set bad(v: string);", code: "accessor" },
    // A rest parameter whose type is not spelled as an array.
    {
      line: "bad<T extends string[]>(...xs: T): void;",
      code: "rest-parameter",
    },
    {
      line: "bad(...xs: Iterable<{\n    a: string;\n  }>): void;",
      code: "rest-parameter",
    },
    { line: '"bad-name"(): void;', code: "method-name" },
    { line: '"constructor"(): void;', code: "method-name" },
    { line: "42(): void;", code: "method-name" },
    { line: "[Symbol.iterator](): void;", code: "method-name" },
    { line: "bad(this: Point, x: string): void;", code: "this-parameter" },
    { line: "bad({ a }: { a: string }): void;", code: "parameter-pattern" },
    { line: "bad([a]: [string]): void;", code: "parameter-pattern" },
    { line: 'bad(x: string = "a"): void;', code: "parameter-initializer" },
    { line: "bad(x): void;", code: "missing-type" },
    { line: "bad(x: string);", code: "missing-type" },
    { line: "bad(): this;", code: "unsupported-type" },
    { line: "bad(x: unknown): x is string;", code: "unsupported-type" },
    { line: "bad(p: Hidden): void;", code: "not-exported" },
    { line: "bad(x: string, x: number): void;", code: "duplicate-parameter" },
    {
      line: "bad(x?: string, y: number): void;",
      code: "required-after-optional",
    },
    // Members spanning lines: the message and hint must stay one line each.
    {
      line: "bad: {\n    a: string;\n  };",
      code: "property-member",
    },
    { line: "[`multi\nline`](): void;", code: "method-name" },
    { line: "[`multi\nline`]: string;", code: "property-member" },
  ),
  fc.constantFrom(...RESERVED_METHOD_NAMES).map((n) => ({
    line: `${n}(x: string): void;`,
    code: "reserved-name",
  })),
  fc.constantFrom(...STRICT_PARAM_NAMES).map((n) => ({
    line: `bad(${n}: string): void;`,
    code: "parameter-name",
  })),
);

/** A service with bad members inserted; the file, and where each bad is. */
interface InvalidInput {
  readonly source: string;
  readonly interfaces?: string[];
  readonly expected: readonly { line: number; code: string }[];
  /**
   * Whether diagnostics may also appear on other lines (syntax errors
   * cascade); otherwise every diagnostic must be on an expected line.
   */
  readonly loose: boolean;
}

/** `interface Hidden` is not exported, so referring to it is an error. */
const INVALID_PREAMBLE = [
  ...PREAMBLE,
  "interface Hidden {",
  "  h: string;",
  "}",
  "interface Base {",
  "  b(): void;",
  "}",
];

/** Builds a file line by line, remembering the 1-based line of the bad ones. */
class SourceBuilder {
  readonly lines: string[] = [];
  readonly expected: { line: number; code: string }[] = [];
  add(...lines: string[]): this {
    for (const l of lines) this.lines.push(...l.split("\n"));
    return this;
  }
  /** Adds a member (maybe of several lines) whose first line must draw `code`. */
  bad(member: string, code: string): this {
    // Counted as TypeScript counts (and so `deno check`): a U+2028 in a
    // string literal type above starts a new line too.
    const above = this.lines.length === 0 ? 0 : tsLines(this.text).length - 1;
    this.expected.push({ line: above + 1, code });
    return this.add(member);
  }
  get text(): string {
    return this.lines.join("\n") + "\n";
  }
}

/** Renames `bad` in each bad member to `bad0`, `bad1`, … so none is an overload. */
function numbered(bads: readonly Bad[]): (Bad & { index: number })[] {
  const seen = new Set<string>();
  return bads.flatMap((b, index) => {
    const line = b.line.replace(
      /^(readonly |get |set )?bad\b/,
      `$1bad${index}`,
    );
    // Two reserved names alike would be an overload, not a second problem.
    const name = /^[\w$]+(?=\()/.exec(line)?.[0];
    if (name !== undefined && seen.has(name)) return [];
    if (name !== undefined) seen.add(name);
    return [{ ...b, line, index }];
  });
}

/**
 * A valid service with bad members mixed in (and perhaps a bad header):
 * every problem is a member or header problem, all reported together.
 */
const badMembersArb: fc.Arbitrary<InvalidInput> = fc.record({
  service: fc.record({
    name: fc.constantFrom(...SERVICE_NAMES),
    doc: maybeDoc,
    methods: methodsArb,
  }),
  bads: fc.array(fc.tuple(badMemberArb, fc.nat(), maybeDoc), {
    minLength: 0,
    maxLength: 3,
  }),
  header: fc.constantFrom("plain", "generic", "extends"),
  // Overloads are supported now: a second declaration is no problem.
  overload: fc.constant(false),
}).filter((r) => r.bads.length > 0 || r.header !== "plain" || r.overload)
  .map(({ service, bads, header, overload }) => {
    const b = new SourceBuilder().add(...INVALID_PREAMBLE, "");
    b.add(...(service.doc ?? []));
    const head = `export interface ${service.name}`;
    if (header === "generic") {
      b.bad(`${head}<T, U extends string = "u"> {`, "generic-interface");
    } else if (header === "extends") {
      // A base declared in this file is supported; one from elsewhere is not.
      b.bad(`${head} extends Elsewhere {`, "extends");
    } else b.add(`${head} {`);
    const members: (Method | (Bad & { doc?: string[] }))[] = [
      ...service.methods,
    ];
    for (const { line, code, index } of numbered(bads.map(([bad]) => bad))) {
      const [, at, doc] = bads[index];
      members.splice(at % (members.length + 1), 0, { line, code, doc });
    }
    for (const m of members) {
      b.add(...(m.doc ?? []).map((l) => "  " + l));
      if ("code" in m) b.bad("  " + m.line, m.code);
      else b.add("  " + methodLine(m));
    }
    if (overload) {
      // A second declaration of a method, last so the first is the original.
      b.bad(`  ${service.methods[0].name}(again: number): number;`, "overload");
    }
    b.add("}");
    return { source: b.text, expected: b.expected, loose: false };
  });

/** Lines that break TypeScript syntax on the line itself. */
const SYNTAX_ERRORS = [
  "hello(name: string: string;",
  "hello(name string): void;",
  "hello(name: string)): void;",
  "hello(name: ): void;",
  "hello(a: string b: string): void;",
  "hello(name: string): Promise<string;",
  "hello(x: { a: string ): void;",
  "hello(name: string) => void;",
  "@decorator hello(): void;",
];

/**
 * File-level problems, one per file: syntax errors, duplicate or clashing
 * interfaces, no service at all, and `interfaces` naming the wrong thing.
 */
const fileProblemArb: fc.Arbitrary<InvalidInput> = fc.tuple(
  fc.constantFrom(...SERVICE_NAMES),
  methodsArb,
  fc.nat(),
).chain(([name, methods, seed]) => {
  const body = (b: SourceBuilder) => {
    for (const m of methods) b.add("  " + methodLine(m));
    return b;
  };
  const start = () => new SourceBuilder().add(...INVALID_PREAMBLE, "");
  const cases: (() => InvalidInput)[] = [
    () => {
      const b = start().add(`export interface ${name} {`);
      const at = seed % (methods.length + 1);
      methods.slice(0, at).forEach((m) => b.add("  " + methodLine(m)));
      b.bad("  " + SYNTAX_ERRORS[seed % SYNTAX_ERRORS.length], "syntax");
      methods.slice(at).forEach((m) => b.add("  " + methodLine(m)));
      b.add("}");
      return { source: b.text, expected: b.expected, loose: true };
    },
    () => {
      const b = body(start().add(`export interface ${name} {`)).add("}");
      b.bad(`export interface ${name} {`, "duplicate-interface");
      b.add("  extra(): void;", "}");
      return { source: b.text, expected: b.expected, loose: false };
    },
    () => {
      // `Foo` and `foo` both generate `fooServer` (`lowerFirst` is ASCII-only,
      // so the pair is taken from plain ASCII names).
      const simple = ["Svc", "HelloWorld", "Service", "lower", "A"];
      const base = simple[seed % simple.length];
      const flip = (c: string) =>
        c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
      const other = flip(base[0]) + base.slice(1);
      const b = body(start().add(`export interface ${base} {`)).add("}");
      b.bad(`export interface ${other} {`, "name-clash");
      b.add("  extra(): void;", "}");
      return { source: b.text, expected: b.expected, loose: false };
    },
    () => {
      // Only interfaces without `export`: reported at 1:1.
      const b = new SourceBuilder().add(`interface ${name} {`);
      body(b).add("}");
      return {
        source: b.text,
        expected: [{ line: 1, code: "no-interface" }],
        loose: false,
      };
    },
    () => {
      // Reported at the first exported interface, so no preamble here.
      const b = new SourceBuilder().add("// only data");
      b.bad(`export interface ${name} {`, "no-service");
      b.add("  data: string;", "}");
      return { source: b.text, expected: b.expected, loose: false };
    },
    () => {
      const b = body(start().add(`export interface ${name} {`)).add("}");
      return {
        source: b.text,
        interfaces: ["NotDeclaredHere"],
        expected: [{ line: 1, code: "interface-not-found" }],
        loose: false,
      };
    },
    () => {
      const b = start().bad(`interface ${name} {`, "not-exported");
      body(b).add("}");
      return {
        source: b.text,
        interfaces: [name],
        expected: b.expected,
        loose: false,
      };
    },
    () => {
      const b = body(start().add(`export interface ${name} {`)).add("}");
      b.bad("export interface Empty {}", "empty-interface");
      return {
        source: b.text,
        interfaces: [name, "Empty"],
        expected: b.expected,
        loose: false,
      };
    },
  ];
  return fc.constant(cases[seed % cases.length]());
});

const invalidArb = fc.oneof(badMembersArb, fileProblemArb);

/**
 * Inputs the fuzzer once failed on: a duplicate parameter or a required
 * one after an optional one generated code that did not compile; a hint
 * quoting a multi-line type spanned lines; a duplicate interface was
 * reported twice.
 */
const INVALID_REGRESSIONS: InvalidInput[] = [
  {
    source: "export interface S {\n  f(x: string, x: number): void;\n}\n",
    expected: [{ line: 2, code: "duplicate-parameter" }],
    loose: false,
  },
  {
    source: "export interface S {\n  f(x?: string, y: number): void;\n}\n",
    expected: [{ line: 2, code: "required-after-optional" }],
    loose: false,
  },
  {
    source:
      "export interface S {\n  a(): void;\n  b: {\n    c: string;\n  };\n}\n",
    expected: [{ line: 3, code: "property-member" }],
    loose: false,
  },
  {
    source:
      "export interface S {\n  a(): void;\n}\nexport interface S {\n  b(): void;\n}\n",
    expected: [{ line: 4, code: "duplicate-interface" }],
    loose: false,
  },
];

// ---------------------------------------------------------------------------
// Anything at all

/** Tokens for plausible-looking garbage. */
const TOKENS = [
  "export",
  "interface",
  "type",
  "import",
  "from",
  '"./x.ts"',
  "{",
  "}",
  "(",
  ")",
  "<",
  ">",
  "[",
  "]",
  ":",
  ";",
  ",",
  "?",
  "...",
  "=>",
  "|",
  "&",
  "=",
  "/**",
  "*/",
  "//",
  "`",
  "${",
  "\n",
  " ",
  "Svc",
  "hello",
  "string",
  "Promise",
  "void",
  "this",
  "new",
  "get",
  "call",
  "@",
  "#x",
  "\u2028",
  "\r",
  "\ufeff",
];

/** Mangles a source: truncates it, cuts a slice out, or splices text in. */
function mangled(source: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(source, fc.nat(), fc.nat(), fc.constantFrom(...TOKENS))
    .chain(([s, i, j, token]) => {
      const a = i % (s.length + 1);
      const b = a + (j % (s.length - a + 1));
      return fc.constantFrom(
        s.slice(0, a),
        s.slice(0, a) + s.slice(b),
        s.slice(0, a) + token + s.slice(a),
        s.slice(0, b) + s.slice(a),
      );
    });
}

const anySourceArb: fc.Arbitrary<string> = fc.oneof(
  validArb.map((v) => v.source),
  invalidArb.map((v) => v.source),
  mangled(validArb.map((v) => v.source)),
  mangled(invalidArb.map((v) => v.source)),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((ts) =>
    ts.join(" ")
  ),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
);

const anyOptionsArb: fc.Arbitrary<GenerateOptions> = fc.record({
  fileName: fc.constantFrom(
    "svc.ts",
    "src/services/svc.ts",
    "../up/svc.ts",
    "/abs/path/svc.ts",
    "ünï cödé/名前.ts",
    "C:\\win\\svc.ts",
    "noext",
  ),
  outFileName: fc.option(
    fc.constantFrom("out/svc.gen.ts", "../elsewhere/x.gen.ts", "svc.gen.ts"),
    { nil: undefined },
  ),
  interfaces: fc.option(
    fc.array(fc.constantFrom(...SERVICE_NAMES, "Nope", "Hidden", ""), {
      maxLength: 3,
    }),
    { nil: undefined },
  ),
  runtime: fc.option(fc.constantFrom("@norpc/norpc", RUNTIME, "jsr:@x/y"), {
    nil: undefined,
  }),
}, { requiredKeys: ["fileName"] });

// ---------------------------------------------------------------------------
// Checks

/** Lines as TypeScript counts them (it also breaks at CR, U+2028, U+2029). */
function tsLines(text: string): string[] {
  return text.split(/\r\n|[\n\r\u2028\u2029]/);
}

/** Property 1's checks on one result. */
function assertWellFormed(
  source: string,
  options: GenerateOptions,
  result: { code: string | undefined; diagnostics: readonly Diagnostic[] },
): void {
  const { code, diagnostics } = result;
  assert.equal(
    code === undefined,
    diagnostics.length > 0,
    "code exactly when there are no diagnostics",
  );
  if (code !== undefined) {
    assert.match(code, /^\/\/ Code generated by norpc\. DO NOT EDIT\.\n/);
  }
  const lines = tsLines(source);
  for (const d of diagnostics) {
    const where = JSON.stringify(d);
    assert.equal(d.file, options.fileName, where);
    assert.ok(Number.isInteger(d.line) && d.line >= 1, where);
    assert.ok(d.line <= lines.length, `line past the end: ${where}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, where);
    assert.ok(
      d.column <= lines[d.line - 1].length + 1,
      `column past the end of its line: ${where}`,
    );
    assert.match(d.code, /^[a-z]+(-[a-z]+)*$/, where);
    assert.ok(d.message.trim().length > 0, `empty message: ${where}`);
    assert.ok(d.hint.trim().length > 0, `empty hint: ${where}`);
    // The documented format: exactly two lines.
    assert.equal(
      formatDiagnostic(d),
      `${d.file}:${d.line}:${d.column}: error: ${d.message}\n  hint: ${d.hint}`,
    );
    assert.ok(!/[\r\n]/.test(d.message), `multi-line message: ${where}`);
    assert.ok(!/[\r\n]/.test(d.hint), `multi-line hint: ${where}`);
  }
  const texts = diagnostics.map((d) => JSON.stringify(d));
  assert.equal(new Set(texts).size, texts.length, `repeated: ${texts}`);
}

/**
 * A module that compiles only if the generated types mean what the input
 * says: for each method, the request's `args` are the parameters as written
 * and the response is what awaiting the written result gives. Type-checking
 * the generated file alone would not see a printer that drops needed
 * parentheses but still prints valid TypeScript (`(A | B)[]` → `A | B[]`).
 * The written types are pasted in with the names they refer to imported, as
 * `ReturnType<…>` of some random signatures is `any`.
 */
function sameTypes(input: ValidInput, options: GenerateOptions): string {
  const lines = [
    `import type { Color, Kind, Point, Renamed as Local } from "./${options.fileName}";`,
    ...PREAMBLE.filter((l) => l.startsWith("import ")),
    `import type * as G from "./${options.outFileName}";`,
    "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends",
    "  (<T>() => T extends B ? 1 : 2) ? true : false;",
    "function same<_T extends true>(): void {}",
    "type Args<R, M> = R extends { method: M; args: infer A } ? A : never;",
  ];
  for (const s of input.services) {
    for (const m of s.methods) {
      const name = JSON.stringify(m.name);
      const params = m.params.map(paramText).join(", ");
      lines.push(
        `same<Equal<Args<G.${
          serviceNames(s.name).request
        }, ${name}>, [${params}]>>();`,
        `same<Equal<G.${
          serviceNames(s.name).responses
        }[${name}], Awaited<${m.result}>>>();`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------
// Properties

Deno.test("fuzz: generate() never throws and locates every diagnostic", () => {
  fc.assert(
    fc.property(anySourceArb, anyOptionsArb, (source, options) => {
      const result = generate(source, options);
      assertWellFormed(source, options, result);
      // Pure and deterministic: the same input gives the same output.
      assert.deepEqual(generate(source, options), result);
    }),
    { seed: SEED, numRuns: 400 },
  );
});

Deno.test("fuzz: valid services generate code that type-checks", async (t) => {
  await t.step("no diagnostics, one client and server per service", () => {
    fc.assert(
      fc.property(validArb, (input) => {
        const options = validOptions(input, 0);
        const result = generate(input.source, options);
        assert.deepEqual(result.diagnostics, [], input.source);
        assertWellFormed(input.source, options, result);
        for (const s of input.services) {
          assert.match(
            result.code!,
            new RegExp(`export class ${serviceNames(s.name).client} `),
          );
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  await t.step("a batch of generated files passes deno check", async () => {
    // One `deno check` over many files: a subprocess per input would be slow.
    const samples = [
      ...VALID_REGRESSIONS,
      ...fc.sample(validArb, { seed: SEED, numRuns: 30 }),
    ];
    const dir = await Deno.makeTempDir({ prefix: "norpc_fuzz_" });
    try {
      await Deno.mkdir(`${dir}/out`);
      await Deno.writeTextFile(`${dir}/dep.ts`, DEP_SOURCE);
      const files = [`${dir}/dep.ts`];
      for (const [i, input] of samples.entries()) {
        const options = validOptions(input, i);
        const { code, diagnostics } = generate(input.source, options);
        assert.deepEqual(diagnostics, [], input.source);
        await Deno.writeTextFile(`${dir}/${options.fileName}`, input.source);
        await Deno.writeTextFile(`${dir}/${options.outFileName}`, code!);
        const checks = `${dir}/same${i}.ts`;
        await Deno.writeTextFile(checks, sameTypes(input, options));
        files.push(
          `${dir}/${options.fileName}`,
          `${dir}/${options.outFileName}`,
          checks,
        );
      }
      const check = await deno(["check", "--quiet", ...files], dir);
      assert.equal(check.code, 0, check.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("fuzz: invalid inputs are reported on the line of the problem", () => {
  fc.assert(
    fc.property(invalidArb, (input) => {
      // Strict: members that are not operations are errors, not warnings.
      const options = {
        fileName: "svc.ts",
        interfaces: input.interfaces,
        strict: true,
      };
      const result = generate(input.source, options);
      assertWellFormed(input.source, options, result);
      const got = result.diagnostics.map((d) => `${d.line}:${d.code}`);
      for (const e of input.expected) {
        assert.ok(
          got.includes(`${e.line}:${e.code}`),
          `expected ${e.code} on line ${e.line}, got ${
            got.join(", ")
          }\n${input.source}`,
        );
      }
      if (!input.loose) {
        const lines = new Set(input.expected.map((e) => e.line));
        for (const d of result.diagnostics) {
          assert.ok(
            lines.has(d.line),
            `unexpected ${formatDiagnostic(d)}\n${input.source}`,
          );
        }
      }
    }),
    {
      seed: SEED,
      numRuns: 300,
      // Inputs the fuzzer once failed on (multi-line hints, new checks).
      examples: INVALID_REGRESSIONS.map((r) => [r]),
    },
  );
});
