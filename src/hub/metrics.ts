import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SUBSCRIBER_DROP_REASONS, type SubscriberDropReason } from './subscribers/subscriber.js';

/** The hub's figures as plain numbers: what `hub.stats()` reports and what `/metrics` serves. */
export interface HubFigures {
  /** Subscriber connections open now. */
  connections: number;
  /** Subscriptions (one per `topic` selector of an open connection) now. */
  subscriptions: number;
  /** Subscriber connections accepted since start. */
  connectionsTotal: number;
  /** Subscriber connections turned away at the connection cap. */
  connectionsRefused: number;
  /** Updates accepted by publish (HTTP and in-process). */
  updatesPublished: number;
  /** Update deliveries to subscribers (one per update per subscriber, replay included). */
  updatesDelivered: number;
  /** Subscribers disconnected because they could not keep up, by reason. */
  slowSubscribersDropped: Record<SubscriberDropReason, number>;
}

type Registers = Registry[];

/** A counter that reads its value from `read` at each scrape. */
function countFrom(name: string, help: string, registers: Registers, read: () => number): Counter {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A gauge that reads its value from `read` at each scrape. */
function gaugeFrom(name: string, help: string, registers: Registers, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

/**
 * The hub's one recorder: every figure is counted once, here, in plain numbers that `hub.stats()` reads
 * synchronously ({@link HubMetrics.figures}); the Prometheus metrics read the same numbers at each scrape.
 * A registry of its own, so several hubs (or tests) in one process never collide. Served at `/metrics`;
 * names are prefixed `ssehub_hub_`, with the reference hub's `mercure_*` names alongside. Every labelled
 * series exists from the start at 0 (one per known label value), so `rate()` and `absent()` alerts work
 * before the first event.
 *
 * The metric objects are exposed for reading; record through the methods, never by calling `inc()`.
 */
export class HubMetrics {
  readonly registry = new Registry();
  /** Subscriber connections open now. */
  readonly connections: Gauge;
  /** Subscriptions (one per `topic` selector of a connection) open now. */
  readonly subscriptions: Gauge;
  /** Subscriber connections accepted since start. */
  readonly connectionsTotal: Counter;
  /** Subscriber connections turned away at the connection cap. */
  readonly connectionsRefused: Counter;
  /** Updates accepted by publish (HTTP and in-process). */
  readonly updatesPublished: Counter;
  /** Update deliveries to subscribers (one per update per subscriber, replay included). */
  readonly updatesDelivered: Counter;
  /** Subscribers disconnected because they could not keep up, by reason. */
  readonly slowSubscribersDropped: Counter<'reason'>;
  /** Time from receiving a publish to its acknowledgement by the transport. */
  readonly publishDuration: Histogram;
  /** The same figures under the reference hub's metric names. */
  readonly mercure: { subscribersConnected: Gauge; subscribersTotal: Counter; updatesTotal: Counter };
  readonly #figures: HubFigures = {
    connections: 0,
    subscriptions: 0,
    connectionsTotal: 0,
    connectionsRefused: 0,
    updatesPublished: 0,
    updatesDelivered: 0,
    slowSubscribersDropped: Object.fromEntries(SUBSCRIBER_DROP_REASONS.map((r) => [r, 0])) as Record<
      SubscriberDropReason,
      number
    >,
  };

  constructor(historySize: () => Promise<number>) {
    const registers = [this.registry];
    const f = this.#figures;
    this.connections = gaugeFrom(
      'ssehub_hub_connections',
      'Subscriber connections open now',
      registers,
      () => f.connections,
    );
    this.subscriptions = gaugeFrom(
      'ssehub_hub_subscriptions',
      'Subscriptions (topic selectors of open connections) now',
      registers,
      () => f.subscriptions,
    );
    this.connectionsTotal = countFrom(
      'ssehub_hub_connections_total',
      'Subscriber connections accepted',
      registers,
      () => f.connectionsTotal,
    );
    this.connectionsRefused = countFrom(
      'ssehub_hub_connections_refused_total',
      'Subscriber connections refused at the connection cap (told to retry later)',
      registers,
      () => f.connectionsRefused,
    );
    this.updatesPublished = countFrom(
      'ssehub_hub_updates_published_total',
      'Updates accepted',
      registers,
      () => f.updatesPublished,
    );
    this.updatesDelivered = countFrom(
      'ssehub_hub_updates_delivered_total',
      'Updates written to subscribers (one per subscriber)',
      registers,
      () => f.updatesDelivered,
    );
    this.slowSubscribersDropped = new Counter({
      name: 'ssehub_hub_slow_subscribers_dropped_total',
      help: 'Subscribers disconnected because they could not receive updates fast enough',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const reason of SUBSCRIBER_DROP_REASONS) this.inc({ reason }, f.slowSubscribersDropped[reason]);
      },
    });
    this.publishDuration = new Histogram({
      name: 'ssehub_hub_publish_duration_seconds',
      help: 'Time from receiving a publish to its acknowledgement by the transport',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    // The reference hub's names too, so dashboards built for Mercure work unchanged.
    this.mercure = {
      subscribersConnected: gaugeFrom(
        'mercure_subscribers_connected',
        'The current number of connected subscribers (Mercure name)',
        registers,
        () => f.connections,
      ),
      subscribersTotal: countFrom(
        'mercure_subscribers_total',
        'Total number of handled subscribers (Mercure name)',
        registers,
        () => f.connectionsTotal,
      ),
      updatesTotal: countFrom(
        'mercure_updates_total',
        'Total number of handled updates (Mercure name)',
        registers,
        () => f.updatesPublished,
      ),
    };
    new Gauge({
      name: 'ssehub_hub_history_size',
      help: 'Updates held in history',
      registers,
      async collect() {
        // A storage engine out of reach (Redis down) must not take /metrics down with it: that is when
        // operators read it. The gauge keeps its last value; the engine's own metrics say it is down.
        try {
          this.set(await historySize());
        } catch {}
      },
    });
  }

  /** A copy of the figures, synchronously (for `hub.stats()`). */
  figures(): HubFigures {
    const f = this.#figures;
    return { ...f, slowSubscribersDropped: { ...f.slowSubscribersDropped } };
  }

  /** A subscriber's stream opened with `selectors` subscriptions. */
  recordOpened(selectors: number): void {
    this.#figures.connections++;
    this.#figures.connectionsTotal++;
    this.#figures.subscriptions += selectors;
  }

  /** A stream counted by {@link recordOpened} closed. */
  recordClosed(selectors: number): void {
    this.#figures.connections--;
    this.#figures.subscriptions -= selectors;
  }

  /** A subscriber was turned away at the connection cap. */
  recordRefused(): void {
    this.#figures.connectionsRefused++;
  }

  /** An update was accepted (HTTP or in-process). */
  recordPublished(): void {
    this.#figures.updatesPublished++;
  }

  /** An HTTP publish was answered `seconds` after it arrived. */
  recordPublishTime(seconds: number): void {
    this.publishDuration.observe(seconds);
  }

  /** `count` updates were written to subscribers. */
  recordDelivered(count: number): void {
    this.#figures.updatesDelivered += count;
  }

  /** A subscriber was disconnected for being too slow. */
  recordDropped(reason: SubscriberDropReason): void {
    this.#figures.slowSubscribersDropped[reason]++;
  }
}
