/**
 * One Mercure update as the hub stores and routes it (https://mercure.rocks/spec#publication).
 * Immutable once accepted: the same object is shared by history, transports and every subscriber.
 */
export interface Update {
  /** The update's id: a client-supplied id, or a hub-generated `urn:uuid:<UUIDv7>`. Unique within the hub. */
  readonly id: string;
  /** Canonical topic first, then alternate topics, in the order the publisher gave them. */
  readonly topics: readonly string[];
  /** The payload (`data` field); may be empty. */
  readonly data: string;
  /** Private updates go only to subscribers whose claims match at least one of `topics`. */
  readonly private: boolean;
  /** SSE event type (`type` field), if any. */
  readonly type?: string;
  /** SSE `retry` value in milliseconds, if any. */
  readonly retry?: number;
}
