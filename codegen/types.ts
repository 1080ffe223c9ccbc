/**
 * Prints TypeScript type nodes as {@linkcode Doc}s laid out the way `deno fmt`
 * lays them out, and reports the names a type refers to so the generated file
 * can import them.
 *
 * @module
 */

import ts from "typescript";
import {
  type Doc,
  group,
  ifBreak,
  indent,
  join,
  line,
  list,
  softline,
  unbreakable,
} from "./doc.ts";

/** A printed type, with what its context needs to know to place it. */
export interface TypeExpr {
  /** The type where it stands as a list element (type argument, tuple member). */
  readonly doc: Doc;
  /** Union (`|`) or intersection (`&`) members, when the type is one. */
  readonly operands?: readonly TypeExpr[];
  /** The operator joining `operands`. */
  readonly operator?: "|" | "&";
  /** Needs parentheses as a union or intersection member (function, conditional types). */
  readonly needsParens: boolean;
  /** An object type literal or mapped type. */
  readonly objectLike: boolean;
  /** `null` or `void` (a union of one object type and these hugs the object). */
  readonly nullish: boolean;
  /** A prefix operator type (`keyof T`, `readonly T[]`, `infer U`). */
  readonly prefix?: boolean;
}

/** Where a type refers to a name it does not declare itself. */
export interface TypeReference {
  /** The leftmost identifier (`ns` in `ns.Foo`). */
  readonly name: string;
  /** The identifier node, for diagnostics. */
  readonly node: ts.Node;
}

