/**
 * The corpus: service-style interfaces from public code, each a small
 * self-contained fixture in this directory (its `SOURCE` const names the
 * repository and path it comes from; supporting types are reduced to what
 * the interface uses). Each case either generates (then `corpus_test.ts`
 * type-checks the output and makes one call through `spawn`) or is refused
 * with a located diagnostic whose hint names the workaround.
 *
 * The fixtures hold a runtime `SOURCE` const on purpose: a directory walk of
 * the generator (`deno task gen tests`) takes only files of declarations,
 * so it leaves these alone.
 *
 * @module
 */

/** A call made through the generated client of a generated case. */
export interface Smoke {
  /** The interface whose client is called. */
  readonly service: string;
  readonly method: string;
  readonly args: readonly unknown[];
  /** What the handler receives when it differs (a rest parameter's array). */
  readonly handlerArgs?: readonly unknown[];
}

/** One corpus case. */
export interface CorpusCase {
  /** The fixture, in this directory. */
  readonly file: string;
  /** Where the interface comes from: repository and path (the fixture's `SOURCE`). */
  readonly source: string;
  /** What the case shows. */
  readonly why: string;
  /** Generated and called, or refused with this diagnostic. */
  readonly expect:
    | { readonly smoke: Smoke; readonly warnings?: readonly string[] }
    | {
      readonly refused: string;
      readonly line: number;
      readonly hint: RegExp;
    };
}

