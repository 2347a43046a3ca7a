import { randomUUID } from 'node:crypto';
import type { SseEvent } from '../protocol/index.js';
import { generateAnswer } from './answer-generator.js';
import { DemoHttpError } from './http-error.js';

/** Limits of the streamed-chat demo; every one bounds memory or CPU a visitor can use. */
export interface AnswerStoreOptions {
  /** Delay between two tokens, in ms. Default 60. */
  tokenIntervalMs?: number;
  /** Answers kept (generating or finished); the oldest finished one is forgotten first. Default 64. */
  maxAnswers?: number;
  /** Answers generating at the same time; more gets 503 with Retry-After. Default 16. */
  maxGenerating?: number;
  /** How long a finished answer can still be re-attached to, in ms. Default 10 minutes. */
  retainMs?: number;
}

/** A listener told about each new event of an answer. */
type AnswerListener = (event: SseEvent, last: boolean) => void;

/**
 * One answer: its tokens are generated on a timer whether or not anyone is connected, and every event
 * is kept, so a client that re-attaches with `Last-Event-ID` continues exactly where it stopped.
 * Event ids are `<answer>:<seq>`: seq 0 is the `answer` header, 1..n the `token`s, n+1 `done`.
 */
export class Answer {
  readonly events: SseEvent[] = [];
  readonly #listeners = new Set<AnswerListener>();
  #finishedAt: number | undefined;

  constructor(
    readonly id: string,
    readonly prompt: string,
  ) {}

  get finished(): boolean {
    return this.#finishedAt !== undefined;
  }

  get finishedAt(): number | undefined {
    return this.#finishedAt;
  }

  /** Appends the next event and tells the listeners. */
  push(event: SseEvent, last: boolean, now: number): void {
    this.events.push(event);
    if (last) this.#finishedAt = now;
    for (const listener of this.#listeners) listener(event, last);
    if (last) this.#listeners.clear();
  }

  /**
   * Calls `listener` with every event after `afterSeq` (-1: from the start), then with each new one.
   * Replay and registration happen in one synchronous step, so no event is missed or repeated.
   * Returns the function that stops listening.
   */
  follow(afterSeq: number, listener: AnswerListener): () => void {
    for (let seq = afterSeq + 1; seq < this.events.length; seq++) {
      listener(this.events[seq] as SseEvent, this.finished && seq === this.events.length - 1);
    }
    if (this.finished) return () => undefined;
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** `<answer>:<seq>` as sent in `Last-Event-ID`, or undefined when it is not one of ours. */
export function parseAnswerEventId(value: string | undefined): { answer: string; seq: number } | undefined {
  const match = /^([A-Za-z0-9-]{1,64}):(\d{1,6})$/.exec(value ?? '');
  if (match === null) return undefined;
  return { answer: match[1] as string, seq: Number(match[2]) };
}

/**
 * The in-memory store of streamed-chat answers, bounded in count and age, generating each answer's
 * tokens from {@link generateAnswer} on a timer.
 */
export class AnswerStore {
  readonly #answers = new Map<string, Answer>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #tokenIntervalMs: number;
  readonly #maxAnswers: number;
  readonly #maxGenerating: number;
  readonly #retainMs: number;
  #started = 0;

  constructor(
    options: AnswerStoreOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.#tokenIntervalMs = options.tokenIntervalMs ?? 60;
    this.#maxAnswers = options.maxAnswers ?? 64;
    this.#maxGenerating = options.maxGenerating ?? 16;
    this.#retainMs = options.retainMs ?? 10 * 60_000;
  }

  /** Answers started since creation: a re-attach must not start one (the tests check it). */
  get started(): number {
    return this.#started;
  }

  /** The answer with this id, if it is still held. */
  get(id: string): Answer | undefined {
    this.#expire();
    return this.#answers.get(id);
  }

  /** Starts generating the answer to `prompt`; throws 503 when too many are generating. */
  start(prompt: string): Answer {
    this.#expire();
    let generating = 0;
    for (const answer of this.#answers.values()) if (!answer.finished) generating++;
    if (generating >= this.#maxGenerating) {
      throw new DemoHttpError(
        'SSEHUB_DEMO_BUSY',
        `${generating} answers are already streaming; try again shortly`,
        2,
      );
    }
    while (this.#answers.size >= this.#maxAnswers) {
      const oldest = [...this.#answers.values()].find((answer) => answer.finished);
      if (oldest === undefined) break;
      this.#answers.delete(oldest.id);
    }
    const answer = new Answer(randomUUID(), prompt);
    this.#answers.set(answer.id, answer);
    this.#started++;
    const tokens = generateAnswer(prompt);
    answer.push(
      {
        event: 'answer',
        id: `${answer.id}:0`,
        retry: 1000,
        data: JSON.stringify({ answer: answer.id, prompt, tokens: tokens.length }),
      },
      false,
      this.now(),
    );
    let seq = 0;
    const timer = setInterval(() => {
      seq++;
      const token = tokens[seq - 1];
      if (token !== undefined) {
        answer.push(
          { event: 'token', id: `${answer.id}:${seq}`, data: JSON.stringify(token) },
          false,
          this.now(),
        );
        return;
      }
      clearInterval(timer);
      this.#timers.delete(timer);
      answer.push(
        {
          event: 'done',
          id: `${answer.id}:${seq}`,
          data: JSON.stringify({ answer: answer.id, tokens: seq - 1 }),
        },
        true,
        this.now(),
      );
    }, this.#tokenIntervalMs);
    timer.unref();
    this.#timers.add(timer);
    return answer;
  }

  /** Stops every generator (on shutdown). */
  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
  }

  #expire(): void {
    const limit = this.now() - this.#retainMs;
    for (const answer of this.#answers.values()) {
      if (answer.finishedAt !== undefined && answer.finishedAt < limit) this.#answers.delete(answer.id);
    }
  }
}
