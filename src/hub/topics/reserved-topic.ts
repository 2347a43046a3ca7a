/** The hub's own namespace: subscription events live under it (https://mercure.rocks/spec#active-subscriptions). */
export const HUB_PATH = '/.well-known/mercure';

const UNRESERVED_ESCAPE = /%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

function decodeUnreserved(text: string): string {
  return text.replace(UNRESERVED_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * Whether a publisher-supplied topic falls in the hub's reserved namespace, so it could forge
 * subscription events (docs/security.md#private-updates). Checked on the raw topic (the reference hub's `contains`), on the
 * topic with unreserved percent-escapes decoded, and on its path resolved as a URL (dot segments removed),
 * so `/.well-known/%6Dercure` or `/.well-known/x/../mercure` do not slip through.
 */
export function isReservedTopic(topic: string): boolean {
  if (topic.includes(HUB_PATH)) return true;
  const decoded = decodeUnreserved(topic);
  if (decoded.includes(HUB_PATH)) return true;
  try {
    const path = decodeUnreserved(new URL(decoded, 'http://hub.invalid/').pathname);
    return path.includes(HUB_PATH);
  } catch {
    return false;
  }
}
