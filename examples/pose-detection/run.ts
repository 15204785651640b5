/**
 * Pose-detector example (`npm run example:pose`): photos of people -> MoveNet (tfjs graph models read
 * from local files, no tfjs-node, no network at run time) -> COCO-17 keypoints -> Ske2Grid.
 *
 * 1. Installs its packages on first use into `examples/pose-detection/.cache/` (git-ignored, outside the
 *    library's dependencies; see cachePackages.ts): MoveNet weights, photos, a JPEG decoder.
 * 2. Runs single-pose MoveNet and multipose MoveNet on photos of people and draws the keypoints:
 *    `output/photos.svg`.
 * 3. Makes a 32-frame clip from one photo (no video of people ships in a package here, so a simulated
 *    hand-held camera pans and zooms over it), runs MoveNet on every frame, turns the poses into a
 *    COCO-17 sequence with `posesToSequence`, and classifies it with the browser example's Ske2Grid
 *    model, once as a whole clip and once frame by frame through `StreamingRecognizer` (the live-camera
 *    path); draws frames of it: `output/clip.svg`.
 *
 *   npm run example:pose -- [--backend wasm|cpu] [--model thunder|lightning] [--out DIR] [--no-install]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { PersonSlotTracker, StreamingRecognizer, argmax, poseFrameToKeypoints, posesToSequence, softmax, type DetectedPose } from '../../src/index.js';
import { loadModel } from '../../src/node.js';
import { exampleMetadata } from '../browser/exampleData.js';
import { interleaveFrame, toBodyFrame } from './bodyFrame.js';
import { HUMAN_ASSETS_DIR, HUMAN_MODELS_DIR, POSE_CACHE_DIR, cacheIsInstalled, installCachePackages, loadJpegDecoder } from './cachePackages.js';
import { renderKeypointsSvg, type KeypointPanel, type Photo } from './keypointsSvg.js';
import { MoveNet, type MoveNetVariant, type Region, type RgbImage } from './moveNet.js';
import { setUpScript } from '../../scripts/scriptSetup.js';

setUpScript('pose-detection');

const args = process.argv.slice(2);
const option = (flag: string, fallback: string) => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const backend = option('--backend', 'wasm');
const variant = option('--model', 'thunder') as MoveNetVariant;
const out = option('--out', here('./output'));
if (!['wasm', 'cpu'].includes(backend)) usage(`--backend: expected wasm or cpu, got ${JSON.stringify(backend)}`);
if (variant !== 'thunder' && variant !== 'lightning') usage(`--model: expected thunder or lightning, got ${JSON.stringify(variant)}`);

// 1. Packages on demand.
if (!cacheIsInstalled()) {
  if (args.includes('--no-install')) {
    console.error(`the example's packages are not installed in ${POSE_CACHE_DIR}; run without --no-install to install them (about 250 MB)`);
    process.exit(3);
  }
  installCachePackages();
}
await tf.setBackend(backend);
await tf.ready();
mkdirSync(out, { recursive: true });
const jpeg = loadJpegDecoder();

/** A photo from the cache: the JPEG bytes (for drawing) and its decoded RGB pixels (for MoveNet). */
function readPhoto(file: string): { photo: Photo; rgb: RgbImage } {
  const bytes = readFileSync(join(HUMAN_ASSETS_DIR, file));
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  return { photo: { jpeg: bytes, width, height }, rgb: { data, width, height } };
}
const samples = readPhoto('samples.jpg');
const vrm = readPhoto('screenshot-vrm.jpg');
const single = await MoveNet.load(HUMAN_MODELS_DIR, variant);
const multi = await MoveNet.load(HUMAN_MODELS_DIR, 'multipose');
console.log(`MoveNet ${variant} and multipose loaded from ${relative(process.cwd(), HUMAN_MODELS_DIR)} on ${tf.getBackend()}`);

