import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UpsamplingTransform } from '../layers/UpsamplingTransform.js';
import { setBatchNormFrozen } from '../model/setBatchNormFrozen.js';
import { buildSke2Grid, layerNames } from '../model/buildSke2Grid.js';
import { loadOfficialWeights, modelToTorchLayout, officialWeightMap } from './officialWeights.js';
import type { ParityFixture } from './parityFixture.js';

/** The result of one parity check. */
export interface ParityCheck {
  /** What was compared, e.g. `eval.logits` or `bn_frozen grad backbone.data_bn.weight`. */
  name: string;
  /** `maxrel` = max|ours - ref| / max|ref|; `maxabs` = max|ours - ref|; `mismatches` = differing entries. */
  metric: 'maxrel' | 'maxabs' | 'mismatches';
  value: number;
  tolerance: number;
  pass: boolean;
}

/** Tolerances of {@link runParityChecks}. */
export interface ParityTolerances {
  /** Forward activations and logits, relative; default 1e-4. */
  forward?: number;
  /** Gradients, relative; default 1e-3. */
  gradient?: number;
  /** Conv-bias gradients under batch-statistics BN (analytically zero), absolute; default 1e-5. */
  zeroGradient?: number;
}

/**
 * Runs every parity check of a fixture exported from the official code: the permutation of each
 * GIT stage against `index_sel`, UPT matrices, eval activations (`data_bn`, grid, block 0,
 * pooled features, logits) and train-mode logits and gradients for both BN variants. The model
 * is built from the fixture's config and loaded with `loadOfficialWeights`. Default tolerances:
 * forward 1e-4 and gradient 1e-3 relative, zero gradients 1e-5 absolute.
 *
 * @example
 * ```ts
 * import { runParityChecks } from 'ske2grid';
 * import { readParityFixture } from 'ske2grid/node';
 * const checks = await runParityChecks(readParityFixture('fixtures/parity/d5_t12'));
 * for (const c of checks) if (!c.pass) console.log(`${c.name}: ${c.metric} ${c.value} > ${c.tolerance}`);
 * ```
 */
