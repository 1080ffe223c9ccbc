// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// Socket.IO typed events (function-typed properties, acknowledgement
// callbacks).
export interface ServerToClientEvents {
  noArg: () => void;
  basicEmit: (a: number, b: string, c: Uint8Array) => void;
  withAck: (d: string, callback: (e: number) => void) => void;
}
export interface ClientToServerEvents {
  hello: () => void;
}
export interface InterServerEvents {
  ping: () => void;
}

export const SOURCE =
  "socketio/socket.io docs/categories/01-Documentation/typescript.md (typed events)";
