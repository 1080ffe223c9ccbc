/**
 * Reads a TypeScript source file with the compiler API and turns its service
 * interfaces into a {@linkcode FileModel} for the emitter, or into
 * diagnostics that say where the input is unsupported and how to fix it.
 *
 * @module
 */

import ts from "typescript";
import type { Diagnostic } from "./diagnostic.ts";
import { singleFileProgram } from "./_program.ts";
import { render } from "./doc.ts";
import { dirname, isRelativeSpecifier, join, specifierTo } from "./path.ts";
import { readablePath, type TypeOracle, typeOracle } from "./oracle.ts";
import { declaredNames, DEFAULT_RUNTIME } from "./emit.ts";
import {
  combine,
  printType,
  referenceType,
  textType,
  type TypeContext,
  type TypeExpr,
  typeParameters,
  type TypeProblem,
} from "./types.ts";
import type { Doc } from "./doc.ts";

/** One parameter of a service method. */
export interface ParamModel {
  readonly name: string;
  readonly optional: boolean;
  readonly type: TypeExpr;
  /**
   * A rest parameter (`...args: T[]`, always last): the request carries its
   * elements, the handler receives them as one array.
   */
  readonly rest?: boolean;
}

/** One declared signature of a method (an overload, or the only one). */
export interface SignatureModel {
  /** JSDoc lines of this declaration. */
  readonly docs: readonly string[];
  /** `<T extends X>` as declared, or `""` when the method is not generic. */
  readonly typeParameters: Doc;
  /** The parameters with type parameters erased to their constraints. */
  readonly params: readonly ParamModel[];
  /** The parameters as declared (what the client's signature shows). */
  readonly clientParams: readonly ParamModel[];
  /** The awaited result, type parameters erased. */
  readonly returns: TypeExpr;
  /** The awaited result as declared. */
  readonly clientReturns: TypeExpr;
}

/** One method of a service interface. */
export interface MethodModel {
  readonly name: string;
  /** JSDoc lines (`/**`, ` * …`, ` *\/`), or empty. */
  readonly docs: readonly string[];
  /** Declared optional (`copy?(…)`): a handler may leave it out. */
  readonly optional: boolean;
  /**
   * What the handler takes: the parameters of the only signature, or of all
   * overloads merged (the union of the types at each position).
   */
  readonly params: readonly ParamModel[];
  /** The result type, awaited (`Promise<…>` unwrapped), of all overloads. */
  readonly returns: TypeExpr;
  /** The declared signatures: one, or the overloads in order. */
  readonly signatures: readonly SignatureModel[];
}

/** One service interface. */
export interface ServiceModel {
  readonly name: string;
  readonly docs: readonly string[];
  readonly methods: readonly MethodModel[];
}

/** A type-only import the generated file needs. */
export interface TypeImport {
  readonly specifier: string;
  /** `named`: `{ imported as local }`; `default`; `namespace`: `* as local`. */
  readonly kind: "named" | "default" | "namespace";
  readonly imported: string;
  readonly local: string;
}

/** Everything the emitter needs to write one generated file. */
export interface FileModel {
  /** The input file, as a specifier relative to the generated file. */
  readonly inputSpecifier: string;
  readonly services: readonly ServiceModel[];
  readonly imports: readonly TypeImport[];
  /** Names the generated file refers to from the input (for clash checks). */
  readonly referencedNames: ReadonlyMap<string, ts.Node>;
  /**
   * The services refer to global types the input declares or pulls in
   * (`declare global`, an `@types` namespace) and nothing else imports the
   * input: the generated file adds `import type {} from` the input.
   */
  readonly importInputForGlobals?: boolean;
}

export type { Diagnostic };

/** Options of {@linkcode parse}. */
export interface ParseOptions {
  /** The input's path; used in diagnostics and to compute import paths. */
  readonly fileName: string;
  /** The generated file's path (default: the input's, ending `.gen.ts`). */
  readonly outFileName?: string;
  /** Only these interfaces (default: every exported interface with a method). */
  readonly interfaces?: readonly string[];
  /**
   * Members that are not operations (`readonly length`, an event property)
   * and services that cannot be generated beside others are errors instead
   * of warnings.
   */
  readonly strict?: boolean;
  /** The runtime's module specifier (its own types keep their names). */
  readonly runtime?: string;
  /**
   * Type arguments for generic services, by interface name, as TypeScript
   * text (`{ Repo: "User, string" }`); a parameter not given takes its
   * default.
   */
  readonly typeArguments?: Readonly<Record<string, string>>;
}

/** The result of {@linkcode parse}. */
export interface ParseResult {
  readonly model: FileModel | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * What was left out of a generated model, one located line each: members
   * that are not operations, services skipped beside others.
   */
  readonly warnings: readonly Diagnostic[];
  /** The parsed source file (for location lookups). */
  readonly sourceFile: ts.SourceFile;
}

/** The name of the aliases that carry `typeArguments` in the parsed input. */
const TYPE_ARGS_ALIAS = "__norpc_type_arguments_";

/** Method names the generated client, server or promises rely on. */
export const RESERVED_METHOD_NAMES: ReadonlySet<string> = new Set([
  "call",
  "ready",
  "constructor",
  "then",
  "catch",
  "finally",
  "__proto__",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
]);

/** Identifiers that cannot name a parameter in strict-mode (class) code. */
const STRICT_RESERVED: ReadonlySet<string> = new Set([
  "arguments",
  "await",
  "eval",
  "implements",
  "interface",
  "let",
  "package",
  "private",
  "protected",
  "public",
  "static",
  "yield",
]);

/**
 * The output path used when none is given: `x.ts` → `x.gen.ts`, and
 * `x.d.ts` → `x.gen.ts` too (`x.d.gen.ts` would be a declaration file).
 */
export function defaultOutFileName(fileName: string): string {
  const base = fileName.replace(/(?:\.d)?\.[cm]?tsx?$|\.[cm]?jsx?$/, "");
  return base + ".gen.ts";
}

