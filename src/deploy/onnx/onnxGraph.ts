/**
 * A small builder of ONNX graphs as plain objects in the shape of the official schema's messages
 * (`NodeProto`, `TensorProto`, `ValueInfoProto`, `GraphProto`, field names as protobufjs spells them):
 * nodes with typed attributes, float32 / int64 initializers and fresh value names. Encoding to bytes
 * is {@link encodeOnnxModel}'s job.
 */
import { fail } from '../../errors.js';

/** ONNX `TensorProto.DataType` codes used here. */
export const ONNX_FLOAT = 1;
/** ONNX `TensorProto.DataType` code of int64. */
export const ONNX_INT64 = 7;

/** `AttributeProto.AttributeType` codes used here. */
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

/** An attribute value: an integer (`INT`), a list of integers (`INTS`), a float (`FLOAT`) or a string (`STRING`). */
export type OnnxAttributeValue = number | number[] | { float: number } | string;

/** One dimension of a graph input or output: a fixed size or a symbolic name such as `'batch'`. */
export type OnnxDim = number | string;

/** An `AttributeProto` as a plain object. */
interface AttributeObject {
  name: string;
  type: number;
  i?: number;
  ints?: number[];
  f?: number;
  s?: Uint8Array;
}

/** A `NodeProto` as a plain object. */
export interface OnnxNodeObject {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeObject[];
}

/** A `TensorProto` initializer as a plain object (float32 in `rawData`, little-endian, or int64 in `int64Data`). */
export interface OnnxTensorObject {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  int64Data?: number[];
}

/** A `ValueInfoProto` of a float tensor as a plain object. */
export interface OnnxValueInfoObject {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

/** A `GraphProto` as a plain object. */
export interface OnnxGraphObject {
  name: string;
  node: OnnxNodeObject[];
  initializer: OnnxTensorObject[];
  input: OnnxValueInfoObject[];
  output: OnnxValueInfoObject[];
}

/** Little-endian bytes of float32 values (ONNX `raw_data` is little-endian on every platform). */
function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

/** Builds one graph: add nodes and constants in execution order, then {@link OnnxGraphBuilder.graph}. */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNodeObject[] = [];
  private readonly initializers: OnnxTensorObject[] = [];
  private readonly used = new Set<string>();

  /** A value name not used yet, `base` or `base_2`, `base_3`, ... */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Adds a float32 initializer of shape `dims`; returns its name. */
  floats(base: string, values: Float32Array, dims: number[]): string {
    const size = dims.reduce((a, d) => a * d, 1);
    if (values.length !== size) fail(`ONNX initializer '${base}'`, `${size} values (shape [${dims.join(', ')}])`, `${values.length} values`);
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_FLOAT, rawData: float32Bytes(values) });
    return name;
  }

  /** Adds a 1-D int64 initializer (shapes, indices, axes); returns its name. */
  int64s(base: string, values: number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [values.length], dataType: ONNX_INT64, int64Data: [...values] });
    return name;
  }

  /** Adds a node `opType(inputs) -> one output` with attributes; returns the output's name (`base`, made unique). */
  op(opType: string, inputs: string[], attributes: Record<string, OnnxAttributeValue> = {}, base = opType.toLowerCase()): string {
    const output = this.fresh(base);
    const attribute: AttributeObject[] = Object.entries(attributes).map(([name, v]) => {
      if (typeof v === 'string') return { name, type: ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: ATTRIBUTE_TYPE.INTS, ints: [...v] };
      if (typeof v === 'object') return { name, type: ATTRIBUTE_TYPE.FLOAT, f: v.float };
      return { name, type: ATTRIBUTE_TYPE.INT, i: v };
    });
    this.nodes.push({ name: `${opType}_${this.nodes.length}`, opType, input: inputs, output: [output], attribute });
    return output;
  }

  /** The finished graph with one float input and one float output of the given dimensions. */
  graph(name: string, input: { name: string; dims: OnnxDim[] }, output: { name: string; dims: OnnxDim[]; from: string }): OnnxGraphObject {
    const info = (n: string, dims: OnnxDim[]): OnnxValueInfoObject => ({
      name: n,
      type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
    });
    const last = this.nodes.find((n) => n.output[0] === output.from);
    if (!last) fail('ONNX graph output', 'the output of a node of the graph', output.from);
    last.output[0] = output.name;
    for (const n of this.nodes) n.input = n.input.map((i) => (i === output.from ? output.name : i));
    return { name, node: this.nodes, initializer: this.initializers, input: [info(input.name, input.dims)], output: [info(output.name, output.dims)] };
  }
}