/** Something in a type that cannot be generated, with where it is. */
export interface TypeProblem {
  readonly node: ts.Node;
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

/** What {@linkcode printType} needs besides the node. */
export interface TypeContext {
  readonly sourceFile: ts.SourceFile;
  /** Called for every free name the type refers to. */
  readonly onReference: (ref: TypeReference) => void;
  /** Called for each part of a type that cannot be generated. */
  readonly onProblem: (problem: TypeProblem) => void;
  /** Rewrites the module specifier of an `import("…")` type. */
  readonly rewriteSpecifier: (specifier: string) => string;
  /**
   * Types that replace a type parameter where it is referred to: an
   * interface's parameters instantiated with their defaults, a generic
   * method's parameters erased to their constraints.
   */
  readonly substitutions?: ReadonlyMap<string, TypeExpr>;
  /**
   * Names the generated file imports under another name (the input's
   * `CallOptions` beside the runtime's): references print the alias.
   */
  readonly renames?: ReadonlyMap<string, string>;
}

function expr(
  doc: Doc,
  flags: Partial<Omit<TypeExpr, "doc">> = {},
): TypeExpr {
  return {
    doc,
    needsParens: false,
    objectLike: false,
    nullish: false,
    ...flags,
  };
}

/** A type already laid out, such as a tuple built by the emitter. */
export function docType(doc: Doc): TypeExpr {
  return expr(doc);
}

/** A simple type from text, e.g. `string` or `Promise<T>` built by hand. */
export function textType(text: string): TypeExpr {
  return expr(text, { nullish: text === "null" || text === "void" });
}

/** `name<args>`, with the arguments broken one per line when too long. */
export function referenceType(
  name: string,
  args: readonly TypeExpr[],
): TypeExpr {
  if (args.length === 0) return expr(name);
  return expr([name, typeArgs(args)]);
}

function typeArgs(args: readonly TypeExpr[]): Doc {
  return list("<", args.map(listElement), ">", { trailingComma: false });
}

/** Wraps a type in parentheses when it cannot stand as a union member. */
function operandDoc(t: TypeExpr): Doc {
  return t.needsParens ? ["(", t.doc, ")"] : t.doc;
}

/**
 * The operands of a union or intersection, each parenthesized when it could
 * not stand bare: besides {@linkcode operandDoc}'s cases, a union inside an
 * intersection (`A & (B | C)`). Every layout of the operation (flat, broken
 * after a colon, broken in parentheses) must use this: the fuzz test found
 * the broken layouts printing `& A & | B | C`, which does not parse.
 */
function operandDocs(
  operator: "|" | "&",
  operands: readonly TypeExpr[],
): Doc[] {
  return operands.map((t) =>
    operator === "&" && t.operator === "|"
      ? parenthesized(t).doc
      : operandDoc(t)
  );
}

/** Whether a type needs parentheses before `[]`, `[K]` or after `keyof`. */
function needsParensAsOperand(t: TypeExpr): boolean {
  return t.needsParens || t.operands !== undefined || t.prefix === true;
}

/** The type, parenthesized when `needed`. */
function maybeParens(t: TypeExpr, needed: boolean): Doc {
  return needed ? parenthesized(t).doc : t.doc;
}

/** Whether a union of these members keeps one object type inline (`{…} | null`). */
function hugs(operands: readonly TypeExpr[]): boolean {
  return operands.filter((t) => t.objectLike).length === 1 &&
    operands.every((t) => t.objectLike || t.nullish);
}

/**
 * A union or intersection of the operands (nested unions are flattened).
 * Broken, each member goes on its own line with a leading operator.
 */
export function combine(
  operator: "|" | "&",
  operands: readonly TypeExpr[],
): TypeExpr {
  const flat: TypeExpr[] = [];
  for (const t of operands) {
    if (t.operator === operator && t.operands) flat.push(...t.operands);
    else flat.push(t);
  }
  if (flat.length === 1) return flat[0];
  const docs = operandDocs(operator, flat);
  const plain = (operator === "|" && hugs(flat)) ||
    (operator === "&" && flat.some((t) => t.objectLike));
  const doc: Doc = plain ? join(` ${operator} `, docs) : group([
    ifBreak(`${operator} `),
    join([line, `${operator} `], docs),
  ]);
  return expr(doc, { operands: flat, operator });
}

function isBreakingOperation(t: TypeExpr): boolean {
  return t.operands !== undefined &&
    !(t.operator === "|" && hugs(t.operands)) &&
    !(t.operator === "&" && t.operands.some((o) => o.objectLike));
}

/** The type as a list element (type argument, tuple member, union member). */
export function listElement(t: TypeExpr): Doc {
  return t.doc;
}

/**
 * The type after a colon (or another `prefix`, such as `=>`): a union that
 * does not fit moves to the next lines, indented, one member per line.
 */
export function annotation(t: TypeExpr, prefix = ":"): Doc {
  if (isBreakingOperation(t)) {
    return [
      prefix,
      group(indent([
        line,
        ifBreak(`${t.operator} `),
        join([line, `${t.operator} `], operandDocs(t.operator!, t.operands!)),
      ])),
    ];
  }
  if (unbreakable(t.doc)) {
    // A type with no place to break moves to the next line when too long.
    return [prefix, group(indent([line, t.doc]))];
  }
  return [prefix, " ", t.doc];
}

/** `(type)`; a union inside breaks onto its own indented lines. */
function parenthesized(t: TypeExpr): TypeExpr {
  if (isBreakingOperation(t)) {
    return expr([
      "(",
      group([
        indent([
          softline,
          ifBreak(`${t.operator} `),
          join([line, `${t.operator} `], operandDocs(t.operator!, t.operands!)),
        ]),
        softline,
      ]),
      ")",
    ]);
  }
  return expr(["(", t.doc, ")"]);
}

/**
 * Re-quotes a string literal the way `deno fmt` does: double quotes unless
 * the text holds more double than single quotes; escapes only the chosen
 * quote.
 *
 * @param raw The literal as written, quotes included.
 */
export function quoteString(raw: string): string {
  const body = raw.slice(1, -1);
  let doubles = 0;
  let singles = 0;
  for (const ch of body) {
    if (ch === '"') doubles++;
    else if (ch === "'") singles++;
  }
  const quote = doubles > singles ? "'" : '"';
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "\\" && i + 1 < body.length) {
      const next = body[i + 1];
      i++;
      if (next === "'" || next === '"') {
        out += next === quote ? "\\" + next : next;
      } else {
        out += "\\" + next;
      }
    } else if (ch === quote) {
      out += "\\" + ch;
    } else {
      out += ch;
    }
  }
  return quote + out + quote;
}

function propertyName(name: ts.PropertyName, ctx: TypeContext): string {
  if (ts.isStringLiteral(name)) {
    return quoteString(name.getText(ctx.sourceFile));
  }
  if (ts.isComputedPropertyName(name)) {
    collectExpressionReference(name.expression, ctx, new Set());
  }
  return name.getText(ctx.sourceFile);
}

/** A (qualified) name as the generated file spells it: its root renamed. */
function entityText(
  name: ts.EntityName,
  ctx: TypeContext,
  bound: ReadonlySet<string>,
): string {
  const text = name.getText(ctx.sourceFile);
  let root: ts.EntityName = name;
  while (ts.isQualifiedName(root)) root = root.left;
  const alias = bound.has(root.text) ? undefined : ctx.renames?.get(root.text);
  return alias === undefined ? text : alias + text.slice(root.text.length);
}

