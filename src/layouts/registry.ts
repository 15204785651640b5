import { fail } from '../errors.js';
import { COCO17 } from './coco17.js';
import { KINECT20 } from './kinect20.js';
import { NTU25 } from './ntu25.js';
import { defineLayout, type SkeletonLayout } from './skeletonLayout.js';

/** Names accepted wherever a layout is expected (the reference's `coco` and `nturgb+d` included). */
export type LayoutName = 'coco' | 'coco17' | 'ntu25' | 'nturgb+d' | 'kinect20';

const BUILT_IN: Record<LayoutName, SkeletonLayout> = {
  coco: COCO17,
  coco17: COCO17,
  ntu25: NTU25,
  'nturgb+d': NTU25,
  kinect20: KINECT20,
};

/**
 * The built-in layout names.
 *
 * @example
 * ```ts
 * import { LAYOUT_NAMES } from 'ske2grid';
 * LAYOUT_NAMES; // ['coco', 'coco17', 'ntu25', 'nturgb+d', 'kinect20']
 * ```
 */
export const LAYOUT_NAMES = Object.keys(BUILT_IN) as LayoutName[];

/**
 * Resolves a layout name or a custom layout object to a validated {@link SkeletonLayout}.
 *
 * @example
 * ```ts
 * import { resolveLayout } from 'ske2grid';
 * resolveLayout('nturgb+d').joints.length; // 25 (the NTU25 layout)
 * resolveLayout({ name: 'pair', joints: ['a', 'b'], edges: [[1, 0]] }); // validated like defineLayout
 * ```
 */
export function resolveLayout(layout: LayoutName | SkeletonLayout): SkeletonLayout {
  if (typeof layout === 'string') {
    const found = BUILT_IN[layout as LayoutName];
    if (!found) fail('layout', `one of ${LAYOUT_NAMES.map((n) => `'${n}'`).join(', ')} or a custom layout object`, layout);
    return found;
  }
  return defineLayout(layout);
}
