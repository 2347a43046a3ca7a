import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicSelectorStore } from '../../src/hub/topics/topic-selector.js';
import { compileUriTemplate } from '../../src/hub/topics/uri-template.js';

const store = new TopicSelectorStore(1000);
const m = (topic: string, selector: string) => store.match(topic, selector);

describe('topic selectors (https://mercure.rocks/spec#topic-selectors)', () => {
  it('matches * and byte-identical topics, including a template matching itself', () => {
    expect(m('https://example.com/a', '*')).toBe(true);
    expect(m('https://example.com/a', 'https://example.com/a')).toBe(true);
    expect(m('https://example.com/a', 'https://example.com/A')).toBe(false);
    expect(m('https://example.com/{id}', 'https://example.com/{id}')).toBe(true);
  });

  it('matches simple expressions within one path segment, empty included', () => {
    const t = 'https://example.com/books/{id}';
    expect(m('https://example.com/books/1', t)).toBe(true);
    expect(m('https://example.com/books/', t)).toBe(true);
    expect(m('https://example.com/books/a%2Fb', t)).toBe(true);
    expect(m('https://example.com/books/1/reviews', t)).toBe(false);
    expect(m('https://example.com/books/1?x', t)).toBe(false);
    expect(m('xhttps://example.com/books/1', t)).toBe(false);
  });

  it('lets {+var} and {#var} cross reserved characters', () => {
    expect(m('https://example.com/a/b/c', 'https://example.com/{+path}')).toBe(true);
    expect(m('https://example.com/a/b/c', 'https://example.com/{path}')).toBe(false);
    expect(m('https://example.com/x#frag/a', 'https://example.com/x{#f}')).toBe(true);
  });

  it('handles level 3 and 4 operators', () => {
    expect(m('/s/users/kevin', '/s{/a,b}/kevin')).toBe(true);
    expect(m('/s/users/kevin/x', '/s{/path*}')).toBe(true);
    expect(m('/s/a/b', '/s{/a,b}')).toBe(true);
    expect(m('/s/a/b/c', '/s{/a,b}')).toBe(false);
    expect(m('/list?x=1&y=2', '/list{?x,y}')).toBe(true);
    expect(m('/list?x=1', '/list{?x,y}')).toBe(true);
    expect(m('/list;a=1;b', '/list{;a,b}')).toBe(true);
    expect(m('file.tar.gz', 'file{.ext*}')).toBe(true);
    expect(m('/x/abc', '/x/{v:3}')).toBe(true);
    expect(m('/x?a=1&b=2', '/x{?q}{&r}')).toBe(true);
  });

  it('subscription-event selectors match percent-encoded ids', () => {
    const sel = '/.well-known/mercure/subscriptions{/topic}{/subscriber}';
    expect(
      m('/.well-known/mercure/subscriptions/https%3A%2F%2Fex.com%2F%7Bid%7D/urn%3Auuid%3Aabc', sel),
    ).toBe(true);
  });

  it('degrades invalid templates to exact comparison', () => {
    for (const bad of ['a{b', 'a{}', 'a{=x}', 'a {x}', 'a{x!}', 'a}b{x}', 'a{x:0}', 'a%zz{x}']) {
      expect(compileUriTemplate(bad)).toBeUndefined();
      expect(m(bad, bad)).toBe(true);
      expect(m('a', bad)).toBe(false);
    }
  });

  it('keys the match cache unambiguously (CVE-2026-39972: no shared separator)', () => {
    // With a "selector_topic" key these two pairs collide: {a}_b + c  vs  {a} + b_c.
    const s = new TopicSelectorStore(100);
    expect(s.match('x_y/z', 'p{a}_q')).toBe(false);
    expect(s.match('q_x_y/z', 'p{a}')).toBe(false);
    expect(s.match('pz_q', 'p{a}_q')).toBe(true);
    // Property: cached answers equal uncached answers for any interleaving.
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('t{a}', 't{a}_', 't_{+a}', '{x}_{y}'),
            fc.stringMatching(/^[t_a{}x]{0,6}$/),
          ),
          {
            maxLength: 30,
          },
        ),
        (pairs) => {
          const cached = new TopicSelectorStore(4);
          for (const [selector, topic] of pairs) {
            expect(cached.match(topic, selector)).toBe(new TopicSelectorStore(4).match(topic, selector));
          }
        },
      ),
    );
  });

  it('matchAny authorises through any topic/selector pair', () => {
    expect(store.matchAny(['https://a/1', 'https://users/kevin'], ['https://users/{u}'])).toBe(true);
    expect(store.matchAny(['https://a/1'], ['https://users/{u}'])).toBe(false);
    expect(store.matchAny(['https://a/1'], [])).toBe(false);
  });
});

