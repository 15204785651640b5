/**
 * What `npm run demo` measured, as written to its results file (`demo-output/demo-results.json`; the
 * README's table is generated from the committed `examples/demo-results.json` by `npm run docs:tables`),
 * and the one function that turns it into the table the demo prints and the README shows.
 */

/** One trained stage of the demo. */
export interface DemoStageResult {
  /** Grid, e.g. `'5x5'`. */
  grid: string;
  /** True for a stage grown from the previous one (progressive learning). */
  grown: boolean;
  /** Epochs trained in this stage. */
  epochs: number;
  /** Training loss of the last epoch. */
  finalTrainLoss: number;
  /** Test accuracies in [0, 1]. */
  top1: number;
  top5: number;
  meanClassAccuracy: number;
}

/** The results file of one demo run. */
export interface DemoResults {
  /** Seed of the data, the weights and the training. */
  seed: number;
  /** tfjs backend. */
  backend: string;
  /** Epochs option of the run (the first stage's; the grown stage trains half as many). */
  epochs: number;
  /** Data: classes, clip counts and frames per clip. */
  classes: number;
  trainClips: number;
  testClips: number;
  frames: number;
  stages: DemoStageResult[];
  /** Largest |logit difference| between the trained and the reloaded model. */
  reloadMaxAbsDiff: number;
  /** Wall-clock seconds of the whole run (varies with the machine; not part of the table). */
  seconds: number;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** The demo's result table as Markdown lines: one row per stage. */
export function demoTable(results: DemoResults): string[] {
  return [
    '| grid | epochs | final train loss | test top-1 | test top-5 | mean class acc |',
    '|---|---|---|---|---|---|',
    ...results.stages.map(
      (s) =>
        `| ${s.grid}${s.grown ? ' (grown)' : ''} | ${s.epochs} | ${s.finalTrainLoss.toFixed(3)} | ${pct(s.top1)} | ${pct(s.top5)} | ${pct(s.meanClassAccuracy)} |`,
    ),
  ];
}
