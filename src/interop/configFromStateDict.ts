import { Ske2GridError, describe } from '../errors.js';
import type { LayoutName } from '../layouts/registry.js';
import { REFERENCE_BLOCKS, type BlockSpec, type Ske2GridConfig } from '../model/config.js';
import { stateDictOf, type OfficialCheckpoint } from './checkpointStateDict.js';

/** The built-in layout each joint count stands for when a checkpoint does not name one. */
const LAYOUT_BY_JOINTS: Record<number, LayoutName> = { 17: 'coco', 25: 'ntu25', 20: 'kinect20' };
/** The official code's layout names as this library spells them. */
const LAYOUT_NAMES: Record<string, LayoutName> = { coco: 'coco', 'nturgb+d': 'ntu25', ntu25: 'ntu25', kinect20: 'kinect20' };

/**
 * The `buildSke2Grid` config of an official / PYSKL checkpoint, read from its tensors: joints and
 * channels (`backbone.data_bn`), the stage sequence and grid (`backbone.sampling_stages.*`), the
 * channel plan (`backbone.st_gcn_networks.*`; a checkpoint stores no strides: stride 2 where the
 * channels change, as in the reference plan) and the classes (`cls_head.fc`). Persons and the layout
 * come from the mmcv `meta.config` text when it names them (`num_person=`, `layout=`), else 2
 * persons and the built-in layout of that joint count (17 coco, 25 ntu25, 20 kinect20). `frames` is
 * `null` (any clip length: no weight depends on it). Every field of `overrides` wins.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, configFromStateDict, loadOfficialWeights, readTorchCheckpoint } from 'ske2grid';
 * declare const bytes: Uint8Array; // an official 6x6 NTU-60 checkpoint
 * const checkpoint = readTorchCheckpoint(bytes);
 * const config = configFromStateDict(checkpoint); // { layout: 'coco', gridShape: [6, 6], stages: [17, 25], numClasses: 60, ... }
 * loadOfficialWeights(buildSke2Grid(config), checkpoint);
 * ```
 */
export function configFromStateDict(checkpoint: OfficialCheckpoint, overrides: Ske2GridConfig = {}): Ske2GridConfig {
  const sd = stateDictOf(checkpoint);
  const shapeOf = (key: string): number[] => {
    const t = sd.get(key);
    if (!t) throw new Ske2GridError(`stateDict['${key}']: expected a tensor of an official Ske2Grid model, got nothing (is this a Ske2Grid checkpoint?)`);
    return t.shape;
  };
  const stages: number[] = [];
  let last = 0;
  for (let s = 0; sd.has(`backbone.sampling_stages.${s}`); s++) {
    const shape = shapeOf(`backbone.sampling_stages.${s}`);
    if (shape.length !== 2 || (s > 0 && shape[1] !== last)) {
      throw new Ske2GridError(`stateDict['backbone.sampling_stages.${s}']: expected shape [nodes, ${s > 0 ? last : 'joints'}], got ${describe(shape)}`);
    }
    stages.push(shape[1]);
    last = shape[0];
  }
  if (stages.length === 0) shapeOf('backbone.sampling_stages.0');
  const side = Math.round(Math.sqrt(last));
  if (side * side !== last)
    throw new Ske2GridError(`stateDict['backbone.sampling_stages.${stages.length - 1}']: expected a square node count (a grid), got ${last}`);
  const joints = stages[0];
  const bn = shapeOf('backbone.data_bn.weight');
  if (bn.length !== 1 || bn[0] % joints !== 0)
    throw new Ske2GridError(`stateDict['backbone.data_bn.weight']: expected shape [${joints} x channels], got ${describe(bn)}`);
  const fc = shapeOf('cls_head.fc.weight');

  const blocks: BlockSpec[] = [];
  let channels = bn[0] / joints;
  for (let i = 0; sd.has(`backbone.st_gcn_networks.${i}.gcn2cn.conv.weight`); i++) {
    const shape = shapeOf(`backbone.st_gcn_networks.${i}.gcn2cn.conv.weight`);
    if (shape.length !== 4 || shape[1] !== channels) {
      throw new Ske2GridError(`stateDict['backbone.st_gcn_networks.${i}.gcn2cn.conv.weight']: expected shape [out, ${channels}, 3, 3], got ${describe(shape)}`);
    }
    blocks.push({ filters: shape[0], stride: i > 0 && shape[0] !== channels ? 2 : 1 });
    channels = shape[0];
  }
  if (blocks.length === 0) shapeOf('backbone.st_gcn_networks.0.gcn2cn.conv.weight');
  const reference =
    blocks.length === REFERENCE_BLOCKS.length && blocks.every((b, i) => b.filters === REFERENCE_BLOCKS[i].filters && b.stride === REFERENCE_BLOCKS[i].stride);

  const text = configText(checkpoint);
  const persons = /num_person\s*=\s*(\d+)/.exec(text)?.[1];
  const layoutName = /layout\s*=\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const layout = (layoutName !== undefined ? LAYOUT_NAMES[layoutName] : undefined) ?? LAYOUT_BY_JOINTS[joints];
  if (layout === undefined && overrides.layout === undefined) {
    throw new Ske2GridError(
      `layout: expected a checkpoint of ${Object.keys(LAYOUT_BY_JOINTS).join(', ')} joints or a layout given with it, got ${joints} joints${layoutName ? ` and layout '${layoutName}'` : ''} (pass the layout)`,
    );
  }
  const config: Ske2GridConfig = {
    ...(layout !== undefined ? { layout } : {}),
    gridShape: [side, side],
    stages,
    inChannels: bn[0] / joints,
    persons: persons !== undefined ? Number(persons) : 2,
    frames: null,
    numClasses: fc[0],
    ...(reference ? {} : { blocks }),
  };
  return { ...config, ...overrides };
}

/** The mmcv `meta.config` text of a checkpoint, or ''. */
function configText(checkpoint: OfficialCheckpoint): string {
  if (!(checkpoint instanceof Map)) return '';
  const meta = checkpoint.get('meta');
  const text = meta instanceof Map ? meta.get('config') : undefined;
  return typeof text === 'string' ? text : '';
}
