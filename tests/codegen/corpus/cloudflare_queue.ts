// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// Cloudflare Workers types: Queue (a generic interface with a default).
export type QueueContentType = "text" | "bytes" | "json" | "v8";
export interface QueueSendOptions {
  contentType?: QueueContentType;
  delaySeconds?: number;
}
export interface MessageSendRequest<Body = unknown> {
  body: Body;
  contentType?: QueueContentType;
  delaySeconds?: number;
}
export interface QueueSendBatchOptions {
  delaySeconds?: number;
}

/** A producer binding to a Cloudflare Queue. */
export interface Queue<Body = unknown> {
  send(message: Body, options?: QueueSendOptions): Promise<void>;
  sendBatch(
    messages: Iterable<MessageSendRequest<Body>>,
    options?: QueueSendBatchOptions,
  ): Promise<void>;
}

export const SOURCE = "cloudflare/workerd types/defines/queues.d.ts";
