/**
 * RFC 6570 URI Template (levels 1-4) to an anchored regular expression that tells whether a topic is
 * an expansion of the template, derived the way the reference Mercure hub's library
 * (`yosida95/uritemplate` `Template.Regexp()`) does it (mercure-protocol §3.2):
 * - literals are quoted;
 * - every expression is an optional group: its operator prefix, then a character class repeated zero or
 *   more times, repeated with the operator's separator for multiple or exploded variables;
 * - simple, `.`, `/`, `;`, `?`, `&` allow unreserved characters, `,` (and `=` for named operators or
 *   exploded variables) and `%HH`; `+` and `#` also allow the reserved set.
 * The generated expressions have no nested quantifiers over overlapping classes that can backtrack
 * exponentially: each group is a single class star.
 */

const UNRESERVED = 'A-Za-z0-9\\-._~';
const RESERVED = ":/?#\\[\\]@!$&'()*+,;=";
const PCT = '%[0-9A-Fa-f]{2}';

interface Operator {
  readonly first: string;
  readonly sep: string;
  readonly named: boolean;
  readonly reserved: boolean;
}

const OPERATORS: Readonly<Record<string, Operator>> = {
  '': { first: '', sep: ',', named: false, reserved: false },
  '+': { first: '', sep: ',', named: false, reserved: true },
  '#': { first: '#', sep: ',', named: false, reserved: true },
  '.': { first: '.', sep: '.', named: false, reserved: false },
  '/': { first: '/', sep: '/', named: false, reserved: false },
  ';': { first: ';', sep: ';', named: true, reserved: false },
  '?': { first: '?', sep: '&', named: true, reserved: false },
  '&': { first: '&', sep: '&', named: true, reserved: false },
};

/** RFC 6570 §2.3 varname with optional `:prefix` (1-9999) or `*` explode modifier. */
const VARSPEC =
  /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*(?::[1-9][0-9]{0,3}|\*)?$/;
/** RFC 6570 §2.1: characters that may not appear literally outside expressions. */
const FORBIDDEN_LITERAL_PUNCTUATION = /["'<>\\^`{|}]/;

function isForbiddenLiteral(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true; // CTL and SP
  }
  return FORBIDDEN_LITERAL_PUNCTUATION.test(text);
}
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

function quote(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function charClass(operator: Operator, named: boolean): string {
  let chars = UNRESERVED;
  if (operator.reserved) chars += RESERVED;
  else chars += named ? ',=' : ',';
  return `(?:[${chars}]|${PCT})*`;
}

function expressionRegex(body: string): string | undefined {
  const opChar = body.charAt(0);
  const hasOperator = Object.hasOwn(OPERATORS, opChar) && opChar !== '';
  if ('=,!@|'.includes(opChar) && opChar !== '') return undefined; // reserved for future extensions
  const operator = OPERATORS[hasOperator ? opChar : '']!;
  const specs = (hasOperator ? body.slice(1) : body).split(',');
  if (specs.length === 0) return undefined;
  let explode = false;
  for (const spec of specs) {
    if (!VARSPEC.test(spec)) return undefined;
    if (spec.endsWith('*')) explode = true;
  }
  const firstExplode = specs[0]!.endsWith('*');
  let out = operator.first ? `(?:${quote(operator.first)}` : '';
  out += `(${charClass(operator, operator.named || firstExplode)}`;
  if (specs.length > 1 || firstExplode) {
    out += `(?:${quote(operator.sep)}${charClass(operator, operator.named || explode)})`;
    out += explode ? '*' : `{0,${specs.length - 1}}`;
  }
  out += ')';
  if (operator.first) out += ')';
  return `${out}?`;
}

/**
 * Compiles `template` into an anchored matcher, or returns undefined when it is not a valid RFC 6570
 * template (the caller then falls back to exact comparison, as the reference hub does).
 */
export function compileUriTemplate(template: string): RegExp | undefined {
  let source = '^';
  let pos = 0;
  while (pos < template.length) {
    const open = template.indexOf('{', pos);
    const literal = open === -1 ? template.slice(pos) : template.slice(pos, open);
    if (literal.includes('}') || isForbiddenLiteral(literal) || BAD_PERCENT.test(literal)) return undefined;
    source += quote(literal);
    if (open === -1) break;
    const close = template.indexOf('}', open + 1);
    if (close === -1) return undefined;
    const body = template.slice(open + 1, close);
    if (body.includes('{')) return undefined;
    const expression = expressionRegex(body);
    if (expression === undefined) return undefined;
    source += expression;
    pos = close + 1;
  }
  return new RegExp(`${source}$`);
}
