import { DEMO } from './lib/api.js';
import { drawChart } from './lib/chart.js';
import { byId, el } from './lib/dom.js';
import { formatBytes } from './lib/format.js';
import { showState } from './lib/status.js';

/** One sample of `GET /demo/stats` (see DashboardSample in src/web-ui/stats-feed.ts). */
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

const SLOTS = 300;
const state = byId('state');
const canvas = byId<HTMLCanvasElement>('chart');
const samples: Sample[] = [];
const number = new Intl.NumberFormat();

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

// A plain EventSource: the dashboard feed needs nothing beyond what every browser has.
const source = new EventSource(`${DEMO}/stats`);
source.onopen = () => showState(state, 'open');
source.onerror = () => showState(state, source.readyState === EventSource.CLOSED ? 'error' : 'reconnecting');
source.addEventListener('history', (event) => {
  samples.splice(0, samples.length, ...(JSON.parse(event.data) as Sample[]).slice(-SLOTS));
  render();
});
source.addEventListener('sample', (event) => {
  samples.push(JSON.parse(event.data) as Sample);
  if (samples.length > SLOTS) samples.shift();
  render();
});
addEventListener('resize', () => render());
