import { datasetProtocols, datasetSplit, layoutFromManifest, type DatasetManifest } from '../data/readers/datasetManifest.js';
import { findCenterJoint, findNormalizationJoints, type NormalizationJointRoles } from '../data/transforms/normalizationJoints.js';
import { Ske2GridError, describe, fail, requireInt } from '../errors.js';

/** How the recipe normalises each clip before sampling. */
export type RecipeNormalization =
  /** 3D view normalisation (`normalize3D`): centre joint to the origin, spine onto +z, shoulders onto +x. */
  | { kind: 'view3d'; centerJoint: number; zAxis: [number, number]; xAxis: [number, number] }
  /** 2D pixels (`normalize2D`) with each sample's own image size (`SkeletonSequence.imageShape`). */
  | { kind: 'image2d' }
  /** Translation only (`centerSequence`): the centre joint of the first frame becomes the origin. */
  | { kind: 'center'; centerJoint: number };

/** One grid stage of the recipe: grid side, epochs and the base learning rate of its cosine schedule. */
export interface RecipeStage {
  /** Grid side H (the grid is H x H). */
  grid: number;
  /** Epochs of the stage. */
  epochs: number;
  /** Base learning rate (cosine decay to 0 over the stage). */
  learningRate: number;
}

/**
 * A complete training recipe as plain data (JSON): what {@link recipeFor} derives from a dataset
 * manifest; `notes` say why each value was chosen. The `ske2grid train` command writes it next to the model.
 */
export interface TrainingRecipe {
  /** Dataset name (`manifest.name`). */
  dataset: string;
  /** Protocol (a key of `manifest.splits`). */
  protocol: string;
  /** Fold of a protocol with folds; null when it has none or when every fold is meant. */
  fold: number | null;
  /** Folds of the protocol (0 when it has none). */
  folds: number;
  /** `'3d'` or `'2d'`, from `format.coord_dims`. */
  kind: '2d' | '3d';
  /** Joints V (the manifest's layout). */
  joints: number;
  /** Coordinates per joint C. */
  coordDims: number;
  /** Names of the model's input channels, e.g. `['x', 'y', 'score']`. */
  channels: string[];
  /** Whether a per-joint score is appended as the last channel (the dataset has a score file). */
  scoreChannel: boolean;
  /** Input channels of the model: C, plus 1 with a score channel. */
  inChannels: number;
  /** Person slots M. */
  persons: number;
  /** Classes K. */
  numClasses: number;
  /** Class names (`manifest.classes`), for reports and predictions. */
  classes: string[];
  /** Training samples of the protocol (of the fold; the largest fold's when every fold is meant). */
  trainSamples: number;
  /** Median frames of the training samples. */
  medianFrames: number;
  /** Normalisation of each clip. */
  normalization: RecipeNormalization;
  /** Frames per clip T (the model's `frames`). */
  clipLength: number;
  /** Clips per test sample (scores averaged). */
  testClips: number;
  /** Largest random rotation about each axis in degrees (0: none). */
  rotationDegrees: number;
  /** Random scale range `[low, high]`. */
  scaleRange: [number, number];
  /** Clips per batch. */
  batchSize: number;
  /** Channels of the first blocks (the reference plan 64-128-256 scaled to width-2w-4w). */
  width: number;
  /** Grid stages: the first trained from scratch, each next grown from it (progressive learning). */
  stages: RecipeStage[];
  /** Keep the previous grid's arrangement when growing. */
  keepArrangement: boolean;
  /** Seed of the model, the shuffling and the augmentations. */
  seed: number;
  /** One line per derived value: the rule and the numbers it came from. */
  notes: string[];
}

