/**
 * Body-part group of a joint from its name, for any skeleton: `head` (head, face, nose, eyes, ears,
 * neck), `left_arm` / `right_arm` (shoulder excluded: elbow, wrist, hand, thumb, fingers), `left_leg` /
 * `right_leg` (knee, ankle, foot, toe, heel), `torso` (everything else: spine, hips, shoulders, belly).
 * Sides are read from the words left/right or l/r, in any order or case.
 *
 * @example
 * ```ts
 * import { bodyPartOfJointName } from 'ske2grid';
 * bodyPartOfJointName('WristLeft'); // 'left_arm'
 * bodyPartOfJointName('r_knee'); // 'right_leg'
 * bodyPartOfJointName('spine_mid'); // 'torso'
 * ```
 */
export function bodyPartOfJointName(name: string): string {
  const words = String(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  const has = (...ws: string[]) => words.some((w) => ws.includes(w));
  if (has('head', 'face', 'nose', 'eye', 'ear', 'neck', 'mouth')) return 'head';
  const side = has('left', 'l') ? 'left' : has('right', 'r') ? 'right' : null;
  if (side && has('elbow', 'wrist', 'hand', 'thumb', 'finger', 'fingers', 'index', 'pinky', 'handtip', 'tip')) return `${side}_arm`;
  if (side && has('knee', 'ankle', 'foot', 'toe', 'toes', 'heel')) return `${side}_leg`;
  return 'torso';
}
