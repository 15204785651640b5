/**
 * Child process of `bench/run.ts` for the Node backends: runs one {@link GridJob} (argv[2], JSON)
 * and appends its rows, one JSON object per line, to the file argv[3] as they finish, so the rows
 * measured before a crash (e.g. a wasm heap abort) survive it.
 */
import { appendFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { runGridJob, type GridJob } from './measure.js';
import { selfMemory } from './processMemory.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('bench worker');

const job = JSON.parse(process.argv[2]) as GridJob;
const outFile = process.argv[3];

const ok = await tf.setBackend(job.tfBackend);
await tf.ready();
if (!ok || tf.getBackend() !== job.tfBackend) {
  console.error(`backend ${job.tfBackend} is not available (tfjs is on ${tf.getBackend()})`);
  process.exit(3);
}
await runGridJob(job, {
  emit: (row) => appendFileSync(outFile, `${JSON.stringify(row)}\n`),
  memory: selfMemory,
  log: (m) => console.error(`  ${m}`),
});
