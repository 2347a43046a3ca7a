import type { IncomingMessage } from 'node:http';
import { lastEventIdRequest } from '../../server/index.js';
import type { HubContext } from '../hub-context.js';
import type { TopicMatcher } from '../topics/topic-matcher.js';
import { HubHttpError } from './http-error.js';
import { type Generation, readSubscribeMatchers } from './subscribe-matchers.js';

/** Query parameters carrying a cursor, in precedence order: Mercure 0.x, Mercure 1.0, protocol-7 compat. */
const CURSOR_PARAMS = ['lastEventID', 'last_event_id', 'Last-Event-ID'] as const;

/** What a subscribe request asks for, validated. */
export interface SubscribeRequest {
  /** The generation the request speaks: 1.0 for `match`/`match_<type>` parameters, 0.x for `topic`. */
  readonly generation: Generation;
  /** The matchers, deduplicated, in request order. */
  readonly matchers: readonly TopicMatcher[];
  /**
   * Whether a cursor was sent (the `Last-Event-ID` header, else a cursor query parameter), even an
   * unusable one (too long, control characters): such a cursor is answered `earliest`, so the client
   * knows it may have missed updates.
   */
  readonly cursorRequested: boolean;
  /** The usable cursor, if any. */
  readonly cursor: string | undefined;
}

/**
 * Parses `GET /.well-known/mercure?match=…` (Mercure 1.0) or `?topic=…` (0.x): at least one and at most
 * `maxTopics` valid matchers ({@link readSubscribeMatchers}; 400 otherwise, with the reason), and the cursor.
 */
export function parseSubscribeRequest(
  req: IncomingMessage,
  url: URL,
  ctx: Pick<HubContext, 'matcher' | 'options'>,
): SubscribeRequest {
  const read = readSubscribeMatchers(
    url.searchParams,
    ctx.matcher,
    ctx.options.maxTopics,
    ctx.options.mercure0x,
  );
  if ('problem' in read) throw new HubHttpError(read.code, read.problem);
  const { sent, lastEventId } = lastEventIdRequest(req.headers['last-event-id'], req.url, CURSOR_PARAMS);
  return { generation: read.generation, matchers: read.matchers, cursorRequested: sent, cursor: lastEventId };
}
