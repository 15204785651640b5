/**
 * The pose-detector example (examples/pose-detection). Its helpers are tested on hand-made data
 * always; MoveNet and the whole example run only when the example's packages (~250 MB, installed on
 * demand by `npm run example:pose`) are already in examples/pose-detection/.cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interleaveFrame, toBodyFrame } from '../../examples/pose-detection/bodyFrame.js';
import { HUMAN_ASSETS_DIR, HUMAN_MODELS_DIR, cacheIsInstalled, loadJpegDecoder } from '../../examples/pose-detection/cachePackages.js';
import { readGraphModelFiles } from '../../examples/pose-detection/graphModelFiles.js';
import { renderKeypointsSvg, type Photo } from '../../examples/pose-detection/keypointsSvg.js';
import { MoveNet, type RgbImage } from '../../examples/pose-detection/moveNet.js';
import { Ske2GridError } from '../../src/errors.js';
import type { DetectedPose } from '../../src/index.js';

let temp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  temp = mkdtempSync(join(tmpdir(), 'ske2grid-pose-'));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A person frame [17][3] with every keypoint at (0, 0) and score 0, then the given keypoints set. */
function frameWith(points: Record<number, [number, number, number]>): Float32Array {
  const f = new Float32Array(51);
  for (const [j, [x, y, s]] of Object.entries(points)) f.set([x, y, s], 3 * Number(j));
  return f;
}

describe('toBodyFrame (pixels -> the synthetic skeletons body units)', () => {
  it('centres on the hips and scales by the torso length', () => {
    // Shoulders (100,100) (140,100), hips (110,200) (130,200): torso 100 px = 0.5 units, so 200 px per unit.
    const f = frameWith({ 0: [120, 60, 0.9], 5: [140, 100, 0.8], 6: [100, 100, 0.8], 11: [130, 200, 0.7], 12: [110, 200, 0.7], 9: [300, 300, 0.1] });
    toBodyFrame(f);
    expect(f[0]).toBeCloseTo(0, 6); // nose x
    expect(f[1]).toBeCloseTo(-0.7 + 0.05, 6); // (60 - 200) / 200 + 0.05
    expect(Array.from(f.slice(15, 18))).toEqual([expect.closeTo(0.1, 6), expect.closeTo(-0.5 + 0.05, 6), expect.closeTo(0.8, 6)]);
    expect(f[34]).toBeCloseTo(0.05, 6); // left hip y
    expect(Array.from(f.slice(27, 30))).toEqual([0, 0, expect.closeTo(0.1, 6)]); // low-score wrist: (0, 0), score kept
  });

  it('uses the shoulder width when the hips are not visible, and empties a person it cannot measure', () => {
    // Shoulders 68 px apart = 0.34 units: 200 px per unit, hips assumed 100 px below the shoulders.
    const upper = frameWith({ 0: [134, 40, 0.9], 5: [168, 100, 0.9], 6: [100, 100, 0.9] });
    const onlyHead = frameWith({ 0: [50, 50, 0.9], 1: [55, 45, 0.9] });
    const both = new Float32Array([...upper, ...onlyHead]);
    toBodyFrame(both);
    expect(both[0]).toBeCloseTo(0, 6);
    expect(both[1]).toBeCloseTo((40 - 200) / 200 + 0.05, 6);
    expect(both[16]).toBeCloseTo((100 - 200) / 200 + 0.05, 6);
    expect(Array.from(both.slice(51))).toEqual(new Array(51).fill(0));
  });

  it('rejects a frame that is not persons x 17 x 3 values', () => {
    expect(() => toBodyFrame(new Float32Array(50))).toThrow(Ske2GridError);
    expect(() => toBodyFrame(new Float32Array(50))).toThrow('frame: expected a Float32Array of persons x 17 joints x 3 values (x, y, score), got "50 values"');
    expect(() => toBodyFrame(new Float32Array(51), { minScore: NaN })).toThrow(/options\.minScore/);
  });
});

