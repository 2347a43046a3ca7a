import type { Redis, RedisOptions } from 'ioredis';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { settingProblem } from '../../protocol/index.js';
import { HubConfigError, type HubLogger, SILENT_LOGGER } from '../options.js';
import { HUB_SETTINGS } from '../settings.js';
import { HistoryExpiry } from './history-expiry.js';
import { ListenerSet } from './listener-set.js';
import { requireDriver } from './optional-driver.js';
import { HISTORY_SIZE_SCRIPT, PRUNE_EXPIRED_SCRIPT, PUBLISH_SCRIPT, REPLAY_SCRIPT } from './redis-scripts.js';
import { RedisSubscriptions } from './redis-subscriptions.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import {
  DuplicateUpdateIdError,
  type ReplayResult,
  type Transport,
  TransportUnavailableError,
} from './transport.js';
import type { Update } from './update.js';

/** Options of {@link RedisTransport}. */
export interface RedisTransportOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS (ioredis URL syntax).
   * Default `redis://127.0.0.1:6379`.
   */
  readonly url?: string;
  /** Password, when it should not be in the URL (e.g. from a secret file). Overrides the URL's. */
  readonly password?: string;
  /**
   * Prefix of every key of this hub, so several hubs share one Redis. Put a hash tag in it (`{name}`) so
   * the hub's keys share one Redis Cluster slot, as the Lua scripts need. Default `{ssehub}:`.
   */
  readonly keyPrefix?: string;
  /**
   * Updates replayable by Last-Event-ID, newest first: a count (0 = none, as the memory engine) or
   * `'unbounded'` (nothing is ever trimmed). Default 10,000.
   */
  readonly historySize?: number | 'unbounded';
  /**
   * Age limit of history in ms: an update accepted this long ago is no longer replayed (its id is
   * unknown), whatever `historySize` allows. Every node removes expired entries on a timer (every TTL,
   * between 1 s and 1 min); that is safe from any number of nodes at once. Ages are measured with each
   * node's clock, so keep the nodes' clocks synchronised (NTP): a node ahead by s expires updates s early.
   * 0 or unset: kept by count only. Default: the hub's `historyTtlMs`.
   */
  readonly historyTtlMs?: number;
  /** The clock expiry is measured with, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Entries kept in the stream at least, even when `historySize` is smaller, so a node whose reader
   * was cut off (Redis restart, network, a blocked event loop) catches up without a gap. Default 10,000.
   */
  readonly minRetention?: number;
  /**
   * Entries this node's reader may fall behind the stream before it stops catching up: it jumps to the
   * newest entry and the hub tells its subscribers to reconnect (and replay from history), so one slow
   * node neither delivers minutes-old updates nor holds a long backlog. Default 10,000.
   */
  readonly maxReaderLag?: number;
  /** A Redis command (other than the blocking read) taking longer fails, in ms. Default 5,000. */
  readonly commandTimeoutMs?: number;
  /**
   * How long a node's entries in the shared subscription list outlive its last refresh, in ms: a node
   * that dies without a clean shutdown stops being listed after this. Default 30,000.
   */
  readonly subscriptionTtlMs?: number;
  /** `Retry-After` given to publishers while Redis is unreachable, in seconds. Default 2. */
  readonly retryAfterSeconds?: number;
  /** Where Redis state changes (connected, lost, restored, data loss) are logged. Default silent. */
  readonly logger?: HubLogger;
  /**
   * Extra ioredis `RedisOptions` (TLS certificates, Sentinel...), applied under the transport's own.
   * Typed loosely so that the declarations of `ssehub/hub` never need ioredis installed.
   */
  readonly redisOptions?: Readonly<Record<string, unknown>>;
}

/** Entries the reader asks for per XREAD. */
const READ_BATCH = 1000;
/** How long one XREAD blocks waiting for new entries, in ms. */
const READ_BLOCK_MS = 2000;
/** Most expired entries one prune script removes (Redis runs nothing else meanwhile). */
const PRUNE_BATCH = 1000;
/** Longest a dispatch waits for this node's reader to deliver the update it stored, in ms. */
const LOCAL_DELIVERY_WAIT_MS = 2000;

