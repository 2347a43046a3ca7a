/** The hub's own namespace: subscription events live under it (https://mercure.rocks/spec#active-subscriptions). */
export const HUB_PATH = '/.well-known/mercure';

/** A percent-escape of an ASCII character, the only ones that can spell the ASCII hub path. */
const ASCII_ESCAPE = /%([0-7][0-9a-fA-F])/g;

function decodeAscii(text: string): string {
  return text.replace(ASCII_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function collapseSlashes(text: string): string {
  return text.replace(/\/{2,}/g, '/');
}

/** The path of `text` read as a URL reference, dot segments removed (RFC 3986 §5.2.4); itself if unparsable. */
function resolvedPath(text: string): string {
  try {
    return new URL(text, 'http://hub.invalid/').pathname;
  } catch {
    return text;
  }
}

/**
 * Whether a publisher-supplied topic falls in the hub's reserved namespace, so it could forge
 * subscription events (docs/security.md#private-updates). Checked on the raw topic (the reference hub's
 * `contains`) and on every other spelling a reader may resolve to the same path: percent-escapes of ASCII
 * decoded (an escaped `/` or `.` too), backslashes read as slashes (as URL parsers do), repeated slashes
 * collapsed, dot segments removed, in either order, and without regard to case. So
 * `/.well-known/%6Dercure`, `/.well-known//mercure`, `/.well-known%2Fmercure`, `/.Well-Known/Mercure` and
 * `/.well-known/x/../mercure` are all refused.
 */
export function isReservedTopic(topic: string): boolean {
  if (topic.includes(HUB_PATH)) return true;
  const plain = decodeAscii(topic).replace(/\\/g, '/').toLowerCase();
  const collapsed = collapseSlashes(plain);
  const spellings = [
    plain,
    collapsed,
    collapseSlashes(resolvedPath(plain)),
    collapseSlashes(resolvedPath(collapsed)),
  ];
  return spellings.some((spelling) => spelling.includes(HUB_PATH));
}
