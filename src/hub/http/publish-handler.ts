import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUrlEncodedForm } from '../../server/index.js';
import type { HubContext } from '../hub-context.js';
import { HubHttpError, sendText } from './http-error.js';
import { parsePublishForm } from './publish-form.js';
import { readBody } from './request-body.js';

/**
 * `POST /.well-known/mercure` (https://mercure.rocks/spec#publication): authorise, read the form (413 past `maxBodyBytes`),
 * validate every field, check that **every** topic matches the token's `mercure.publish` selectors (403
 * otherwise, as recommended for a new hub), store and fan out, and answer `200 text/plain` with the id.
 */
export async function handlePublish(
  ctx: HubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const started = performance.now();
  if (ctx.closing)
    throw new HubHttpError('SSEHUB_SHUTTING_DOWN', 'The hub is shutting down; publish again shortly');
  const access = await ctx.authorize(req, url, 'publish');
  if (access.anonymous) {
    throw new HubHttpError('SSEHUB_UNAUTHORIZED', 'Publishing requires a token with a mercure.publish claim');
  }
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    throw new HubHttpError(
      'SSEHUB_UNSUPPORTED_BODY',
      `Publish bodies must be application/x-www-form-urlencoded (got "${contentType || 'no Content-Type'}"), e.g. curl -d topic=...&data=...`,
    );
  }
  const body = await readBody(req, ctx.options.maxBodyBytes, ctx.options.bodyTimeoutMs);
  // Strict: a malformed escape is refused (400), never stored as a different topic or id.
  const update = parsePublishForm(parseUrlEncodedForm(body), ctx.options.maxTopics);
  for (const topic of update.topics) {
    if (!access.topics.some((selector) => ctx.matcher.match(topic, selector))) {
      throw new HubHttpError(
        'SSEHUB_FORBIDDEN',
        `Not allowed to publish to "${topic}": no selector of the token's mercure.publish claim matches it (every topic, alternates included, must match)`,
      );
    }
  }
  await ctx.dispatch(update);
  ctx.hubMetrics.recordPublishTime((performance.now() - started) / 1000);
  ctx.options.logger.debug(
    { id: update.id, topics: update.topics, private: update.private },
    'update published',
  );
  sendText(res, 200, update.id, { 'cache-control': 'private, no-store' });
}
