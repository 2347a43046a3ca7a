/**
 * The transport under an {@link SseStream}: a Node response (HTTP/1.x or HTTP/2) or a Fetch
 * `ReadableStream`. The stream core (buffer bound, overflow policy, heartbeat, timeouts, close
 * bookkeeping) is written once against this interface, so every face behaves identically.
 */
export interface SseSink {
  /** Hands bytes to the transport. Returns false when its buffer is above its high-water mark. */
  write(chunk: Uint8Array): boolean;
  /** Bytes the transport holds that the peer has not taken yet (user-space only). */
  readonly pendingBytes: number;
  /** Installs the callbacks; called exactly once, before any write. */
  attach(events: SinkEvents): void;
  /** Ends the response after what was written is flushed. */
  end(): void;
  /** Tears the response down now, discarding unflushed bytes (stalled or dead peers). */
  destroy(): void;
  /** Removes every listener the sink installed on the transport. */
  detach(): void;
}

/**
 * What a sink reports back to its stream. {@link SseStream} implements it itself, so a stream costs no
 * extra callback objects per connection.
 */
export interface SinkEvents {
  /** The transport's buffer went back under its high-water mark. */
  sinkDrained(): void;
  /** The transport is gone: peer closed, error, or the end we asked for completed. */
  sinkClosed(): void;
}
