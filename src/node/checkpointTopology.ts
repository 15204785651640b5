import * as tf from '@tensorflow/tfjs-core';
import { Ske2GridError, describe } from '../errors.js';
import { LIMITS } from '../limits.js';
import { CONFIG_METADATA_KEY } from '../model/buildSke2Grid.js';
import { estimateModelSize, resolveConfig, type ResolvedSke2GridConfig, type Ske2GridConfig } from '../model/config.js';

/** Key of the marker of a model compiled for inference (the metadata key of `compileForInference`). */
const INFERENCE_KEY = 'ske2gridInference';

interface LayerJSON {
  class_name: string;
  config: Record<string, unknown>;
}

/**
 * Checks a checkpoint's model topology before tfjs builds anything from it: a functional model whose
 * every layer class is registered (import `ske2grid` first); and, for a Ske2Grid model (its metadata
 * holds the config under `'ske2grid'`, required when a ske2grid layer class appears), that the config
 * passes {@link resolveConfig} (with its size bounds) and that the topology agrees with it: input
 * shape, UPT/GIT node counts, block filters, strides and kernel sizes, grid shape, classifier units,
 * and, for a trainable model, the total number of weight values in the manifest. `where` names the
 * file in errors. Returns the resolved config, or `null` for a model without Ske2Grid metadata.
 */
