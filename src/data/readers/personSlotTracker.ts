import { requireInt } from '../../errors.js';
import { COCO_JOINTS, type CocoPose } from './poseFormats.js';

/** Mean position of the keypoints with score > 0, or null when there is none. */
function centreOf(p: CocoPose): [number, number] | null {
  let x = 0,
    y = 0,
    n = 0;
  for (let j = 0; j < COCO_JOINTS; j++) {
    if (p.score[j] > 0) {
      x += p.xy[2 * j];
      y += p.xy[2 * j + 1];
      n++;
    }
  }
  return n === 0 ? null : [x / n, y / n];
}

/**
 * Keeps persons in the same slots across frames. Per frame: the M highest-scoring persons are kept
 * (extras dropped, lowest score first); a person whose track `id` owns a slot gets that slot; persons
 * without an id take the slot whose last known centre is nearest (greedy, closest pair first); the
 * rest (new ids, no match) fill the free slots in index order.
 *
 * @example
 * ```ts
 * import { PersonSlotTracker, poseFrameToKeypoints, type DetectedPose } from 'ske2grid';
 * declare const video: DetectedPose[][]; // video[t]: the persons found in frame t
 * const tracker = new PersonSlotTracker(2); // 2 slots (the default)
 * for (const poses of video) {
 *   const { keypoint, score } = poseFrameToKeypoints(poses, { tracker }); // [2][17][2] pixels, [2][17]
 * }
 * ```
 */
export class PersonSlotTracker {
  /** Person slots M. */
  readonly persons: number;
  private ids: (number | undefined)[];
  private centres: ([number, number] | null)[];

  /** A tracker for `persons` slots (default 2) with no history. */
  constructor(persons = 2) {
    this.persons = requireInt('persons', persons, 1);
    this.ids = new Array<number | undefined>(this.persons).fill(undefined);
    this.centres = new Array<[number, number] | null>(this.persons).fill(null);
  }

  /** Forgets every track (ids and centres). */
  reset(): void {
    this.ids.fill(undefined);
    this.centres.fill(null);
  }

  /** Assigns one frame's persons to slots and remembers them; returns each person's slot, or -1 when dropped. */
  assign(poses: readonly CocoPose[]): number[] {
    const m = this.persons;
    const slotOf = new Array<number>(poses.length).fill(-1);
    const taken = new Array<boolean>(m).fill(false);
    const kept = poses
      .map((_, i) => i)
      .sort((a, b) => poses[b].poseScore - poses[a].poseScore || a - b)
      .slice(0, m);
    const centres = poses.map(centreOf);
    const put = (i: number, s: number) => {
      slotOf[i] = s;
      taken[s] = true;
    };
    for (const i of kept) {
      const id = poses[i].id;
      if (id === undefined) continue;
      const s = this.ids.findIndex((owner, k) => owner === id && !taken[k]);
      if (s >= 0) put(i, s);
    }
    const pairs: [number, number, number][] = [];
    for (const i of kept) {
      const c = centres[i];
      if (poses[i].id !== undefined || c === null) continue;
      this.centres.forEach((sc, s) => {
        if (sc !== null && !taken[s]) pairs.push([Math.hypot(c[0] - sc[0], c[1] - sc[1]), i, s]);
      });
    }
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    for (const [, i, s] of pairs) if (slotOf[i] < 0 && !taken[s]) put(i, s);
    for (const i of kept) {
      if (slotOf[i] >= 0) continue;
      put(i, taken.indexOf(false));
    }
    poses.forEach((p, i) => {
      const s = slotOf[i];
      if (s < 0) return;
      this.ids[s] = p.id;
      if (centres[i] !== null) this.centres[s] = centres[i];
    });
    return slotOf;
  }
}
