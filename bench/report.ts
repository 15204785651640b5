/**
 * Plain-text / Markdown tables of benchmark rows: one table per backend (aligned columns, readable
 * as text and as Markdown) and a comparison with the official PyTorch numbers.
 */
import type { BenchRow } from './measure.js';

/** The official PyTorch implementation on one of these 2-core machines (`docs/benchmarks.md`), samples/s. */
export const PYTORCH_ANCHOR: Readonly<Record<number, { inference1: number; inference16: number; training16: number }>> = Object.freeze({
  5: { inference1: 11.8, inference16: 9.7, training16: 3.66 },
  6: { inference1: 7.7, inference16: 9.3, training16: 2.49 },
  8: { inference1: 4.9, inference16: 5.0, training16: 0.97 },
});

/** Aligned Markdown table (every column padded to its widest cell; numeric columns right-aligned). */
export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, 3, ...rows.map((r) => (r[c] ?? '').length)));
  const cell = (text: string, c: number) => (rightAligned[c] ? text.padStart(widths[c]) : text.padEnd(widths[c]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (rightAligned[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const MiB = 2 ** 20;
const fixed = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const mib = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(Math.round(v / MiB)));
const significant = (v: number | null | undefined) =>
  v === null || v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);

/** Short notes of a row for the table (status, accumulation, errors); the JSON keeps the full notes. */
function shortNotes(row: BenchRow): string {
  const out: string[] = [];
  if (row.status === 'failed') out.push(`FAILED: ${(row.error ?? '').replace(/\s+/g, ' ').slice(0, 160)}`);
  else if (row.status === 'does not fit') out.push(`does not fit: ${row.notes.find((n) => n.startsWith('one clip')) ?? ''}`);
  else if (row.status === 'skipped') out.push(row.notes[row.notes.length - 1] ?? 'skipped');
  if (row.microBatch !== null && row.batch !== null && row.microBatch < row.batch)
    out.push(`grad. accumulation ${row.batch / row.microBatch} x ${row.microBatch}`);
  if (row.status === 'ok' && row.repsTimed === 1) out.push('1 timed call');
  if (row.tensorsLeakedPerCall) out.push(`leaks ${row.tensorsLeakedPerCall} tensors/call`);
  return out.join('; ');
}

/** The table of one backend's rows (matMul rows summarised in the heading). */
export function backendTable(backend: string, rows: BenchRow[]): string {
  const mine = rows.filter((r) => r.backend === backend);
  const matMul = mine.filter((r) => r.item === 'matMul' && r.achievedGflops !== null).map((r) => r.achievedGflops as number);
  const sizes = [...new Set(mine.filter((r) => r.item === 'matMul').flatMap((r) => r.notes))];
  const marks = [
    ...new Set(
      mine
        .filter((r) => r.item !== 'matMul')
        .flatMap((r) =>
          r.notes.filter(
            (n) =>
              !n.startsWith('memory estimate') &&
              !n.startsWith('gradient accumulation') &&
              !n.startsWith('1 timed') &&
              !n.startsWith('skipped') &&
              !n.startsWith('one clip') &&
              !n.startsWith('not run'),
          ),
        ),
    ),
  ];
  const env = mine[0]?.environment === 'chromium' ? 'headless Chromium' : 'Node';
  const head = [
    `### ${backend} (${env})`,
    marks.length ? `Setting: ${marks.join('; ')}.` : '',
    matMul.length
      ? `Plain matMul (${sizes.join(', ')}): ${matMul.map((g) => g.toFixed(1)).join(' / ')} GFLOP/s (one per grid job; each row is compared with its own job's).`
      : 'Plain matMul: failed.',
  ].filter(Boolean);
  const header = [
    'grid',
    'item',
    'T',
    'batch',
    'timed',
    'median ms',
    'samples/s',
    'GFLOP/s',
    'of matMul',
    'peak tensors MiB',
    'peak RSS MiB',
    'heap MiB',
    'notes',
  ];
  const right = [false, false, true, true, true, true, true, true, true, true, true, true, false];
  const body = mine
    .filter((r) => r.item !== 'matMul')
    .map((r) => [
      r.grid,
      r.item,
      String(r.frames ?? '-'),
      String(r.batch ?? '-'),
      r.status === 'ok' ? String(r.repsTimed) : '-',
      r.medianMs === null ? '-' : r.medianMs.toFixed(0),
      significant(r.samplesPerSecond),
      significant(r.achievedGflops),
      r.ratioToMatMul === null ? '-' : `${(100 * r.ratioToMatMul).toFixed(0)} %`,
      mib(r.peakTensorBytes),
      r.status === 'skipped' ? '-' : mib(r.memory.peakRssBytes ?? r.memory.rssBytes),
      r.status === 'skipped' ? '-' : mib(r.memory.wasmHeapBytes ?? r.memory.jsHeapUsedBytes),
      shortNotes(r),
    ]);
  return `${head.join('\n')}\n\n${markdownTable(header, body, right)}`;
}

/** Samples/s of the full-size (T=100) rows next to the official PyTorch numbers. */
export function pytorchComparison(rows: BenchRow[]): string {
  const full = rows.filter((r) => r.frames === 100 && r.status === 'ok' && r.samplesPerSecond !== null);
  const backends = [...new Set(full.map((r) => r.backend))];
  if (backends.length === 0) return '';
  const header = ['grid', 'item', 'PyTorch (benchmarks.md)', ...backends.map((b) => `${b} (x PyTorch)`)];
  const body: string[][] = [];
  for (const grid of Object.keys(PYTORCH_ANCHOR).map(Number)) {
    const anchor = PYTORCH_ANCHOR[grid];
    const items: [string, 'inference' | 'training', number, number][] = [
      ['inference b1', 'inference', 1, anchor.inference1],
      ['inference b16', 'inference', 16, anchor.inference16],
      ['training b16', 'training', 16, anchor.training16],
    ];
    for (const [label, item, batch, torch] of items) {
      const cells = backends.map((b) => {
        const r = full.find((x) => x.backend === b && x.grid === `${grid}x${grid}` && x.item === item && x.batch === batch);
        return r ? `${significant(r.samplesPerSecond)} (${fixed((r.samplesPerSecond as number) / torch, 2)})` : '-';
      });
      if (cells.some((c) => c !== '-')) body.push([`${grid}x${grid}`, label, String(torch), ...cells]);
    }
  }
  if (body.length === 0) return '';
  return [
    '### Against the official PyTorch code (samples/s)',
    'PyTorch 1.13 CPU, 2 threads, from docs/benchmarks.md: measured in another run on the same kind of machine, so the ratios are indicative only.',
    '',
    markdownTable(
      header,
      body,
      header.map((_, i) => i >= 2),
    ),
  ].join('\n');
}