function collectExpressionReference(
  e: ts.Node,
  ctx: TypeContext,
  bound: ReadonlySet<string>,
): void {
  let root: ts.Node = e;
  while (ts.isPropertyAccessExpression(root) || ts.isQualifiedName(root)) {
    root = ts.isPropertyAccessExpression(root) ? root.expression : root.left;
  }
  if (ts.isIdentifier(root) && !bound.has(root.text)) {
    ctx.onReference({ name: root.text, node: root });
  }
}

/** Prints a parameter list `(a: A, b?: B)`; used by signatures in types. */
export function parameterList(
  params: readonly Doc[],
): Doc {
  return list("(", params, ")", { trailingComma: true, restFlat: true });
}

/**
 * Prints a declaration's type parameters, `<T extends X = Y>`, and adds
 * their names to `bound`; empty when there are none.
 */
export function typeParameters(
  params: ts.NodeArray<ts.TypeParameterDeclaration> | undefined,
  ctx: TypeContext,
  bound: Set<string>,
): Doc {
  if (!params || params.length === 0) return "";
  for (const p of params) bound.add(p.name.text);
  const docs = params.map((p) => {
    const parts: Doc[] = [];
    if (p.modifiers) {
      parts.push(p.modifiers.map((m) => m.getText(ctx.sourceFile) + " "));
    }
    parts.push(p.name.text);
    if (p.constraint) {
      parts.push(" extends ", print(p.constraint, ctx, bound).doc);
    }
    if (p.default) parts.push(" = ", print(p.default, ctx, bound).doc);
    return parts;
  });
  return list("<", docs, ">", { trailingComma: false });
}

function signatureParameters(
  params: ts.NodeArray<ts.ParameterDeclaration>,
  ctx: TypeContext,
  bound: Set<string>,
): Doc {
  return parameterList(params.map((p) => {
    const name = p.name.getText(ctx.sourceFile);
    const head = (p.dotDotDotToken ? "..." : "") + name +
      (p.questionToken ? "?" : "");
    return p.type ? [head, annotation(print(p.type, ctx, bound))] : head;
  }));
}

function member(
  m: ts.TypeElement,
  ctx: TypeContext,
  bound: Set<string>,
): Doc {
  const sf = ctx.sourceFile;
  const readonly = ts.canHaveModifiers(m) &&
      ts.getModifiers(m)?.some((mod) =>
        mod.kind === ts.SyntaxKind.ReadonlyKeyword
      )
    ? "readonly "
    : "";
  if (ts.isPropertySignature(m)) {
    const head = readonly + propertyName(m.name, ctx) +
      (m.questionToken ? "?" : "");
    return m.type ? [head, annotation(print(m.type, ctx, bound))] : head;
  }
  if (ts.isMethodSignature(m)) {
    const inner = new Set(bound);
    return [
      propertyName(m.name, ctx),
      m.questionToken ? "?" : "",
      typeParameters(m.typeParameters, ctx, inner),
      signatureParameters(m.parameters, ctx, inner),
      m.type ? annotation(print(m.type, ctx, inner)) : "",
    ];
  }
  if (ts.isIndexSignatureDeclaration(m)) {
    return [
      readonly,
      "[",
      m.parameters.map((p) => [
        p.name.getText(sf),
        p.type ? [": ", print(p.type, ctx, bound).doc] : "",
      ]),
      "]",
      annotation(print(m.type, ctx, bound)),
    ];
  }
  if (
    ts.isCallSignatureDeclaration(m) || ts.isConstructSignatureDeclaration(m)
  ) {
    const inner = new Set(bound);
    return [
      ts.isConstructSignatureDeclaration(m) ? "new " : "",
      typeParameters(m.typeParameters, ctx, inner),
      signatureParameters(m.parameters, ctx, inner),
      m.type ? annotation(print(m.type, ctx, inner)) : "",
    ];
  }
  if (ts.isGetAccessorDeclaration(m)) {
    return [
      "get ",
      propertyName(m.name, ctx),
      "()",
      m.type ? annotation(print(m.type, ctx, bound)) : "",
    ];
  }
  if (ts.isSetAccessorDeclaration(m)) {
    return [
      "set ",
      propertyName(m.name, ctx),
      signatureParameters(m.parameters, ctx, bound),
    ];
  }
  return m.getText(sf).replace(/[;,]\s*$/, "");
}

/** `{ a; b }` flat, one member per line (each ending `;`) broken. */
export function objectBody(members: readonly Doc[]): Doc {
  if (members.length === 0) return "{}";
  return group([
    "{",
    indent([line, join([";", line], members), ifBreak(";")]),
    line,
    "}",
  ]);
}

