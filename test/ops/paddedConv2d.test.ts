import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONV_FORMULATIONS } from '../../src/ops/convFormulation.js';
import { paddedConv2d } from '../../src/ops/paddedConv2d.js';
import { Ske2GridError } from '../../src/errors.js';
import { useBackend } from '../helpers/backends.js';

type Shape4 = [number, number, number, number];
interface ConvCase {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  padding: [number, number];
  bias: boolean;
  activation: 'linear' | 'relu';
}

/** Grid conv, temporal conv (stride 1 and 2, even and odd lengths), 1x1 strided residual conv, strides on both axes. */
const CASES: ConvCase[] = [
  {
    name: '3x3 grid conv, pad 1, odd 5x5 grid, bias',
    x: [3, 5, 5, 4],
    filter: [3, 3, 4, 5],
    strides: [1, 1],
    padding: [1, 1],
    bias: true,
    activation: 'linear',
  },
  {
    name: '3x3 grid conv, pad 1, 3x7 grid, no bias',
    x: [2, 3, 7, 3],
    filter: [3, 3, 3, 2],
    strides: [1, 1],
    padding: [1, 1],
    bias: false,
    activation: 'linear',
  },
  { name: '9-tap temporal conv, pad 4, stride 1', x: [2, 11, 4, 3], filter: [9, 1, 3, 5], strides: [1, 1], padding: [4, 0], bias: true, activation: 'linear' },
  {
    name: '9-tap temporal conv, pad 4, stride 2, even length',
    x: [2, 20, 4, 3],
    filter: [9, 1, 3, 6],
    strides: [2, 1],
    padding: [4, 0],
    bias: true,
    activation: 'linear',
  },
  {
    name: '9-tap temporal conv, pad 4, stride 2, odd length',
    x: [2, 19, 3, 3],
    filter: [9, 1, 3, 2],
    strides: [2, 1],
    padding: [4, 0],
    bias: true,
    activation: 'linear',
  },
  {
    name: '9-tap temporal conv, pad 4, stride 2, one output row',
    x: [2, 1, 3, 2],
    filter: [9, 1, 2, 3],
    strides: [2, 1],
    padding: [4, 0],
    bias: false,
    activation: 'linear',
  },
  {
    name: '1x1 residual conv, stride 2, even length',
    x: [2, 10, 3, 4],
    filter: [1, 1, 4, 6],
    strides: [2, 1],
    padding: [0, 0],
    bias: true,
    activation: 'linear',
  },
  {
    name: '1x1 residual conv, stride 2, odd length',
    x: [2, 9, 3, 4],
    filter: [1, 1, 4, 6],
    strides: [2, 1],
    padding: [0, 0],
    bias: true,
    activation: 'linear',
  },
  {
    name: '3x3, stride 2 on both axes, odd 7x5, fused ReLU',
    x: [2, 7, 5, 3],
    filter: [3, 3, 3, 4],
    strides: [2, 2],
    padding: [1, 1],
    bias: true,
    activation: 'relu',
  },
  { name: '3x3 grid conv, pad 1, fused ReLU', x: [4, 5, 5, 3], filter: [3, 3, 3, 4], strides: [1, 1], padding: [1, 1], bias: true, activation: 'relu' },
];

/** The plain reference: explicit pad, tfjs' conv2d 'valid', bias add, ReLU; gradients from tfjs' own kernels (cpu). */
function referenceConv(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D | null, c: ConvCase): tf.Tensor {
  const padded = tf.pad(x, [
    [0, 0],
    [c.padding[0], c.padding[0]],
    [c.padding[1], c.padding[1]],
    [0, 0],
  ]);
  let y: tf.Tensor = tf.conv2d(padded, f, c.strides, 'valid');
  if (b) y = tf.add(y, b);
  return c.activation === 'relu' ? tf.relu(y) : y;
}

const maxRel = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => {
    expect(a.shape).toEqual(b.shape);
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    const scale = tf.max(tf.abs(b)).dataSync()[0];
    return scale === 0 ? diff : diff / scale;
  });

describe('paddedConv2d: every formulation equals the plain reference (values and gradients)', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const formulation of CONV_FORMULATIONS) {
      describe(`${formulation} on ${backend}`, () => {
        for (const c of CASES) {
          it(c.name, async () => {
            await useBackend('cpu');
            const cout = c.filter[3];
            // Without a bias the op takes no bias tensor, so only x and the filter have gradients.
            const inputs = [
              tf.randomNormal(c.x, 0, 1, 'float32', 1),
              tf.randomNormal(c.filter, 0, 1, 'float32', 2),
              tf.randomNormal([cout], 0, 1, 'float32', 3),
            ].slice(0, c.bias ? 3 : 2);
            const bias = (t: tf.Tensor[]) => (c.bias ? (t[2] as tf.Tensor1D) : null);
            const yRef = referenceConv(inputs[0] as tf.Tensor4D, inputs[1] as tf.Tensor4D, bias(inputs), c);
            const weights = tf.randomNormal(yRef.shape, 0, 1, 'float32', 4);
            const refGrads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(referenceConv(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, bias(t), c), weights)))(
              inputs,
            );
            const host = [...inputs, weights, yRef, ...refGrads];
            const hostValues = await Promise.all(host.map((t) => t.data()));

            await useBackend(backend);
            const copies = hostValues.map((v, i) => tf.tensor(v, host[i].shape));
            const params = copies.slice(0, inputs.length);
            const [w, yExpected, ...gradsExpected] = copies.slice(inputs.length);
            const before = tf.memory().numTensors;
            const conv = (t: tf.Tensor[]) =>
              paddedConv2d(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, {
                strides: c.strides,
                padding: c.padding,
                bias: bias(t),
                activation: c.activation,
                formulation,
              });
            const y = conv(params);
            const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(conv(t), w)))(params);
            expect(maxRel(y, yExpected), 'value').toBeLessThan(1e-5);
            expect(grads.length).toBe(gradsExpected.length);
            grads.forEach((gr, i) => expect(maxRel(gr, gradsExpected[i]), ['dL/dx', 'dL/dfilter', 'dL/dbias'][i]).toBeLessThan(1e-5));
            tf.dispose([y, ...grads]);
            expect(tf.memory().numTensors).toBe(before);
            tf.dispose(copies);
            await useBackend('cpu');
            tf.dispose([...inputs, weights, yRef, ...refGrads]);
          });
        }
      });
    }
  }
});

