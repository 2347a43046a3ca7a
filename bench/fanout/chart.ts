/**
 * A grouped horizontal bar chart as a standalone SVG string: one group per shape, one bar per server, each
 * bar a ratio to the reference server (drawn as a dashed line at 1.0). No dependencies; the README shows
 * the files it writes.
 */

/** One chart: `values[group][series]` are ratios (undefined: not measured, no bar). */
export interface BarChart {
  title: string;
  /** What a ratio above 1 means, printed under the title (e.g. "higher is better"). */
  subtitle: string;
  groups: readonly string[];
  series: readonly string[];
  values: readonly (readonly (number | undefined)[])[];
  /** Footer lines: machine, date, command. */
  notes: readonly string[];
}

const COLORS = ['#6b7280', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626'];
const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Renders `chart` (width 860 px, height from the number of bars). */
export function renderBarChart(chart: BarChart): string {
  const bar = 14;
  const gap = 10;
  const left = 260;
  const plot = 520;
  const top = 64;
  const groupHeight = chart.series.length * bar + gap;
  const height = top + chart.groups.length * groupHeight + 30 + chart.notes.length * 15 + 10;
  const max = Math.max(1.2, ...chart.values.flat().map((v) => v ?? 0)) * 1.08;
  const x = (v: number): number => left + (v / max) * plot;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="${height}" viewBox="0 0 860 ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${xml(chart.title)}</title>`,
    `<rect width="860" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${xml(chart.title)}</text>`,
    `<text x="10" y="38" fill="#444">${xml(chart.subtitle)}</text>`,
  ];
  chart.series.forEach((name, i) => {
    const lx = left + i * 110;
    out.push(
      `<rect x="${lx}" y="46" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${lx + 14}" y="55">${xml(name)}</text>`,
    );
  });
  chart.groups.forEach((group, g) => {
    const gy = top + g * groupHeight;
    out.push(
      `<text x="${left - 8}" y="${gy + (chart.series.length * bar) / 2 + 4}" text-anchor="end">${xml(group)}</text>`,
    );
    chart.series.forEach((_, s) => {
      const v = chart.values[g]?.[s];
      if (v === undefined || !Number.isFinite(v)) return;
      const y = gy + s * bar;
      out.push(
        `<rect x="${left}" y="${y}" width="${Math.max(1, x(v) - left).toFixed(1)}" height="${bar - 2}" fill="${COLORS[s % COLORS.length]}"/>`,
        `<text x="${(x(v) + 4).toFixed(1)}" y="${y + bar - 4}" font-size="11">${v.toFixed(2)}x</text>`,
      );
    });
  });
  const axisBottom = top + chart.groups.length * groupHeight;
  out.push(
    `<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${axisBottom}" stroke="#111" stroke-dasharray="4 3"/>`,
    `<text x="${x(1)}" y="${axisBottom + 14}" text-anchor="middle" fill="#111">1.0 = ${xml(chart.series[0] ?? '')}</text>`,
  );
  chart.notes.forEach((note, i) => {
    out.push(`<text x="10" y="${axisBottom + 34 + i * 15}" fill="#555" font-size="11">${xml(note)}</text>`);
  });
  out.push('</svg>\n');
  return out.join('\n');
}
