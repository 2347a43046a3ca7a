/** Most bytes of a refusal's body read for its reason: enough for a sentence, never a whole page. */
const MAX_REASON_BYTES = 2048;
/** Longest reason kept, in characters. */
const MAX_REASON_LENGTH = 300;

/**
 * What the server said about why it refused: the RFC 6750 §3 `error_description` of a
 * `WWW-Authenticate: Bearer` challenge, else the start of a short text or JSON body (`message`,
 * `error_description`, `error`, `detail`), else the challenge's bare `error` code. Reads at most 2 KiB of
 * the body, then cancels it, so a refusal that streams forever cannot hold the client. Undefined when
 * there is nothing readable (an HTML page and no challenge).
 */
export async function refusalReason(response: Response): Promise<string | undefined> {
  const challenge = response.headers.get('www-authenticate') ?? '';
  const description = challengeParam(challenge, 'error_description');
  if (description !== undefined) return tidy(description);
  // The body usually says more than the bare RFC 6750 code (`invalid_token`), which is the fallback.
  const code = challengeParam(challenge, 'error');
  return (await bodyReason(response)) ?? (code === undefined ? undefined : tidy(code));
}

/** A quoted parameter of a `WWW-Authenticate` challenge, unescaped; undefined when absent or empty. */
function challengeParam(challenge: string, name: string): string | undefined {
  const value = new RegExp(`\\b${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(challenge)?.[1];
  return value ? value.replace(/\\(.)/g, '$1') : undefined;
}

async function bodyReason(response: Response): Promise<string | undefined> {
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  const readable = type.startsWith('text/plain') || type.includes('json') || type === '';
  if (!readable || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const text = await readStart(response.body);
  if (type.includes('json')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      for (const key of ['message', 'error_description', 'error', 'detail', 'title']) {
        if (typeof parsed[key] === 'string' && parsed[key] !== '') return tidy(parsed[key]);
      }
    } catch {
      // Not JSON after all (or cut at 2 KiB): the text itself is still the best reason there is.
    }
  }
  return text.trim() === '' ? undefined : tidy(text);
}

async function readStart(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_REASON_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off midway still has a readable start.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, MAX_REASON_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

/** One line, bounded: a reason goes into an error message and a log line. */
function tidy(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH - 1)}…` : line;
}
