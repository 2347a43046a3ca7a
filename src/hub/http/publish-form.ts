import { type PublishInput, toUpdate } from '../publish-input.js';
import type { Update } from '../storage/update.js';
import { HubHttpError } from './http-error.js';

/**
 * Turns a publish form (`application/x-www-form-urlencoded`, https://mercure.rocks/spec#publication)
 * into an {@link Update}: `topic` (repeatable; first canonical, others alternates), `data`, `private`
 * (present = private, whatever its value), `id`, `type`, `retry` (ASCII digits only) are read, other
 * fields ignored, and the result validated as {@link toUpdate} does (400 on a bad field, 403 on a
 * reserved topic).
 */
export function parsePublishForm(form: URLSearchParams, maxTopics: number): Update {
  const input: PublishInput = { topics: form.getAll('topic'), private: form.has('private') };
  const data = form.get('data');
  if (data !== null) input.data = data;
  const id = form.get('id');
  if (id !== null) input.id = id;
  const type = form.get('type');
  if (type !== null) input.type = type;
  const retry = form.get('retry');
  if (retry !== null) {
    if (!/^[0-9]{1,15}$/.test(retry)) {
      throw new HubHttpError(
        'SSEHUB_INVALID_RETRY',
        `Invalid "retry": expected a non-negative integer of milliseconds, got "${retry}"`,
      );
    }
    input.retry = Number(retry);
  }
  return toUpdate(input, maxTopics);
}
