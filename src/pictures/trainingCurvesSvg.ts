import { fail } from '../errors.js';
import { escapeXml } from './svgText.js';

/** One epoch of a training history for {@link renderTrainingCurvesSvg}; `stage` names the progressive-learning stage (e.g. `'5x5'`). */
export interface TrainingCurvePoint {
  /** Epoch number (x axis); strictly increasing along the history. */
  epoch: number;
  /** Training loss. */
  loss: number;
  /** Training accuracy (0..1 keeps the axis at 0..1); optional. */
  accuracy?: number;
  /** Loss on the held-out set (`val_loss` of `fit`; named by `heldOutName`); optional. */
  valLoss?: number;
  /** Accuracy on the held-out set (`val_acc` of `fit`); optional. */
  valAccuracy?: number;
  /** Progressive-learning stage name, e.g. `'5x5'`; a change draws a separator. Optional. */
  stage?: string;
}

/** Options of {@link renderTrainingCurvesSvg}. */
export interface TrainingCurvesSvgOptions {
  /** Title above the panels; default none. */
  title?: string;
  /** Picture width in px (>= 400); default 900. */
  width?: number;
  /** Picture height in px (>= 240); default 360. */
  height?: number;
  /**
   * Name of the held-out set in the legends (`valLoss`, `valAccuracy`); default `'validation'`. Say
   * `'test'` when the held-out data passed to `fit` is the test split, as in the demo.
   */
  heldOutName?: string;
}

const FONT = 'Helvetica, Arial, sans-serif';
const TRAIN_COLOUR = '#0072B2';
const VAL_COLOUR = '#D55E00';

const r = (v: number) => String(Math.round(v * 100) / 100);

/** About `count` round tick values covering [lo, hi] (steps 1, 2 or 5 times a power of ten). */
function niceTicks(lo: number, hi: number, count: number): { ticks: number[]; lo: number; hi: number; decimals: number } {
  if (hi <= lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  const n = Math.round((last - first) / step);
  for (let k = 0; k <= n; k++) ticks.push(Number((first + k * step).toPrecision(12)) || 0);
  return { ticks, lo: first, hi: last, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) };
}

type SeriesKey = 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy';

function checkHistory(history: TrainingCurvePoint[]): void {
  if (!Array.isArray(history) || history.length === 0) fail('history', 'a non-empty array of { epoch, loss, ... }', history);
  history.forEach((h, i) => {
    const arg = `history[${i}]`;
    if (h == null || typeof h !== 'object') fail(arg, 'an object { epoch, loss, ... }', h);
    if (typeof h.epoch !== 'number' || !Number.isFinite(h.epoch)) fail(`${arg}.epoch`, 'a finite number', h.epoch);
    if (i > 0 && !(h.epoch > history[i - 1].epoch)) fail(`${arg}.epoch`, `a number > the previous epoch ${history[i - 1].epoch}`, h.epoch);
    if (typeof h.loss !== 'number' || !Number.isFinite(h.loss)) fail(`${arg}.loss`, 'a finite number', h.loss);
    for (const key of ['accuracy', 'valLoss', 'valAccuracy'] as const) {
      const v = h[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) fail(`${arg}.${key}`, 'a finite number or undefined', v);
    }
    if (h.stage !== undefined && typeof h.stage !== 'string') fail(`${arg}.stage`, 'a string or undefined', h.stage);
  });
}

/**
 * Training curves as a standalone SVG string (no DOM): a loss panel (train, held-out set) and an
 * accuracy panel (train, held-out set; named by `options.heldOutName`, default 'validation') with axes, ticks and legends; where `stage` changes between
 * epochs (progressive learning, 5x5 -> 6x6) a dashed vertical line and the new stage's name are drawn
 * in both panels. Epochs must increase; series missing from an epoch are joined across the gap.
 *
 * @example
 * ```ts
 * import { renderTrainingCurvesSvg, type TrainingCurvePoint } from 'ske2grid';
 * const history: TrainingCurvePoint[] = [
 *   { epoch: 1, loss: 2.1, accuracy: 0.3, stage: '5x5' },
 *   { epoch: 2, loss: 1.2, accuracy: 0.6, valAccuracy: 0.55, stage: '6x6' }, // a dashed line marks the new stage
 * ];
 * const svg = renderTrainingCurvesSvg(history, { title: 'training', heldOutName: 'test' }); // 900 x 360 px by default; legend 'test accuracy'
 * ```
 */
