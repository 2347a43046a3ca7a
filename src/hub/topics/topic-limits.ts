import { hasControlCharacter } from '../../server/index.js';

/**
 * Longest topic or topic selector the hub accepts, in UTF-16 code units: the reference hub's
 * `maxPatternLength` (docs/security.md#limits). A topic is matched against every template selector and is part
 * of the match-cache keys, so its length multiplies both the CPU and the memory every publish costs.
 */
export const MAX_TOPIC_LENGTH = 4096;

/**
 * Why `text` cannot be a topic (publish) or a topic selector (subscribe), or undefined when it can:
 * longer than {@link MAX_TOPIC_LENGTH}, or holding a control character (C0 or DEL: CR, LF, NUL...).
 * The reference hub refuses control characters in topics (`validProtocolString`, Mercure 73141bf): they
 * belong in no IRI, and NUL is a classic cache-key separator (docs/security.md#private-updates).
 */
export function topicProblem(text: string): string | undefined {
  if (text.length > MAX_TOPIC_LENGTH) return `longer than ${MAX_TOPIC_LENGTH} characters`;
  if (hasControlCharacter(text)) return 'it contains a control character (CR, LF, NUL...)';
  return undefined;
}

/**
 * Why `text` cannot be a Mercure 1.0 topic or matcher value, or undefined: {@link topicProblem}'s rules,
 * plus C1 controls (U+0080-U+009F), Unicode format characters (category Cf: bidirectional and zero-width
 * controls, which enable identifier spoofing) and text that is not valid UTF-8 (a lone surrogate).
 * Mercure 1.0 (https://mercure.rocks/spec#terminology, https://mercure.rocks/spec#subscription).
 */
export function strictTopicProblem(text: string): string | undefined {
  const problem = topicProblem(text);
  if (problem !== undefined) return problem;
  if (/[\u0080-\u009f]/.test(text)) return 'it contains a C1 control character (U+0080-U+009F)';
  if (/\p{Cf}/u.test(text)) return 'it contains an invisible format character (Unicode category Cf)';
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text))
    return 'it is not valid UTF-8 (a lone surrogate)';
  return undefined;
}
