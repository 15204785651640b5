import { FixedGridMapping } from './FixedGridMapping.js';
import { FoldedGridConvBlock } from './FoldedGridConvBlock.js';
import { GridConvBlock } from './GridConvBlock.js';
import { GridIndexTransform } from './GridIndexTransform.js';
import { PersonGridPooling } from './PersonGridPooling.js';
import { SkeletonNormalization } from './SkeletonNormalization.js';
import { UpsamplingTransform } from './UpsamplingTransform.js';

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