/** Options of {@link recipeFor}: any recipe value given here is used as is (noted as given). */
export interface RecipeOptions {
  /** Protocol; default the first protocol of the manifest with train/test lists or folds. */
  protocol?: string;
  /** Fold of a protocol with folds; default null (every fold). */
  fold?: number | null;
  /** Joints of the 3D normalisation by name or index where the names are not recognised; default found by name. */
  joints?: NormalizationJointRoles;
  /** Frames per clip; default derived. */
  clipLength?: number;
  /** Test clips per sample; default 10. */
  testClips?: number;
  /** Largest rotation in degrees; default derived. */
  rotationDegrees?: number;
  /** Batch size; default derived. */
  batchSize?: number;
  /** Network width; default 16. */
  width?: number;
  /** Grid sides of the stages, e.g. `[5, 6]`; default `[g, g + 1]`, g = max(5, ceil(sqrt(V))). */
  grids?: number[];
  /** Epochs per stage (the last value repeats); default derived. */
  epochs?: number[];
  /** Base learning rate per stage (the last value repeats); default derived. */
  learningRates?: number[];
  /** Keep the arrangement when growing; default true. */
  keepArrangement?: boolean;
  /** Person slots; default the manifest's `format.num_persons`. */
  persons?: number;
  /** Seed; default 0. */
  seed?: number;
}

/** Sample fields that name the camera of a sample; two or more distinct values mean several viewpoints. */
const CAMERA_FIELDS = ['view', 'camera', 'camera_id', 'viewpoint'];

/** Reference learning rate at batch 32 (NW-UCLA 88.4 % with 0.1 at batch 32; MSR 82.8 % with 0.05 at batch 16). */
const LEARNING_RATE_AT_32 = 0.1;
/** Iterations the first stage aims at (NW-UCLA: 50 epochs x 32 batches = 1600; MSR: 80 x 18 = 1440). */
const TARGET_ITERATIONS = 1500;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
};

/** The power of two nearest to `x` (ties go down), at least 8 and at most 128. */
function nearestPowerOfTwo(x: number): number {
  let best = 8;
  for (let p = 8; p <= 128; p *= 2) if (Math.abs(p - x) < Math.abs(best - x)) best = p;
  return best;
}

function positiveList(v: number[] | undefined, what: string, integer: boolean): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) fail(what, 'a non-empty list of numbers', v);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
      fail(`${what}[${i}]`, integer ? 'a positive integer' : 'a positive number', x);
    }
  });
  return v;
}

/** The default protocol of a manifest: the first one with train/test lists or folds (throws when there is none). */
export function defaultProtocol(m: DatasetManifest): string {
  const usable = datasetProtocols(m).filter((p) => m.splits[p].train !== undefined || m.splits[p].folds !== undefined);
  if (usable.length === 0) {
    throw new Ske2GridError(
      `manifest.splits: expected a protocol with train/test lists or folds, got ${describe(datasetProtocols(m))}; add one (see docs/data.md)`,
    );
  }
  return usable[0];
}

/**
 * The training recipe for a dataset, derived from its manifest alone (browser-safe, pure): layout,
 * 2D or 3D, channels (a score channel when the dataset has a score file), persons and classes from
 * the manifest; normalisation joints found by name (see `findNormalizationJoints`; give unknown ones
 * with `options.joints`); image-size normalisation when every sample records its image size; clip
 * length, rotation, batch, learning rate and epochs per grid stage from the kind and size of the data.
 * The rules (each explained in `notes` and in the guide "Train on your own data"):
 *
 * - clip length: the power of two nearest the median length of the training clips (8..128);
 * - rotation: 45 degrees for 3D data recorded from several viewpoints (two or more values of a
 *   sample field `view`/`camera`/`camera_id`/`viewpoint`), else 0 (one fixed camera);
 * - batch 32 from 512 training clips on, else 16; learning rate 0.1 x batch / 32, halved for
 *   two-person data; first-stage epochs ~1500 iterations (rounded to 10, within 40..80);
 * - grids `[g, g + 1]` (g = max(5, ceil(sqrt(V)))): the second stage grown with the arrangement
 *   kept, 30 % of the first stage's epochs at a quarter of its learning rate;
 * - width 16, 10 test clips, scale augmentation 0.9..1.1, seed 0.
 *
 * @example
 * ```ts
 * import { parseDatasetManifest, recipeFor } from 'ske2grid';
 * const manifest = parseDatasetManifest(await (await fetch('datasets/nw_ucla/manifest.json')).json());
 * const recipe = recipeFor(manifest); // cross_view: 3D, T = 32, rotation 45, batch 32, lr 0.1, 50 + 15 epochs
 * const quick = recipeFor(manifest, { epochs: [5], grids: [5] }); // any value can be given
 * ```
 */
