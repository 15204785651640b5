import { FixedGridMapping } from './layers/FixedGridMapping.js';
import { FoldedGridConvBlock } from './layers/FoldedGridConvBlock.js';
import { GridConvBlock } from '../layers/GridConvBlock.js';
import { GridIndexTransform } from '../layers/GridIndexTransform.js';
import { PersonGridPooling } from '../layers/PersonGridPooling.js';
import { SkeletonNormalization } from '../layers/SkeletonNormalization.js';
import { UpsamplingTransform } from '../layers/UpsamplingTransform.js';

/**
 * Every layer class of ske2grid. Each registers itself with the tfjs serialiser when its module
 * loads, so importing this list (as `ske2grid` and `ske2grid/node` do) lets `tf.loadLayersModel` read
 * any saved Ske2Grid model, trained (`buildSke2Grid`) or compiled (`compileForInference`).
 *
 * @example
 * ```ts
 * import { LAYER_CLASSES } from 'ske2grid';
 * LAYER_CLASSES.map((c) => c.className); // ['Ske2GridSkeletonNormalization', 'Ske2GridUpsamplingTransform', ...]
 * ```
 */
export const LAYER_CLASSES = [
  SkeletonNormalization,
  UpsamplingTransform,
  GridIndexTransform,
  GridConvBlock,
  PersonGridPooling,
  FixedGridMapping,
  FoldedGridConvBlock,
] as const;
