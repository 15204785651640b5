import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/runCli.js';
import { createRandom } from '../../src/random/random.js';
import type { SkeletonSequence } from '../../src/data/skeletonSequence.js';
import { KINECT20 } from '../../src/layouts/kinect20.js';
import { defineLayout } from '../../src/layouts/skeletonLayout.js';
import { writeSkeletonDataset } from '../../src/node/writeSkeletonDataset.js';
import { useBackend } from '../helpers/backends.js';

/** Collects what a command prints; `tty` turns the progress bar on. */
function capture(tty = false): CliIO & { stdout: string[]; stderr: string[]; written: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const written: string[] = [];
  return { stdout, stderr, written, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: tty, write: (t) => written.push(t) };
}

// A 13-joint 2D skeleton (pixel coordinates, a head-first order like Penn Action's).
const BODY13 = defineLayout({
  name: 'body13',
  joints: [
    'head',
    'left_shoulder',
    'right_shoulder',
    'left_elbow',
    'right_elbow',
    'left_wrist',
    'right_wrist',
    'left_hip',
    'right_hip',
    'left_knee',
    'right_knee',
    'left_ankle',
    'right_ankle',
  ],
  edges: [
    [1, 0],
    [2, 0],
    [3, 1],
    [4, 2],
    [5, 3],
    [6, 4],
    [7, 1],
    [8, 2],
    [9, 7],
    [10, 8],
    [11, 9],
    [12, 10],
  ],
  center: 0,
});

/** `n` clips of 2 classes: class 1 moves its joints, class 0 holds still; lengths 6..11 frames. */
function clips(n: number, joints: number, dims: number, scale: number, options: { scores?: boolean; image?: boolean } = {}): SkeletonSequence[] {
  const random = createRandom(7);
  return Array.from({ length: n }, (_, i) => {
    const frames = 6 + (i % 6);
    const label = i % 2;
    const keypoint = new Float32Array(frames * joints * dims);
    for (let t = 0; t < frames; t++)
      for (let v = 0; v < joints; v++)
        for (let c = 0; c < dims; c++)
          keypoint[(t * joints + v) * dims + c] = scale * (0.5 + 0.1 * v + (label ? 0.05 * t * (c + 1) : 0) + 0.01 * random.uniform());
    const s: SkeletonSequence = { keypoint, persons: 1, frames, joints, dims, label, id: `clip${i}` };
    if (options.scores) s.score = new Float32Array(frames * joints).fill(0.9);
    if (options.image) s.imageShape = [480, 640];
    return s;
  });
}

const TINY_TRAIN = ['--epochs', '1', '--width', '2', '--frames', '8', '--clips', '1', '--backend', 'cpu'];

