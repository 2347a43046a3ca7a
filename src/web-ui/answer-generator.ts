/**
 * The streamed-chat demo's "model": a deterministic local generator. The same prompt always gives
 * the same tokens, with no model and no network, so a test (or a person) can check that an answer
 * resumed after a reload continues exactly where it stopped instead of starting over.
 */

const OPENINGS = [
  'Good question.',
  'Here is the short version.',
  'Let me stream that for you, one token at a time.',
  'Happy to explain.',
];

const FACTS = [
  'Server-Sent Events are plain HTTP: one long response with the text/event-stream content type.',
  'Every event may carry an id, and the browser sends the last one back in the Last-Event-ID header when it reconnects.',
  'That is how this answer survives a reload: the page keeps the last id it saw and asks the hub for what came after it.',
  'The retry field tells the client how many milliseconds to wait before reconnecting.',
  'A named event uses the event field, and the page listens for it with addEventListener.',
  'Data may span several lines; each line gets its own data field on the wire.',
  'Comments start with a colon and keep idle connections alive through proxies.',
  'A proxy that buffers responses breaks streaming, which is why ssehub sends X-Accel-Buffering: no.',
  'A slow reader never costs unbounded memory here: its buffer is bounded and it is disconnected, then replays from history.',
  'Mercure publishers POST updates to topics and browsers subscribe with a plain EventSource.',
  'Unlike WebSockets, SSE needs no special protocol, so it works through ordinary HTTP infrastructure.',
  'The tokens you are reading come from a seeded generator, not a model, so every run of this prompt is identical.',
];

const CLOSINGS = [
  'Anything else?',
  'That is all there is to it.',
  'Try reloading the page halfway next time.',
];

/** FNV-1a 32-bit hash: a stable seed from the prompt. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG, enough to pick sentences reproducibly. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], next: () => number): T {
  return items[Math.floor(next() * items.length)] as T;
}

/**
 * The answer to `prompt` as tokens: words with their leading space, a paragraph break as `\n\n`.
 * Joining the tokens gives the full text. At most `maxTokens` tokens.
 */
export function generateAnswer(prompt: string, maxTokens = 400): string[] {
  const next = random(hash(prompt.trim().toLowerCase()));
  const quoted = prompt.trim().replace(/\s+/g, ' ').slice(0, 80);
  const sentences = [`${pick(OPENINGS, next)} You asked: “${quoted}”.`];
  const facts = [...FACTS];
  const count = 3 + Math.floor(next() * 3);
  for (let i = 0; i < count && facts.length > 0; i++) {
    sentences.push(facts.splice(Math.floor(next() * facts.length), 1)[0] as string);
  }
  sentences.push(pick(CLOSINGS, next));
  const tokens: string[] = [];
  sentences.forEach((sentence, index) => {
    const words = sentence.split(' ');
    words.forEach((word, w) => {
      const lead =
        w === 0 ? (index === 0 ? '' : index === 1 || index === sentences.length - 1 ? '\n\n' : ' ') : ' ';
      tokens.push(lead + word);
    });
  });
  return tokens.slice(0, maxTokens);
}
