/**
 * Reads an existing Mercure deployment's environment so ssehub can replace the reference hub unchanged:
 * `SERVER_NAME` (the Caddy site address), the `MERCURE_EXTRA_DIRECTIVES` Caddyfile directives that
 * have an ssehub equivalent (https://mercure.rocks/docs/hub/config, "Directives"), and a site's
 * `tls <cert> <key>` from `CADDY_SERVER_EXTRA_DIRECTIVES`. The result is a set of
 * `SSEHUB_*` variables at the lowest precedence: an explicit `SSEHUB_*` variable or flag still wins.
 */

/** What {@link readMercureEnvironment} found. */
export interface MercureEnvironment {
  /** `SSEHUB_*` variables implied by the Mercure ones (only those not already set). */
  readonly variables: Readonly<Record<string, string>>;
  /** One sentence per directive or variable that ssehub does not apply, naming it. */
  readonly warnings: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Directive name → how its arguments become ssehub variables (undefined: accepted, nothing to do). */
const DIRECTIVES: Readonly<
  Record<string, (args: string[], warn: (text: string) => void) => Record<string, string>>
> = {
  anonymous: () => ({ SSEHUB_ANONYMOUS: 'true' }),
  subscriptions: () => ({ SSEHUB_SUBSCRIPTIONS: 'true' }),
  cors_origins: (args) => ({ SSEHUB_CORS_ORIGINS: args.join(',') }),
  publish_origins: (args) => ({ SSEHUB_PUBLISH_ORIGINS: args.join(',') }),
  heartbeat: (args) => ({ SSEHUB_HEARTBEAT: args[0] ?? '' }),
  write_timeout: (args) => ({ SSEHUB_WRITE_TIMEOUT: args[0] ?? '' }),
  dispatch_timeout: (args) => ({ SSEHUB_DISPATCH_TIMEOUT: args[0] ?? '' }),
  cookie_name: (args) => ({ SSEHUB_COOKIE_NAME: args[0] ?? '' }),
  publisher_jwt: (args) => jwt('PUBLISHER', args),
  subscriber_jwt: (args) => jwt('SUBSCRIBER', args),
  publisher_jwks_url: (args) => ({ SSEHUB_PUBLISHER_JWKS_URL: args[0] ?? '' }),
  subscriber_jwks_url: (args) => ({ SSEHUB_SUBSCRIBER_JWKS_URL: args[0] ?? '' }),
  transport_url: (args, warn) => transport(args[0] ?? '', {}, warn),
  ui: () => ({}),
  demo: () => ({}),
};

function jwt(role: 'PUBLISHER' | 'SUBSCRIBER', args: string[]): Record<string, string> {
  const out: Record<string, string> = { [`SSEHUB_${role}_JWT_KEY`]: args[0] ?? '' };
  if (args[1] !== undefined) out[`SSEHUB_${role}_JWT_ALG`] = args[1];
  return out;
}

/** Maps a Mercure transport URL (`bolt://`, `redis://`, `local://`) to ssehub storage variables. */
function transport(
  url: string,
  options: Record<string, string>,
  warn: (text: string) => void,
): Record<string, string> {
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'bolt') {
    // bolt:///data/mercure.db?size=1000 — the Bolt file becomes an SQLite file next to it: the formats differ,
    // so history does not carry over (said in the warning), but the path and its volume do.
    const parsed = new URL(url);
    const path = `${decodeURIComponent(parsed.host + parsed.pathname)}`.replace(/\.db$/, '') || 'mercure';
    const size = parsed.searchParams.get('size') ?? options.size;
    warn(
      `transport ${url}: Bolt is mapped to SQLite at ${path}.sqlite (a new file: the Bolt history is not imported)`,
    );
    return {
      SSEHUB_STORAGE: `sqlite:${path}.sqlite`,
      ...(size ? { SSEHUB_HISTORY_SIZE: size === '0' ? 'unbounded' : size } : {}),
    };
  }
  if (scheme === 'redis' || scheme === 'rediss') return { SSEHUB_TRANSPORT: url };
  if (scheme === 'local') return { SSEHUB_STORAGE: 'memory' };
  warn(`transport ${url}: not supported by ssehub (memory, SQLite or Redis); keeping the default storage`);
  return {};
}

