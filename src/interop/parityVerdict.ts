import type { ParityCheck, ReluFlipEvidence } from './parityChecks.js';

/** The decision of {@link decideParity}. */
export interface ParityVerdict {
  /** True when the port is semantically equal to the reference on this fixture. */
  equal: boolean;
  /** Why not (one line each), or, when equal, what was accepted (ReLU flips); empty when all checks passed. */
  reasons: string[];
}

/** Limits of {@link decideParity}. */
export interface ParityVerdictOptions {
  /** Most ReLU units a BN variant may flip; default 4. */
  maxFlips?: number;
  /** Rounding band, as |input| / RMS of that ReLU's inputs; default 3e-5. */
  reluBand?: number;
}

/**
 * Decides semantic equality from parity checks and ReLU-flip evidence. Equal exactly when
 * (1) there is at least one forward check and every permutation, forward, running-statistics and
 * grid-loss check passes, and (2) every failing full-network gradient check belongs to a BN variant
 * whose gradients all pass once at most `maxFlips` of the port's ReLU units, each with
 * |input| <= `reluBand` x RMS of its ReLU's inputs, have their gate inverted. A mismatch of the
 * forward pass, or a gradient mismatch that no such flip reproduces, is a semantic difference.
 *
 * @example
 * ```ts
 * import { decideParity, type ParityCheck } from 'ske2grid';
 * declare const checks: ParityCheck[];
 * decideParity(checks, []).equal; // true only when every check passed (no flips to explain)
 * ```
 */
export function decideParity(checks: readonly ParityCheck[], flips: readonly ReluFlipEvidence[], options: ParityVerdictOptions = {}): ParityVerdict {
  const maxFlips = options.maxFlips ?? 4;
  const band = options.reluBand ?? 3e-5;
  const reasons: string[] = [];
  if (!checks.some((c) => c.kind === 'forward')) reasons.push('no forward check ran (fixture without eval outputs?)');
  for (const c of checks) {
    if (!c.pass && c.kind !== 'gradient') reasons.push(`${c.kind} check failed: ${c.name} ${c.metric} ${c.value.toExponential(2)} > ${c.tolerance}`);
  }
  const failingVariants = [...new Set(checks.filter((c) => !c.pass && c.kind === 'gradient').map((c) => c.name.split(' ')[0]))];
  const accepted: string[] = [];
  for (const variant of failingVariants) {
    const e = flips.find((f) => f.variant === variant);
    const failing = checks.filter((c) => !c.pass && c.kind === 'gradient' && c.name.startsWith(`${variant} `)).map((c) => c.name);
    if (reasons.length > 0) {
      reasons.push(`${variant}: ${failing.length} gradient checks failed (not examined: the forward pass already differs)`);
    } else if (!e || !e.explained) {
      reasons.push(`${variant}: ${failing.length} gradient checks failed and no flip of at most ${maxFlips} near-zero ReLU units reproduces the reference`);
    } else if (e.units.length === 0 || e.units.length > maxFlips) {
      reasons.push(`${variant}: the explanation flips ${e.units.length} ReLU units (allowed 1..${maxFlips})`);
    } else if (e.units.some((u) => !(u.relativeDistance <= band))) {
      reasons.push(`${variant}: a flipped ReLU input lies outside the rounding band ${band}`);
    } else {
      const where = e.units.map((u) => `block ${u.block} ${u.relu} ReLU, person-sample ${u.personSample}, input ${u.value.toExponential(2)}`).join('; ');
      accepted.push(`${variant}: gradients differ only through ReLU input(s) within rounding distance of zero (${where}); flipped, every gradient matches`);
    }
  }
  return reasons.length > 0 ? { equal: false, reasons } : { equal: true, reasons: accepted };
}
