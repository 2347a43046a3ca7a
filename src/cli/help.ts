import { OPTION_SPECS, SECTIONS } from './options.js';

const WIDTH = 100;

function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * The `ssehub --help` text: a short manual rendered from the option table (so it always matches what is
 * parsed), with the development mode, the safety rule for non-loopback hosts, and examples.
 */
export function helpText(version: string): string {
  const out: string[] = [
    `ssehub ${version}: a Mercure-compatible Server-Sent Events hub`,
    '',
    'USAGE',
    '  ssehub [options]',
    '',
    'Publishers POST updates to topics at /.well-known/mercure; browsers subscribe with a plain',
    'EventSource on the same URL (?topic=...). The hub checks JWTs, keeps a replay history for',
    'Last-Event-ID, and fans updates out. The web UI is at / and the health and metrics endpoints',
    'at /healthz, /readyz and /metrics.',
    '',
    'DEVELOPMENT MODE',
    '  With no key configured, ssehub generates a random key at start, prints a publisher and a',
    '  subscriber token and a ready-to-paste curl command, and lets anonymous subscribers in. It then',
    '  refuses to listen on anything but loopback: configure keys before exposing it.',
    '',
  ];
  for (const section of SECTIONS) {
    out.push(section.toUpperCase());
    for (const spec of OPTION_SPECS.filter((s) => s.section === section)) {
      const flag = `  --${spec.flag}${spec.valueName ? ` <${spec.valueName}>` : ''}`;
      out.push(flag);
      const details = [spec.help];
      if (spec.defaultText) details.push(`Default: ${spec.defaultText}.`);
      const env = [spec.env, ...(spec.aliases ?? [])].join(', ');
      details.push(`Env: ${env}.`);
      for (const line of wrap(details.join(' '), 6)) out.push(`      ${line}`);
    }
    out.push('');
  }
  out.push(
    'OTHER',
    '  -h, --help     Show this help.',
    '  --version      Print the version.',
    '',
    'VALUES',
    '  Durations take a unit: 500ms, 40s, 10m, 1h (0 disables). Sizes: 1048576, 512KiB, 1MiB.',
    '  Lists are comma-separated or repeated (--cors-origins a --cors-origins b).',
    '  Booleans in variables: true/false, 1/0, yes/no, on/off.',
    '  Precedence: flag, then SSEHUB_* variable, then the Mercure variable, then the default.',
    '',
    'EXAMPLES',
    '  Try it locally (prints tokens and a curl command):',
    '    npx ssehub',
    '',
    '  Production-like: shared HMAC secret, persistent history, reachable from the network:',
    '    SSEHUB_JWT_KEY="$(openssl rand -base64 48)" ssehub --host 0.0.0.0 --storage sqlite:/var/lib/ssehub/hub.db',
    '',
    '  HTTPS with HTTP/2 (browsers then share one connection for all their streams); SIGHUP re-reads',
    '  both files after a renewal:',
    '    ssehub --host 0.0.0.0 --port 8443 --jwt-key-file /etc/ssehub/jwt.key \\',
    '           --cert /etc/ssehub/tls/fullchain.pem --key /etc/ssehub/tls/privkey.pem',
    '',
    '  Drop-in for a Mercure hub, reading its variables:',
    '    MERCURE_PUBLISHER_JWT_KEY=... MERCURE_SUBSCRIBER_JWT_KEY=... ssehub --host 0.0.0.0 --port 3000',
    '',
    '  Keys from an identity provider (RS256/ES256/EdDSA via JWKS), browsers on another origin:',
    '    ssehub --jwks-url https://id.example.com/.well-known/jwks.json \\',
    '           --cors-origins https://app.example.com --anonymous',
    '',
    'EXIT STATUS',
    '  0 after a clean shutdown (SIGTERM or SIGINT), 1 on a runtime failure, 2 on invalid options',
    '  (including a --cert/--key file that cannot be used).',
    '',
  );
  return out.join('\n');
}