function syntaxDiagnostics(sf: ts.SourceFile): readonly ts.Diagnostic[] {
  return singleFileProgram(sf).getSyntacticDiagnostics(sf);
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) &&
    (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** Names declared at the top level of the file, with how they are exported. */
interface TopLevel {
  /** local name → node of its declaration */
  readonly declared: Map<string, ts.Node>;
  /** local name → the name it is exported as */
  readonly exported: Map<string, string>;
  /** local name → where it is imported from */
  readonly imported: Map<
    string,
    Omit<TypeImport, "specifier"> & {
      readonly specifier: string;
    }
  >;
}

function topLevel(sf: ts.SourceFile): TopLevel {
  const declared = new Map<string, ts.Node>();
  const exported = new Map<string, string>();
  const imported: TopLevel["imported"] = new Map();
  const declare = (name: ts.Identifier | undefined, node: ts.Node) => {
    if (!name) return;
    if (!declared.has(name.text)) declared.set(name.text, node);
    if (hasModifier(node, ts.SyntaxKind.ExportKeyword)) {
      exported.set(
        name.text,
        hasModifier(node, ts.SyntaxKind.DefaultKeyword) ? "default" : name.text,
      );
    }
  };
  for (const st of sf.statements) {
    if (
      ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) ||
      ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) ||
      ts.isFunctionDeclaration(st)
    ) {
      declare(st.name, st);
    } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
      declare(st.name, st);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) {
          declared.set(d.name.text, st);
          if (hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
            exported.set(d.name.text, d.name.text);
          }
        }
      }
    } else if (
      ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) &&
      st.importClause
    ) {
      const specifier = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (clause.name) {
        imported.set(clause.name.text, {
          specifier,
          kind: "default",
          imported: "default",
          local: clause.name.text,
        });
      }
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        imported.set(bindings.name.text, {
          specifier,
          kind: "namespace",
          imported: "*",
          local: bindings.name.text,
        });
      } else if (bindings) {
        for (const el of bindings.elements) {
          imported.set(el.name.text, {
            specifier,
            kind: "named",
            imported: (el.propertyName ?? el.name).text,
            local: el.name.text,
          });
        }
      }
    } else if (
      ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause &&
      ts.isNamedExports(st.exportClause)
    ) {
      for (const el of st.exportClause.elements) {
        exported.set((el.propertyName ?? el.name).text, el.name.text);
      }
    } else if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) {
      exported.set(st.expression.text, "default");
    }
  }
  return { declared, exported, imported };
}

/**
 * Whether the file is a service definition: it exports an interface (or an
 * object type alias) with an operation and holds only imports, exports and
 * type declarations, ambient ones included (no runtime code). A directory
 * walk generates code for these files only.
 *
 * @param sourceText The file's text.
 * @param fileName Its name (for the parser).
 */
export function isServiceDefinition(
  sourceText: string,
  fileName: string,
): boolean {
  const sf = ts.createSourceFile(
    fileName,
    sourceText,
    ts.ScriptTarget.Latest,
    true,
  );
  let service = false;
  for (const st of sf.statements) {
    const decl = serviceDecl(st);
    if (decl) {
      if (
        hasModifier(st, ts.SyntaxKind.ExportKeyword) &&
        decl.members.some(isOperation)
      ) service = true;
    } else if (
      // `declare global { … }` and other ambient declarations hold types only.
      !(ts.isModuleDeclaration(st) &&
        hasModifier(st, ts.SyntaxKind.DeclareKeyword)) &&
      !ts.isImportDeclaration(st) && !ts.isTypeAliasDeclaration(st) &&
      !ts.isExportDeclaration(st) && !ts.isEmptyStatement(st)
    ) {
      return false;
    }
  }
  return service;
}

/** Extracts the JSDoc comment right before a node, one string per line. */
function jsDocLines(node: ts.Node, sf: ts.SourceFile): string[] {
  const text = sf.getFullText();
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  const docs = ranges.filter((r) =>
    r.kind === ts.SyntaxKind.MultiLineCommentTrivia &&
    text.startsWith("/**", r.pos) && !text.startsWith("/**/", r.pos)
  );
  if (docs.length === 0) return [];
  const last = docs[docs.length - 1];
  const lines = text.slice(last.pos, last.end).split(/\r?\n/);
  return lines.map((raw, i) => {
    const trimmed = raw.trim();
    if (i === 0) return trimmed;
    if (trimmed.startsWith("*")) return (" " + trimmed).trimEnd();
    return (" * " + trimmed).trimEnd();
  });
}

/**
 * Joins the lines of a message: messages quote source text (a type, a
 * computed name) that may span lines, and a diagnostic prints as exactly
 * `file:line:col: error: message` plus one hint line (the fuzz test found
 * multi-line hints).
 */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]\s*/g, " ");
}

interface Reporter {
  (
    node: ts.Node | undefined,
    code: string,
    message: string,
    hint: string,
  ): void;
}

/** An interface, or a type alias of an object type, that may be a service. */
interface ServiceDecl {
  readonly name: string;
  readonly node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration;
  readonly nameNode: ts.Identifier;
  readonly typeParameters:
    | ts.NodeArray<ts.TypeParameterDeclaration>
    | undefined;
  readonly members: ts.NodeArray<ts.TypeElement>;
  readonly heritage: readonly ts.ExpressionWithTypeArguments[];
}

function serviceDecl(st: ts.Statement): ServiceDecl | undefined {
  if (ts.isInterfaceDeclaration(st)) {
    return {
      name: st.name.text,
      node: st,
      nameNode: st.name,
      typeParameters: st.typeParameters,
      members: st.members,
      heritage: st.heritageClauses?.flatMap((h) => h.types) ?? [],
    };
  }
  if (ts.isTypeAliasDeclaration(st) && ts.isTypeLiteralNode(st.type)) {
    return {
      name: st.name.text,
      node: st,
      nameNode: st.name,
      typeParameters: st.typeParameters,
      members: st.type.members,
      heritage: [],
    };
  }
  return undefined;
}

/** A function-typed property, `find: (id: string) => Promise<User>`. */
function propertyFunction(m: ts.TypeElement): ts.FunctionTypeNode | undefined {
  if (!ts.isPropertySignature(m) || !m.type) return undefined;
  return functionType(m.type, m.getSourceFile(), 0);
}

/**
 * The function type a type node stands for: written in place, or named by
 * a non-generic type alias of this file (`error: DiagLogFunction`).
 */
function functionType(
  node: ts.TypeNode,
  sf: ts.SourceFile,
  depth: number,
): ts.FunctionTypeNode | undefined {
  while (ts.isParenthesizedTypeNode(node)) node = node.type;
  if (ts.isFunctionTypeNode(node)) return node;
  if (
    depth < 8 && ts.isTypeReferenceNode(node) &&
    ts.isIdentifier(node.typeName) && !node.typeArguments
  ) {
    const name = node.typeName.text;
    const alias = sf.statements.find((st): st is ts.TypeAliasDeclaration =>
      ts.isTypeAliasDeclaration(st) && st.name.text === name &&
      !st.typeParameters
    );
    if (alias) return functionType(alias.type, sf, depth + 1);
  }
  return undefined;
}

/** Whether a member is an operation: a method or a function-typed property. */
function isOperation(m: ts.TypeElement): boolean {
  return ts.isMethodSignature(m) || propertyFunction(m) !== undefined;
}

/**
 * Parses the input and builds the model of its service interfaces.
 *
 * @param sourceText The input file's text.
 * @param options File names and the interfaces to generate.
 * @returns The model, or diagnostics (the model is absent when there are any).
 */
