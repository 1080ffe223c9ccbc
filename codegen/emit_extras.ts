/**
 * What the generated module offers beyond the types, client and server:
 * per service `Name`,
 *
 * - `nameService`, a descriptor (`{ name: "Name", methods: [...] } as const`)
 *   that tracing, logs and tests can read;
 * - `NameMethod`, the union of its method names;
 * - `NameLayer`, a layer typed for the service, so a list of layers needs no
 *   `ServiceBuilder<NameRequest, NameResponse>`;
 * - `spawnName(impl, options)`, which spawns the server under the service's
 *   name with optional layers on either side and returns a typed client.
 *
 * Everything here runs once, when a service is spawned: a call through the
 * client returned by `spawnName` is the same call as through
 * `new NameClient(spawn(nameServer(impl)).client)` (`bench/client_bench.ts`
 * measures both).
 *
 * @module
 */

import { type Doc, group, hardline, indent, join, line, list } from "./doc.ts";
import type { ServiceNames } from "./emit.ts";
import type { ServiceModel } from "./parse.ts";
import { parameterList, referenceType, textType } from "./types.ts";

/**
 * The local name the runtime is imported under for these helpers (a
 * namespace import, so the only name it takes from the user's is this one).
 */
export const RUNTIME_NAMESPACE = "norpc";

/**
 * File-level names the helpers below declare (for the clash check). None
 * can be generated for a service: those start with `spawn`/`Spawn` and end
 * with `Options`, or end with `Service`, `Method`, `Layer`, `Client`, ….
 */
export const EXTRA_FILE_NAMES: readonly string[] = [
  RUNTIME_NAMESPACE,
  "LayerOf",
  "SpawnWithLayers",
  "withLayers",
  "withOptions",
  "startNamed",
];

/** The names generated for one service beyond those of `serviceNames`. */
export interface ExtraNames {
  readonly descriptor: string;
  readonly method: string;
  readonly layer: string;
  readonly spawnOptions: string;
  readonly spawned: string;
  readonly spawn: string;
}

/**
 * The extra names generated for the interface `name`.
 *
 * @param name The interface's name.
 * @param server The name of its server function (`helloWorldServer`), whose
 *   lower-cased stem the descriptor shares.
 */
export function extraNames(name: string, server: string): ExtraNames {
  const stem = server.slice(0, -"Server".length);
  return {
    descriptor: `${stem}Service`,
    method: `${name}Method`,
    layer: `${name}Layer`,
    spawnOptions: `Spawn${name}Options`,
    spawned: `Spawned${name}`,
    spawn: `spawn${name}`,
  };
}

/**
 * `import * as norpc from "<runtime>";`, the import the helpers use.
 *
 * @param runtime The runtime's module specifier.
 */
export function extrasImport(runtime: string): Doc {
  return `import * as ${RUNTIME_NAMESPACE} from ${JSON.stringify(runtime)};`;
}

/**
 * The file-level helpers, laid out as `deno fmt` lays them out: written once
 * per generated file, before the services.
 */
