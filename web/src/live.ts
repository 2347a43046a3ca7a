import { type EventStream, type StreamedEvent, streamEvents } from '../../src/client/index.js';
import { uriTemplateProblem } from '../../src/hub/topics/uri-template.js';
import { type DemoConfig, loadConfig, postJson, readConfig, retryWithFreshToken } from './lib/api.js';
import { byId, clockTime, el, trimChildren } from './lib/dom.js';
import { DroppableFetch } from './lib/droppable-fetch.js';
import { formatData } from './lib/format.js';
import { startRoom } from './lib/room.js';
import { showReconnecting, showState } from './lib/status.js';

const MAX_LOG = 300;
const OFFLINE_MS = 3000;

const state = byId('state');
const log = byId<HTMLOListElement>('log');
const topicsField = byId<HTMLTextAreaElement>('topics');
const topicsProblem = byId('topics-problem');
const lastIdView = byId('last-id');
const receivedView = byId('received');
const toggle = byId<HTMLButtonElement>('toggle-receive');
const clockButton = byId<HTMLButtonElement>('clock');
const network = new DroppableFetch();

let config: DemoConfig;
let current: EventStream | undefined;
let lastEventId = '';
let received = 0;
let receiving = true;

function topics(): string[] {
  return topicsField.value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** A line in the log that is not an event: what the connection is doing. */
function note(text: string, kind = 'note'): void {
  const item = el('li', `entry ${kind}`);
  item.append(el('span', 'time', clockTime()), el('span', 'text', text));
  log.prepend(item);
  trimChildren(log, MAX_LOG);
}

function showEvent(event: StreamedEvent): void {
  const item = el('li', 'entry event');
  const head = el('div', 'head');
  head.append(el('span', 'time', clockTime()), el('span', 'type', event.type));
  if (event.lastEventId) {
    const id = el('code', 'id', event.lastEventId);
    id.title = 'id';
    head.append(id);
  }
  const { text, json } = formatData(event.data);
  const data = el('pre', json ? 'data json' : 'data', text);
  item.append(head, data);
  log.prepend(item);
  trimChildren(log, MAX_LOG);
}

/** Opens the subscription from `fromId` (empty: live only), replacing any open one. */
function subscribe(fromId: string): void {
  const selected = topics();
  if (selected.length === 0) {
    current?.close();
    showState(state, 'error', '(give at least one topic)');
    return;
  }
  // The hub refuses an unparsable template with 400; say why here, with the same parser, and keep the
  // subscription that is open.
  for (const selector of selected) {
    const problem = selector.includes('{') ? uriTemplateProblem(selector) : undefined;
    if (problem !== undefined) {
      const message = `Not subscribed: ${selector} is not a valid URI template (RFC 6570): ${problem}`;
      note(message, 'error');
      // Also next to the field: on a phone the log is below the fold.
      topicsProblem.textContent = message;
      topicsProblem.hidden = false;
      topicsField.focus();
      return;
    }
  }
  topicsProblem.hidden = true;
  current?.close();
  const url = new URL(config.hub, location.href);
  for (const topic of selected) url.searchParams.append('topic', topic);
  showState(state, 'connecting');
  const stream = streamEvents(url, {
    lastEventId: fromId,
    reconnectionTime: 1500,
    fetch: network.fetch,
    shouldRetry: retryWithFreshToken(config),
    onResponse: (response) => {
      if (stream !== current) return;
      if (response.status !== 200) return;
      showState(state, 'open');
      // The hub may have restarted meanwhile, with its clock publisher stopped: show its real state.
      void refreshClock();
      const cursor = response.headers.get('last-event-id');
      if (cursor === null) note(`Connected to ${selected.length} topic(s), receiving live events`);
      else if (cursor === 'earliest' && stream.lastEventId !== '')
        note('Connected; the hub no longer holds the last id, so it replays all it has', 'warn');
      else note(`Connected with Last-Event-ID; the hub replays every event after ${cursor}`);
    },
    onReconnect: (info) => {
      if (stream !== current) return;
      const why = info.error ? info.error.message : 'the hub ended the stream';
      const seconds = (info.delay / 1000).toFixed(1);
      showReconnecting(state, info.delay);
      note(
        `Connection lost (${why}). Reconnecting in ${seconds} s with Last-Event-ID: ${stream.lastEventId || 'none'}`,
        'warn',
      );
    },
  });
  current = stream;
  void (async () => {
    try {
      for await (const event of stream) {
        if (stream !== current) break;
        lastEventId = event.lastEventId;
        received++;
        lastIdView.textContent = lastEventId || 'none yet';
        receivedView.textContent = String(received);
        showEvent(event);
      }
    } catch (error) {
      if (stream === current) {
        showState(state, 'error', error instanceof Error ? `(${error.message})` : '');
        note(`Stopped: ${error instanceof Error ? error.message : String(error)}`, 'error');
      }
    }
  })();
}

function setReceiving(on: boolean): void {
  receiving = on;
  toggle.textContent = on ? 'Stop receiving' : 'Resume receiving';
  toggle.setAttribute('aria-pressed', String(!on));
  if (on) {
    note(lastEventId ? `Resuming after ${lastEventId}` : 'Resuming (no event received yet, so live only)');
    subscribe(lastEventId);
  } else {
    current?.close();
    current = undefined;
    showState(state, 'stopped');
    note('Stopped receiving; events published meanwhile will be replayed on resume');
  }
}

function showClock(running: boolean): void {
  clockButton.textContent = running ? 'Stop the clock' : 'Start the clock';
  clockButton.setAttribute('aria-pressed', String(running));
}

/** Shows the hub's current clock publisher state (after a reconnection or a page restored from cache). */
async function refreshClock(): Promise<void> {
  try {
    showClock((await readConfig()).clock.running);
  } catch {
    // The hub is unreachable: the next reconnection reads it again.
  }
}

async function main(): Promise<void> {
  config = await loadConfig();
  topicsField.value = [config.topics.clock, config.topics.messages].join('\n');
  showClock(config.clock.running);

  byId<HTMLFormElement>('subscribe-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!receiving) setReceiving(true);
    else subscribe('');
  });
  byId('use-template').addEventListener('click', () => {
    topicsField.value = config.topics.template;
    subscribe('');
  });
  toggle.addEventListener('click', () => setReceiving(!receiving));
  byId('drop').addEventListener('click', () => {
    if (!current) return;
    note(`Network cut for ${OFFLINE_MS / 1000} s (simulated): events published now are missed…`, 'warn');
    network.drop(OFFLINE_MS);
  });
  byId('clear-log').addEventListener('click', () => log.replaceChildren());
  clockButton.addEventListener('click', async () => {
    const running = clockButton.getAttribute('aria-pressed') !== 'true';
    try {
      showClock((await postJson<{ running: boolean }>('/clock', { running })).running);
    } catch (error) {
      note(`Clock: ${(error as Error).message}`, 'error');
    }
  });
  const result = byId('publish-result');
  byId<HTMLFormElement>('message-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const type = byId<HTMLInputElement>('message-type').value.trim();
    const data = byId<HTMLTextAreaElement>('message-data').value;
    const retryText = byId<HTMLInputElement>('message-retry').value.trim();
    const retry = retryText === '' ? undefined : Number(retryText);
    try {
      const { id } = await postJson<{ id: string }>('/messages', { type, data, retry });
      result.textContent = `Published ${id}`;
    } catch (error) {
      result.textContent = `Not published: ${(error as Error).message}`;
    }
  });
  // A page restored from the back/forward cache runs no script again: read the state the hub has now.
  addEventListener('pageshow', (event) => {
    if (event.persisted) void refreshClock();
  });
  subscribe('');
  startRoom(config);
}

main().catch((error: unknown) => {
  showState(state, 'error', `(${error instanceof Error ? error.message : String(error)})`);
});
