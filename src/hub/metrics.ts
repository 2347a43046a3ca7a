import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The hub's Prometheus metrics, in a registry of its own so several hubs (or tests) in one process never
 * collide. Served at `/metrics` (issue 4 §7). Names are prefixed `ssehub_hub_`.
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

  constructor(historySize: () => Promise<number>) {
    const registers = [this.registry];
    this.connections = new Gauge({
      name: 'ssehub_hub_connections',
      help: 'Subscriber connections open now',
      registers,
    });
    this.subscriptions = new Gauge({
      name: 'ssehub_hub_subscriptions',
      help: 'Subscriptions (topic selectors of open connections) now',
      registers,
    });
    this.connectionsTotal = new Counter({
      name: 'ssehub_hub_connections_total',
      help: 'Subscriber connections accepted',
      registers,
    });
    this.connectionsRefused = new Counter({
      name: 'ssehub_hub_connections_refused_total',
      help: 'Subscriber connections refused at the connection cap (told to retry later)',
      registers,
    });
    this.updatesPublished = new Counter({
      name: 'ssehub_hub_updates_published_total',
      help: 'Updates accepted',
      registers,
    });
    this.updatesDelivered = new Counter({
      name: 'ssehub_hub_updates_delivered_total',
      help: 'Updates written to subscribers (one per subscriber)',
      registers,
    });
    this.slowSubscribersDropped = new Counter({
      name: 'ssehub_hub_slow_subscribers_dropped_total',
      help: 'Subscribers disconnected because they could not receive updates fast enough',
      labelNames: ['reason'],
      registers,
    });
    this.publishDuration = new Histogram({
      name: 'ssehub_hub_publish_duration_seconds',
      help: 'Time from receiving a publish to its acknowledgement by the transport',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    // The reference hub's names too, so dashboards built for Mercure work unchanged (mercure-protocol §3.9).
    const subscribersConnected = new Gauge({
      name: 'mercure_subscribers_connected',
      help: 'The current number of connected subscribers (Mercure name)',
      registers,
    });
    const subscribersTotal = new Counter({
      name: 'mercure_subscribers_total',
      help: 'Total number of handled subscribers (Mercure name)',
      registers,
    });
    const updatesTotal = new Counter({
      name: 'mercure_updates_total',
      help: 'Total number of handled updates (Mercure name)',
      registers,
    });
    this.mercure = { subscribersConnected, subscribersTotal, updatesTotal };
    new Gauge({
      name: 'ssehub_hub_history_size',
      help: 'Updates held in history',
      registers,
      async collect() {
        this.set(await historySize());
      },
    });
  }
}