export function recipeFor(manifest: DatasetManifest, options: RecipeOptions = {}): TrainingRecipe {
  if (manifest == null || typeof manifest !== 'object' || manifest.format == null)
    fail('manifest', 'a parsed dataset manifest (parseDatasetManifest)', manifest);
  if (options == null || typeof options !== 'object') fail('options', 'a RecipeOptions object', options);
  const notes: string[] = [];
  const given = (name: string, value: unknown) => notes.push(`${name} ${JSON.stringify(value)}: given`);
  const { coord_dims: coordDims, num_joints: joints } = manifest.format;
  if (coordDims !== 2 && coordDims !== 3) fail('manifest.format.coord_dims', '2 (x, y) or 3 (x, y, z)', coordDims);
  const kind = coordDims === 3 ? '3d' : '2d';
  const layout = layoutFromManifest(manifest);

  // Protocol and the training samples it defines.
  const protocol = options.protocol ?? defaultProtocol(manifest);
  const p = manifest.splits[protocol];
  const folds = p?.folds !== undefined && p.train === undefined ? p.folds.length : 0;
  const fold = options.fold ?? null;
  let train: number[];
  if (folds > 0 && fold === null) {
    train = [];
    for (let k = 0; k < folds; k++) {
      const t = datasetSplit(manifest, protocol, k).train;
      if (t.length > train.length) train = t;
    }
  } else {
    train = datasetSplit(manifest, protocol, fold ?? undefined).train;
  }
  if (train.length === 0) fail(`protocol ${JSON.stringify(protocol)}`, 'at least one training sample', 0);
  const medianFrames = median(train.map((i) => manifest.samples[i].frames));

  // Channels and persons.
  const scoreChannel = manifest.format.score_file !== undefined;
  const coordNames = manifest.coords?.names ?? (kind === '3d' ? ['x', 'y', 'z'] : ['x', 'y']);
  const channels = scoreChannel ? [...coordNames, 'score'] : [...coordNames];
  notes.push(`inChannels ${channels.length}: ${coordDims} coordinates${scoreChannel ? ` + the score file ${manifest.format.score_file}` : ' (no score file)'}`);
  const persons = options.persons ?? manifest.format.num_persons;
  requireInt('options.persons', persons, 1);
  if (options.persons !== undefined) given('persons', persons);
  else notes.push(`persons ${persons}: the person slots of the data (format.num_persons)`);

  // Normalisation.
  let normalization: RecipeNormalization;
  if (kind === '3d') {
    const j = findNormalizationJoints(layout, options.joints);
    normalization = { kind: 'view3d', ...j };
    const name = (i: number) => layout.joints[i];
    notes.push(
      `normalization view3d: centre ${name(j.centerJoint)}, spine ${name(j.zAxis[0])} -> ${name(j.zAxis[1])}, shoulders ${name(j.xAxis[0])} -> ${name(j.xAxis[1])} (found by joint name)`,
    );
  } else {
    const sized = manifest.samples.every((s) => s.image_height !== undefined && s.image_width !== undefined);
    if (sized) {
      normalization = { kind: 'image2d' };
      notes.push('normalization image2d: every sample records its image size (image_height, image_width): pixels -> [-1, 1]');
    } else {
      const centerJoint = findCenterJoint(layout, options.joints?.center);
      normalization = { kind: 'center', centerJoint };
      notes.push(`normalization center on ${layout.joints[centerJoint]}: 2D coordinates without image sizes are taken as already scaled (translation only)`);
    }
  }

  // Clip length from the length distribution.
  const clipLength = options.clipLength ?? nearestPowerOfTwo(medianFrames);
  requireInt('options.clipLength', clipLength, 1);
  if (options.clipLength !== undefined) given('clipLength', clipLength);
  else notes.push(`clipLength ${clipLength}: the power of two nearest the median training clip (${medianFrames} frames)`);

  // Rotation from the kind and the cameras.
  const cameraField = CAMERA_FIELDS.find((f) => manifest.samples.some((s) => s[f] !== undefined));
  const cameras = cameraField ? new Set(manifest.samples.map((s) => JSON.stringify(s[cameraField]))).size : 1;
  const rotationDegrees = options.rotationDegrees ?? (kind === '3d' && cameras > 1 ? 45 : 0);
  if (!(typeof rotationDegrees === 'number' && rotationDegrees >= 0 && rotationDegrees <= 180))
    fail('options.rotationDegrees', 'a number of degrees in [0, 180]', rotationDegrees);
  if (options.rotationDegrees !== undefined) given('rotationDegrees', rotationDegrees);
  else if (kind === '2d') notes.push('rotationDegrees 0: 2D data (in-plane rotations are not a change of viewpoint)');
  else if (cameras > 1) notes.push(`rotationDegrees 45: ${cameras} viewpoints (sample field ${cameraField}); rotations stand in for unseen cameras`);
  else notes.push('rotationDegrees 0: one camera (no sample field view/camera with two or more values); rotations would blur orientation-dependent actions');

  // Batch, learning rate and epochs from the size.
  const batchSize = options.batchSize ?? (train.length >= 512 ? 32 : 16);
  requireInt('options.batchSize', batchSize, 1);
  if (options.batchSize !== undefined) given('batchSize', batchSize);
  else notes.push(`batchSize ${batchSize}: ${train.length} training clips (32 from 512 on, else 16)`);
  const iterations = Math.ceil(train.length / batchSize);
  const baseRate = (LEARNING_RATE_AT_32 * batchSize) / 32 / (persons >= 2 ? 2 : 1);
  const firstEpochs = Math.min(80, Math.max(40, Math.round(TARGET_ITERATIONS / iterations / 10) * 10));

  const grids = positiveList(options.grids, 'options.grids', true) ?? [
    Math.max(5, Math.ceil(Math.sqrt(joints))),
    Math.max(5, Math.ceil(Math.sqrt(joints))) + 1,
  ];
  grids.forEach((g, i) => {
    if (g * g < joints) fail(`options.grids[${i}]`, `a side with at least ${joints} cells (the data has ${joints} joints)`, g);
    if (i > 0 && g <= grids[i - 1]) fail(`options.grids[${i}]`, `a side larger than the previous stage's ${grids[i - 1]}`, g);
  });
  const epochs = positiveList(options.epochs, 'options.epochs', true);
  const rates = positiveList(options.learningRates, 'options.learningRates', false);
  const stages = grids.map((grid, i): RecipeStage => {
    const pick = (v: number[] | undefined) => (v ? v[Math.min(i, v.length - 1)] : undefined);
    return {
      grid,
      epochs: pick(epochs) ?? (i === 0 ? firstEpochs : Math.max(1, Math.round(0.3 * firstEpochs))),
      learningRate: pick(rates) ?? (i === 0 ? baseRate : baseRate / 4),
    };
  });
  if (options.grids) given('grids', grids);
  else notes.push(`grids ${grids.join(', ')}: the smallest square grid of at least 5 x 5 holding ${joints} joints, then one larger (progressive learning)`);
  if (epochs) given('epochs', epochs);
  else
    notes.push(
      `epochs ${stages.map((s) => s.epochs).join(', ')}: about ${TARGET_ITERATIONS} iterations of ${iterations} batches in the first stage (40..80), 30 % of that for each grown stage`,
    );
  if (rates) given('learningRates', rates);
  else
    notes.push(
      `learningRates ${stages.map((s) => s.learningRate).join(', ')}: 0.1 x batch / 32${persons >= 2 ? ', halved for two-person data' : ''}; a quarter of it for each grown stage`,
    );

  const width = requireInt('options.width', options.width ?? 16, 1);
  if (options.width !== undefined) given('width', width);
  const testClips = requireInt('options.testClips', options.testClips ?? 10, 1);
  if (options.testClips !== undefined) given('testClips', testClips);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail('options.seed', 'a safe integer', seed);
  const keepArrangement = options.keepArrangement ?? true;
  if (typeof keepArrangement !== 'boolean') fail('options.keepArrangement', 'a boolean', keepArrangement);

  return {
    dataset: manifest.name,
    protocol,
    fold,
    folds,
    kind,
    joints,
    coordDims,
    channels,
    scoreChannel,
    inChannels: channels.length,
    persons,
    numClasses: manifest.classes.length,
    classes: [...manifest.classes],
    trainSamples: train.length,
    medianFrames,
    normalization,
    clipLength,
    testClips,
    rotationDegrees,
    scaleRange: [0.9, 1.1],
    batchSize,
    width,
    stages,
    keepArrangement,
    seed,
    notes,
  };
}