export const EXTRAS_HELPERS: Doc = join(hardline, [
  "/** A layer that wraps a service in one of the same type. */",
  "type LayerOf<Req, Res> = norpc.Layer<",
  "  norpc.Service<Req, Res>,",
  "  norpc.Service<Req, Res>",
  ">;",
  "",
  "/** The options of every generated `spawn…` function. */",
  "interface SpawnWithLayers<Req, Res> extends norpc.SpawnOptions {",
  "  readonly serverLayers?: readonly LayerOf<Req, Res>[];",
  "  readonly clientLayers?: readonly LayerOf<Req, Res>[];",
  "}",
  "",
  "/** Wraps `service` in `layers`, the first outermost. */",
  "function withLayers<Req, Res>(",
  "  service: norpc.Service<Req, Res>,",
  "  layers: readonly LayerOf<Req, Res>[] | undefined,",
  "  option: string,",
  "): norpc.Service<Req, Res> {",
  "  if (layers === undefined) return service;",
  "  if (!Array.isArray(layers)) {",
  '    throw new norpc.InvalidOptionError(option, layers, "an array of layers");',
  "  }",
  "  let builder = new norpc.ServiceBuilder<Req, Res>();",
  "  for (const layer of layers) builder = builder.layer(layer);",
  "  return builder.service(service);",
  "}",
  "",
  "/**",
  " * Spawns `service` as the server `name`, `serverLayers` around it, and",
  " * returns its client wrapped in `clientLayers`.",
  " */",
  "function startNamed<Req, Res>(",
  "  name: string,",
  "  service: norpc.Service<Req, Res>,",
  "  options: SpawnWithLayers<Req, Res> = {},",
  "): { client: norpc.Service<Req, Res>; server: norpc.Server } {",
  '  if (typeof options !== "object" || options === null) {',
  '    throw new norpc.InvalidOptionError("options", options, "an object");',
  "  }",
  "  const { serverLayers, clientLayers, ...spawnOptions } = options;",
  "  // The server's name goes into its errors (a caller's own `name` wins).",
  "  const named = { name, ...spawnOptions };",
  "  const { client, server } = norpc.spawn(",
  '    withLayers(service, serverLayers, "serverLayers"),',
  "    named,",
  "  );",
  '  return { client: withLayers(client, clientLayers, "clientLayers"), server };',
  "}",
  "",
  "/** `service` with `options` under each call's own (which win, key by key). */",
  "function withOptions<Req, Res>(",
  "  service: norpc.Service<Req, Res>,",
  "  options: Readonly<norpc.CallOptions>,",
  "): norpc.Service<Req, Res> {",
  "  return {",
  "    call: (req, own) =>",
  "      service.call(req, own === undefined ? options : { ...options, ...own }),",
  "    ready: () => service.ready?.() ?? true,",
  "    enforcesDeadline: service.enforcesDeadline,",
  "  };",
  "}",
]);

/**
 * The extras of one service, each a top-level declaration.
 *
 * @param service The service's model.
 * @param names Its base generated names (`serviceNames(service.name)`).
 * @returns The declarations, in order.
 */