export function parse(sourceText: string, options: ParseOptions): ParseResult {
  const fileName = options.fileName;
  const outFileName = options.outFileName ?? defaultOutFileName(fileName);
  // Type arguments given for generic services are parsed as tuple aliases
  // appended to the input, so their names resolve in the input's scope.
  const typeArgs = Object.entries(options.typeArguments ?? {}).sort();
  const badTypeArgs = typeArgs.filter(([, text]) =>
    syntaxDiagnostics(
        ts.createSourceFile(
          "args.ts",
          `type A = [${text}];`,
          ts.ScriptTarget.Latest,
          true,
        ),
      ).length > 0 || /[\]\n;]/.test(text)
  );
  const suffix = badTypeArgs.length > 0
    ? ""
    : typeArgs.map(([, text], i) =>
      `\ntype ${TYPE_ARGS_ALIAS}${i} = [${text}];`
    ).join("");
  const sf = ts.createSourceFile(
    fileName,
    sourceText + suffix,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const diagnostics: Diagnostic[] = [];
  for (const [name, text] of badTypeArgs) {
    diagnostics.push({
      file: fileName,
      line: 1,
      column: 1,
      code: "type-arguments",
      message: oneLine(
        `the type arguments given for \`${name}\` do not parse: ${text}`,
      ),
      hint: `give types separated by commas, e.g. \`${name}=User, string\``,
    });
  }
  const warnings: Diagnostic[] = [];
  const at = (pos: number) => {
    const lc = sf.getLineAndCharacterOfPosition(pos);
    return { line: lc.line + 1, column: lc.character + 1 };
  };
  const diagnostic = (
    node: ts.Node | undefined,
    code: string,
    message: string,
    hint: string,
  ): Diagnostic => ({
    file: fileName,
    ...(node ? at(node.getStart(sf)) : { line: 1, column: 1 }),
    code,
    message: oneLine(message),
    hint: oneLine(hint),
  });
  const report: Reporter = (node, code, message, hint) => {
    diagnostics.push(diagnostic(node, code, message, hint));
  };

  for (const d of syntaxDiagnostics(sf)) {
    const loc = at(d.start ?? 0);
    diagnostics.push({
      file: fileName,
      ...loc,
      code: "syntax",
      message: oneLine(
        "syntax error: " + ts.flattenDiagnosticMessageText(d.messageText, " "),
      ),
      hint: "fix the TypeScript syntax; `deno check` shows the same error",
    });
  }
  if (diagnostics.length > 0) {
    return { model: undefined, diagnostics, warnings, sourceFile: sf };
  }

  const scope = topLevel(sf);
  const outDir = dirname(outFileName);
  const inputDir = dirname(fileName);
  const inputSpecifier = specifierTo(outDir, fileName);
  const rewrite = (specifier: string) =>
    isRelativeSpecifier(specifier) && outDir !== inputDir
      ? specifierTo(outDir, join(inputDir, specifier))
      : specifier;
  // A declaration file with no import or export is a script: what it
  // declares is global, and reaches the generated file through
  // `import type {} from` the input.
  const globalScript = /\.d\.[cm]?ts$/.test(fileName) &&
    !sf.statements.some((st) =>
      ts.isImportDeclaration(st) || ts.isExportDeclaration(st) ||
      ts.isExportAssignment(st) || ts.isImportEqualsDeclaration(st) ||
      hasModifier(st, ts.SyntaxKind.ExportKeyword)
    );
  const oracle = typeOracle(sf, readablePath(fileName));
  const selected = selectServices(
    sf,
    scope,
    options.interfaces,
    globalScript,
    report,
  );
  if (diagnostics.length > 0) {
    return { model: undefined, diagnostics, warnings, sourceFile: sf };
  }
  const explicit = (options.interfaces?.length ?? 0) > 0;
  const strict = options.strict === true;
  const renames = clashingNames(selected, scope, options.runtime);
  const givenTypeArgs = new Map<string, readonly ts.TypeNode[]>();
  for (const [i, [name]] of typeArgs.entries()) {
    const alias = sf.statements.find((st) =>
      ts.isTypeAliasDeclaration(st) && st.name.text === TYPE_ARGS_ALIAS + i
    ) as ts.TypeAliasDeclaration | undefined;
    const decl = selected.find((d) => d.name === name);
    // Given for another input of the same run: not this file's business.
    if (!decl) continue;
    const arity = decl?.typeParameters?.length ?? 0;
    const tuple = alias && ts.isTupleTypeNode(alias.type)
      ? alias.type.elements
      : undefined;
    if (!tuple || tuple.length > arity) {
      report(
        decl.nameNode,
        "type-arguments",
        `\`${name}\` takes ${arity} type argument(s); ${tuple?.length} were given`,
        "give at most as many type arguments as the interface declares",
      );
      continue;
    }
    givenTypeArgs.set(name, tuple);
  }
  if (diagnostics.length > 0) {
    return { model: undefined, diagnostics, warnings, sourceFile: sf };
  }

  interface Built {
    readonly model: ServiceModel;
    readonly errors: Diagnostic[];
    readonly skipped: Diagnostic[];
    readonly imports: Map<string, TypeImport>;
    readonly referencedNames: Map<string, ts.Node>;
    readonly needsSource: boolean;
  }
  const built: Built[] = [];
  for (const decl of selected) {
    const errors: Diagnostic[] = [];
    const skipped: Diagnostic[] = [];
    // While a method is built, its problems go to `methodSink`: a method
    // that cannot be generated is left out (with a warning) when the
    // service keeps other methods.
    let methodSink: Diagnostic[] | undefined;
    const serviceReport: Reporter = (node, code, message, hint) => {
      (methodSink ?? errors).push(diagnostic(node, code, message, hint));
    };
    const skip: Reporter = (node, code, message, hint) => {
      (strict ? errors : skipped).push(
        diagnostic(node, code, message, hint),
      );
    };
    const references: { name: string; node: ts.Node }[] = [];
    const typeContext: TypeContext = {
      sourceFile: sf,
      onReference: (ref) => references.push(ref),
      onProblem: (p: TypeProblem) =>
        serviceReport(p.node, p.code, p.message, p.hint),
      rewriteSpecifier: rewrite,
      renames,
    };
    const model = serviceModel(decl, givenTypeArgs.get(decl.name) ?? [], {
      sf,
      scope,
      oracle,
      typeContext,
      report: serviceReport,
      skip,
      method: (build) => {
        const sink: Diagnostic[] = [];
        methodSink = sink;
        try {
          return { result: build(), problems: sink };
        } finally {
          methodSink = undefined;
        }
      },
      strict,
      leaveOut: (problems) => (strict ? errors : skipped).push(...problems),
      refuse: (problems) => errors.push(...problems),
    });
    const imports = new Map<string, TypeImport>();
    const referencedNames = new Map<string, ts.Node>();
    let needsSource = false;
    for (const ref of references) {
      // The name the generated file knows the type by.
      const local = renames.get(ref.name) ?? ref.name;
      if (!referencedNames.has(local)) referencedNames.set(local, ref.node);
      const imp = scope.imported.get(ref.name);
      if (imp) {
        imports.set(local, {
          ...imp,
          local,
          specifier: rewrite(imp.specifier),
        });
        continue;
      }
      const decl = scope.declared.get(ref.name);
      if (!decl) {
        // A global: the runtime's own, or one the input declares or pulls
        // in (`declare global`, a namespace of an `@types` package).
        if (!STANDARD_GLOBALS.has(ref.name)) needsSource = true;
        continue;
      }
      if (globalScript) {
        needsSource = true;
        continue;
      }
      const exportedAs = scope.exported.get(ref.name);
      if (exportedAs === undefined) {
        const where = at(decl.getStart(sf));
        serviceReport(
          ref.node,
          "not-exported",
          `\`${ref.name}\` (declared at ${fileName}:${where.line}:${where.column}) is not exported, so the generated file cannot import it`,
          `add \`export\` to the declaration of \`${ref.name}\``,
        );
        continue;
      }
      imports.set(local, {
        specifier: inputSpecifier,
        kind: exportedAs === "default" ? "default" : "named",
        imported: exportedAs,
        local,
      });
    }
    built.push({
      model,
      errors,
      skipped,
      imports,
      referencedNames,
      needsSource,
    });
  }

  // Given no names, the generator takes every service it can: one that
  // cannot be generated is skipped (and named) when others can.
  const failed = built.filter((b) => b.errors.length > 0);
  const lenient = !explicit && !strict && failed.length < built.length;
  const kept: Built[] = [];
  for (const b of built) {
    if (b.errors.length === 0) {
      kept.push(b);
      warnings.push(
        ...b.skipped.toSorted((x, y) => x.line - y.line || x.column - y.column),
      );
    } else if (lenient) {
      const decl = selected.find((d) => d.name === b.model.name)!;
      warnings.push(
        diagnostic(
          decl.nameNode,
          "service-skipped",
          `\`${b.model.name}\` is skipped: ${b.errors[0].message} (at ${
            b.errors[0].line
          }:${b.errors[0].column})`,
          `${b.errors[0].hint}; or leave it out with \`--interface\``,
        ),
      );
    } else {
      // In the order of the source, whichever pass found them; a problem
      // of a shared declaration (a type alias) once.
      const seen = new Set<string>();
      diagnostics.push(
        ...b.errors.toSorted((x, y) => x.line - y.line || x.column - y.column)
          .filter((d) => {
            const key = `${d.line}:${d.column}:${d.code}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          }),
      );
    }
  }
  if (diagnostics.length > 0) {
    return { model: undefined, diagnostics, warnings, sourceFile: sf };
  }

  // An inherited member is left out of each service that inherits it:
  // say so once.
  const said = new Set<string>();
  const uniqueWarnings = warnings.filter((w) => {
    const key = `${w.line}:${w.column}:${w.code}`;
    if (said.has(key)) return false;
    said.add(key);
    return true;
  });
  warnings.length = 0;
  warnings.push(...uniqueWarnings);
  const imports = new Map<string, TypeImport>();
  const referencedNames = new Map<string, ts.Node>();
  let needsSource = false;
  for (const b of kept) {
    for (const [k, v] of b.imports) imports.set(k, v);
    for (const [k, v] of b.referencedNames) {
      if (!referencedNames.has(k)) referencedNames.set(k, v);
    }
    needsSource ||= b.needsSource;
  }
  const importsInput = [...imports.values()].some((i) =>
    i.specifier === inputSpecifier
  );
  return {
    model: {
      inputSpecifier,
      services: kept.map((b) => b.model),
      imports: [...imports.values()],
      referencedNames,
      importInputForGlobals: needsSource && !importsInput,
    },
    diagnostics,
    warnings,
    sourceFile: sf,
  };
}

/**
 * The input's names that the generated file also declares or imports from
 * the runtime (ts-proto's nice-grpc clients take nice-grpc's `CallOptions`):
 * the generated file imports them under an alias instead. A name imported
 * from the runtime itself is the same type and keeps its name.
 */
function clashingNames(
  services: readonly ServiceDecl[],
  scope: TopLevel,
  runtime: string | undefined,
): Map<string, string> {
  const generated = declaredNames(services);
  const taken = new Set([
    ...generated.keys(),
    ...scope.declared.keys(),
    ...scope.imported.keys(),
  ]);
  const renames = new Map<string, string>();
  for (
    const name of new Set([...scope.imported.keys(), ...scope.declared.keys()])
  ) {
    if (!generated.has(name)) continue;
    const imp = scope.imported.get(name);
    if (
      imp && imp.specifier === (runtime ?? DEFAULT_RUNTIME) &&
      imp.kind === "named" && imp.imported === name
    ) continue;
    let alias = name + "_";
    while (taken.has(alias)) alias += "_";
    taken.add(alias);
    renames.set(name, alias);
  }
  return renames;
}

/**
 * Global type names every TypeScript/Deno program has (ES and web platform
 * types): a reference to any other global name (from `declare global`, or a
 * namespace such as `Express`) makes the generated file import the input so
 * the global is declared when the generated file is checked on its own.
 */
const STANDARD_GLOBALS: ReadonlySet<string> = new Set([
  "AbortSignal",
  "AggregateError",
  "Array",
  "ArrayBuffer",
  "ArrayBufferLike",
  "ArrayBufferView",
  "ArrayLike",
  "AsyncGenerator",
  "AsyncIterable",
  "AsyncIterableIterator",
  "AsyncIterator",
  "Awaited",
  "BigInt",
  "BigInt64Array",
  "BigUint64Array",
  "Blob",
  "Boolean",
  "BufferSource",
  "Capitalize",
  "ConstructorParameters",
  "DataView",
  "Date",
  "Deno",
  "Error",
  "Exclude",
  "Extract",
  "File",
  "Float32Array",
  "Float64Array",
  "FormData",
  "Function",
  "Generator",
  "Headers",
  "InstanceType",
  "Int16Array",
  "Int32Array",
  "Int8Array",
  "Intl",
  "Iterable",
  "IterableIterator",
  "Iterator",
  "JSON",
  "Lowercase",
  "Map",
  "Math",
  "NoInfer",
  "NonNullable",
  "Number",
  "Object",
  "Omit",
  "Parameters",
  "Partial",
  "Pick",
  "Promise",
  "PromiseLike",
  "PropertyKey",
  "Readonly",
  "ReadonlyArray",
  "ReadonlyMap",
  "ReadonlySet",
  "ReadableStream",
  "Record",
  "RegExp",
  "Request",
  "RequestInit",
  "Required",
  "Response",
  "ResponseInit",
  "ReturnType",
  "Set",
  "SharedArrayBuffer",
  "String",
  "Symbol",
  "TemplateStringsArray",
  "TextDecoder",
  "TextEncoder",
  "ThisParameterType",
  "TransformStream",
  "Uint16Array",
  "Uint32Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Uncapitalize",
  "Uppercase",
  "URL",
  "URLSearchParams",
  "WeakMap",
  "WeakRef",
  "WeakSet",
  "WritableStream",
  "globalThis",
]);

function selectServices(
  sf: ts.SourceFile,
  scope: TopLevel,
  names: readonly string[] | undefined,
  globalScript: boolean,
  report: Reporter,
): ServiceDecl[] {
  const all = sf.statements.flatMap((st) => serviceDecl(st) ?? []);
  const isExported = (d: ServiceDecl) =>
    globalScript || scope.exported.has(d.name) ||
    hasModifier(d.node, ts.SyntaxKind.DeclareKeyword);
  const selected: ServiceDecl[] = [];
  if (names && names.length > 0) {
    // A name given twice is one request (and one diagnostic if it is wrong).
    for (const name of new Set(names)) {
      const decl = all.find((d) => d.name === name);
      if (!decl) {
        const nested = namespaced(sf, name);
        report(
          nested,
          nested ? "namespaced-interface" : "interface-not-found",
          nested
            ? `interface \`${name}\` is inside a namespace; the generator reads top-level declarations`
            : `interface \`${name}\` is not declared in this file`,
          nested
            ? `move the interface out of the namespace to the top level of the file (the generated names would clash across namespaces)`
            : `declare \`export interface ${name} { … }\` here, or name one of: ${
              all.map((d) => d.name).join(", ") || "(no interfaces)"
            }`,
        );
      } else if (!isExported(decl)) {
        report(
          decl.nameNode,
          "not-exported",
          `interface \`${name}\` is not exported`,
          `write \`export interface ${name}\``,
        );
      } else if (!selected.includes(decl)) {
        selected.push(decl);
      }
    }
  } else {
    const exported = all.filter(isExported);
    if (exported.length === 0) {
      const nested = namespaced(sf);
      report(
        nested,
        nested ? "namespaced-interface" : "no-interface",
        nested
          ? `the services of this file are inside a namespace; the generator reads top-level declarations`
          : "the file exports no interface, so there is no service to generate",
        nested
          ? "move the interface out of the namespace to the top level of the file"
          : "export an interface whose members are methods, e.g. `export interface Greeter { hello(name: string): string; }`",
      );
      return [];
    }
    // An interface that only extends (`interface UserRepo extends
    // Repo<User> {}`) is a service when a base in this file declares
    // operations.
    const hasOperations = (d: ServiceDecl, seen: Set<ServiceDecl>): boolean => {
      if (seen.has(d)) return false;
      seen.add(d);
      return d.members.some(isOperation) ||
        d.heritage.some((h) => {
          const base = ts.isIdentifier(h.expression)
            ? all.find((b) => b.name === (h.expression as ts.Identifier).text)
            : undefined;
          return base !== undefined && hasOperations(base, seen);
        });
    };
    selected.push(...exported.filter((d) => hasOperations(d, new Set())));
    const nested = selected.length === 0 ? namespaced(sf) : undefined;
    const opaque = selected.length === 0
      ? exported.flatMap((d) => d.members).find((m) =>
        ts.isPropertySignature(m) && m.type !== undefined &&
        ts.isTypeReferenceNode(m.type) && !ts.isIdentifier(m.type.typeName)
      )
      : undefined;
    if (nested) {
      report(
        nested,
        "namespaced-interface",
        "the service interface is inside a namespace; the generator reads top-level declarations",
        "move the interface out of the namespace to the top level of the file",
      );
    } else if (opaque && ts.isPropertySignature(opaque)) {
      const n = opaque.name.getText(sf);
      report(
        opaque,
        "no-service",
        `\`${n}\` is typed \`${
          opaque.type!.getText(sf)
        }\`, a type from another module the generator cannot read into, and no exported interface declares a method`,
        `declare the operation as a method with its parameters and result, e.g. \`${n}(request: Req): Promise<Res>;\``,
      );
    } else if (selected.length === 0) {
      report(
        exported[0].nameNode,
        "no-service",
        "no exported interface declares a method, so there is no service to generate",
        "write each operation as a method, `hello(name: string): string;`, or as a function-typed property, `hello: (name: string) => string;`",
      );
    }
  }
  // Both declarations of a duplicate can be selected: report the name once.
  const duplicates = new Set<string>();
  for (const decl of selected) {
    const same = all.filter((d) => d.name === decl.name);
    if (same.length > 1 && !duplicates.has(decl.name)) {
      duplicates.add(decl.name);
      report(
        same[1].nameNode,
        "duplicate-interface",
        `interface \`${decl.name}\` is declared ${same.length} times; norpc does not merge declarations`,
        "merge the declarations into one interface",
      );
    }
  }
  return selected;
}

/** The first interface inside a namespace (named `name`, if given). */
function namespaced(sf: ts.SourceFile, name?: string): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isInterfaceDeclaration(n) && ts.isModuleBlock(n.parent) &&
      (name === undefined || n.name.text === name) &&
      n.members.some(isOperation)
    ) {
      found = n.name;
      return;
    }
    if (ts.isModuleDeclaration(n) || ts.isModuleBlock(n)) {
      ts.forEachChild(n, visit);
    }
  };
  for (const st of sf.statements) {
    if (ts.isModuleDeclaration(st)) visit(st);
  }
  return found;
}