/** Splits Caddyfile text into directives: a name, its arguments, and a `{ … }` block's `key value` lines. */
function directives(text: string): { name: string; args: string[]; block: Record<string, string> }[] {
  const out: { name: string; args: string[]; block: Record<string, string> }[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.replace(/(^|\s)#.*$/, '').trim());
  for (let i = 0; i < lines.length; i++) {
    const words = lines[i]!.match(/"[^"]*"|\S+/g)?.map((w) => w.replace(/^"|"$/g, '')) ?? [];
    if (words.length === 0) continue;
    const block: Record<string, string> = {};
    if (words.at(-1) === '{') {
      words.pop();
      for (i++; i < lines.length && lines[i] !== '}'; i++) {
        const [key, ...rest] = lines[i]!.split(/\s+/);
        if (key) block[key] = rest.join(' ');
      }
    }
    out.push({ name: words[0]!, args: words.slice(1), block });
  }
  return out;
}

/** `SERVER_NAME` (`:80`, `localhost`, `http://example.com:3000`, `example.com`) as a bind address and port. */
function serverName(
  value: string,
  warn: (text: string) => void,
  certificateGiven: boolean,
): Record<string, string> {
  const addresses = value.split(/[\s,]+/).filter((a) => a !== '');
  if (addresses.length > 1)
    warn(`SERVER_NAME lists ${addresses.length} addresses; ssehub listens on the first only`);
  const address = addresses[0] ?? '';
  const m = /^(?:(https?):\/\/)?(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/i.exec(address);
  if (!m) {
    warn(`SERVER_NAME=${value} is not a site address ssehub understands; ignoring it`);
    return {};
  }
  const [, scheme, host = '', port] = m;
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(host);
  let listenPort = port;
  if (listenPort === undefined) {
    listenPort = scheme?.toLowerCase() === 'http' ? '80' : '443';
    if (listenPort === '443' && !certificateGiven) {
      warn(
        `SERVER_NAME=${value} asks Caddy for automatic HTTPS; ssehub obtains no certificates: give it a certificate (--cert/--key) or terminate TLS in a proxy`,
      );
    }
  }
  return { SSEHUB_HOST: loopback ? '127.0.0.1' : '0.0.0.0', SSEHUB_PORT: listenPort };
}

/**
 * The site directives of `CADDY_SERVER_EXTRA_DIRECTIVES`: `tls <cert file> <key file>` becomes
 * `SSEHUB_CERT`/`SSEHUB_KEY`; any other `tls` form asks Caddy to obtain certificates, and other directives
 * configure Caddy itself, so both are named in a warning.
 */
function siteDirectives(text: string, warn: (text: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of directives(text)) {
    if (d.name === 'tls' && d.args.length === 2 && Object.keys(d.block).length === 0) {
      out.SSEHUB_CERT = d.args[0]!;
      out.SSEHUB_KEY = d.args[1]!;
    } else if (d.name === 'tls') {
      warn(
        `CADDY_SERVER_EXTRA_DIRECTIVES: "tls ${d.args.join(' ')}" asks Caddy to obtain or configure certificates; ssehub reads only "tls <cert file> <key file>" (or --cert/--key)`,
      );
    } else {
      warn(`CADDY_SERVER_EXTRA_DIRECTIVES: "${d.name}" configures Caddy, not the hub, and is ignored`);
    }
  }
  return out;
}

/**
 * Translates `SERVER_NAME`, `MERCURE_EXTRA_DIRECTIVES` and `CADDY_SERVER_EXTRA_DIRECTIVES` into `SSEHUB_*`
 * variables, and lists every directive, and every `MERCURE_*` or `SSEHUB_*` variable, that ssehub does not
 * understand.
 *
 * @param env the process environment.
 * @param known every variable name the command reads (its settings table's names and aliases).
 * @param certificateGiven `--cert` is on the command line (no warning that HTTPS is not served then).
 */
export function readMercureEnvironment(
  env: Env,
  known: ReadonlySet<string>,
  certificateGiven = false,
): MercureEnvironment {
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(text);
  const implied: Record<string, string> = siteDirectives(env.CADDY_SERVER_EXTRA_DIRECTIVES ?? '', warn);
  const tls = certificateGiven || (env.SSEHUB_CERT ?? '') !== '' || implied.SSEHUB_CERT !== undefined;
  if (env.SERVER_NAME) Object.assign(implied, serverName(env.SERVER_NAME, warn, tls));
  for (const d of directives(env.MERCURE_EXTRA_DIRECTIVES ?? '')) {
    if (d.name === 'transport') {
      // Block form: transport bolt { path /data/mercure.db  size 1000 }
      const kind = d.args[0] ?? '';
      const url =
        kind === 'bolt' ? `bolt://${d.block.path ?? 'mercure.db'}` : `${kind}://${d.block.url ?? ''}`;
      Object.assign(implied, transport(url, d.block, warn));
      continue;
    }
    const apply = DIRECTIVES[d.name];
    if (apply === undefined) {
      warn(`MERCURE_EXTRA_DIRECTIVES: "${d.name}" has no ssehub equivalent and is ignored`);
      continue;
    }
    Object.assign(implied, apply(d.args, warn));
  }
  const handled = new Set(['SERVER_NAME', 'MERCURE_EXTRA_DIRECTIVES']);
  for (const name of Object.keys(env)) {
    if (!/^(MERCURE|SSEHUB)_/.test(name) || known.has(name) || handled.has(name)) continue;
    warn(`${name} is not a setting ssehub reads; it is ignored (see ssehub --help)`);
  }
  const variables = Object.fromEntries(
    Object.entries(implied).filter(([name, value]) => value !== '' && (env[name] ?? '') === ''),
  );
  return { variables, warnings };
}
