import { EventStreamParser, type ReceivedEvent } from '../../protocol/index.js';
import { UpstreamError } from './errors.js';
import {
  type ChatCompletionRelayOptions,
  type ResolvedChatRelayOptions,
  resolveChatRelayOptions,
} from './options.js';
import type { ProducerContext, ResumableEvent } from './registry.js';

/** The slice of an OpenAI-compatible `chat.completion.chunk` the relay reads. */
interface Chunk {
  readonly choices?: readonly {
    readonly delta?: { readonly content?: string | null };
    readonly finish_reason?: string | null;
  }[];
  readonly error?: unknown;
}

/**
 * A producer for {@link ResumableStreams.start} that relays an OpenAI-compatible chat-completion stream
 * (`POST` with `stream: true`; the upstream answers `data: {chunk}` events, then `data: [DONE]`), parsed with
 * `ssehub/protocol`. It sends `token` events (data: the content delta as a JSON string) and a `finish`
 * event (data: `{"finish_reason":…}`); the registry then ends the stream with `done`.
 *
 * Cancellation goes upstream: when the stream is cancelled or the server shuts down, the upstream request
 * is aborted (the upstream sees its connection close and stops generating). Failures end the stream with
 * an `error` event carrying an {@link UpstreamError} code: `SSEHUB_UPSTREAM_REFUSED` (not 200
 * `text/event-stream`, or an error chunk), `SSEHUB_UPSTREAM_STALLED` (silent for `stallTimeoutMs`),
 * `SSEHUB_UPSTREAM_CUT_OFF` (ended or dropped before `[DONE]`: the answer is incomplete).
 */
export function relayChatCompletion(
  options: ChatCompletionRelayOptions,
): (context: ProducerContext) => AsyncIterable<ResumableEvent> {
  const resolved = resolveChatRelayOptions(options);
  return (context) => relay(resolved, context);
}

async function* relay(
  options: ResolvedChatRelayOptions,
  context: ProducerContext,
): AsyncGenerator<ResumableEvent, void, undefined> {
  const stallTimeoutMs = options.stallTimeoutMs;
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(context.signal.reason);
  if (context.signal.aborted) onCancel();
  else context.signal.addEventListener('abort', onCancel, { once: true });
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const armStall = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(
      () =>
        controller.abort(
          new UpstreamError(
            'SSEHUB_UPSTREAM_STALLED',
            `The model service sent nothing for ${stallTimeoutMs / 1000} s; the answer was stopped`,
          ),
        ),
      stallTimeoutMs,
    );
  };
  const body =
    typeof options.body === 'string' ? options.body : JSON.stringify({ ...options.body, stream: true });
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    armStall();
    const response = await options.fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...options.headers },
      body,
      signal: controller.signal,
    });
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !/^text\/event-stream\s*(;|$)/i.test(type) || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamError('SSEHUB_UPSTREAM_REFUSED', `The model service answered ${response.status}`);
    }
    const events: ReceivedEvent[] = [];
    const parser = new EventStreamParser({
      onEvent: (event) => events.push(event),
      maxEventSize: options.maxEventSize,
    });
    reader = response.body.getReader();
    for (;;) {
      armStall();
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
      for (const event of events.splice(0)) {
        if (event.data === '[DONE]') return;
        yield* translate(event.data);
      }
    }
    throw new UpstreamError(
      'SSEHUB_UPSTREAM_CUT_OFF',
      'The model service ended its answer before the end; the answer is incomplete',
    );
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    if (context.signal.aborted) throw context.signal.reason;
    if (reason instanceof UpstreamError) throw reason;
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError(
      'SSEHUB_UPSTREAM_CUT_OFF',
      'The connection to the model service was lost; the answer is incomplete',
      { cause: error },
    );
  } finally {
    clearTimeout(stallTimer);
    context.signal.removeEventListener('abort', onCancel);
    controller.abort();
    reader?.cancel().catch(() => undefined);
  }
}

/** The relay's events for one upstream `data:` payload (a `chat.completion.chunk`). */
function* translate(data: string): Generator<ResumableEvent> {
  let chunk: Chunk;
  try {
    chunk = JSON.parse(data) as Chunk;
  } catch (cause) {
    throw new UpstreamError('SSEHUB_UPSTREAM_REFUSED', 'The model service sent a chunk that is not JSON', {
      cause,
    });
  }
  if (chunk.error !== undefined) {
    throw new UpstreamError('SSEHUB_UPSTREAM_REFUSED', 'The model service reported an error mid-answer');
  }
  for (const choice of chunk.choices ?? []) {
    const content = choice.delta?.content;
    if (typeof content === 'string' && content !== '')
      yield { event: 'token', data: JSON.stringify(content) };
    if (typeof choice.finish_reason === 'string') {
      yield { event: 'finish', data: JSON.stringify({ finish_reason: choice.finish_reason }) };
    }
  }
}
