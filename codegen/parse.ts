/**
 * Reads a TypeScript source file with the compiler API and turns its service
 * interfaces into a {@linkcode FileModel} for the emitter, or into
 * diagnostics that say where the input is unsupported and how to fix it.
 *
 * @module
 */

import ts from "typescript";
import type { Diagnostic } from "./diagnostic.ts";
import { render } from "./doc.ts";
import { dirname, isRelativeSpecifier, join, specifierTo } from "./path.ts";
import {
  combine,
  printType,
  type TypeContext,
  type TypeExpr,
  type TypeProblem,
} from "./types.ts";

/** One parameter of a service method. */
export interface ParamModel {
  readonly name: string;
  readonly optional: boolean;
  readonly type: TypeExpr;
}

/** One method of a service interface. */
export interface MethodModel {
  readonly name: string;
  /** JSDoc lines (`/**`, ` * …`, ` *\/`), or empty. */
  readonly docs: readonly string[];
  readonly params: readonly ParamModel[];
  /** The result type, with `Promise<…>` unwrapped. */
  readonly returns: TypeExpr;
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
}

/** The result of {@linkcode parse}. */
export interface ParseResult {
  readonly model: FileModel | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** The parsed source file (for location lookups). */
  readonly sourceFile: ts.SourceFile;
}

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

/** The output path used when none is given: `x.ts` → `x.gen.ts`. */
export function defaultOutFileName(fileName: string): string {
  const base = fileName.replace(/\.(?:[cm]?tsx?|[cm]?jsx?)$/, "");
  return base + ".gen.ts";
}

function syntaxDiagnostics(sf: ts.SourceFile): readonly ts.Diagnostic[] {
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === sf.fileName ? sf : undefined),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => name === sf.fileName,
    readFile: () => undefined,
  };
  const program = ts.createProgram({
    rootNames: [sf.fileName],
    options: { noLib: true, noResolve: true, types: [] },
    host,
  });
  return program.getSyntacticDiagnostics(sf);
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
 * Whether the file is a service definition: it exports an interface with a
 * method and holds only imports, exports and type declarations (no runtime
 * code). A directory walk generates code for these files only.
 *
 * @param sourceText The file's text.
 * @param fileName Its name (for the parser).
 */
