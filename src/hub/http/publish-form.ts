import type { Update } from '../storage/update.js';
import { generateUpdateId } from '../storage/uuidv7.js';
import { isReservedTopic } from '../topics/reserved-topic.js';
import { topicProblem } from '../topics/topic-limits.js';
import { HubHttpError } from './http-error.js';

/** Longest client-supplied id: the longest Last-Event-ID the server library accepts back as a cursor. */
export const MAX_UPDATE_ID_LENGTH = 1024;

/** Event type reserved for hub-generated events (draft-08, docs/security.md#private-updates). */
const RESERVED_TYPE = 'mercure';

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Turns a publish form (`application/x-www-form-urlencoded`, https://mercure.rocks/spec#publication)
 * into an {@link Update}, refusing bad fields with 400 and reserved topics with 403:
 * - `topic` (required, repeatable; first canonical, others alternates), at most `maxTopics`, each at
 *   most `MAX_TOPIC_LENGTH` characters without control characters; none may fall in the
 *   `/.well-known/mercure` namespace;
 * - `data` (optional, any text), `private` (present = private, whatever its value);
 * - `id` (optional; not `#…`, not `earliest`, no control characters, at most {@link MAX_UPDATE_ID_LENGTH});
 *   absent means a hub-generated `urn:uuid:<UUIDv7>`;
 * - `type` (optional; no control characters, not the reserved `mercure`);
 * - `retry` (optional; ASCII digits only). Other fields are ignored.
 */
export function parsePublishForm(form: URLSearchParams, maxTopics: number): Update {
  const topics = form.getAll('topic');
  if (topics.length === 0)
    throw new HubHttpError('SSEHUB_INVALID_TOPIC', 'Missing "topic" parameter: give at least one topic');
  if (topics.length > maxTopics) {
    throw new HubHttpError(
      'SSEHUB_INVALID_TOPIC',
      `Too many topics: ${topics.length} given, at most ${maxTopics} allowed`,
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
  const id = form.get('id');
  if (id !== null) {
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
    if (hasControl(id))
      throw new HubHttpError(
        'SSEHUB_INVALID_ID',
        'Invalid "id": it must not contain control characters (CR, LF, NUL...)',
      );
    if (id.length > MAX_UPDATE_ID_LENGTH) {
      throw new HubHttpError(
        'SSEHUB_INVALID_ID',
        `Invalid "id": longer than ${MAX_UPDATE_ID_LENGTH} characters`,
      );
    }
  }
  const type = form.get('type');
  if (type !== null) {
    if (hasControl(type))
      throw new HubHttpError(
        'SSEHUB_INVALID_TYPE',
        'Invalid "type": it must not contain control characters (CR, LF, NUL...)',
      );
    if (type === RESERVED_TYPE)
      throw new HubHttpError('SSEHUB_INVALID_TYPE', 'Invalid "type": "mercure" is reserved for hub events');
  }
  const retryText = form.get('retry');
  let retry: number | undefined;
  if (retryText !== null) {
    retry = /^[0-9]{1,15}$/.test(retryText) ? Number(retryText) : Number.NaN;
    if (Number.isNaN(retry)) {
      throw new HubHttpError(
        'SSEHUB_INVALID_RETRY',
        `Invalid "retry": expected a non-negative integer of milliseconds, got "${retryText}"`,
      );
    }
  }
  return Object.freeze({
    id: id ?? generateUpdateId(),
    topics: Object.freeze(topics),
    data: form.get('data') ?? '',
    private: form.has('private'),
    ...(type !== null && type !== '' ? { type } : {}),
    ...(retry !== undefined && retry > 0 ? { retry } : {}),
  });
}
