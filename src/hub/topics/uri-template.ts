/**
 * RFC 6570 URI Template (levels 1-4) matching: does a topic look like an expansion of the template?
 * The language matched is exactly the one of the reference Mercure hub's anchored regex
 * (`yosida95/uritemplate` `Template.Regexp()`, https://mercure.rocks/spec#topic-selectors):
 * - literals match themselves;
 * - every expression is optional: its operator prefix, then characters of its class, repeated with the
 *   operator's separator at most (variables - 1) times (any number of times with an exploded variable);
 * - simple, `.`, `/`, `;`, `?`, `&` allow unreserved characters, `,` (and `=` for the named operators `;?&`
 *   or exploded variables) and `%HH`; `+` and `#` also allow the reserved set.
 *
 * It is **not** run as a JavaScript regular expression: adjacent expressions with overlapping classes
 * (`{+a}{+b}{+c}…`) make a backtracking engine exponential (8 of them took 23 s on a 40-character topic), and
 * selectors come from untrusted subscribers (docs/security.md#limits: "linear-time engine or cost limit"). Instead
 * the template compiles to a small NFA simulated over the topic in O(topic length × states).
 */

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const RESERVED = ":/?#[]@!$&'()*+,;=";

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
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const HEX = /^[0-9A-Fa-f]{2}$/;
/**
 * Largest automaton accepted. Matching costs O(topic length × states); a selector bigger than this (hundreds
 * of expressions or variables) is treated as not a template, i.e. compared exactly.
 */
export const MAX_TEMPLATE_STATES = 512;

function isForbiddenLiteral(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true; // CTL and SP
  }
  return FORBIDDEN_LITERAL_PUNCTUATION.test(text);
}

/**
 * Splits text into matching units: a `%HH` triplet is one unit, any other UTF-16 code unit is one.
 * Matching units instead of characters is what lets one step decide "class character or escape".
 */
function units(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && HEX.test(text.slice(i + 1, i + 3))) {
      out.push(text.slice(i, i + 3));
      i += 2;
    } else {
      out.push(text[i]!);
    }
  }
  return out;
}

/** One automaton state. `next` lists the states reached by consuming a unit, with their guards. */
interface State {
  /** Consuming transitions: `accepts(unit)` true -> go to `to`. */
  readonly edges: { readonly accepts: (unit: string) => boolean; readonly to: number }[];
  /** States reachable without consuming anything (filled in, then closed transitively). */
  readonly epsilon: number[];
}

function classTest(chars: string): (unit: string) => boolean {
  const set = new Set(chars);
  return (unit) => unit.length === 3 || set.has(unit);
}

const exactly =
  (expected: string) =>
  (unit: string): boolean =>
    unit === expected;

/** A compiled template: `test(topic)` runs in time linear in the topic length. */
export interface TemplateMatcher {
  test(topic: string): boolean;
}

class Nfa implements TemplateMatcher {
  readonly #states: State[];
  readonly #closures: Int32Array[];
  readonly #accept: number;

  constructor(states: State[], accept: number) {
    this.#states = states;
    this.#accept = accept;
    // Epsilon edges only point forward (to a later element or into the expression's own body), so the
    // closures can be computed from the last state backwards.
    const closures: Int32Array[] = new Array(states.length);
    for (let id = states.length - 1; id >= 0; id--) {
      const set = new Set<number>([id]);
      for (const to of states[id]!.epsilon) for (const s of closures[to]!) set.add(s);
      closures[id] = Int32Array.from(set);
    }
    this.#closures = closures;
  }

