import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import direction of CONTRIBUTING.md's "Architecture" table, checked on every file: each row
 * names an area of `src/` and the areas it may import. The table is read from CONTRIBUTING.md, so
 * the document and the check cannot drift apart.
 */
const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (['node_modules', 'dist', '.cache'].includes(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports (static, dynamic and side-effect imports). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(source); m; m = re.exec(source)) found.push((m[1] ?? m[2] ?? m[3]) as string);
  return found;
}

/** The area of a file under src/: its first folder, or the file's name without `.ts` for top-level files. */
function areaOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? (parts[0] as string).replace(/\.ts$/, '') : (parts[0] as string);
}

/** The rows of CONTRIBUTING.md's architecture table: area -> the areas it may import (`*` = any). */
function architectureTable(): Map<string, Set<string>> {
  const text = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
  const section = /## Architecture\n([\s\S]*?)(?=\n## )/.exec(text)?.[1];
  if (!section) throw new Error('CONTRIBUTING.md has no "## Architecture" section');
  const table = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const area = /^`src\/([^`/]+?)(?:\.ts)?\/?`$/.exec(cells[1] ?? '')?.[1];
    if (!area) continue;
    const mayImport = cells[cells.length - 2] ?? '';
    const names = [...mayImport.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    // "anything" allows every area; "anything but `x`" every area except those named.
    table.set(area, new Set(/^anything/.test(mayImport) ? ['*', ...names.map((n) => `!${n}`)] : names));
  }
  return table;
}

const NODE_AREAS = new Set(['node', 'cli', 'node.ts']);
const isBuiltin = (s: string) => s.startsWith('node:') || builtinModules.includes(s.split('/')[0] as string);

describe('architecture (CONTRIBUTING.md "Architecture")', () => {
  const table = architectureTable();
  const files = filesUnder(SRC);

  it('lists every area of src/', () => {
    const areas = [...new Set(files.map(areaOf))].sort();
    expect(areas.filter((a) => !table.has(a))).toEqual([]);
  });

  it('imports point one way: each area imports only what its row allows', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = areaOf(file);
      const allowed = table.get(from) ?? new Set<string>();
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = areaOf(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
        if (to === from || allowed.has(to) || (allowed.has('*') && !allowed.has(`!${to}`))) continue;
        violations.push(`${relative(ROOT, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('Node built-ins only under src/node and src/cli (the main entry stays browser-safe)', () => {
    const violations = files.flatMap((file) =>
      NODE_AREAS.has(areaOf(file))
        ? []
        : specifiers(readFileSync(file, 'utf8'))
            .filter(isBuiltin)
            .map((s) => `${relative(ROOT, file)} imports ${s}`),
    );
    expect(violations).toEqual([]);
  });

  it('bench/ and examples/ import the library only through its public entries', () => {
    const entries = new Set([join(SRC, 'index.ts'), join(SRC, 'node.ts')]);
    const violations: string[] = [];
    for (const file of [...filesUnder(join(ROOT, 'bench')), ...filesUnder(join(ROOT, 'examples'))]) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        if (target.startsWith(SRC + sep) && !entries.has(target)) violations.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('finds imports of every kind (the checker itself)', () => {
    const src = `import { a } from './a.js';\nimport type { B } from '../b.js';\nexport { c } from "./c.js";\nimport './d.js';\nconst e = await import('./e.js');\nimport {\n  f,\n  g,\n} from './fg.js';`;
    expect(specifiers(src).sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './e.js', './fg.js']);
  });
});