type RedisState = 'connecting' | 'ready' | 'down' | 'closed';

/** The ioredis client with the transport's scripts defined on it. */
interface ScriptedRedis extends Redis {
  ssehubPublish(
    stream: string,
    ids: string,
    seq: string,
    id: string,
    json: string,
    retention: number,
    acceptedAt: number,
  ): Promise<number>;
  ssehubReplay(
    stream: string,
    ids: string,
    seq: string,
    cursor: string,
    window: number,
    scanLimit: number,
    cutoff: string,
  ): Promise<[0] | [1, StreamEntry[]]>;
  ssehubHistorySize(stream: string, seq: string, window: number, cutoff: string): Promise<number>;
  ssehubPruneExpired(stream: string, ids: string, cutoff: number, limit: number): Promise<number>;
}

type StreamEntry = [entryId: string, fields: string[]];

interface Waiter {
  readonly n: number;
  readonly resolve: () => void;
}

/**
 * The transport for several hub nodes (processes or machines) sharing one Redis: every update is
 * one entry of a Redis Stream, so all nodes see one order and a subscriber can resume on any node.
 *
 * - `dispatch` runs one Lua script: refuse an id already held, take the next sequence number n, XADD the
 *   entry `<n>-0` (trimming the stream to its retention), index id -> n. The update is acknowledged when
 *   the script returns, i.e. when Redis accepted the write (durable as Redis's persistence setting says).
 * - Each node runs one blocking XREAD reader on its own connection and hands entries to its listeners in
 *   stream order; `dispatch` resolves once this node's reader delivered the entry (or after 2 s if the
 *   reader is cut off: the update is stored, other nodes get it).
 * - `replay` looks the cursor up in the id index and reads forward with XRANGE, in one script.
 * - With `historyTtlMs`, each entry carries the time it was accepted; replay and the history size skip the
 *   expired prefix (found by binary search), and every node's timer removes it (see redis-scripts.ts).
 * - Redis unreachable: `dispatch` rejects with {@link TransportUnavailableError} at once (no queueing, so
 *   nothing is acknowledged that is not stored); the reader resumes from the last entry it delivered when
 *   Redis is back. A gap it cannot fill (entries trimmed before it read them, Redis restarted empty), or a
 *   lag past `maxReaderLag`, fires the resync handlers: the hub has its subscribers reconnect and replay.
 *
 * ioredis is loaded when the first RedisTransport is created, so memory and SQLite users never need it.
 */
export class RedisTransport implements Transport {
  readonly #keys: { readonly stream: string; readonly ids: string; readonly seq: string };
  readonly #window: number;
  readonly #retention: number;
  readonly #maxReaderLag: number;
  /** Entries per XREAD: at most the lag bound, so that a full batch is the cue to measure the lag. */
  readonly #batch: number;
  readonly #retryAfter: number;
  readonly #logger: HubLogger;
  readonly #where: string;
  readonly #commands: ScriptedRedis;
  readonly #reader: Redis;
  readonly #listeners = new ListenerSet();
  readonly #resyncHandlers = new Set<() => void>();
  readonly #started: Promise<void>;
  /** Resolves once the reader knows where the stream ends (its starting point). */
  readonly #positioned: Promise<void>;
  #position: () => void = () => {};
  #positionKnown = false;
  readonly #pending = new Set<Promise<unknown>>();
  #waiters: Waiter[] = [];
  #state: RedisState = 'connecting';
  #lastError = '';
  #closed = false;
  /** Sequence number of the newest entry this node delivered to its listeners. */
  #delivered = 0;
  /** Newest sequence number this node has heard of (for the lag gauge). */
  #head = 0;
  #stats = { errors: 0, resyncs: 0 };
  #roundTrip: Histogram<'operation'> | undefined;
  #reading: Promise<void> | undefined;
  readonly #keyPrefix: string;
  readonly #subscriptionTtlMs: number;
  #subscriptions: RedisSubscriptions | undefined;
  readonly #expiry: HistoryExpiry;
  readonly #stopPruning: () => void;

