import { type EventStream, SseHttpError, streamEvents } from '../../src/client/index.js';
import { drawChart } from './lib/chart.js';
import { byId, el } from './lib/dom.js';
import { formatBytes } from './lib/format.js';
import { showReconnecting, showState } from './lib/status.js';

/** One sample of `GET /dashboard/feed` (see DashboardSample in src/web-ui/stats-feed.ts). */
interface Sample {
  time: number;
  connections: number;
  subscriptions: number;
  topics: { topic: string; subscriptions: number }[];
  published: number;
  delivered: number;
  publishedPerSecond: number;
  deliveredPerSecond: number;
  slowDropped: number;
  historySize: number;
  rss: number;
  heapUsed: number;
}

/** The feed's first event (see DashboardView in src/web-ui/dashboard-route.ts). */
interface View {
  everySelector: boolean;
  demo: boolean;
}

const FEED = '/dashboard/feed';
/** Where a pasted token is kept: this tab's session only, never localStorage. */
const TOKEN_KEY = 'ssehub.dashboard.token';
const SLOTS = 300;
const state = byId('state');
const canvas = byId<HTMLCanvasElement>('chart');
const access = byId('access');
const tokenInput = byId<HTMLInputElement>('token');
const forget = byId<HTMLButtonElement>('forget-token');
const samples: Sample[] = [];
const number = new Intl.NumberFormat();
let events: EventStream | undefined;

function set(id: string, text: string): void {
  byId(id).textContent = text;
}

function render(): void {
  const last = samples.at(-1);
  if (last !== undefined) {
    set('f-connections', number.format(last.connections));
    set('f-subscriptions', number.format(last.subscriptions));
    set('f-published-rate', number.format(last.publishedPerSecond));
    set('f-delivered-rate', number.format(last.deliveredPerSecond));
    set('f-published', number.format(last.published));
    set('f-delivered', number.format(last.delivered));
    set('f-slow', number.format(last.slowDropped));
    set('f-history', number.format(last.historySize));
    set('f-memory', `${formatBytes(last.rss)} / ${formatBytes(last.heapUsed)}`);
    const body = byId('topics-body');
    const rows = last.topics.map((t) => {
      const row = el('tr');
      row.append(el('td', 'topic', t.topic), el('td', 'num', number.format(t.subscriptions)));
      return row;
    });
    if (rows.length === 0) {
      const row = el('tr');
      const cell = el('td', 'hint', 'No subscriptions yet');
      cell.colSpan = 2;
      row.append(cell);
      rows.push(row);
    }
    body.replaceChildren(...rows);
    set(
      'chart-summary',
      `Now: ${last.publishedPerSecond} published and ${last.deliveredPerSecond} delivered per second, ${last.connections} connections.`,
    );
  }
  drawChart(
    canvas,
    [
      { values: samples.map((s) => s.publishedPerSecond), color: '--published', axis: 'left' },
      { values: samples.map((s) => s.deliveredPerSecond), color: '--delivered', axis: 'left' },
      { values: samples.map((s) => s.connections), color: '--connections', axis: 'right', whole: true },
    ],
    SLOTS,
  );
}

function savedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined; // Storage blocked: the token lives as long as the page.
  }
}

function saveToken(token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {}
}

/** Shows the token form with why the hub refused (its own words). */
function askForToken(reason: string): void {
  access.hidden = false;
  set('access-reason', reason);
  tokenInput.focus();
}

/**
 * In development the demo hands out a subscriber token (loopback only) that may read every subscription:
 * with it the dashboard names the operator's own topics at once. Undefined anywhere else.
 */
async function developmentToken(): Promise<string | undefined> {
  try {
    const config = await fetch('/demo/config', { cache: 'no-store' });
    if (!config.ok || !((await config.json()) as { devToken?: boolean }).devToken) return undefined;
    const answer = await fetch('/demo/token', { cache: 'no-store' });
    return answer.ok ? ((await answer.json()) as { token?: string }).token : undefined;
  } catch {
    return undefined;
  }
}

let triedDevelopmentToken = false;

function showView(view: View): void {
  byId('view-note').hidden = view.everySelector;
  for (const link of document.querySelectorAll<HTMLElement>('[data-demo]')) link.hidden = !view.demo;
}

/**
 * Reads the feed with the saved token in an `Authorization` header (an EventSource cannot send one),
 * or without one: the `mercureAuthorization` cookie, or the demo's view in development (then with the
 * development token when the demo hands one out). A 401 or 403 asks for a token.
 */
async function connect(token = savedToken()): Promise<void> {
  events?.close();
  forget.hidden = savedToken() === undefined;
  showState(state, 'connecting');
  const stream = streamEvents(new URL(FEED, location.href), {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    onResponse: (response) => {
      if (response.status === 200) showState(state, 'open');
    },
    onReconnect: (info) => showReconnecting(state, info.delay),
  });
  events = stream;
  try {
    for await (const event of stream) {
      if (event.type === 'view') {
        access.hidden = true;
        const view = JSON.parse(event.data) as View;
        showView(view);
        if (!view.everySelector && view.demo && token === undefined && !triedDevelopmentToken) {
          triedDevelopmentToken = true;
          const development = await developmentToken();
          if (development !== undefined) void connect(development);
        }
      } else if (event.type === 'history') {
        samples.splice(0, samples.length, ...(JSON.parse(event.data) as Sample[]).slice(-SLOTS));
        render();
      } else if (event.type === 'sample') {
        samples.push(JSON.parse(event.data) as Sample);
        if (samples.length > SLOTS) samples.shift();
        render();
      }
    }
    if (events === stream) showState(state, 'stopped');
  } catch (error) {
    if (events !== stream) return;
    if (error instanceof SseHttpError && (error.status === 401 || error.status === 403)) {
      showState(state, 'error', `(HTTP ${error.status})`);
      askForToken(error.reason ?? `The hub refused the dashboard (HTTP ${error.status}).`);
      return;
    }
    showState(state, 'error', `(${error instanceof Error ? error.message : String(error)})`);
  }
}

byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim().replace(/^Bearer\s+/i, '');
  if (token === '') return;
  tokenInput.value = '';
  saveToken(token);
  void connect(token);
});
forget.addEventListener('click', () => {
  saveToken(undefined);
  void connect(undefined);
});
byId('ask-token').addEventListener('click', () => askForToken(''));
addEventListener('resize', () => render());
void connect();