/**
 * The reference hub's regex derivation (`yosida95/uritemplate` `Template.Regexp()`), kept here as the
 * oracle: the linear-time automaton must accept exactly the same topics. Only small templates are fed to
 * it, because this backtracking version is exponential in adjacent expressions.
 */
function referenceRegex(template: string): RegExp {
  const U = 'A-Za-z0-9\\-._~';
  const R = ":/?#\\[\\]@!$&'()*+,;=";
  const ops: Record<string, [string, string, boolean, boolean]> = {
    '': ['', ',', false, false],
    '+': ['', ',', false, true],
    '#': ['#', ',', false, true],
    '.': ['.', '.', false, false],
    '/': ['/', '/', false, false],
    ';': [';', ';', true, false],
    '?': ['?', '&', true, false],
    '&': ['&', '&', true, false],
  };
  const quote = (t: string) => t.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const cls = (reserved: boolean, named: boolean) =>
    `(?:[${U}${reserved ? R : named ? ',=' : ','}]|%[0-9A-Fa-f]{2})*`;
  let src = '^';
  for (const part of template.split(/(\{[^}]*\})/)) {
    if (!part.startsWith('{')) {
      src += quote(part);
      continue;
    }
    const body = part.slice(1, -1);
    const op = Object.hasOwn(ops, body[0]!) ? body[0]! : '';
    const [first, sep, named, reserved] = ops[op]!;
    const vars = (op ? body.slice(1) : body).split(',');
    const firstExplode = vars[0]!.endsWith('*');
    const anyExplode = vars.some((v) => v.endsWith('*'));
    let e = first ? `(?:${quote(first)}` : '';
    e += `(${cls(reserved, named || firstExplode)}`;
    if (vars.length > 1 || firstExplode) {
      e += `(?:${quote(sep)}${cls(reserved, named || anyExplode)})${anyExplode ? '*' : `{0,${vars.length - 1}}`}`;
    }
    e += ')';
    if (first) e += ')';
    src += `${e}?`;
  }
  return new RegExp(`${src}$`);
}

describe('URI template automaton vs the reference regex', () => {
  it('accepts exactly the topics the reference hub regex accepts', () => {
    const literal = fc.constantFrom('a', '/', '.', ',', '=', '%41', '-', 'b/', ':');
    const expression = fc
      .tuple(
        fc.constantFrom('', '+', '#', '.', '/', ';', '?', '&'),
        fc.array(fc.constantFrom('x', 'y*', 'z:3', 'w'), { minLength: 1, maxLength: 3 }),
      )
      .map(([op, vars]) => `{${op}${vars.join(',')}}`);
    const template = fc
      .array(fc.oneof(literal, expression), { minLength: 1, maxLength: 4 })
      .map((p) => p.join(''));
    const topic = fc
      .array(
        fc.constantFrom('a', 'b', '/', '.', ',', '=', '&', ';', '?', '#', '%41', '%', '~', ':', '%2f', '4'),
        {
          maxLength: 8,
        },
      )
      .map((p) => p.join(''));
    fc.assert(
      fc.property(template, fc.array(topic, { minLength: 1, maxLength: 10 }), (tpl, topics) => {
        const compiled = compileUriTemplate(tpl);
        expect(compiled, tpl).toBeDefined();
        const oracle = referenceRegex(tpl);
        for (const t of topics) expect(compiled!.test(t), `${tpl} vs ${t}`).toBe(oracle.test(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('stays linear on adversarial templates (no catastrophic backtracking)', () => {
    // With a backtracking regex, 8 adjacent {+x} took about 23 s on a 40-character topic.
    const tpl = `${'{+v}'.repeat(40)}X`;
    const store = new TopicSelectorStore(10);
    expect(store.match(`https://example.com/${'a'.repeat(2000)}`, tpl)).toBe(false);
    expect(store.match(`https://example.com/${'a'.repeat(2000)}X`, tpl)).toBe(true);
  });

  it('treats oversized templates as plain topics', () => {
    const huge = `{${Array.from({ length: 600 }, (_, i) => `v${i}`).join(',')}}`;
    expect(compileUriTemplate(huge)).toBeUndefined();
    expect(store.match('a', huge)).toBe(false);
  });
});
