/** A value or a promise of it: the in-memory and SQLite stores answer synchronously, a network store does not. */
export type Awaitable<T> = T | Promise<T>;

/** What a store holds of one stream, from a read. */
export interface StoredStream {
  /** Encoded events after the requested sequence number, oldest first (each a complete SSE frame). */
  readonly frames: readonly Uint8Array[];
  /** Sequence number of the newest stored event; -1 when none is stored yet. */
  readonly lastSeq: number;
  /** When the terminal event was stored (ms since the epoch); undefined while the stream runs. */
  readonly endedAt: number | undefined;
}

/**
 * Where a {@link ResumableStreams} registry keeps every event of every stream, so a reader that comes back
 * (after a reload, on another node, after a restart) replays what it missed. Events are stored before any
 * reader sees them, so nothing a reader received can be missing after a crash.
 *
 * Contract:
 * - `append` stores event `seq` only when `seq` is exactly the next sequence number of a stream that has
 *   not ended, and answers `false` (storing nothing) otherwise. This compare-and-set is what lets two
 *   writers (the producer, and a registry marking an orphaned stream `interrupted`) race safely: exactly
 *   one wins, so ids stay gap-free and never name two different events.
 * - `endedAt` given to `append` marks that event terminal: nothing can be appended after it.
 * - `shared` stores (several processes, e.g. Redis) must say so: a registry then never decides that a
 *   running stream it does not produce is orphaned. Single-process stores (memory, SQLite) leave it unset:
 *   a running stream that no producer of this process owns was cut off by a restart.
 */
export interface ResumableStore {
  /** True when several registries (processes, nodes) use this store at once. */
  readonly shared?: boolean;
  /** Records a new running stream with no events. */
  create(streamId: string, createdAt: number): Awaitable<void>;
  /** Stores event `seq` (see the contract); `endedAt` marks it terminal. */
  append(streamId: string, seq: number, frame: Uint8Array, endedAt?: number): Awaitable<boolean>;
  /** Events after `afterSeq` (-1: all) and the stream's state; undefined when the stream is not held. */
  read(streamId: string, afterSeq: number): Awaitable<StoredStream | undefined>;
  /**
   * Forgets streams that ended before `endedBefore`, then the oldest ended ones until at most `keep`
   * streams remain. Running streams are never forgotten.
   */
  prune(endedBefore: number, keep: number): Awaitable<void>;
  /** Releases the store's resources. */
  close(): Awaitable<void>;
  /**
   * Shared stores: calls `listener` with every event stored from now on for `streamId` (in sequence
   * order), so a registry can follow a stream another process produces. Resolves, once listening, to the
   * function that stops.
   */
  follow?(
    streamId: string,
    listener: (seq: number, frame: Uint8Array, ended: boolean) => void,
  ): Awaitable<() => void>;
  /** Shared stores: records that this process still produces `streamIds`, for `ttlMs` more (a lease). */
  renew?(streamIds: readonly string[], ttlMs: number): Awaitable<void>;
  /** Shared stores: whether some process's lease on `streamId` is still valid. */
  produced?(streamId: string): Awaitable<boolean>;
}
