/**
 * A service whose methods use every kind of type the generator supports:
 * imported (named, renamed, default, namespace) and local types, unions,
 * tuples, object literals, arrays, functions, literal types.
 *
 * @module
 */

import type MetaData from "./shapes.ts";
import type { Point as P, Rounding } from "./shapes.ts";
import type * as shapes from "./shapes.ts";

/** A polygon, declared here and exported so the generated file can import it. */
export type Polygon = readonly P[];

/** Data, not a service: it has no methods, so it is skipped. */
export interface Box {
  min: P;
  max: P;
}

/** Geometry over points and polygons. */
export interface Geometry {
  /** The distance between two points. */
  distance(a: P, b: shapes.Point, rounding?: Rounding): number;
  /** The bounding box of a polygon. */
  bounds(polygon: Polygon): Box | null;
  /** Labels a point. */
  label(point: P, meta: MetaData): Promise<`${number},${number}: ${string}`>;
  /** Splits a polygon at the given vertex indices. */
  split(
    polygon: Polygon,
    at: [first: number, second?: number],
  ): [Polygon, Polygon];
  /** Applies a transform to each vertex. */
  transform(polygon: Polygon, f: (p: P, index: number) => P): Polygon;
  /** Classifies a point against a shape given inline. */
  classify(
    point: P,
    shape:
      | { kind: "circle"; center: P; radius: number }
      | { kind: "rectangle"; corner: P; width: number; height: number },
  ): "inside" | "outside" | "on the edge" | 'on a "vertex"';
  /** Looks up points by name. */
  lookup(names: string[], table: Record<string, P>): Map<string, P | undefined>;
  /** A callback result, which must be parenthesized in the handler's union. */
  scaler(factor: number): (p: P) => P;
  /** Optional object parameter. */
  configure(settings?: { precision: number; rounding: Rounding }): {
    precision: number;
    rounding: Rounding;
  } | null;
}