export function renderTrainingCurvesSvg(history: TrainingCurvePoint[], options: TrainingCurvesSvgOptions = {}): string {
  checkHistory(history);
  const width = options.width ?? 900;
  const height = options.height ?? 360;
  if (typeof width !== 'number' || !Number.isFinite(width) || width < 400) fail('options.width', 'a number >= 400', width);
  if (typeof height !== 'number' || !Number.isFinite(height) || height < 240) fail('options.height', 'a number >= 240', height);
  if (options.title !== undefined && typeof options.title !== 'string') fail('options.title', 'a string', options.title);
  const heldOut = options.heldOutName ?? 'validation';
  if (typeof heldOut !== 'string' || heldOut.trim() === '') fail('options.heldOutName', 'a non-empty string', heldOut);

  const margin = 14;
  const titleHeight = options.title ? 28 : 0;
  const epochs = history.map((h) => h.epoch);
  // The x axis spans the epochs exactly (+-0.5 for a single epoch); ticks are round values inside it.
  const xr = niceTicks(epochs[0], epochs[epochs.length - 1], 6);
  [xr.lo, xr.hi] = epochs.length > 1 ? [epochs[0], epochs[epochs.length - 1]] : [epochs[0] - 0.5, epochs[0] + 0.5];
  const integral = epochs.every(Number.isInteger);
  xr.ticks = xr.ticks.filter((t) => t >= xr.lo - 1e-9 && t <= xr.hi + 1e-9 && (!integral || Number.isInteger(t)));
  const xDecimals = integral ? 0 : xr.decimals;
  const stageChanges: { at: number; label: string }[] = [];
  history.forEach((h, i) => {
    if (i === 0 ? h.stage !== undefined : h.stage !== history[i - 1].stage) {
      stageChanges.push({ at: i === 0 ? NaN : (history[i - 1].epoch + h.epoch) / 2, label: h.stage ?? '' });
    }
  });

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}" height="${r(height)}" viewBox="0 0 ${r(width)} ${r(height)}" font-family="${FONT}">`);
  out.push(`<rect width="100%" height="100%" fill="#FFFFFF"/>`);
  if (options.title)
    out.push(
      `<text x="${r(width / 2)}" y="${margin + 16}" font-size="16" font-weight="bold" text-anchor="middle" fill="#111111">${escapeXml(options.title)}</text>`,
    );

  const panelWidth = (width - 2 * margin) / 2;
  const panels: { name: string; series: [SeriesKey, string, string][]; unitRange: boolean }[] = [
    {
      name: 'loss',
      series: [
        ['loss', 'train loss', TRAIN_COLOUR],
        ['valLoss', `${heldOut} loss`, VAL_COLOUR],
      ],
      unitRange: false,
    },
    {
      name: 'accuracy',
      series: [
        ['accuracy', 'train accuracy', TRAIN_COLOUR],
        ['valAccuracy', `${heldOut} accuracy`, VAL_COLOUR],
      ],
      unitRange: true,
    },
  ];
  panels.forEach((panel, p) => {
    const left = margin + p * panelWidth + 58;
    const right = margin + (p + 1) * panelWidth - 16;
    const top = margin + titleHeight + 40;
    const bottom = height - margin - 56;
    const present = panel.series.filter(([key]) => history.some((h) => h[key] !== undefined));
    const values = present.flatMap(([key]) => history.flatMap((h) => (h[key] === undefined ? [] : [h[key]!])));
    let lo = Math.min(0, ...values),
      hi = Math.max(...values, 0);
    if (panel.unitRange && values.every((v) => v >= 0 && v <= 1)) [lo, hi] = [0, 1];
    const yr = niceTicks(lo, hi, 5);
    const X = (e: number) => left + ((e - xr.lo) / (xr.hi - xr.lo)) * (right - left);
    const Y = (v: number) => bottom - ((v - yr.lo) / (yr.hi - yr.lo)) * (bottom - top);

    out.push(`<g class="panel" font-size="11" fill="#111111">`);
    out.push(
      `<text class="panel-title" x="${r((left + right) / 2)}" y="${r(margin + titleHeight + 14)}" font-size="14" font-weight="bold" text-anchor="middle">${panel.name}</text>`,
    );
    // Grid lines and ticks.
    for (const t of yr.ticks) {
      out.push(`<line x1="${r(left)}" y1="${r(Y(t))}" x2="${r(right)}" y2="${r(Y(t))}" stroke="#E4E4E4"/>`);
      out.push(`<text class="tick" x="${r(left - 6)}" y="${r(Y(t) + 4)}" text-anchor="end">${t.toFixed(yr.decimals)}</text>`);
    }
    for (const t of xr.ticks) {
      out.push(`<line x1="${r(X(t))}" y1="${r(bottom)}" x2="${r(X(t))}" y2="${r(bottom + 4)}" stroke="#444444"/>`);
      out.push(`<text class="tick" x="${r(X(t))}" y="${r(bottom + 16)}" text-anchor="middle">${t.toFixed(xDecimals)}</text>`);
    }
    out.push(`<line x1="${r(left)}" y1="${r(bottom)}" x2="${r(right)}" y2="${r(bottom)}" stroke="#444444"/>`);
    out.push(`<line x1="${r(left)}" y1="${r(top)}" x2="${r(left)}" y2="${r(bottom)}" stroke="#444444"/>`);
    out.push(`<text x="${r((left + right) / 2)}" y="${r(bottom + 31)}" text-anchor="middle">epoch</text>`);
    // Stage separators and labels. A label that does not fit before the next separator moves one line
    // down (up to 3 lines); the last one is kept inside the panel.
    const starts = stageChanges.map((s) => (Number.isNaN(s.at) ? left : X(s.at)));
    let level = 0,
      lastEnd = -Infinity;
    stageChanges.forEach((s, k) => {
      if (Number.isNaN(s.at)) return;
      out.push(
        `<line class="stage-separator" x1="${r(starts[k])}" y1="${r(top - 14)}" x2="${r(starts[k])}" y2="${r(bottom)}" stroke="#555555" stroke-width="1.2" stroke-dasharray="5 4"/>`,
      );
    });
    stageChanges.forEach((s, k) => {
      const x = starts[k];
      const labelWidth = s.label.length * 6.2;
      const lx = Math.min(x + 4, right + 12 - labelWidth);
      const end = k + 1 < starts.length ? starts[k + 1] : right + 12;
      level = lx < lastEnd ? (level + 1) % 3 : 0;
      lastEnd = lx + labelWidth + 4 > end ? lx + labelWidth + 4 : -Infinity;
      out.push(
        `<text class="stage-label" x="${r(lx)}" y="${r(top - 4 + 12 * level)}" font-size="11" font-style="italic" fill="#555555" stroke="#FFFFFF" stroke-width="3" paint-order="stroke">${escapeXml(s.label)}</text>`,
      );
    });
    if (present.length === 0) {
      out.push(`<text x="${r((left + right) / 2)}" y="${r((top + bottom) / 2)}" text-anchor="middle" fill="#777777">no ${panel.name} recorded</text>`);
    }
    present.forEach(([key, , colour], k) => {
      const points = history.filter((h) => h[key] !== undefined).map((h) => [X(h.epoch), Y(h[key]!)] as const);
      const dash = k === 1 ? ' stroke-dasharray="6 3"' : '';
      out.push(
        `<polyline class="series" points="${points.map(([x, y]) => `${r(x)},${r(y)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
      );
      if (points.length <= 60) {
        for (const [x, y] of points) out.push(`<circle cx="${r(x)}" cy="${r(y)}" r="2.5" fill="${colour}"/>`);
      }
    });
    // Legend below the axis label, centred.
    const entries = present.map(([, label, colour], k) => ({ label, colour, dashed: k === 1, width: 30 + label.length * 6.6 + 16 }));
    let lx = (left + right) / 2 - entries.reduce((w, e) => w + e.width, 0) / 2;
    const ly = bottom + 46;
    for (const e of entries) {
      const dash = e.dashed ? ' stroke-dasharray="6 3"' : '';
      out.push(
        `<g class="legend-entry"><line x1="${r(lx)}" y1="${r(ly - 4)}" x2="${r(lx + 24)}" y2="${r(ly - 4)}" stroke="${e.colour}" stroke-width="2"${dash}/><text x="${r(lx + 30)}" y="${r(ly)}">${escapeXml(e.label)}</text></g>`,
      );
      lx += e.width;
    }
    out.push(`</g>`);
  });
  out.push(`</svg>`);
  return out.join('\n');
}
