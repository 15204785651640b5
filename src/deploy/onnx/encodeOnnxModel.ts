/**
 * Encoding and decoding of ONNX models with protobufjs (`protobufjs/light`) and the official ONNX
 * schema (vendored `onnx.proto`, compiled to {@link ONNX_SCHEMA} by `scripts/onnxSchema.ts`).
 */
import protobuf from 'protobufjs/light.js';
import { Ske2GridError } from '../../errors.js';
import type { OnnxGraphObject } from './onnxGraph.js';
import { ONNX_SCHEMA } from './onnxSchema.js';

/** The `onnx.ModelProto` message type, made once on first use. */
let modelProto: protobuf.Type | null = null;
function modelType(): protobuf.Type {
  modelProto ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
  return modelProto;
}

/** The fields of an `onnx.ModelProto` that {@link encodeOnnxModel} writes. */
export interface OnnxModelObject {
  /** IR version (8 goes with opset 17). */
  irVersion: number;
  /** Operator sets: `[{ domain: '', version: 17 }]`. */
  opsetImport: { domain: string; version: number }[];
  /** Tool that wrote the model. */
  producerName: string;
  /** Its version. */
  producerVersion: string;
  /** Human-readable description. */
  docString: string;
  /** The graph. */
  graph: OnnxGraphObject;
  /** Named metadata strings. */
  metadataProps: { key: string; value: string }[];
}

/** Serialises an ONNX model (plain object in the schema's shape) to protobuf bytes. */
export function encodeOnnxModel(model: OnnxModelObject): Uint8Array {
  const type = modelType();
  const problem = type.verify(model);
  if (problem) throw new Ske2GridError(`ONNX model: expected a valid onnx.ModelProto, got ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

/**
 * Decodes ONNX model bytes into a plain object (`onnx.ModelProto` fields, camelCase; int64 as numbers,
 * bytes as `Uint8Array`): to inspect an exported model's opset, inputs, outputs and metadata.
 *
 * @example
 * ```ts
 * import { decodeOnnxModel } from 'ske2grid';
 * declare const bytes: Uint8Array; // from exportOnnx(model)
 * const onnx = decodeOnnxModel(bytes);
 * onnx.metadataProps; // [{ key: 'class_names', value: '["walk", ...]' }, ...]
 * ```
 */
export function decodeOnnxModel(bytes: Uint8Array): Record<string, unknown> & { metadataProps?: { key: string; value: string }[] } {
  if (!(bytes instanceof Uint8Array)) throw new Ske2GridError(`decodeOnnxModel bytes: expected a Uint8Array, got ${typeof bytes}`);
  const type = modelType();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new Ske2GridError(`decodeOnnxModel bytes: expected an ONNX model (onnx.ModelProto), got undecodable bytes (${(e as Error).message})`);
  }
  return type.toObject(message, { longs: Number, defaults: false, arrays: true }) as Record<string, unknown>;
}
