/**
 * Internal: the service both tracing layers produce. One class, two kinds:
 * a CLIENT span writes its context into the call's metadata, a SERVER span
 * takes its parent from there.
 *
 * @module
 */

import {
  type Attributes,
  context,
  INVALID_SPAN_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from "@opentelemetry/api";
import type { CallOptions, Service } from "../mod.ts";
import {
  endFailed,
  methodOf,
  reportTracingError,
  rpcAttributes,
  spanName,
  type TraceConfig,
} from "./_span.ts";
import { extractTraceContext, injectTraceContext } from "./_w3c.ts";

/** A method's span name and attributes, computed once. */
interface MethodSpan {
  readonly name: string;
  readonly options: {
    readonly kind: SpanKind;
    readonly attributes: Attributes;
  };
}

// Bounds the per-method cache when untyped callers send arbitrary methods.
const MAX_CACHED_METHODS = 256;

/** Traces every call of `inner` with a span of `kind` (CLIENT or SERVER). */
export class TracedService<Req, Res> implements Service<Req, Res> {
  readonly #inner: Service<Req, Res>;
  readonly #config: TraceConfig;
  readonly #kind: SpanKind.CLIENT | SpanKind.SERVER;
  readonly #methods = new Map<string, MethodSpan>();

  constructor(
    inner: Service<Req, Res>,
    config: TraceConfig,
    kind: SpanKind.CLIENT | SpanKind.SERVER,
  ) {
    this.#inner = inner;
    this.#config = config;
    this.#kind = kind;
  }

  /** Forwarded, so a `timeout` layer above still sees the deadline enforced below. */
  get enforcesDeadline(): boolean | undefined {
    return this.#inner.enforcesDeadline;
  }

  ready(): boolean {
    return this.#inner.ready === undefined || this.#inner.ready();
  }

  call(req: Req, options?: CallOptions): Promise<Res> {
    const inner = this.#inner;
    const client = this.#kind === SpanKind.CLIENT;
    // A server span's parent is the caller's span carried in the metadata,
    // whatever async context the server happens to run the handler in.
    const current = context.active();
    const parent = client
      ? current
      : extractTraceContext(current, options?.metadata);
    let span: Span;
    try {
      const method = this.#method(methodOf(req));
      span = this.#config.tracer.startSpan(method.name, method.options, parent);
    } catch (error) {
      reportTracingError("tracer.startSpan", error);
      return callUntraced(inner, req, options);
    }
    const spanContext = span.spanContext();
    const forwarded = client
      ? injectTraceContext(options, spanContext)
      : options;
    let result: Promise<Res>;
    try {
      if (span.isRecording()) {
        result = context.with(
          trace.setSpan(parent, span),
          inner.call,
          inner,
          req,
          forwarded,
        );
      } else {
        // Nothing to record or end (no SDK, or not sampled): the fast path.
        // The span is only activated when it is not simply the parent's
        // context passed through, as a no-op tracer's span is (or invalid,
        // when there is no parent).
        const active = spanContext === INVALID_SPAN_CONTEXT ||
            trace.getSpanContext(parent) === spanContext
          ? parent
          : trace.setSpan(parent, span);
        return active === current
          ? inner.call(req, forwarded)
          : context.with(active, inner.call, inner, req, forwarded);
      }
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.then(
      (value) => {
        try {
          span.end();
        } catch (error) {
          reportTracingError("span.end", error);
        }
        return value;
      },
      (error) => {
        try {
          endFailed(span, error, options);
        } catch (tracingError) {
          reportTracingError("recording a failed call", tracingError);
        }
        throw error;
      },
    );
  }

  #method(method: string): MethodSpan {
    let cached = this.#methods.get(method);
    if (cached === undefined) {
      cached = {
        name: spanName(this.#config, method),
        options: {
          kind: this.#kind,
          attributes: rpcAttributes(this.#config, method),
        },
      };
      if (this.#methods.size < MAX_CACHED_METHODS) {
        this.#methods.set(method, cached);
      }
    }
    return cached;
  }
}

function callUntraced<Req, Res>(
  inner: Service<Req, Res>,
  req: Req,
  options: CallOptions | undefined,
): Promise<Res> {
  try {
    return inner.call(req, options);
  } catch (error) {
    return Promise.reject(error);
  }
}
