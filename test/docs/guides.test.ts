/**
 * The user guides and the API examples stay true to the code: (a) every relative link and image in
 * the guides, README, CONTRIBUTING and CHANGELOG points at an existing file (and, for `file.md#anchor`,
 * an existing heading); (b) every `ts` code block in `docs/*.md` and README.md type-checks against the library
 * source, with `ske2grid` mapped to `src/index.ts` and `ske2grid/node` to `src/node.ts` (a block
 * directly preceded by the line `<!-- continues -->` is appended to the block before it, one program
 * in steps; every other block is a module of its own); (c) every fenced `ts` block inside an
 * `@example` tag of a `src/**` doc comment type-checks the same way, each as a module of its own
 * (examples are self-contained: they import what they use and may `declare` what they assume), with
 * errors reported at `src/file.ts:line`, all under strict settings with `noUncheckedIndexedAccess` (what
 * `tsc --init` gives a user); and every function, class and constant exported by the two
 * entry points has such an example. Everything is checked in one TypeScript program, together with
 * deliberately wrong snippets that must be rejected, so the checks cannot pass vacuously.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorsOf, linkTargets } from '../helpers/markdown.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = join(ROOT, 'docs');
/** The marker line that joins a code block to the previous one. */
const CONTINUES = '<!-- continues -->';

/** The guides: top-level `docs/*.md` (the generated `docs/api/` is not scanned). */
const guideFiles = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => join(DOCS, name));
/** The Markdown files whose `ts` blocks are type-checked: the guides and the README. */
const snippetFiles = [...guideFiles, join(ROOT, 'README.md')];
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
  /** Source file (relative to the repository root) and 1-based line of module line i (0-based), or null for added lines. */
  origin: ({ file: string; line: number } | null)[];
}

/** A module of `blocks` (from `file`) written under `dir`, closed with `export {}` so top-level await is allowed. */
function moduleOf(dir: string, index: number, file: string, blocks: CodeBlock[]): SnippetModule {
  const m: SnippetModule = { fileName: join(dir, `${file.replace(/[^a-z0-9]+/gi, '_')}_${index}.ts`), source: '', origin: [] };
  for (const block of blocks) {
    block.code.forEach((line, k) => {
      m.source += `${line}\n`;
      m.origin.push({ file, line: block.firstLine + k });
    });
  }
  m.source += 'export {};\n';
  m.origin.push(null);
  return m;
}

/** The `ts` blocks of the guides as modules (a `continues` block joins the module before it). */
function snippetModules(dir: string): SnippetModule[] {
  const groups: { file: string; blocks: CodeBlock[] }[] = [];
  for (const file of snippetFiles) {
    const name = relative(ROOT, file);
    let current: CodeBlock[] | null = null;
    for (const block of codeBlocks(readFileSync(file, 'utf8'))) {
      if (block.lang !== 'ts' && block.lang !== 'typescript') continue;
      if (!block.continues || current === null) {
        current = [];
        groups.push({ file: name, blocks: current });
      }
      current.push(block);
    }
  }
  return groups.map((g, i) => moduleOf(dir, i, g.file, g.blocks));
}

/** Every `.ts` file under `dir`, sorted. */
function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? typeScriptFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    .sort();
}