/** What building a service model needs. */
interface ServiceContext {
  readonly sf: ts.SourceFile;
  readonly scope: TopLevel;
  readonly oracle: TypeOracle;
  readonly typeContext: TypeContext;
  /** Problems that make the service impossible to generate. */
  readonly report: Reporter;
  /** Members left out of the service (errors with `strict`). */
  readonly skip: Reporter;
  /** Whether members left out are errors. */
  readonly strict: boolean;
  /** Builds one method, collecting its problems apart. */
  readonly method: <T>(
    build: () => T,
  ) => { result: T; problems: Diagnostic[] };
  /** Reports the problems of a method left out (errors with `strict`). */
  readonly leaveOut: (problems: readonly Diagnostic[]) => void;
  /** Reports the problems of methods as errors. */
  readonly refuse: (problems: readonly Diagnostic[]) => void;
}

/** A member with the type parameter substitutions of where it was declared. */
interface ScopedMember {
  readonly member: ts.TypeElement;
  readonly substitutions: ReadonlyMap<string, TypeExpr>;
}

/**
 * Instantiates a declaration's type parameters: with the given type
 * arguments, else with their defaults. A parameter with neither is reported.
 */
function instantiate(
  decl: ServiceDecl,
  args: readonly ts.TypeNode[],
  outer: ReadonlyMap<string, TypeExpr>,
  ctx: ServiceContext,
  where: ts.Node,
): Map<string, TypeExpr> {
  const map = new Map<string, TypeExpr>();
  const params = decl.typeParameters ?? [];
  const typeContext = { ...ctx.typeContext, substitutions: outer };
  for (const [i, p] of params.entries()) {
    const scoped = { ...ctx.typeContext, substitutions: map };
    const arg = args[i];
    if (arg) map.set(p.name.text, printType(arg, typeContext));
    else if (p.default) map.set(p.name.text, printType(p.default, scoped));
    else {
      ctx.report(
        where === decl.nameNode ? p : where,
        "generic-interface",
        `interface \`${decl.name}\` is generic and \`${p.name.text}\` has no default; a service needs concrete types`,
        `give it a default (\`${p.name.text} = unknown\`), pass \`--type-args "${decl.name}=Concrete"\`, or generate a concrete interface instead: \`export interface My${decl.name} extends ${decl.name}<Concrete> {}\``,
      );
      // Go on as if `unknown`, to report the members' problems too.
      map.set(p.name.text, textType("unknown"));
    }
  }
  return map;
}

