import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UpsamplingTransform } from '../layers/UpsamplingTransform.js';
import { setBatchNormFrozen } from '../model/setBatchNormFrozen.js';
import { buildSke2Grid, layerNames } from '../model/buildSke2Grid.js';
import type { Ske2GridConfig } from '../model/config.js';
import { loadOfficialWeights, modelToTorchLayout, officialWeightMap, torchToModelLayout, type OfficialWeightMapping } from './officialWeights.js';
import type { ParityFixture } from './parityFixture.js';
import { decideParity, type ParityVerdict } from './parityVerdict.js';
import { withReluGatesAsync, type ReluGateRecord, type ReluUnit } from './reluGates.js';

/** What a {@link ParityCheck} compares. */
export type ParityCheckKind = 'permutation' | 'forward' | 'statistics' | 'gradient';

/** The result of one parity check. */
export interface ParityCheck {
  /** What was compared, e.g. `eval.logits` or `bn_frozen grad backbone.data_bn.weight`. */
  name: string;
  /**
   * `permutation`; `forward` (activations, logits, UPT matrices, and gradients of the ReLU-free
   * grid loss); `statistics` (running-statistics update); `gradient` (full-network gradients,
   * the only kind a ReLU flip can move).
   */
  kind: ParityCheckKind;
  /** `maxrel` = max|ours - ref| / max|ref|; `maxabs` = max|ours - ref|; `mismatches` = differing entries. */
  metric: 'maxrel' | 'maxabs' | 'mismatches';
  value: number;
  tolerance: number;
  pass: boolean;
}

/** Tolerances of {@link runParityChecks}. */
export interface ParityTolerances {
  /** Forward activations, logits, running statistics and grid-loss gradients, relative; default 1e-5. */
  forward?: number;
  /** Full-network gradients, relative; default 5e-5. */
  gradient?: number;
  /** Conv-bias gradients under batch-statistics BN (analytically zero), absolute; default 1e-5. */
  zeroGradient?: number;
}

/** Options of {@link runParity}. */
export interface ParityOptions extends ParityTolerances {
  /**
   * A full-network gradient mismatch is explained only by at most this many ReLU units per BN
   * variant whose input lies within {@link ParityOptions.reluBand} of zero; default 4.
   */
  maxFlips?: number;
  /** Rounding band of a ReLU input: |input| <= reluBand x RMS of that ReLU's inputs; default 3e-5. */
  reluBand?: number;
  /** Flipped-gradient passes tried per BN variant before giving up; default 16. */
  maxTrials?: number;
  /** Stop after the first group of checks with a failure (the verdict is then known); default false. */
  failFast?: boolean;
}

/** A ReLU unit of the port located in the network. */
export interface LocatedReluUnit extends ReluUnit {
  /** Grid block (0-based) and which of its two ReLUs: after `temporal_bn_in`, or the block output. */
  block: number;
  relu: 'temporal' | 'output';
  /** Person-sample `n * M + m`, frame, grid cell (row-major) and channel of the unit. */
  personSample: number;
  frame: number;
  cell: number;
  channel: number;
  /** |value| / (RMS of that ReLU's inputs): the distance to zero in units of the ReLU's scale. */
  relativeDistance: number;
}

/** Evidence that a BN variant's gradient mismatch comes from ReLU inputs within rounding distance of zero. */
export interface ReluFlipEvidence {
  variant: 'bn_frozen' | 'bn_batchstats';
  /** Per person-sample max|ours - ref| / max|ref| of dL/dgrid before any flip. */
  personSamplesBefore: number[];
  /** The same with {@link ReluFlipEvidence.units} flipped. */
  personSamplesAfter: number[];
  /** The worst full-network gradient check (value / tolerance) before and after the flip. */
  worstBefore: number;
  worstAfter: number;
  /** The port's units whose gate, inverted, reproduces the reference; empty when none was found. */
  units: LocatedReluUnit[];
  /** The port's ReLU inputs nearest zero in the deviating person-samples (the candidates, nearest first). */
  candidates: LocatedReluUnit[];
  /** Every gradient check of the variant recomputed with `units` flipped (the unflipped values when none was found). */
  checksAfter: { name: string; metric: 'maxrel' | 'maxabs'; value: number; tolerance: number }[];
  /** True when every gradient check of the variant passes with `units` flipped. */
  explained: boolean;
  /** Gradient passes run to find the units. */
  trials: number;
}

