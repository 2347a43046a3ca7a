import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uriTemplateProblem } from '../../src/hub/topics/uri-template.js';
import { MalformedFormError, parseUrlEncodedForm, readLastEventId } from '../../src/server/index.js';
import { startHub as startHubWithUi, type TestHub } from '../web/harness.js';
import { type RunningHub, SECRET, startHub, subscribeUrl, token } from './support/harness.js';

/**
 * Every place the hub, the server library and the web UI decode client input refuses malformed text with
 * a reason instead of reading it as something else: percent-escapes in form bodies, query strings and
 * cookies (`%ZZ` used to become the three characters `%ZZ`, `%FF` a U+FFFD), and URI template syntax in
 * topic selectors (an unparsable template used to be accepted and silently match only itself).
 */

const TOPIC = encodeURIComponent('https://example.com/books/1');

let h: RunningHub;
let publisher: string;
beforeAll(async () => {
  h = await startHub({}, { key: { key: SECRET }, anonymous: true });
  publisher = await token({ publish: ['*'], subscribe: ['*'] });
});
afterAll(() => h.close());

function post(body: string): Promise<Response> {
  return fetch(`${h.base}/.well-known/mercure`, {
    method: 'POST',
    headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

describe('publish forms with malformed percent-escapes', () => {
  it.each([
    ['topic=%ZZ', 'topic'],
    [`topic=${TOPIC}&id=%E0%A4%A`, 'id'],
    [`topic=${TOPIC}&data=100%`, 'data'],
    [`topic=${TOPIC}&type=%zz`, 'type'],
    ['topic=%FF', 'topic'],
    [`topic=${TOPIC}&%ZZ=1`, '%ZZ'],
  ])('refuses %s with 400 naming %s, and stores nothing', async (body, field) => {
    const before = await h.hub.transport.lastEventId();
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`Malformed "${field}"`);
    expect(await h.hub.transport.lastEventId()).toBe(before);
  });

  it('still accepts a well-formed form with escaped %, + and UTF-8', async () => {
    const res = await post(`topic=${TOPIC}&id=a%25b%2Bc%C3%A9&data=1+1`);
    expect([res.status, await res.text()]).toEqual([200, 'a%b+cé']);
  });
});

describe('subscriptions with malformed query strings or selectors', () => {
  it.each([
    ['topic=%ZZ', 'Malformed "topic"'],
    [`topic=${TOPIC}&lastEventID=%ZZ`, 'Malformed "lastEventID"'],
    [`topic=${TOPIC}&last_event_id=%E0%A4%A`, 'Malformed "last_event_id"'],
    [`topic=${TOPIC}&authorization=%`, 'Malformed "authorization"'],
  ])('refuses ?%s with 400', async (query, reason) => {
    const res = await fetch(`${h.base}/.well-known/mercure?${query}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(reason);
  });

  it.each([
    ['https://example.com/{unclosed', 'the "{" at offset 20 is never closed'],
    ['https://example.com/{a}}', 'closes no expression'],
    ['https://example.com/{=a}', 'is reserved'],
    ['https://example.com/{a b}', 'is not a variable name'],
    ['https://example.com/{/a{b}', 'inside the expression'],
    ['https://example.com/chat room/{id}', 'percent-encode it'],
    ['https://example.com/%G0/{id}', 'not followed by two hex digits'],
  ])('refuses the unparsable URI template %s with 400 and the reason', async (selector, reason) => {
    const res = await fetch(subscribeUrl(h.base, [selector]));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`not a valid URI template: `);
    expect(uriTemplateProblem(selector)).toContain(reason);
  });

  it('refuses a token whose claim holds an unparsable template (401, naming the selector)', async () => {
    const bad = await token({ subscribe: ['https://example.com/{unclosed'] });
    const res = await fetch(subscribeUrl(h.base, ['https://example.com/1']), {
      headers: { authorization: `Bearer ${bad}` },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('"https://example.com/{unclosed": not a valid URI template');
  });

  it('refuses a malformed authorization cookie with 400 instead of using it undecoded', async () => {
    const res = await fetch(subscribeUrl(h.base, ['https://example.com/1']), {
      headers: { cookie: 'mercureAuthorization=%E0%A4%A' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Malformed "mercureAuthorization" cookie');
  });
});

describe('the server library', () => {
  it('treats a malformed lastEventId query parameter as unusable, never as another id', () => {
    expect(readLastEventId(undefined, '/events?lastEventId=%ZZ', 'lastEventId')).toBeUndefined();
    expect(readLastEventId(undefined, '/events?lastEventId=%FF', 'lastEventId')).toBeUndefined();
    expect(readLastEventId(undefined, '/events?lastEventId=caf%C3%A9+1', 'lastEventId')).toBe('café 1');
    // Another parameter's mistake is the application's concern: the cursor is still read.
    expect(readLastEventId(undefined, '/events?q=%ZZ&lastEventId=7', 'lastEventId')).toBe('7');
  });

  it('parseUrlEncodedForm decodes like URLSearchParams and refuses what it would silently keep', () => {
    const text = 'a=1+2&b=%C3%A9&c&=d&a=%2B';
    expect([...parseUrlEncodedForm(text)]).toEqual([...new URLSearchParams(text)]);
    for (const bad of ['x=%', 'x=%Z1', 'x=%1', 'x=%FF', 'x=%C3', '%zz=1']) {
      expect(() => parseUrlEncodedForm(bad), bad).toThrow(MalformedFormError);
    }
  });
});

describe('the web UI', () => {
  let ui: TestHub;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ssehub-malformed-'));
    ui = await startHubWithUi(root);
  });
  afterAll(async () => {
    await ui.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 400 to a static path with a malformed escape', async () => {
    const res = await fetch(`${ui.origin}/a%ZZ.js`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Malformed path');
  });

  it('answers 400 naming the parameter to a chat re-attach with a malformed lastEventId', async () => {
    const res = await fetch(`${ui.origin}/demo/chat/abc?lastEventId=%ZZ`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('Malformed "lastEventId"');
  });
});
