import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { demoTable, type DemoResults } from '../../examples/demoResults.js';
import { SHARED } from '../helpers/backends.js';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const out = mkdtempSync(join(tmpdir(), 'ske2grid-examples-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs an example the way its one command does (`tsx examples/<file>`), with tiny settings. */
async function example(file: string, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(tsx, [join('examples', file), ...args], { cwd: process.cwd(), maxBuffer: 1 << 24, timeout: 300_000 });
  expect(stderr).not.toMatch(/Hi, looks like you are running TensorFlow\.js/); // the examples silence tfjs's banner
  return stdout;
}

describe('example outputs', () => {
  it('every default output folder of an example (--out) is git-ignored', () => {
    const defaults = readdirSync('examples')
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join('examples', f), 'utf8').matchAll(/option\('--out', '([^']+)'\)/g)].map((m) => m[1]));
    expect(defaults.sort()).toEqual(['demo-output', 'progressive-model', 'trained-model']);
    for (const dir of defaults) expect(spawnSync('git', ['check-ignore', '-q', `${dir}/model.json`]).status, `${dir}/ git-ignored`).toBe(0);
  });
});

describe('Node examples run end to end (tiny settings)', () => {
  it('quickstart builds the official model and prints a grid', async () => {
    const stdout = await example('quickstart.ts');
    expect(stdout).toMatch(/Ske2Grid 5x5 on wasm: \d+ layers, 4,384,764 trainable parameters/);
    expect(stdout).toMatch(/strongest joint per grid cell/);
  });

  it('demo trains 5x5 -> 6x6 on the synthetic actions, saves and reloads', async () => {
    const dir = join(out, 'demo');
    const stdout = await example('demo.ts', '--epochs', '1', '--out', dir);
    expect(stdout).toMatch(/\| 6x6 \(grown\) \|/);
    for (const f of ['learned-grid.svg', 'training-curves.svg', 'demo-results.json', 'stage0-5x5/model.json', 'stage1-6x6/model.json', 'model/model.json'])
      expect(existsSync(join(dir, f)), f).toBe(true);
    // It says where the stage checkpoints went, and the table it prints is the one its results file gives.
    expect(stdout).toContain(`checkpoint saved to ${join(dir, 'stage0-5x5')}/`);
    expect(stdout).toContain(`checkpoint saved to ${join(dir, 'stage1-6x6')}/`);
    const results = JSON.parse(readFileSync(join(dir, 'demo-results.json'), 'utf8')) as DemoResults;
    expect(results.stages.map((s) => [s.grid, s.epochs])).toEqual([
      ['5x5', 1],
      ['6x6', 1],
    ]);
    expect(stdout).toContain(demoTable(results).join('\n'));
  });

  it('an example that fails prints the message in one line, no stack, no tfjs banner, exit code 1', async () => {
    const failure = await run(tsx, [join('examples', 'demo.ts'), '--seed', '-1', '--out', join(out, 'failing')], { cwd: process.cwd() }).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toBe('demo: config.seed: expected a non-negative integer or null, got -1\n(set SKE2GRID_DEBUG=1 to print the stack)\n');
    expect(failure?.stdout).not.toMatch(/Hi, looks like you are running TensorFlow\.js in Node\.js/);
    const debug = await run(tsx, [join('examples', 'demo.ts'), '--seed', '-1', '--out', join(out, 'failing')], {
      cwd: process.cwd(),
      env: { ...process.env, SKE2GRID_DEBUG: '1' },
    }).then(
      () => null,
      (e: { stderr: string }) => e,
    );
    expect(debug?.stderr).toMatch(/^demo: config\.seed: expected .*\nSke2GridError: config\.seed: .*\n\s+at /);
  });

  const utkinect = `${SHARED}datasets/utkinect`;
  it.skipIf(!existsSync(`${utkinect}/manifest.json`))(
    'train-dataset trains, evaluates and saves checkpoint + inference model (needs ../shared/datasets/utkinect)',
    async () => {
      const dir = join(out, 'train');
      const stdout = await example('train-dataset.ts', '--data', utkinect, '--epochs', '1', '--width', '4', '--frames', '16', '--clips', '1', '--out', dir);
      expect(stdout).toMatch(/test \(cross_subject_odd_even, 99 clips\): top-1 \d+\.\d %/);
      for (const f of ['checkpoint/model.json', 'checkpoint/weights.bin', 'inference/model.json', 'inference/weights.bin'])
        expect(existsSync(join(dir, f))).toBe(true);
    },
  );

  it.skipIf(!existsSync(`${utkinect}/manifest.json`))(
    'progressive grows 5x5 -> 6x6 and checkpoints every stage (needs ../shared/datasets/utkinect)',
    async () => {
      const dir = join(out, 'progressive');
      const stdout = await example(
        'progressive.ts',
        '--data',
        utkinect,
        '--grids',
        '5,6',
        '--epochs',
        '1,1',
        '--width',
        '4',
        '--frames',
        '16',
        '--clips',
        '1',
        '--out',
        dir,
      );
      expect(stdout).toMatch(/stage 0 \(5x5\): test top-1/);
      expect(stdout).toMatch(/stage 1 \(6x6\): test top-1/);
      for (const g of ['5x5', '6x6']) expect(existsSync(join(dir, g, 'model.json'))).toBe(true);
    },
  );
});