/**
 * Prints a type node.
 *
 * @param node The type.
 * @param ctx Source file and callbacks.
 * @param bound Type parameter names in scope (printed as they are).
 * @returns The printed type.
 */
export function printType(
  node: ts.TypeNode,
  ctx: TypeContext,
  bound: ReadonlySet<string> = new Set(),
): TypeExpr {
  return print(node, ctx, new Set(bound));
}

function print(
  node: ts.TypeNode,
  ctx: TypeContext,
  bound: Set<string>,
): TypeExpr {
  const sf = ctx.sourceFile;
  const text = () => node.getText(sf);
  switch (node.kind) {
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.StringKeyword:
    case ts.SyntaxKind.NumberKeyword:
    case ts.SyntaxKind.BooleanKeyword:
    case ts.SyntaxKind.BigIntKeyword:
    case ts.SyntaxKind.SymbolKeyword:
    case ts.SyntaxKind.ObjectKeyword:
    case ts.SyntaxKind.NeverKeyword:
    case ts.SyntaxKind.UndefinedKeyword:
    case ts.SyntaxKind.IntrinsicKeyword:
      return expr(text());
    case ts.SyntaxKind.VoidKeyword:
      return expr("void", { nullish: true });
    case ts.SyntaxKind.ThisType:
      ctx.onProblem({
        node,
        code: "unsupported-type",
        message: "the `this` type cannot cross a service boundary",
        hint: "name the type instead of using `this`",
      });
      return expr("this");
  }
  if (ts.isLiteralTypeNode(node)) {
    if (node.literal.kind === ts.SyntaxKind.NullKeyword) {
      return expr("null", { nullish: true });
    }
    if (ts.isStringLiteral(node.literal)) {
      return expr(quoteString(node.literal.getText(sf)));
    }
    return expr(text());
  }
  if (ts.isTypeReferenceNode(node)) {
    const replacement = ts.isIdentifier(node.typeName) &&
        !bound.has(node.typeName.text) && !node.typeArguments
      ? ctx.substitutions?.get(node.typeName.text)
      : undefined;
    if (replacement) return replacement;
    collectExpressionReference(node.typeName, ctx, bound);
    const args = node.typeArguments?.map((a) => print(a, ctx, bound)) ?? [];
    return referenceType(entityText(node.typeName, ctx, bound), args);
  }
  if (ts.isArrayTypeNode(node)) {
    const element = print(node.elementType, ctx, bound);
    return expr([maybeParens(element, needsParensAsOperand(element)), "[]"]);
  }
  if (ts.isTupleTypeNode(node)) {
    const elements = node.elements.map((e) => tupleElement(e, ctx, bound));
    return expr(list("[", elements, "]", { trailingComma: true }));
  }
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) {
    return combine(
      ts.isUnionTypeNode(node) ? "|" : "&",
      node.types.map((t) => print(t, ctx, bound)),
    );
  }
  if (ts.isParenthesizedTypeNode(node)) {
    // `deno fmt` drops parentheses that are not needed; each context below
    // adds them back where the inner type requires them.
    return print(node.type, ctx, bound);
  }
  if (ts.isFunctionTypeNode(node) || ts.isConstructorTypeNode(node)) {
    const inner = new Set(bound);
    const prefix = ts.isConstructorTypeNode(node)
      ? (ts.getModifiers(node)?.length ? "abstract new " : "new ")
      : "";
    return expr([
      prefix,
      typeParameters(node.typeParameters, ctx, inner),
      signatureParameters(node.parameters, ctx, inner),
      annotation(print(node.type, ctx, inner), " =>"),
    ], { needsParens: true });
  }
  if (ts.isTypeLiteralNode(node)) {
    return expr(objectBody(node.members.map((m) => member(m, ctx, bound))), {
      objectLike: true,
    });
  }
  if (ts.isMappedTypeNode(node)) {
    const inner = new Set(bound);
    inner.add(node.typeParameter.name.text);
    const tp = node.typeParameter;
    const head: Doc[] = [
      node.readonlyToken ? node.readonlyToken.getText(sf) + " " : "",
      "[",
      tp.name.text,
      " in ",
      tp.constraint ? print(tp.constraint, ctx, inner).doc : "",
      node.nameType ? [" as ", print(node.nameType, ctx, inner).doc] : "",
      "]",
      node.questionToken ? node.questionToken.getText(sf) : "",
    ];
    const value: Doc = node.type
      ? [":", group(indent([line, print(node.type, ctx, inner).doc]))]
      : "";
    return expr(objectBody([[head, value]]), { objectLike: true });
  }
  if (ts.isIndexedAccessTypeNode(node)) {
    const object = print(node.objectType, ctx, bound);
    return expr([
      maybeParens(object, needsParensAsOperand(object)),
      group([
        "[",
        indent([softline, print(node.indexType, ctx, bound).doc]),
        softline,
        "]",
      ]),
    ]);
  }
  if (ts.isTypeOperatorNode(node)) {
    const op = ts.tokenToString(node.operator) ?? "";
    const operand = print(node.type, ctx, bound);
    return expr([
      op,
      " ",
      maybeParens(
        operand,
        operand.needsParens || operand.operands !== undefined,
      ),
    ], { prefix: true });
  }
  if (ts.isTypeQueryNode(node)) {
    collectExpressionReference(node.exprName, ctx, bound);
    const args = node.typeArguments?.map((a) => print(a, ctx, bound)) ?? [];
    return expr([
      "typeof ",
      entityText(node.exprName, ctx, bound),
      args.length ? typeArgs(args) : "",
    ]);
  }
  if (ts.isImportTypeNode(node)) {
    const arg = node.argument;
    let specifier = arg.getText(sf);
    if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) {
      specifier = JSON.stringify(ctx.rewriteSpecifier(arg.literal.text));
    }
    const args = node.typeArguments?.map((a) => print(a, ctx, bound)) ?? [];
    return expr([
      node.isTypeOf ? "typeof " : "",
      "import(",
      specifier,
      ")",
      node.qualifier ? "." + node.qualifier.getText(sf) : "",
      args.length ? typeArgs(args) : "",
    ]);
  }
  if (ts.isConditionalTypeNode(node)) {
    return conditional(node, ctx, bound);
  }
  if (ts.isInferTypeNode(node)) {
    bound.add(node.typeParameter.name.text);
    const c = node.typeParameter.constraint;
    return expr([
      "infer ",
      node.typeParameter.name.text,
      c ? [" extends ", print(c, ctx, bound).doc] : "",
    ], { prefix: true });
  }
  if (ts.isTypePredicateNode(node)) {
    ctx.onProblem({
      node,
      code: "unsupported-type",
      message: "a type predicate cannot be the result of a service call",
      hint: "return `boolean` instead",
    });
    return expr(text());
  }
  if (ts.isOptionalTypeNode(node)) {
    const inner = print(node.type, ctx, bound);
    return expr([maybeParens(inner, needsParensAsOperand(inner)), "?"]);
  }
  if (ts.isRestTypeNode(node)) {
    return expr(["...", print(node.type, ctx, bound).doc]);
  }
  if (ts.isTemplateLiteralTypeNode(node)) {
    for (const span of node.templateSpans) print(span.type, ctx, bound);
    return expr(text());
  }
  return expr(text());
}

