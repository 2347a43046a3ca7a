import { hasControlCharacter, MAX_LAST_EVENT_ID_LENGTH } from '../server/index.js';
import { HubHttpError } from './http/http-error.js';
import { hubSettingName } from './options.js';
import type { Update } from './storage/update.js';
import { generateUpdateId } from './storage/uuidv7.js';
import { isReservedTopic } from './topics/reserved-topic.js';
import { topicProblem } from './topics/topic-limits.js';

/** What `hub.publish()` accepts, and what a publish form is read into: an update's fields, typed. */
export interface PublishInput {
  /** One topic or several: the first is canonical, the others alternates. */
  topics: string | readonly string[];
  data?: string;
  private?: boolean;
  /** A client id; omitted, the hub generates `urn:uuid:<UUIDv7>`. */
  id?: string;
  /** SSE event type. */
  type?: string;
  /** SSE `retry:` in ms. */
  retry?: number;
}

/** Longest client-supplied id: the longest Last-Event-ID the server library accepts back as a cursor. */
export const MAX_UPDATE_ID_LENGTH = MAX_LAST_EVENT_ID_LENGTH;

/** Largest `retry` accepted, in ms: fifteen digits, as the publish form allows. */
const MAX_RETRY = 999_999_999_999_999;

/** With the `u` flag a surrogate pair is one code point: only an unpaired half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Event type reserved for hub-generated events (draft-08, docs/security.md#private-updates). */
const RESERVED_TYPE = 'mercure';

/**
 * Validates a publication (https://mercure.rocks/spec#publication) and makes it an {@link Update},
 * refusing bad fields with 400 and reserved topics with 403:
 * - `topics`: one to `maxTopics`, each non-empty, at most `MAX_TOPIC_LENGTH` characters without control
 *   characters, none in the `/.well-known/mercure` namespace;
 * - `data`: any text (default empty); `private`: true for a private update;
 * - `id`: not empty, not `#…`, not `earliest`, no control characters, well-formed Unicode (it travels back
 *   as a Last-Event-ID), at most {@link MAX_UPDATE_ID_LENGTH}; absent means a hub-generated
 *   `urn:uuid:<UUIDv7>`;
 * - `type`: no control characters, not the reserved `mercure` (empty means none);
 * - `retry`: a whole number of ms, at most fifteen digits (0 means none).
 */
export function toUpdate(input: PublishInput, maxTopics: number): Update {
  const topics = typeof input.topics === 'string' ? [input.topics] : [...input.topics];
  if (topics.length === 0)
    throw new HubHttpError('SSEHUB_INVALID_TOPIC', 'Missing "topic" parameter: give at least one topic');
  if (topics.length > maxTopics) {
    throw new HubHttpError(
      'SSEHUB_INVALID_TOPIC',
      `Too many topics: ${topics.length} given, at most ${maxTopics} allowed (${hubSettingName('maxTopics')})`,
    );
  }
  for (const topic of topics) {
    if (topic === '')
      throw new HubHttpError('SSEHUB_INVALID_TOPIC', 'Invalid "topic": topics must not be empty');
    const problem = topicProblem(topic);
    if (problem !== undefined) throw new HubHttpError('SSEHUB_INVALID_TOPIC', `Invalid "topic": ${problem}`);
    if (isReservedTopic(topic)) {
      throw new HubHttpError(
        'SSEHUB_RESERVED_TOPIC',
        `Topic "${topic}" is reserved: /.well-known/mercure topics are published by the hub itself`,
      );
    }
  }
  const { id, type, retry } = input;
  if (id !== undefined) checkId(id);
  if (type !== undefined) {
    if (hasControlCharacter(type))
      throw new HubHttpError(
        'SSEHUB_INVALID_TYPE',
        'Invalid "type": it must not contain control characters (CR, LF, NUL...)',
      );
    if (type === RESERVED_TYPE)
      throw new HubHttpError('SSEHUB_INVALID_TYPE', 'Invalid "type": "mercure" is reserved for hub events');
  }
  if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0 && retry <= MAX_RETRY)) {
    throw new HubHttpError(
      'SSEHUB_INVALID_RETRY',
      `Invalid "retry": expected a non-negative integer of milliseconds, got "${retry}"`,
    );
  }
  return Object.freeze({
    id: id ?? generateUpdateId(),
    topics: Object.freeze(topics),
    data: input.data ?? '',
    private: input.private === true,
    ...(type !== undefined && type !== '' ? { type } : {}),
    ...(retry !== undefined && retry > 0 ? { retry } : {}),
  });
}

function checkId(id: string): void {
  if (id === '')
    throw new HubHttpError(
      'SSEHUB_INVALID_ID',
      'Invalid "id": it must not be empty (omit it to get a generated id)',
    );
  if (id.startsWith('#'))
    throw new HubHttpError(
      'SSEHUB_INVALID_ID',
      'Invalid "id": ids starting with "#" are reserved for the hub',
    );
  if (id === 'earliest')
    throw new HubHttpError('SSEHUB_INVALID_ID', 'Invalid "id": "earliest" is reserved as a cursor value');
  if (hasControlCharacter(id))
    throw new HubHttpError(
      'SSEHUB_INVALID_ID',
      'Invalid "id": it must not contain control characters (CR, LF, NUL...)',
    );
  // A lone surrogate has no UTF-8 form: the id could never come back as a Last-Event-ID.
  if (LONE_SURROGATE.test(id))
    throw new HubHttpError(
      'SSEHUB_INVALID_ID',
      'Invalid "id": it is not well-formed Unicode (a lone surrogate)',
    );
  if (id.length > MAX_UPDATE_ID_LENGTH) {
    throw new HubHttpError(
      'SSEHUB_INVALID_ID',
      `Invalid "id": longer than ${MAX_UPDATE_ID_LENGTH} characters`,
    );
  }
}
