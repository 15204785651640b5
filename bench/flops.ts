/**
 * Multiply-accumulate counts of one Ske2Grid forward pass, counted the way the reference FLOP table
 * counts them (`reference.md` section 5.2): every convolution output element x input channels x
 * kernel taps, zero-padding taps included; dense UPT/GIT products; the classifier. FLOPs = 2 x MACs.
 */
import { REFERENCE_BLOCKS, type BlockSpec } from '../src/index.js';

/** The shape facts that decide the cost of a forward pass. */
export interface FlopModelShape {
  /** Grid side H (= W). */
  grid: number;
  /** Node counts before each UPT+GIT stage, starting with the joints (`[17]` for 5x5). */
  stages: number[];
  /** Frames T. */
  frames: number;
  /** Persons per sample; default 2. */
  persons?: number;
  /** Channels per joint; default 3. */
  inChannels?: number;
  /** Classes; default 60. */
  numClasses?: number;
  /** Channel/stride plan; default the reference plan. */
  blocks?: readonly BlockSpec[];
  /** Square spatial kernel side; default 3. */
  kernelSize?: number;
  /** Temporal taps; default 9. */
  temporalKernelSize?: number;
}

/** Forward MACs of one sample (both persons), reference counting. */
export function forwardMacsPerSample(shape: FlopModelShape): number {
  const persons = shape.persons ?? 2;
  const c0 = shape.inChannels ?? 3;
  const classes = shape.numClasses ?? 60;
  const blocks = shape.blocks ?? REFERENCE_BLOCKS;
  const k2 = (shape.kernelSize ?? 3) ** 2;
  const kt = shape.temporalKernelSize ?? 9;
  const cells = shape.grid * shape.grid;
  const nodes = [...shape.stages, cells];

  let conv = 0; // per person and cell
  let t = shape.frames;
  let cin = c0;
  blocks.forEach((b, i) => {
    const tOut = Math.floor((t - 1) / b.stride) + 1;
    conv += t * b.filters * cin * k2; // spatial 3x3 conv on every frame
    conv += tOut * b.filters * b.filters * kt; // temporal 9-tap conv
    if (i > 0 && (cin !== b.filters || b.stride !== 1)) conv += tOut * b.filters * cin; // 1x1 residual conv
    t = tOut;
    cin = b.filters;
  });

  const columns = c0 * shape.frames; // C x T columns of the joint-axis products
  let mixing = nodes[1] * nodes[0] * nodes[0]; // prior product U_0 @ G
  for (let s = 0; s + 1 < nodes.length; s++) {
    mixing += persons * (nodes[s + 1] * nodes[s] * columns + nodes[s + 1] * nodes[s + 1] * columns); // UPT + dense GIT
  }
  return conv * persons * cells + cin * classes + mixing;
}

/** Forward GFLOP (2 x MACs / 1e9) of one sample. */
export function forwardGflopPerSample(shape: FlopModelShape): number {
  return (2 * forwardMacsPerSample(shape)) / 1e9;
}

/** A training step costs about 3 forward passes (forward, input gradients, weight gradients). */
export const TRAINING_FLOP_FACTOR = 3;

/** The reference stage lists of progressive learning: grid side -> node counts before each stage. */
export function referenceStages(grid: number): number[] {
  const stages = [17];
  for (let side = 5; side < grid; side++) stages.push(side * side);
  return stages;
}

/** The published forward GFLOP per sample (COCO-17, 2 persons, T=100, 60 classes) by grid side. */
export const REFERENCE_GFLOP: Readonly<Record<number, number>> = Object.freeze({ 5: 15.99, 6: 23.03, 7: 31.35, 8: 40.96 });

/** Throws unless {@link forwardGflopPerSample} reproduces {@link REFERENCE_GFLOP} to the 2 decimals published. */
export function checkAgainstReferenceTable(): void {
  for (const [grid, expected] of Object.entries(REFERENCE_GFLOP)) {
    const side = Number(grid);
    const got = forwardGflopPerSample({ grid: side, stages: referenceStages(side), frames: 100 });
    if (Math.abs(got - expected) > 0.005) throw new Error(`FLOP count ${side}x${side}: expected ${expected} GFLOP, got ${got.toFixed(4)}`);
  }
}
