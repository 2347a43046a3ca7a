import { URLPattern } from 'urlpattern-polyfill/urlpattern';
import { describe, expect, it } from 'vitest';
import { type TopicMatcher, TopicMatcherStore } from '../../../src/hub/topics/topic-matcher.js';
import { TopicSelectorStore } from '../../../src/hub/topics/topic-selector.js';
import { compileUrlPattern, componentDegree } from '../../../src/hub/topics/url-pattern.js';

/** Mercure 1.0 §Matcher Types (https://mercure.rocks/spec#matcher-types), one row per rule. */

const HUB = 'https://hub.example.com/.well-known/mercure';
const store = () => new TopicMatcherStore(new TopicSelectorStore(), HUB);
const exact = (pattern: string): TopicMatcher => ({ type: 'exact', pattern });
const urlpattern = (pattern: string): TopicMatcher => ({ type: 'urlpattern', pattern });

describe('§Matcher Types: the reserved wildcard', () => {
  it.each([
    ['exact', exact('*')],
    ['urlpattern', urlpattern('*')],
    ['0.x topic selector', { type: 'topic', pattern: '*' } as const],
  ])('"*" matches every topic whatever the type (%s)', (_, matcher) => {
    const s = store();
    for (const topic of ['https://example.com/a', 'urn:x', '*', 'not a url %%']) {
      expect(s.match(topic, matcher)).toBe(true);
    }
  });
});

describe('§Exact Matching: byte-for-byte, case-sensitive, no resolution or normalisation', () => {
  it.each([
    ['https://example.com/foo', 'https://example.com/foo', true],
    ['https://example.com/foo', 'https://example.com/Foo', false],
    ['https://example.com/foo', 'https://EXAMPLE.com/foo', false],
    ['/foo', 'https://hub.example.com/foo', false],
    ['caf\u00e9', 'cafe\u0301', false],
    ['https://example.com/a%2Fb', 'https://example.com/a/b', false],
    ['https://example.com/{id}', 'https://example.com/1', false],
  ])('%s vs topic %s → %s', (pattern, topic, expected) => {
    expect(store().match(topic, exact(pattern))).toBe(expected);
  });
});

describe('§URL Pattern: WHATWG URL Pattern against the hub URL', () => {
  it.each([
    ['https://example.com/books/:id', 'https://example.com/books/1', true],
    ['https://example.com/books/:id', 'https://example.com/books/1/chapters', false],
    ['https://example.com/users/42/*', 'https://example.com/users/42/books/1', true],
    ['https://example.com/bar/:id', 'https://example.com/foo/1', false],
    ['https://EXAMPLE.com/books/:id', 'https://example.com/books/1', true],
    ['https://example.com/Books/:id', 'https://example.com/books/1', false],
    [
      '/.well-known/mercure/subscriptions/exact/:match/:subscriber',
      '/.well-known/mercure/subscriptions/exact/a/b',
      true,
    ],
    ['/books/:id', 'https://hub.example.com/books/1', true],
    ['https://hub.example.com/books/:id', '/books/1', true],
    ['/books/:id', 'https://other.example/books/1', false],
    ['https://example.com/books/:id(\\d+)', 'https://example.com/books/12', true],
    ['https://example.com/books/:id(\\d+)', 'https://example.com/books/x', false],
    ['https://example.com/*', 'http://[::1', false],
  ])('%s vs topic %s → %s', (pattern, topic, expected) => {
    expect(store().match(topic, urlpattern(pattern))).toBe(expected);
  });

  it('a malformed URL pattern is reported (400 at subscribe, invalid_token in a token)', () => {
    expect(store().problem(urlpattern('https://example.com/:id((a+)+)'))).toMatch(/URL pattern|group/);
    expect(store().problem(urlpattern('https://example.com/books/:id'))).toBeUndefined();
    expect(store().problem(exact('https://example.com/:id(('))).toBeUndefined();
  });

  it('compiles each pattern once (the same compiled pattern answers every topic)', () => {
    const s = store();
    const m = urlpattern('https://example.com/n/:id');
    for (let i = 0; i < 50; i++) expect(s.match(`https://example.com/n/${i}`, m)).toBe(true);
  });
});

describe('§URL-Pattern Denial of Service: the evaluation cost bound', () => {
  it.each([
    ['https://example.com/books/:id', 1],
    ['https://example.com/users/42/*', 1],
    ['/books/:id/*', 2],
    ['https://example.com/*a*b', 2],
    ['https://example.com/*a*a*b', 3],
    ['https://example.com/:a-:b-:c-x', 3],
    ['https://example.com/:id(a*a*a*b)', 3],
  ])('%s has degree %i', (pattern, degree) => {
    expect(componentDegree(new URLPattern(pattern, HUB).pathname, '/')).toBe(degree);
  });

  it.each([
    'https://example.com/*a*a*b',
    'https://example.com/*a*b',
    'https://example.com/:id(a+b+)',
    'https://example.com/:a-:b-:c-x',
    'https://example.com/:id(a*a*a*b)',
    'https://example.com/:id((?:a+)+b)',
    'https://example.com/:id(\\1)',
  ])('%s is refused before it is ever run', (pattern) => {
    expect(typeof compileUrlPattern(pattern, HUB)).toBe('string');
  });

  it.each([
    'https://example.com/books/:id/*',
    'https://*.example.com/*',
    'https://example.com/:a-:b',
    'https://example.com/books/:id(\\d+)',
  ])('%s stays within the bound', (pattern) => {
    expect(typeof compileUrlPattern(pattern, HUB)).toBe('object');
  });

  it('a pattern over the bound never matches (treated as not matching)', () => {
    expect(store().match('https://example.com/aaab', urlpattern('https://example.com/*a*a*b'))).toBe(false);
  });
});
