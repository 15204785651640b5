/**
 * The numbers in the README and the guides come from the files the runs wrote: every generated
 * section (`<!-- docs:tables NAME -->`, written by `npm run docs:tables`) equals what the script
 * makes from the results files and the code now, and the accuracy table of docs/benchmarks.md only
 * shows percentages that `bench/accuracy-results.json` holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DemoResults } from '../../examples/demoResults.js';
import { GENERATED_FILES, ROOT, accuracySection, demoSection, paritySection, regenerate, sectionNames, type AccuracyRow } from '../../scripts/docsTables.js';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('generated sections of the README and the guides', () => {
  it('the README has the demo and accuracy sections, the FAQ the config errors', () => {
    expect(sectionNames(read('README.md'))).toEqual(expect.arrayContaining(['demo', 'accuracy']));
    expect(sectionNames(read('docs/faq.md'))).toEqual(['config-errors']);
  });

  it.each(GENERATED_FILES)('%s: every generated section is up to date (run npm run docs:tables)', (file) => {
    const text = read(file);
    expect(regenerate(text)).toBe(text);
  });

  it('a changed result changes the section (the check can fail)', () => {
    const demo = JSON.parse(read('examples/demo-results.json')) as DemoResults;
    const first = demo.stages[0]!;
    const changed: DemoResults = { ...demo, stages: [{ ...first, top1: first.top1 === 1 ? 0.5 : first.top1 + 0.1 }, ...demo.stages.slice(1)] };
    const readme = read('README.md');
    expect(readme).toContain(demoSection(demo));
    expect(readme).not.toContain(demoSection(changed));
    const rows = (JSON.parse(read('bench/accuracy-results.json')) as { rows: AccuracyRow[] }).rows;
    expect(readme).toContain(accuracySection(rows));
    expect(readme).not.toContain(accuracySection(rows.map((r, i) => (i === 0 ? { ...r, top1: r.top1 / 2 } : r))));
    expect(() => regenerate('<!-- docs:tables nope -->\n<!-- /docs:tables nope -->')).toThrow(/unknown section "nope"/);
  });

  it('the FAQ lists the config fields the code knows (convFormulation included)', () => {
    expect(read('docs/faq.md')).toMatch(/`config\.numClass: expected one of the known fields \([^)]*convFormulation[^)]*\), got "numClass"`/);
  });

  it('renders the parity results file as the parity table', () => {
    const table = paritySection([
      {
        fixture: 'd5_t12',
        backend: 'cpu',
        equal: true,
        forwardMaxrel: 2.4e-7,
        gradientMaxrelBeforeFlips: 7.9e-3,
        gradientMaxrelAfterFlips: 3.1e-6,
        flips: [{ variant: 'bn_batchstats', block: 3, relu: 'temporal', input: 1.2e-6 }],
      },
      { fixture: 'd6_t12_pls', backend: 'wasm', equal: false, forwardMaxrel: 0.5, gradientMaxrelBeforeFlips: 0.25, gradientMaxrelAfterFlips: null, flips: [] },
    ]);
    expect(table.split('\n').slice(2)).toEqual([
      '| d5_t12 | cpu | equal | 2.4e-7 | 7.9e-3 | bn_batchstats: block 3 temporal, input 1.2e-6 | 3.1e-6 |',
      '| d6_t12_pls | wasm | differs | 5.0e-1 | 2.5e-1 | none | - |',
    ]);
  });
});

describe('docs/benchmarks.md accuracy table', () => {
  it('shows only percentages that bench/accuracy-results.json holds', () => {
    const rows = (JSON.parse(read('bench/accuracy-results.json')) as { rows: AccuracyRow[] }).rows;
    const held = new Set(rows.flatMap((r) => [r.top1, r.meanClassAccuracy]).map((v) => (v * 100).toFixed(1)));
    const text = read('docs/benchmarks.md');
    const start = text.indexOf('| dataset, protocol | model |');
    expect(start).toBeGreaterThan(0);
    const table = text.slice(start, text.indexOf('\n\n', start));
    const shown = [...table.matchAll(/(\d+\.\d) %/g)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThanOrEqual(16);
    expect(shown.filter((v) => !held.has(v))).toEqual([]);
    // The fold list of the cross-validation row counts too.
    const folds = [...table.matchAll(/folds ([\d./ ]+)\)/g)].flatMap((m) => m[1]!.split(' / '));
    expect(folds.filter((v) => !held.has(v.trim()))).toEqual([]);
  });
});
