/**
 * `ssehub --dashboard` with keys, as the README tells an operator to run it: the dashboard alone, its
 * feed only for a subscriber token that may read the subscriptions (minted with `ssehub token`), showing
 * the operator's own topics and the same figures as `/metrics`.
 */
import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { streamEvents } from '../../src/client/index.js';
import type { DashboardSample } from '../../src/web-ui/index.js';
import { publish, startsKilledAfterEach } from './cli-process.js';

const start = startsKilledAfterEach();
const KEY = 'a-dashboard-test-secret-of-32-bytes-or-more';
const TOPIC = 'https://example.com/orders/42';
/** The README's command for a dashboard token. */
const GRANT = '/.well-known/mercure/subscriptions{/topic}{/subscriber}';

/** `ssehub token <args> --jwt-key KEY`, run as the command; the token it prints. */
async function ssehubToken(...args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(['token', ...args, '--jwt-key', KEY], {
    env: {},
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  expect(code, err).toBe(0);
  return out.trim();
}

/** The value of each unlabelled series of a Prometheus text exposition, and the sum of labelled ones. */
function scrape(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match) values.set(match[1]!, (values.get(match[1]!) ?? 0) + Number(match[2]));
  }
  return values;
}

/** A `sample` event of the feed, as the page reads it. */
type Sample = DashboardSample;

describe('ssehub --dashboard with keys', () => {
  it('refuses the feed without a token (401) and with one lacking the grant (403), each with the reason', async () => {
    const cli = await start(['--port', '0', '--jwt-key', KEY, '--dashboard']);
    const anonymous = await fetch(`${cli.origin}/dashboard/feed`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(((await anonymous.json()) as { error: string }).error).toMatch(
      /^Reading the hub's subscriptions needs a subscriber token whose mercure.subscribe claim matches \/.well-known\/mercure\/subscriptions .*; send it as "Authorization: Bearer <token>"$/,
    );

    const reader = await ssehubToken('--subscribe', TOPIC);
    const lacking = await fetch(`${cli.origin}/dashboard/feed`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(lacking.status).toBe(403);
    expect(((await lacking.json()) as { error: string }).error).toMatch(
      /does not allow reading the hub's subscriptions: its mercure.subscribe claim must match/,
    );

    const forged = await fetch(`${cli.origin}/dashboard/feed`, {
      headers: { authorization: 'Bearer abc.def.ghi' },
    });
    expect(forged.status).toBe(401);
    // Why the token failed comes first, then what the dashboard needs.
    expect(((await forged.json()) as { error: string }).error).toMatch(
      /^Malformed token: its header .*\(Reading the hub's subscriptions needs a subscriber token/,
    );
  });

  it("shows the operator's topic and the same figures as /metrics to a token minted with ssehub token", async () => {
    const cli = await start(['--port', '0', '--jwt-key', KEY, '--dashboard', '--log-level', 'silent']);
    expect(cli.stderr()).toContain(`Web UI:   ${cli.origin}/dashboard alone`);
    const dashboardToken = await ssehubToken('--subscribe', GRANT);
    const subscriberToken = await ssehubToken('--subscribe', TOPIC);
    const subscriber = new EventSource(
      `${cli.origin}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`,
      {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            headers: { ...init?.headers, authorization: `Bearer ${subscriberToken}` },
          }),
      },
    );
    const feed = streamEvents(`${cli.origin}/dashboard/feed`, {
      headers: { authorization: `Bearer ${dashboardToken}` },
    });
    try {
      await new Promise((resolve, reject) => {
        subscriber.addEventListener('open', resolve, { once: true });
        subscriber.addEventListener('error', reject, { once: true });
      });
      for (const data of ['one', 'two']) {
        expect((await publish(cli.origin, cli.publisherToken!, { topic: TOPIC, data })).status).toBe(200);
      }
      let view: unknown;
      let sample: Sample | undefined;
      for await (const event of feed) {
        if (event.type === 'view') view = JSON.parse(event.data);
        if (event.type !== 'sample') continue;
        const candidate = JSON.parse(event.data) as Sample;
        // Both updates delivered to the one subscriber: nothing moves after this sample.
        if (candidate.published === 2 && candidate.delivered === 2) {
          sample = candidate;
          break;
        }
      }
      expect(view).toEqual({ everySelector: true, demo: false });
      expect(sample?.topics).toEqual([{ topic: TOPIC, subscriptions: 1 }]);
      const metrics = scrape(await (await fetch(`${cli.origin}/metrics`)).text());
      expect({
        connections: sample?.connections,
        subscriptions: sample?.subscriptions,
        published: sample?.published,
        delivered: sample?.delivered,
        slowDropped: sample?.slowDropped,
        historySize: sample?.historySize,
      }).toEqual({
        connections: metrics.get('ssehub_hub_connections'),
        subscriptions: metrics.get('ssehub_hub_subscriptions'),
        published: metrics.get('ssehub_hub_updates_published_total'),
        delivered: metrics.get('ssehub_hub_updates_delivered_total'),
        slowDropped: metrics.get('ssehub_hub_slow_subscribers_dropped_total'),
        historySize: metrics.get('ssehub_hub_history_size'),
      });
      expect(metrics.get('ssehub_hub_connections')).toBe(1);
    } finally {
      feed.close();
      subscriber.close();
    }
  });

  it('serves the dashboard page and the landing page, never the demo endpoints', async () => {
    const cli = await start(['--port', '0', '--jwt-key', KEY, '--dashboard']);
    const page = await fetch(`${cli.origin}/dashboard`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="token-form"');
    expect(await (await fetch(`${cli.origin}/`)).text()).toContain('href="/dashboard"');
    for (const path of ['/demo/config', '/chat', '/index.html']) {
      expect((await fetch(`${cli.origin}${path}`)).status, path).toBe(404);
    }
    const write = await fetch(`${cli.origin}/demo/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'anonymous write' }),
    });
    expect(write.status).toBe(405);
  });

  it('without --dashboard, keys mean no dashboard at all', async () => {
    const cli = await start(['--port', '0', '--jwt-key', KEY]);
    expect((await fetch(`${cli.origin}/dashboard`)).status).toBe(404);
    expect((await fetch(`${cli.origin}/dashboard/feed`)).status).toBe(404);
  });
});