/**
 * The members of a service with those it inherits (bases declared in the
 * same file, with their type arguments); a member redeclared lower down
 * replaces the inherited one, as in TypeScript.
 */
function collectMembers(
  decl: ServiceDecl,
  substitutions: ReadonlyMap<string, TypeExpr>,
  ctx: ServiceContext,
  seen: Set<ts.Node>,
): ScopedMember[] {
  seen.add(decl.node);
  const inherited: ScopedMember[] = [];
  for (const h of decl.heritage) {
    const base = ts.isIdentifier(h.expression)
      ? ctx.sf.statements.flatMap((st) => serviceDecl(st) ?? []).find((d) =>
        d.name === (h.expression as ts.Identifier).text
      )
      : undefined;
    if (!base) {
      const name = h.expression.getText(ctx.sf);
      const root = name.split(".")[0];
      const from = ctx.scope.imported.get(root)?.specifier;
      // The service's own operations still stand: the inherited ones are
      // left out, named (refused with `strict`, or when nothing is left).
      (decl.members.some(isOperation) ? ctx.skip : ctx.report)(
        h,
        "extends",
        `interface \`${decl.name}\` extends \`${name}\`, which is not declared in this file${
          from ? ` (it comes from "${from}")` : ""
        }; its members are left out (the generator reads one file)`,
        from
          ? `declare the methods of \`${name}\` you need in \`${decl.name}\`, or run the generator on the file that declares \`${name}\``
          : `declare the methods of \`${name}\` you need in \`${decl.name}\``,
      );
      continue;
    }
    if (seen.has(base.node)) continue;
    const map = instantiate(
      base,
      h.typeArguments ?? [],
      substitutions,
      ctx,
      h,
    );
    inherited.push(...collectMembers(base, map, ctx, seen));
  }
  const own = decl.members.map((member) => ({ member, substitutions }));
  const ownNames = new Set(own.flatMap(({ member }) => memberName(member)));
  return [
    ...inherited.filter(({ member }) => {
      const n = memberName(member);
      return n === undefined || !ownNames.has(n);
    }),
    ...own,
  ];
}

