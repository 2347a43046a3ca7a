import type { SseStream } from '../stream.js';
import type { StreamCursor } from './event-id.js';
import type { ResumableStore, StoredStream } from './store.js';

/**
 * A reader of a stream another process produces, through a shared store: events stored after it started
 * listening are buffered until the reader is given the stored part, then forwarded live; any event at or
 * below what was already written is skipped, and a gap (never expected) closes the reader, which
 * re-attaches and replays.
 */
export class RemoteFollower {
  #buffer: [number, Uint8Array, boolean][] = [];
  #reader: SseStream | undefined;
  #last = -1;
  #stopListening: () => void = () => undefined;
  #stopWatching: (() => void) | undefined;

  /** Starts listening; resolves once the store listens, so nothing stored afterwards is missed. */
  static async listen(store: ResumableStore, cursor: StreamCursor): Promise<RemoteFollower> {
    const follower = new RemoteFollower();
    follower.#stopListening = await store.follow!(cursor.streamId, (seq, frame, ended) => {
      if (follower.#reader === undefined) follower.#buffer.push([seq, frame, ended]);
      else follower.#forward(seq, frame, ended);
    });
    return follower;
  }

  deliver(reader: SseStream, stored: StoredStream, watch: () => () => void): void {
    for (const frame of stored.frames) reader.writeUnbounded(frame);
    this.#last = stored.lastSeq;
    this.#reader = reader;
    reader.onClose(() => this.stop());
    for (const [seq, frame, ended] of this.#buffer) this.#forward(seq, frame, ended);
    this.#buffer = [];
    if (!reader.closed) this.#stopWatching = watch();
  }

  stop(): void {
    this.#stopListening();
    this.#stopWatching?.();
  }

  #forward(seq: number, frame: Uint8Array, ended: boolean): void {
    const reader = this.#reader!;
    if (reader.closed || seq <= this.#last) return;
    if (seq !== this.#last + 1) {
      reader.close();
      return;
    }
    this.#last = seq;
    reader.writeBytes(frame);
    if (ended) reader.close();
  }
}
