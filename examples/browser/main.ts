/**
 * The browser example's page script (bundled into `dist/main.js` by `build.ts`): loads the saved
 * Ske2Grid model and the recorded clip, classifies the clip on the tfjs backend named by
 * `?backend=webgl|wasm|webgpu|cpu` (default webgl), and draws the skeleton animation, the class
 * probabilities and the learned grid. The outcome is also written to `#result`'s data attributes
 * (`data-state`, `data-backend`, `data-predicted`, `data-probabilities`) for the test.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { COCO17, Ske2GridError, argmax, bodyPartOfCocoJoint, getModelConfig, gridStageFromMatrix, renderGridSvg, fail } from '../../src/index.js';
import { exampleMetadata, parseExampleSequence, type ExampleSequence } from './exampleData.js';

/** Backends the page can run on, default first. */
const BACKENDS = ['webgl', 'wasm', 'webgpu', 'cpu'] as const;
type Backend = (typeof BACKENDS)[number];

/** Okabe-Ito colours per body part, as in the learned-grid picture (left limbs blue, right limbs orange). */
const PART_COLOURS: Record<string, string> = {
  head: '#CC79A7',
  torso: '#009E73',
  left_arm: '#0072B2',
  right_arm: '#D55E00',
  left_leg: '#56B4E9',
  right_leg: '#E69F00',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const result = $<HTMLElement>('result');

/** The backend asked for in the URL; an unknown name is an error shown on the page. */
function requestedBackend(): Backend {
  const name = new URLSearchParams(location.search).get('backend') ?? 'webgl';
  if (!(BACKENDS as readonly string[]).includes(name)) fail('?backend', `one of ${BACKENDS.join(', ')}`, name);
  return name as Backend;
}

/** Switches tfjs to `name`; throws when the browser does not support it (tfjs would silently stay on another). */
async function useBackend(name: Backend): Promise<void> {
  setWasmPaths('./dist/');
  const ok = await tf.setBackend(name).catch(() => false);
  await tf.ready();
  if (!ok || tf.getBackend() !== name)
    throw new Ske2GridError(`?backend: expected a backend this browser supports, got '${name}' (tfjs could not initialise it)`);
}

/** Marks the backend links, the active one highlighted. */
function showBackendLinks(active: Backend): void {
  $('backends').innerHTML = BACKENDS.map(
    (b) => `<a href="?backend=${b}" class="${b === active ? 'chip active' : 'chip'}"${b === active ? ' aria-current="true"' : ''}>${b}</a>`,
  ).join('');
}

/** Draws frame `t` of the clip on the canvas, fitted to the bounding box of all confident joints. */
function skeletonPainter(canvas: HTMLCanvasElement, seq: ExampleSequence): (t: number) => void {
  const [persons, frames, joints, channels] = seq.shape;
  const at = (m: number, t: number, v: number) => ((m * frames + t) * joints + v) * channels;
  const k = seq.keypoints;
  const confident = (i: number) => k[i + 2] >= 0.5 && !(k[i] === 0 && k[i + 1] === 0);
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (let m = 0; m < persons; m++) {
    for (let t = 0; t < frames; t++) {
      for (let v = 0; v < joints; v++) {
        const i = at(m, t, v);
        if (!confident(i)) continue;
        [minX, maxX, minY, maxY] = [Math.min(minX, k[i]), Math.max(maxX, k[i]), Math.min(minY, k[i + 1]), Math.max(maxY, k[i + 1])];
      }
    }
  }
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth,
    height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(ratio, ratio);
  const pad = 24;
  const scale = Math.min((width - 2 * pad) / (maxX - minX || 1), (height - 2 * pad - 20) / (maxY - minY || 1));
  const ox = width / 2 - (scale * (minX + maxX)) / 2;
  const oy = (height - 20) / 2 - (scale * (minY + maxY)) / 2;
  const px = (i: number): [number, number] => [ox + scale * k[i], oy + scale * k[i + 1]];
  const boneColour = (a: number, b: number) => {
    const pa = bodyPartOfCocoJoint(a),
      pb = bodyPartOfCocoJoint(b);
    return PART_COLOURS[pa === 'torso' ? pb : pa];
  };
  return (t: number) => {
    ctx.clearRect(0, 0, width, height);
    ctx.strokeStyle = '#d9dde3';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad, oy + scale * maxY + 6);
    ctx.lineTo(width - pad, oy + scale * maxY + 6);
    ctx.stroke();
    ctx.lineCap = 'round';
    for (let m = 0; m < persons; m++) {
      ctx.lineWidth = 5;
      for (const [a, b] of COCO17.edges) {
        const ia = at(m, t, a),
          ib = at(m, t, b);
        if (!confident(ia) || !confident(ib)) continue;
        ctx.strokeStyle = boneColour(a, b);
        ctx.beginPath();
        ctx.moveTo(...px(ia));
        ctx.lineTo(...px(ib));
        ctx.stroke();
      }
      for (let v = 0; v < joints; v++) {
        const i = at(m, t, v);
        if (!confident(i)) continue;
        ctx.fillStyle = '#1f2933';
        ctx.beginPath();
        ctx.arc(...px(i), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.fillStyle = '#52606d';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(`frame ${t + 1} / ${frames}`, pad, height - 8);
  };
}

/** Animates the clip at 12 frames per second, looping; draws frame 0 at once. */
function animate(draw: (t: number) => void, frames: number): void {
  const start = performance.now();
  let shown = -1;
  const tick = (now: number) => {
    const t = Math.floor(((now - start) / 1000) * 12) % frames;
    if (t !== shown) draw((shown = t));
    requestAnimationFrame(tick);
  };
  draw((shown = 0));
  requestAnimationFrame(tick);
}

/** The class probabilities as horizontal bars, the predicted class highlighted and the true label marked. */
function showProbabilities(classes: string[], probabilities: number[], predicted: number, label: number): void {
  $('bars').innerHTML = classes
    .map((name, c) => {
      const p = probabilities[c];
      const cls = ['bar-row', c === predicted ? 'predicted' : '', c === label ? 'truth' : ''].join(' ').trim();
      return (
        `<div class="${cls}" data-class="${name}"><span class="bar-name">${name.replace(/_/g, ' ')}</span>` +
        `<span class="bar-track"><span class="bar" style="width:${(p * 100).toFixed(2)}%"></span></span>` +
        `<span class="bar-value">${(p * 100).toFixed(1)} %</span></div>`
      );
    })
    .join('');
}

async function main(): Promise<void> {
  const backend = requestedBackend();
  showBackendLinks(backend);
  await useBackend(backend);
  $('backend').textContent = tf.getBackend();

  const [seqJson, model] = await Promise.all([fetch('./sequence.json').then((r) => r.json()), tfl.loadLayersModel('./model/model.json')]);
  const seq = parseExampleSequence(seqJson);
  const meta = exampleMetadata(model);
  const config = getModelConfig(model);
  $('clip').textContent = `${seq.labelName.replace(/_/g, ' ')} · ${seq.shape[1]} frames · COCO-17`;
  animate(skeletonPainter($<HTMLCanvasElement>('skeleton'), seq), seq.shape[1]);

  // Classify: [1, persons, frames, 17, 3] -> logits [1, K] -> softmax, read asynchronously (no GPU stall).
  const x = tf.tensor(seq.keypoints, [1, ...seq.shape]);
  const timings: number[] = [];
  let probabilities: number[] = [];
  for (let run = 0; run < 2; run++) {
    const start = performance.now();
    const p = tf.tidy(() => tf.softmax(model.predict(x) as tf.Tensor));
    probabilities = Array.from(await p.data());
    p.dispose();
    timings.push(performance.now() - start);
  }
  x.dispose();
  const predicted = argmax(probabilities);
  showProbabilities(meta.classes, probabilities, predicted, seq.label);
  const right = predicted === seq.label;
  $('verdict').innerHTML =
    `<strong>${meta.classes[predicted].replace(/_/g, ' ')}</strong> (${(probabilities[predicted] * 100).toFixed(1)} %)` +
    ` <span class="${right ? 'ok' : 'bad'}">${right ? '= the recorded label' : `≠ the recorded label ${seq.labelName}`}</span>`;
  $('timing').textContent = `inference ${timings[1].toFixed(1)} ms (first call ${timings[0].toFixed(0)} ms, with ${tf.getBackend()} warm-up)`;

  $('grid').innerHTML = renderGridSvg([gridStageFromMatrix(meta.mixing, meta.gridShape, COCO17.joints, bodyPartOfCocoJoint)], { cellSize: 52 });
  const weights = model.weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
  $('model-info').textContent =
    `${config.gridShape.join('x')} grid, ${config.blocks.length} blocks, ${weights.toLocaleString('en')} weights (compiled for inference); ${meta.training}.`;

  Object.assign(result.dataset, {
    state: 'done',
    backend: tf.getBackend(),
    predicted: meta.classes[predicted],
    label: seq.labelName,
    probabilities: JSON.stringify(probabilities),
  });
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  $('error').textContent = `Error: ${message}`;
  $('error').hidden = false;
  Object.assign(result.dataset, { state: 'error', error: message, backend: tf.getBackend() ?? '' });
  console.error(e);
});
