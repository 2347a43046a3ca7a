/**
 * Where a storage engine shared by several nodes keeps every node's active subscriptions, so the
 * subscriptions API (https://mercure.rocks/spec#active-subscriptions) lists them all whichever node answers. Documents are opaque
 * JSON strings to the engine; the hub writes and reads them.
 */
export interface SubscriptionRegistry {
  /** Records an active subscription of this node under `key` (its id, the subscription topic). */
  add(key: string, document: string): void;
  /** Forgets this node's subscription `key` (it ended). */
  remove(key: string): void;
  /**
   * The documents of every live node's active subscriptions, this node's included. A node that stopped
   * refreshing its entries (killed, cut off) drops out after the engine's time-to-live.
   */
  list(): Promise<string[]>;
}