function memberName(m: ts.TypeElement): string | undefined {
  return m.name && ts.isIdentifier(m.name) ? m.name.text : undefined;
}

function serviceModel(
  decl: ServiceDecl,
  typeArgs: readonly ts.TypeNode[],
  ctx: ServiceContext,
): ServiceModel {
  const name = decl.name;
  const docs = jsDocLines(decl.node, ctx.sf);
  const substitutions = instantiate(
    decl,
    typeArgs,
    new Map(),
    ctx,
    decl.nameNode,
  );
  const members = collectMembers(decl, substitutions, ctx, new Set());
  if (members.length === 0 && decl.heritage.length === 0) {
    ctx.report(
      decl.nameNode,
      "empty-interface",
      `interface \`${name}\` has no methods`,
      "add at least one method, e.g. `hello(name: string): string;`",
    );
  }
  // Overloads are the declarations of one name, in order.
  const groups = new Map<string, ScopedMember[]>();
  let left = 0;
  for (const scoped of members) {
    const problem = memberProblem(scoped.member);
    if (problem) {
      ctx.skip(scoped.member, ...problem);
      left++;
      continue;
    }
    const m = scoped.member as ts.MethodSignature | ts.PropertySignature;
    if (!ts.isIdentifier(m.name)) {
      ctx.skip(
        m.name,
        "method-name",
        `method name ${
          m.name.getText(ctx.sf)
        } is not an identifier; it is left out of the service`,
        "name the method with a plain identifier, e.g. `getUser`",
      );
      left++;
      continue;
    }
    const list = groups.get(m.name.text) ?? [];
    list.push(scoped);
    groups.set(m.name.text, list);
  }
  const methods: MethodModel[] = [];
  const failed: Diagnostic[] = [];
  for (const [methodName, group] of groups) {
    const { result, problems } = ctx.method(() =>
      methodModel(methodName, group, ctx)
    );
    if (result && problems.length === 0) methods.push(result);
    else failed.push(...problems);
  }
  // A method that cannot be generated is left out, named, when others can.
  if (methods.length > 0) ctx.leaveOut(failed);
  else ctx.refuse(failed);
  if (members.length > 0 && left === members.length && !ctx.strict) {
    ctx.report(
      decl.nameNode,
      "no-methods",
      `interface \`${name}\` has no method the generator can serve`,
      "declare at least one operation as a method, `hello(name: string): string;`",
    );
  }
  return { name, docs, methods };
}

