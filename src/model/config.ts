import { fail } from '../errors.js';
import { LIMITS } from '../limits.js';
import { checkConvFormulation, type ConvFormulationSetting } from '../ops/convFormulation.js';
import { resolveLayout, type LayoutName } from '../layouts/registry.js';
import type { PriorMode, SkeletonLayout } from '../layouts/skeletonLayout.js';

/** One grid convolution block of the channel/stride plan. */
export interface BlockSpec {
  /** Output channels. */
  filters: number;
  /** Temporal stride (1 or 2 in the reference). */
  stride: number;
}

/**
 * The reference channel/stride plan: 64 x4, 128 (stride 2) x3, 256 (stride 2) x3.
 *
 * @example
 * ```ts
 * import { REFERENCE_BLOCKS, buildSke2Grid } from 'ske2grid';
 * REFERENCE_BLOCKS.length; // 10: 64 x4, 128 (stride 2) x3, 256 (stride 2) x3
 * const small = buildSke2Grid({ blocks: REFERENCE_BLOCKS.slice(0, 4).map((b) => ({ ...b, filters: 32 })) }); // 4 blocks of 32
 * ```
 */
export const REFERENCE_BLOCKS: readonly BlockSpec[] = Object.freeze([
  { filters: 64, stride: 1 },
  { filters: 64, stride: 1 },
  { filters: 64, stride: 1 },
  { filters: 64, stride: 1 },
  { filters: 128, stride: 2 },
  { filters: 128, stride: 1 },
  { filters: 128, stride: 1 },
  { filters: 256, stride: 2 },
  { filters: 256, stride: 1 },
  { filters: 256, stride: 1 },
]);

/**
 * Configuration of {@link buildSke2Grid}, plain data. Every field is optional; the defaults are the
 * official 5x5 NTU-60 (COCO-17 2D) model.
 */
export interface Ske2GridConfig {
  /** Skeleton layout: a built-in name or a custom layout; default `'coco'`. */
  layout?: LayoutName | SkeletonLayout;
  /** Grid `[H, W]` (square, H*W >= joints); default `[5, 5]`. */
  gridShape?: [number, number];
  /**
   * Node counts before each UPT+GIT stage, starting with the joint count (the reference's
   * `progressive_joint_seq`): `[17]` for 5x5, `[17, 25]` for the 6x6 PLS stage. Every entry after
   * the first must be a perfect square. Default `[joints]`.
   */
  stages?: number[];
  /** Channels per joint (x, y, score); default 3. */
  inChannels?: number;
  /** Persons per sample (M); default 2. */
  persons?: number;
  /** Frames per clip (T), or `null` for any length; default 100. */
  frames?: number | null;
  /** Number of classes; default 60. */
  numClasses?: number;
  /** Channel/stride plan; default {@link REFERENCE_BLOCKS}. */
  blocks?: BlockSpec[];
  /** Dropout rate inside every block; default 0. */
  dropout?: number;
  /** Adjacency prior of the first UPT stage; default `'reference'` (self-links + one-direction edges). */
  prior?: PriorMode;
  /** Gumbel-noise ranking in the GIT permutation updates during training; default false. */
  gumbelNoise?: boolean;
  /** BatchNorm epsilon; default 1e-5. */
  batchNormEpsilon?: number;
  /** BatchNorm momentum in PyTorch's sense; default 0.1. */
  batchNormMomentum?: number;
  /** Model name; default `'ske2grid'`. */
  name?: string;
  /** Seed of the weight initialisation (reproducible models on every backend); default `null` (unseeded). */
  seed?: number | null;
  /**
   * How the grid blocks compute their convolutions: `'conv2d'`, `'matmul'` (see {@link ConvFormulation}),
   * or `'auto'`, the measured fastest for the backend active at call time. Results do not depend on it
   * beyond float32 rounding. Default `'auto'`.
   */
  convFormulation?: ConvFormulationSetting;
}

/** A validated config with every default filled in. */
export interface ResolvedSke2GridConfig {
  layout: SkeletonLayout;
  gridShape: [number, number];
  stages: number[];
  /** Node counts after each stage: `stages.slice(1)` followed by H*W. */
  stageOutputs: number[];
  inChannels: number;
  persons: number;
  frames: number | null;
  numClasses: number;
  blocks: BlockSpec[];
  dropout: number;
  prior: PriorMode;
  gumbelNoise: boolean;
  batchNormEpsilon: number;
  batchNormMomentum: number;
  name: string;
  seed: number | null;
  convFormulation: ConvFormulationSetting;
}

const KNOWN_KEYS = new Set([
  'layout',
  'gridShape',
  'stages',
  'inChannels',
  'persons',
  'frames',
  'numClasses',
  'blocks',
  'dropout',
  'prior',
  'gumbelNoise',
  'batchNormEpsilon',
  'batchNormMomentum',
  'name',
  'seed',
  'convFormulation',
]);

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isSquare = (n: number) => Number.isInteger(Math.sqrt(n));