export function isServiceDefinition(
  sourceText: string,
  fileName: string,
): boolean {
  const sf = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.Latest);
  let service = false;
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st)) {
      if (
        hasModifier(st, ts.SyntaxKind.ExportKeyword) &&
        st.members.some(ts.isMethodSignature)
      ) service = true;
    } else if (
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
  const sf = ts.createSourceFile(
    fileName,
    sourceText,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const diagnostics: Diagnostic[] = [];
  const at = (pos: number) => {
    const lc = sf.getLineAndCharacterOfPosition(pos);
    return { line: lc.line + 1, column: lc.character + 1 };
  };
  const report: Reporter = (node, code, message, hint) => {
    const loc = node ? at(node.getStart(sf)) : { line: 1, column: 1 };
    diagnostics.push({
      file: fileName,
      ...loc,
      code,
      message: oneLine(message),
      hint: oneLine(hint),
    });
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
    return { model: undefined, diagnostics, sourceFile: sf };
  }

  const scope = topLevel(sf);
  const outDir = dirname(outFileName);
  const inputDir = dirname(fileName);
  const inputSpecifier = specifierTo(outDir, fileName);
  const rewrite = (specifier: string) =>
    isRelativeSpecifier(specifier) && outDir !== inputDir
      ? specifierTo(outDir, join(inputDir, specifier))
      : specifier;

  const selected = selectInterfaces(sf, scope, options.interfaces, report);
  const references: { name: string; node: ts.Node }[] = [];
  const typeContext: TypeContext = {
    sourceFile: sf,
    onReference: (ref) => references.push(ref),
    onProblem: (p: TypeProblem) => report(p.node, p.code, p.message, p.hint),
    rewriteSpecifier: rewrite,
  };
  const services = selected.map((decl) =>
    serviceModel(decl, sf, typeContext, report)
  );

  const imports = new Map<string, TypeImport>();
  const referencedNames = new Map<string, ts.Node>();
  for (const ref of references) {
    if (!referencedNames.has(ref.name)) referencedNames.set(ref.name, ref.node);
    const imp = scope.imported.get(ref.name);
    if (imp) {
      imports.set(ref.name, { ...imp, specifier: rewrite(imp.specifier) });
      continue;
    }
    const decl = scope.declared.get(ref.name);
    if (!decl) continue; // a global type such as Date or Record
    const exportedAs = scope.exported.get(ref.name);
    if (exportedAs === undefined) {
      const where = at(decl.getStart(sf));
      report(
        ref.node,
        "not-exported",
        `\`${ref.name}\` (declared at ${fileName}:${where.line}:${where.column}) is not exported, so the generated file cannot import it`,
        `add \`export\` to the declaration of \`${ref.name}\``,
      );
      continue;
    }
    imports.set(ref.name, {
      specifier: inputSpecifier,
      kind: exportedAs === "default" ? "default" : "named",
      imported: exportedAs,
      local: ref.name,
    });
  }

  if (diagnostics.length > 0) {
    return { model: undefined, diagnostics, sourceFile: sf };
  }
  return {
    model: {
      inputSpecifier,
      services,
      imports: [...imports.values()],
      referencedNames,
    },
    diagnostics,
    sourceFile: sf,
  };
}

function selectInterfaces(
  sf: ts.SourceFile,
  scope: TopLevel,
  names: readonly string[] | undefined,
  report: Reporter,
): ts.InterfaceDeclaration[] {
  const all = sf.statements.filter(ts.isInterfaceDeclaration);
  const isExported = (d: ts.InterfaceDeclaration) =>
    scope.exported.has(d.name.text);
  const selected: ts.InterfaceDeclaration[] = [];
  if (names && names.length > 0) {
    // A name given twice is one request (and one diagnostic if it is wrong).
    for (const name of new Set(names)) {
      const decl = all.find((d) => d.name.text === name);
      if (!decl) {
        report(
          undefined,
          "interface-not-found",
          `interface \`${name}\` is not declared in this file`,
          `declare \`export interface ${name} { … }\` here, or name one of: ${
            all.map((d) => d.name.text).join(", ") || "(no interfaces)"
          }`,
        );
      } else if (!isExported(decl)) {
        report(
          decl.name,
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
      report(
        undefined,
        "no-interface",
        "the file exports no interface, so there is no service to generate",
        "export an interface whose members are methods, e.g. `export interface Greeter { hello(name: string): string; }`",
      );
      return [];
    }
    selected.push(
      ...exported.filter((d) => d.members.some(ts.isMethodSignature)),
    );
    if (selected.length === 0) {
      report(
        exported[0].name,
        "no-service",
        "no exported interface declares a method, so there is no service to generate",
        "write each operation as a method, `hello(name: string): string;` (a property such as `hello: (name: string) => string` is data, not a method)",
      );
    }
  }
  // Both declarations of a duplicate can be selected: report the name once.
  const duplicates = new Set<string>();
  for (const decl of selected) {
    const same = all.filter((d) => d.name.text === decl.name.text);
    if (same.length > 1 && !duplicates.has(decl.name.text)) {
      duplicates.add(decl.name.text);
      report(
        same[1].name,
        "duplicate-interface",
        `interface \`${decl.name.text}\` is declared ${same.length} times; norpc does not merge declarations`,
        "merge the declarations into one interface",
      );
    }
  }
  return selected;
}

function serviceModel(
  decl: ts.InterfaceDeclaration,
  sf: ts.SourceFile,
  typeContext: TypeContext,
  report: Reporter,
): ServiceModel {
  const name = decl.name.text;
  if (decl.typeParameters?.length) {
    report(
      decl.typeParameters[0],
      "generic-interface",
      `interface \`${name}\` is generic; a service needs concrete types`,
      "remove the type parameters and use concrete types (a union, or `unknown`)",
    );
  }
  if (decl.heritageClauses?.length) {
    report(
      decl.heritageClauses[0],
      "extends",
      `interface \`${name}\` extends another; the generator reads only the methods written in it`,
      "list all the methods in this interface instead of extending",
    );
  }
  if (decl.members.length === 0) {
    report(
      decl.name,
      "empty-interface",
      `interface \`${name}\` has no methods`,
      "add at least one method, e.g. `hello(name: string): string;`",
    );
  }
  const methods: MethodModel[] = [];
  const seen = new Map<string, ts.Node>();
  for (const m of decl.members) {
    const method = methodModel(m, sf, typeContext, report, seen);
    if (method) methods.push(method);
  }
  return { name, docs: jsDocLines(decl, sf), methods };
}

function memberProblem(
  m: ts.TypeElement,
): [string, string, string] | undefined {
  if (ts.isPropertySignature(m)) {
    const n = m.name.getText();
    const fn = m.type && ts.isFunctionTypeNode(m.type) ? m.type : undefined;
    return [
      "property-member",
      `\`${n}\` is a property; a service interface has only methods`,
      fn
        ? `write it as a method: \`${n}${
          fn.parameters.length ? "(…)" : "()"
        }: ${fn.type.getText()};\``
        : "remove it, or make it a method that returns the value",
    ];
  }
  if (ts.isIndexSignatureDeclaration(m)) {
    return [
      "index-signature",
      "index signatures are not supported in a service interface",
      "declare each method by name",
    ];
  }
  if (ts.isCallSignatureDeclaration(m)) {
    return [
      "call-signature",
      "call signatures are not supported in a service interface",
      "give the operation a name: `run(…): T;`",
    ];
  }
  if (ts.isConstructSignatureDeclaration(m)) {
    return [
      "construct-signature",
      "construct signatures are not supported in a service interface",
      "give the operation a name: `create(…): T;`",
    ];
  }
  if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
    return [
      "accessor",
      "accessors are not supported in a service interface",
      "write a method instead: `getX(): T;` or `setX(value: T): void;`",
    ];
  }
  if (!ts.isMethodSignature(m)) {
    return [
      "unsupported-member",
      "this member is not a method",
      "a service interface has only methods",
    ];
  }
  return undefined;
}

function methodModel(
  m: ts.TypeElement,
  sf: ts.SourceFile,
  typeContext: TypeContext,
  report: Reporter,
  seen: Map<string, ts.Node>,
): MethodModel | undefined {
  const problem = memberProblem(m);
  if (problem || !ts.isMethodSignature(m)) {
    if (problem) report(m, ...problem);
    return undefined;
  }
  if (!ts.isIdentifier(m.name)) {
    report(
      m.name,
      "method-name",
      `method name ${m.name.getText(sf)} is not an identifier`,
      "name the method with a plain identifier, e.g. `getUser`",
    );
    return undefined;
  }
  const name = m.name.text;
  let ok = true;
  const previous = seen.get(name);
  if (previous) {
    report(
      m,
      "overload",
      `method \`${name}\` is declared more than once (overloads are not supported)`,
      "give each overload its own method name, or merge them with a union parameter type",
    );
    return undefined;
  }
  seen.set(name, m);
  if (RESERVED_METHOD_NAMES.has(name)) {
    report(
      m.name,
      "reserved-name",
      `method name \`${name}\` clashes with a member the generated client or server relies on`,
      `rename it (reserved: ${[...RESERVED_METHOD_NAMES].join(", ")})`,
    );
    ok = false;
  }
  if (m.questionToken) {
    report(
      m.questionToken,
      "optional-method",
      `method \`${name}\` is optional; every method of a service must be implemented`,
      "remove the `?`",
    );
    ok = false;
  }
  if (m.typeParameters?.length) {
    report(
      m.typeParameters[0],
      "generic-method",
      `method \`${name}\` is generic; requests and responses need concrete types`,
      "remove the type parameters and use concrete types (a union, or `unknown`)",
    );
    ok = false;
  }
  const params: ParamModel[] = [];
  // The checks below catch what TypeScript reports only when type-checking,
  // not when parsing: without them the generated code did not compile
  // (duplicate parameters, a required tuple element after an optional one).
  const paramNames = new Set<string>();
  let optionalBefore = false;
  for (const p of m.parameters) {
    if (p.dotDotDotToken) {
      report(
        p,
        "rest-parameter",
        `rest parameter \`${
          p.name.getText(sf)
        }\` is not supported: a request's arguments have a fixed arity`,
        p.type && !ts.isTupleTypeNode(p.type)
          ? `take an array instead: \`${p.name.getText(sf)}: ${
            p.type.getText(sf)
          }\``
          : "take an array instead: `items: T[]`",
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
    } else if (optionalBefore && !p.initializer) {
      report(
        p,
        "required-after-optional",
        `required parameter \`${pname}\` follows an optional one`,
        `make it optional too (\`${pname}?: …\`), or move it before the optional parameters`,
      );
      ok = false;
    }
    params.push({
      name: pname,
      optional: p.questionToken !== undefined,
      type: printType(p.type, typeContext),
    });
  }
  if (!m.type) {
    report(
      m,
      "missing-type",
      `method \`${name}\` has no return type`,
      `annotate it, e.g. \`${name}(…): string\` or \`: Promise<void>\``,
    );
    return undefined;
  }
  const returns = awaitedResult(m.type, typeContext);
  return ok ? { name, docs: jsDocLines(m, sf), params, returns } : undefined;
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

/**
 * The type a call resolves to: what awaiting the declared result gives.
 * Awaiting flattens nested promises and the promise members of a union, so
 * `Promise<Promise<T>>` is `T` and `T | Promise<U>` is `T | U`. Unwrapping
 * only the outer `Promise<…>` made the generated server fail to type-check
 * on such results (`Promise.resolve` flattens them): found by the fuzz test.
 */
function awaitedResult(node: ts.TypeNode, ctx: TypeContext): TypeExpr {
  if (ts.isParenthesizedTypeNode(node) && hasPromise(node)) {
    return awaitedResult(node.type, ctx);
  }
  if (isPromiseType(node)) return awaitedResult(node.typeArguments[0], ctx);
  if (ts.isUnionTypeNode(node) && hasPromise(node)) {
    // `T | Promise<T>` is `T`, not `T | T`.
    const members = new Map<string, TypeExpr>();
    for (const t of node.types) {
      const member = awaitedResult(t, ctx);
      const key = render(member.doc, Infinity);
      if (!members.has(key)) members.set(key, member);
    }
    return combine("|", [...members.values()]);
  }
  return printType(node, ctx);
}
