/**
 * The user guides stay true to the code: (a) every relative link and image in the guides, README,
 * CONTRIBUTING and CHANGELOG points at an existing file (and, for `file.md#anchor`, an existing
 * heading), and (b) every `ts` code block in `docs/*.md` type-checks against the library source, with
 * `ske2grid` mapped to `src/index.ts` and `ske2grid/node` to `src/node.ts`. A block directly preceded
 * by the line `<!-- continues -->` is appended to the block before it (one program in steps); every
 * other block is a module of its own. All blocks are checked in one TypeScript program, together with
 * a deliberately wrong snippet that must be rejected, so the check cannot pass vacuously.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = join(ROOT, 'docs');
/** The marker line that joins a code block to the previous one. */
const CONTINUES = '<!-- continues -->';

/** The guides: top-level `docs/*.md` (the generated `docs/api/` is not scanned). */
const guideFiles = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => join(DOCS, name));
/** Every Markdown file whose relative links are checked. */
const linkedFiles = [...guideFiles, ...['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'].map((f) => join(ROOT, f)).filter(existsSync)];

/** A fenced code block: its info-string language, its lines, and the 1-based line of its first code line. */
interface CodeBlock {
  lang: string;
  code: string[];
  firstLine: number;
  continues: boolean;
}

/** The fenced code blocks of a Markdown text, in order. */
function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let previous = i - 1;
    while (previous >= 0 && lines[previous].trim() === '') previous--;
    const block: CodeBlock = { lang: open[3].toLowerCase(), code: [], firstLine: i + 2, continues: previous >= 0 && lines[previous].trim() === CONTINUES };
    for (i++; i < lines.length && !lines[i].trim().startsWith(fence); i++) block.code.push(lines[i]);
    blocks.push(block);
  }
  return blocks;
}

