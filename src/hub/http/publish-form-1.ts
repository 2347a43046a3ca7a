import { MERCURE_1 } from '../mercure-1-names.js';
import { isReservedTopic } from '../topics/reserved-topic.js';
import { strictTopicProblem } from '../topics/topic-limits.js';

/** A publish form refused by Mercure 1.0's rules: the error code (all 400) and the reason. */
export interface PublishProblem {
  readonly code: 'SSEHUB_INVALID_TOPIC' | 'SSEHUB_INVALID_ID' | 'SSEHUB_INVALID_TYPE';
  readonly message: string;
}

/**
 * What Mercure 1.0 §Publication (https://mercure.rocks/spec#publication) refuses beyond the 0.x form
 * rules, or undefined: a topic that is exactly `*` (the wildcard is not addressable), a topic in the hub's
 * reserved namespace (400 in 1.0, where 0.x answered 403), and C1 controls or Unicode format characters
 * in `topic`, `id` and `type`. Checked before the shared form rules, for requests with a 1.0 token.
 */
export function publishProblem1(form: URLSearchParams): PublishProblem | undefined {
  for (const topic of form.getAll('topic')) {
    if (topic === MERCURE_1.wildcard) {
      return {
        code: 'SSEHUB_INVALID_TOPIC',
        message: 'Invalid "topic": "*" is the reserved wildcard and cannot be published to',
      };
    }
    if (isReservedTopic(topic)) {
      return {
        code: 'SSEHUB_INVALID_TOPIC',
        message: `Invalid "topic": "${topic}" is in the hub's reserved namespace (/.well-known/mercure), published by the hub itself`,
      };
    }
    const problem = strictTopicProblem(topic);
    if (problem !== undefined)
      return { code: 'SSEHUB_INVALID_TOPIC', message: `Invalid "topic": ${problem}` };
  }
  for (const [field, code] of [
    ['id', 'SSEHUB_INVALID_ID'],
    ['type', 'SSEHUB_INVALID_TYPE'],
  ] as const) {
    const value = form.get(field);
    const problem = value === null ? undefined : strictTopicProblem(value);
    if (problem !== undefined) return { code, message: `Invalid "${field}": ${problem}` };
  }
  return undefined;
}
