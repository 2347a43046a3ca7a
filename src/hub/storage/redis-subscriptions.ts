import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SubscriptionRegistry } from './subscription-registry.js';

/**
 * The {@link SubscriptionRegistry} of the Redis transport. Each node keeps its subscriptions in a hash of
 * its own (`<prefix>subscriptions:<node>`) with a time-to-live it refreshes every third of it, and its name
 * in a sorted set (`<prefix>nodes`) scored by when it expires; a node that dies stops refreshing, so its
 * entries vanish after the TTL. After Redis comes back (possibly empty) the node rewrites its whole hash.
 */
export class RedisSubscriptions implements SubscriptionRegistry {
  readonly #redis: Redis;
  readonly #nodes: string;
  readonly #prefix: string;
  readonly #hash: string;
  readonly #node = randomUUID();
  readonly #ttlMs: number;
  /** This node's subscriptions, the source of truth for rewrites. */
  readonly #local = new Map<string, string>();
  readonly #timer: NodeJS.Timeout;
  #stale = false;

  readonly #unavailable: (what: string, cause: unknown) => Error;

  /** `unavailable` builds the error `list()` rejects with when Redis cannot answer. */
  constructor(
    redis: Redis,
    keyPrefix: string,
    ttlMs: number,
    unavailable: (what: string, cause: unknown) => Error,
  ) {
    this.#redis = redis;
    this.#unavailable = unavailable;
    this.#prefix = `${keyPrefix}subscriptions:`;
    this.#nodes = `${keyPrefix}nodes`;
    this.#hash = `${this.#prefix}${this.#node}`;
    this.#ttlMs = ttlMs;
    this.#timer = setInterval(() => void this.#refresh(), Math.max(10, Math.floor(ttlMs / 3)));
    this.#timer.unref();
    // Anything written while disconnected was lost, and Redis may have restarted empty: rewrite on return.
    redis.on('close', () => {
      this.#stale = true;
    });
    redis.on('ready', () => void this.#refresh());
  }

  add(key: string, document: string): void {
    this.#local.set(key, document);
    this.#write((m) => m.hset(this.#hash, key, document));
  }

  remove(key: string): void {
    this.#local.delete(key);
    this.#write((m) => m.hdel(this.#hash, key));
  }

  async list(): Promise<string[]> {
    try {
      return await this.#read();
    } catch (error) {
      throw this.#unavailable('the subscription list could not be read', error);
    }
  }

  async #read(): Promise<string[]> {
    const now = Date.now();
    const nodes = await this.#redis.zrangebyscore(this.#nodes, now, '+inf');
    if (!nodes.includes(this.#node)) nodes.push(this.#node);
    const pipeline = this.#redis.pipeline();
    for (const node of nodes) pipeline.hvals(`${this.#prefix}${node}`);
    const results = (await pipeline.exec()) ?? [];
    const documents: string[] = [];
    for (const [error, values] of results) {
      if (error) throw error;
      documents.push(...(values as string[]));
    }
    return documents;
  }

  /** Stops refreshing and removes this node's entries (on a clean shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#local.clear();
    if (this.#redis.status !== 'ready') return;
    await this.#redis
      .multi()
      .del(this.#hash)
      .zrem(this.#nodes, this.#node)
      .exec()
      .catch(() => {});
  }

  /** One change plus the TTL refresh, atomically; a failure leaves the rewrite to the next refresh. */
  #write(change: (m: ReturnType<Redis['multi']>) => unknown): void {
    if (this.#stale || this.#redis.status !== 'ready') {
      this.#stale = true;
      return;
    }
    const multi = this.#redis.multi();
    change(multi);
    multi.pexpire(this.#hash, this.#ttlMs).zadd(this.#nodes, Date.now() + this.#ttlMs, this.#node);
    multi.exec().catch(() => {
      this.#stale = true;
    });
  }

  async #refresh(): Promise<void> {
    if (this.#redis.status !== 'ready') return;
    const rewrite = this.#stale;
    this.#stale = false;
    const multi = this.#redis.multi();
    if (rewrite) {
      multi.del(this.#hash);
      if (this.#local.size > 0) multi.hset(this.#hash, Object.fromEntries(this.#local));
    }
    const now = Date.now();
    multi
      .pexpire(this.#hash, this.#ttlMs)
      .zadd(this.#nodes, now + this.#ttlMs, this.#node)
      .zremrangebyscore(this.#nodes, '-inf', now);
    await multi.exec().catch(() => {
      this.#stale = true;
    });
  }
}
