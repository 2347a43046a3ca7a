import { streamEvents } from '../../src/client/index.js';
import { DEMO } from './lib/api.js';
import { byId, el } from './lib/dom.js';
import { showReconnecting, showState } from './lib/status.js';

/** One exchange, as kept in sessionStorage so a reload can show it and resume it. */
interface Exchange {
  prompt: string;
  text: string;
  answer: string;
  lastEventId: string;
  tokens: number;
  total: number;
  done: boolean;
  /** How the answer ended when it did not complete: cut off by a server stop, or stopped by the user. */
  ended?: 'interrupted' | 'cancelled';
  error?: string;
  resumes: number;
}

/** The registry's terminal events: every answer ends with exactly one (a lost connection re-attaches). */
const TERMINAL = new Set(['done', 'error', 'interrupted']);

const STORAGE_KEY = 'ssehub.chat';
const state = byId('state');
const conversation = byId<HTMLOListElement>('conversation');
const form = byId<HTMLFormElement>('prompt-form');
const promptField = byId<HTMLTextAreaElement>('prompt');
const progress = byId('progress');
const sendButton = byId<HTMLButtonElement>('send');
const share = byId<HTMLAnchorElement>('share');

function load(): Exchange[] {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]') as unknown;
    return Array.isArray(saved) ? (saved as Exchange[]) : [];
  } catch {
    return [];
  }
}

const exchanges = load();
const save = () => sessionStorage.setItem(STORAGE_KEY, JSON.stringify(exchanges.slice(-20)));

/** The answer element of an exchange; created with its prompt on first use. */
function view(exchange: Exchange): HTMLElement {
  const index = exchanges.indexOf(exchange);
  let item = conversation.querySelector<HTMLElement>(`[data-index="${index}"]`);
  if (item === null) {
    item = el('li', 'exchange');
    item.dataset.index = String(index);
    item.append(el('p', 'bubble user', exchange.prompt), el('p', 'bubble bot'));
    conversation.append(item);
  }
  item.querySelector<HTMLElement>('.user')!.textContent = exchange.prompt;
  const answer = item.querySelector<HTMLElement>('.bot')!;
  answer.textContent = exchange.text;
  answer.dataset.answer = exchange.answer;
  answer.dataset.tokens = String(exchange.tokens);
  answer.dataset.done = String(exchange.done);
  answer.dataset.ended = exchange.done ? 'complete' : (exchange.ended ?? (exchange.error ? 'error' : ''));
  answer.setAttribute('aria-busy', String(!exchange.done && !exchange.error && !exchange.ended));
  if (exchange.error) answer.append(el('span', 'error', ` (${exchange.error})`));
  else if (exchange.ended === 'interrupted') answer.append(el('span', 'error', ' (interrupted)'));
  else if (exchange.ended === 'cancelled') answer.append(el('span', 'error', ' (stopped)'));
  return answer;
}

function showProgress(exchange: Exchange): void {
  const resumed = exchange.resumes > 0 ? `, resumed ${exchange.resumes}×` : '';
  progress.textContent = exchange.total
    ? `Token ${exchange.tokens} of ${exchange.total}${resumed}`
    : `Waiting for the first token${resumed}`;
}

/**
 * Streams (or, with a saved Last-Event-ID, resumes) the answer of `exchange`. The prompt is POSTed once;
 * every reconnection (network drop, reload) is a GET to the answer with Last-Event-ID (`resumeUrl`), so
 * the answer is never generated twice. It ends only on an explicit terminal event: `done` (complete),
 * `interrupted` (the hub stopped mid-answer) or `error`; a stream that just ends is re-attached.
 */
