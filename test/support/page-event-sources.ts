/**
 * Native EventSources opened inside a Chromium page, for the tests that check what a browser sees through
 * the command (HTTP/2 on one origin, a proxy in front).
 */
import type { Page } from 'playwright-core';

/** What the page keeps on `window` for these helpers. */
interface PageStreams {
  opened: number;
  received: string[];
}

/**
 * Opens `count` EventSources on the page's origin, `/.well-known/mercure?topic=` with `{n}` in `topic`
 * replaced by 1..`count`, and waits until every one is open. `onopen` fires on the hub's first byte, so a
 * connection the browser holds back (HTTP/1.1's six per origin) or a proxy that buffers keeps this waiting.
 */
export async function openEventSources(page: Page, count: number, topic: string): Promise<void> {
  await page.evaluate(
    ({ count, topic }) => {
      const w = window as unknown as PageStreams;
      w.opened = 0;
      w.received = [];
      for (let n = 1; n <= count; n++) {
        const url = `/.well-known/mercure?topic=${encodeURIComponent(topic.replace('{n}', String(n)))}`;
        const source = new EventSource(url);
        source.onopen = () => {
          w.opened++;
        };
        source.onmessage = (event) => {
          w.received.push(event.data);
        };
      }
    },
    { count, topic },
  );
  await page.waitForFunction((count) => (window as unknown as PageStreams).opened === count, count);
}

/** Waits until the page's EventSources received `count` messages in all; their data, sorted. */
export async function receivedData(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction((count) => (window as unknown as PageStreams).received.length === count, count);
  const received = await page.evaluate(() => (window as unknown as PageStreams).received);
  return [...received].sort();
}
