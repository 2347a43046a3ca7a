import { describe, expect, it } from 'vitest';
import { type BannerInput, bannerText } from '../../src/cli/banner.js';

const keyed: BannerInput = {
  version: '1.2.3',
  origin: 'http://127.0.0.1:8844',
  ui: 'keys',
  devMode: false,
  anonymous: false,
  canPublish: true,
  publisherToken: 'pub.tok.en',
  subscriberToken: undefined,
  storage: 'memory',
  cookieName: 'mercureAuthorization',
  queryToken: true,
};

describe('the startup banner', () => {
  it('with keys, never suggests a bare EventSource: it says how a browser carries the token', () => {
    const text = bannerText(keyed);
    expect(text).not.toMatch(/new EventSource\("[^"]*"\)/);
    expect(text).toContain('"mercureAuthorization" cookie');
    expect(text).toContain('withCredentials: true');
    expect(text).toContain('&authorization=<token>');
    expect(text).toContain("streamEvents(url, { headers: { Authorization: 'Bearer <token>' } })");
  });

  it('with keys and Mercure 0.x off, leaves out the authorization query parameter the hub would refuse', () => {
    const text = bannerText({ ...keyed, queryToken: false, cookieName: 'hub_token' });
    expect(text).not.toContain('authorization=');
    expect(text).toContain('"hub_token" cookie');
  });

  it('with keys, every $VARIABLE a command uses is exported or explained in the banner', () => {
    for (const input of [keyed, { ...keyed, publisherToken: undefined }]) {
      const text = bannerText(input);
      const used = new Set([...text.matchAll(/\$([A-Z_]+)/g)].map((match) => match[1]!));
      expect(used.size).toBeGreaterThan(0);
      for (const name of used) expect(text).toMatch(new RegExp(`export ${name}=|\\(\\$${name}: `));
    }
  });

  it('with anonymous subscribers, a plain EventSource receives the public updates', () => {
    const text = bannerText({ ...keyed, anonymous: true });
    expect(text).toContain(
      'or in a browser: new EventSource("http://127.0.0.1:8844/.well-known/mercure?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1")',
    );
  });

  it('with a self-signed certificate, every curl command trusts it with --cacert', () => {
    const text = bannerText({ ...keyed, origin: 'https://127.0.0.1:8844', caFile: "/tmp/it's/cert.pem" });
    const curls = text.split('\n').filter((line) => line.trim().startsWith('curl'));
    expect(curls).toHaveLength(2);
    for (const line of curls) expect(line).toMatch(/^ {2}curl --cacert '\/tmp\/it'\\''s\/cert\.pem' -/);
    expect(bannerText(keyed)).not.toContain('--cacert');
  });
});
