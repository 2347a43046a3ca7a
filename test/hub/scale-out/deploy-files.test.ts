/**
 * The scale-out recipe's files (README, "Scaling out"): both haproxy configurations are accepted by
 * haproxy itself, and docker-compose.yml mounts the one that exists and points its hubs at Redis.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HAPROXY_ENABLED, HAPROXY_PATH } from '../../support/haproxy.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url);

describe('scale-out deployment files', () => {
  it.runIf(HAPROXY_ENABLED).each(['deploy/haproxy.cfg', 'deploy/haproxy-compose.cfg'])(
    '%s is a valid haproxy configuration with /readyz health checks',
    async (file) => {
      const path = new URL(file, root).pathname;
      const { stdout } = await run(HAPROXY_PATH, ['-c', '-f', path]);
      expect(stdout).toMatch(/Configuration file is valid/);
      expect(readFileSync(path, 'utf8')).toMatch(/option httpchk GET \/readyz/);
    },
  );

  it('docker-compose.yml mounts the compose haproxy configuration and gives every hub the Redis URL', () => {
    const compose = readFileSync(new URL('docker-compose.yml', root), 'utf8');
    const mounted = /\.\/(deploy\/[\w.-]+\.cfg):/.exec(compose)?.[1];
    expect(mounted).toBe('deploy/haproxy-compose.cfg');
    expect(existsSync(new URL(mounted!, root))).toBe(true);
    expect(compose).toMatch(/SSEHUB_TRANSPORT: redis:\/\/redis:6379\/0/);
    expect(compose).toMatch(/--appendfsync", "always"/);
    const servers = readFileSync(new URL(mounted!, root), 'utf8').match(/server hub\d hub(\d):8844/g);
    expect(servers).toHaveLength(3);
    for (const n of [1, 2, 3]) expect(compose).toMatch(new RegExp(`^  hub${n}: \\*hub$`, 'm'));
  });
});
