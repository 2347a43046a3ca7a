import { streamEvents } from '../../src/client/index.js';
import { DEMO } from './lib/api.js';
import { byId, el } from './lib/dom.js';
import { showState } from './lib/status.js';

/** One exchange, as kept in sessionStorage so a reload can show it and resume it. */
interface Exchange {
  prompt: string;
  text: string;
  answer: string;
  lastEventId: string;
  tokens: number;
  total: number;
  done: boolean;
  error?: string;
  resumes: number;
}

const STORAGE_KEY = 'ssehub.chat';
const state = byId('state');
const conversation = byId<HTMLOListElement>('conversation');
const form = byId<HTMLFormElement>('prompt-form');
const promptField = byId<HTMLTextAreaElement>('prompt');
const progress = byId('progress');
const sendButton = byId<HTMLButtonElement>('send');

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
  const answer = item.querySelector<HTMLElement>('.bot')!;
  answer.textContent = exchange.text;
  answer.dataset.answer = exchange.answer;
  answer.dataset.tokens = String(exchange.tokens);
  answer.dataset.done = String(exchange.done);
  answer.setAttribute('aria-busy', String(!exchange.done && !exchange.error));
  if (exchange.error) answer.append(el('span', 'error', ` (${exchange.error})`));
  return answer;
}

function showProgress(exchange: Exchange): void {
  const resumed = exchange.resumes > 0 ? `, resumed ${exchange.resumes}×` : '';
  progress.textContent = exchange.total
    ? `Token ${exchange.tokens} of ${exchange.total}${resumed}`
    : `Waiting for the first token${resumed}`;
}

/** Streams (or, with a saved Last-Event-ID, resumes) the answer of `exchange`. */
async function stream(exchange: Exchange): Promise<void> {
  sendButton.disabled = true;
  showState(state, 'connecting');
  const events = streamEvents(new URL(`${DEMO}/chat`, location.href), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt: exchange.prompt }),
    // Set after a reload: sent as Last-Event-ID, so the hub re-attaches instead of starting over.
    lastEventId: exchange.lastEventId,
    reconnectOnEnd: false,
    reconnectionTime: 1000,
    onResponse: (response) => {
      if (response.status === 200) showState(state, 'open', '(streaming)');
    },
    onReconnect: (info) => showState(state, 'reconnecting', `(in ${(info.delay / 1000).toFixed(1)} s)`),
  });
  try {
    for await (const event of events) {
      if (event.type === 'answer') {
        const head = JSON.parse(event.data) as { answer: string; tokens: number };
        exchange.answer = head.answer;
        exchange.total = head.tokens;
      } else if (event.type === 'token') {
        exchange.text += JSON.parse(event.data) as string;
        exchange.tokens++;
      } else if (event.type === 'done') {
        exchange.done = true;
      }
      exchange.lastEventId = event.lastEventId;
      save();
      view(exchange);
      showProgress(exchange);
      if (exchange.done) break;
    }
    // A 204 (everything already delivered) also ends the loop: the answer is complete.
    exchange.done = true;
    showState(state, 'stopped', '(answer complete)');
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

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const prompt = promptField.value.trim();
  if (!prompt || sendButton.disabled) return;
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

for (const exchange of exchanges) view(exchange);
const unfinished = exchanges.at(-1);
if (unfinished && !unfinished.done && !unfinished.error) {
  // Reloaded mid-answer: resume from the saved Last-Event-ID (or from the start if none arrived yet).
  if (unfinished.lastEventId) unfinished.resumes++;
  showProgress(unfinished);
  void stream(unfinished);
}
