import { fail, requireInt } from '../../errors.js';
import { boneParents } from '../../layouts/bones.js';
import type { LayoutName } from '../../layouts/registry.js';
import type { SkeletonLayout } from '../../layouts/skeletonLayout.js';
import type { Random } from '../../random/random.js';
import type { SkeletonSequence } from '../skeletonSequence.js';
import { composeTransforms, type TransformStep } from './composeTransforms.js';
import { formatClips, type FormattedClips } from './formatClips.js';
import { normalize2D, type Normalize2DOptions } from './normalize2d.js';
import { normalize3D, type Normalize3DOptions } from './normalize3d.js';
import { sampleFrames } from './sampleFrames.js';
import { skeletonFeatures, type SkeletonFeature } from './skeletonFeatures.js';
import { uniformSampleIndices } from './uniformSample.js';

/** Options of {@link pysklTrainPipeline} and {@link pysklTestPipeline}; the defaults are the Ske2Grid configs. */
export interface PysklPipelineOptions {
  /**
   * `'2d'` (default): pixel coordinates with scores, `PreNormalize2D` (the released Ske2Grid configs,
   * COCO-17 HRNet keypoints). `'3d'`: 3D coordinates, `PreNormalize3D` (NTU RGB+D style).
   */
  kind?: '2d' | '3d';
  /** Skeleton used for bone features (`boneParents`); default `'coco'` for 2D, `'nturgb+d'` for 3D. Only read for `'b'` / `'bm'`. */
  layout?: LayoutName | SkeletonLayout;
  /** Modalities concatenated on the channel axis (`GenSkeFeat`); default `['j']`. */
  feats?: SkeletonFeature[];
  /** Frames per clip L; default 100. */
  clipLen?: number;
  /** Clips per sample; default 1 for training, 10 for testing (the reference test; use 1 for its validation pass). */
  numClips?: number;
  /** Person slots M; default 2. */
  persons?: number;
  /** Window fraction of `uniformSampleIndices`; default 1. */
  pInterval?: number | readonly [number, number];
  /** Options of `normalize2D` (kind `'2d'`); default the reference (no masking, sequence image size else 1080 x 1920). */
  normalize2D?: Normalize2DOptions;
  /** Options of `normalize3D` (kind `'3d'`); default the reference's NTU-25 joints. */
  normalize3D?: Normalize3DOptions;
  /** Training only: extra steps (e.g. `randomRotation`) run after normalisation, before the features; default none (the reference). */
  augmentations?: TransformStep[];
  /** Test only: seed of the sampler, reseeded per sample; default 255 (the reference). */
  seed?: number;
}

/**
 * The reference training pipeline: normalise (`PreNormalize2D` or `PreNormalize3D`) -> optional
 * augmentations -> features (`GenSkeFeat`, on every frame) -> `UniformSampleFrames` (train mode,
 * drawn from `random`; a `NumpyRandomState` seeded like the reference's worker reproduces its clips)
 * -> frame gathering (`PoseDecode`) -> persons and clips (`FormatGCNInput`). Returns a function
 * `(seq, random) => FormattedClips` of shape `[numClips, M, clipLen, V, C]` (C = 3 for 2D joints:
 * x, y, score; 3 per feature for 3D). Defaults in {@link PysklPipelineOptions}.
 *
 * @example
 * ```ts
 * import { createRandom, pysklTrainPipeline, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // COCO-17 pixels with scores: [M][T][17][2] + score
 * const train = pysklTrainPipeline({ clipLen: 48 }); // kind '2d', feats ['j'], 1 clip, 2 persons
 * const { data, shape } = train(seq, createRandom(0)); // shape [1, 2, 48, 17, 3]
 * ```
 */
export function pysklTrainPipeline(options: PysklPipelineOptions = {}): (seq: SkeletonSequence, random: Random) => FormattedClips {
  const o = resolveOptions(options, 'train');
  const augment = composeTransforms(...(options.augmentations ?? []));
  return (seq, random) => {
    const features = o.features(augment(o.normalize(seq), random));
    const indices = uniformSampleIndices(features.frames, o.clipLen, { mode: 'train', random, numClips: o.numClips, pInterval: o.pInterval });
    return formatClips(sampleFrames(features, indices), { persons: o.persons, numClips: o.numClips });
  };
}

/**
 * The reference test pipeline: as {@link pysklTrainPipeline} without augmentations and with the
 * deterministic test-mode sampler (reseeded with `seed`, default 255, for every sample), 10 clips by
 * default. Returns `(seq) => FormattedClips` of shape `[numClips, M, clipLen, V, C]`.
 *
 * @example
 * ```ts
 * import { pysklTestPipeline, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // COCO-17 pixels with scores
 * const test = pysklTestPipeline({ clipLen: 48 }); // 10 clips, sampler seed 255
 * test(seq).shape; // [10, 2, 48, 17, 3], the same for every call
 * ```
 */
export function pysklTestPipeline(options: PysklPipelineOptions = {}): (seq: SkeletonSequence) => FormattedClips {
  const o = resolveOptions(options, 'test');
  return (seq) => {
    const features = o.features(o.normalize(seq));
    const indices = uniformSampleIndices(features.frames, o.clipLen, { mode: 'test', seed: options.seed, numClips: o.numClips, pInterval: o.pInterval });
    return formatClips(sampleFrames(features, indices), { persons: o.persons, numClips: o.numClips });
  };
}

interface ResolvedPipeline {
  normalize: (seq: SkeletonSequence) => SkeletonSequence;
  features: (seq: SkeletonSequence) => SkeletonSequence;
  clipLen: number;
  numClips: number;
  persons: number;
  pInterval: number | readonly [number, number];
}

function resolveOptions(options: PysklPipelineOptions, phase: 'train' | 'test'): ResolvedPipeline {
  if (options == null || typeof options !== 'object') fail('options', 'a PysklPipelineOptions object', options);
  const kind = options.kind ?? '2d';
  if (kind !== '2d' && kind !== '3d') fail('options.kind', "'2d' or '3d'", kind);
  if (options.augmentations !== undefined && !Array.isArray(options.augmentations)) fail('options.augmentations', 'an array of steps', options.augmentations);
  const feats = options.feats ?? ['j'];
  const needsBones = Array.isArray(feats) && (feats.includes('b') || feats.includes('bm'));
  const parents = needsBones ? boneParents(options.layout ?? (kind === '2d' ? 'coco' : 'nturgb+d')) : undefined;
  return {
    normalize: kind === '2d' ? (seq) => normalize2D(seq, options.normalize2D) : (seq) => normalize3D(seq, options.normalize3D),
    features: (seq) => skeletonFeatures(seq, feats, parents),
    clipLen: requireInt('options.clipLen', options.clipLen ?? 100, 1),
    numClips: requireInt('options.numClips', options.numClips ?? (phase === 'train' ? 1 : 10), 1),
    persons: requireInt('options.persons', options.persons ?? 2, 1),
    pInterval: options.pInterval ?? 1,
  };
}
