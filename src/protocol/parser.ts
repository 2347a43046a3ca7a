import { EventTooLargeError } from './errors.js';
import type { ReceivedEvent } from './event.js';
import { Utf8ChunkDecoder } from './utf8-chunks.js';

/** Default `maxEventSize`: 8 Mi characters, enough for any sane payload, bounded against hostile ones (docs/security.md#limits). */
export const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024;

const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;
const BOM = 0xfeff;
/** `retry` takes ASCII digits only (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation): `[0-9]`, never other Unicode digits, signs or exponents. */
const ASCII_DIGITS = /^[0-9]+$/;

/** Callbacks and limits for {@link EventStreamParser}. */
export interface ParserOptions {
  /** Called for every dispatched event (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation "dispatch the event"). */
  onEvent: (event: ReceivedEvent) => void;
  /**
   * Called as soon as a valid `retry:` field is read: the spec applies it at field time, not at dispatch,
   * so it counts even if the stream ends before the blank line. The value is any base-10 integer the
   * server wrote (`02000` is 2000), possibly beyond what `setTimeout` accepts: clamp it before use.
   */
  onRetry?: (milliseconds: number) => void;
  /** Called for comment lines (`:` first), with the text after the colon and one optional space. */
  onComment?: (text: string) => void;
  /**
   * The most characters (UTF-16 code units) one event may buffer: its data, its type and the line being
   * read. Past it the parser throws {@link EventTooLargeError} and keeps throwing until
   * {@link EventStreamParser.reset}. Defaults to {@link DEFAULT_MAX_EVENT_SIZE}; `Infinity` disables it.
   */
  maxEventSize?: number;
  /**
   * The last event id to start from, so a client that reconnects keeps reporting the id it had
   * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation: the last event ID string belongs to the EventSource, not to one connection; https://html.spec.whatwg.org/multipage/server-sent-events.html#the-last-event-id-header).
   */
  lastEventId?: string;
}

/**
 * A streaming decoder for `text/event-stream` that follows the WHATWG HTML rules exactly (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream, https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * one leading BOM stripped; lines end at CRLF, LF or CR, even when a CR ends one chunk and the LF starts
 * the next; exactly one leading space removed from values; field names compared literally; `id` with
 * NUL ignored; `retry` only from ASCII digits, reported at once; the last event id persists and is reported
 * on every event; empty data dispatches nothing; an unterminated final event is discarded by {@link end}.
 *
 * Chunks may be strings or UTF-8 bytes (use one kind per stream); a multi-byte character split across byte
 * chunks is decoded correctly and invalid bytes become U+FFFD. No dependencies, no DOM: runs in browsers,
 * workers and Node.
 */
export class EventStreamParser {
  readonly #onEvent: (event: ReceivedEvent) => void;
  readonly #onRetry: ((milliseconds: number) => void) | undefined;
  readonly #onComment: ((text: string) => void) | undefined;
  readonly #maxEventSize: number;
  readonly #bytes = new Utf8ChunkDecoder();
  #atStart = true;
  /** The previous chunk ended with CR: an LF starting this chunk belongs to that line end (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream). */
  #afterCR = false;
  #failed: EventTooLargeError | undefined;
  /** Text of the current, unterminated line. Appending builds a rope, flattened once when the line ends. */
  #partial = '';
  /** The data buffer without its final LF; `#hasData` tells "" (dispatches) from empty (does not). */
  #data = '';
  #hasData = false;
  #eventType = '';
  #previousType = '';
  #idBuffer: string;
  #lastEventId: string;

  constructor(options: ParserOptions) {
    this.#onEvent = options.onEvent;
    this.#onRetry = options.onRetry;
    this.#onComment = options.onComment;
    this.#maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
    this.#idBuffer = options.lastEventId ?? '';
    this.#lastEventId = this.#idBuffer;
  }

