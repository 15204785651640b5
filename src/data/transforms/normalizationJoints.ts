import { Ske2GridError, fail } from '../../errors.js';
import type { SkeletonLayout } from '../../layouts/skeletonLayout.js';

/** A joint given by name (matched like the built-in names, see {@link findNormalizationJoints}) or by 0-based index. */
export type JointRef = string | number;

/** Joints to use instead of (or where there are no) recognised names; each field default: found by name. */
export interface NormalizationJointRoles {
  /** The body-centre joint that becomes the origin; default a joint named spine / spine_mid / torso / belly, else the layout's `center`. */
  center?: JointRef;
  /** Lower end of the spine vector rotated onto +z; default hip_center / spine_base / pelvis / mid_hip / torso / belly. */
  spineBase?: JointRef;
  /** Upper end of the spine vector; default spine / spine_mid / neck / shoulder_center / spine_shoulder / thorax. */
  spineTop?: JointRef;
  /** Right shoulder (the shoulder vector right -> left is rotated onto +x); default a name with the words shoulder and right (or r). */
  shoulderRight?: JointRef;
  /** Left shoulder; default a name with the words shoulder and left (or l). */
  shoulderLeft?: JointRef;
}

/**
 * The role names of {@link NormalizationJointRoles}, in the order errors list them.
 *
 * @example
 * ```ts
 * import { NORMALIZATION_ROLES } from 'ske2grid';
 * NORMALIZATION_ROLES; // ['center', 'spineBase', 'spineTop', 'shoulderRight', 'shoulderLeft']
 * ```
 */
export const NORMALIZATION_ROLES = ['center', 'spineBase', 'spineTop', 'shoulderRight', 'shoulderLeft'] as const;

/** The joints of the 3D view normalisation (`normalize3D` options): centre, spine `[base, top]`, shoulders `[right, left]`. */
export interface NormalizationJoints {
  /** Joint that becomes the origin. */
  centerJoint: number;
  /** `[spine base, spine top]`: rotated onto +z. */
  zAxis: [number, number];
  /** `[right shoulder, left shoulder]`: rotated onto +x. */
  xAxis: [number, number];
}

/** Words of a joint name: camelCase and separators split, lower-case, `l`/`r` read as left/right, sorted. */
function canonical(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => (w === 'l' ? 'left' : w === 'r' ? 'right' : w))
    .sort()
    .join(' ');
}

const CANDIDATES: Record<(typeof NORMALIZATION_ROLES)[number], string[]> = {
  center: ['spine', 'spine_mid', 'torso', 'belly'],
  spineBase: ['hip_center', 'spine_base', 'pelvis', 'mid_hip', 'hip', 'torso', 'belly', 'root'],
  spineTop: ['spine', 'spine_mid', 'neck', 'shoulder_center', 'spine_shoulder', 'thorax', 'upper_neck'],
  shoulderRight: ['shoulder_right'],
  shoulderLeft: ['shoulder_left'],
};

/** Index of `ref` (a name, matched by its words, or an index) in the layout; -1 when a name is not there. */
function lookUp(layout: SkeletonLayout, ref: JointRef, role: string): number {
  const v = layout.joints.length;
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0 || ref >= v) fail(`joints.${role}`, `a joint index in [0, ${v - 1}] or a joint name`, ref);
    return ref;
  }
  if (typeof ref !== 'string' || ref.length === 0) fail(`joints.${role}`, 'a joint name or index', ref);
  const exact = layout.joints.indexOf(ref);
  if (exact >= 0) return exact;
  const key = canonical(ref);
  return layout.joints.findIndex((n) => canonical(n) === key);
}

