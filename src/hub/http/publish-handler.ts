import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUrlEncodedForm } from '../../server/index.js';
import { grantsOf } from '../auth/access.js';
import type { HubContext } from '../hub-context.js';
import { HubHttpError, sendText } from './http-error.js';
import { parsePublishForm } from './publish-form.js';
import { publishProblem1 } from './publish-form-1.js';
import { readBody } from './request-body.js';

/**
 * `POST /.well-known/mercure` (https://mercure.rocks/spec#publication): authorise, read the form (413 past `maxBodyBytes`),
 * validate every field (plus Mercure 1.0 §Publication's rules for a 1.0 token), check that **every** topic
 * is granted by the token: `publish` authorization details (1.0 §Publishers) or `mercure.publish` selectors
 * (0.x); 403 with `insufficient_scope` otherwise. Store and fan out, and answer `200 text/plain` with the id.
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
    throw new HubHttpError(
      'SSEHUB_UNAUTHORIZED',
      'Publishing requires a token: a Mercure 1.0 access token granting "publish", or a 0.x token with a mercure.publish claim',
      ctx.challenge(req, undefined),
    );
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
  const form = parseUrlEncodedForm(body);
  const modern = access.generation === '1.0';
  const problem = modern ? publishProblem1(form) : undefined;
  if (problem !== undefined) throw new HubHttpError(problem.code, problem.message);
  const update = parsePublishForm(form, ctx.options.maxTopics);
  const grants = grantsOf(access);
  for (const topic of update.topics) {
    if (!grants.some((matcher) => ctx.matcher.match(topic, matcher))) {
      throw new HubHttpError(
        'SSEHUB_FORBIDDEN',
        modern
          ? `Not allowed to publish to "${topic}": no authorization detail with the "publish" action matches it (every topic, alternates included, must match)`
          : `Not allowed to publish to "${topic}": no selector of the token's mercure.publish claim matches it (every topic, alternates included, must match)`,
        ctx.challenge(req, 'insufficient_scope'),
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
