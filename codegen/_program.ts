/**
 * Internal: a TypeScript program over one in-memory source file, with no
 * lib and no imports resolved, for the generator's own checks (syntax, and
 * names the file uses without declaring). Cheap: nothing is read from disk.
 *
 * @module
 */

import ts from "typescript";

/**
 * A program whose only file is `sf`.
 *
 * @param sf The source file.
 * @returns The program; ask it for `sf`'s diagnostics.
 */
export function singleFileProgram(sf: ts.SourceFile): ts.Program {
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
  return ts.createProgram({
    rootNames: [sf.fileName],
    options: { noLib: true, noResolve: true, types: [] },
    host,
  });
}
