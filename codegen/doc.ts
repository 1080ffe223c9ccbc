/**
 * A small Wadler/Prettier-style pretty printer. The emitter describes code as
 * a {@linkcode Doc}: text, possible line breaks and groups; {@linkcode render}
 * lays each group out flat when it fits in the line width and broken
 * otherwise, which is how `deno fmt` decides for the constructs the generator
 * emits. Broken layouts are the ones `deno fmt` produces and keeps.
 *
 * @module
 */

/** A document: text, a sequence, or a layout instruction. */
export type Doc = string | readonly Doc[] | Group | Indent | Line | IfBreak;

/** Contents laid out flat if they fit, otherwise with their lines broken. */
export interface Group {
  readonly kind: "group";
  readonly contents: Doc;
  /**
   * Whether the text after the group (up to the next certain line break) must
   * fit flat too, instead of counting later groups as places to break. `deno
   * fmt` measures parameter lists this way: a signature that does not fit
   * breaks its parameters before its return type.
   */
  readonly restFlat: boolean;
}

/** Contents whose broken lines are indented one level more. */
export interface Indent {
  readonly kind: "indent";
  readonly contents: Doc;
}

/** A place to break: flat it is a space (or nothing when soft). */
export interface Line {
  readonly kind: "line";
  readonly soft: boolean;
  readonly hard: boolean;
}

/** One doc when the enclosing group is broken, another when flat. */
export interface IfBreak {
  readonly kind: "ifBreak";
  readonly broken: Doc;
  readonly flat: Doc;
}

/** Builds a group; see {@linkcode Group}. */
export function group(contents: Doc, restFlat = false): Group {
  return { kind: "group", contents, restFlat };
}

/** Builds an indented block. */
export function indent(contents: Doc): Indent {
  return { kind: "indent", contents };
}

/** A space, or a line break when the group breaks. */
export const line: Line = { kind: "line", soft: false, hard: false };
/** Nothing, or a line break when the group breaks. */
export const softline: Line = { kind: "line", soft: true, hard: false };
/** Always a line break; breaks every enclosing group. */
export const hardline: Line = { kind: "line", soft: true, hard: true };

/** `broken` inside a broken group, `flat` (default nothing) otherwise. */
export function ifBreak(broken: Doc, flat: Doc = ""): IfBreak {
  return { kind: "ifBreak", broken, flat };
}

/** Places `separator` between the docs. */
export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((doc, i) => {
    if (i > 0) out.push(separator);
    out.push(doc);
  });
  return out;
}

/**
 * A bracketed, comma-separated list: `(a, b)` flat; one item per line, with
 * a trailing comma when `trailingComma`, broken.
 */
export function list(
  open: string,
  items: readonly Doc[],
  close: string,
  options: { trailingComma: boolean; restFlat?: boolean },
): Doc {
  if (items.length === 0) return open + close;
  return group(
    [
      open,
      indent([softline, join([",", line], items)]),
      options.trailingComma ? ifBreak(",") : "",
      softline,
      close,
    ],
    options.restFlat ?? false,
  );
}

/** Whether a doc has no place to break (so it always prints on one line). */
export function unbreakable(doc: Doc): boolean {
  if (typeof doc === "string") return true;
  if (Array.isArray(doc)) return (doc as readonly Doc[]).every(unbreakable);
  const node = doc as Group | Indent | Line | IfBreak;
  switch (node.kind) {
    case "line":
      return false;
    case "ifBreak":
      return unbreakable(node.flat);
    default:
      return unbreakable(node.contents);
  }
}

const BREAK = 0;
const FLAT = 1;
type Mode = typeof BREAK | typeof FLAT;
type Command = [indentLevel: number, mode: Mode, doc: Doc];

/** Whether a doc contains a hard line (so every group around it breaks). */
function hasHardline(doc: Doc, memo: Map<object, boolean>): boolean {
  if (typeof doc === "string") return false;
  const known = memo.get(doc);
  if (known !== undefined) return known;
  let result: boolean;
  if (Array.isArray(doc)) {
    result = (doc as readonly Doc[]).some((d) => hasHardline(d, memo));
  } else {
    const node = doc as Group | Indent | Line | IfBreak;
    switch (node.kind) {
      case "line":
        result = node.hard;
        break;
      case "ifBreak":
        result = hasHardline(node.broken, memo) ||
          hasHardline(node.flat, memo);
        break;
      default:
        result = hasHardline(node.contents, memo);
    }
  }
  memo.set(doc, result);
  return result;
}