describe('ske2grid train / evaluate / predict on generated datasets', () => {
  let root: string;
  let data2d: string;
  let data2dScores: string;
  let data3d: string;
  beforeAll(async () => {
    await useBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'ske2grid-cli-'));
    data2d = join(root, 'data2d');
    data2dScores = join(root, 'data2d-scores');
    data3d = join(root, 'data3d');
    await writeSkeletonDataset(data2d, clips(20, 13, 2, 400, { image: true }), { name: 'body2d', classes: ['still', 'moving'], layout: BODY13 });
    await writeSkeletonDataset(data2dScores, clips(10, 13, 2, 400, { image: true, scores: true }), {
      name: 'body2d_scores',
      classes: ['still', 'moving'],
      layout: BODY13,
    });
    await writeSkeletonDataset(data3d, clips(20, 20, 3, 1), { name: 'kinect3d', classes: ['still', 'moving'], layout: KINECT20 });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('trains a 2D dataset without scores end to end (x, y channels, image sizes), one plain line per epoch off a terminal', async () => {
    const io = capture();
    const out = join(root, 'run2d');
    const code = await runCli(['train', '--data', data2d, '--out', out, '--grids', '5', ...TINY_TRAIN], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const recipe = JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8'));
    expect([recipe.kind, recipe.channels, recipe.inChannels, recipe.normalization, recipe.clipLength, recipe.stages]).toEqual([
      '2d',
      ['x', 'y'],
      2,
      { kind: 'image2d' },
      8,
      [{ grid: 5, epochs: 1, learningRate: 0.05 }],
    ]);
    const epochLines = io.stdout.filter((l) => l.startsWith('5x5 epoch'));
    expect(epochLines).toHaveLength(1);
    expect(epochLines[0]).toMatch(/^5x5 epoch 1\/1: loss \d+\.\d{4}, train accuracy \d+\.\d %, \d+\.\d clips\/s$/);
    expect(io.written).toEqual([]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ dataset: 'body2d', protocol: 'holdout', trainSamples: 16, testSamples: 4 });
    expect(metrics.stages).toHaveLength(1);
    expect(metrics.stages[0].confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(4);
    for (const f of ['model/model.json', 'model/weights.bin', 'learned-grid.svg', 'training-curves.svg', 'confusion.svg'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(io.stdout[io.stdout.length - 1]).toMatch(/^saved .*model \(5x5, test top-1 \d+\.\d %\), metrics, recipe and pictures in /);
  });

  it('trains a 3D dataset through two grid stages with a progress bar on a terminal, then evaluates and predicts with it', async () => {
    const io = capture(true);
    const out = join(root, 'run3d');
    const before = tf.memory().numTensors;
    expect(await runCli(['train', '--data', data3d, '--out', out, '--grids', '5,6', ...TINY_TRAIN], io)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(io.stdout.some((l) => l.includes(' epoch '))).toBe(false);
    expect(io.written.filter((t) => t.endsWith('\n')).map((t) => t.slice(1, 9))).toEqual(['5x5 epoc', '6x6 epoc']);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.stages.map((s: { grid: string }) => s.grid)).toEqual(['5x5', '6x6']);
    expect(existsSync(join(out, 'stage-5x5', 'model.json'))).toBe(true);
    const recipe = JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8'));
    expect(recipe.normalization).toEqual({ kind: 'view3d', centerJoint: 1, zAxis: [0, 1], xAxis: [8, 4] });

    const ev = capture();
    const file = join(root, 'eval.json');
    expect(await runCli(['evaluate', '--model', out, '--data', data3d, '--backend', 'cpu', '--out', file], ev)).toBe(0);
    expect(ev.stdout[0]).toMatch(/^kinect3d holdout \(4 clips, 1 test clips each\): top-1 \d+\.\d %, top-5 100\.0 %, mean class \d+\.\d %$/);
    const evaluated = JSON.parse(readFileSync(file, 'utf8'));
    expect(evaluated.top['1']).toBe(metrics.stages[1].top1);

    const clip = join(root, 'clip.json');
    const seq = clips(1, 20, 3, 1)[0];
    const frames = Array.from({ length: seq.frames }, (_, t) =>
      Array.from({ length: 20 }, (_, v) => Array.from(seq.keypoint.subarray((t * 20 + v) * 3, (t * 20 + v) * 3 + 3))),
    );
    writeFileSync(clip, JSON.stringify({ keypoints: frames }));
    const pr = capture();
    expect(await runCli(['predict', '--model', out, clip, '--backend', 'cpu', '--json'], pr)).toBe(0);
    const result = JSON.parse(pr.stdout[0]);
    expect(result.predictions.map((p: { class: string }) => p.class).sort()).toEqual(['moving', 'still']);
    expect(result.predictions[0].probability + result.predictions[1].probability).toBeCloseTo(1, 5);
  });

  it('names both sides and the fix when model and data do not fit (joints, channels, persons, frames)', async () => {
    const out = join(root, 'run2d');
    const joints = capture();
    expect(await runCli(['evaluate', '--model', join(root, 'run3d'), '--data', data2d, '--backend', 'cpu'], joints)).toBe(1);
    expect(joints.stderr[0]).toBe(
      "dataset body2d has 13 joints per person (layout 'body2d'); the model expects 20 (layout 'kinect3d'): build it with the data's layout (e.g. layout: layoutFromManifest(manifest))",
    );
    const channels = capture();
    expect(await runCli(['evaluate', '--model', out, '--data', data2dScores, '--backend', 'cpu'], channels)).toBe(1);
    expect(channels.stderr[0]).toBe('dataset body2d_scores has 3 channels (x, y, score); the model expects 2 (x, y): build it with inChannels: 3');
    const persons = capture();
    expect(
      await runCli(
        ['train', '--data', data2d, '--out', join(root, 'p'), '--resume', join(out, 'model'), '--persons', '2', '--grids', '5', ...TINY_TRAIN],
        persons,
      ),
    ).toBe(1);
    expect(persons.stderr[0]).toBe('dataset body2d has 2 person slots; the model expects 1: build it with persons: 2 (or format the clips with persons: 1)');
    const frames = capture();
    expect(
      await runCli(
        ['train', '--data', data2d, '--out', join(root, 'f'), '--resume', join(out, 'model'), '--grids', '5', ...TINY_TRAIN, '--frames', '16'],
        frames,
      ),
    ).toBe(1);
    expect(frames.stderr[0]).toBe(
      'dataset body2d has clips of 16 frames; the model expects 8: build it with frames: 16 (or frames: null for any length), or sample clips of 8 frames (clipLen: 8)',
    );
  });
});

describe('help and usage errors of the dataset commands', () => {
  it("prints each command's help with its options", async () => {
    for (const [name, flags] of [
      [
        'train',
        [
          '--data DIR',
          '--protocol NAME',
          '--out DIR',
          '--grids G,G',
          '--epochs N,N',
          '--width N',
          '--backend NAME',
          '--seed N',
          '--resume DIR',
          '--joints ROLE=J,...',
        ],
      ],
      ['evaluate', ['--model DIR', '--data DIR', '--protocol NAME']],
      ['predict', ['--model DIR', '--top K', 'clip.json']],
    ] as const) {
      const io = capture();
      expect(await runCli([name, '--help'], io)).toBe(0);
      for (const f of flags) expect(io.stdout[0], `${name} ${f}`).toContain(f);
    }
  });

  it('refuses unknown options with the nearest valid one, and a missing --data', async () => {
    const io = capture();
    expect(await runCli(['train', '--data', 'x', '--epoch', '3'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(
      /^ske2grid train: unknown option --epoch \(did you mean --epochs\?\); valid options: --help, --data, --out, --backend, --resume, --protocol, /,
    );
    const none = capture();
    expect(await runCli(['train'], none)).toBe(2);
    expect(none.stderr[0]).toMatch(
      /^ske2grid train: expected --data DIR \(dataset directory \(manifest\.json \+ data\.f32\)\), got none \(usage: ske2grid train /,
    );
    const bad = capture();
    expect(await runCli(['train', '--data', 'x', '--grids', '5,six'], bad)).toBe(2);
    expect(bad.stderr[0]).toBe('--grids: expected a comma-separated list of positive integers, got "5,six"');
    const roles = capture();
    expect(await runCli(['train', '--data', 'x', '--joints', 'hips=3'], roles)).toBe(2);
    expect(roles.stderr[0]).toBe('--joints: expected ROLE=JOINT pairs with roles among center, spineBase, spineTop, shoulderRight, shoulderLeft, got "hips=3"');
  });
});
