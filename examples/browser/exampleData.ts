/**
 * The data the browser example ships: the recorded clip (`sequence.json`) and what `prepare.ts` stores
 * in the saved model's metadata (class names, learned grid). Shared by the page, `prepare.ts` and the
 * tests; no DOM and no Node APIs.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { fail } from '../../src/index.js';

/** Key of the example's {@link ExampleMetadata} in the saved model's user-defined metadata. */
export const EXAMPLE_METADATA_KEY = 'ske2gridBrowserExample';

/** `sequence.json`: one labelled COCO-17 clip in the model's input layout. */
export interface ExampleSequence {
  /** Where the clip comes from, in words. */
  description: string;
  /** Class index of the action. */
  label: number;
  /** Class name of the action. */
  labelName: string;
  /** `[persons, frames, 17, 3]`: the model input without its batch axis. */
  shape: [number, number, number, number];
  /** Keypoints `[persons][frames][17][x, y, score]` row-major; x, y in normalised image units (y down). */
  keypoints: number[];
  /** Class probabilities `prepare.ts` computed for this clip with the saved model (on its `--backend`, wasm by default), rounded to 1e-6. */
  expectedProbabilities: number[];
}

/** What `prepare.ts` stores in the model metadata under {@link EXAMPLE_METADATA_KEY}. */
export interface ExampleMetadata {
  /** Class names in label order. */
  classes: string[];
  /** Grid `[H, W]`. */
  gridShape: [number, number];
  /** Learned joint -> cell matrix `[H*W][17]` of the trained model (before compilation), rounded. */
  mixing: number[][];
  /** How the model was trained, in words. */
  training: string;
}

/** Checks parsed `sequence.json` content; throws a Ske2GridError naming the first bad field. */
export function parseExampleSequence(value: unknown): ExampleSequence {
  if (value == null || typeof value !== 'object') fail('sequence.json', 'an object', value);
  const s = value as ExampleSequence;
  if (typeof s.description !== 'string') fail('sequence.json description', 'a string', s.description);
  if (!Number.isInteger(s.label) || s.label < 0) fail('sequence.json label', 'an integer >= 0', s.label);
  if (typeof s.labelName !== 'string') fail('sequence.json labelName', 'a string', s.labelName);
  const shape = s.shape;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1) || shape[2] !== 17 || shape[3] !== 3) {
    fail('sequence.json shape', '[persons, frames, 17, 3] with positive integers', shape);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(s.keypoints) || s.keypoints.length !== n || !s.keypoints.every(Number.isFinite)) {
    fail(
      'sequence.json keypoints',
      `${n} finite numbers (shape ${shape.join('x')})`,
      Array.isArray(s.keypoints) ? `${s.keypoints.length} values` : s.keypoints,
    );
  }
  const p = s.expectedProbabilities;
  if (!Array.isArray(p) || p.length <= s.label || !p.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)) {
    fail('sequence.json expectedProbabilities', `probabilities for more than ${s.label} classes`, p);
  }
  return s;
}

/** The example metadata of a model saved by `prepare.ts`; throws a Ske2GridError when it is missing or malformed. */
export function exampleMetadata(model: tfl.LayersModel): ExampleMetadata {
  const meta = (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[EXAMPLE_METADATA_KEY] as ExampleMetadata | undefined;
  if (meta == null || typeof meta !== 'object')
    fail(`model metadata '${EXAMPLE_METADATA_KEY}'`, 'the class names and learned grid written by prepare.ts', meta);
  if (!Array.isArray(meta.classes) || !meta.classes.every((c) => typeof c === 'string'))
    fail(`${EXAMPLE_METADATA_KEY}.classes`, 'an array of class names', meta.classes);
  const g = meta.gridShape;
  if (!Array.isArray(g) || g.length !== 2 || !g.every((d) => Number.isInteger(d) && d >= 1)) fail(`${EXAMPLE_METADATA_KEY}.gridShape`, '[H, W]', g);
  if (!Array.isArray(meta.mixing) || meta.mixing.length !== g[0] * g[1]) {
    fail(`${EXAMPLE_METADATA_KEY}.mixing`, `${g[0] * g[1]} rows (one per grid cell)`, Array.isArray(meta.mixing) ? `${meta.mixing.length} rows` : meta.mixing);
  }
  return meta;
}