/** The `/** ... *\/` comments of a TypeScript source, each with its text and the 0-based line it starts on. */
function docComments(text: string): { text: string; line: number }[] {
  const source = ts.createSourceFile('doc.ts', text, ts.ScriptTarget.Latest, false);
  const found = new Map<number, string>();
  const visit = (node: ts.Node): void => {
    for (const range of ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []) {
      const comment = text.slice(range.pos, range.end);
      if (range.kind === ts.SyntaxKind.MultiLineCommentTrivia && comment.startsWith('/**')) found.set(range.pos, comment);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found.entries()].sort(([a], [b]) => a - b).map(([pos, comment]) => ({ text: comment, line: text.slice(0, pos).split('\n').length - 1 }));
}

/**
 * The fenced code blocks inside the `@example` tags of a TypeScript source's doc comments, with the
 * comment decoration (`/**`, ` * `, `*\/`) stripped and `firstLine` the 1-based line in the source. An
 * `@example` section runs to the next block tag (a line starting with `@`) outside a fence.
 */
function exampleBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const comment of docComments(text)) {
    const lines = comment.text.split('\n').map((raw, i, all) => {
      let line = i === 0 ? raw.replace(/^\s*\/\*\*\s?/, '') : raw.replace(/^\s*\* ?/, '');
      if (i === all.length - 1) line = line.replace(/\s*\*\/\s*$/, '');
      return line;
    });
    let inExample = false;
    let fence: string | null = null;
    let block: CodeBlock | null = null;
    lines.forEach((line, i) => {
      if (fence !== null) {
        if (line.trim().startsWith(fence)) fence = null;
        else block?.code.push(line);
        return;
      }
      const tag = /^\s*@(\w+)/.exec(line);
      if (tag) {
        inExample = tag[1] === 'example';
        return;
      }
      const open = /^\s*(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (!open) return;
      fence = open[1];
      block = { lang: open[2].toLowerCase(), code: [], firstLine: comment.line + i + 2, continues: false };
      if (inExample) blocks.push(block);
    });
  }
  return blocks;
}

/** Every `src/**` file with its `@example` ts blocks (each block its own module). */
function exampleModules(dir: string): SnippetModule[] {
  const modules: SnippetModule[] = [];
  for (const file of typeScriptFiles(join(ROOT, 'src'))) {
    const name = relative(ROOT, file);
    for (const block of exampleBlocks(readFileSync(file, 'utf8'))) {
      if (block.lang === 'ts' || block.lang === 'typescript') modules.push(moduleOf(join(dir, 'examples'), modules.length, name, [block]));
    }
  }
  return modules;
}

/**
 * A snippet that uses a misspelled export, a misspelled config field and an index signature read as
 * a plain number (rejected only under `noUncheckedIndexedAccess`): the check must reject all three.
 */
const CANARY = [
  "import { buildSke2Grd } from 'ske2grid';",
  "import { buildSke2Grid } from 'ske2grid';",
  'buildSke2Grd();',
  'buildSke2Grid({ gridShap: [5, 5] });',
  'const byK: Record<number, number> = { 1: 0.5 };',
  'const topOne: number = byK[1];',
  'export { topOne };',
  '',
].join('\n');

/** A doc comment whose example names a missing export on its line 6: the example check must reject it there. */
const EXAMPLE_CANARY = [
  '/**',
  ' * A canary.',
  ' *',
  ' * @example',
  ' * ```ts',
  " * import { buildSke2Grd } from 'ske2grid';",
  ' * ```',
  ' */',
  'export const canary = 1;',
].join('\n');
/** The file name the example canary is reported under. */
const EXAMPLE_CANARY_FILE = 'src/canary.ts';

/** Exports allowed to lack an `@example` ts block (none: every export has one). */
const PENDING_EXAMPLES: string[] = [];

/** The compiler options of the snippet check: strict, Node types, `ske2grid` and `ske2grid/node` mapped to the sources. */
const compilerOptions = {
  target: 'ES2022',
  module: 'ESNext',
  moduleResolution: 'Bundler',
  lib: ['ES2022', 'DOM'],
  strict: true,
  noUncheckedIndexedAccess: true,
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
};

/** The two entry points whose exports must carry examples. */
const ENTRY_POINTS = ['src/index.ts', 'src/node.ts'].map((f) => join(ROOT, f));