/** Display width of a string (code points). */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Lays out a doc in `maxWidth` columns with two-space indentation.
 *
 * @param doc The document.
 * @param maxWidth The line width (80, as `deno fmt`).
 * @returns The text, without trailing whitespace on any line.
 */
export function render(doc: Doc, maxWidth = 80): string {
  const hard = new Map<object, boolean>();
  const out: string[] = [];
  let column = 0;
  const commands: Command[] = [[0, BREAK, doc]];
  while (commands.length > 0) {
    const [level, mode, d] = commands.pop()!;
    if (typeof d === "string") {
      out.push(d);
      column += width(d);
      continue;
    }
    if (Array.isArray(d)) {
      const docs = d as readonly Doc[];
      for (let i = docs.length - 1; i >= 0; i--) {
        commands.push([level, mode, docs[i]]);
      }
      continue;
    }
    const node = d as Group | Indent | Line | IfBreak;
    switch (node.kind) {
      case "indent":
        commands.push([level + 1, mode, node.contents]);
        break;
      case "ifBreak":
        commands.push([level, mode, mode === BREAK ? node.broken : node.flat]);
        break;
      case "line":
        if (mode === FLAT && !node.hard) {
          if (!node.soft) {
            out.push(" ");
            column += 1;
          }
        } else {
          trimTrailingSpaces(out);
          const pad = "  ".repeat(level);
          out.push("\n" + pad);
          column = pad.length;
        }
        break;
      case "group": {
        let groupMode: Mode = BREAK;
        if (mode === FLAT) {
          groupMode = FLAT;
        } else if (!hasHardline(node, hard)) {
          groupMode = fits(
              node.contents,
              commands,
              maxWidth - column,
              node.restFlat,
              hard,
            )
            ? FLAT
            : BREAK;
        }
        commands.push([level, groupMode, node.contents]);
        break;
      }
    }
  }
  trimTrailingSpaces(out);
  return out.join("").replace(/[ ]+\n/g, "\n");
}

function trimTrailingSpaces(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1];
    const trimmed = last.replace(/[ ]+$/, "");
    if (trimmed.length > 0 || last.length === 0) {
      out[out.length - 1] = trimmed;
      return;
    }
    out.pop();
  }
}

/**
 * Whether `contents`, laid out flat, and the rest of the current line fit in
 * `remaining` columns. The rest ends at the first line break of an enclosing
 * broken group; groups not laid out yet count as breakable there unless
 * `restFlat`.
 */
function fits(
  contents: Doc,
  rest: readonly Command[],
  remaining: number,
  restFlat: boolean,
  hard: Map<object, boolean>,
): boolean {
  const stack: [mode: Mode, doc: Doc][] = [[FLAT, contents]];
  let restIndex = rest.length;
  while (remaining >= 0) {
    if (stack.length === 0) {
      if (restIndex === 0) return true;
      const [, mode, doc] = rest[--restIndex];
      stack.push([mode, doc]);
      continue;
    }
    const [mode, d] = stack.pop()!;
    if (typeof d === "string") {
      remaining -= width(d);
      continue;
    }
    if (Array.isArray(d)) {
      const docs = d as readonly Doc[];
      for (let i = docs.length - 1; i >= 0; i--) stack.push([mode, docs[i]]);
      continue;
    }
    const node = d as Group | Indent | Line | IfBreak;
    switch (node.kind) {
      case "indent":
        stack.push([mode, node.contents]);
        break;
      case "ifBreak":
        stack.push([mode, mode === BREAK ? node.broken : node.flat]);
        break;
      case "group": {
        const groupMode = hasHardline(node, hard)
          ? BREAK
          : restFlat
          ? FLAT
          : mode;
        stack.push([groupMode, node.contents]);
        break;
      }
      case "line":
        if (mode === BREAK || node.hard) return true;
        if (!node.soft) remaining -= 1;
        break;
    }
  }
  return false;
}
