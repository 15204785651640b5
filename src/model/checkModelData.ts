import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Ske2GridError, fail } from '../errors.js';
import { getModelConfig } from './buildSke2Grid.js';
import type { ResolvedSke2GridConfig } from './config.js';

/** What the data gives a model: the clip shape `[persons, frames, joints, channels]` and, when known, names. */
export interface DataDescription {
  /** Person slots M of the clips. */
  persons: number;
  /** Frames T of each clip. */
  frames: number;
  /** Joints V per person. */
  joints: number;
  /** Channels C per joint. */
  channels: number;
  /** Names of the channels, e.g. `['x', 'y']` or `['x', 'y', 'z', 'score']`; optional (messages are more precise with them). */
  channelNames?: readonly string[];
  /** Name of the data's skeleton layout, e.g. the dataset name; optional. */
  layoutName?: string;
  /** Where the data came from, e.g. `'dataset nw_ucla'` or `'x'`; default `'the data'`. */
  source?: string;
}

/**
 * The data description of a clip batch shape `[B, M, T, V, C]` (a tensor's or `FormattedClips`'
 * shape), with an optional `source` naming it.
 *
 * @example
 * ```ts
 * import { describeClipShape } from 'ske2grid';
 * describeClipShape([16, 1, 32, 20, 3], 'x'); // { persons: 1, frames: 32, joints: 20, channels: 3, source: 'x' }
 * ```
 */
export function describeClipShape(shape: readonly number[], source = 'the data'): DataDescription {
  if (!Array.isArray(shape) || shape.length !== 5) fail(source, 'clips of shape [batch, persons, frames, joints, channels]', shape);
  return { persons: shape[1], frames: shape[2], joints: shape[3], channels: shape[4], source };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The model's channel names as far as the data's names tell them (a score channel more or less). */
function modelChannelNames(model: number, data?: readonly string[]): readonly string[] | undefined {
  if (!data) return undefined;
  if (model === data.length + 1 && !data.includes('score')) return [...data, 'score'];
  if (model === data.length - 1 && data[data.length - 1] === 'score') return data.slice(0, -1);
  return undefined;
}

/**
 * Checks that data fits a Ske2Grid model before training or evaluation: joints against the model's
 * layout, person slots, input channels and clip frames. Each mismatch throws a `Ske2GridError`
 * naming both sides and the fix, e.g. `the data has 2 channels (x, y); the model expects 3 (x, y,
 * score): build it with inChannels: 2`. `model` is a Ske2Grid model or its resolved config.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, checkModelData } from 'ske2grid';
 * const model = buildSke2Grid({ layout: 'kinect20', persons: 1, frames: 32 }); // inChannels 3
 * checkModelData(model, { persons: 1, frames: 32, joints: 20, channels: 3 }); // passes
 * checkModelData(model, { persons: 1, frames: 32, joints: 20, channels: 2, channelNames: ['x', 'y'] }); // throws: ... build it with inChannels: 2
 * ```
 */
export function checkModelData(model: LayersModel | ResolvedSke2GridConfig, data: DataDescription): void {
  const c = 'layout' in model && 'inChannels' in model ? model : getModelConfig(model as LayersModel);
  if (data == null || typeof data !== 'object') fail('data', 'a DataDescription {persons, frames, joints, channels}', data);
  const src = data.source ?? 'the data';
  const v = c.layout.joints.length;
  if (data.joints !== v) {
    const theirs = data.layoutName ? ` (layout '${data.layoutName}')` : '';
    throw new Ske2GridError(
      `${src} has ${plural(data.joints, 'joint')} per person${theirs}; the model expects ${v} (layout '${c.layout.name}'): ` +
        `build it with the data's layout (e.g. layout: layoutFromManifest(manifest))`,
    );
  }
  if (data.persons !== c.persons) {
    throw new Ske2GridError(
      `${src} has ${plural(data.persons, 'person slot')}; the model expects ${c.persons}: build it with persons: ${data.persons} ` +
        `(or format the clips with persons: ${c.persons})`,
    );
  }
  if (data.channels !== c.inChannels) {
    const names = data.channelNames && data.channelNames.length === data.channels ? ` (${data.channelNames.join(', ')})` : '';
    const theirs = modelChannelNames(c.inChannels, names ? data.channelNames : undefined);
    throw new Ske2GridError(
      `${src} has ${plural(data.channels, 'channel')}${names}; the model expects ${c.inChannels}${theirs ? ` (${theirs.join(', ')})` : ''}: ` +
        `build it with inChannels: ${data.channels}`,
    );
  }
  if (c.frames !== null && data.frames !== c.frames) {
    throw new Ske2GridError(
      `${src} has clips of ${plural(data.frames, 'frame')}; the model expects ${c.frames}: build it with frames: ${data.frames} ` +
        `(or frames: null for any length), or sample clips of ${c.frames} frames (clipLen: ${c.frames})`,
    );
  }
}