/** Type-checks `modules` (plus canaries and the entry points) in one program; returns the program and readable diagnostics per file name. */
function typeCheck(dir: string, modules: SnippetModule[], extraFiles: string[]): { program: ts.Program; diagnostics: Map<string, string[]> } {
  const tsconfig = { compilerOptions, files: [...modules.map((m) => m.fileName), ...extraFiles, ...ENTRY_POINTS] };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const parsed = ts.parseJsonConfigFileContent(tsconfig, ts.sys, dir);
  expect(parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = new Map<string, string[]>();
  const origins = new Map(modules.map((m) => [resolve(m.fileName), m]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) {
      diagnostics.set('(options)', [...(diagnostics.get('(options)') ?? []), text]);
      continue;
    }
    const file = resolve(d.file.fileName);
    if (!file.startsWith(resolve(dir))) continue; // the library's own files are checked by `npm run typecheck`
    const line = d.start === undefined ? 0 : d.file.getLineAndCharacterOfPosition(d.start).line;
    const origin = origins.get(file)?.origin[line];
    const where = origin ? `${origin.file}:${origin.line}` : relative(dir, file);
    diagnostics.set(file, [...(diagnostics.get(file) ?? []), `${where}: TS${d.code} ${text}`]);
  }
  return { program, diagnostics };
}

/** True when a declaration's doc comment has an `@example` with a fenced ts block. */
function hasTsExample(declaration: ts.Declaration): boolean {
  const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  const text = node.getSourceFile().text;
  return ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .some((doc) => exampleBlocks(text.slice(doc.pos, doc.end)).some((b) => b.lang === 'ts' || b.lang === 'typescript'));
}

/** The functions, classes and constants exported by the entry points whose doc comment has no `@example` ts block (sorted names). */
function exportsWithoutExample(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const missing = new Set<string>();
  for (const entry of ENTRY_POINTS) {
    const source = program.getSourceFile(entry);
    const module = source && checker.getSymbolAtLocation(source);
    expect(module, `${relative(ROOT, entry)} in the program`).toBeDefined();
    for (const exported of checker.getExportsOfModule(module!)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = (symbol.declarations ?? []).filter((d) => ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d) || ts.isVariableDeclaration(d));
      if (declarations.length > 0 && !declarations.some(hasTsExample)) missing.add(exported.name);
    }
  }
  return [...missing].sort();
}

/** Everything the code-block tests read, built once: one TypeScript program for the guides, the doc examples and the canaries. */
interface SnippetCheck {
  dir: string;
  guides: SnippetModule[];
  examples: SnippetModule[];
  canaryFile: string;
  exampleCanaryFile: string;
  program: ts.Program;
  diagnostics: Map<string, string[]>;
}

let shared: SnippetCheck | null = null;

/** Writes every snippet module and type-checks them all in one program (once per test file). */
function snippetCheck(): SnippetCheck {
  if (shared) return shared;
  const dir = mkdtempSync(join(tmpdir(), 'ske2grid-snippets-'));
  mkdirSync(join(dir, 'examples'));
  const guides = snippetModules(dir);
  const examples = exampleModules(dir);
  const canaryExample = moduleOf(dir, 0, EXAMPLE_CANARY_FILE, exampleBlocks(EXAMPLE_CANARY));
  canaryExample.fileName = join(dir, 'example_canary.ts');
  for (const m of [...guides, ...examples, canaryExample]) writeFileSync(m.fileName, m.source);
  const canaryFile = join(dir, 'canary.ts');
  writeFileSync(canaryFile, CANARY);
  const { program, diagnostics } = typeCheck(dir, [...guides, ...examples, canaryExample], [canaryFile]);
  shared = { dir, guides, examples, canaryFile, exampleCanaryFile: canaryExample.fileName, program, diagnostics };
  return shared;
}

afterAll(() => {
  if (shared) rmSync(shared.dir, { recursive: true, force: true });
});

