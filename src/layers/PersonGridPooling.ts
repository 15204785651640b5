import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';
import { Ske2GridLayer, single, singleShape, type Kwargs, type LayerArgs, type Shape } from './layerBase.js';

/**
 * Pooling of the reference head: average over frames and grid cells, then over persons.
 * `[B, M, T, H, W, C]` -> `[B, C]`. No weights.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { PersonGridPooling } from 'ske2grid';
 * const pooled = new PersonGridPooling().apply(tf.ones([4, 2, 25, 5, 5, 256])) as tf.Tensor; // [4, 256]
 * ```
 */
export class PersonGridPooling extends Ske2GridLayer {
  /** Registered class name. */
  static className = 'Ske2GridPersonGridPooling';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    if (shape.length !== 6) {
      fail(`${this.name} input`, '[batch, persons, frames, height, width, channels]', shape);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.mean(tf.mean(single(inputs), [2, 3, 4]), 1));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = singleShape(inputShape);
    return [s[0], s[5]];
  }
}
serialization.registerClass(PersonGridPooling);
