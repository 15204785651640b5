import { spawnSync } from 'node:child_process';

/**
 * A Python interpreter that can `import torch`, for the optional checks against PyTorch itself:
 * `$PYTHON` if set, else `python3`, else Debian's `/usr/bin/python3` (python3-torch); undefined when none.
 */
export const pythonWithTorch: string | undefined = (process.env.PYTHON ? [process.env.PYTHON] : ['python3', '/usr/bin/python3']).find(
  (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0,
);

/** Runs a Python script with the interpreter above; returns stdout, throws with stderr on failure. */
export function runPython(script: string, args: string[] = []): string {
  const result = spawnSync(pythonWithTorch as string, ['-c', script, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`python failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}