/**
 * Validates a {@link Ske2GridConfig} once and merges the defaults; throws a {@link Ske2GridError} naming the field.
 *
 * @example
 * ```ts
 * import { resolveConfig } from 'ske2grid';
 * const c = resolveConfig({ gridShape: [6, 6], numClasses: 10 }); // every default filled in
 * c.stages; // [17]; c.frames 100; c.layout is the COCO17 layout
 * ```
 */
export function resolveConfig(config: Ske2GridConfig = {}): ResolvedSke2GridConfig {
  if (config == null || typeof config !== 'object' || Array.isArray(config)) fail('config', 'a plain object', config);
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) fail(`config.${key}`, `one of the known fields (${[...KNOWN_KEYS].join(', ')})`, key);
  }
  const layout = resolveLayout(config.layout ?? 'coco');
  const joints = layout.joints.length;

  const gridShape = config.gridShape ?? [5, 5];
  if (!Array.isArray(gridShape) || gridShape.length !== 2 || !gridShape.every(isPositiveInt)) {
    fail('config.gridShape', 'two positive integers [H, W]', gridShape);
  }
  if (gridShape[0] > LIMITS.maxGridSide || gridShape[1] > LIMITS.maxGridSide) {
    fail('config.gridShape', `sides of at most ${LIMITS.maxGridSide} (LIMITS.maxGridSide)`, gridShape);
  }
  if (gridShape[0] !== gridShape[1]) fail('config.gridShape', 'a square grid [H, H]', gridShape);
  const cells = gridShape[0] * gridShape[1];

  const stages = config.stages ?? [joints];
  if (!Array.isArray(stages) || stages.length < 1 || !stages.every(isPositiveInt)) {
    fail('config.stages', 'a non-empty array of positive integers', stages);
  }
  if (stages.length > LIMITS.maxStages) fail('config.stages', `at most ${LIMITS.maxStages} stages (LIMITS.maxStages)`, stages);
  if (stages[0] !== joints) {
    fail('config.stages[0]', `the joint count of layout '${layout.name}' (${joints})`, stages[0]);
  }
  const stageOutputs = [...stages.slice(1), cells];
  stageOutputs.forEach((n, i) => {
    const before = i === 0 ? stages[0] : stageOutputs[i - 1];
    if (i < stageOutputs.length - 1 && !isSquare(n)) fail(`config.stages[${i + 1}]`, 'a perfect square (an intermediate grid)', n);
    if (n < before) {
      const arg = i === stageOutputs.length - 1 ? 'config.gridShape' : `config.stages[${i + 1}]`;
      const what =
        i === stageOutputs.length - 1 ? `a grid with at least ${before} cells (the last stage has ${before} nodes)` : `at least ${before} (stages grow)`;
      fail(arg, what, i === stageOutputs.length - 1 ? gridShape : n);
    }
  });

  const intField = (name: 'inChannels' | 'persons' | 'numClasses', fallback: number, max: number, limit: string) => {
    const v = config[name] ?? fallback;
    if (!isPositiveInt(v)) fail(`config.${name}`, 'a positive integer', v);
    if (v > max) fail(`config.${name}`, `an integer in [1, ${max}] (LIMITS.${limit})`, v);
    return v;
  };
  const frames = config.frames === undefined ? 100 : config.frames;
  if (frames !== null && !isPositiveInt(frames)) fail('config.frames', 'a positive integer or null (any length)', frames);
  if (frames !== null && frames > LIMITS.maxFrames) fail('config.frames', `an integer in [1, ${LIMITS.maxFrames}] (LIMITS.maxFrames) or null`, frames);

  const blocks = config.blocks ?? REFERENCE_BLOCKS.map((b) => ({ ...b }));
  if (!Array.isArray(blocks) || blocks.length < 1) fail('config.blocks', 'a non-empty array of {filters, stride}', blocks);
  if (blocks.length > LIMITS.maxBlocks) fail('config.blocks', `at most ${LIMITS.maxBlocks} blocks (LIMITS.maxBlocks)`, `${blocks.length} blocks`);
  blocks.forEach((b, i) => {
    if (b == null || !isPositiveInt(b.filters) || !isPositiveInt(b.stride))
      fail(`config.blocks[${i}]`, '{filters: positive integer, stride: positive integer}', b);
    if (b.filters > LIMITS.maxFilters || b.stride > LIMITS.maxStride)
      fail(`config.blocks[${i}]`, `filters <= ${LIMITS.maxFilters} and stride <= ${LIMITS.maxStride} (LIMITS.maxFilters, LIMITS.maxStride)`, b);
  });
  const inChannels = intField('inChannels', 3, LIMITS.maxInChannels, 'maxInChannels');
  const persons = intField('persons', 2, LIMITS.maxPersons, 'maxPersons');
  const numClasses = intField('numClasses', 60, LIMITS.maxClasses, 'maxClasses');

  const dropout = config.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail('config.dropout', 'a rate in [0, 1)', dropout);
  const prior = config.prior ?? 'reference';
  if (!['reference', 'symmetric', 'none'].includes(prior)) fail('config.prior', "'reference', 'symmetric' or 'none'", prior);
  const positive = (name: 'batchNormEpsilon' | 'batchNormMomentum', fallback: number, max = Infinity) => {
    const v = config[name] ?? fallback;
    if (typeof v !== 'number' || !(v > 0 && v <= max)) fail(`config.${name}`, `a number in (0, ${max}]`, v);
    return v;
  };
  const name = config.name ?? 'ske2grid';
  if (typeof name !== 'string' || name.length === 0) fail('config.name', 'a non-empty string', name);
  if (config.gumbelNoise !== undefined && typeof config.gumbelNoise !== 'boolean') fail('config.gumbelNoise', 'a boolean', config.gumbelNoise);
  const seed = config.seed ?? null;
  if (seed !== null && !(Number.isSafeInteger(seed) && seed >= 0)) fail('config.seed', 'a non-negative integer or null', seed);

  const resolved: ResolvedSke2GridConfig = {
    layout,
    gridShape: [gridShape[0], gridShape[1]],
    stages: [...stages],
    stageOutputs,
    inChannels,
    persons,
    frames,
    numClasses,
    blocks: blocks.map((b) => ({ filters: b.filters, stride: b.stride })),
    dropout,
    prior,
    gumbelNoise: config.gumbelNoise ?? false,
    batchNormEpsilon: positive('batchNormEpsilon', 1e-5),
    batchNormMomentum: positive('batchNormMomentum', 0.1, 1),
    name,
    seed,
    convFormulation: checkConvFormulation('config.convFormulation', config.convFormulation),
  };
  const size = estimateModelSize(resolved);
  if (size.parameters > LIMITS.maxParameters) {
    fail(
      'config',
      `a model of at most ${LIMITS.maxParameters} weights (LIMITS.maxParameters)`,
      `${size.parameters} weights (gridShape, blocks, numClasses, persons, inChannels)`,
    );
  }
  if (size.activationValues > LIMITS.maxActivationValues) {
    fail(
      'config',
      `at most ${LIMITS.maxActivationValues} activation values per clip in a block (LIMITS.maxActivationValues)`,
      `${size.activationValues} (persons x frames x cells x channels)`,
    );
  }
  return resolved;
}