export function checkCheckpointTopology(
  where: string,
  topology: unknown,
  metadata: unknown,
  weightSpecs: tf.io.WeightsManifestEntry[],
): ResolvedSke2GridConfig | null {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new Ske2GridError(`${where}: ${field}: expected ${expected}, got ${describe(got)}`);
  };
  const top = topology as { class_name?: unknown; config?: { layers?: unknown } };
  const layers = top?.config?.layers;
  if (!Array.isArray(layers))
    return bad('modelTopology.config.layers', 'an array of layers (a functional tfjs model)', layers === undefined ? 'nothing' : typeof layers);
  const known = (tf.serialization.SerializationMap.getMap() as unknown as { classNameMap: Record<string, unknown> }).classNameMap;
  if (typeof top.class_name !== 'string' || !(top.class_name in known)) bad('modelTopology.class_name', 'a registered model class', top.class_name);
  layers.forEach((l: unknown, i) => {
    const layer = l as LayerJSON;
    if (layer == null || typeof layer !== 'object' || typeof layer.class_name !== 'string' || layer.config == null || typeof layer.config !== 'object') {
      bad(`modelTopology layer ${i}`, '{ class_name, config }', l);
    }
    if (!Object.prototype.hasOwnProperty.call(known, layer.class_name)) {
      bad(`modelTopology layer ${i} (${describe(layer.config.name)})`, "a registered layer class (import 'ske2grid' first)", layer.class_name);
    }
  });
  // Every inbound node must name a layer defined before it (the order tfjs saves): a missing or
  // later name, or a cycle, would make tfjs' deserialisation wait for a layer forever.
  const defined = new Set<unknown>();
  layers.forEach((l: unknown, i) => {
    const layer = l as LayerJSON & { name?: unknown; inbound_nodes?: unknown };
    const name = layer.name ?? layer.config.name;
    const inbound = layer.inbound_nodes ?? [];
    if (!Array.isArray(inbound)) bad(`modelTopology layer ${i} (${describe(name)}) inbound_nodes`, 'an array', inbound);
    for (const node of inbound as unknown[]) {
      const refs = Array.isArray(node) ? node : [node];
      for (const ref of refs) {
        const from = Array.isArray(ref) ? ref[0] : undefined;
        if (!defined.has(from))
          bad(`modelTopology layer ${i} (${describe(name)}) inbound_nodes`, 'references to layers defined before it', Array.isArray(ref) ? from : ref);
      }
    }
    if (typeof name !== 'string' || defined.has(name)) bad(`modelTopology layer ${i} name`, 'a unique layer name', name);
    defined.add(name);
  });
  for (const key of ['input_layers', 'output_layers']) {
    const refs = (top.config as Record<string, unknown>)[key];
    if (!Array.isArray(refs) || refs.length === 0 || refs.some((r) => !Array.isArray(r) || !defined.has(r[0]))) {
      bad(`modelTopology.config.${key}`, 'references to defined layers', refs === undefined ? 'nothing' : refs);
    }
  }
  const typed = layers as LayerJSON[];
  const meta = metadata as Record<string, unknown> | undefined;
  const stored = meta?.[CONFIG_METADATA_KEY];
  if (stored === undefined) {
    const own = typed.find((l) => l.class_name.startsWith('Ske2Grid'));
    if (own)
      bad(
        `userDefinedMetadata.${CONFIG_METADATA_KEY}`,
        `the config of this Ske2Grid model (layer ${describe(own.config.name)} is a ${own.class_name})`,
        'nothing',
      );
    return null;
  }
  let c: ResolvedSke2GridConfig;
  try {
    c = resolveConfig(stored as Ske2GridConfig);
  } catch (e) {
    throw new Ske2GridError(`${where}: userDefinedMetadata.${CONFIG_METADATA_KEY}: ${(e as Error).message}`);
  }
  const compiled = meta?.[INFERENCE_KEY] !== undefined;
  const claim = (what: string) => `${what} of the config in userDefinedMetadata.${CONFIG_METADATA_KEY}`;
  let blocks = 0;
  for (const { class_name: cls, config } of typed) {
    const name = String(config.name);
    const field = (key: string) => `modelTopology layer ${describe(name)} ${key}`;
    const stage = Number(/(\d+)$/.exec(name)?.[1] ?? NaN);
    if (cls === 'InputLayer') {
      const expected = [null, c.persons, c.frames, c.layout.joints.length, c.inChannels];
      if (describe(config.batch_input_shape) !== describe(expected))
        bad(field('batch_input_shape'), `${describe(expected)} (${claim('persons, frames, joints, channels')})`, config.batch_input_shape);
    } else if (cls === 'Ske2GridUpsamplingTransform') {
      if (config.out_nodes !== c.stageOutputs[stage]) bad(field('out_nodes'), `${c.stageOutputs[stage]} (${claim(`stage ${stage}`)})`, config.out_nodes);
    } else if (cls === 'Ske2GridGridIndexTransform') {
      if (config.nodes !== c.stageOutputs[stage]) bad(field('nodes'), `${c.stageOutputs[stage]} (${claim(`stage ${stage}`)})`, config.nodes);
    } else if (cls === 'Ske2GridFixedGridMapping') {
      if (describe(config.grid_shape) !== describe(c.gridShape))
        bad(field('grid_shape'), `${describe(c.gridShape)} (${claim('gridShape')})`, config.grid_shape);
    } else if (cls === 'Ske2GridGridConvBlock' || cls === 'Ske2GridFoldedGridConvBlock') {
      blocks++;
      const spec = c.blocks[stage];
      const got = { filters: config.filters, stride: config.stride, kernel_size: config.kernel_size, temporal_kernel_size: config.temporal_kernel_size };
      if (spec === undefined || got.filters !== spec.filters || got.stride !== spec.stride || got.kernel_size !== 3 || got.temporal_kernel_size !== 9) {
        bad(
          field('config'),
          spec
            ? `filters ${spec.filters}, stride ${spec.stride}, kernels 3 and 9 (${claim(`block ${stage}`)})`
            : `no such block (${claim(`${c.blocks.length} blocks`)})`,
          got,
        );
      }
    } else if (cls === 'Dense') {
      if (config.units !== c.numClasses) bad(field('units'), `${c.numClasses} (${claim('numClasses')})`, config.units);
    }
  }
  if (blocks !== c.blocks.length) bad('modelTopology', `${c.blocks.length} grid blocks (${claim('blocks')})`, `${blocks} blocks`);
  const values = weightSpecs.reduce((total, s) => total + s.shape.reduce((a, d) => a * d, 1), 0);
  if (!compiled) {
    const expected = estimateModelSize(c).parameters;
    if (values !== expected) bad('weightsManifest', `${expected} weight values (${claim('size')})`, `${values} values`);
  } else if (values > LIMITS.maxParameters) {
    bad('weightsManifest', `at most ${LIMITS.maxParameters} weight values (LIMITS.maxParameters)`, `${values} values`);
  }
  return c;
}
