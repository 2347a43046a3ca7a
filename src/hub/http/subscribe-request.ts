import type { IncomingMessage } from 'node:http';
import { lastEventIdRequest } from '../../server/index.js';
import { selectorProblem } from '../topics/topic-selector.js';
import { HubHttpError } from './http-error.js';

/** Query parameters carrying a cursor, in precedence order: Mercure 0.x, Mercure 1.0, protocol-7 compat. */
const CURSOR_PARAMS = ['lastEventID', 'last_event_id', 'Last-Event-ID'] as const;

/** What a subscribe request asks for, validated. */
export interface SubscribeRequest {
  /** The `topic` selectors, deduplicated, in request order. */
  readonly selectors: readonly string[];
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
 * Parses `GET /.well-known/mercure?topic=…`: at least one and at most `maxTopics` valid selectors (400
 * otherwise, with the reason), and the cursor.
 */
export function parseSubscribeRequest(req: IncomingMessage, url: URL, maxTopics: number): SubscribeRequest {
  const selectors = [...new Set(url.searchParams.getAll('topic'))];
  if (selectors.length === 0) {
    throw new HubHttpError(
      'SSEHUB_INVALID_TOPIC',
      'Missing "topic" parameter: subscribe with ?topic=<topic or URI template>',
    );
  }
  if (selectors.length > maxTopics) {
    throw new HubHttpError(
      'SSEHUB_INVALID_TOPIC',
      `Too many topics: ${selectors.length} given, at most ${maxTopics} allowed`,
    );
  }
  for (const selector of selectors) {
    const problem = selectorProblem(selector);
    if (problem !== undefined)
      throw new HubHttpError('SSEHUB_INVALID_TOPIC', `Invalid "topic" selector: ${problem}`);
  }
  const { sent, lastEventId } = lastEventIdRequest(req.headers['last-event-id'], req.url, CURSOR_PARAMS);
  return { selectors, cursorRequested: sent, cursor: lastEventId };
}
