import type { Redis } from 'ioredis';
import type { ResumableStore, StoredStream } from '../../server/index.js';
import { requireDriver } from './optional-driver.js';

/** Options of {@link RedisStreamStore}. */
export interface RedisStreamStoreOptions {
  /** `redis://…` or `rediss://…` (ioredis URL syntax). Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Password, when it should not be in the URL. Overrides the URL's. */
  readonly password?: string;
  /** Prefix of every key; keep a hash tag (`{name}`) for Redis Cluster. Default `{ssehub}:rs:`. */
  readonly keyPrefix?: string;
  /** A command taking longer fails, in ms. Default 5,000. */
  readonly commandTimeoutMs?: number;
}

/**
 * Appends event ARGV[1] only when it is the next one of a running stream (the store contract's
 * compare-and-set), marks it terminal when ARGV[3] is not empty, and publishes it to the stream's channel
 * in the same step, so followers on every node see events in sequence order.
 * KEYS: meta hash, events list, ended sorted set. ARGV: seq, frame, endedAt or '', channel, stream id.
 */
const APPEND_SCRIPT = `
local last = redis.call('HGET', KEYS[1], 'l')
if not last then return 0 end
if redis.call('HEXISTS', KEYS[1], 'e') == 1 then return 0 end
if tonumber(last) ~= tonumber(ARGV[1]) - 1 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[1], 'l', ARGV[1])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'e', ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
end
redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' ' .. (ARGV[3] ~= '' and '1' or '0') .. ' ' .. ARGV[2])
return 1
`;

interface ScriptedRedis extends Redis {
  ssehubStreamAppend(
    meta: string,
    events: string,
    ended: string,
    seq: number,
    frame: Buffer,
    endedAt: string,
    channel: string,
    id: string,
  ): Promise<number>;
}

type Listener = (seq: number, frame: Uint8Array, ended: boolean) => void;

/**
 * A shared {@link ResumableStore} in Redis: every node of a cluster reads and follows the streams of
 * every other node, so a reader attaches through any node (a reload behind a load balancer without
 * sticky sessions). Per stream: a hash (created, last seq, ended at), a list of encoded events, a lease key
 * renewed by the producing node, and a pub/sub channel carrying each stored event. ioredis is loaded only
 * when this store is created.
 */