/** Diagnostics of the given modules, flattened. */
function problemsOf(check: SnippetCheck, modules: SnippetModule[]): string[] {
  return modules.flatMap((m) => check.diagnostics.get(resolve(m.fileName)) ?? []);
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
      expect(brokenLinks(page)).toEqual([
        'missing.png (no file ' + relative(ROOT, join(dir, 'missing.png')) + ')',
        'a.md#nope (no heading #nope in ' + relative(ROOT, join(dir, 'a.md')) + ')',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ts code blocks in the guides', () => {
  let check: SnippetCheck;

  beforeAll(() => {
    check = snippetCheck();
  }, 60_000);

  it('groups blocks: a block after the continues marker joins the previous one', () => {
    const blocks = codeBlocks(['```ts', 'const a = 1;', '```', '', CONTINUES, '', '```ts', 'a;', '```', '```bash', 'npm test', '```'].join('\n'));
    expect(blocks.map((b) => [b.lang, b.code, b.firstLine, b.continues])).toEqual([
      ['ts', ['const a = 1;'], 2, false],
      ['ts', ['a;'], 8, true],
      ['bash', ['npm test'], 11, false],
    ]);
  });

  it('finds code in the guides that need it', () => {
    const from = new Set(check.guides.flatMap((m) => m.origin.filter((o) => o !== null).map((o) => o!.file)));
    for (const guide of ['getting-started.md', 'training.md', 'official-weights.md']) expect(from).toContain(join('docs', guide));
  });

  it('rejects a misspelled export and config field (the check is live)', () => {
    const errors = check.diagnostics.get(resolve(check.canaryFile)) ?? [];
    expect(errors.some((e) => /TS(2305|2724)/.test(e) && e.includes('buildSke2Grd'))).toBe(true);
    expect(errors.some((e) => e.includes('gridShap'))).toBe(true);
    expect(errors.some((e) => /TS2322 Type 'number \| undefined' is not assignable to type 'number'/.test(e))).toBe(true);
  });

  it('type-checks the README too, with noUncheckedIndexedAccess on', () => {
    expect(compilerOptions.noUncheckedIndexedAccess).toBe(true);
    const from = new Set(check.guides.flatMap((m) => m.origin.filter((o) => o !== null).map((o) => o!.file)));
    expect(from).toContain('README.md');
  });

  it('every ts block type-checks against the library source', () => {
    expect(problemsOf(check, check.guides)).toEqual([]);
  });
});

describe('@example blocks in the doc comments of src/', () => {
  let check: SnippetCheck;

  beforeAll(() => {
    check = snippetCheck();
  }, 60_000);

  it('extracts only fenced blocks inside @example sections, undecorated, with their source lines', () => {
    const source = [
      '/**', //                            line 1
      ' * Adds. `x` shape `[n]`.', //      line 2
      ' * ```ts', //                       line 3: a fence outside @example
      ' * notAnExample();', //             line 4
      ' * ```', //                         line 5
      ' * @example', //                    line 6
      ' * ```ts', //                       line 7
      " * import { argmax } from 'ske2grid';", // line 8
      ' *   argmax([1, 3]);', //           line 9
      ' * ```', //                         line 10
      ' * ```bash', //                     line 11
      ' * npm test', //                    line 12
      ' * ```', //                         line 13
      ' * @param x not an example', //     line 14
      ' * ```ts', //                       line 15
      ' * alsoNot();', //                  line 16
      ' * ```', //                         line 17
      ' */', //                            line 18
      'export function add(x: number[]): number {', // line 19
      '  /** @example', //                 line 20
      '   * ```typescript', //             line 21
      '   * inner(); */', //               line 22: an unclosed fence ends with the comment
      '  return 0;',
      '}',
    ].join('\n');
    expect(exampleBlocks(source).map((b) => [b.lang, b.code, b.firstLine])).toEqual([
      ['ts', ["import { argmax } from 'ske2grid';", '  argmax([1, 3]);'], 8],
      ['bash', ['npm test'], 12],
      ['typescript', ['inner();'], 22],
    ]);
  });

  it('finds the examples of the library', () => {
    const files = new Set(check.examples.map((m) => m.origin[0]!.file));
    for (const file of ['src/layouts/skeletonLayout.ts', 'src/training/metrics.ts', 'src/node/fileIO.ts']) expect(files).toContain(file);
    expect(check.examples.length).toBeGreaterThanOrEqual(100);
  });

  it('rejects an example that imports a missing export, at its source line (the check is live)', () => {
    const errors = check.diagnostics.get(resolve(check.exampleCanaryFile)) ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(new RegExp(`^${EXAMPLE_CANARY_FILE}:6: TS(2305|2724) .*buildSke2Grd`));
  });

  it('every @example ts block type-checks against the library source', () => {
    expect(problemsOf(check, check.examples)).toEqual([]);
  });

  it('every exported function, class and constant has an @example ts block (except the pending ones)', () => {
    expect(exportsWithoutExample(check.program)).toEqual([...PENDING_EXAMPLES].sort());
  });
});
