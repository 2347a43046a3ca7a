import { describe, expect, it } from 'vitest';
import { grantsOf } from '../../../src/hub/auth/access.js';
import {
  createAuthorizer,
  HubAuthError,
  MAX_DETAIL_MATCHERS,
  type Role,
} from '../../../src/hub/auth/index.js';
import { MERCURE_1 } from '../../../src/hub/mercure-1-names.js';
import { accessToken, detail, ISSUER, ISSUER_SECRET } from './tokens.js';

/**
 * Mercure 1.0 §Authorization Details and §Topic Matcher List
 * (https://mercure.rocks/spec#authorization-details): what a token grants, and every malformed detail
 * refusing the whole token (401, no partial acceptance).
 */

const HUB = 'https://hub.example.com/.well-known/mercure';

async function grants(details: unknown, role: Role = 'subscribe') {
  const authorizer = await createAuthorizer({
    trustedIssuers: [{ issuer: ISSUER, key: { key: ISSUER_SECRET } }],
  });
  const token = await accessToken({ aud: HUB, extra: { authorization_details: details } });
  const access = await authorizer.authorize(
    { method: 'GET', headers: { authorization: `Bearer ${token}` }, url: new URL(HUB), resource: HUB },
    role,
  );
  return { matchers: grantsOf(access), payloads: access.payloads };
}

async function status(details: unknown, role: Role = 'subscribe'): Promise<number> {
  try {
    await grants(details, role);
    return 200;
  } catch (error) {
    if (error instanceof HubAuthError) return error.status;
    throw error;
  }
}

describe('§Authorization Details: what a valid token grants', () => {
  it.each([
    [
      'match_type absent means exact',
      [detail(['subscribe'], [{ match: 'https://e.com/a' }])],
      [{ type: 'exact', pattern: 'https://e.com/a' }],
    ],
    [
      'urlpattern matcher',
      [detail(['subscribe'], [{ match: 'https://e.com/:id', match_type: 'urlpattern' }])],
      [{ type: 'urlpattern', pattern: 'https://e.com/:id' }],
    ],
    ['the * wildcard', [detail(['subscribe'], [{ match: '*' }])], [{ type: 'exact', pattern: '*' }]],
    ['publish-only details grant no subscribe', [detail(['publish'], [{ match: 'x' }])], []],
    ['unknown actions grant nothing and do not invalidate', [detail(['admin'], [{ match: 'x' }])], []],
    [
      'details of other types are ignored, whatever their shape',
      [{ type: 'payment', topics: 'not mercure' }],
      [],
    ],
    ['no authorization_details claim grants nothing', undefined, []],
    [
      'several details add up',
      [detail(['subscribe'], [{ match: 'a' }]), detail(['subscribe', 'publish'], [{ match: 'b' }])],
      [
        { type: 'exact', pattern: 'a' },
        { type: 'exact', pattern: 'b' },
      ],
    ],
  ])('%s', async (_, details, expected) => {
    expect((await grants(details)).matchers).toEqual(expected);
  });

  it('publish grants come from details whose actions include publish', async () => {
    const details = [
      detail(['publish'], [{ match: 'https://e.com/:id', match_type: 'urlpattern' }]),
      detail(['subscribe'], [{ match: 's' }]),
    ];
    expect((await grants(details, 'publish')).matchers).toEqual([
      { type: 'urlpattern', pattern: 'https://e.com/:id' },
    ]);
  });

  it('a token with no publish grant cannot publish: 403 (insufficient_scope)', async () => {
    expect(await status([detail(['subscribe'], [{ match: '*' }])], 'publish')).toBe(403);
  });

  it('subscribe payloads are kept in token order (§Payloads)', async () => {
    const details = [
      detail(['subscribe'], [{ match: 'https://e.com/foo' }], { custom1: 1 }),
      detail(['subscribe'], [{ match: '*' }], { custom3: 3 }),
    ];
    expect((await grants(details)).payloads?.map((p) => p.payload)).toEqual([{ custom1: 1 }, { custom3: 3 }]);
  });
});

describe('§Authorization Details: a malformed Mercure detail refuses the whole token (401 invalid_token)', () => {
  const type = MERCURE_1.authorizationDetailType;
  const many = Array.from({ length: MAX_DETAIL_MATCHERS + 1 }, (_, i) => ({ match: `t${i}` }));
  it.each([
    ['the claim is not an array', { type }],
    ['an entry is not an object', ['x']],
    ['an entry has no string type', [{ actions: ['subscribe'], topics: [{ match: 'a' }] }]],
    ['actions missing', [{ type, topics: [{ match: 'a' }] }]],
    ['actions empty', [{ type, actions: [], topics: [{ match: 'a' }] }]],
    ['an action is not a string', [{ type, actions: ['subscribe', 1], topics: [{ match: 'a' }] }]],
    ['topics missing', [{ type, actions: ['subscribe'] }]],
    ['topics empty', [{ type, actions: ['subscribe'], topics: [] }]],
    ['a topic matcher is a bare string (0.x style)', [{ type, actions: ['subscribe'], topics: ['a'] }]],
    ['match is not a string', [{ type, actions: ['subscribe'], topics: [{ match: 1 }] }]],
    ['match_type unsupported', [detail(['subscribe'], [{ match: 'a', match_type: 'regex' }])]],
    ['match_type in the wrong case', [detail(['subscribe'], [{ match: 'a', match_type: 'URLPattern' }])]],
    [
      'a malformed URL pattern',
      [detail(['subscribe'], [{ match: 'https://e.com/:id((a+)+)', match_type: 'urlpattern' }])],
    ],
    [
      'a URL pattern over the cost bound',
      [detail(['subscribe'], [{ match: 'https://e.com/*a*a*b', match_type: 'urlpattern' }])],
    ],
    ['a matcher with a control character', [detail(['subscribe'], [{ match: 'a\nb' }])]],
    ['a matcher with a format character', [detail(['subscribe'], [{ match: 'a\u202eb' }])]],
    [
      'payload not an object',
      [
        detail(['subscribe'], [{ match: 'a' }]),
        { type, actions: ['subscribe'], topics: [{ match: 'b' }], payload: 'x' },
      ],
    ],
    ['more topic matchers than the bound', [detail(['subscribe'], many)]],
    [
      'one bad detail after good ones (no partial acceptance)',
      [detail(['subscribe'], [{ match: '*' }]), { type, actions: ['subscribe'], topics: [] }],
    ],
  ])('%s', async (_, details) => {
    expect(await status(details)).toBe(401);
  });
});
