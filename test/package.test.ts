/**
 * The packed tarball works for a consumer: `npm pack` (which builds through `prepack`) holds the
 * files the `exports` map names and nothing private, and a fresh project that installs it next to
 * a single copy of the tfjs peer dependencies can use it from ESM and from CommonJS, including a
 * save/load round trip (which only works when the custom layer classes were registered in the
 * consumer's tfjs registry) and the `ske2grid/node` subpath, and type-check against it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorsOf, linkTargets } from './helpers/markdown.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACK_TIMEOUT = 180_000;

/** Files a consumer needs: every target of the `exports` map (checked separately below, too). */
const REQUIRED = [
  'package.json',
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/node.js',
  'dist/node.cjs',
  'dist/node.d.ts',
  'dist/node.d.cts',
];
/** Files that must be in the tarball whenever they exist at the repo root. */
const IF_PRESENT = ['README.md', 'LICENSE', 'CHANGELOG.md'];
/** Paths that must never be published (sources, tests, shared fixtures/datasets, scratch work). */
const FORBIDDEN = [/^test\//, /^src\//, /^scratch\//, /(^|\/)fixtures(\/|$)/, /(^|\/)datasets(\/|$)/, /\.map$/, /\.tgz$/];

const MODEL_CONFIG = `{ numClasses: 3, frames: 8, persons: 1, blocks: [{ filters: 4, stride: 1 }, { filters: 8, stride: 2 }] }`;

/** Body shared by the ESM and CJS consumer scripts (tf, tfl, buildSke2Grid, readParityFixture in scope). */
const CONSUMER_BODY = `
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'cpu') throw new Error('cpu backend not active: ' + tf.getBackend());
  const model = buildSke2Grid(${MODEL_CONFIG});
  // Zeros (as asked) give all-zero logits whatever the weights are, so a deterministic
  // non-zero input is compared too.
  const inputs = [
    tf.zeros([1, 1, 8, 17, 3]),
    tf.reshape(tf.sin(tf.range(0, 8 * 17 * 3)), [1, 1, 8, 17, 3]),
  ];
  const before = inputs.map((x) => model.predict(x));
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const after = inputs.map((x) => loaded.predict(x));
  const maxDiff = Math.max(...before.map((b, i) => tf.max(tf.abs(tf.sub(b, after[i]))).dataSync()[0]));
  const nonZeroMaxAbs = tf.max(tf.abs(before[1])).dataSync()[0];
  console.log(JSON.stringify({
    ok: true,
    shape: after[0].shape,
    maxDiff,
    nonZeroMaxAbs,
    onnxBytes: (await exportOnnx(model)).length,
    classNames: [...new Set(loaded.layers.map((l) => l.getClassName()))],
    readParityFixture: typeof readParityFixture,
    sharedErrorClass: (() => {
      try { readParityFixture('no-such-fixture-dir'); } catch (e) { return e instanceof Ske2GridError; }
      return false;
    })(),
  }));
`;

const ESM_SCRIPT = `import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { buildSke2Grid, exportOnnx, Ske2GridError } from 'ske2grid';
import { readParityFixture } from 'ske2grid/node';
${CONSUMER_BODY}
`;

const CJS_SCRIPT = `'use strict';
const tf = require('@tensorflow/tfjs-core');
const tfl = require('@tensorflow/tfjs-layers');
require('@tensorflow/tfjs-backend-cpu');
const { buildSke2Grid, exportOnnx, Ske2GridError } = require('ske2grid');
const { readParityFixture } = require('ske2grid/node');
(async () => {
${CONSUMER_BODY}
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
`;

/** Type-level use from both module formats, including `ske2grid/node` feeding `ske2grid`. */
const TYPES_BODY = `
const model: tfl.LayersModel = buildSke2Grid(${MODEL_CONFIG});
const fixture: ParityFixture = readParityFixture('fixture-dir');
// The fixture from ske2grid/node must be accepted by ske2grid's runParityChecks.
const checks = runParityChecks(readParityFixture('fixture-dir'));
const check: ParityCheck | undefined = undefined;
export { model, fixture, checks, check };
`;
const TYPES_MTS = `import type * as tfl from '@tensorflow/tfjs-layers';
import { buildSke2Grid, runParityChecks, type ParityCheck, type ParityFixture } from 'ske2grid';
import { readParityFixture } from 'ske2grid/node';
${TYPES_BODY}`;
const TYPES_CTS = `import type * as tfl from '@tensorflow/tfjs-layers';
import { buildSke2Grid, runParityChecks, type ParityCheck, type ParityFixture } from 'ske2grid';
import { readParityFixture } from 'ske2grid/node';
${TYPES_BODY}`;

interface ConsumerResult {
  ok: boolean;
  shape: number[];
  maxDiff: number;
  nonZeroMaxAbs: number;
  onnxBytes: number;
  classNames: string[];
  readParityFixture: string;
  sharedErrorClass: boolean;
}

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n--- stdout\n${err.stdout ?? ''}\n--- stderr\n${err.stderr ?? ''}`);
  }
}

/** The last stdout line that parses as a JSON object. */
function lastJsonLine(stdout: string): ConsumerResult {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`expected a JSON result line, got stdout:\n${stdout}`);
  return JSON.parse(line) as ConsumerResult;
}

describe('packed tarball', () => {
  let tmp: string;
  let tarball: string;
  let files: string[];
  let consumer: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ske2grid-pack-'));
    const packDir = join(tmp, 'pack');
    mkdirSync(packDir);
    // The prepack build logs to stdout before npm's JSON: parse from the line that opens the array.
    const out = run('npm', ['pack', '--json', '--pack-destination', packDir], ROOT);
    const start = out.search(/^\[/m);
    if (start < 0) throw new Error(`npm pack --json: expected a JSON array on stdout, got:\n${out}`);
    const [info] = JSON.parse(out.slice(start)) as { filename: string }[];
    tarball = join(packDir, info.filename);
    if (!existsSync(tarball)) throw new Error(`npm pack: expected ${tarball}, got no such file`);
    files = run('tar', ['-tzf', tarball], tmp)
      .split('\n')
      .filter((l) => l !== '' && !l.endsWith('/'))
      .map((l) => l.replace(/^package\//, ''));

    consumer = join(tmp, 'consumer');
    const pkgDir = join(consumer, 'node_modules', 'ske2grid');
    mkdirSync(pkgDir, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1'], tmp);
    // One tfjs copy, shared with the package, as a consumer that installed the peers has.
    symlinkSync(join(ROOT, 'node_modules', '@tensorflow'), join(consumer, 'node_modules', '@tensorflow'), 'junction');
    // The package's runtime dependencies, as npm would install them beside it.
    const runtime = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    for (const dep of runtime) symlinkSync(join(ROOT, 'node_modules', dep), join(consumer, 'node_modules', dep), 'junction');
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
    writeFileSync(join(consumer, 'test.mjs'), ESM_SCRIPT);
    writeFileSync(join(consumer, 'test.cjs'), CJS_SCRIPT);
    writeFileSync(join(consumer, 'types.mts'), TYPES_MTS);
    writeFileSync(join(consumer, 'types.cts'), TYPES_CTS);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'es2020', skipLibCheck: true, types: [] },
        files: ['types.mts', 'types.cts'],
      }),
    );
  }, PACK_TIMEOUT);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the built entry points and the docs present at the repo root', () => {
    const expected = [...REQUIRED, ...IF_PRESENT.filter((f) => existsSync(join(ROOT, f)))];
    const missing = expected.filter((f) => !files.includes(f));
    expect(missing, `missing from the tarball: ${missing.join(', ')} (tarball: ${files.join(', ')})`).toEqual([]);
  });

  it('holds every file the exports map names', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: unknown };
    const targets: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') targets.push(v.replace(/^\.\//, ''));
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    const missing = [...new Set(targets)].filter((t) => !files.includes(t));
    expect(missing, `exports targets missing from the tarball: ${missing.join(', ')}`).toEqual([]);
  });

  it('holds every bin target, and the bin starts (usage on no arguments)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    const bins = Object.entries(pkg.bin ?? {}).map(([name, target]) => [name, target.replace(/^\.\//, '')] as const);
    const missing = bins.filter(([, t]) => !files.includes(t)).map(([n, t]) => `${n} -> ${t}`);
    expect(missing, `bin targets missing from the tarball: ${missing.join(', ')}`).toEqual([]);
    for (const [name, target] of bins) {
      const r = spawnSync(process.execPath, [join(consumer, 'node_modules', 'ske2grid', target)], { cwd: consumer, encoding: 'utf8' });
      expect(r.status, `${name} with no arguments: expected exit code 2 (usage), got ${r.status}\n${r.stdout}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/usage:/);
    }
  });

  it('holds no sources, tests, fixtures, datasets, scratch files or source maps', () => {
    const leaked = files.filter((f) => FORBIDDEN.some((re) => re.test(f)));
    expect(leaked, `files that must not be published: ${leaked.join(', ')}`).toEqual([]);
  });

  it('does not bundle tfjs (peer dependencies stay external)', () => {
    // The entries re-export shared chunks; read every built module of each format.
    const dist = join(consumer, 'node_modules/ske2grid/dist');
    const read = (ext: string) =>
      readdirSync(dist)
        .filter((f) => f.endsWith(ext))
        .map((f) => readFileSync(join(dist, f), 'utf8'))
        .join('\n');
    const esm = read('.js');
    const cjs = read('.cjs');
    expect(esm).toMatch(/from ["']@tensorflow\/tfjs-core["']/);
    expect(cjs).toMatch(/require\(["']@tensorflow\/tfjs-core["']\)/);
    expect(esm).toMatch(/from ["']@tensorflow\/tfjs-layers["']/);
    expect(cjs).toMatch(/require\(["']@tensorflow\/tfjs-layers["']\)/);
    // A bundled tfjs would define its engine and kernel registry here.
    for (const code of [esm, cjs]) expect(code).not.toMatch(/registerKernel\s*\(|class Engine\b/);
  });

  it.each([
    ['ESM', 'test.mjs'],
    ['CommonJS', 'test.cjs'],
  ])('works from %s: build, predict, save/load round trip, ske2grid/node', (_format, script) => {
    const result = lastJsonLine(run(process.execPath, [script], consumer));
    expect(result.ok).toBe(true);
    expect(result.shape).toEqual([1, 3]);
    expect(result.maxDiff).toBeLessThan(1e-6);
    expect(result.nonZeroMaxAbs).toBeGreaterThan(0);
    expect(result.onnxBytes).toBeGreaterThan(1000);
    expect(result.classNames).toEqual(expect.arrayContaining(['Ske2GridGridConvBlock', 'Ske2GridGridIndexTransform']));
    expect(result.readParityFixture).toBe('function');
    // ske2grid/node shares its classes with ske2grid (one copy at run time).
    expect(result.sharedErrorClass).toBe(true);
  });

  it('type-checks from ESM and CommonJS consumers (node16 resolution)', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer);
  });
});

describe('README on the npm page', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    repository?: { type?: string; url?: string };
    homepage?: string;
    bugs?: { url?: string };
  };
  /** The repository's web address, from package.json's `repository` (git+https://github.com/o/r.git -> https://github.com/o/r). */
  const web = (pkg.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');

  it('package.json names the repository, the homepage and where to report bugs (npm shows them)', () => {
    expect(pkg.repository?.type).toBe('git');
    expect(web).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(pkg.homepage).toBe(`${web}#readme`);
    expect(pkg.bugs?.url).toBe(`${web}/issues`);
  });

  it('every README link is absolute (the docs are not in the tarball) and points at a file of this repository that exists', () => {
    const targets = linkTargets(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(targets.length).toBeGreaterThan(5);
    const broken: string[] = [];
    for (const target of targets) {
      if (!/^(https?|mailto):/.test(target)) {
        broken.push(`${target} (relative: nothing to open on the npm page)`);
        continue;
      }
      if (!target.startsWith(`${web}/`) && !target.startsWith(`${web}#`)) continue; // another site
      const m = /^(?:\/(blob|tree)\/main\/([^#]*))?(?:#(.*))?$/.exec(target.slice(web.length));
      if (!m) {
        broken.push(`${target} (expected ${web}/blob/main/<file> or ${web}/tree/main/<folder>)`);
        continue;
      }
      const [, kind, path = 'README.md', anchor] = m;
      const file = join(ROOT, path);
      if (!existsSync(file)) broken.push(`${target} (no ${path})`);
      else if (kind === 'tree' && !statSync(file).isDirectory()) broken.push(`${target} (${path} is a file: /blob/)`);
      else if (kind === 'blob' && statSync(file).isDirectory()) broken.push(`${target} (${path} is a folder: /tree/)`);
      else if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor)) broken.push(`${target} (no heading #${anchor} in ${path})`);
    }
    expect(broken).toEqual([]);
  });
});