/**
 * Finds the joints of the 3D view normalisation in a layout by their names: the centre (spine or
 * torso, else the layout's `center`), the spine base and top, the right and left shoulders. Names
 * match by their words, whatever the order, case or separators (`shoulder_left`, `ShoulderLeft`,
 * `left_shoulder`, `LShoulder` are one name), so any joint order works (head-first included).
 * `roles` gives joints by name or index where the names are unknown. Throws a `Ske2GridError`
 * naming every role it could not find, the names it tried and how to give them.
 *
 * @example
 * ```ts
 * import { KINECT20, findNormalizationJoints } from 'ske2grid';
 * findNormalizationJoints(KINECT20); // { centerJoint: 1, zAxis: [0, 1], xAxis: [8, 4] }
 * findNormalizationJoints({ name: 'mine', joints: ['a', 'b', 'c', 'd'], edges: [] }, { spineBase: 'a', spineTop: 'b', shoulderRight: 2, shoulderLeft: 3 });
 * ```
 */
export function findNormalizationJoints(layout: SkeletonLayout, roles: NormalizationJointRoles = {}): NormalizationJoints {
  if (layout == null || !Array.isArray(layout.joints)) fail('layout', 'a skeleton layout with joint names', layout);
  if (roles == null || typeof roles !== 'object') fail('joints', 'an object of joint roles', roles);
  const unknown = Object.keys(roles).find((k) => !(NORMALIZATION_ROLES as readonly string[]).includes(k));
  if (unknown !== undefined) fail('joints', `roles among ${NORMALIZATION_ROLES.join(', ')}`, unknown);
  const found: Partial<Record<(typeof NORMALIZATION_ROLES)[number], number>> = {};
  const missing: string[] = [];
  for (const role of NORMALIZATION_ROLES) {
    const given = roles[role];
    if (given !== undefined) {
      const i = lookUp(layout, given, role);
      if (i < 0) fail(`joints.${role}`, `one of the joint names of layout '${layout.name}' (${layout.joints.join(', ')}) or an index`, given);
      found[role] = i;
      continue;
    }
    const i = CANDIDATES[role].map((n) => lookUp(layout, n, role)).find((k) => k >= 0);
    if (i !== undefined) found[role] = i;
    else if (role === 'center') found.center = layout.center ?? 0;
    else missing.push(`${role} (tried ${CANDIDATES[role].join(', ')})`);
  }
  if (found.spineBase !== undefined && found.spineBase === found.spineTop) {
    // e.g. a layout whose only trunk joint is 'torso': the spine needs two different joints
    missing.push(`spineTop (differs from spineBase '${layout.joints[found.spineBase]}')`);
  }
  if (missing.length > 0) {
    throw new Ske2GridError(
      `joints of layout '${layout.name}': could not find ${missing.join('; ')} among ${layout.joints.join(', ')}; ` +
        `give them by name or index, e.g. joints: { spineBase: '${layout.joints[0]}' } (ske2grid train: --joints spineBase=${layout.joints[0]},...)`,
    );
  }
  return {
    centerJoint: found.center as number,
    zAxis: [found.spineBase as number, found.spineTop as number],
    xAxis: [found.shoulderRight as number, found.shoulderLeft as number],
  };
}

/**
 * The body-centre joint alone (for 2D centring): `center` by name or index when given, else the
 * first joint named spine / spine_mid / torso / belly, else the layout's `center` (default 0).
 *
 * @example
 * ```ts
 * import { KINECT20, findCenterJoint } from 'ske2grid';
 * findCenterJoint(KINECT20); // 1 (spine)
 * ```
 */
export function findCenterJoint(layout: SkeletonLayout, center?: JointRef): number {
  if (layout == null || !Array.isArray(layout.joints)) fail('layout', 'a skeleton layout with joint names', layout);
  if (center !== undefined) {
    const i = lookUp(layout, center, 'center');
    if (i < 0) fail('joints.center', `one of the joint names of layout '${layout.name}' (${layout.joints.join(', ')}) or an index`, center);
    return i;
  }
  return CANDIDATES.center.map((n) => lookUp(layout, n, 'center')).find((k) => k >= 0) ?? layout.center ?? 0;
}