function tupleElement(
  e: ts.TypeNode,
  ctx: TypeContext,
  bound: Set<string>,
): Doc {
  if (ts.isNamedTupleMember(e)) {
    const head = (e.dotDotDotToken ? "..." : "") + e.name.text +
      (e.questionToken ? "?" : "");
    return [head, annotation(print(e.type, ctx, bound))];
  }
  return print(e, ctx, bound).doc;
}

/** `A extends B ? C : D`; broken, each `: …` branch goes on its own line. */
function conditional(
  node: ts.ConditionalTypeNode,
  ctx: TypeContext,
  bound: Set<string>,
): TypeExpr {
  const parts: Doc[] = [];
  let current: ts.TypeNode = node;
  let first = true;
  while (ts.isConditionalTypeNode(current)) {
    const inner = new Set(bound);
    const checked = print(current.checkType, ctx, inner);
    const check = maybeParens(checked, checked.needsParens);
    // A conditional type cannot stand bare after `extends` (TypeScript
    // parses `A extends B extends C ? D : E ? F : G` another way), and a
    // function type there would take a conditional return type with it:
    // the fuzz test found both printed without their parentheses.
    const extended = print(current.extendsType, ctx, inner);
    const ext = maybeParens(extended, extended.needsParens);
    const whenTrue = print(current.trueType, ctx, inner).doc;
    const head: Doc = [check, " extends ", ext, " ? ", whenTrue];
    parts.push(first ? head : [line, ": ", head]);
    first = false;
    current = current.falseType;
  }
  parts.push([line, ": ", print(current, ctx, bound).doc]);
  const [head, ...rest] = parts;
  return expr(group([head, indent(rest)]), { needsParens: true });
}