  test(topic: string): boolean {
    const n = this.#states.length;
    let current = new Uint8Array(n);
    let next = new Uint8Array(n);
    for (const s of this.#closures[0]!) current[s] = 1;
    for (const unit of units(topic)) {
      next.fill(0);
      let alive = false;
      for (let id = 0; id < n; id++) {
        if (current[id] === 0) continue;
        for (const edge of this.#states[id]!.edges) {
          if (!edge.accepts(unit)) continue;
          for (const s of this.#closures[edge.to]!) next[s] = 1;
          alive = true;
        }
      }
      if (!alive) return false;
      [current, next] = [next, current];
    }
    return current[this.#accept] === 1;
  }
}

/** Builds states for one `{…}` expression; returns why when it is not valid RFC 6570. */
function addExpression(states: State[], body: string): { entry: number; exits: number[] } | string {
  const opChar = body.charAt(0);
  if (opChar !== '' && '=,!@|'.includes(opChar)) {
    return `the operator "${opChar}" in {${body}} is reserved (RFC 6570 §2.2)`;
  }
  const hasOperator = opChar !== '' && Object.hasOwn(OPERATORS, opChar);
  const operator = OPERATORS[hasOperator ? opChar : '']!;
  const specs = (hasOperator ? body.slice(1) : body).split(',');
  for (const spec of specs) {
    if (!VARSPEC.test(spec)) return `"${spec}" in {${body}} is not a variable name (RFC 6570 §2.3)`;
  }
  const firstExplode = specs[0]!.endsWith('*');
  const anyExplode = specs.some((s) => s.endsWith('*'));
  const base = UNRESERVED + (operator.reserved ? RESERVED : ',');
  const first = classTest(base + (operator.named || firstExplode ? '=' : ''));
  const rest = classTest(base + (operator.named || anyExplode ? '=' : ''));
  // Body states by separators seen: 0..maxSeps, or 0 and "1 or more" when a variable explodes.
  const maxSeps = anyExplode ? 1 : specs.length - 1;
  const entry = states.length;
  states.push({ edges: [], epsilon: [] });
  const bodyStart = states.length;
  for (let s = 0; s <= maxSeps; s++) states.push({ edges: [], epsilon: [] });
  for (let s = 0; s <= maxSeps; s++) {
    const state = states[bodyStart + s]!;
    state.edges.push({ accepts: s === 0 ? first : rest, to: bodyStart + s });
    if (s < maxSeps) state.edges.push({ accepts: exactly(operator.sep), to: bodyStart + s + 1 });
    else if (anyExplode) state.edges.push({ accepts: exactly(operator.sep), to: bodyStart + s });
  }
  if (operator.first) states[entry]!.edges.push({ accepts: exactly(operator.first), to: bodyStart });
  else states[entry]!.epsilon.push(bodyStart);
  const exits = [entry];
  for (let s = 0; s <= maxSeps; s++) exits.push(bodyStart + s);
  return { entry, exits };
}

/**
 * Compiles `template` into a linear-time matcher, or returns undefined when it is not a valid RFC 6570
 * template (the caller then falls back to exact comparison, as the reference hub does).
 */
export function compileUriTemplate(template: string): TemplateMatcher | undefined {
  const compiled = compile(template);
  return typeof compiled === 'string' ? undefined : compiled;
}

/**
 * Why `template` is not a usable RFC 6570 URI template (an unclosed or stray brace, a bad variable
 * name or operator, a character a literal may not hold, a malformed `%` escape, more than
 * {@link MAX_TEMPLATE_STATES} automaton states), or undefined when it compiles.
 */
export function uriTemplateProblem(template: string): string | undefined {
  const compiled = compile(template);
  return typeof compiled === 'string' ? compiled : undefined;
}

function literalProblem(literal: string, at: number): string | undefined {
  if (literal.includes('}')) return `a "}" at offset ${at + literal.indexOf('}')} closes no expression`;
  if (BAD_PERCENT.test(literal)) return `a "%" not followed by two hex digits near offset ${at}`;
  if (isForbiddenLiteral(literal)) {
    return 'a literal part holds a space, a control character or one of " \' < > \\ ^ ` | (RFC 6570 §2.1: percent-encode it)';
  }
  return undefined;
}

function compile(template: string): TemplateMatcher | string {
  const states: State[] = [];
  // States whose "continue with the next element" edge is still to be wired.
  let pending: { exits: number[] } | undefined;
  const wire = (to: number): void => {
    if (pending) for (const id of pending.exits) states[id]!.epsilon.push(to);
  };
  const addLiteral = (unit: string): void => {
    const id = states.length;
    states.push({ edges: [], epsilon: [] });
    wire(id);
    pending = { exits: [] };
    states[id]!.edges.push({ accepts: exactly(unit), to: id + 1 });
    // The edge above targets the next state to be created; it is the next element's entry or accept.
  };
  let pos = 0;
  while (pos < template.length) {
    const open = template.indexOf('{', pos);
    const literal = open === -1 ? template.slice(pos) : template.slice(pos, open);
    const problem = literalProblem(literal, pos);
    if (problem !== undefined) return problem;
    for (const unit of units(literal)) addLiteral(unit);
    if (open === -1) break;
    const close = template.indexOf('}', open + 1);
    if (close === -1) return `the "{" at offset ${open} is never closed`;
    const body = template.slice(open + 1, close);
    if (body.includes('{')) return `a "{" inside the expression at offset ${open}`;
    const entryIndex = states.length;
    wire(entryIndex);
    const expression = addExpression(states, body);
    if (typeof expression === 'string') return expression;
    pending = { exits: expression.exits };
    pos = close + 1;
  }
  const accept = states.length;
  states.push({ edges: [], epsilon: [] });
  wire(accept);
  if (states.length > MAX_TEMPLATE_STATES) {
    return `too complex: more than ${MAX_TEMPLATE_STATES} matching states (use fewer expressions or variables)`;
  }
  return new Nfa(states, accept);
}
