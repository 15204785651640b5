import { fail, requireInt } from '../../errors.js';
import { NumpyRandomState } from '../../random/numpyRandomState.js';
import type { Random } from '../../random/random.js';

/** Options of {@link uniformSampleIndices}. */
export interface UniformSampleOptions {
  /** Clips drawn, concatenated in the result; default 1 (the reference test uses 10). */
  numClips?: number;
  /**
   * `'train'` (default): random, drawn from `random`. `'test'`: deterministic, a fresh
   * `NumpyRandomState(seed)` per call, as the reference reseeds NumPy's global generator.
   */
  mode?: 'train' | 'test';
  /**
   * Source of the training draws (required in train mode). A {@link NumpyRandomState} reproduces
   * the reference's draws exactly; any other {@link Random} gives the same rules with its own stream.
   */
  random?: Random;
  /** Seed of the test-mode generator, an integer in [0, 2^32 - 1]; default 255 (the reference). */
  seed?: number;
  /**
   * Fraction of the video each clip is drawn from, a number or a `[low, high]` range in (0, 1]
   * (ratio uniform in it per clip, a random window of `floor(ratio * totalFrames)` frames, at least 1);
   * default 1 (the whole video, the Ske2Grid configs).
   */
  pInterval?: number | readonly [number, number];
}

/**
 * Frame indices of PYSKL's `UniformSampleFrames` (float_ok off), `numClips * clipLen` integers in
 * `[0, totalFrames)`. Per clip, after a `rand()` draw for the window ratio and a `randint` for its
 * offset, with n frames in the window and L = clipLen:
 * - n < L: L consecutive frames from a start (train: `randint(n)`; test: clip i starts at
 *   `i` if n < numClips, else `floor(i * n / numClips)`), looping over the video by mod;
 * - L <= n < 2L: L strictly increasing frames that skip n - L of them (`choice(L + 1, n - L)` slots);
 * - n >= 2L: one random frame in each of L equal segments `[floor(k n / L), floor((k+1) n / L))`.
 * With a {@link NumpyRandomState} (and always in test mode) the result equals the reference's exactly.
 * Defaults: 1 clip, train mode (needs `random`), whole video (see {@link UniformSampleOptions}).
 *
 * @example
 * ```ts
 * import { NumpyRandomState, uniformSampleIndices } from 'ske2grid';
 * const train = uniformSampleIndices(300, 100, { random: new NumpyRandomState(0) }); // 100 indices, one per 3-frame segment
 * const test = uniformSampleIndices(300, 100, { mode: 'test', numClips: 10 }); // 1000 indices, seed 255
 * ```
 */
export function uniformSampleIndices(totalFrames: number, clipLen: number, options: UniformSampleOptions = {}): Int32Array {
  requireInt('totalFrames', totalFrames, 1);
  requireInt('clipLen', clipLen, 1);
  const numClips = requireInt('options.numClips', options.numClips ?? 1, 1);
  const mode = options.mode ?? 'train';
  if (mode !== 'train' && mode !== 'test') fail('options.mode', "'train' or 'test'", mode);
  const [pLow, pHigh] = resolvePInterval(options.pInterval ?? 1);
  let random: Random;
  if (mode === 'test') {
    random = new NumpyRandomState(options.seed ?? 255);
  } else {
    if (!isRandom(options.random)) fail('options.random', 'a Random source (uniform, normal, int) in train mode', options.random);
    random = options.random;
  }

  const out = new Int32Array(numClips * clipLen);
  for (let clip = 0; clip < numClips; clip++) {
    const ratio = random.uniform() * (pHigh - pLow) + pLow;
    const n = Math.max(1, Math.floor(ratio * totalFrames));
    const offset = random.int(totalFrames - n + 1);
    const inds = out.subarray(clip * clipLen, (clip + 1) * clipLen);
    if (n < clipLen) {
      const start = mode === 'test' ? (n < numClips ? clip : Math.floor((clip * n) / numClips)) : random.int(n);
      for (let k = 0; k < clipLen; k++) inds[k] = start + k;
    } else if (n < 2 * clipLen) {
      const skip = new Uint8Array(clipLen + 1);
      for (const slot of permutation(random, clipLen + 1).slice(0, n - clipLen)) skip[slot] = 1;
      let shift = 0;
      for (let k = 0; k < clipLen; k++) {
        shift += skip[k];
        inds[k] = k + shift;
      }
    } else {
      for (let k = 0; k < clipLen; k++) {
        const begin = Math.floor((k * n) / clipLen);
        const end = Math.floor(((k + 1) * n) / clipLen);
        inds[k] = begin + random.int(end - begin);
      }
    }
    for (let k = 0; k < clipLen; k++) inds[k] = (inds[k] + offset) % totalFrames;
  }
  return out;
}

/** NumPy's legacy `permutation(n)` drawn from any {@link Random}: Fisher-Yates from the end, `j = int(i + 1)`. */
function permutation(random: Random, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i >= 1; i--) {
    const j = random.int(i + 1);
    const tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return p;
}

function resolvePInterval(p: number | readonly [number, number]): [number, number] {
  const pair: readonly unknown[] = typeof p === 'number' ? [p, p] : Array.isArray(p) ? p : [];
  const ok = pair.length === 2 && pair.every((x) => typeof x === 'number' && x > 0 && x <= 1) && (pair[0] as number) <= (pair[1] as number);
  if (!ok) fail('options.pInterval', 'a number in (0, 1] or a [low, high] pair with 0 < low <= high <= 1', p);
  return [pair[0] as number, pair[1] as number];
}

function isRandom(r: unknown): r is Random {
  const o = r as Random | null | undefined;
  return o != null && typeof o.uniform === 'function' && typeof o.int === 'function' && typeof o.normal === 'function';
}
