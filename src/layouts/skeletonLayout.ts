import { fail, failWith, requireInt } from '../errors.js';

/**
 * A skeleton layout as plain data: joint names and the edge list that builds the
 * adjacency prior of the first up-sampling stage.
 */
export interface SkeletonLayout {
  /** Identifier, e.g. `'coco'`. */
  readonly name: string;
  /** Joint names in storage order; `joints.length` is V. */
  readonly joints: readonly string[];
  /**
   * Directed pairs `[i, j]` (0-based). The reference prior sets `G[i][j] = 1` for each pair
   * plus the self-links, one direction only.
   */
  readonly edges: readonly (readonly [number, number])[];
  /** Index of the joint used as the body centre (for normalisation); default 0. */
  readonly center?: number;
}

/** How the fixed adjacency prior of the first UPT stage is built. */
export type PriorMode = 'reference' | 'symmetric' | 'none';

/**
 * Validates a layout (unique names, edges `[i, j]` with `0 <= i, j < V`, `center` default 0) and returns
 * it frozen; use for custom skeletons.
 *
 * @example
 * ```ts
 * import { defineLayout } from 'ske2grid';
 * // 3 joints, 2 directed edges [i, j]; center defaults to joint 0
 * const arm = defineLayout({ name: 'arm', joints: ['shoulder', 'elbow', 'wrist'], edges: [[1, 0], [2, 1]] });
 * ```
 */
export function defineLayout(layout: SkeletonLayout): SkeletonLayout {
  if (layout == null || typeof layout !== 'object') fail('layout', 'an object {name, joints, edges}', layout);
  if (typeof layout.name !== 'string' || layout.name.length === 0) fail('layout.name', 'a non-empty string', layout.name);
  if (!Array.isArray(layout.joints) || layout.joints.length < 1) {
    fail('layout.joints', 'a non-empty array of joint names', layout.joints);
  }
  const seen = new Set<string>();
  layout.joints.forEach((j, i) => {
    if (typeof j !== 'string' || j.length === 0) fail(`layout.joints[${i}]`, 'a non-empty string', j);
    if (seen.has(j)) failWith('layout.joints', `joint name ${JSON.stringify(j)} appears twice`);
    seen.add(j);
  });
  const v = layout.joints.length;
  if (!Array.isArray(layout.edges)) fail('layout.edges', 'an array of [i, j] pairs', layout.edges);
  layout.edges.forEach((e, k) => {
    if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => Number.isInteger(x) && x >= 0 && x < v)) {
      fail(`layout.edges[${k}]`, `a pair of joint indices in [0, ${v - 1}]`, e);
    }
  });
  if (layout.center !== undefined) requireInt('layout.center', layout.center, 0);
  if ((layout.center ?? 0) >= v) fail('layout.center', `a joint index < ${v}`, layout.center);
  return Object.freeze({
    name: layout.name,
    joints: Object.freeze([...layout.joints]),
    edges: Object.freeze(layout.edges.map((e) => Object.freeze([e[0], e[1]] as const))),
    center: layout.center ?? 0,
  });
}

/**
 * The fixed 0/1 adjacency prior `[V][V]` (row i = joints summed into node i); `mode` default `'reference'`.
 * `'reference'`: self-links + each edge `(i, j)` one direction (the official code);
 * `'symmetric'`: also `(j, i)`; `'none'`: the identity (no prior).
 *
 * @example
 * ```ts
 * import { COCO17, adjacencyPrior } from 'ske2grid';
 * const prior = adjacencyPrior(COCO17);        // [17][17] of 0/1, mode 'reference'
 * prior[15][13];                               // 1: edge left_ankle -> left_knee
 * adjacencyPrior(COCO17, 'symmetric')[13][15]; // 1: the reverse direction too
 * ```
 */
export function adjacencyPrior(layout: SkeletonLayout, mode: PriorMode = 'reference'): number[][] {
  const v = layout.joints.length;
  const g = Array.from({ length: v }, (_, i) => Array.from({ length: v }, (_, j) => (i === j ? 1 : 0)));
  if (mode === 'none') return g;
  for (const [i, j] of layout.edges) {
    g[i][j] = 1;
    if (mode === 'symmetric') g[j][i] = 1;
  }
  return g;
}
