import { EventTooLargeError } from './errors.js';
import type { ReceivedEvent } from './event.js';

/** Default bound on one event's buffered text: large enough for any sane payload, small enough to be safe. */
export const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024;

const LF = 10;
const CR = 13;
const BOM = 0xfeff;
const ASCII_DIGITS = /^[0-9]+$/;

/** Callbacks and limits for {@link EventStreamParser}. */
export interface ParserOptions {
  /** Called for every dispatched event (HTML §9.2.6 "dispatch the event"). */
  onEvent: (event: ReceivedEvent) => void;
  /** Called as soon as a valid `retry:` field is read: the spec applies it at field time, not dispatch. */
  onRetry?: (milliseconds: number) => void;
  /** Called for comment lines, with the text after `:` and one optional space. */
  onComment?: (text: string) => void;
  /**
   * The most characters one event may buffer (data, type and the line being read). Past it the parser
   * throws {@link EventTooLargeError} and refuses input until {@link EventStreamParser.reset}.
   * Defaults to {@link DEFAULT_MAX_EVENT_SIZE}; `Infinity` disables the bound.
   */
  maxEventSize?: number;
  /**
   * The last event id to start from, so a client that reconnects keeps reporting the id it had
   * (HTML §9.2.6: the last event ID string belongs to the EventSource, not to one connection).
   */
  lastEventId?: string;
}

/**
 * A streaming decoder for `text/event-stream` that follows the WHATWG HTML rules exactly (§9.2.5-9.2.6):
 * one leading BOM stripped; lines end at CRLF, LF or CR, even when a CR ends one chunk and the LF starts
 * the next; exactly one leading space removed from values; field names compared literally; `id` with
 * NUL ignored; `retry` only from ASCII digits; the last event id persists and is reported on every event;
 * empty data dispatches nothing; an unterminated final event is discarded by {@link end}.
 *
 * Chunks may be strings or UTF-8 bytes; a multi-byte character split across byte chunks is decoded
 * correctly. No dependencies, no DOM: runs in browsers, workers and Node.
 */
export class EventStreamParser {
  #options: ParserOptions;
  #maxEventSize: number;
  #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  #atStart = true;
  #afterCR = false;
  #failed: EventTooLargeError | undefined;
  /** Pieces of the current, unterminated line: joined once, when its end arrives (no O(n²) regrowth). */
  #partial: string[] = [];
  #partialLength = 0;
  /** The data buffer, or undefined while it is empty (so `data:` with no value still dispatches ""). */
  #data: string | undefined;
  #eventType = '';
  #idBuffer: string;
  #lastEventId: string;

  constructor(options: ParserOptions) {
    this.#options = options;
    this.#maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
    this.#idBuffer = options.lastEventId ?? '';
    this.#lastEventId = this.#idBuffer;
  }

  /** The last event id string as of the latest dispatch: what a client sends as `Last-Event-ID`. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** Parses the next chunk of the stream. Throws {@link EventTooLargeError} once an event outgrows the bound. */
  feed(chunk: string | Uint8Array): void {
    if (this.#failed) throw this.#failed;
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    if (this.#atStart) {
      this.#atStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    let pos = 0;
    if (this.#afterCR) {
      this.#afterCR = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    const length = text.length;
    let nextLF = text.indexOf('\n', pos);
    let nextCR = text.indexOf('\r', pos);
    while (pos < length) {
      if (nextLF !== -1 && nextLF < pos) nextLF = text.indexOf('\n', pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = text.indexOf('\r', pos);
      let end: number;
      if (nextLF === -1) end = nextCR;
      else if (nextCR === -1) end = nextLF;
      else end = nextLF < nextCR ? nextLF : nextCR;
      if (end === -1) break;
      let line = text.slice(pos, end);
      if (this.#partial.length > 0) {
        this.#partial.push(line);
        line = this.#partial.join('');
        this.#partial = [];
        this.#partialLength = 0;
      }
      if (text.charCodeAt(end) === CR) {
        if (end + 1 === length) this.#afterCR = true;
        else if (text.charCodeAt(end + 1) === LF) pos = end + 2;
        else pos = end + 1;
        if (this.#afterCR) pos = length;
      } else {
        pos = end + 1;
      }
      this.#processLine(line);
    }
    if (pos < length) {
      const rest = pos === 0 ? text : text.slice(pos);
      this.#partial.push(rest);
      this.#partialLength += rest.length;
      this.#checkSize();
    }
  }

  /**
   * Ends the stream: flushes the UTF-8 decoder and discards any unterminated event, as the spec requires
   * at end of file. The last event id survives; the parser can be fed a new stream afterwards.
   */
  end(): void {
    this.#decoder.decode();
    this.#resetBuffers();
    this.#idBuffer = this.#lastEventId;
  }

  /** Clears all state, including a failure, keeping only the last event id (or setting a new one). */
  reset(lastEventId: string = this.#lastEventId): void {
    this.#decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    this.#failed = undefined;
    this.#resetBuffers();
    this.#idBuffer = lastEventId;
    this.#lastEventId = lastEventId;
  }

  #resetBuffers(): void {
    this.#atStart = true;
    this.#afterCR = false;
    this.#partial = [];
    this.#partialLength = 0;
    this.#data = undefined;
    this.#eventType = '';
  }

  #processLine(line: string): void {
    if (line.length === 0) {
      this.#dispatch();
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) {
      this.#options.onComment?.(line.charCodeAt(1) === 0x20 ? line.slice(2) : line.slice(1));
      return;
    }
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      const valueStart = line.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1;
      value = line.slice(valueStart);
    }
    switch (field) {
      case 'data':
        this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
        this.#checkSize();
        break;
      case 'event':
        this.#eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#idBuffer = value;
        break;
      case 'retry':
        if (ASCII_DIGITS.test(value)) this.#options.onRetry?.(Number.parseInt(value, 10));
        break;
      default:
        break;
    }
  }

  #dispatch(): void {
    this.#lastEventId = this.#idBuffer;
    const data = this.#data;
    const type = this.#eventType;
    this.#data = undefined;
    this.#eventType = '';
    if (data === undefined) return;
    this.#options.onEvent({ type: type === '' ? 'message' : type, data, lastEventId: this.#lastEventId });
  }

  #checkSize(): void {
    const size = (this.#data?.length ?? 0) + this.#partialLength + this.#eventType.length;
    if (size > this.#maxEventSize) {
      this.#failed = new EventTooLargeError(this.#maxEventSize);
      this.#resetBuffers();
      throw this.#failed;
    }
  }
}

/** Options for {@link EventStreamDecoder}: the parser's, without the event callback the stream provides. */
export type DecoderOptions = Omit<ParserOptions, 'onEvent'>;

/**
 * The parser as a web `TransformStream`: pipe a response body (bytes) or text through it and read events.
 * The unterminated tail is discarded at the end of the input, as the spec requires.
 */
export class EventStreamDecoder extends TransformStream<string | Uint8Array, ReceivedEvent> {
  constructor(options: DecoderOptions = {}) {
    let parser: EventStreamParser;
    super({
      start(controller) {
        parser = new EventStreamParser({ ...options, onEvent: (event) => controller.enqueue(event) });
      },
      transform(chunk) {
        parser.feed(chunk);
      },
      flush() {
        parser.end();
      },
    });
  }
}