export function serviceExtras(
  service: ServiceModel,
  names: ServiceNames,
): Doc[] {
  const extra = extraNames(service.name, names.server);
  const serviceType = referenceType("norpc.Service", [
    textType(names.request),
    textType(names.response),
  ]);
  const methods = list(
    "[",
    service.methods.map((m) => JSON.stringify(m.name)),
    "]",
    { trailingComma: true },
  );
  return [
    [
      "/**",
      hardline,
      ` * Describes the \`${service.name}\` service: its name, which servers started by`,
      hardline,
      ` * {@linkcode ${extra.spawn}} carry (their errors name it), and its methods.`,
      hardline,
      " */",
      hardline,
      `export const ${extra.descriptor} = {`,
      indent([
        hardline,
        `name: ${JSON.stringify(service.name)},`,
        hardline,
        "methods: ",
        methods,
        ",",
      ]),
      hardline,
      "} as const;",
    ],
    [
      `/** A method name of the \`${service.name}\` service. */`,
      hardline,
      `export type ${extra.method} =`,
      group(indent([line, `keyof ${names.responses}`])),
      ";",
    ],
    [
      "/**",
      hardline,
      ` * A layer typed for \`${service.name}\` (\`timeout(100)\`, \`retry()\`, …): the element`,
      hardline,
      ` * type of {@linkcode ${extra.spawnOptions}}'s \`serverLayers\` and \`clientLayers\`.`,
      hardline,
      " */",
      hardline,
      layerType(extra.layer, serviceType.doc),
    ],
    [
      `/** Options of {@linkcode ${extra.spawn}}: \`spawn\`'s, plus layers on either side. */`,
      hardline,
      group([
        `export interface ${extra.spawnOptions}`,
        indent([line, "extends norpc.SpawnOptions"]),
      ]),
      " {",
      indent([
        hardline,
        "/** Around the handler, in the server; the first is outermost. */",
        hardline,
        member("readonly serverLayers?:", `readonly ${extra.layer}[];`),
        hardline,
        "/** Around the channel, in the caller; the first is outermost. */",
        hardline,
        member("readonly clientLayers?:", `readonly ${extra.layer}[];`),
      ]),
      hardline,
      "}",
    ],
    [
      `/** A spawned \`${service.name}\`: its typed client and its server. */`,
      hardline,
      group([
        `export interface ${extra.spawned}`,
        indent([line, "extends AsyncDisposable"]),
      ]),
      " {",
      indent([
        hardline,
        `/** Calls the service through its channel (and \`clientLayers\`). */`,
        hardline,
        `readonly client: ${names.client};`,
        hardline,
        "/** The server loop: `close()` it, or let `await using` do it. */",
        hardline,
        "readonly server: norpc.Server;",
        hardline,
        "/**",
        hardline,
        " * A client whose every call carries `options` (a call's own win, key by",
        hardline,
        " * key): `with({ signal }).method(a)` needs no `undefined` for a skipped",
        hardline,
        " * optional parameter before the options.",
        hardline,
        " */",
        hardline,
        "with",
        parameterList(["options: Readonly<norpc.CallOptions>"]),
        `: ${names.client};`,
      ]),
      hardline,
      "}",
    ],
    [
      "/**",
      hardline,
      ` * Spawns \`impl\` as the \`${service.name}\` server (its errors name it) and returns`,
      hardline,
      " * a typed client: `spawn` with the service's name, a typed client and",
      hardline,
      " * layers on either side, without spelling a `ServiceBuilder` type.",
      hardline,
      " *",
      hardline,
      ` * @param impl The implementation of \`${service.name}\`.`,
      hardline,
      " * @param options `spawn`'s options (`capacity`, `concurrency`, …),",
      hardline,
      " * `serverLayers` and `clientLayers`.",
      hardline,
      " * @returns The client and the server; `await using` closes the server.",
      hardline,
      " */",
      hardline,
      `export function ${extra.spawn}`,
      parameterList([
        `impl: ${names.handler}`,
        `options?: ${extra.spawnOptions}`,
      ]),
      `: ${extra.spawned} {`,
      indent([
        hardline,
        "const { client, server } = startNamed",
        list(
          "(",
          [
            `${extra.descriptor}.name`,
            `${names.server}(impl)`,
            "options",
          ],
          ")",
          { trailingComma: true },
        ),
        ";",
        hardline,
        "return {",
        indent([
          hardline,
          `client: new ${names.client}`,
          list("(", ["client"], ")", { trailingComma: true }),
          ",",
          hardline,
          "server,",
          hardline,
          group([
            "with: (options) =>",
            indent([
              line,
              `new ${names.client}`,
              list("(", ["withOptions(client, options)"], ")", {
                trailingComma: true,
              }),
            ]),
          ]),
          ",",
          hardline,
          "[Symbol.asyncDispose]: () => server.close(),",
        ]),
        hardline,
        "};",
      ]),
      hardline,
      "}",
    ],
  ];
}

/** The widest line `deno fmt` leaves alone. */
const WIDTH = 80;

/**
 * `export type Name = norpc.Layer<Service, Service>;` broken as `deno fmt`
 * breaks it: after `=` too when even `export type Name = norpc.Layer<` is
 * too wide.
 */
function layerType(name: string, service: Doc): Doc {
  const args: Doc = [
    "norpc.Layer<",
    indent([hardline, service, ",", hardline, service]),
    hardline,
    ">",
  ];
  const head = `export type ${name} = norpc.Layer<`;
  if (head.length <= WIDTH) return [`export type ${name} = `, args, ";"];
  return [`export type ${name} =`, indent([hardline, args]), ";"];
}

/**
 * An interface member `head type` at one level of indent, the type moved to
 * the next line (indented) when the member does not fit, as `deno fmt` does.
 */
function member(head: string, type: string): Doc {
  if (2 + head.length + 1 + type.length <= WIDTH) return `${head} ${type}`;
  return [head, indent([hardline, type])];
}