// 2. Still photos. samples.jpg is a collage: a row of thumbnails above one large group photo.
const stills: { title: string; source: { photo: Photo; rgb: RgbImage }; region: Region; detector: MoveNet }[] = [
  { title: 'standing', source: samples, region: { x: 545, y: 0, width: 88, height: 158 }, detector: single },
  { title: 'standing, arms bent', source: samples, region: { x: 642, y: 0, width: 146, height: 158 }, detector: single },
  { title: 'sitting on a stool', source: samples, region: { x: 797, y: 0, width: 106, height: 158 }, detector: single },
  { title: 'three people', source: samples, region: { x: 1130, y: 0, width: 140, height: 158 }, detector: multi },
  { title: 'group photo', source: samples, region: { x: 0, y: 196, width: 1280, height: 962 }, detector: multi },
  { title: 'webcam, upper body', source: vrm, region: { x: 476, y: 3, width: 321, height: 240 }, detector: single },
];
const meanScore = (p: DetectedPose) => p.keypoints.reduce((s, k) => s + (k?.score ?? 0), 0) / p.keypoints.length;
const panels: KeypointPanel[] = [];
console.log('\nphoto                 model       persons  mean keypoint score  time');
for (const s of stills) {
  const start = performance.now();
  const poses = await s.detector.detect(s.source.rgb, { region: s.region });
  const ms = performance.now() - start;
  const scores = poses.map((p) => meanScore(p).toFixed(2)).join(', ');
  console.log(`${s.title.padEnd(21)} ${s.detector.variant.padEnd(11)} ${String(poses.length).padStart(7)}  ${scores.padEnd(19)}  ${ms.toFixed(0)} ms`);
  panels.push({
    title: s.title,
    detail: `${s.detector.variant} · ${poses.length} ${poses.length === 1 ? 'person' : 'persons'}`,
    photo: s.source.photo,
    region: s.region,
    poses,
  });
}
const photosSvg = join(out, 'photos.svg');
writeFileSync(
  photosSvg,
  renderKeypointsSvg(panels, {
    title: 'MoveNet keypoints (COCO-17) on photos from @vladmandic/human',
    caption: ['Keypoints with score >= 0.3 drawn; bones coloured by body part (left limbs blue, right limbs orange).'],
    panelHeight: 260,
  }),
);

// 3. A clip: 32 frames of a 360x480 "video" from a camera panning and zooming over one person.
const FRAMES = 32;
const VIDEO = { width: 360, height: 480 };
const group = { x: 0, y: 196, width: 1280, height: 962 };
const windows = cameraPath({ x: 310, y: 790 }, 690, FRAMES, group);
const framePoses: DetectedPose[][] = [];
let detectMs = 0;
for (const win of windows) {
  const start = performance.now();
  const poses = await single.detect(samples.rgb, { region: win });
  detectMs += performance.now() - start;
  // Into the coordinates of the simulated video frame (the window scaled to 360x480).
  const sx = VIDEO.width / win.width,
    sy = VIDEO.height / win.height;
  framePoses.push(poses.map((p) => ({ ...p, keypoints: p.keypoints.map((k) => k && { ...k, x: (k.x - win.x) * sx, y: (k.y - win.y) * sy }) })));
}
const sequence = posesToSequence(framePoses, { persons: 1, format: 'movenet', imageShape: [VIDEO.height, VIDEO.width], id: 'group-photo-camera' });
console.log(
  `\nclip: ${FRAMES} frames, MoveNet ${variant} ${(detectMs / FRAMES).toFixed(0)} ms per frame; COCO-17 sequence [M=${sequence.persons}, T=${sequence.frames}, V=${sequence.joints}, C=${sequence.dims}] + scores`,
);

// Ske2Grid: the browser example's model (8 synthetic actions, 32 frames, 1 person), input in body units.
const model = await loadModel(here('../browser/model'));
const { classes } = exampleMetadata(model);
const v = sequence.joints;
const frames = Array.from({ length: FRAMES }, (_, t) => {
  const frame = interleaveFrame(sequence.keypoint.subarray(t * v * 2, (t + 1) * v * 2), sequence.score!.subarray(t * v, (t + 1) * v));
  toBodyFrame(frame);
  return frame;
});
const input = new Float32Array(FRAMES * v * 3);
frames.forEach((f, t) => input.set(f, t * v * 3));
const x = tf.tensor(input, [1, 1, FRAMES, v, 3]);
const logits = model.predict(x) as tf.Tensor;
const probabilities = softmax(await logits.data());
tf.dispose([x, logits]);