export async function runParityChecks(fixture: ParityFixture, tolerances: ParityTolerances = {}): Promise<ParityCheck[]> {
  const tolFwd = tolerances.forward ?? 1e-4;
  const tolGrad = tolerances.gradient ?? 1e-3;
  const tolZero = tolerances.zeroGradient ?? 1e-5;
  const checks: ParityCheck[] = [];
  const model = buildSke2Grid(fixture.config());
  const report = loadOfficialWeights(model, fixture.stateDict(), { checkPermutation: false });

  report.permutations.forEach((p, s) => {
    const ref = fixture.manifest.index_sel[`stage${s}`] ?? [];
    const mismatches = ref.length === p.length ? p.filter((v, r) => v !== ref[r]).length : Math.max(ref.length, p.length);
    checks.push({ name: `permutation stage${s}`, metric: 'mismatches', value: mismatches, tolerance: 0, pass: mismatches === 0 });
  });

  const compare = (name: string, ours: tf.Tensor, refName: string, tol: number, metric: 'maxrel' | 'maxabs' = 'maxrel') => {
    const ref = fixture.tensor(refName);
    const value = metric === 'maxrel' ? maxRelative(ours, ref) : maxAbsolute(ours, ref);
    ref.dispose();
    checks.push({ name, metric, value, tolerance: tol, pass: value <= tol });
  };

  const x = fixture.tensor('input.x');
  const [n, m, t] = x.shape;
  const toTorchGrid = (g: tf.Tensor) => {
    const [, , tt, h, w, c] = g.shape;
    return tf.transpose(tf.reshape(g, [n * m, tt, h, w, c]), [0, 4, 1, 2, 3]);
  };

  tf.tidy(() => {
    model.layers
      .filter((l) => l instanceof UpsamplingTransform)
      .forEach((layer, s) => {
        compare(`upt_eff stage${s}`, (layer as UpsamplingTransform).effectiveMatrix(), `eval.upt_eff.stage${s}`, tolFwd);
      });
    const probe = tfl.model({
      inputs: model.inputs,
      outputs: [layerNames.skeletonNorm, layerNames.toGrid, layerNames.block(0), layerNames.pool, layerNames.classifier].map(
        (name) => model.getLayer(name).output as tfl.SymbolicTensor,
      ),
    });
    const [norm, grid, block0, pooled, logits] = probe.predict(x) as tf.Tensor[];
    const v = norm.shape[3] as number;
    const c = norm.shape[4] as number;
    compare('eval.data_bn_out', tf.transpose(tf.reshape(norm, [n * m, t, v * c]), [0, 2, 1]), 'eval.data_bn_out', tolFwd);
    compare('eval.grid', toTorchGrid(grid), 'eval.grid', tolFwd);
    compare('eval.block0_out', toTorchGrid(block0), 'eval.block0_out', tolFwd);
    compare('eval.pooled', pooled, 'eval.pooled', tolFwd);
    compare('eval.logits', logits, 'eval.logits', tolFwd);
  });

  await yieldToEventLoop();
  const mappings = officialWeightMap(model);
  const gridModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer(layerNames.toGrid).output as tfl.SymbolicTensor });
  for (const variant of ['bn_frozen', 'bn_batchstats'] as const) {
    if (!fixture.has(`train.${variant}.logits`)) continue;
    setBatchNormFrozen(model, variant === 'bn_frozen');
    const prefix = `train.${variant}.grad.`;
    const wanted = fixture.names(prefix).filter((name) => name !== `${prefix}grid`);
    const targets = wanted.map((name) => mappings.find((mp) => mp.key === name.slice(prefix.length))).filter((mp) => mp != null);
    tf.tidy(() => checkGridGradient(variant, toTorchGrid));
    await yieldToEventLoop();
    tf.tidy(() => {
      const wfix = fixture.tensor('train.wfix');
      let logits: tf.Tensor | null = null;
      const { grads } = tf.variableGrads(
        () => {
          logits = tf.keep(model.apply(x, { training: true }) as tf.Tensor);
          return tf.sum(tf.mul(logits, wfix)) as tf.Scalar;
        },
        targets.map((mp) => mp.variable.read() as tf.Variable),
      );
      compare(`${variant} logits`, logits!, `train.${variant}.logits`, tolFwd);
      tf.dispose(logits!);
      for (const mp of targets) {
        const ours = modelToTorchLayout(mp, grads[(mp.variable.read() as tf.Variable).name]);
        const zeroBias = variant === 'bn_batchstats' && /(conv|tcn2cn\.2|residual\.0)\.bias$/.test(mp.key);
        compare(`${variant} grad ${mp.key}`, ours, `${prefix}${mp.key}`, zeroBias ? tolZero : tolGrad, zeroBias ? 'maxabs' : 'maxrel');
      }
    });
    await yieldToEventLoop();
    tf.tidy(() => {
      const gridPrefix = `train.${variant}.grid_loss_grad.`;
      const gridTargets = fixture
        .names(gridPrefix)
        .map((name) => mappings.find((mp) => mp.key === name.slice(gridPrefix.length)))
        .filter((mp) => mp != null);
      if (gridTargets.length > 0) {
        const wgrid = fixture.tensor('train.wgrid');
        const gridGrads = tf.variableGrads(
          () => tf.sum(tf.mul(toTorchGrid(gridModel.apply(x, { training: true }) as tf.Tensor), wgrid)) as tf.Scalar,
          gridTargets.map((mp) => mp.variable.read() as tf.Variable),
        ).grads;
        for (const mp of gridTargets) {
          const ours = modelToTorchLayout(mp, gridGrads[(mp.variable.read() as tf.Variable).name]);
          compare(`${variant} grid-loss grad ${mp.key}`, ours, `${gridPrefix}${mp.key}`, tolGrad);
        }
      }
    });
  }
  x.dispose();
  model.dispose();
  return checks;

  /**
   * dL/dgrid per person-sample: a ReLU input within rounding distance of zero flips between
   * implementations and moves the gradient of that person-sample only; these lines show where.
   */
  function checkGridGradient(variant: string, toTorchGrid: (g: tf.Tensor) => tf.Tensor): void {
    const refName = `train.${variant}.grad.grid`;
    if (!fixture.has(refName)) return;
    const grid = gridModel.apply(x, { training: true }) as tf.Tensor;
    if (variant === 'bn_batchstats' && fixture.has('train.bn_batchstats.grid')) {
      compare(`${variant} grid`, toTorchGrid(grid), 'train.bn_batchstats.grid', tolFwd);
    }
    const wfix = fixture.tensor('train.wfix');
    const head = model.layers.slice(model.layers.indexOf(model.getLayer(layerNames.block(0))));
    const dGrid = tf.grad((g: tf.Tensor) => {
      let h = g;
      for (const layer of head) h = layer.apply(h, { training: true }) as tf.Tensor;
      return tf.sum(tf.mul(h, wfix));
    })(grid);
    const ours = toTorchGrid(dGrid);
    const ref = fixture.tensor(refName);
    const scale = tf.max(tf.abs(ref)).dataSync()[0];
    for (let k = 0; k < ref.shape[0]; k++) {
      const size = [1, ...ref.shape.slice(1)];
      const begin = ref.shape.map((_, i) => (i === 0 ? k : 0));
      const diff = tf.max(tf.abs(tf.sub(tf.slice(ours, begin, size), tf.slice(ref, begin, size)))).dataSync()[0];
      const value = scale === 0 ? diff : diff / scale;
      checks.push({ name: `${variant} grad.grid person-sample ${k}`, metric: 'maxrel', value, tolerance: tolGrad, pass: value <= tolGrad });
    }
  }
}

/** Lets timers and I/O run between long synchronous steps (CPU backends block the thread). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * max|a - b| / max|b| (b the reference; `a` is reshaped to `b`'s shape); max|a - b| when b is all zero.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { maxRelative } from 'ske2grid';
 * maxRelative(tf.tensor1d([1, 2.01]), tf.tensor1d([1, 2])); // ~0.005 = 0.01 / 2 (float32)
 * ```
 */
export function maxRelative(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const diff = tf.max(tf.abs(tf.sub(tf.reshape(a, b.shape), b))).dataSync()[0];
    const scale = tf.max(tf.abs(b)).dataSync()[0];
    return scale === 0 ? diff : diff / scale;
  });
}

/**
 * max|a - b| over all entries (`a` is reshaped to `b`'s shape, same size).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { maxAbsolute } from 'ske2grid';
 * maxAbsolute(tf.tensor2d([[1, 2]]), tf.tensor1d([1, 2.5])); // 0.5 (a reshaped to b's shape)
 * ```
 */
export function maxAbsolute(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(tf.reshape(a, b.shape), b))).dataSync()[0]);
}
