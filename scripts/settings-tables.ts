// Renders the README's configuration tables from the settings tables in the source, so the README cannot
// drift from the code. Each table sits between `<!-- settings:<name> begin -->` and `<!-- settings:<name>
// end -->` (generated, do not edit by hand); test/docs/settings-tables.test.ts fails when they differ.
//
// Usage: npm run docs:settings            (rewrites README.md)
//        npm run docs:settings -- --check (exits 1 when README.md is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPTION_SPECS } from '../src/cli/options.js';
import {
  CLIENT_SETTINGS,
  CLIENT_SETTINGS_HELP,
  EVENT_SOURCE_SETTINGS,
  EVENT_SOURCE_SETTINGS_HELP,
} from '../src/client/index.js';
import { HUB_SETTINGS, renderHelp, SECTIONS } from '../src/hub/index.js';
import {
  acceptedValues,
  formatSettingValue,
  type Setting,
  type SettingsTable,
  withHelp,
} from '../src/protocol/index.js';
import {
  CHANNEL_SETTINGS,
  CHAT_RELAY_SETTINGS,
  HISTORY_SETTINGS,
  RESUMABLE_SETTINGS,
  STREAM_SETTINGS,
} from '../src/server/index.js';

/** Escapes a cell of a Markdown table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** `ssehub` options, hub settings and the command's own: flag, variables, default, library option, meaning. */
export function hubTable(): string {
  const lines = [
    '| flag | environment | default | `createHub` option | meaning |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const section of SECTIONS) {
    lines.push(`| **${section}** | | | | |`);
    for (const spec of OPTION_SPECS.filter((s) => s.section === section)) {
      const flag = `\`--${spec.flag}${spec.valueName ? ` <${spec.valueName}>` : ''}\``;
      const env = [spec.env, ...spec.aliases].map((name) => `\`${name}\``).join(', ');
      const option = spec.owner === 'hub' ? `\`${spec.key}\`` : '';
      lines.push(`| ${cell(flag)} | ${env} | ${cell(spec.defaultText)} | ${option} | ${cell(spec.help)} |`);
    }
  }
  const libraryOnly = Object.entries(HUB_SETTINGS).filter(([, row]) => row.cli === undefined);
  if (libraryOnly.length > 0) lines.push('| **Library only** (no flag) | | | | |');
  for (const [key, row] of libraryOnly) {
    const shown = row.defaultText ?? formatSettingValue(row as Setting<unknown>, row.default);
    lines.push(`| | | ${cell(shown)} | \`${key}\` | ${cell(renderHelp(row.help, (k) => k))} |`);
  }
  return lines.join('\n');
}

/** A library default as code writes it: `15000`, `'lastEventId'`, `false`; none when unset. */
function libraryDefault(row: Setting<unknown>): string {
  if (row.defaultText !== undefined) return row.defaultText;
  const value = row.default;
  if (value === undefined || formatSettingValue(row, value) === 'none') return 'none';
  return `\`${typeof value === 'string' ? `'${value}'` : String(value)}\``;
}

/** The values a row accepts, for a table cell: `number >= 0, ms`. */
function accepts(row: Setting<unknown>): string {
  const unit = row.unit === undefined ? '' : `, ${row.unit}`;
  return `${acceptedValues(row).replace(/^an? /, '')}${unit}`;
}

/** A library options table: option, accepted values, default, meaning (`prefix` names nested options). */
export function optionsTable(...parts: readonly [prefix: string, table: SettingsTable][]): string {
  const lines = ['| option | accepts | default | meaning |', '| --- | --- | --- | --- |'];
  for (const [prefix, table] of parts) {
    for (const [key, row] of Object.entries(table)) {
      lines.push(
        `| \`${prefix}${key}\` | ${cell(accepts(row))} | ${cell(libraryDefault(row))} | ${cell(row.help)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Every generated table, by marker name. */
export const TABLES: Readonly<Record<string, () => string>> = {
  hub: hubTable,
  stream: () => optionsTable(['', STREAM_SETTINGS]),
  channel: () => optionsTable(['', CHANNEL_SETTINGS], ['history.', HISTORY_SETTINGS]),
  resumable: () => optionsTable(['', RESUMABLE_SETTINGS]),
  'chat-relay': () => optionsTable(['', CHAT_RELAY_SETTINGS]),
  client: () =>
    optionsTable(
      ['', withHelp(EVENT_SOURCE_SETTINGS, EVENT_SOURCE_SETTINGS_HELP)],
      ['', withHelp(CLIENT_SETTINGS, CLIENT_SETTINGS_HELP)],
    ),
};

const marker = (name: string, edge: 'begin' | 'end') => `<!-- settings:${name} ${edge} -->`;

/** The text between a table's markers in `readme` (without the surrounding newlines), or undefined. */
export function readmeSection(readme: string, name: string): string | undefined {
  const begin = readme.indexOf(marker(name, 'begin'));
  const end = readme.indexOf(marker(name, 'end'));
  if (begin < 0 || end < begin) return undefined;
  return readme.slice(begin + marker(name, 'begin').length, end).trim();
}

/** `readme` with every table regenerated. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(TABLES)) {
    if (readmeSection(out, name) === undefined) throw new Error(`README.md has no ${marker(name, 'begin')}`);
    const begin = out.indexOf(marker(name, 'begin')) + marker(name, 'begin').length;
    const end = out.indexOf(marker(name, 'end'));
    out = `${out.slice(0, begin)}\n${render()}\n${out.slice(end)}`;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL('../README.md', import.meta.url));
  const readme = readFileSync(path, 'utf8');
  const rendered = renderReadme(readme);
  if (process.argv.includes('--check')) {
    if (rendered !== readme) {
      process.stderr.write('README.md settings tables are stale: run npm run docs:settings\n');
      process.exit(1);
    }
  } else if (rendered !== readme) {
    writeFileSync(path, rendered);
    process.stdout.write('README.md settings tables updated\n');
  }
}