describe('interleaveFrame', () => {
  it('puts x, y and score of each keypoint side by side', () => {
    const keypoint = Float32Array.from({ length: 34 }, (_, i) => i);
    const score = Float32Array.from({ length: 17 }, (_, j) => 100 + j);
    const f = interleaveFrame(keypoint, score);
    expect(f.length).toBe(51);
    expect(Array.from(f.slice(0, 6))).toEqual([0, 1, 100, 2, 3, 101]);
    expect(Array.from(f.slice(48))).toEqual([32, 33, 116]);
    expect(() => interleaveFrame(new Float32Array(34), new Float32Array(16))).toThrow(
      /keypoint, score: expected M\*17\*2 coordinates and M\*17 scores, got "34 coordinates and 16 scores"/,
    );
  });
});

describe('readGraphModelFiles', () => {
  it('reads a graph model with two weight shards that loadGraphModel runs: y = x + w + v', async () => {
    const dir = join(temp, 'graph');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const f32 = { dtype: { type: 'DT_FLOAT' } };
    const json = {
      format: 'graph-model',
      generatedBy: 'hand-written test graph',
      convertedBy: null,
      modelTopology: {
        node: [
          { name: 'x', op: 'Placeholder', attr: { ...f32, shape: { shape: { dim: [{ size: '1' }, { size: '2' }] } } } },
          { name: 'w', op: 'Const', attr: { ...f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }] } } } } },
          { name: 'v', op: 'Const', attr: { ...f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }] } } } } },
          { name: 'xw', op: 'AddV2', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' } } },
          { name: 'y', op: 'AddV2', input: ['xw', 'v'], attr: { T: { type: 'DT_FLOAT' } } },
        ],
        versions: { producer: 1 },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
          weights: [
            { name: 'w', shape: [2], dtype: 'float32' },
            { name: 'v', shape: [2], dtype: 'float32' },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'group1-shard1of2.bin'), Buffer.from(new Float32Array([10, 20, 0.5]).buffer));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), Buffer.from(new Float32Array([0.25]).buffer));
    const artifacts = readGraphModelFiles(join(dir, 'model.json'));
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(16);
    expect(artifacts.weightSpecs!.map((w) => w.name)).toEqual(['w', 'v']);
    const before = tf.memory().numTensors;
    const model = await loadGraphModel(tf.io.fromMemory(artifacts));
    const x = tf.tensor2d([[1, 2]]);
    const y = model.predict(x) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([11.5, 22.25]);
    tf.dispose([x, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the file when it is not a graph model', () => {
    const path = join(temp, 'layers.json');
    writeFileSync(path, JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [] }));
    expect(() => readGraphModelFiles(path)).toThrow(Ske2GridError);
    expect(() => readGraphModelFiles(path)).toThrow(
      `graph model ${path}: expected format 'graph-model' with a topology and a weights manifest, got format "layers-model"`,
    );
    expect(() => readGraphModelFiles(join(temp, 'missing.json'))).toThrow(/expected a readable model\.json/);
  });
});

describe('renderKeypointsSvg', () => {
  it('embeds each photo once and draws bones and joints with a score of at least minScore', () => {
    const photo: Photo = { jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), width: 100, height: 200 };
    const confident: DetectedPose = { keypoints: Array.from({ length: 17 }, (_, j) => ({ x: 10 + j, y: 20 + j, score: 0.9 })) };
    const shaky: DetectedPose = { keypoints: Array.from({ length: 17 }, (_, j) => ({ x: j, y: j, score: j === 0 ? 0.1 : 0.9 })) };
    const svg = renderKeypointsSvg(
      [
        { title: 'a', photo, region: { x: 0, y: 0, width: 100, height: 200 }, poses: [confident] },
        { title: 'b', detail: 'two lines', photo, region: { x: 10, y: 10, width: 50, height: 50 }, poses: [shaky] },
      ],
      { title: 'T & <test>', caption: ['one line'] },
    );
    expect(svg.match(/data:image\/jpeg;base64,/g)).toHaveLength(1);
    expect(svg).toContain(`base64,${Buffer.from(photo.jpeg).toString('base64')}"`);
    // 19 COCO-17 bones + 17 joints for the confident pose; the nose (score 0.1) and its 2 bones are left out of the other.
    expect(svg.match(/<line /g)).toHaveLength(19 + 17);
    expect(svg.match(/<circle /g)).toHaveLength(17 + 16);
    expect(svg).toContain('viewBox="10 10 50 50"');
    expect(svg).toContain('T &#38; &#60;test&#62;');
    expect(svg).toContain('>two lines</text>');
  });
});

