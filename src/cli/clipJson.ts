/**
 * The clip JSON format of `ske2grid predict`: one recording as nested arrays.
 *
 * ```json
 * { "keypoints": [[[[x, y], ...joints], ...persons], ...frames],
 *   "scores": [[[s, ...joints], ...persons], ...frames],
 *   "image_height": 480, "image_width": 640 }
 * ```
 *
 * `keypoints` is `[frames][persons][joints][coords]`, or `[frames][joints][coords]` for one person;
 * `scores` (optional, same nesting without coords) are per-joint confidences; the image size
 * (optional) is that of the video the 2D pixel coordinates came from.
 */
import type { SkeletonSequence } from '../data/skeletonSequence.js';
import { checkSequence } from '../data/skeletonSequence.js';
import { fail } from '../errors.js';

const depth = (x: unknown): number => (Array.isArray(x) ? 1 + depth(x[0]) : 0);

/** Reads a parsed clip JSON (see the module comment) as a {@link SkeletonSequence}; `what` names it in errors. */
export function sequenceFromClipJson(json: unknown, what = 'clip'): SkeletonSequence {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) fail(what, 'an object with "keypoints" ([frames][persons][joints][coords])', json);
  const o = json as Record<string, unknown>;
  const d = depth(o.keypoints);
  if (d !== 3 && d !== 4) fail(`${what}.keypoints`, 'nested arrays [frames][persons][joints][coords] or [frames][joints][coords]', o.keypoints);
  const raw = o.keypoints as unknown[];
  const frames = (d === 4 ? raw : raw.map((f) => [f])) as unknown[][][][];
  const persons = frames[0].length;
  const joints = frames[0][0]?.length ?? 0;
  const dims = frames[0][0]?.[0]?.length ?? 0;
  if (frames.length < 1 || persons < 1 || joints < 1 || dims < 1) fail(`${what}.keypoints`, 'at least one frame, person, joint and coordinate', o.keypoints);
  const keypoint = new Float32Array(persons * frames.length * joints * dims);
  frames.forEach((frame, t) => {
    if (!Array.isArray(frame) || frame.length !== persons)
      fail(`${what}.keypoints[${t}]`, `${persons} persons (as frame 0)`, Array.isArray(frame) ? frame.length : frame);
    frame.forEach((person, m) => {
      if (!Array.isArray(person) || person.length !== joints)
        fail(`${what}.keypoints[${t}][${m}]`, `${joints} joints (as frame 0)`, Array.isArray(person) ? person.length : person);
      person.forEach((joint, v) => {
        if (!Array.isArray(joint) || joint.length !== dims) fail(`${what}.keypoints[${t}][${m}][${v}]`, `${dims} coordinates`, joint);
        joint.forEach((x, c) => {
          if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${what}.keypoints[${t}][${m}][${v}][${c}]`, 'a finite number', x);
          keypoint[((m * frames.length + t) * joints + v) * dims + c] = x;
        });
      });
    });
  });
  const seq: SkeletonSequence = { keypoint, persons, frames: frames.length, joints, dims };
  if (o.scores !== undefined) {
    const sd = depth(o.scores);
    if (sd !== d - 1) fail(`${what}.scores`, `nested arrays like keypoints without the coordinates (depth ${d - 1})`, `depth ${sd}`);
    const rawScores = (d === 4 ? o.scores : (o.scores as unknown[]).map((f) => [f])) as unknown[][][];
    const score = new Float32Array(persons * frames.length * joints);
    if (rawScores.length !== frames.length) fail(`${what}.scores`, `${frames.length} frames (as keypoints)`, rawScores.length);
    rawScores.forEach((frame, t) =>
      frame.forEach((person, m) =>
        (person as unknown[]).forEach((x, v) => {
          if (typeof x !== 'number' || !Number.isFinite(x) || m >= persons || v >= joints)
            fail(`${what}.scores[${t}][${m}][${v}]`, 'a finite number inside the keypoints shape', x);
          score[(m * frames.length + t) * joints + v] = x;
        }),
      ),
    );
    seq.score = score;
  }
  if (o.image_height !== undefined || o.image_width !== undefined) {
    const h = o.image_height;
    const w = o.image_width;
    if (typeof h !== 'number' || typeof w !== 'number' || !(h > 0) || !(w > 0)) fail(`${what}.image_height/image_width`, 'two positive numbers', [h, w]);
    seq.imageShape = [h, w];
  }
  return checkSequence(seq, what);
}