/** Everything {@link runParity} found: the checks, the ReLU-flip evidence and the verdict. */
export interface ParityReport {
  checks: ParityCheck[];
  flips: ReluFlipEvidence[];
  verdict: ParityVerdict;
}

/** Test hooks of the internal runner: a replacement builder and a step after the weights are loaded. */
export interface ParityRunHooks {
  build?: (config: Ske2GridConfig) => tfl.LayersModel;
  afterLoad?: (model: tfl.LayersModel) => void;
}

/**
 * Runs every parity check of a fixture exported from the official code and decides whether the
 * port is semantically equal to it: the permutation of each GIT stage against `index_sel`, UPT
 * matrices, eval activations (`data_bn`, grid, block 0, pooled features, logits), the running
 * statistics after one batch-statistics step, train-mode logits, ReLU-free grid-loss gradients and
 * the full-network gradients of both BN variants. A full-network gradient mismatch is accepted
 * only when inverting the gate of at most `maxFlips` of the port's ReLU units whose input lies
 * within `reluBand` of zero reproduces every gradient of that variant (see {@link decideParity}).
 * Defaults: forward 1e-5, gradient 5e-5 relative, zero gradients 1e-5 absolute, 4 flips, band 3e-5.
 *
 * @example
 * ```ts
 * import { runParity } from 'ske2grid';
 * import { readParityFixture } from 'ske2grid/node';
 * const { verdict, flips } = await runParity(readParityFixture('fixtures/parity/d5_t12'));
 * console.log(verdict.equal ? 'equal' : verdict.reasons.join('\n'), flips.length);
 * ```
 */
export async function runParity(fixture: ParityFixture, options: ParityOptions = {}): Promise<ParityReport> {
  return runParityWith(fixture, options, {});
}

/**
 * The checks of {@link runParity} only (same options).
 *
 * @example
 * ```ts
 * import { runParityChecks } from 'ske2grid';
 * import { readParityFixture } from 'ske2grid/node';
 * const checks = await runParityChecks(readParityFixture('fixtures/parity/d5_t12'));
 * for (const c of checks) if (!c.pass) console.log(`${c.name}: ${c.metric} ${c.value} > ${c.tolerance}`);
 * ```
 */
export async function runParityChecks(fixture: ParityFixture, options: ParityOptions = {}): Promise<ParityCheck[]> {
  return (await runParityWith(fixture, options, {})).checks;
}

