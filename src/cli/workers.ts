import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { CommandSettings } from './config.js';

/** Variable through which workers get the development key, so every worker accepts the printed tokens. */
export const WORKER_DEV_SECRET = 'SSEHUB_WORKER_DEV_SECRET';
/** Set for the first worker only: it prints the banner, the others just log. */
export const WORKER_BANNER = 'SSEHUB_WORKER_BANNER';
/** IPC message from the primary asking a worker to drain and exit (as SIGTERM would). */
export const WORKER_SHUTDOWN = 'ssehub:shutdown';

/** A worker that dies sooner than this after starting is restarted after this delay (no crash loop). */
const QUICK_DEATH_MS = 1000;

/**
 * `ssehub --workers N`: the primary process of a node:cluster. It forks N workers that each run the whole
 * hub on the same port (connections are spread over them by the primary) and share topics, history and
 * subscriptions through the Redis transport (config.ts refuses N > 1 without it). A worker that dies is
 * restarted; one that cannot start (bad option, port taken) stops them all with its exit code. SIGTERM or
 * SIGINT drains every worker (each closes its streams with a jittered retry, as one hub does) and resolves
 * 0 once all have exited.
 */
export function runPrimary(config: CommandSettings, logger: Logger): Promise<number> {
  const count = config.workers === 'auto' ? availableParallelism() : config.workers;
  const env: Record<string, string> = {};
  if (config.devMode) env[WORKER_DEV_SECRET] = randomBytes(32).toString('base64url');
  const workers = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;

  return new Promise<number>((resolve) => {
    const finishIfDone = (): void => {
      if (stopping && workers.size === 0) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        process.off('SIGHUP', onHangUp);
        resolve(exitCode);
      }
    };
    const stopAll = (): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ workers: workers.size }, 'shutting down: draining every worker');
      for (const worker of workers) worker.send(WORKER_SHUTDOWN);
      // A worker stuck past its own deadline is cut.
      const hardStop = setTimeout(() => {
        for (const worker of workers) worker.process.kill('SIGKILL');
      }, config.shutdownTimeoutMs + 5000);
      hardStop.unref();
      finishIfDone();
    };
    const fork = (slot: number, first: boolean): void => {
      const worker = cluster.fork({ ...env, ...(first && slot === 1 ? { [WORKER_BANNER]: '1' } : {}) });
      const started = Date.now();
      let listening = false;
      workers.add(worker);
      worker.once('listening', () => {
        listening = true;
        logger.info({ worker: slot, pid: worker.process.pid }, 'worker started');
      });
      worker.once('exit', (code, signal) => {
        workers.delete(worker);
        if (stopping) return finishIfDone();
        if (!listening && code !== null && code !== 0) {
          // It could not start (its own message says why): another copy would fail the same way.
          exitCode = code;
          return stopAll();
        }
        logger.error(
          { worker: slot, pid: worker.process.pid, code, signal },
          'worker died: starting another',
        );
        const delay = Date.now() - started < QUICK_DEATH_MS ? QUICK_DEATH_MS : 0;
        setTimeout(() => {
          if (!stopping) fork(slot, false);
        }, delay);
      });
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'signal received');
      stopAll();
    };
    // With --cert, SIGHUP reloads the certificate: each worker holds its own TLS context. Without it,
    // SIGHUP keeps its default (the process ends), as for a single hub.
    const onHangUp = (): void => {
      logger.info({ workers: workers.size }, 'SIGHUP: passing it on to every worker');
      for (const worker of workers) worker.process.kill('SIGHUP');
    };
    if (config.tls) process.on('SIGHUP', onHangUp);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    logger.info({ workers: count }, 'starting workers');
    for (let slot = 1; slot <= count; slot++) fork(slot, true);
  });
}