const installed = cacheIsInstalled();

describe.skipIf(!installed)('MoveNet and the pose example (needs its packages in examples/pose-detection/.cache: run `npm run example:pose` once)', () => {
  let samples: RgbImage;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    samples = loadJpegDecoder().decode(readFileSync(join(HUMAN_ASSETS_DIR, 'samples.jpg')), { useTArray: true, formatAsRGBA: false });
  });

  it('thunder finds one upright person, facing the camera, in a photo of a standing woman', async () => {
    const movenet = await MoveNet.load(HUMAN_MODELS_DIR, 'thunder');
    const region = { x: 545, y: 0, width: 88, height: 158 };
    const before = tf.memory().numTensors;
    const [pose, ...others] = await movenet.detect(samples, { region });
    expect(tf.memory().numTensors).toBe(before);
    expect(others).toEqual([]);
    const k = pose.keypoints.map((p) => p!);
    expect(k.map((p) => p.name)).toEqual(expect.arrayContaining(['nose', 'left_ankle']));
    const mean = k.reduce((s, p) => s + p.score!, 0) / 17;
    expect(mean).toBeGreaterThan(0.5);
    for (const p of k) {
      expect(p.x).toBeGreaterThanOrEqual(region.x - 5);
      expect(p.x).toBeLessThanOrEqual(region.x + region.width + 5);
      expect(p.y).toBeGreaterThanOrEqual(region.y - 5);
      expect(p.y).toBeLessThanOrEqual(region.y + region.height + 5);
    }
    const y = (j: number) => k[j].y;
    expect(y(0)).toBeLessThan(y(5)); // nose above the shoulder
    expect(y(5)).toBeLessThan(y(11)); // shoulder above the hip
    expect(y(11)).toBeLessThan(y(13)); // hip above the knee
    expect(y(13)).toBeLessThan(y(15)); // knee above the ankle
    expect(k[5].x).toBeGreaterThan(k[6].x); // facing the camera: her left shoulder on the image's right
    await expect(movenet.detect(samples, { region: { x: 1200, y: 0, width: 200, height: 100 } })).rejects.toThrow(
      /options\.region: expected integer \{x, y, width, height\} inside the 1280x1158 image/,
    );
    movenet.dispose();
  });

  it('multipose finds the three people of a photo, best score first', async () => {
    const movenet = await MoveNet.load(HUMAN_MODELS_DIR, 'multipose');
    const poses = await movenet.detect(samples, { region: { x: 1130, y: 0, width: 140, height: 158 } });
    expect(poses).toHaveLength(3);
    const scores = poses.map((p) => p.score!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores[2]).toBeGreaterThanOrEqual(0.2);
    movenet.dispose();
  });

  it('runs end to end: photos and clip drawn, Ske2Grid probabilities, streaming equal to the whole clip', () => {
    const out = join(temp, 'output');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/pose-detection/run.ts', '--no-install', '--out', out], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(run.stderr.replace(/.*nodedir.*\n?/g, '')).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/group photo\s+multipose\s+3 /);
    const probabilities = [...run.stdout.matchAll(/^ {2}(\w+)\s+([\d.]+) %/gm)].map((m) => Number(m[2]));
    expect(probabilities).toHaveLength(8);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    const diff = /same probabilities: max \|difference\| ([\d.e+-]+)/.exec(run.stdout);
    expect(Number(diff?.[1])).toBeLessThan(1e-5);
    for (const file of ['photos.svg', 'clip.svg']) {
      expect(existsSync(join(out, file))).toBe(true);
      const svg = readFileSync(join(out, file), 'utf8');
      expect(svg.match(/<line /g)!.length).toBeGreaterThan(50);
    }
  });
});
