/** Markdown helpers of the docs and package tests: link targets and heading anchors as GitHub renders them. */
import { readFileSync } from 'node:fs';

/** Markdown with the lines of fenced code blocks blanked out. */
export function withoutFences(markdown: string): string {
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker) fence = marker;
    else if (fence !== null && marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    else if (fence === null) {
      kept.push(line);
      continue;
    }
    kept.push('');
  }
  return kept.join('\n');
}

/** Markdown without fenced code blocks and inline code spans (so code that looks like a link is not taken for one). */
export function proseOnly(markdown: string): string {
  return withoutFences(markdown).replace(/(`+)[^`]*?\1/g, 'code');
}

/** Every link or image target of a Markdown text: inline `[t](x)` / `![a](x)`, reference definitions, HTML `src` / `href`. */
export function linkTargets(markdown: string): string[] {
  const prose = proseOnly(markdown);
  const targets: string[] = [];
  const inline = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  const reference = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm;
  const html = /\s(?:src|href)="([^"]+)"/g;
  for (const pattern of [inline, reference, html]) {
    for (const m of prose.matchAll(pattern)) targets.push(m[1]);
  }
  return targets;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The heading anchors of a Markdown file (duplicates numbered `-1`, `-2`, ... as on GitHub). */
export function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFences(readFileSync(file, 'utf8')).split('\n')) {
    const m = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = headingSlug(m[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}