function memberProblem(
  m: ts.TypeElement,
): [string, string, string] | undefined {
  if (ts.isPropertySignature(m)) {
    if (propertyFunction(m)) return undefined;
    const n = m.name.getText();
    return [
      "property-member",
      `\`${n}\` is a property, not an operation; it is left out of the service`,
      "a service carries calls only: expose the value through a method, `get" +
      upperFirst(n.replace(/^["'`[]|["'`\]]$/g, "")) + "(): T;`",
    ];
  }
  if (ts.isIndexSignatureDeclaration(m)) {
    return [
      "index-signature",
      "an index signature is not an operation; it is left out of the service",
      "declare each operation by name",
    ];
  }
  if (ts.isCallSignatureDeclaration(m)) {
    return [
      "call-signature",
      "a call signature is not an operation; it is left out of the service",
      "give the operation a name: `run(…): T;`",
    ];
  }
  if (ts.isConstructSignatureDeclaration(m)) {
    return [
      "construct-signature",
      "a construct signature is not an operation; it is left out of the service",
      "give the operation a name: `create(…): T;`",
    ];
  }
  if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
    return [
      "accessor",
      "an accessor is not an operation; it is left out of the service",
      "write a method instead: `getX(): T;` or `setX(value: T): void;`",
    ];
  }
  if (!ts.isMethodSignature(m)) {
    return [
      "unsupported-member",
      "this member is not an operation; it is left out of the service",
      "a service interface has methods",
    ];
  }
  return undefined;
}

function upperFirst(s: string): string {
  return s.slice(0, 1).toUpperCase() + s.slice(1);
}

/** The parts of a method or function-typed property's signature. */
function signatureOf(m: ts.MethodSignature | ts.PropertySignature): {
  typeParameters: ts.NodeArray<ts.TypeParameterDeclaration> | undefined;
  parameters: ts.NodeArray<ts.ParameterDeclaration>;
  type: ts.TypeNode | undefined;
} {
  const fn = ts.isPropertySignature(m) ? propertyFunction(m)! : m;
  return {
    typeParameters: fn.typeParameters,
    parameters: fn.parameters,
    type: fn.type,
  };
}

function methodModel(
  name: string,
  group: readonly ScopedMember[],
  ctx: ServiceContext,
): MethodModel | undefined {
  const { sf, report } = ctx;
  const first = group[0].member as ts.MethodSignature | ts.PropertySignature;
  if (RESERVED_METHOD_NAMES.has(name)) {
    report(
      first.name,
      "reserved-name",
      `method name \`${name}\` clashes with a member the generated client or server relies on`,
      `rename it (reserved: ${[...RESERVED_METHOD_NAMES].join(", ")})`,
    );
    return undefined;
  }
  const optional = group.some(({ member }) => member.questionToken);
  const signatures: SignatureModel[] = [];
  for (const scoped of group) {
    const sig = signatureModel(name, scoped, ctx);
    if (sig) signatures.push(sig);
  }
  if (signatures.length < group.length) return undefined;
  const docs = jsDocLines(first, sf);
  if (signatures.length > 1 && signatures.some((s) => s.params.at(-1)?.rest)) {
    report(
      first.name,
      "rest-parameter",
      `method \`${name}\` is overloaded and an overload has a rest parameter; the call options could not follow it`,
      "take an array instead of the rest parameter, or give that overload its own name",
    );
    return undefined;
  }
  if (signatures.length === 1) {
    const s = signatures[0];
    return {
      name,
      docs,
      optional,
      params: s.params,
      returns: s.returns,
      signatures,
    };
  }
  // The handler takes the union of the overloads: at each position, the
  // union of the types there (`undefined` too when an overload is shorter).
  const arity = Math.max(...signatures.map((s) => s.params.length));
  const params: ParamModel[] = [];
  // Overloads name a position differently (`options`, `type`): the merged
  // parameter takes the last name not used at an earlier position.
  const names = new Set<string>();
  for (let i = 0; i < arity; i++) {
    const at = signatures.map((s) => s.params[i]);
    const present = at.filter((p): p is ParamModel => p !== undefined);
    const missing = present.length < at.length;
    let paramName = present.map((p) =>
      p.name
    ).reverse().find((n) => !names.has(n)) ?? present[present.length - 1].name;
    while (names.has(paramName)) paramName += "_";
    names.add(paramName);
    params.push({
      name: paramName,
      optional: missing || present.some((p) => p.optional),
      type: union(present.map((p) => p.type)),
    });
  }
  return {
    name,
    docs,
    optional,
    params,
    returns: union(signatures.map((s) => s.returns)),
    signatures,
  };
}

/** The union of the types, nested unions flattened, without repeats. */
function union(types: readonly TypeExpr[]): TypeExpr {
  return combine(
    "|",
    unique(types.flatMap((t) => t.operator === "|" ? t.operands! : [t])),
  );
}

/** The types, without repeats (compared as printed). */
function unique(types: readonly TypeExpr[]): TypeExpr[] {
  const out = new Map<string, TypeExpr>();
  for (const t of types) {
    const key = render(t.doc, Infinity);
    if (!out.has(key)) out.set(key, t);
  }
  return [...out.values()];
}

function signatureModel(
  name: string,
  scoped: ScopedMember,
  ctx: ServiceContext,
): SignatureModel | undefined {
  const { sf, report } = ctx;
  const m = scoped.member as ts.MethodSignature | ts.PropertySignature;
  const sig = signatureOf(m);
  const outer: TypeContext = {
    ...ctx.typeContext,
    substitutions: scoped.substitutions,
  };
  // A generic method keeps its type parameters on the client; the request,
  // response and handler types see each one as its constraint.
  const bound = new Set<string>();
  const typeParams = sig.typeParameters?.length
    ? typeParameters(sig.typeParameters, outer, bound)
    : "";
  const erasure = new Map(scoped.substitutions);
  for (const tp of sig.typeParameters ?? []) {
    erasure.set(
      tp.name.text,
      tp.constraint
        ? printType(tp.constraint, { ...outer, substitutions: erasure })
        : textType("unknown"),
    );
  }
  const erased: TypeContext = { ...ctx.typeContext, substitutions: erasure };
  let ok = true;
  const params: ParamModel[] = [];
  const clientParams: ParamModel[] = [];
  // The checks below catch what TypeScript reports only when type-checking,
  // not when parsing: without them the generated code did not compile
  // (duplicate parameters, a required tuple element after an optional one).
  const paramNames = new Set<string>();
  let optionalBefore = false;
  for (const p of sig.parameters) {
    if (p.dotDotDotToken && !(p.type && isArraySyntax(p.type))) {
      report(
        p,
        "rest-parameter",
        `rest parameter \`${
          p.name.getText(sf)
        }\` has no array type the generator can see (\`T[]\`, \`Array<T>\`, a tuple)`,
        p.type
          ? `spell its type as an array, \`...${
            p.name.getText(sf)
          }: X[]\`, or take an array instead: \`${p.name.getText(sf)}: ${
            p.type.getText(sf)
          }\``
          : "annotate it, e.g. `...items: string[]`",
      );
      ok = false;
      continue;
    }
    if (!ts.isIdentifier(p.name)) {
      report(
        p.name,
        "parameter-pattern",
        "destructured parameters are not supported",
        "name the parameter, e.g. `options: { a: string; b: number }`",
      );
      ok = false;
      continue;
    }
    const pname = p.name.text;
    if (pname === "this") {
      report(
        p,
        "this-parameter",
        "a `this` parameter cannot cross a service boundary",
        "remove the `this` parameter",
      );
      ok = false;
      continue;
    }
    if (STRICT_RESERVED.has(pname)) {
      report(
        p.name,
        "parameter-name",
        `\`${pname}\` cannot name a parameter in strict-mode code`,
        "rename the parameter",
      );
      ok = false;
      continue;
    }
    if (p.initializer) {
      report(
        p.initializer,
        "parameter-initializer",
        "an interface parameter cannot have a default value",
        "remove the initializer; mark the parameter optional with `?` instead",
      );
      ok = false;
    }
    if (!p.type) {
      report(
        p,
        "missing-type",
        `parameter \`${pname}\` has no type`,
        `annotate it, e.g. \`${pname}: string\``,
      );
      ok = false;
      continue;
    }
    if (paramNames.has(pname)) {
      report(
        p.name,
        "duplicate-parameter",
        `parameter \`${pname}\` of method \`${name}\` is declared more than once`,
        "rename one of the parameters",
      );
      ok = false;
      continue;
    }
    paramNames.add(pname);
    if (p.questionToken) {
      optionalBefore = true;
    } else if (optionalBefore && !p.initializer && !p.dotDotDotToken) {
      report(
        p,
        "required-after-optional",
        `required parameter \`${pname}\` follows an optional one`,
        `make it optional too (\`${pname}?: …\`), or move it before the optional parameters`,
      );
      ok = false;
    }
    const optional = p.questionToken !== undefined;
    const rest = p.dotDotDotToken !== undefined;
    params.push({
      name: pname,
      optional,
      rest,
      type: printType(p.type, erased),
    });
    clientParams.push({
      name: pname,
      optional,
      rest,
      type: bound.size ? printType(p.type, outer, bound) : params.at(-1)!.type,
    });
  }
  if (!sig.type) {
    report(
      m,
      "missing-type",
      `method \`${name}\` has no return type`,
      `annotate it, e.g. \`${name}(…): string\` or \`: Promise<void>\``,
    );
    return undefined;
  }
  const returns = awaitedResult(sig.type, erased, new Set(), ctx);
  const clientReturns = bound.size
    ? awaitedResult(sig.type, outer, bound, ctx)
    : returns;
  return ok
    ? {
      docs: jsDocLines(m, sf),
      typeParameters: typeParams,
      params,
      clientParams,
      returns,
      clientReturns,
    }
    : undefined;
}

/** `T[]`, `readonly T[]`, `Array<T>`, `ReadonlyArray<T>` or a tuple, as written. */
function isArraySyntax(node: ts.TypeNode): boolean {
  while (ts.isParenthesizedTypeNode(node)) node = node.type;
  if (ts.isArrayTypeNode(node) || ts.isTupleTypeNode(node)) return true;
  if (
    ts.isTypeOperatorNode(node) &&
    node.operator === ts.SyntaxKind.ReadonlyKeyword
  ) {
    return isArraySyntax(node.type);
  }
  return ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) &&
    (node.typeName.text === "Array" ||
      node.typeName.text === "ReadonlyArray") &&
    node.typeArguments?.length === 1;
}

/** `Promise<T>` or `PromiseLike<T>`, written as such. */
function isPromiseType(node: ts.TypeNode): node is ts.TypeReferenceNode & {
  readonly typeArguments: ts.NodeArray<ts.TypeNode>;
} {
  return ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) &&
    (node.typeName.text === "Promise" ||
      node.typeName.text === "PromiseLike") &&
    node.typeArguments?.length === 1;
}

