import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ProducerContext, type ResumableStore, ResumableStreams } from '../server/index.js';
import { generateAnswer } from './answer-generator.js';

/** Limits and storage of the streamed-chat demo; every one bounds memory or CPU a visitor can use. */
export interface ChatOptions {
  /** Delay between two tokens, in ms. Default 60. */
  tokenIntervalMs?: number;
  /** Answers kept (generating or finished); the oldest finished one is forgotten first. Default 64. */
  maxAnswers?: number;
  /** Answers generating at the same time; more gets 503 with Retry-After. Default 16. */
  maxGenerating?: number;
  /** How long a finished answer can still be re-attached to, in ms. Default 10 minutes. */
  retainMs?: number;
  /**
   * Where answers are kept. Default in this process's memory; a shared store (`RedisStreamStore` from
   * `ssehub/hub`) lets every node of a multi-node hub serve a re-attach, and a `SqliteStreamStore` keeps
   * answers across a restart (a cut-off one then ends with `interrupted`).
   */
  store?: ResumableStore;
}

/**
 * The streamed-chat answers: a resumable-stream registry ({@link ResumableStreams}) whose producer is the
 * deterministic generator, one token per `tokenIntervalMs`. Each answer streams an `answer` event (its id,
 * prompt and token count), one `token` per token (data: a JSON string), then the registry's terminal event:
 * `done` when complete, `interrupted` when the hub stopped mid-answer.
 */
export class ChatAnswers {
  readonly streams: ResumableStreams;
  readonly #tokenIntervalMs: number;
  #started = 0;

  constructor(options: ChatOptions = {}) {
    this.#tokenIntervalMs = options.tokenIntervalMs ?? 60;
    this.streams = new ResumableStreams({
      maxStreams: options.maxAnswers ?? 64,
      maxProducers: options.maxGenerating ?? 16,
      ...(options.retainMs === undefined ? {} : { retentionMs: options.retainMs }),
      ...(options.store ? { store: options.store } : {}),
    });
  }

  /** Answers started since creation: a re-attach must not start one (the tests check it). */
  get started(): number {
    return this.#started;
  }

  /** Starts generating the answer to `prompt` and streams it as the response to this request. */
  async start(req: IncomingMessage, res: ServerResponse, prompt: string): Promise<void> {
    const id = await this.streams.start(req, res, (context) => this.#generate(prompt, context));
    if (id !== undefined) this.#started++;
  }

  /** Stops every generator: running answers end with `interrupted`, so no page mistakes them for complete. */
  close(): Promise<void> {
    return this.streams.close();
  }

  async *#generate(
    prompt: string,
    context: ProducerContext,
  ): AsyncGenerator<{ event: string; data: string }> {
    const tokens = generateAnswer(prompt);
    yield {
      event: 'answer',
      data: JSON.stringify({ answer: context.streamId, prompt, tokens: tokens.length }),
    };
    for (const token of tokens) {
      await sleep(this.#tokenIntervalMs, context.signal);
      yield { event: 'token', data: JSON.stringify(token) };
    }
  }
}

/** Resolves after `ms`, or rejects at once when `signal` aborts (the answer was stopped). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