  constructor(options: RedisTransportOptions = {}) {
    const historySize = options.historySize ?? HUB_SETTINGS.historySize.default;
    const problem = settingProblem(HUB_SETTINGS.historySize, historySize);
    if (problem !== undefined) throw new HubConfigError(`RedisTransport historySize ${problem}`);
    const minRetention = positive('minRetention', options.minRetention ?? 10_000);
    this.#maxReaderLag = positive('maxReaderLag', options.maxReaderLag ?? 10_000);
    this.#batch = Math.min(READ_BATCH, this.#maxReaderLag);
    this.#window = historySize === 'unbounded' ? -1 : historySize;
    this.#retention = historySize === 'unbounded' ? -1 : Math.max(historySize, minRetention);
    this.#expiry = new HistoryExpiry('RedisTransport', options.historyTtlMs, options.now);
    this.#retryAfter = positive('retryAfterSeconds', options.retryAfterSeconds ?? 2);
    const commandTimeout = positive('commandTimeoutMs', options.commandTimeoutMs ?? 5000);
    const prefix = options.keyPrefix ?? '{ssehub}:';
    this.#keyPrefix = prefix;
    this.#subscriptionTtlMs = positive('subscriptionTtlMs', options.subscriptionTtlMs ?? 30_000);
    this.#keys = { stream: `${prefix}stream`, ids: `${prefix}ids`, seq: `${prefix}seq` };
    this.#logger = options.logger ?? SILENT_LOGGER;
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.#where = describeUrl(url);

    const { Redis: RedisClient } = requireDriver<typeof import('ioredis')>(
      'ioredis',
      'The Redis transport (--transport redis://..., RedisTransport)',
    );
    const common: RedisOptions = {
      ...(options.redisOptions as RedisOptions | undefined),
      ...(options.password !== undefined ? { password: options.password } : {}),
      // Fail commands at once while disconnected, and never resend one after a reconnect: a publish must
      // be answered "stored" or "not stored", never queued behind an outage or run twice.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    this.#commands = new RedisClient(url, { ...common, commandTimeout }) as ScriptedRedis;
    this.#commands.defineCommand('ssehubPublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
    this.#commands.defineCommand('ssehubReplay', { numberOfKeys: 3, lua: REPLAY_SCRIPT });
    this.#commands.defineCommand('ssehubHistorySize', { numberOfKeys: 2, lua: HISTORY_SIZE_SCRIPT });
    this.#commands.defineCommand('ssehubPruneExpired', { numberOfKeys: 2, lua: PRUNE_EXPIRED_SCRIPT });
    this.#reader = new RedisClient(url, { ...common, commandTimeout: READ_BLOCK_MS + commandTimeout });
    for (const client of [this.#commands, this.#reader]) {
      // ioredis reports each failed reconnection attempt as an 'error' event; state changes are logged once.
      client.on('error', (error: Error) => {
        this.#stats.errors++;
        this.#lastError = error.message;
      });
    }
    this.#commands.on('ready', () => this.#setState('ready'));
    this.#commands.on('close', () => {
      if (this.#state === 'ready') this.#lastError = 'connection closed';
      if (this.#state !== 'connecting') this.#setState('down');
    });
    this.#started = new Promise<void>((resolve) => {
      this.#commands.once('ready', () => resolve());
    });
    this.#positioned = new Promise<void>((resolve) => {
      this.#position = resolve;
    });
    this.#reading = this.#started.then(() => this.#readLoop());
    this.#stopPruning = this.#expiry.schedule(() => this.pruneExpired());
  }

  /** Resolves once Redis answered for the first time (the reader is then positioned at the newest entry). */
  async connected(): Promise<void> {
    await this.#started;
    await this.#positioned;
  }

  async dispatch(update: Update): Promise<void> {
    if (this.#closed) throw new Error('The transport is closed; the hub is shutting down');
    const task = this.#store(update);
    this.#pending.add(task);
    try {
      await task;
    } finally {
      this.#pending.delete(task);
    }
  }

  async #store(update: Update): Promise<void> {
    await this.#usable('the update was not stored');
    const started = performance.now();
    let n: number;
    try {
      n = await this.#commands.ssehubPublish(
        this.#keys.stream,
        this.#keys.ids,
        this.#keys.seq,
        update.id,
        JSON.stringify(update),
        this.#retention,
        this.#expiry.now(),
      );
    } catch (error) {
      throw this.#unavailable('the update was not stored', error);
    }
    this.#roundTrip?.observe({ operation: 'publish' }, (performance.now() - started) / 1000);
    if (n === 0) throw new DuplicateUpdateIdError(update.id);
    if (n > this.#head) this.#head = n;
    if (n <= this.#delivered) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, LOCAL_DELIVERY_WAIT_MS);
      timer.unref();
      this.#waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Every node's active subscriptions, in Redis (created on first use: only hubs with the API need it). */
  get subscriptions(): SubscriptionRegistry {
    this.#subscriptions ??= new RedisSubscriptions(
      this.#commands,
      this.#keyPrefix,
      this.#subscriptionTtlMs,
      (what, cause) => this.#unavailable(what, cause),
    );
    return this.#subscriptions;
  }

  listen(listener: (update: Update) => void): () => void {
    return this.#listeners.add(listener);
  }

  onResync(handler: () => void): () => void {
    const entry = (): void => handler();
    this.#resyncHandlers.add(entry);
    return () => {
      this.#resyncHandlers.delete(entry);
    };
  }

  async replay(afterId: string, scanLimit: number): Promise<ReplayResult> {
    await this.#usable('history could not be read');
    const started = performance.now();
    let reply: [0] | [1, StreamEntry[]];
    try {
      reply = await this.#commands.ssehubReplay(
        this.#keys.stream,
        this.#keys.ids,
        this.#keys.seq,
        afterId === 'earliest' ? '' : afterId,
        this.#window,
        scanLimit,
        this.#cutoff(),
      );
    } catch (error) {
      throw this.#unavailable('history could not be read', error);
    }
    this.#roundTrip?.observe({ operation: 'replay' }, (performance.now() - started) / 1000);
    if (reply[0] === 0) return { found: false, updates: [] };
    const updates = reply[1].map(toUpdate);
    if (afterId === 'earliest') return { found: true, updates };
    const cursor = updates.shift();
    // The index and the stream are written together; a mismatch would mean foreign keys under the prefix.
    if (cursor === undefined || cursor.id !== afterId) return { found: false, updates: [] };
    return { found: true, updates, cursor };
  }

  async lastEventId(): Promise<string | undefined> {
    await this.#usable('the newest update could not be read');
    try {
      const newest = (await this.#commands.xrevrange(
        this.#keys.stream,
        '+',
        '-',
        'COUNT',
        1,
      )) as StreamEntry[];
      return newest[0] === undefined ? undefined : toUpdate(newest[0]).id;
    } catch (error) {
      throw this.#unavailable('the newest update could not be read', error);
    }
  }

  async historySize(): Promise<number> {
    await this.#usable('the history size could not be read');
    try {
      return await this.#commands.ssehubHistorySize(
        this.#keys.stream,
        this.#keys.seq,
        this.#window,
        this.#cutoff(),
      );
    } catch (error) {
      throw this.#unavailable('the history size could not be read', error);
    }
  }

  /**
   * Removes expired entries (and their ids) from Redis now, in batches, keeping the newest entry for the
   * last event id. A timer does it every TTL on every node; reads never return expired updates in between.
   *
   * @throws {TransportUnavailableError} when Redis cannot be reached.
   */
  async pruneExpired(): Promise<void> {
    if (!this.#expiry.enabled) return;
    await this.#usable('expired history could not be removed');
    const cutoff = this.#expiry.cutoff();
    try {
      let removed: number;
      do {
        removed = await this.#commands.ssehubPruneExpired(
          this.#keys.stream,
          this.#keys.ids,
          cutoff,
          PRUNE_BATCH,
        );
      } while (removed === PRUNE_BATCH && !this.#closed);
    } catch (error) {
      throw this.#unavailable('expired history could not be removed', error);
    }
  }

  /** The age cutoff for the scripts: '' when nothing expires by age. */
  #cutoff(): string {
    return this.#expiry.enabled ? String(this.#expiry.cutoff()) : '';
  }

  registerMetrics(registry: Registry): void {
    const registers = [registry];
    this.#roundTrip = new Histogram({
      name: 'ssehub_transport_round_trip_seconds',
      help: 'Time Redis took to answer the transport, by operation (publish: stored; replay: history read)',
      labelNames: ['operation'],
      buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    // Every label value has a series from the start, so rate() and absent() work before the first call.
    for (const operation of ['publish', 'replay']) this.#roundTrip.zero({ operation });
    const transport = this;
    new Gauge({
      name: 'ssehub_transport_reader_lag_entries',
      help: "Stream entries this node's reader has not delivered yet",
      registers,
      collect() {
        this.set(Math.max(0, transport.#head - transport.#delivered));
      },
    });
    new Gauge({
      name: 'ssehub_transport_up',
      help: '1 while Redis answers this node, else 0',
      registers,
      collect() {
        this.set(transport.#state === 'ready' ? 1 : 0);
      },
    });
    new Counter({
      name: 'ssehub_transport_errors_total',
      help: 'Redis connection and command errors seen by this node',
      registers,
      collect() {
        this.reset();
        this.inc(transport.#stats.errors);
      },
    });
    new Counter({
      name: 'ssehub_transport_resyncs_total',
      help: "Times this node's subscribers were told to reconnect because its reader skipped entries",
      registers,
      collect() {
        this.reset();
        this.inc(transport.#stats.resyncs);
      },
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPruning();
    await Promise.allSettled([...this.#pending]);
    await this.#subscriptions?.close();
    this.#setState('closed');
    this.#listeners.clear();
    this.#resyncHandlers.clear();
    this.#reader.disconnect();
    await this.#reading?.catch(() => {});
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    this.#commands.disconnect();
  }

  /**
   * Waits for the first connection and the reader's first position (at most 10 s), then refuses at once
   * while Redis is down. Both, since the commands connection is ready a moment before the reader knows where
   * the stream ends: a publish in between must wait, not be refused.
   */
  async #usable(what: string): Promise<void> {
    if (this.#closed) throw new Error('The transport is closed; the hub is shutting down');
    if (!this.#positionKnown && this.#state !== 'down') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 10_000);
        timer.unref();
      });
      await Promise.race([this.connected(), timeout]);
      clearTimeout(timer);
    }
    if (this.#state !== 'ready' || !this.#positionKnown) throw this.#unavailable(what);
  }

  #unavailable(what: string, cause?: unknown): TransportUnavailableError {
    // While disconnected, ioredis fails commands with its own retry-limit message: the connection's
    // last error (ECONNREFUSED...) says more to an operator.
    const reason =
      this.#state !== 'ready' || cause === undefined
        ? this.#lastError || 'connection lost'
        : cause instanceof Error
          ? cause.message
          : String(cause);
    return new TransportUnavailableError(
      `Redis at ${this.#where} is unavailable (${reason}): ${what}; try again in ${this.#retryAfter} s`,
      this.#retryAfter,
      { cause },
    );
  }

  #setState(state: RedisState): void {
    const previous = this.#state;
    if (previous === state || previous === 'closed') return;
    this.#state = state;
    if (state === 'ready') {
      this.#logger.info(
        { redis: this.#where, previous },
        previous === 'connecting' ? 'Redis connected' : 'Redis connection restored',
      );
    } else if (state === 'down') {
      this.#logger.warn(
        { redis: this.#where, reason: this.#lastError || 'connection closed' },
        'Redis connection lost: publishes are refused with 503 until it is back',
      );
    }
  }

  /** The node's one reader: XREAD from the last delivered entry, forever, resuming after every failure. */
  async #readLoop(): Promise<void> {
    let resuming = true;
    while (!this.#closed) {
      if (this.#reader.status !== 'ready') {
        await this.#readerReady();
        resuming = true;
        continue;
      }
      try {
        if (resuming) {
          await this.#checkHead();
          resuming = false;
        }
        const reply = (await this.#reader.xread(
          'COUNT',
          this.#batch,
          'BLOCK',
          READ_BLOCK_MS,
          'STREAMS',
          this.#keys.stream,
          `${this.#delivered}-0`,
        )) as [string, StreamEntry[]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        this.#deliver(entries);
        // A full batch means there may be more waiting: time to see how far behind this node is.
        if (entries.length === this.#batch) await this.#checkLag();
      } catch {
        if (this.#closed) return;
        this.#stats.errors++;
        resuming = true;
        await sleep(100);
      }
    }
  }

  /** On start and after every reader failure: position the reader, noticing when Redis lost entries. */
  async #checkHead(): Promise<void> {
    const head = Number((await this.#reader.get(this.#keys.seq)) ?? 0);
    if (!this.#positionKnown) {
      this.#positionKnown = true;
      this.#delivered = head;
      this.#head = head;
      this.#position();
      return;
    }
    if (head < this.#delivered) {
      this.#logger.error(
        { redis: this.#where, redisNewest: head, delivered: this.#delivered },
        'Redis restarted without the updates this node delivered (no persistence?): subscribers are told to reconnect',
      );
      this.#delivered = head;
      this.#head = head;
      this.#resync();
    }
  }

  async #checkLag(): Promise<void> {
    const head = Number((await this.#reader.get(this.#keys.seq)) ?? 0);
    if (head > this.#head) this.#head = head;
    if (head - this.#delivered <= this.#maxReaderLag) return;
    this.#logger.warn(
      { behind: head - this.#delivered, maxReaderLag: this.#maxReaderLag },
      "this node's reader fell too far behind: skipping to the newest entry, subscribers are told to reconnect",
    );
    this.#delivered = head;
    this.#releaseWaiters();
    this.#resync();
  }

  #deliver(entries: readonly StreamEntry[]): void {
    for (const entry of entries) {
      const n = sequenceOf(entry[0]);
      if (n <= this.#delivered) continue;
      const gap = n > this.#delivered + 1;
      this.#delivered = n;
      if (n > this.#head) this.#head = n;
      if (gap) {
        this.#logger.warn(
          { redis: this.#where, at: n },
          'entries were trimmed before this node read them: subscribers are told to reconnect',
        );
        this.#resync();
      }
      let update: Update;
      try {
        update = toUpdate(entry);
      } catch (error) {
        this.#logger.error({ err: error, entry: entry[0] }, 'unreadable stream entry skipped');
        continue;
      }
      this.#listeners.emit(update);
    }
    this.#releaseWaiters();
  }

  #releaseWaiters(): void {
    let i = 0;
    while (i < this.#waiters.length && this.#waiters[i]!.n <= this.#delivered) this.#waiters[i++]!.resolve();
    if (i > 0) this.#waiters = this.#waiters.slice(i);
  }

  #resync(): void {
    this.#stats.resyncs++;
    for (const handler of this.#resyncHandlers) {
      try {
        handler();
      } catch (error) {
        this.#logger.error({ err: error }, 'resync handler failed');
      }
    }
  }

  #readerReady(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearInterval(poll);
        this.#reader.off('ready', done);
        resolve();
      };
      // Also poll, so close() (which ends the reader without a 'ready') stops the loop.
      const poll = setInterval(() => {
        if (this.#closed || this.#reader.status === 'ready') done();
      }, 250);
      this.#reader.once('ready', done);
    });
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new HubConfigError(`RedisTransport ${name} must be a number > 0, got ${value}`);
  }
  return value;
}

/** `redis://host:port/db` without credentials, for logs and error messages. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'the configured Redis';
  }
}

function sequenceOf(entryId: string): number {
  return Number(entryId.slice(0, entryId.indexOf('-')));
}

function toUpdate(entry: StreamEntry): Update {
  const fields = entry[1];
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'u') return Object.freeze(JSON.parse(fields[i + 1]!) as Update);
  }
  throw new Error(`stream entry ${entry[0]} has no update`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
