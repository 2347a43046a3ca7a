/**
 * The hub chooses the HTTP status of a refusal from the error's class and code, never from a `status`
 * property some other object happens to carry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Authorizer, HubAuthError, HubHttpError } from '../../src/hub/index.js';
import { SILENT_LOGGER } from '../../src/hub/options.js';
import { publish, type RunningHub, startHub } from './support/harness.js';

const hubs: RunningHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

async function hubRejectingWith(reason: unknown): Promise<RunningHub> {
  const authorizer: Authorizer = { authorize: () => Promise.reject(reason) };
  const hub = await startHub({ authorizer, logger: SILENT_LOGGER });
  hubs.push(hub);
  return hub;
}

describe('status of a refusal', () => {
  it.each([
    [400, 'SSEHUB_AUTH_MALFORMED'],
    [401, 'SSEHUB_UNAUTHORIZED'],
    [403, 'SSEHUB_FORBIDDEN'],
  ] as const)(
    'a HubAuthError with status %i carries %s and is answered with that status and message',
    async (status, code) => {
      const error = new HubAuthError(status, `refused with ${status}`);
      expect(error.code).toBe(code);
      const { base } = await hubRejectingWith(error);
      const answer = await fetch(`${base}/.well-known/mercure?topic=x`);
      expect(answer.status).toBe(status);
      expect(await answer.text()).toBe(`refused with ${status}\n`);
    },
  );

  it('an authoriser rejecting with a plain object that has a status is a hub bug (500), not a refusal', async () => {
    const { base } = await hubRejectingWith({ status: 401, message: 'looks like a refusal' });
    const answer = await publish(base, { topic: 'x', data: 'd' });
    expect(answer.status).toBe(500);
    expect(await answer.text()).not.toContain('looks like a refusal');
  });

  it('a HubHttpError takes its status from its code', () => {
    for (const [code, status] of Object.entries(HubHttpError.statuses)) {
      const error = new HubHttpError(code as keyof typeof HubHttpError.statuses, 'm');
      expect([error.code, error.status]).toEqual([code, status]);
    }
    expect(new HubHttpError('SSEHUB_DUPLICATE_ID', 'm').status).toBe(409);
  });
});
