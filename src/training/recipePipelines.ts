import type { ClipMaker } from '../data/clipBatches.js';
import type { SkeletonSequence } from '../data/skeletonSequence.js';
import { randomRotation, randomScale } from '../data/transforms/augment.js';
import { pysklTestPipeline, pysklTrainPipeline, type PysklPipelineOptions } from '../data/transforms/pysklPipelines.js';
import type { FormattedClips } from '../data/transforms/formatClips.js';
import { normalize2D } from '../data/transforms/normalize2d.js';
import { centerSequence } from '../data/transforms/centerSequence.js';
import { fail } from '../errors.js';
import type { SkeletonLayout } from '../layouts/skeletonLayout.js';
import { REFERENCE_BLOCKS, type Ske2GridConfig } from '../model/config.js';
import type { TrainingRecipe } from './recipeFor.js';

/** What a recipe turns into: the model config of its first stage and the train / test clip makers. */
export interface RecipePipelines {
  /** `buildSke2Grid` config of the first stage (layout, grid, persons, frames, channels, classes, blocks, seed). */
  model: Ske2GridConfig;
  /** Training clips: normalise, rotate and scale, sample one clip of `clipLength` frames (`clipBatchDataset`'s `clips`). */
  train: ClipMaker;
  /** Test clips: normalise, `testClips` deterministic clips (`evaluateSequences`' `clips`). */
  test: (seq: SkeletonSequence) => FormattedClips;
}

/** The pipeline options of a recipe's normalisation, clip length and persons. */
function pipelineOptions(recipe: TrainingRecipe, layout: SkeletonLayout): PysklPipelineOptions {
  const base = { clipLen: recipe.clipLength, persons: recipe.persons, layout };
  const n = recipe.normalization;
  if (n.kind === 'view3d') return { ...base, kind: '3d', normalize3D: { centerJoint: n.centerJoint, zAxis: n.zAxis, xAxis: n.xAxis } };
  if (n.kind === 'image2d') {
    // Each clip's own image size; never the 1080 x 1920 fallback of normalize2D.
    const normalize = (seq: SkeletonSequence) => {
      if (seq.imageShape === undefined)
        fail(
          `sequence${seq.id ? ` ${JSON.stringify(seq.id)}` : ''}.imageShape`,
          '[height, width] (the recipe normalises 2D pixels by each image size)',
          undefined,
        );
      return normalize2D(seq);
    };
    return { ...base, kind: '2d', normalize };
  }
  return { ...base, kind: recipe.kind, normalize: (seq) => centerSequence(seq, n.centerJoint) };
}

/**
 * The model config and the clip pipelines of a {@link TrainingRecipe} for the dataset's `layout`
 * (e.g. `layoutFromManifest(manifest)`): blocks are the reference plan scaled to `recipe.width`
 * (width, 2 x width, 4 x width; temporal stride 2 at blocks 5 and 8), the grid is the first stage's.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, clipBatchDataset, layoutFromManifest, recipeFor, recipePipelines, type DatasetManifest } from 'ske2grid';
 * declare const manifest: DatasetManifest;
 * const recipe = recipeFor(manifest);
 * const { model, train } = recipePipelines(recipe, layoutFromManifest(manifest));
 * const net = buildSke2Grid(model); // [B, persons, clipLength, V, inChannels] -> [B, classes]
 * ```
 */
export function recipePipelines(recipe: TrainingRecipe, layout: SkeletonLayout): RecipePipelines {
  const options = pipelineOptions(recipe, layout);
  const rotation = recipe.rotationDegrees;
  const [low, high] = recipe.scaleRange;
  const augmentations = [
    ...(rotation > 0 ? [(s: SkeletonSequence, r: Parameters<ClipMaker>[1]) => randomRotation(s, r, { maxDegrees: rotation })] : []),
    (s: SkeletonSequence, r: Parameters<ClipMaker>[1]) => randomScale(s, r, { range: [low, high] }),
  ];
  const g = recipe.stages[0].grid;
  return {
    model: {
      layout,
      gridShape: [g, g],
      persons: recipe.persons,
      frames: recipe.clipLength,
      inChannels: recipe.inChannels,
      numClasses: recipe.numClasses,
      blocks: REFERENCE_BLOCKS.map((b) => ({ filters: (b.filters / 64) * recipe.width, stride: b.stride })),
      seed: recipe.seed,
    },
    train: pysklTrainPipeline({ ...options, augmentations }),
    test: pysklTestPipeline({ ...options, numClips: recipe.testClips }),
  };
}