/** Whether awaiting the type unwraps something written in it. */
function hasPromise(node: ts.TypeNode): boolean {
  if (ts.isParenthesizedTypeNode(node)) return hasPromise(node.type);
  if (ts.isUnionTypeNode(node)) return node.types.some(hasPromise);
  return isPromiseType(node);
}

/** Global generic types that are never promise-like whatever their arguments. */
const PLAIN_GENERICS: ReadonlySet<string> = new Set([
  "Array",
  "ReadonlyArray",
  "Map",
  "ReadonlyMap",
  "Set",
  "ReadonlySet",
  "Record",
  "Partial",
  "Pick",
  "Omit",
  "Required",
  "WeakMap",
  "WeakSet",
  "Iterable",
  "AsyncIterable",
  "AsyncIterableIterator",
  "AsyncGenerator",
  "IterableIterator",
  "Generator",
  "ReadableStream",
  "WritableStream",
]);

/**
 * Whether the spelling leaves open that awaiting the type unwraps a
 * promise-like (then the checker is asked): `Thenable<T>`, an alias, a
 * qualified name. Keywords, literals, arrays, functions, object types
 * without `then` and local interfaces without `then` are settled here.
 */
function mayBeThenable(
  node: ts.TypeNode,
  bound: ReadonlySet<string>,
  ctx: ServiceContext,
  typeContext: TypeContext,
): boolean {
  if (ts.isParenthesizedTypeNode(node)) {
    return mayBeThenable(node.type, bound, ctx, typeContext);
  }
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) {
    return node.types.some((t) => mayBeThenable(t, bound, ctx, typeContext));
  }
  if (ts.isTypeLiteralNode(node)) {
    return node.members.some((m) => memberName(m) === "then");
  }
  if (ts.isTypeReferenceNode(node)) {
    if (!ts.isIdentifier(node.typeName)) return true;
    const name = node.typeName.text;
    if (bound.has(name)) return false;
    if (typeContext.substitutions?.has(name)) return false;
    if (ctx.scope.imported.has(name)) return true;
    const decl = ctx.scope.declared.get(name);
    if (decl) {
      if (ts.isEnumDeclaration(decl)) return false;
      if (ts.isInterfaceDeclaration(decl)) {
        return decl.heritageClauses !== undefined ||
          decl.members.some((m) => memberName(m) === "then");
      }
      return true;
    }
    if (PLAIN_GENERICS.has(name)) return false;
    if (!node.typeArguments && STANDARD_GLOBALS.has(name)) {
      return name === "Promise" || name === "PromiseLike";
    }
    return true;
  }
  return ts.isIndexedAccessTypeNode(node) || ts.isConditionalTypeNode(node) ||
    ts.isTypeQueryNode(node) || ts.isImportTypeNode(node) ||
    ts.isMappedTypeNode(node) || ts.isTypeOperatorNode(node);
}

/**
 * The type a call resolves to: what awaiting the declared result gives.
 * Awaiting flattens nested promises and the promise members of a union, so
 * `Promise<Promise<T>>` is `T` and `T | Promise<U>` is `T | U`. Unwrapping
 * only the outer `Promise<…>` made the generated server fail to type-check
 * on such results (`Promise.resolve` flattens them): found by the fuzz test.
 * A promise-like not spelled `Promise` (`Thenable<T>`, an alias) is
 * recognised with the type checker and unwrapped to its type argument, or
 * written `Awaited<…>` when it has none that awaits the same.
 */
function awaitedResult(
  node: ts.TypeNode,
  typeContext: TypeContext,
  bound: ReadonlySet<string>,
  ctx: ServiceContext,
): TypeExpr {
  if (ts.isParenthesizedTypeNode(node)) {
    return awaitedResult(node.type, typeContext, bound, ctx);
  }
  if (isPromiseType(node)) {
    return awaitedResult(node.typeArguments[0], typeContext, bound, ctx);
  }
  if (
    ts.isUnionTypeNode(node) &&
    (hasPromise(node) || mayBeThenable(node, bound, ctx, typeContext))
  ) {
    // `T | Promise<T>` is `T`, not `T | T`.
    return union(
      node.types.map((t) => awaitedResult(t, typeContext, bound, ctx)),
    );
  }
  if (!mayBeThenable(node, bound, ctx, typeContext)) {
    return printType(node, typeContext, bound);
  }
  const thenable = ctx.oracle.isThenable(node);
  if (thenable === false) return printType(node, typeContext, bound);
  const args = ts.isTypeReferenceNode(node) ? node.typeArguments ?? [] : [];
  if (thenable === true) {
    for (const arg of args) {
      if (ctx.oracle.awaitsAs(node, arg)) {
        return awaitedResult(arg, typeContext, bound, ctx);
      }
    }
  }
  // Unresolved (a type from a package): a generic one may be a promise-like,
  // and `Awaited<…>` is right either way.
  if (thenable === true || args.length > 0) {
    return referenceType("Awaited", [printType(node, typeContext, bound)]);
  }
  return printType(node, typeContext, bound);
}
