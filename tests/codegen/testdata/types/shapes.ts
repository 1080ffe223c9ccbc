/**
 * Types imported by the `Geometry` service definition.
 *
 * @module
 */

/** A point in the plane. */
export interface Point {
  x: number;
  y: number;
}

/** How to round results. */
export type Rounding = "floor" | "ceil" | "round" | "none";

/** The default export, imported under another name. */
export default interface Meta {
  label: string;
}
