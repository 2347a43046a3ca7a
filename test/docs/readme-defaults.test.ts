/**
 * Defaults the README states in prose (outside the generated option tables) are the ones the code applies,
 * read from the code itself, so a changed default cannot leave a stale sentence behind.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_SETTINGS } from '../../src/client/index.js';
import {
  CHAT_RELAY_SETTINGS,
  DEFAULT_MAX_BUFFERED_BYTES,
  History,
  RESUMABLE_SETTINGS,
} from '../../src/server/index.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** `1 MiB`, `256 KiB` or `512 bytes`, as the README writes sizes. */
function size(bytes: number): string {
  if (bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/** `500 ms`, `3 s` or `5 min`, as the README writes durations. */
function duration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

describe('README prose defaults', () => {
  const history = new History();
  const cases: [string, string][] = [
    [
      'a channel refuses events over maxEventBytes',
      `\`maxEventBytes\` (default ${size(DEFAULT_MAX_BUFFERED_BYTES)}`,
    ],
    [
      'history: true keeps maxEvents and maxBytes',
      `(defaults ${history.maxEvents.toLocaleString('en-US')} events and ${size(history.maxBytes)} when \`history: true\`)`,
    ],
    [
      'the client waits reconnectionTime until a retry:',
      `\`reconnectionTime\` (${duration(CLIENT_SETTINGS.reconnectionTime.default)})`,
    ],
    [
      'the client backoff is capped by maxReconnectDelay',
      `\`maxReconnectDelay\` (${duration(CLIENT_SETTINGS.maxReconnectDelay.default)})`,
    ],
    [
      "a server's retry: is floored at minReconnectionTime",
      `\`minReconnectionTime\` (${duration(CLIENT_SETTINGS.minReconnectionTime.default)}`,
    ],
    [
      'a Retry-After wait is capped by maxRetryAfter',
      `capped by \`maxRetryAfter\`, ${duration(CLIENT_SETTINGS.maxRetryAfter.default)})`,
    ],
    [
      'resumable streams: producers at once',
      `\`maxProducers\` (${RESUMABLE_SETTINGS.maxProducers.default}) running at once`,
    ],
    [
      'resumable streams: producers per client',
      `\`maxProducersPerClient\` (${RESUMABLE_SETTINGS.maxProducersPerClient.default},`,
    ],
    [
      'resumable streams: streams kept',
      `\`maxStreams\` (${RESUMABLE_SETTINGS.maxStreams.default.toLocaleString('en-US')}) kept`,
    ],
    [
      'resumable streams: Retry-After',
      `(\`retryAfterSeconds\`, ${RESUMABLE_SETTINGS.retryAfterSeconds.default})`,
    ],
    [
      'resumable streams: retention',
      `\`retentionMs\` (${RESUMABLE_SETTINGS.retentionMs.default / 60_000} minutes)`,
    ],
    ['resumable streams: lease', `(\`leaseMs\`, ${duration(RESUMABLE_SETTINGS.leaseMs.default)})`],
    [
      'chat relay: stall timeout',
      `\`stallTimeoutMs\` (${duration(CHAT_RELAY_SETTINGS.stallTimeoutMs.default)})`,
    ],
  ];
  it.each(cases)('%s: the README says what the code does', (_what, sentence) => {
    expect(readme.replace(/\s+/g, ' ')).toContain(sentence);
  });
});