describe('paddedConv2d: hand-computed values', () => {
  beforeAll(() => useBackend('cpu'));
  for (const formulation of CONV_FORMULATIONS) {
    it(`${formulation}: a 3-tap sum with zero padding and stride 2 along a line of 1..5`, () => {
      // [1, 5, 1, 1] input 1..5, filter [1, 1, 1] (sum of three), pad 1, stride 2: outputs at
      // centres 0, 2, 4 -> (0+1+2), (2+3+4), (4+5+0) = 3, 9, 9; d(sum y)/dx counts the windows of each entry.
      const x = tf.reshape(tf.range(1, 6), [1, 5, 1, 1]) as tf.Tensor4D;
      const f = tf.ones([3, 1, 1, 1]) as tf.Tensor4D;
      const opts = { strides: [2, 1] as [number, number], padding: [1, 0] as [number, number], formulation };
      expect(Array.from(paddedConv2d(x, f, opts).dataSync())).toEqual([3, 9, 9]);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(paddedConv2d(a as tf.Tensor4D, b as tf.Tensor4D, opts)))([x, f]);
      expect(Array.from(dx.dataSync())).toEqual([1, 2, 1, 2, 1]);
      // Tap 0 sees 0, 2, 4; tap 1 sees 1, 3, 5; tap 2 sees 2, 4, 0.
      expect(Array.from(df.dataSync())).toEqual([6, 9, 6]);
    });
  }
});

describe('paddedConv2d: bad input raises Ske2GridError naming the argument', () => {
  beforeAll(() => useBackend('cpu'));
  const x = () => tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;
  const f = () => tf.zeros([3, 3, 2, 4]) as tf.Tensor4D;
  const cases: [string, () => unknown, RegExp][] = [
    ['rank-3 input', () => paddedConv2d(tf.zeros([5, 5, 2]) as unknown as tf.Tensor4D, f()), /paddedConv2d x: expected a rank-4 tensor.*got \[5, 5, 2\]/],
    ['rank-2 filter', () => paddedConv2d(x(), tf.zeros([3, 3]) as unknown as tf.Tensor4D), /paddedConv2d filter: expected a rank-4 tensor.*got \[3, 3\]/],
    ['channel mismatch', () => paddedConv2d(x(), tf.zeros([3, 3, 3, 4]) as tf.Tensor4D), /paddedConv2d filter: expected input channels 2.*got \[3, 3, 3, 4\]/],
    [
      'int32 input',
      () => paddedConv2d(tf.zeros([1, 5, 5, 2], 'int32') as tf.Tensor4D, f()),
      /paddedConv2d dtypes: expected float32.*got \["int32", "float32"\]/,
    ],
    ['zero stride', () => paddedConv2d(x(), f(), { strides: [0, 1] }), /paddedConv2d strides: expected two positive integers.*got \[0, 1\]/],
    ['negative padding', () => paddedConv2d(x(), f(), { padding: [-1, 1] }), /paddedConv2d padding: expected two non-negative integers.*got \[-1, 1\]/],
    [
      'padding >= kernel',
      () => paddedConv2d(x(), f(), { padding: [3, 1] }),
      /paddedConv2d padding: expected at most the kernel size - 1 per axis \(\[2, 2\]\), got \[3, 1\]/,
    ],
    [
      'input smaller than kernel',
      () => paddedConv2d(tf.zeros([1, 1, 5, 2]) as tf.Tensor4D, f()),
      /paddedConv2d x: expected a padded input at least as large as the 3x3 kernel/,
    ],
    [
      'bias of the wrong size',
      () => paddedConv2d(x(), f(), { bias: tf.zeros([3]) as tf.Tensor1D }),
      /paddedConv2d bias: expected a rank-1 tensor \[4\], got \[3\]/,
    ],
    ['unknown activation', () => paddedConv2d(x(), f(), { activation: 'tanh' as 'relu' }), /paddedConv2d activation: expected 'linear' or 'relu', got "tanh"/],
    [
      'unknown formulation',
      () => paddedConv2d(x(), f(), { formulation: 'fft' as 'conv2d' }),
      /paddedConv2d formulation: expected 'auto' or one of 'conv2d', 'matmul', got "fft"/,
    ],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      const before = tf.memory().numTensors;
      expect(() => tf.tidy(() => void run())).toThrow(Ske2GridError);
      expect(() => tf.tidy(() => void run())).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