  /** The last event id string as of the latest dispatch: what a client sends as `Last-Event-ID`. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /**
   * Parses the next chunk of the stream. Throws {@link EventTooLargeError} once an event outgrows
   * `maxEventSize`, and on every call after that until {@link reset}.
   */
  feed(chunk: string | Uint8Array): void {
    if (this.#failed !== undefined) throw this.#failed;
    let text: string;
    if (typeof chunk === 'string') {
      // A string after bytes that stopped mid-character: that character is lost (U+FFFD), not merged.
      const tail = this.#bytes.flush();
      text = tail === '' ? chunk : tail + chunk;
    } else {
      text = this.#bytes.decode(chunk);
    }
    if (text.length === 1 && !this.#atStart && !this.#afterCR) {
      // A character at a time (a slow proxy, a byte-by-byte test): skip the searches in #parse.
      const code = text.charCodeAt(0);
      if (code !== LF && code !== CR) {
        this.#partial += text;
        this.#checkSize(this.#partial.length);
        return;
      }
    }
    if (text.length === 0) return;
    if (this.#atStart) {
      this.#atStart = false;
      // The UTF-8 decode algorithm strips one BOM, and only one (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
      if (text.charCodeAt(0) === BOM) {
        text = text.slice(1);
        if (text.length === 0) return;
      }
    }
    this.#parse(text);
  }

  /** Splits `text` into lines and processes them; an unterminated tail waits in `#partial`. */
  #parse(text: string): void {
    const length = text.length;
    let pos = 0;
    if (this.#afterCR) {
      this.#afterCR = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    let cr = text.indexOf('\r', pos);
    let lf = text.indexOf('\n', pos);
    if (this.#partial !== '' && (cr !== -1 || lf !== -1)) {
      // The first line end completes the line that earlier chunks started.
      const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
      const line = this.#partial + text.slice(pos, end);
      this.#partial = '';
      this.#processLine(line, 0, line.length);
      pos = this.#afterLineEnd(text, end);
      if (pos === length) return;
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
    }
    // NUL check for `id:` values. A chunk with many ids (small events) gets one NUL search for all of
    // them: `nul` is then the first NUL at or after the current id, or -1. A chunk with one id (large
    // events) only checks that id's value. -2: no id seen in this chunk yet; -3: one seen.
    let nul = -2;
    // The hot path: one loop for both line-end styles (in an LF-only stream `cr` stays -1 after a single
    // search), with `data:`, `id:` and `event:` matched by character codes, without slicing field names.
    // The character at `end` is CR or LF, so a prefix check can never match across the line end.
    for (;;) {
      let end: number;
      if (cr === -1) {
        if (lf === -1) break;
        end = lf;
      } else {
        end = lf === -1 || cr < lf ? cr : lf;
      }
      const first = text.charCodeAt(pos);
      if (pos === end) {
        this.#dispatch();
      } else if (
        first === 100 &&
        text.charCodeAt(pos + 1) === 97 &&
        text.charCodeAt(pos + 2) === 116 &&
        text.charCodeAt(pos + 3) === 97 &&
        text.charCodeAt(pos + 4) === COLON
      ) {
        const value = text.slice(text.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5, end);
        if (this.#hasData) {
          this.#data = `${this.#data}\n${value}`;
        } else {
          this.#data = value;
          this.#hasData = true;
        }
        if (this.#data.length + this.#eventType.length > this.#maxEventSize) this.#checkSize(0);
      } else if (first === 105 && text.charCodeAt(pos + 1) === 100 && text.charCodeAt(pos + 2) === COLON) {
        const start = text.charCodeAt(pos + 3) === SPACE ? pos + 4 : pos + 3;
        // An id containing NUL is ignored and the previous one kept (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
        if (nul === -2) {
          // First id in this chunk: check just its value.
          let i = start;
          while (i < end && text.charCodeAt(i) !== 0) i++;
          if (i === end) this.#idBuffer = text.slice(start, end);
          nul = -3;
        } else {
          if (nul === -3 || (nul !== -1 && nul < start)) nul = text.indexOf('\0', start);
          if (nul === -1 || nul >= end) this.#idBuffer = text.slice(start, end);
        }
      } else if (
        first === 101 &&
        text.charCodeAt(pos + 1) === 118 &&
        text.charCodeAt(pos + 2) === 101 &&
        text.charCodeAt(pos + 3) === 110 &&
        text.charCodeAt(pos + 4) === 116 &&
        text.charCodeAt(pos + 5) === COLON
      ) {
        this.#setEventType(text, text.charCodeAt(pos + 6) === SPACE ? pos + 7 : pos + 6, end);
      } else {
        this.#processLine(text, pos, end);
      }
      if (end === lf) {
        pos = end + 1;
        // A blank line right after: dispatch now and save a search (the end of almost every event).
        if (text.charCodeAt(pos) === LF) {
          this.#dispatch();
          pos++;
        }
        lf = text.indexOf('\n', pos);
      } else {
        pos = this.#afterLineEnd(text, end);
        if (pos === length) return;
        cr = text.indexOf('\r', pos);
        if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
      }
    }
    if (pos < length) {
      this.#partial += pos === 0 ? text : text.slice(pos);
      this.#checkSize(this.#partial.length);
    }
  }

  /**
   * Ends the stream: discards any unterminated event (and an `id` read inside it), as the spec requires
   * at end of file. The last event id survives; the parser can be fed a new stream afterwards.
   */
  end(): void {
    this.#bytes.flush();
    this.#resetBuffers();
    this.#idBuffer = this.#lastEventId;
  }

  /** Clears all state, including a failure, keeping only the last event id (or setting a new one). */
  reset(lastEventId: string = this.#lastEventId): void {
    this.#bytes.flush();
    this.#failed = undefined;
    this.#resetBuffers();
    this.#idBuffer = lastEventId;
    this.#lastEventId = lastEventId;
  }

  #resetBuffers(): void {
    this.#atStart = true;
    this.#afterCR = false;
    this.#partial = '';
    this.#data = '';
    this.#hasData = false;
    this.#eventType = '';
  }

  /**
   * Where the next line starts after the line end at `end`. A CR that ends the chunk may be the first half
   * of a CRLF split across chunks: remember it, so the next chunk's leading LF is skipped (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream).
   */
  #afterLineEnd(text: string, end: number): number {
    if (text.charCodeAt(end) === LF) return end + 1;
    if (end + 1 === text.length) {
      this.#afterCR = true;
      return end + 1;
    }
    return text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
  }

