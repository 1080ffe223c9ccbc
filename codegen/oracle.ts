/**
 * Answers the one question about types the generator cannot answer from the
 * spelling: what awaiting a method's result gives. `Thenable<T>`, a
 * `type Async<T> = Promise<T>` alias or `globalThis.Promise<T>` all resolve
 * to `T`, and only the type checker knows (the generated server resolves
 * the handler's result, so the response type must be the awaited one).
 *
 * The checker runs over the input, the files it imports relatively (when
 * read permission is already granted: the generator never prompts) and a
 * small built-in library that declares the promise types: the answers do not
 * depend on which TypeScript library files happen to be installed.
 *
 * @module
 */

import ts from "typescript";
import { dirname, isAbsolute, join } from "./path.ts";

/** Declarations the checker needs to recognise promises and `Awaited`. */
const PROMISE_LIB = `
interface PromiseLike<T> {
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B>;
}
interface Promise<T> {
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B>;
  catch<B = never>(onrejected?: ((reason: any) => B | PromiseLike<B>) | null): Promise<T | B>;
  finally(onfinally?: (() => void) | null): Promise<T>;
}
type Awaited<T> = T extends null | undefined ? T
  : T extends object & { then(onfulfilled: infer F, ...args: infer _): any }
    ? F extends ((value: infer V, ...args: infer _) => any) ? Awaited<V> : never
  : T;
type Partial<T> = { [P in keyof T]?: T[P] };
type Required<T> = { [P in keyof T]-?: T[P] };
type Readonly<T> = { readonly [P in keyof T]: T[P] };
type Pick<T, K extends keyof T> = { [P in K]: T[P] };
type Record<K extends keyof any, T> = { [P in K]: T };
type Exclude<T, U> = T extends U ? never : T;
type Extract<T, U> = T extends U ? T : never;
type Omit<T, K extends keyof any> = Pick<T, Exclude<keyof T, K>>;
type NonNullable<T> = T & {};
type Parameters<T extends (...args: any) => any> = T extends (...args: infer P) => any ? P : never;
type ReturnType<T extends (...args: any) => any> = T extends (...args: any) => infer R ? R : any;
interface Array<T> { length: number; [n: number]: T }
interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T }
interface Boolean {}
interface Function {}
interface CallableFunction {}
interface NewableFunction {}
interface IArguments {}
interface Number {}
interface Object {}
interface RegExp {}
interface String {}
declare var globalThis: typeof globalThis;
`;
const LIB_NAME = "/__norpc_lib__/promise.d.ts";

let libFile: ts.SourceFile | undefined;

/** Whether read permission is granted (asking never prompts). */
function canRead(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path }).state ===
      "granted";
  } catch {
    return false;
  }
}

function readText(path: string): string | undefined {
  if (!canRead(path)) return undefined;
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** What awaiting a type gives, as far as the checker can tell. */
export interface TypeOracle {
  /**
   * `true` when awaiting the type gives another type (it is or holds a
   * promise-like), `false` when it gives the type itself, `undefined` when
   * the checker cannot resolve the type (a name from a package or a file it
   * may not read).
   */
  isThenable(node: ts.TypeNode): boolean | undefined;
  /** Whether awaiting `node` gives what awaiting `inner` gives. */
  awaitsAs(node: ts.TypeNode, inner: ts.TypeNode): boolean;
}

/**
 * Creates the oracle for a parsed input. The program is built on first use
 * only: most results are spelled `Promise<T>` or a plain type and need none.
 *
 * @param sf The input, parsed with parent pointers.
 * @param path The input's absolute path when it and the files it imports
 *   may be read from disk, else `undefined`.
 */
export function typeOracle(
  sf: ts.SourceFile,
  path: string | undefined,
): TypeOracle {
  let checker: ts.TypeChecker | null | undefined;
  const get = () => {
    if (checker === undefined) {
      try {
        checker = createChecker(sf, path);
      } catch {
        checker = null;
      }
    }
    return checker;
  };
  // The checker answers about the input's own nodes; should it fail on an
  // input the parser accepted, the answer is "unknown", never a crash.
  return {
    isThenable(node) {
      const c = get();
      if (!c) return undefined;
      try {
        if (unresolved(node, c)) return undefined;
        const type = c.getTypeFromTypeNode(node);
        if (type.flags & ts.TypeFlags.Any) return undefined;
        return c.getAwaitedType(type) !== type;
      } catch {
        return undefined;
      }
    },
    awaitsAs(node, inner) {
      const c = get();
      if (!c) return false;
      try {
        const a = c.getAwaitedType(c.getTypeFromTypeNode(node));
        return a !== undefined &&
          a === c.getAwaitedType(c.getTypeFromTypeNode(inner));
      } catch {
        return false;
      }
    },
  };
}

/** Whether a name the type refers to resolves to nothing. */
function unresolved(node: ts.TypeNode, checker: ts.TypeChecker): boolean {
  let missing = false;
  const visit = (n: ts.Node): void => {
    if (missing) return;
    if (ts.isTypeReferenceNode(n)) {
      const symbol = checker.getSymbolAtLocation(n.typeName);
      if (!symbol) missing = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return missing;
}

function createChecker(
  sf: ts.SourceFile,
  path: string | undefined,
): ts.TypeChecker {
  const baseDir = path === undefined ? undefined : dirname(path);
  libFile ??= ts.createSourceFile(
    LIB_NAME,
    PROMISE_LIB,
    ts.ScriptTarget.Latest,
    true,
  );
  const lib = libFile;
  // The program takes only TypeScript file names (`noext` would be left out).
  const given = path ?? join("/__norpc_input__", sf.fileName);
  const rootName = /\.[cm]?tsx?$/.test(given) ? given : given + ".ts";
  const files = new Map<string, ts.SourceFile | undefined>();
  const read = (name: string): string | undefined =>
    baseDir && name !== rootName && !name.startsWith("/__norpc_lib__/")
      ? readText(name)
      : undefined;
  const host: ts.CompilerHost = {
    getSourceFile: (name) => {
      if (name === LIB_NAME) return lib;
      if (name === rootName) return sf;
      if (!files.has(name)) {
        const text = read(name);
        files.set(
          name,
          text === undefined
            ? undefined
            : ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true),
        );
      }
      return files.get(name);
    },
    getDefaultLibFileName: () => LIB_NAME,
    writeFile: () => {},
    getCurrentDirectory: () => baseDir ?? "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) =>
      name === LIB_NAME || name === rootName || read(name) !== undefined,
    readFile: read,
    directoryExists: (name) => baseDir !== undefined && canRead(name),
  };
  const program = ts.createProgram({
    rootNames: [rootName],
    options: {
      types: [],
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      moduleDetection: ts.ModuleDetectionKind.Force,
    },
    host,
  });
  if (program.getSourceFile(rootName) !== sf) {
    throw new Error("the input is not part of the program");
  }
  return program.getTypeChecker();
}

/**
 * The input's absolute path when it is on disk and may be read without a
 * prompt, else `undefined` (then only the input itself is checked).
 */
export function readablePath(fileName: string): string | undefined {
  try {
    if (!canRead(fileName)) return undefined;
    const path = isAbsolute(fileName) ? fileName : join(Deno.cwd(), fileName);
    Deno.statSync(path);
    return path;
  } catch {
    return undefined;
  }
}