/** Every case. */
export const CORPUS: readonly CorpusCase[] = [
  {
    file: "vscode_output_channel.ts",
    source: "microsoft/vscode src/vscode-dts/vscode.d.ts",
    why: "overloads of different arity; a property left out",
    expect: {
      smoke: { service: "OutputChannel", method: "show", args: [true] },
      warnings: ["property-member"],
    },
  },
  {
    file: "vscode_text_document_content_provider.ts",
    source: "microsoft/vscode src/vscode-dts/vscode.d.ts",
    why:
      "a `ProviderResult<T>` alias over `Thenable<T>` (resolved by the checker)",
    expect: {
      smoke: {
        service: "TextDocumentContentProvider",
        method: "provideTextDocumentContent",
        args: [{ scheme: "x", path: "/a" }, { isCancellationRequested: false }],
      },
      warnings: ["property-member"],
    },
  },
  {
    file: "vscode_uri_handler.ts",
    source: "microsoft/vscode src/vscode-dts/vscode.d.ts",
    why: "`ProviderResult<void>`",
    expect: {
      smoke: {
        service: "UriHandler",
        method: "handleUri",
        args: [{ scheme: "x", path: "/" }],
      },
    },
  },
  {
    file: "vscode_environment_variable_collection.ts",
    source: "microsoft/vscode src/vscode-dts/vscode.d.ts",
    why:
      "properties and a `[Symbol.iterator]` member left out, a callback parameter",
    expect: {
      smoke: {
        service: "EnvironmentVariableCollection",
        method: "get",
        args: ["PATH"],
      },
      warnings: ["property-member", "property-member", "method-name"],
    },
  },
  {
    file: "vscode_file_decoration_provider.ts",
    source: "microsoft/vscode src/vscode-dts/vscode.d.ts",
    why: "an optional event property left out, `ProviderResult<T>`",
    expect: {
      smoke: {
        service: "FileDecorationProvider",
        method: "provideFileDecoration",
        args: [{ path: "/a" }, { isCancellationRequested: false }],
      },
      warnings: ["property-member"],
    },
  },
  {
    file: "dom_permissions.ts",
    source: "microsoft/TypeScript src/lib/dom.generated.d.ts",
    why: "one promise method",
    expect: {
      smoke: {
        service: "Permissions",
        method: "query",
        args: [{ name: "push" }],
      },
    },
  },
  {
    file: "dom_storage_manager.ts",
    source: "microsoft/TypeScript src/lib/dom.generated.d.ts",
    why: "methods without parameters",
    expect: {
      smoke: { service: "StorageManager", method: "estimate", args: [] },
    },
  },
  {
    file: "dom_credentials_container.ts",
    source: "microsoft/TypeScript src/lib/dom.generated.d.ts",
    why: "optional dictionary parameters",
    expect: {
      smoke: { service: "CredentialsContainer", method: "get", args: [] },
    },
  },
  {
    file: "dom_geolocation.ts",
    source: "microsoft/TypeScript src/lib/dom.generated.d.ts",
    why: "callable-interface parameters, `| null` callbacks",
    expect: {
      smoke: { service: "Geolocation", method: "clearWatch", args: [1] },
    },
  },
  {
    file: "dom_event_target.ts",
    source: "microsoft/TypeScript src/lib/dom.generated.d.ts",
    why: "listener unions of callable interfaces",
    expect: {
      smoke: {
        service: "EventTarget",
        method: "dispatchEvent",
        args: [{ type: "x" }],
      },
    },
  },
  {
    file: "dom_file_system_directory_handle.ts",
    source: "microsoft/TypeScript src/lib/dom.generated.d.ts",
    why: "`extends` a base in the same file; inherited properties left out",
    expect: {
      smoke: {
        service: "FileSystemDirectoryHandle",
        method: "isSameEntry",
        args: [{ kind: "file", name: "a" }],
      },
      warnings: ["property-member", "property-member", "property-member"],
    },
  },
  {
    file: "dom_console.ts",
    source: "microsoft/TypeScript src/lib/dom.generated.d.ts",
    why: "rest parameters",
    expect: {
      smoke: {
        service: "Console",
        method: "log",
        args: ["x", 1, 2],
        handlerArgs: [["x", 1, 2]],
      },
    },
  },
  {
    file: "cloudflare_kv_namespace.ts",
    source:
      "cloudflare/workerd types/defines/kv.d.ts (as vendored in the search corpus: 'Stole directly from https://github.com/cloudflare/workers-types')",
    why: "overloads (one generic), a constrained default type parameter",
    expect: {
      smoke: { service: "KVNamespace", method: "get", args: ["k", "text"] },
    },
  },
  {
    file: "cloudflare_queue.ts",
    source: "cloudflare/workerd types/defines/queues.d.ts",
    why: "a generic interface instantiated with its default",
    expect: { smoke: { service: "Queue", method: "send", args: ["hi"] } },
  },
  {
    file: "cloudflare_d1_database.ts",
    source: "cloudflare/workerd types/defines/d1.d.ts",
    why:
      "generic methods with defaults; a statement type with a rest parameter",
    expect: {
      smoke: { service: "D1Database", method: "exec", args: ["select 1"] },
    },
  },
  {
    file: "cloudflare_durable_object_storage.ts",
    source: "cloudflare/workerd types/defines/do.d.ts",
    why: "overloads on the argument's type, generic methods",
    expect: {
      smoke: {
        service: "DurableObjectStorage",
        method: "delete",
        args: [["a", "b"]],
      },
    },
  },
  {
    file: "typeorm_entity_subscriber.ts",
    source: "typeorm/typeorm src/subscriber/EntitySubscriberInterface.ts",
    why: "every method optional, a generic default, `Promise<any> | void`",
    expect: {
      smoke: {
        service: "EntitySubscriberInterface",
        method: "afterLoad",
        args: [{}],
      },
    },
  },
  {
    file: "lucia_adapter.ts",
    source: "lucia-auth/lucia packages/lucia/src/database.ts",
    why: "named tuple results",
    expect: {
      smoke: { service: "Adapter", method: "getSessionAndUser", args: ["s"] },
    },
  },
  {
    file: "authjs_adapter.ts",
    source: "nextauthjs/next-auth packages/core/src/adapters.ts",
    why: "optional methods returning an `Awaitable<T>` alias",
    expect: {
      smoke: { service: "Adapter", method: "getUser", args: ["u1"] },
    },
  },
  {
    file: "email_service.d.ts",
    source: "duskfare/nexttslib server/services/email.d.ts",
    why:
      "a `.d.ts` input (output `email_service.gen.ts`), an object type alias",
    expect: {
      smoke: {
        service: "EmailService",
        method: "sendEmail",
        args: [{ from: "a", to: "b", subject: "c", text: "d" }],
      },
    },
  },
  {
    file: "blog_email_service.ts",
    source:
      "castrofilho-hildebrando/blog-with-deno src/application/ports/EmailService.ts",
    why: "a plain port",
    expect: {
      smoke: { service: "EmailService", method: "send", args: ["a", "b", "c"] },
    },
  },
  {
    file: "authhero_sessions_adapter.ts",
    source: "authhero/auth src/adapters/interfaces/Sessions.ts",
    why: "operations as function-typed properties",
    expect: {
      smoke: { service: "SessionsAdapter", method: "get", args: ["t", "s"] },
    },
  },
  {
    file: "obsidian_auth_adapter.ts",
    source: "caoimhebyrne/obsidian-auth packages/obsidian/src/adapter.ts",
    why: "documented methods",
    expect: {
      smoke: { service: "Adapter", method: "getUserById", args: ["u"] },
    },
  },
  {
    file: "db_user_adapter.ts",
    source:
      "code search corpus (unnamed repository): DBUserAdapter, an application's user adapter",
    why: "an alias of `User | null`",
    expect: {
      smoke: { service: "DBUserAdapter", method: "getUser", args: ["e"] },
    },
  },
  {
    file: "greeter_namespace.ts",
    source:
      "code search corpus: 'export namespace Greeter { export interface Service \u2026 }' (Jonathan Casarrubias' gRPC generator output)",
    why: "the service inside a namespace",
    expect: {
      refused: "namespaced-interface",
      line: 12,
      hint: /move the interface out of the namespace to the top level/,
    },
  },
  {
    file: "greeter_grpc_pb.d.ts",
    source:
      "agreatfool/grpc_tools_node_protoc_ts examples/src/grpcjs/proto/book_grpc_pb.d.ts (shape of the generated client)",
    why: "grpc-tools client overloads with callbacks, types from a package",
    expect: {
      smoke: {
        service: "IGreeterClient",
        method: "sayHello",
        args: [{}, () => {}],
      },
    },
  },
  {
    file: "grpc_greeter_server.ts",
    source:
      "yogeshkathayat/grpc-node-typescript src/proto/greeter/greeter_grpc_pb.d.ts (imported by src/handlers/greeter.ts)",
    why: "handlers typed with an alias from a package",
    expect: {
      refused: "no-service",
      line: 15,
      hint:
        /declare the operation as a method .*`sayHello\(request: Req\): Promise<Res>;`/,
    },
  },
  {
    file: "nestjs_pipe_transform.ts",
    source:
      "nestjs/nest packages/common/interfaces/features/pipe-transform.interface.ts",
    why: "a generic interface with defaults (`<T = any, R = any>`)",
    expect: {
      smoke: {
        service: "PipeTransform",
        method: "transform",
        args: [1, { type: "body" }],
      },
    },
  },
  {
    file: "nestjs_can_activate.ts",
    source:
      "nestjs/nest packages/common/interfaces/features/can-activate.interface.ts",
    why: "`boolean | Promise<boolean> | Observable<boolean>`",
    expect: {
      smoke: { service: "CanActivate", method: "canActivate", args: [{}] },
      warnings: ["service-skipped"],
    },
  },
  {
    file: "nestjs_interceptor.ts",
    source:
      "nestjs/nest packages/common/interfaces/features/nest-interceptor.interface.ts",
    why: "`Observable<R> | Promise<Observable<R>>`",
    expect: {
      smoke: {
        service: "NestInterceptor",
        method: "intercept",
        args: [{}, {}],
      },
      warnings: ["service-skipped"],
    },
  },
  {
    file: "otel_tracer.ts",
    source: "open-telemetry/opentelemetry-js api/src/trace/tracer.ts",
    why:
      "overloads of a generic method with a constrained parameter, `ReturnType<F>`",
    expect: {
      smoke: { service: "Tracer", method: "startSpan", args: ["span"] },
    },
  },
  {
    file: "otel_text_map_propagator.ts",
    source:
      "open-telemetry/opentelemetry-js api/src/propagation/TextMapPropagator.ts",
    why: "a default type parameter used in parameter types",
    expect: {
      smoke: { service: "TextMapPropagator", method: "fields", args: [] },
    },
  },
  {
    file: "otel_diag_logger.ts",
    source: "open-telemetry/opentelemetry-js api/src/diag/types.ts",
    why: "properties typed with a function alias that has a rest parameter",
    expect: {
      smoke: {
        service: "DiagLogger",
        method: "warn",
        args: ["w", 1],
        handlerArgs: ["w", [1]],
      },
    },
  },
  {
    file: "socketio_events.ts",
    source:
      "socketio/socket.io docs/categories/01-Documentation/typescript.md (typed events)",
    why: "event maps of function-typed properties",
    expect: {
      smoke: {
        service: "ServerToClientEvents",
        method: "basicEmit",
        args: [1, "b", new Uint8Array(1)],
      },
    },
  },
  {
    file: "localforage.ts",
    source: "localForage/localForage typings/localforage.d.ts",
    why: "generic methods, node-style callbacks",
    expect: {
      smoke: {
        service: "LocalForageDbMethodsCore",
        method: "getItem",
        args: ["k"],
      },
    },
  },
  {
    file: "cache_manager_store.ts",
    source: "node-cache-manager/node-cache-manager src/caching.ts",
    why: "generic methods; rest parameters",
    expect: {
      smoke: {
        service: "Store",
        method: "mget",
        args: ["a", "b"],
        handlerArgs: [["a", "b"]],
      },
    },
  },
  {
    file: "nodemailer_transport.ts",
    source:
      "DefinitelyTyped/DefinitelyTyped types/nodemailer/lib/mailer/index.d.ts",
    why: "properties left out, an optional overloaded method",
    expect: {
      smoke: { service: "Transport", method: "verify", args: [] },
      warnings: ["property-member", "property-member"],
    },
  },
  {
    file: "electron_clipboard.ts",
    source: "electron/electron electron.d.ts (docs/api/clipboard.md)",
    why: "optional literal-union parameters",
    expect: {
      smoke: { service: "Clipboard", method: "readText", args: [] },
    },
  },
  {
    file: "passport_serializer.ts",
    source: "nestjs/passport lib/passport/passport.serializer.ts",
    why: "only global types (`Express.User` from `declare global`)",
    expect: {
      smoke: {
        service: "SessionSerializer",
        method: "serializeUser",
        args: [{ id: "u" }],
      },
    },
  },
  {
    file: "multer_upload_service.ts",
    source:
      "DefinitelyTyped/DefinitelyTyped types/multer/index.d.ts (Express.Multer.File)",
    why: "a global namespace type (`Express.Multer.File`)",
    expect: {
      smoke: { service: "UploadService", method: "uploadFiles", args: [[]] },
    },
  },
  {
    file: "generic_repository.ts",
    source: "code search corpus: generic IRepository<T> of an application",
    why: "a generic interface without defaults",
    expect: {
      refused: "generic-interface",
      line: 4,
      hint:
        /`T = unknown`.*`export interface MyIRepository extends IRepository<Concrete> \{\}`/,
    },
  },
  {
    file: "tsproto_health_client.ts",
    source:
      "stephenh/ts-proto integration/nice-grpc/simple.ts (grpc.health.v1 Health)",
    why:
      "nice-grpc's `CallOptions` beside the runtime's (imported under an alias)",
    expect: {
      smoke: {
        service: "HealthClient",
        method: "check",
        args: [{ service: "db" }],
      },
    },
  },
  {
    file: "tsproto_rpc.ts",
    source: "stephenh/ts-proto integration/simple/simple.ts (interface Rpc)",
    why: "binary in, binary out",
    expect: {
      smoke: {
        service: "Rpc",
        method: "request",
        args: ["s", "m", new Uint8Array(2)],
      },
    },
  },
];
