import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportOfficialStateDict, modelToTorchLayout, officialWeightMap } from '../../src/interop/officialWeights.js';
import { ParityFixture, type ParityManifest } from '../../src/interop/parityFixture.js';
import { UpsamplingTransform } from '../../src/layers/UpsamplingTransform.js';
import { setBatchNormFrozen } from '../../src/model/setBatchNormFrozen.js';
import { buildSke2Grid, layerNames } from '../../src/model/buildSke2Grid.js';
import type { Ske2GridConfig } from '../../src/model/config.js';
import { resolveConfig } from '../../src/model/config.js';

/** A fixture configuration in the official code's terms. */
export interface SelfFixtureSpec {
  layout: 'coco' | 'nturgb+d';
  grid: [number, number];
  /** `progressive_joint_seq`. */
  stages: number[];
  batch: number;
  persons: number;
  frames: number;
  classes: number;
  seed: number;
}

/**
 * A parity fixture in the official format whose reference values the port computes itself (its
 * own weights, drawn from `seed`, exported as an official state dict). It exercises fixture
 * reading, model building and every check for configurations the shared fixtures do not cover;
 * it proves nothing about the official code.
 */
export async function selfFixture(spec: SelfFixtureSpec): Promise<ParityFixture> {
  const config: Ske2GridConfig = {
    layout: spec.layout,
    gridShape: spec.grid,
    stages: spec.stages,
    persons: spec.persons,
    frames: spec.frames,
    numClasses: spec.classes,
    seed: spec.seed,
  };
  const model = buildSke2Grid(config);
  const joints = resolveConfig(config).layout.joints.length;
  const [n, m, t, c] = [spec.batch, spec.persons, spec.frames, 3];
  const chunks: { name: string; kind: string; data: Float32Array; shape: number[] }[] = [];
  const add = (name: string, kind: string, x: tf.Tensor | { shape: number[]; data: ArrayLike<number> }) => {
    const data = x instanceof tf.Tensor ? (x.dataSync() as Float32Array) : Float32Array.from(x.data);
    chunks.push({ name, kind, data: Float32Array.from(data), shape: x.shape.slice() as number[] });
  };
  const permutations: Record<string, number[]> = {};
  for (const [key, v] of Object.entries(exportOfficialStateDict(model))) {
    add(key, 'param', v);
    const stage = /SGT_stages\.(\d+)\.index_sel$/.exec(key);
    if (stage) permutations[`stage${stage[1]}`] = Array.from(v.data);
  }
  // One tidy per step, and the event loop gets a turn between steps: a full-width model on the cpu
  // backend is slow, and a worker blocked for a minute misses the test runner's messages.
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  const x = tf.randomNormal([n, m, t, joints, c], 0, 1, 'float32', spec.seed + 1);
  add('input.x', 'input', x);
  const toTorchGrid = (g: tf.Tensor) => {
    const [, , tt, h, w, cc] = g.shape;
    return tf.transpose(tf.reshape(g, [n * m, tt, h, w, cc]), [0, 4, 1, 2, 3]);
  };
  let gridShape: number[] = [];
  tf.tidy(() => {
    model.layers
      .filter((l) => l instanceof UpsamplingTransform)
      .forEach((l, s) => add(`eval.upt_eff.stage${s}`, 'matrix', (l as UpsamplingTransform).effectiveMatrix()));
    const probe = tfl.model({
      inputs: model.inputs,
      outputs: [layerNames.skeletonNorm, layerNames.toGrid, layerNames.block(0), layerNames.pool, layerNames.classifier].map(
        (name) => model.getLayer(name).output as tfl.SymbolicTensor,
      ),
    });
    const [norm, grid, block0, pooled, logits] = probe.predict(x) as tf.Tensor[];
    add('eval.data_bn_out', 'activation', tf.transpose(tf.reshape(norm, [n * m, t, joints * c]), [0, 2, 1]));
    add('eval.grid', 'activation', toTorchGrid(grid));
    add('eval.block0_out', 'activation', toTorchGrid(block0));
    add('eval.pooled', 'activation', pooled);
    add('eval.logits', 'output', logits);
    gridShape = toTorchGrid(grid).shape;
  });
  await pause();
  const wfix = tf.randomNormal([n, spec.classes], 0, 1, 'float32', spec.seed + 2);
  const wgrid = tf.randomNormal(gridShape, 0, 1, 'float32', spec.seed + 3);
  add('train.wfix', 'input', wfix);
  add('train.wgrid', 'input', wgrid);
  const mappings = officialWeightMap(model);
  const wanted = (key: string) =>
    /sampling_stages|sgt_trans_mat|st_gcn_networks\.0\.gcn2cn\.conv|data_bn\.(weight|bias)|cls_head/.test(key) && !/running/.test(key);
  const upstream = (key: string) => /sampling_stages|sgt_trans_mat|data_bn/.test(key);
  const gridModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer(layerNames.toGrid).output as tfl.SymbolicTensor });
  const head = model.layers.slice(model.layers.indexOf(model.getLayer(layerNames.block(0))));
  const targets = mappings.filter((mp) => wanted(mp.key));
  const up = targets.filter((mp) => upstream(mp.key));
  for (const variant of ['bn_frozen', 'bn_batchstats'] as const) {
    setBatchNormFrozen(model, variant === 'bn_frozen');
    tf.tidy(() => {
      const g = gridModel.apply(x, { training: true }) as tf.Tensor;
      if (variant === 'bn_batchstats') add('train.bn_batchstats.grid', 'activation', toTorchGrid(g));
      add(`train.${variant}.logits`, 'output', model.apply(x, { training: true }) as tf.Tensor);
    });
    await pause();
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, wfix)) as tf.Scalar,
        targets.map((mp) => mp.variable.read() as tf.Variable),
      );
      for (const mp of targets) add(`train.${variant}.grad.${mp.key}`, 'grad', modelToTorchLayout(mp, grads[(mp.variable.read() as tf.Variable).name]));
    });
    await pause();
    tf.tidy(() => {
      const g = gridModel.apply(x, { training: true }) as tf.Tensor;
      const dGrid = tf.grad((gg: tf.Tensor) => {
        let h = gg;
        for (const layer of head) h = layer.apply(h, { training: true }) as tf.Tensor;
        return tf.sum(tf.mul(h, wfix));
      })(g);
      add(`train.${variant}.grad.grid`, 'grad', toTorchGrid(dGrid));
    });
    await pause();
    tf.tidy(() => {
      const gridGrads = tf.variableGrads(
        () => tf.sum(tf.mul(toTorchGrid(gridModel.apply(x, { training: true }) as tf.Tensor), wgrid)) as tf.Scalar,
        up.map((mp) => mp.variable.read() as tf.Variable),
      ).grads;
      for (const mp of up)
        add(`train.${variant}.grid_loss_grad.${mp.key}`, 'grad', modelToTorchLayout(mp, gridGrads[(mp.variable.read() as tf.Variable).name]));
    });
    await pause();
  }
  tf.dispose([x, wfix, wgrid]);
  model.dispose();
  let offset = 0;
  const tensors = chunks.map((ch) => {
    const e = { name: ch.name, kind: ch.kind, shape: ch.shape, offset, nbytes: ch.data.length * 4 };
    offset += e.nbytes;
    return e;
  });
  const blob = new Float32Array(offset / 4);
  chunks.forEach((ch, i) => blob.set(ch.data, tensors[i].offset / 4));
  const manifest: ParityManifest = {
    format: 'ske2grid-parity-fixture/v1',
    model: {
      name: `self_${spec.layout}_${spec.grid.join('x')}_${spec.stages.join('-')}_m${spec.persons}_t${spec.frames}`,
      grid_shape: spec.grid,
      progressive_joint_seq: spec.stages,
      layout: spec.layout,
      in_channels: c,
      num_classes: spec.classes,
      num_person: spec.persons,
      dropout: 0,
    },
    input: { N: n, M: m, T: t, V: joints, C: c },
    index_sel: permutations,
    tensors,
  };
  return new ParityFixture(manifest, blob.buffer);
}
