// deno-lint-ignore-file -- written as in the interface's source (any, {})
export interface ServerToClientEvents {
  noArg: () => void;
  basicEmit: (a: number, b: string, c: Uint8Array) => void;
  withAck: (d: string, callback: (e: number) => void) => void;
}

/** Runtime code on purpose: `deno task gen tests` generates only declaration-only files. */
export const FIXTURE = "socketio_events";