async function stream(exchange: Exchange): Promise<void> {
  sendButton.disabled = true;
  showState(state, 'connecting');
  // An answer known by id but not read yet (a second tab): attach from its start instead of POSTing.
  const attach = exchange.answer !== '' && exchange.lastEventId === '';
  const url = attach ? `${DEMO}/chat/${encodeURIComponent(exchange.answer)}` : `${DEMO}/chat`;
  const events = streamEvents(new URL(url, location.href), {
    method: attach ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: attach ? null : JSON.stringify({ prompt: exchange.prompt }),
    // Set after a reload: the first request is then already the GET that re-attaches.
    lastEventId: exchange.lastEventId,
    resumeUrl: (lastEventId) => `${DEMO}/chat/${encodeURIComponent(lastEventId.split(':')[0] ?? '')}`,
    reconnectionTime: 1000,
    onResponse: (response) => {
      if (response.status === 200) showState(state, 'open', '(streaming)');
    },
    onReconnect: (info) => showReconnecting(state, info.delay),
  });
  try {
    for await (const event of events) {
      if (event.type === 'answer') {
        const head = JSON.parse(event.data) as { answer: string; prompt: string; tokens: number };
        exchange.answer = head.answer;
        exchange.prompt = head.prompt;
        exchange.total = head.tokens;
        share.href = `?answer=${encodeURIComponent(head.answer)}`;
        share.hidden = false;
      } else if (event.type === 'token') {
        exchange.text += JSON.parse(event.data) as string;
        exchange.tokens++;
      } else if (event.type === 'done') {
        const reason = (JSON.parse(event.data) as { reason?: string }).reason;
        if (reason === 'cancelled') exchange.ended = 'cancelled';
        else exchange.done = true;
      } else if (event.type === 'interrupted') {
        exchange.ended = 'interrupted';
      } else if (event.type === 'error') {
        exchange.error = (JSON.parse(event.data) as { message?: string }).message ?? 'the answer failed';
      }
      exchange.lastEventId = event.lastEventId;
      save();
      view(exchange);
      followAnswer();
      showProgress(exchange);
      if (TERMINAL.has(event.type)) break;
    }
    if (exchange.done) showState(state, 'stopped', '(answer complete)');
    else if (exchange.ended === 'cancelled') showState(state, 'stopped', '(answer stopped)');
    else if (exchange.error) showState(state, 'error', `(${exchange.error})`);
    else {
      // `interrupted`, or the answer ended without its final event (a 204 for an answer whose end this
      // page never saw): it is incomplete, never "complete".
      exchange.ended = 'interrupted';
      showState(state, 'error', '(answer interrupted: the hub stopped mid-answer; send it again)');
    }
  } catch (error) {
    exchange.error = error instanceof Error ? error.message : String(error);
    showState(state, 'error', `(${exchange.error})`);
  } finally {
    events.close();
    save();
    view(exchange);
    sendButton.disabled = false;
  }
}

/**
 * Whether the page keeps the streaming answer in view: true while the reader is at the bottom, false
 * once they scroll up to read something else (a scroll away from the bottom), true again on a new prompt.
 */
let following = true;
/** How close to the bottom still counts as "at the bottom", in CSS pixels. */
const FOLLOW_SLACK_PX = 80;
addEventListener(
  'scroll',
  () => {
    const root = document.documentElement;
    following = scrollY + innerHeight >= root.scrollHeight - FOLLOW_SLACK_PX;
  },
  { passive: true },
);

/** Scrolls to the end of the conversation, where the answer grows, unless the reader scrolled up. */
function followAnswer(): void {
  if (following) scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const prompt = promptField.value.trim();
  if (!prompt || sendButton.disabled) return;
  following = true;
  promptField.value = '';
  const exchange: Exchange = {
    prompt,
    text: '',
    answer: '',
    lastEventId: '',
    tokens: 0,
    total: 0,
    done: false,
    resumes: 0,
  };
  exchanges.push(exchange);
  save();
  view(exchange);
  void stream(exchange);
});
promptField.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});
byId('clear-chat').addEventListener('click', () => {
  if (sendButton.disabled) return;
  exchanges.splice(0);
  save();
  conversation.replaceChildren();
  progress.textContent = '';
});

// `?answer=<id>`: another tab's answer, followed live from its start (the same stream, not a new one).
const followed = new URLSearchParams(location.search).get('answer');
if (followed !== null && !exchanges.some((exchange) => exchange.answer === followed)) {
  exchanges.push({
    prompt: '…',
    text: '',
    answer: followed,
    lastEventId: '',
    tokens: 0,
    total: 0,
    done: false,
    resumes: 0,
  });
  save();
}
for (const exchange of exchanges) view(exchange);
const unfinished = exchanges.at(-1);
if (unfinished && !unfinished.done && !unfinished.error && !unfinished.ended) {
  // Reloaded mid-answer: resume from the saved Last-Event-ID (or from the start if none arrived yet).
  if (unfinished.lastEventId) unfinished.resumes++;
  showProgress(unfinished);
  void stream(unfinished);
}
