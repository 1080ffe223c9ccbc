/**
 * Pure path arithmetic for module specifiers (forward slashes; Windows
 * separators and drive letters are accepted). No file system access.
 *
 * @module
 */

/** Converts separators to `/`. */
function slashes(path: string): string {
  return path.replaceAll("\\", "/");
}

/** Whether the path is absolute (`/x`, `C:/x`). */
export function isAbsolute(path: string): boolean {
  return /^(?:\/|[A-Za-z]:\/)/.test(slashes(path));
}

/** Resolves `.` and `..` segments and repeated separators. */
export function normalize(path: string): string {
  const p = slashes(path);
  const root = /^[A-Za-z]:\//.test(p)
    ? p.slice(0, 3)
    : p.startsWith("/")
    ? "/"
    : "";
  const out: string[] = [];
  for (const segment of p.slice(root.length).split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && out.length > 0 && out[out.length - 1] !== "..") {
      out.pop();
    } else if (segment !== ".." || root === "") {
      out.push(segment);
    }
  }
  const joined = out.join("/");
  return root + joined || (root === "" ? "." : root);
}

/** The directory part of a path (`.` for a bare file name). */
export function dirname(path: string): string {
  const p = normalize(path);
  const i = p.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  if (/^[A-Za-z]:$/.test(p.slice(0, i))) return p.slice(0, i + 1);
  return p.slice(0, i);
}

/** The last segment of a path. */
export function basename(path: string): string {
  const p = normalize(path);
  return p.slice(p.lastIndexOf("/") + 1);
}

/** Joins path segments and normalizes the result. */
export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== "").join("/"));
}

/** Resolves `path` against `base` (a directory) unless it is absolute. */
export function resolve(base: string, path: string): string {
  return isAbsolute(path) ? normalize(path) : join(base, path);
}

/**
 * The path from directory `fromDir` to `to`, both absolute or both relative
 * to the same directory.
 */
export function relative(fromDir: string, to: string): string {
  const from = normalize(fromDir).split("/").filter((s) => s && s !== ".");
  const target = normalize(to).split("/").filter((s) => s && s !== ".");
  let common = 0;
  while (
    common < from.length && common < target.length &&
    from[common] === target[common]
  ) common++;
  const up = from.slice(common).map(() => "..");
  return [...up, ...target.slice(common)].join("/") || ".";
}

/**
 * A relative module specifier (always starting with `./` or `../`) from a
 * module in directory `fromDir` to the file `to`.
 */
export function specifierTo(fromDir: string, to: string): string {
  const rel = relative(fromDir, to);
  return rel.startsWith("../") ? rel : "./" + rel;
}

/** Whether a module specifier is relative (`./x`, `../x`). */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../");
}
