/** Facts about the machine and software a benchmark ran on (Node only). */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** The machine section of `bench/results.json`. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  /** Versions of the tfjs packages and playwright, as installed. */
  packages: Record<string, string>;
  /** Chromium's version (filled in once a browser job ran). */
  chromium: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** 1-minute load average at the start and end (the machine is shared). */
  loadAverage: { start: number; end: number | null };
}

const PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  'onnxruntime-node',
  'onnxruntime-web',
  'playwright',
  'esbuild',
];

/** Version of an installed package (read from its package.json in node_modules), or `'missing'`. */
function installedVersion(name: string): string {
  try {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

/** Collects the machine facts at the start of a run. */
export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    os: `${process.platform} ${release()}`,
    node: process.version,
    packages: Object.fromEntries(PACKAGES.map((p) => [p, installedVersion(p)])),
    chromium: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    loadAverage: { start: loadavg()[0], end: null },
  };
}

/** Marks the end of a run. */
export function finishMachineInfo(info: MachineInfo): void {
  info.finishedAt = new Date().toISOString();
  info.loadAverage.end = loadavg()[0];
}