// The live-camera path on the same frames: one frame at a time, as a browser would get them.
const tracker = new PersonSlotTracker(1);
const recognizer = new StreamingRecognizer(model, { every: 8, preprocess: (f) => toBodyFrame(f) });
let streamed: Float32Array | null = null;
for (const poses of framePoses) {
  const { keypoint, score } = poseFrameToKeypoints(poses, { tracker, format: 'movenet' });
  streamed = recognizer.push(interleaveFrame(keypoint, score)) ?? streamed;
}
recognizer.dispose();
const streamDiff = streamed ? Math.max(...probabilities.map((p, k) => Math.abs(p - streamed![k]))) : NaN;

const ranked = probabilities.map((p, k) => [k, p] as const).sort((a, b) => b[1] - a[1]);
console.log('\nSke2Grid class probabilities (browser example model, trained on synthetic actions only):');
for (const [k, p] of ranked) console.log(`  ${classes[k].padEnd(14)} ${(p * 100).toFixed(1).padStart(5)} %  ${'#'.repeat(Math.round(p * 40))}`);
console.log(
  `predicted: ${classes[argmax(probabilities)]}. A person standing still in a photo performs none of the 8 synthetic actions: this shows the pipeline, not a recognised action.`,
);
console.log(`StreamingRecognizer fed frame by frame gives the same probabilities: max |difference| ${streamDiff.toExponential(1)}`);

const shown = [0, 4, 8, 12, 16, 20, 24, 28];
const top3 = ranked
  .slice(0, 3)
  .map(([k, p]) => `${classes[k]} ${(p * 100).toFixed(1)} %`)
  .join(', ');
const clipSvg = join(out, 'clip.svg');
writeFileSync(
  clipSvg,
  renderKeypointsSvg(
    shown.map((t) => ({
      title: `frame ${t + 1}`,
      photo: samples.photo,
      region: windows[t],
      poses: framePoses[t].map((p) => ({
        ...p,
        keypoints: p.keypoints.map(
          (k) => k && { ...k, x: windows[t].x + (k.x * windows[t].width) / VIDEO.width, y: windows[t].y + (k.y * windows[t].height) / VIDEO.height },
        ),
      })),
    })),
    {
      title: `A 32-frame clip from one photo (simulated moving camera), MoveNet ${variant} on every frame`,
      caption: [
        `Ske2Grid (browser example model, synthetic actions): ${top3}.`,
        'A still person performs none of those actions: the clip shows the plumbing, frames -> MoveNet -> COCO-17 -> Ske2Grid.',
      ],
      panelHeight: 190,
      maxWidth: 1250,
    },
  ),
);
console.log(`\nwrote ${relative(process.cwd(), photosSvg)} and ${relative(process.cwd(), clipSvg)}`);
single.dispose();
multi.dispose();
model.dispose();

/**
 * Windows of a camera that pans around `centre` and zooms in and out over `frames` frames: 3:4 portrait
 * windows about `height` pixels tall (+-12 %), centre moving +-25 px sideways and +-15 px up and down,
 * kept inside `bounds`. Integer pixel regions.
 */
function cameraPath(centre: { x: number; y: number }, height: number, frames: number, bounds: Region): Region[] {
  return Array.from({ length: frames }, (_, t) => {
    const phase = (2 * Math.PI * t) / frames;
    const h = Math.min(bounds.height, Math.round(height * (1 + 0.12 * Math.sin(phase))));
    const w = Math.min(bounds.width, Math.round((h * VIDEO.width) / VIDEO.height));
    const cx = centre.x + 25 * Math.cos(phase);
    const cy = centre.y + 15 * Math.sin(2 * phase);
    const x = Math.round(Math.min(Math.max(cx - w / 2, bounds.x), bounds.x + bounds.width - w));
    const y = Math.round(Math.min(Math.max(cy - h / 2, bounds.y), bounds.y + bounds.height - h));
    return { x, y, width: w, height: h };
  });
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run example:pose -- [--backend wasm|cpu] [--model thunder|lightning] [--out DIR] [--no-install]`);
  process.exit(2);
}