  /** Processes the line `text[start, end)` (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation): blank, comment or field. */
  #processLine(text: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
    } else if (text.charCodeAt(start) === COLON) {
      if (this.#onComment !== undefined) {
        this.#onComment(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end));
      }
    } else {
      this.#processField(start === 0 && end === text.length ? text : text.slice(start, end));
    }
  }

  /** The general rule for any other line: field name up to the first colon, compared literally. */
  #processField(line: string): void {
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon !== -1) {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'data':
        this.#appendData(value);
        break;
      case 'event':
        this.#setEventType(value, 0, value.length);
        break;
      case 'id':
        this.#setId(value);
        break;
      case 'retry':
        if (this.#onRetry !== undefined && ASCII_DIGITS.test(value)) this.#onRetry(Number(value));
        break;
      default:
        // Unknown fields, `Data`, ` data`, `data\0`: ignored (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation "Otherwise").
        break;
    }
  }

  #appendData(value: string): void {
    if (this.#hasData) {
      this.#data = `${this.#data}\n${value}`;
    } else {
      this.#data = value;
      this.#hasData = true;
    }
    this.#checkSize(0);
  }

  /** Sets the type to `text[start, end)`, reusing the previous type's string when equal (types repeat). */
  #setEventType(text: string, start: number, end: number): void {
    const previous = this.#previousType;
    if (end - start === previous.length && text.startsWith(previous, start)) {
      this.#eventType = previous;
    } else {
      this.#eventType = start === 0 && end === text.length ? text : text.slice(start, end);
      this.#previousType = this.#eventType;
      this.#checkSize(0);
    }
  }

  /** An id containing NUL is ignored and the previous one kept; an empty id resets it (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation). */
  #setId(value: string): void {
    if (value.indexOf('\0') === -1) this.#idBuffer = value;
  }

  #dispatch(): void {
    // Step 1 happens even when nothing fires: an id-only block still moves the last event id.
    this.#lastEventId = this.#idBuffer;
    if (!this.#hasData) {
      this.#eventType = '';
      return;
    }
    const data = this.#data;
    const type = this.#eventType;
    this.#data = '';
    this.#hasData = false;
    this.#eventType = '';
    this.#onEvent({ type: type === '' ? 'message' : type, data, lastEventId: this.#lastEventId });
  }

  #checkSize(unterminated: number): void {
    if (this.#data.length + this.#eventType.length + unterminated > this.#maxEventSize) {
      this.#failed = new EventTooLargeError(this.#maxEventSize);
      this.#resetBuffers();
      this.#idBuffer = this.#lastEventId;
      throw this.#failed;
    }
  }
}

/** Options for {@link EventStreamDecoder}: the parser's, without the event callback the stream provides. */
export type DecoderOptions = Omit<ParserOptions, 'onEvent'>;

/**
 * The parser as a web `TransformStream`: pipe a response body (bytes) or text through it and read
 * {@link ReceivedEvent}s. The unterminated tail is discarded at the end of the input, as the spec requires;
 * an event past `maxEventSize` errors the stream with {@link EventTooLargeError}.
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
