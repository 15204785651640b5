import { describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../../src/errors.js';
import { PYSKL_ANNOTATION_COST, readPysklAnnotations } from '../../../src/data/readers/pysklAnnotations.js';
import { dict, dumps, sharedAnnotationPickle, type NdSpec } from '../../pickle/pickleBuilder.js';

function errorOf(bytes: Uint8Array, options?: Parameters<typeof readPysklAnnotations>[1]): string {
  try {
    readPysklAnnotations(bytes, options);
  } catch (e) {
    expect(e).toBeInstanceOf(Ske2GridError);
    return (e as Error).message;
  }
  throw new Error('expected readPysklAnnotations to throw');
}

describe('readPysklAnnotations: shared references count at their expanded size', () => {
  it('one 300-frame annotation referenced 20,000 times is refused by the expanded-size bound (the pickle is ~120 KB)', () => {
    const bytes = sharedAnnotationPickle(20_000, 300);
    const perAnnotation = PYSKL_ANNOTATION_COST + 300 * 34 + 300 * 17;
    const refused = Math.floor(bytes.length / perAnnotation); // the first annotation that crosses the bound
    expect(errorOf(bytes)).toBe(
      `PYSKL pickle annotations: expected at most ${bytes.length} values in all (the pickle's byte length, options.maxValues; an array referenced by several annotations counts once per reference), got more by annotations[${refused}] ("a")`,
    );
  });

  it('100,000 references to a one-frame annotation are refused (each reference counts its cost and values)', () => {
    const bytes = sharedAnnotationPickle(100_000, 1);
    const perAnnotation = PYSKL_ANNOTATION_COST + 51;
    expect(errorOf(bytes)).toMatch(
      new RegExp(`^PYSKL pickle annotations: expected at most 500\\d+ values in all .*annotations\\[${Math.floor(bytes.length / perAnnotation)}\\]`),
    );
  });

  it('a few shared references within the bound read, sharing their arrays as the pickle does; options.maxValues raises the bound', () => {
    const bytes = sharedAnnotationPickle(3, 2);
    const { annotations } = readPysklAnnotations(bytes);
    expect(annotations).toHaveLength(3);
    expect(annotations[1].keypoint.keypoint).toBe(annotations[0].keypoint.keypoint); // kept shared, not copied
    const many = sharedAnnotationPickle(200, 300);
    expect(errorOf(many)).toMatch(/expected at most \d+ values in all/);
    expect(readPysklAnnotations(many, { maxValues: 200 * (PYSKL_ANNOTATION_COST + 300 * 51) }).annotations).toHaveLength(200);
    expect(errorOf(many, { maxValues: 200 * (PYSKL_ANNOTATION_COST + 300 * 51) - 1 })).toMatch(
      /\(options\.maxValues; an array .*\), got more by annotations\[199\]/,
    );
  });

  it('a clip with no person and a huge frame count is refused before its padded person is allocated', () => {
    const keypoint: NdSpec = { nd: 'f4', shape: [0, 100_000_000, 17, 2], values: [] };
    const bytes = dumps(dict({ annotations: [dict({ frame_dir: 'empty', label: 0, total_frames: 100_000_000, keypoint })] }));
    expect(errorOf(bytes)).toMatch(/got more by annotations\[0\] \("empty"\)/);
  });
});
