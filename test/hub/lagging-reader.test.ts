import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../src/hub/storage/memory-transport.js';
import type { ReplayResult, Transport } from '../../src/hub/storage/transport.js';
import type { Update } from '../../src/hub/storage/update.js';
import { publishOk, type RunningHub, startHub, subscribe, subscribeUrl, token } from './support/harness.js';

/**
 * A real in-memory store whose live notifications lag behind its history, as one hub node's Redis reader
 * can lag behind the stream other nodes write to: an update is already in history (and was delivered by
 * the node a client just lost) when this node's reader hands it over, during the client's replay.
 */
class LaggingReaderTransport implements Transport {
  readonly #inner = new MemoryTransport({ historySize: 100 });
  readonly #listeners = new Set<(update: Update) => void>();
  #held: Update[] = [];
  lagging = true;
  /** `false`: the reader catches up only when the test calls {@link release}, after the replay was written. */
  constructor(private readonly releaseOnReplay = true) {
    this.#inner.listen((update) => {
      if (this.lagging) this.#held.push(update);
      else for (const listener of this.#listeners) listener(update);
    });
  }
  dispatch(update: Update): Promise<void> {
    return this.#inner.dispatch(update);
  }
  listen(listener: (update: Update) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async replay(afterId: string, scanLimit: number): Promise<ReplayResult> {
    // The reader catches up while the subscriber (registered first) waits for its replay.
    if (this.releaseOnReplay) this.release();
    return this.#inner.replay(afterId, scanLimit);
  }
  /** The reader catches up: held updates reach the listeners now. */
  release(): void {
    this.lagging = false;
    const held = this.#held;
    this.#held = [];
    for (const update of held) for (const listener of this.#listeners) listener(update);
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

let h: RunningHub | undefined;
afterEach(() => h?.close());

describe('resuming on a node whose reader lags', () => {
  it('does not deliver the client’s own last update again when it arrives live during the replay', async () => {
    h = await startHub({ transport: new LaggingReaderTransport() });
    const publisher = await token({ publish: ['*'], subscribe: ['*'] });
    const topic = 'https://example.com/orders';
    const seen = await publishOk(h.base, { topic, data: 'already seen' }, publisher);
    const sub = await subscribe(subscribeUrl(h.base, [topic]), {
      authorization: `Bearer ${publisher}`,
      'last-event-id': seen,
    });
    const next = await publishOk(h.base, { topic, data: 'new' }, publisher);
    const events = await sub.waitFor(1);
    expect(events.map((e) => [e.data, e.lastEventId])).toEqual([['new', next]]);
    sub.abort();
  });

  it('does not deliver a replayed update again when the reader hands it over after the stream went live', async () => {
    const transport = new LaggingReaderTransport(false);
    h = await startHub({ transport });
    const publisher = await token({ publish: ['*'], subscribe: ['*'] });
    const topic = 'https://example.com/orders';
    const seen = await publishOk(h.base, { topic, data: 'already seen' }, publisher);
    const missed = await publishOk(h.base, { topic, data: 'missed' }, publisher);
    const sub = await subscribe(subscribeUrl(h.base, [topic]), {
      authorization: `Bearer ${publisher}`,
      'last-event-id': seen,
    });
    await sub.waitFor(1); // the replay wrote "missed"; the stream is live
    transport.release(); // only now does this node's reader hand over both updates
    const next = await publishOk(h.base, { topic, data: 'new' }, publisher);
    const events = await sub.waitFor(2);
    expect(events.map((e) => [e.data, e.lastEventId])).toEqual([
      ['missed', missed],
      ['new', next],
    ]);
    sub.abort();
  });
});