/** Markdown with the lines of fenced code blocks blanked out. */
function withoutFences(markdown: string): string {
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
function proseOnly(markdown: string): string {
  return withoutFences(markdown).replace(/(`+)[^`]*?\1/g, 'code');
}

/** Every link or image target of a Markdown text: inline `[t](x)` / `![a](x)`, reference definitions, HTML `src` / `href`. */
function linkTargets(markdown: string): string[] {
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
function headingSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The heading anchors of a Markdown file (duplicates numbered `-1`, `-2`, ... as on GitHub). */
function anchorsOf(file: string): Set<string> {
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

/** The broken relative links of one Markdown file, as readable strings (empty when all resolve). */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(readFileSync(file, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http:, https:, mailto:, ...
    const [pathPart, anchor] = target.split('#', 2);
    const path = decodeURIComponent(pathPart.split('?')[0]);
    const resolved = path === '' ? file : resolve(dirname(file), path);
    if (!existsSync(resolved)) {
      broken.push(`${target} (no file ${relative(ROOT, resolved)})`);
    } else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
      broken.push(`${target} (no heading #${anchor} in ${relative(ROOT, resolved)})`);
    }
  }
  return broken;
}

/** One module written for the type check, and where each of its lines came from. */
interface SnippetModule {
  fileName: string;
  source: string;
  /** Markdown file and line of module line i (0-based), or null for added lines. */
  origin: ({ file: string; line: number } | null)[];
}

/** The `ts` blocks of the guides as modules (a `continues` block joins the module before it). */
function snippetModules(dir: string): SnippetModule[] {
  const modules: SnippetModule[] = [];
  for (const file of guideFiles) {
    const name = relative(ROOT, file);
    let current: SnippetModule | null = null;
    for (const block of codeBlocks(readFileSync(file, 'utf8'))) {
      if (block.lang !== 'ts' && block.lang !== 'typescript') continue;
      if (!block.continues || current === null) {
        current = { fileName: join(dir, `${name.replace(/[^a-z0-9]+/gi, '_')}_${modules.length}.ts`), source: '', origin: [] };
        modules.push(current);
      }
      block.code.forEach((line, k) => {
        current!.source += `${line}\n`;
        current!.origin.push({ file: name, line: block.firstLine + k });
      });
    }
  }
  for (const m of modules) {
    m.source += 'export {};\n';
    m.origin.push(null);
  }
  return modules;
}

/** A snippet that uses a misspelled export and a misspelled config field: the check must reject it. */
const CANARY = `import { buildSke2Grd } from 'ske2grid';\nimport { buildSke2Grid } from 'ske2grid';\nbuildSke2Grd();\nbuildSke2Grid({ gridShap: [5, 5] });\nexport {};\n`;

/** Type-checks `modules` (plus the canary) in one program; returns readable diagnostics per file name. */
function typeCheck(dir: string, modules: SnippetModule[], canaryFile: string): Map<string, string[]> {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022', 'DOM'],
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
      paths: {
        ske2grid: [join(ROOT, 'src/index.ts')],
        'ske2grid/node': [join(ROOT, 'src/node.ts')],
        '@tensorflow/*': [join(ROOT, 'node_modules/@tensorflow/*')],
      },
    },
    files: [...modules.map((m) => m.fileName), canaryFile],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const parsed = ts.parseJsonConfigFileContent(tsconfig, ts.sys, dir);
  expect(parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const byFile = new Map<string, string[]>();
  const origins = new Map(modules.map((m) => [resolve(m.fileName), m]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) {
      byFile.set('(options)', [...(byFile.get('(options)') ?? []), text]);
      continue;
    }
    const file = resolve(d.file.fileName);
    if (!file.startsWith(resolve(dir))) continue; // the library's own files are checked by `npm run typecheck`
    const line = d.start === undefined ? 0 : d.file.getLineAndCharacterOfPosition(d.start).line;
    const origin = origins.get(file)?.origin[line];
    const where = origin ? `${origin.file}:${origin.line}` : relative(dir, file);
    byFile.set(file, [...(byFile.get(file) ?? []), `${where}: TS${d.code} ${text}`]);
  }
  return byFile;
}

describe('links in the guides', () => {
  it('finds the guides', () => {
    expect(guideFiles.map((f) => relative(DOCS, f))).toEqual(expect.arrayContaining(['README.md', 'getting-started.md', 'method.md']));
  });

  it.each(linkedFiles.map((f) => [relative(ROOT, f), f]))('%s: every relative link and image resolves', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('detects a broken link, a missing anchor and skips links inside code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ske2grid-links-'));
    try {
      writeFileSync(join(dir, 'a.md'), '# Title here\n\n## Second `part`\n');
      const page = join(dir, 'b.md');
      writeFileSync(
        page,
        [
          '[ok](a.md) [ok anchor](a.md#second-part) ![img](missing.png) [bad anchor](a.md#nope) [web](https://example.org/x.md)',
          '`[not a link](nowhere.md)`',
          '```md',
          '[inside a fence](gone.md)',
          '```',
          '[self](#b-title)',
          '# B title',
        ].join('\n'),
      );
      expect(brokenLinks(page)).toEqual(['missing.png (no file ' + relative(ROOT, join(dir, 'missing.png')) + ')', 'a.md#nope (no heading #nope in ' + relative(ROOT, join(dir, 'a.md')) + ')']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ts code blocks in the guides', () => {
  let dir = '';
  let modules: SnippetModule[] = [];
  let diagnostics = new Map<string, string[]>();
  let canaryFile = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ske2grid-guides-'));
    modules = snippetModules(dir);
    for (const m of modules) writeFileSync(m.fileName, m.source);
    canaryFile = join(dir, 'canary.ts');
    writeFileSync(canaryFile, CANARY);
    diagnostics = typeCheck(dir, modules, canaryFile);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('groups blocks: a block after the continues marker joins the previous one', () => {
    const blocks = codeBlocks(['```ts', 'const a = 1;', '```', '', CONTINUES, '', '```ts', 'a;', '```', '```bash', 'npm test', '```'].join('\n'));
    expect(blocks.map((b) => [b.lang, b.code, b.firstLine, b.continues])).toEqual([
      ['ts', ['const a = 1;'], 2, false],
      ['ts', ['a;'], 8, true],
      ['bash', ['npm test'], 11, false],
    ]);
  });

  it('finds code in the guides that need it', () => {
    const from = new Set(modules.flatMap((m) => m.origin.filter((o) => o !== null).map((o) => o!.file)));
    for (const guide of ['getting-started.md', 'training.md', 'official-weights.md']) expect(from).toContain(join('docs', guide));
  });

  it('rejects a misspelled export and config field (the check is live)', () => {
    const errors = diagnostics.get(resolve(canaryFile)) ?? [];
    expect(errors.some((e) => /TS(2305|2724)/.test(e) && e.includes('buildSke2Grd'))).toBe(true);
    expect(errors.some((e) => e.includes('gridShap'))).toBe(true);
  });

  it('every ts block type-checks against the library source', () => {
    const problems = [...diagnostics.entries()].filter(([file]) => file !== resolve(canaryFile)).flatMap(([, list]) => list);
    expect(problems).toEqual([]);
  });
});