/** Sizes of a model known from its config alone (see {@link estimateModelSize}). */
export interface ModelSizeEstimate {
  /** Number of weights, trainable and not (what `model.countParams()` reports once built). */
  parameters: number;
  /** Largest block output (or model input) of one clip, in values (`persons x frames x cells x channels`); 0 when `frames` is null. */
  activationValues: number;
}

/**
 * The weight count and the largest per-clip block activation of a resolved config, computed without
 * building anything (block kernels 3x3 spatial and 9x1 temporal, as `buildSke2Grid` builds them).
 *
 * @example
 * ```ts
 * import { estimateModelSize, resolveConfig } from 'ske2grid';
 * estimateModelSize(resolveConfig()).parameters; // the official 5x5 model's weights, trainable and not
 * ```
 */
export function estimateModelSize(c: ResolvedSke2GridConfig): ModelSizeEstimate {
  const joints = c.layout.joints.length;
  const cells = c.gridShape[0] * c.gridShape[1];
  let parameters = 4 * joints * c.inChannels; // skeleton BatchNorm
  let nodes = c.stages[0];
  for (const out of c.stageOutputs) {
    parameters += out * nodes + out * out + out; // UPT matrix, GIT scores and permutation
    nodes = out;
  }
  let cin = c.inChannels;
  let frames = c.frames ?? 0;
  let activationValues = c.persons * frames * cells * cin;
  c.blocks.forEach((b, i) => {
    const cout = b.filters;
    parameters += 9 * cin * cout + cout + 8 * cout; // spatial conv + 2 BatchNorms
    parameters += 9 * cout * cout + cout + 4 * cout; // temporal conv + BatchNorm
    if (i > 0 && (cin !== cout || b.stride !== 1)) parameters += cin * cout + cout + 4 * cout; // residual conv + BatchNorm
    frames = Math.ceil(frames / b.stride);
    activationValues = Math.max(activationValues, c.persons * frames * cells * cout);
    cin = cout;
  });
  parameters += cin * c.numClasses + c.numClasses;
  return { parameters, activationValues };
}

/**
 * A resolved config as plain, JSON-safe {@link Ske2GridConfig} data (the layout written out in full).
 *
 * @example
 * ```ts
 * import { buildSke2Grid, getModelConfig, toPlainConfig } from 'ske2grid';
 * const plain = toPlainConfig(getModelConfig(buildSke2Grid({ numClasses: 10 }))); // JSON-safe, layout written out
 * const twin = buildSke2Grid({ ...plain, seed: 1 }); // the same architecture, other weights
 * ```
 */
export function toPlainConfig(c: ResolvedSke2GridConfig): Ske2GridConfig {
  const { stageOutputs: _derived, layout, ...rest } = c;
  return {
    ...rest,
    layout: { name: layout.name, joints: [...layout.joints], edges: layout.edges.map((e) => [e[0], e[1]] as [number, number]), center: layout.center },
    gridShape: [c.gridShape[0], c.gridShape[1]],
    stages: [...c.stages],
    blocks: c.blocks.map((b) => ({ ...b })),
  };
}
