/**
 * The requests of the lab worker (lab_worker.ts): one method per behaviour
 * the Worker transport tests need.
 */
export type LabRequest =
  | { method: "echo"; args: [value: unknown] }
  | { method: "throw"; args: [kind: string] }
  | { method: "uncloneable"; args: [] }
  | { method: "wait"; args: [tag: string, ms: number] }
  | { method: "context"; args: [] }
  | { method: "events"; args: [] }
  | {
    method: "crash";
    args: [how: "throw" | "reject" | "close" | "exit", afterMs: number];
  }
  | { method: "count"; args: [n: number] }
  | { method: "sum"; args: [numbers: ReadableStream<number>] }
  | { method: "bytes"; args: [buffer: ArrayBuffer] }
  | { method: "spin"; args: [ms: number] }
  | { method: "name"; args: [] }
  | { method: "serveAgain"; args: [] }
  | { method: "stubborn"; args: [ms: number] };

/** A response of the lab worker. */
export type LabResponse = unknown;

/** The lab worker's module URL. */
export const LAB_WORKER = new URL("./lab_worker.ts", import.meta.url);
