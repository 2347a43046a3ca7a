import { MemoryTransport } from '../../../src/hub/storage/memory-transport.js';
import type { ReplayResult, Transport } from '../../../src/hub/storage/transport.js';
import type { Update } from '../../../src/hub/storage/update.js';

/**
 * A real in-memory transport whose history reads take `delayMs`, like a networked store (Redis) does:
 * publishes land between a subscriber's registration and the end of its replay, which is exactly the
 * window the hub must stitch without gap or duplicate.
 */
export class SlowReplayTransport implements Transport {
  readonly #inner = new MemoryTransport({ historySize: 10_000 });
  constructor(readonly delayMs: number) {}
  dispatch(update: Update): Promise<void> {
    return this.#inner.dispatch(update);
  }
  listen(listener: (update: Update) => void): () => void {
    return this.#inner.listen(listener);
  }
  async replay(afterId: string, scanLimit: number): Promise<ReplayResult> {
    // Wait, read, wait: updates published during the first wait are both in the result and in the
    // subscriber's live queue (must not be doubled); those published during the second wait are only in
    // the live queue (must not be lost).
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const result = await this.#inner.replay(afterId, scanLimit);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return result;
  }
  lastEventId(): Promise<string | undefined> {
    return this.#inner.lastEventId();
  }
  historySize(): Promise<number> {
    return this.#inner.historySize();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}
