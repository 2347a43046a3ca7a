import type { ResumableStore, StoredStream } from './store.js';

interface Entry {
  readonly frames: Uint8Array[];
  readonly createdAt: number;
  endedAt: number | undefined;
}

/**
 * The default {@link ResumableStore}: streams in this process's memory. Frames are kept by reference (the
 * bytes the readers were sent), so a kept stream costs its encoded events and little more. Lost on restart;
 * use {@link SqliteStreamStore} for streams that must survive one.
 */
export class MemoryStreamStore implements ResumableStore {
  readonly #streams = new Map<string, Entry>();

  /** Streams held (running and ended). */
  get size(): number {
    return this.#streams.size;
  }

  create(streamId: string, createdAt: number): void {
    if (this.#streams.has(streamId)) throw new Error(`Stream ${streamId} already exists in this store`);
    this.#streams.set(streamId, { frames: [], createdAt, endedAt: undefined });
  }

  append(streamId: string, seq: number, frame: Uint8Array, endedAt?: number): boolean {
    const entry = this.#streams.get(streamId);
    if (entry === undefined || entry.endedAt !== undefined || seq !== entry.frames.length) return false;
    entry.frames.push(frame);
    if (endedAt !== undefined) entry.endedAt = endedAt;
    return true;
  }

  read(streamId: string, afterSeq: number): StoredStream | undefined {
    const entry = this.#streams.get(streamId);
    if (entry === undefined) return undefined;
    return {
      frames: entry.frames.slice(Math.max(0, afterSeq + 1)),
      lastSeq: entry.frames.length - 1,
      endedAt: entry.endedAt,
    };
  }

  prune(endedBefore: number, keep: number): void {
    const ended: [string, number][] = [];
    for (const [id, entry] of this.#streams) {
      if (entry.endedAt === undefined) continue;
      if (entry.endedAt < endedBefore) this.#streams.delete(id);
      else ended.push([id, entry.endedAt]);
    }
    let excess = this.#streams.size - keep;
    if (excess <= 0) return;
    ended.sort((a, b) => a[1] - b[1]);
    for (const [id] of ended) {
      if (excess-- <= 0) break;
      this.#streams.delete(id);
    }
  }

  close(): void {
    this.#streams.clear();
  }
}
