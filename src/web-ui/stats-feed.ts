import { preEncode } from '../protocol/index.js';
import type { SseStream } from '../server/index.js';
import { DemoHttpError } from './http-error.js';
import type { WebUiHub } from './hub-port.js';

/** One point of the dashboard: the hub's figures at `time`, with rates over the last interval. */
export interface DashboardSample {
  /** Epoch ms. */
  readonly time: number;
  readonly connections: number;
  readonly subscriptions: number;
  /**
   * Subscriptions per topic selector, most subscribed first (at most 20): every selector for a reader of
   * the hub's subscriptions, the demo's only for anyone else.
   */
  readonly topics: readonly { readonly topic: string; readonly subscriptions: number }[];
  /** Totals since the hub started. */
  readonly published: number;
  readonly delivered: number;
  readonly publishedPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly slowDropped: number;
  readonly historySize: number;
  /** Process memory in bytes. */
  readonly rss: number;
  readonly heapUsed: number;
}

/** The hub figures a sample is built from. */
export interface HubFigures {
  connections: number;
  subscriptions: number;
  topics: { topic: string; subscriptions: number }[];
  published: number;
  delivered: number;
  slowDropped: number;
  historySize: number;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Reads the hub's `stats()` result into {@link HubFigures}, tolerating missing fields (counted as 0). */
function readHubFigures(raw: unknown): HubFigures {
  const stats = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const byTopic = stats.topSelectors ?? stats.subscriptionsByTopic ?? stats.topics;
  let topics: { topic: string; subscriptions: number }[] = [];
  if (byTopic instanceof Map) {
    topics = [...byTopic].map(([topic, count]) => ({ topic: String(topic), subscriptions: num(count) }));
  } else if (Array.isArray(byTopic)) {
    topics = byTopic.map((entry: Record<string, unknown>) => ({
      topic: String(entry.topic ?? entry.selector ?? ''),
      subscriptions: num(entry.subscribers ?? entry.subscriptions ?? entry.count),
    }));
  } else if (typeof byTopic === 'object' && byTopic !== null) {
    topics = Object.entries(byTopic).map(([topic, count]) => ({ topic, subscriptions: num(count) }));
  }
  topics.sort((a, b) => b.subscriptions - a.subscriptions || a.topic.localeCompare(b.topic));
  return {
    connections: num(stats.connections),
    subscriptions: num(stats.subscriptions) || topics.reduce((sum, t) => sum + t.subscriptions, 0),
    topics: topics.slice(0, 20),
    published: num(stats.updatesPublished ?? stats.published),
    delivered: num(stats.updatesDelivered ?? stats.delivered),
    slowDropped: num(stats.slowSubscribersDropped ?? stats.slowDropped),
    historySize: num(stats.historySize),
  };
}

/**
 * The dashboard's data: samples the hub every `intervalMs`, keeps the last `keep` samples (five
 * minutes by default) so a new dashboard draws its chart at once, and pushes each new sample to every
 * open dashboard stream. At most `maxStreams` dashboards at once. A stream attached as a subscriptions
 * reader sees every topic selector; any other sees only those `showSelector` allows.
 */
export class StatsFeed {
  readonly #samples: DashboardSample[] = [];
  /** Open dashboard streams, each with whether it may see every selector. */
  readonly #streams = new Map<SseStream, boolean>();
  readonly #timer: NodeJS.Timeout;
  #sampling = false;

  constructor(
    private readonly hub: WebUiHub,
    intervalMs = 1000,
    private readonly keep = 300,
    private readonly maxStreams = 32,
    /**
     * Which selectors a dashboard without a subscriptions reader's token may name. The selectors of other
     * people's subscriptions are private (`/users/alice/inbox`; the subscriptions API requires a token for them).
     */
    private readonly showSelector: (selector: string) => boolean = () => false,
  ) {
    this.#timer = setInterval(() => void this.sample(), intervalMs);
    this.#timer.unref();
  }

  /** The samples held, oldest first, with every selector. */
  get samples(): readonly DashboardSample[] {
    return this.#samples;
  }

  /** Refuses a dashboard beyond the cap (503 with Retry-After). */
  assertRoom(): void {
    if (this.#streams.size >= this.maxStreams) {
      throw new DemoHttpError(
        'SSEHUB_DEMO_BUSY',
        `Too many open dashboards (${this.maxStreams}); close one and retry`,
        10,
      );
    }
  }

  /**
   * Sends the history, then every new sample, to `stream` until it closes; `everySelector` for a reader
   * allowed to see the hub's subscriptions.
   */
  attach(stream: SseStream, everySelector = false): void {
    this.#streams.set(stream, everySelector);
    stream.onClose(() => this.#streams.delete(stream));
    // The chart needs only the numbers of past samples: leaving their topic lists out keeps this small.
    const last = this.#samples.length - 1;
    const history = this.#samples.map((sample, i) =>
      i === last ? this.#shown(sample, everySelector) : { ...sample, topics: [] },
    );
    stream.send({ event: 'history', retry: 2000, data: JSON.stringify(history) });
  }

  /** `sample` as a dashboard may see it. */
  #shown(sample: DashboardSample, everySelector: boolean): DashboardSample {
    return everySelector
      ? sample
      : { ...sample, topics: sample.topics.filter((t) => this.showSelector(t.topic)) };
  }

  /** Takes one sample now and pushes it (also called by the timer). */
  async sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const figures = readHubFigures(await this.hub.stats());
      if (figures.historySize === 0 && this.hub.transport !== undefined) {
        // Storage out of reach (Redis down): the dashboard keeps sampling everything else.
        figures.historySize = await this.hub.transport.historySize().catch(() => 0);
      }
      const previous = this.#samples[this.#samples.length - 1];
      const time = Date.now();
      const seconds = previous === undefined ? 0 : (time - previous.time) / 1000;
      const rate = (now: number, before: number | undefined) =>
        before === undefined || seconds <= 0
          ? 0
          : Math.max(0, Math.round(((now - before) / seconds) * 10) / 10);
      const memory = process.memoryUsage();
      const sample: DashboardSample = {
        time,
        ...figures,
        publishedPerSecond: rate(figures.published, previous?.published),
        deliveredPerSecond: rate(figures.delivered, previous?.delivered),
        rss: memory.rss,
        heapUsed: memory.heapUsed,
      };
      this.#samples.push(sample);
      if (this.#samples.length > this.keep) this.#samples.shift();
      // Serialised once per audience; a dashboard too far behind is disconnected by its stream's bounded
      // buffer and its client reconnects.
      const frames = new Map<boolean, ReturnType<typeof preEncode>>();
      for (const [stream, everySelector] of this.#streams) {
        let frame = frames.get(everySelector);
        if (frame === undefined) {
          frame = preEncode({ event: 'sample', data: JSON.stringify(this.#shown(sample, everySelector)) });
          frames.set(everySelector, frame);
        }
        stream.write(frame);
      }
    } finally {
      this.#sampling = false;
    }
  }

  /** Stops sampling and closes every dashboard stream. */
  close(): void {
    clearInterval(this.#timer);
    for (const stream of this.#streams.keys()) stream.close();
  }
}
