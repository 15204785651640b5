/**
 * Resident memory of processes on Linux, read from `/proc` (Node only): this process, or every
 * descendant of a process (the headless Chromium tree started by playwright). Elsewhere the
 * functions return what Node itself reports.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { MemorySample } from './measure.js';

/** `VmRSS` and `VmHWM` (peak) of a process in bytes, or null when it cannot be read. */
export function processStatus(pid: number | 'self'): { rssBytes: number; peakRssBytes: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    const rssBytes = kib('VmRSS');
    const peakRssBytes = kib('VmHWM');
    return Number.isFinite(rssBytes) && Number.isFinite(peakRssBytes) ? { rssBytes, peakRssBytes } : null;
  } catch {
    return null;
  }
}

/** This process: current and peak RSS (peak from `/proc/self/status` where available). */
export function selfMemory(): MemorySample {
  const status = processStatus('self');
  return status ?? { rssBytes: process.memoryUsage().rss };
}

/** Process ids of every descendant of `root` (not `root` itself). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const d of entries) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Sum of current and of peak RSS over every descendant of `root` (the sum of peaks bounds the peak of the sum). */
export function treeMemory(root: number): MemorySample {
  let rssBytes = 0;
  let peakRssBytes = 0;
  for (const pid of descendants(root)) {
    const s = processStatus(pid);
    if (s) {
      rssBytes += s.rssBytes;
      peakRssBytes += s.peakRssBytes;
    }
  }
  return { rssBytes, peakRssBytes };
}
