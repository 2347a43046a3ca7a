/** One line of the chart: values in time order and the CSS colour variable that draws it. */
export interface Series {
  readonly values: readonly number[];
  readonly color: string;
  /** Series sharing a scale group share a y-axis (drawn left for 'left', right for 'right'). */
  readonly axis: 'left' | 'right';
  /** Whole counts (connections): the axis then has whole-number ticks only. */
  readonly whole?: boolean;
}

function niceMax(value: number): number {
  if (value <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** A scale top for whole counts: four grid steps, each a whole 1, 2, 2.5 (from 10 up), 3, 4, 5, 6 or 8 × 10^k. */
export function wholeMax(value: number): number {
  const wanted = Math.max(1, value / 4);
  const magnitude = 10 ** Math.floor(Math.log10(wanted));
  for (const step of [1, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const size = step * magnitude;
    if (size >= wanted && Number.isInteger(size)) return 4 * size;
  }
  return 40 * magnitude;
}

const tick = (value: number): string => value.toLocaleString(undefined, { maximumFractionDigits: 1 });

/**
 * Draws line series on a canvas, sized to its CSS box and the device pixel ratio (sharp on phones),
 * with a left and a right scale. No chart library: a few dozen lines of canvas are enough.
 */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], slots: number): void {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const style = getComputedStyle(canvas);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const pad = { left: 40, right: 40, top: 10, bottom: 20 };
  const plotW = Math.max(1, width - pad.left - pad.right);
  const plotH = Math.max(1, height - pad.top - pad.bottom);
  const max = { left: 5, right: 5 };
  for (const s of series) for (const v of s.values) max[s.axis] = Math.max(max[s.axis], v);
  for (const axis of ['left', 'right'] as const) {
    const whole = series.some((s) => s.axis === axis && s.whole);
    max[axis] = whole ? wholeMax(max[axis]) : niceMax(max[axis]);
  }

  ctx.font = `11px ${style.fontFamily}`;
  ctx.strokeStyle = style.getPropertyValue('--grid').trim() || '#8884';
  ctx.fillStyle = style.getPropertyValue('--muted').trim() || '#888';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + (plotH * i) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.left, Math.round(y) + 0.5);
    ctx.lineTo(pad.left + plotW, Math.round(y) + 0.5);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(tick((max.left * (4 - i)) / 4), pad.left - 6, y + 4);
    ctx.textAlign = 'left';
    ctx.fillText(tick((max.right * (4 - i)) / 4), pad.left + plotW + 6, y + 4);
  }
  ctx.textAlign = 'left';
  ctx.fillText('−5 min', pad.left, height - 4);
  ctx.textAlign = 'right';
  ctx.fillText('now', pad.left + plotW, height - 4);

  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  for (const s of series) {
    ctx.strokeStyle = style.getPropertyValue(s.color).trim() || '#1f6feb';
    ctx.beginPath();
    const offset = slots - s.values.length;
    s.values.forEach((v, i) => {
      const x = pad.left + (plotW * (offset + i)) / Math.max(1, slots - 1);
      const y = pad.top + plotH - (plotH * v) / max[s.axis];
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
}
