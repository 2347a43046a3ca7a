/**
 * Longest topic or topic selector the hub accepts, in UTF-16 code units: the reference hub's
 * `maxPatternLength` (sse-rules §3.5). A topic is matched against every template selector and is part
 * of the match-cache keys, so its length multiplies both the CPU and the memory every publish costs.
 */
export const MAX_TOPIC_LENGTH = 4096;

/**
 * Why `text` cannot be a topic (publish) or a topic selector (subscribe), or undefined when it can:
 * longer than {@link MAX_TOPIC_LENGTH}, or holding a control character (C0 or DEL: CR, LF, NUL...).
 * The reference hub refuses control characters in topics (`validProtocolString`, Mercure 73141bf): they
 * belong in no IRI, and NUL is a classic cache-key separator (sse-rules §3.4).
 */
export function topicProblem(text: string): string | undefined {
  if (text.length > MAX_TOPIC_LENGTH) return `longer than ${MAX_TOPIC_LENGTH} characters`;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return 'it contains a control character (CR, LF, NUL...)';
  }
  return undefined;
}