export class RedisStreamStore implements ResumableStore {
  readonly shared = true;
  readonly #redis: ScriptedRedis;
  readonly #url: string;
  readonly #password: { password?: string };
  readonly #timeout: number;
  readonly #prefix: string;
  #subscriber: Redis | undefined;
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(options: RedisStreamStoreOptions = {}) {
    const { Redis: RedisClient } = requireDriver<typeof import('ioredis')>('ioredis', 'RedisStreamStore');
    this.#url = options.url ?? 'redis://127.0.0.1:6379';
    this.#timeout = options.commandTimeoutMs ?? 5000;
    this.#prefix = options.keyPrefix ?? '{ssehub}:rs:';
    this.#password = options.password === undefined ? {} : { password: options.password };
    this.#redis = new RedisClient(this.#url, {
      ...this.#password,
      commandTimeout: this.#timeout,
      maxRetriesPerRequest: 1,
    }) as ScriptedRedis;
    this.#redis.on('error', () => undefined);
    this.#redis.defineCommand('ssehubStreamAppend', { numberOfKeys: 3, lua: APPEND_SCRIPT });
  }

  #key(streamId: string, part = ''): string {
    return `${this.#prefix}${streamId}${part}`;
  }

  async create(streamId: string, createdAt: number): Promise<void> {
    const created = await this.#redis.hsetnx(this.#key(streamId), 'c', createdAt);
    if (created !== 1) throw new Error(`Stream ${streamId} already exists in this store`);
    await this.#redis.hset(this.#key(streamId), 'l', -1);
  }

  async append(streamId: string, seq: number, frame: Uint8Array, endedAt?: number): Promise<boolean> {
    const stored = await this.#redis.ssehubStreamAppend(
      this.#key(streamId),
      this.#key(streamId, ':ev'),
      `${this.#prefix}ended`,
      seq,
      // ioredis sends a Buffer as bytes, but a plain Uint8Array as its comma-joined numbers.
      Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength),
      endedAt === undefined ? '' : String(endedAt),
      this.#key(streamId, ':ch'),
      streamId,
    );
    return stored === 1;
  }

  async read(streamId: string, afterSeq: number): Promise<StoredStream | undefined> {
    const [meta, frames] = (await this.#redis
      .multi()
      .hmget(this.#key(streamId), 'l', 'e')
      .lrangeBuffer(this.#key(streamId, ':ev'), Math.max(0, afterSeq + 1), -1)
      .exec()) as [[Error | null, (string | null)[]], [Error | null, Buffer[]]];
    if (meta[0] !== null) throw meta[0];
    if (frames[0] !== null) throw frames[0];
    const [last, ended] = meta[1];
    if (last === null || last === undefined) return undefined;
    return {
      frames: frames[1].map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
      lastSeq: Number(last),
      endedAt: ended === null || ended === undefined ? undefined : Number(ended),
    };
  }

  async prune(endedBefore: number, keep: number): Promise<void> {
    const endedKey = `${this.#prefix}ended`;
    const expired = await this.#redis.zrangebyscore(endedKey, '-inf', `(${endedBefore}`);
    const count = await this.#redis.zcard(endedKey);
    const excess = count - expired.length - keep;
    const oldest =
      excess > 0
        ? await this.#redis.zrange(endedKey, String(expired.length), String(expired.length + excess - 1))
        : [];
    const ids = [...expired, ...oldest];
    if (ids.length === 0) return;
    const multi = this.#redis.multi();
    for (const id of ids) multi.del(this.#key(id), this.#key(id, ':ev'), this.#key(id, ':lease'));
    multi.zrem(endedKey, ...ids);
    await multi.exec();
  }

  async renew(streamIds: readonly string[], ttlMs: number): Promise<void> {
    const multi = this.#redis.multi();
    for (const id of streamIds) multi.set(this.#key(id, ':lease'), '1', 'PX', Math.ceil(ttlMs));
    await multi.exec();
  }

  async produced(streamId: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key(streamId, ':lease'))) === 1;
  }

  async follow(streamId: string, listener: Listener): Promise<() => void> {
    const channel = this.#key(streamId, ':ch');
    let set = this.#listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    // SUBSCRIBE is answered once Redis delivers the channel's messages to this connection; a second
    // follower of the same channel waits for the same (idempotent) confirmation.
    await this.#subscriberClient().subscribe(channel);
    return () => {
      const current = this.#listeners.get(channel);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#listeners.delete(channel);
      void this.#subscriber?.unsubscribe(channel).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await Promise.allSettled([this.#redis.quit(), this.#subscriber?.quit()]);
  }

  #subscriberClient(): Redis {
    if (this.#subscriber !== undefined) return this.#subscriber;
    const { Redis: RedisClient } = requireDriver<typeof import('ioredis')>('ioredis', 'RedisStreamStore');
    const subscriber = new RedisClient(this.#url, { ...this.#password, maxRetriesPerRequest: 1 });
    subscriber.on('error', () => undefined);
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const listeners = this.#listeners.get(channel.toString());
      if (listeners === undefined) return;
      const first = message.indexOf(0x20);
      const second = message.indexOf(0x20, first + 1);
      const seq = Number(message.subarray(0, first).toString());
      const ended = message[first + 1] === 0x31;
      const frame = new Uint8Array(message.subarray(second + 1));
      for (const listener of listeners) listener(seq, frame, ended);
    });
    this.#subscriber = subscriber;
    return subscriber;
  }
}
