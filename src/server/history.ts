import { type EncodedEvent, resolveSettings, type SettingsOf, setting } from '../protocol/index.js';
import { InvalidOptionError } from './options.js';
import type { SseStream } from './stream.js';

/** Bounds of a channel's history (the Channel option `history`); whichever is reached first evicts. */
export const HISTORY_SETTINGS = {
  maxEvents: setting<number>({
    kind: 'integer',
    default: 1000,
    min: 1,
    help: 'Most events kept for replay.',
  }),
  maxBytes: setting<number>({
    kind: 'integer',
    unit: 'bytes',
    default: 1024 * 1024,
    min: 1,
    help: 'Most bytes (encoded frames) kept for replay.',
  }),
};

/** Bounds for a channel's history: every field optional, see {@link HISTORY_SETTINGS}. */
export type HistoryOptions = Partial<SettingsOf<typeof HISTORY_SETTINGS>>;

/** One remembered broadcast: its bytes, its id (if any) and the filter it was sent with. */
export interface HistoryEntry {
  readonly frame: EncodedEvent;
  readonly filter: ((stream: SseStream) => boolean) | undefined;
}

/**
 * A bounded, ordered log of broadcasts for replay after Last-Event-ID (docs/slow-consumers.md: history turns
 * "disconnect the slow client" into "resume later"). Ids map to sequence numbers, so finding the resume
 * point is O(1); eviction is O(1) amortised.
 */
export class History {
  readonly maxEvents: number;
  readonly maxBytes: number;
  #entries: HistoryEntry[] = [];
  #head = 0;
  /** Sequence number of `#entries[#head]`. */
  #firstSeq = 0;
  #bytes = 0;
  #seqById = new Map<string, number>();

  /** Throws {@link InvalidOptionError} (option `history.maxEvents` or `history.maxBytes`) for a bad bound. */
  constructor(options: HistoryOptions = {}) {
    const resolved = resolveSettings(
      HISTORY_SETTINGS,
      options,
      (key, problem) => new InvalidOptionError(`history.${key}`, problem),
    );
    this.maxEvents = resolved.maxEvents;
    this.maxBytes = resolved.maxBytes;
  }

  /** Events currently held. */
  get length(): number {
    return this.#entries.length - this.#head;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends one broadcast and evicts from the front to stay within both bounds. */
  append(entry: HistoryEntry): void {
    const seq = this.#firstSeq + this.length;
    this.#entries.push(entry);
    this.#bytes += entry.frame.bytes.byteLength;
    const id = entry.frame.event.id;
    if (id !== undefined) this.#seqById.set(id, seq);
    while (this.length > this.maxEvents || (this.#bytes > this.maxBytes && this.length > 1)) this.#evict();
  }

  /**
   * The entries after the event with `id`, oldest first; undefined when `id` is not (or no longer) held.
   */
  after(id: string): HistoryEntry[] | undefined {
    const seq = this.#seqById.get(id);
    if (seq === undefined) return undefined;
    return this.#entries.slice(this.#head + (seq - this.#firstSeq) + 1);
  }

  #evict(): void {
    const entry = this.#entries[this.#head]!;
    this.#entries[this.#head] = undefined as unknown as HistoryEntry;
    this.#head++;
    this.#bytes -= entry.frame.bytes.byteLength;
    const id = entry.frame.event.id;
    // Only forget the id if no later event reused it.
    if (id !== undefined && this.#seqById.get(id) === this.#firstSeq) this.#seqById.delete(id);
    this.#firstSeq++;
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