/** {@link runParity} with test hooks (not exported from the package). */
export async function runParityWith(fixture: ParityFixture, options: ParityOptions, hooks: ParityRunHooks): Promise<ParityReport> {
  const tolFwd = options.forward ?? 1e-5;
  const tolGrad = options.gradient ?? 5e-5;
  const tolZero = options.zeroGradient ?? 1e-5;
  const maxFlips = options.maxFlips ?? 4;
  const band = options.reluBand ?? 3e-5;
  const maxTrials = options.maxTrials ?? 16;
  const checks: ParityCheck[] = [];
  const flips: ReluFlipEvidence[] = [];
  const model = (hooks.build ?? buildSke2Grid)(fixture.config());
  const x = fixture.tensor('input.x');
  const finish = (): ParityReport => {
    x.dispose();
    model.dispose();
    return { checks, flips, verdict: decideParity(checks, flips, { maxFlips, reluBand: band }) };
  };
  const stop = () => options.failFast === true && checks.some((c) => !c.pass);

  const report = loadOfficialWeights(model, fixture.stateDict(), { checkPermutation: false });
  hooks.afterLoad?.(model);
  const mappings = officialWeightMap(model);
  const [n, m, t] = x.shape;
  const toTorchGrid = (g: tf.Tensor) => {
    const [, , tt, h, w, c] = g.shape;
    return tf.transpose(tf.reshape(g, [n * m, tt, h, w, c]), [0, 4, 1, 2, 3]);
  };
  const measure = (ours: tf.Tensor, refName: string, metric: 'maxrel' | 'maxabs') => {
    const ref = fixture.tensor(refName);
    const value = metric === 'maxrel' ? maxRelative(ours, ref) : maxAbsolute(ours, ref);
    ref.dispose();
    return value;
  };
  const compare = (name: string, kind: ParityCheckKind, ours: tf.Tensor, refName: string, tol: number, metric: 'maxrel' | 'maxabs' = 'maxrel') => {
    const value = measure(ours, refName, metric);
    checks.push({ name, kind, metric, value, tolerance: tol, pass: value <= tol });
  };

  // 1. Permutations, UPT matrices, eval activations and logits.
  report.permutations.forEach((p, s) => {
    const ref = fixture.manifest.index_sel[`stage${s}`] ?? [];
    const mismatches = ref.length === p.length ? p.filter((v, r) => v !== ref[r]).length : Math.max(ref.length, p.length);
    checks.push({ name: `permutation stage${s}`, kind: 'permutation', metric: 'mismatches', value: mismatches, tolerance: 0, pass: mismatches === 0 });
  });
  tf.tidy(() => {
    model.layers
      .filter((l) => l instanceof UpsamplingTransform)
      .forEach((layer, s) => {
        compare(`upt_eff stage${s}`, 'forward', (layer as UpsamplingTransform).effectiveMatrix(), `eval.upt_eff.stage${s}`, tolFwd);
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
    compare('eval.data_bn_out', 'forward', tf.transpose(tf.reshape(norm, [n * m, t, v * c]), [0, 2, 1]), 'eval.data_bn_out', tolFwd);
    compare('eval.grid', 'forward', toTorchGrid(grid), 'eval.grid', tolFwd);
    compare('eval.block0_out', 'forward', toTorchGrid(block0), 'eval.block0_out', tolFwd);
    compare('eval.pooled', 'forward', pooled, 'eval.pooled', tolFwd);
    compare('eval.logits', 'forward', logits, 'eval.logits', tolFwd);
  });
  if (stop()) return finish();
  await yieldToEventLoop();

  // 2. Running statistics after one batch-statistics step of data_bn (PyTorch: momentum 0.1 on the
  // new batch, unbiased variance), against the fixture's input and pre-step statistics.
  await checkRunningStatistics();
  if (stop()) return finish();

  const gridModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer(layerNames.toGrid).output as tfl.SymbolicTensor });
  const upstreamVariables = new Set(gridModel.weights);
  const head = model.layers.slice(model.layers.indexOf(model.getLayer(layerNames.block(0))));
  const sites = 2 * model.layers.filter((l) => l.name.startsWith('block')).length;

  for (const variant of ['bn_frozen', 'bn_batchstats'] as const) {
    if (!fixture.has(`train.${variant}.logits`)) continue;
    setBatchNormFrozen(model, variant === 'bn_frozen');
    // 3. Train-mode logits, the batch-statistics grid and the ReLU-free grid-loss gradients.
    tf.tidy(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      compare(`${variant} logits`, 'forward', logits, `train.${variant}.logits`, tolFwd);
      if (variant === 'bn_batchstats' && fixture.has('train.bn_batchstats.grid')) {
        compare(`${variant} grid`, 'forward', toTorchGrid(gridModel.apply(x, { training: true }) as tf.Tensor), 'train.bn_batchstats.grid', tolFwd);
      }
    });
    await yieldToEventLoop();
    tf.tidy(() => {
      const gridPrefix = `train.${variant}.grid_loss_grad.`;
      const gridTargets = targetsOf(gridPrefix);
      if (gridTargets.length > 0) {
        const wgrid = fixture.tensor('train.wgrid');
        const grads = tf.variableGrads(
          () => tf.sum(tf.mul(toTorchGrid(gridModel.apply(x, { training: true }) as tf.Tensor), wgrid)) as tf.Scalar,
          gridTargets.map((mp) => mp.variable.read() as tf.Variable),
        ).grads;
        for (const mp of gridTargets) {
          compare(
            `${variant} grid-loss grad ${mp.key}`,
            'forward',
            modelToTorchLayout(mp, grads[(mp.variable.read() as tf.Variable).name]),
            `${gridPrefix}${mp.key}`,
            tolFwd,
          );
        }
      }
    });
    if (stop()) return finish();
    await yieldToEventLoop();

    // 4. Full-network gradients: dL/dgrid per person-sample and every exported parameter gradient.
    const prefix = `train.${variant}.grad.`;
    const targets = targetsOf(prefix);
    const measureGradients = async (flip: ReluUnit[]) => {
      const { result, record } = await withReluGatesAsync({ flip, sites, nearestPerRow: flip.length === 0 ? 4 : 0 }, () => gradientPass(variant, targets));
      const values: GradientValues = new Map();
      for (const [name, tensor] of result.perPerson) values.set(name, { value: tensor, tolerance: tolGrad, metric: 'maxrel' });
      for (const mp of targets) {
        const ours = result.grads.get(mp.key)!;
        const zeroBias = variant === 'bn_batchstats' && /(conv|tcn2cn\.2|residual\.0)\.bias$/.test(mp.key);
        const metric = zeroBias ? 'maxabs' : 'maxrel';
        values.set(`${variant} grad ${mp.key}`, { value: measure(ours, `${prefix}${mp.key}`, metric), tolerance: zeroBias ? tolZero : tolGrad, metric });
      }
      tf.dispose([...result.grads.values()]);
      return { values, record, personSamples: result.personSamples };
    };
    const base = await measureGradients([]);
    for (const [name, r] of base.values)
      checks.push({ name, kind: 'gradient', metric: r.metric, value: r.value, tolerance: r.tolerance, pass: r.value <= r.tolerance });
    const worst = (values: typeof base.values) => Math.max(...[...values.values()].map((r) => r.value / r.tolerance));
    if (worst(base.values) > 1 && !checks.some((c) => !c.pass && c.kind !== 'gradient')) {
      flips.push(await explainByFlips(variant, base, measureGradients, worst));
    }
    await yieldToEventLoop();
  }
  return finish();

  function targetsOf(prefix: string): OfficialWeightMapping[] {
    return fixture
      .names(prefix)
      .map((name) => mappings.find((mp) => mp.key === name.slice(prefix.length)))
      .filter((mp): mp is OfficialWeightMapping => mp != null);
  }

  /**
   * One backward pass of `sum(logits * wfix)`: the head (blocks, pooling, classifier) from the grid
   * with the grid as a variable, then the stages before the grid from dL/dgrid.
   */
  async function gradientPass(variant: string, targets: OfficialWeightMapping[]) {
    const perPerson = new Map<string, number>();
    const personSamples: number[] = [];
    const headTargets = targets.filter((mp) => !upstreamVariables.has(mp.variable));
    const upTargets = targets.filter((mp) => upstreamVariables.has(mp.variable));
    // The head's backward pass, then (after a turn of the event loop) the stages before the grid.
    const gridValue = tf.tidy(() => gridModel.apply(x, { training: true }) as tf.Tensor);
    const grid = tf.variable(gridValue, true, `parity_grid_${variant}`);
    gridValue.dispose();
    const headGrads = tf.tidy(() => {
      const wfix = fixture.tensor('train.wfix');
      return tf.variableGrads(() => {
        let h: tf.Tensor = grid;
        for (const layer of head) h = layer.apply(h, { training: true }) as tf.Tensor;
        return tf.sum(tf.mul(h, wfix)) as tf.Scalar;
      }, [grid, ...headTargets.map((mp) => mp.variable.read() as tf.Variable)]).grads;
    });
    const dGrid = headGrads[grid.name]!;
    grid.dispose();
    await yieldToEventLoop();
    const tensors = tf.tidy(() => {
      const upGrads =
        upTargets.length > 0
          ? tf.variableGrads(
              () => tf.sum(tf.mul(gridModel.apply(x, { training: true }) as tf.Tensor, dGrid)) as tf.Scalar,
              upTargets.map((mp) => mp.variable.read() as tf.Variable),
            ).grads
          : {};
      const refName = `train.${variant}.grad.grid`;
      if (fixture.has(refName)) {
        const ours = toTorchGrid(dGrid);
        const ref = fixture.tensor(refName);
        const scale = tf.max(tf.abs(ref)).dataSync()[0];
        for (let k = 0; k < ref.shape[0]; k++) {
          const size = [1, ...ref.shape.slice(1)];
          const begin = ref.shape.map((_, i) => (i === 0 ? k : 0));
          const diff = tf.max(tf.abs(tf.sub(tf.slice(ours, begin, size), tf.slice(ref, begin, size)))).dataSync()[0];
          const value = scale === 0 ? diff : diff / scale;
          perPerson.set(`${variant} grad.grid person-sample ${k}`, value);
          personSamples.push(value);
        }
      }
      return targets.map((mp) => {
        const name = (mp.variable.read() as tf.Variable).name;
        return modelToTorchLayout(mp, headGrads[name] ?? upGrads[name]);
      });
    });
    tf.dispose(Object.values(headGrads));
    return { grads: new Map(targets.map((mp, i) => [mp.key, tensors[i]])), perPerson, personSamples };
  }

  /**
   * Searches the port's ReLU inputs nearest zero for at most `maxFlips` units whose inverted gate
   * reproduces every gradient of the variant: candidates within the rounding band, in the
   * deviating person-samples first, nearest zero first, skipping person-samples a chosen flip already
   * explained; greedy, at most `maxTrials` passes.
   */
  async function explainByFlips(
    variant: 'bn_frozen' | 'bn_batchstats',
    base: { values: GradientValues; record: ReluGateRecord; personSamples: number[] },
    measureGradients: (flip: ReluUnit[]) => Promise<{ values: GradientValues; personSamples: number[] }>,
    worst: (values: GradientValues) => number,
  ): Promise<ReluFlipEvidence> {
    const rms = base.record.scales;
    const located = base.record.nearest.map((u) => locate(u, rms[u.site]));
    const deviating = base.personSamples.map((v, k) => ({ v, k })).filter((p) => p.v > tolGrad);
    const order = new Map(deviating.sort((a, b) => b.v - a.v).map((p, i) => [p.k, i]));
    const candidates = located
      .filter((u) => u.relativeDistance <= band)
      .sort((a, b) => (order.get(a.personSample) ?? 99) - (order.get(b.personSample) ?? 99) || a.relativeDistance - b.relativeDistance);
    // Greedy: each round adds the unit that lowers the total excess most (sum over checks of
    // value / tolerance), taking the first one that halves it; stops when every check passes.
    const excess = (values: GradientValues) => [...values.values()].reduce((a, r) => a + r.value / r.tolerance, 0);
    let chosen: LocatedReluUnit[] = [];
    let best = { worst: worst(base.values), excess: excess(base.values), personSamples: base.personSamples, values: base.values };
    let trials = 0;
    while (chosen.length < maxFlips && best.worst > 1 && trials < maxTrials) {
      let round: (typeof best & { unit: LocatedReluUnit }) | null = null;
      // Only units of person-samples that still deviate: a flip moves its own person-sample's gradient.
      const stillDeviating = (unit: LocatedReluUnit) => (best.personSamples[unit.personSample] ?? 0) > tolGrad;
      for (const unit of candidates) {
        if (chosen.includes(unit) || !stillDeviating(unit) || trials >= maxTrials) continue;
        trials++;
        const r = await measureGradients([...chosen, unit]);
        const trial = { unit, worst: worst(r.values), excess: excess(r.values), personSamples: r.personSamples, values: r.values };
        if (!round || trial.excess < round.excess) round = trial;
        if (trial.worst <= 1 || trial.excess < best.excess / 2) break;
      }
      if (!round || round.excess >= best.excess) break;
      chosen = [...chosen, round.unit];
      best = round;
    }
    const explained = best.worst <= 1;
    return {
      variant,
      personSamplesBefore: base.personSamples,
      personSamplesAfter: explained ? best.personSamples : base.personSamples,
      worstBefore: worst(base.values),
      worstAfter: best.worst,
      units: explained ? chosen : [],
      candidates: candidates.slice(0, 6),
      checksAfter: [...(explained ? best.values : base.values)].map(([name, r]) => ({ name, ...r })),
      explained,
      trials,
    };
  }

  function locate(u: ReluUnit, scale: number): LocatedReluUnit {
    const [, tt, cells, channels] = u.shape;
    const perSample = tt * cells * channels;
    return {
      ...u,
      block: Math.floor(u.site / 2),
      relu: u.site % 2 === 0 ? 'temporal' : 'output',
      personSample: Math.floor(u.index / perSample),
      frame: Math.floor((u.index % perSample) / (cells * channels)),
      cell: Math.floor((u.index % (cells * channels)) / channels),
      channel: u.index % channels,
      relativeDistance: scale > 0 ? Math.abs(u.value) / scale : Infinity,
    };
  }

  async function checkRunningStatistics(): Promise<void> {
    const keys = ['backbone.data_bn.running_mean', 'backbone.data_bn.running_var'];
    const maps = keys.map((k) => mappings.find((mp) => mp.key === k));
    if (maps.some((mp) => mp == null) || !keys.every((k) => fixture.has(k))) return;
    const { data, shape } = fixture.values('input.x');
    const [nn, mm, tt, vv, cc] = shape;
    const count = nn * mm * tt;
    const channels = vv * cc;
    const mean = new Float64Array(channels);
    const sq = new Float64Array(channels);
    for (let i = 0; i < data.length; i++) mean[i % channels] += data[i] / count;
    for (let i = 0; i < data.length; i++) sq[i % channels] += (data[i] - mean[i % channels]) ** 2;
    const momentum = 0.1;
    const before = keys.map((k) => fixture.values(k).data);
    const expected = [
      Float32Array.from(mean, (v, ch) => (1 - momentum) * before[0][ch] + momentum * v),
      Float32Array.from(sq, (v, ch) => (1 - momentum) * before[1][ch] + momentum * (v / (count - 1))),
    ];
    setBatchNormFrozen(model, false);
    tf.tidy(() => {
      model.getLayer(layerNames.skeletonNorm).apply(x, { training: true });
    });
    tf.tidy(() => {
      maps.forEach((mp, i) => {
        const ours = modelToTorchLayout(mp!, mp!.variable.read());
        const value = maxRelative(ours, tf.tensor(expected[i], [channels]));
        checks.push({ name: `bn_batchstats ${keys[i]} after one step`, kind: 'statistics', metric: 'maxrel', value, tolerance: tolFwd, pass: value <= tolFwd });
      });
    });
    // Every batch norm keeps (1 - momentum) = 0.9 of its old running value: two steps on the same
    // batch from running statistics that differ by delta must end delta * 0.9 apart.
    const running = mappings.filter((mp) => /running_(mean|var)$/.test(mp.key) && fixture.has(mp.key));
    const restore = (shift: boolean) => {
      for (const mp of running) {
        const { shape, data } = fixture.values(mp.key);
        const value = torchToModelLayout(mp, { shape, data: shift ? Float32Array.from(data, (v) => v + 1) : data });
        mp.variable.write(value);
        value.dispose();
      }
    };
    const step = () => {
      tf.tidy(() => {
        model.apply(x, { training: true });
      });
      return running.map((mp) => (mp.variable.read().dataSync() as Float32Array).slice());
    };
    restore(false);
    await yieldToEventLoop();
    const a = step();
    await yieldToEventLoop();
    restore(true);
    const b = step();
    await yieldToEventLoop();
    let worst = 0;
    a.forEach((va, i) => va.forEach((v, k) => (worst = Math.max(worst, Math.abs(b[i][k] - v - (1 - momentum))))));
    checks.push({
      name: `bn_batchstats running statistics of all ${running.length / 2} batch norms keep ${1 - momentum} of the old value`,
      kind: 'statistics',
      metric: 'maxabs',
      value: worst,
      tolerance: 1e-4,
      pass: worst <= 1e-4,
    });
    // Restore the pre-step statistics for the checks that follow.
    restore(false);
  }
}

/** Gradient check name -> measured value, its tolerance and metric. */
type GradientValues = Map<string, { value: number; tolerance: number; metric: 'maxrel' | 'maxabs' }>;

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
