import { fail } from '../errors.js';
import { escapeXml } from './svgText.js';

/**
 * Body-part groups a grid cell can be coloured by, in legend order.
 *
 * @example
 * ```ts
 * import { BODY_PART_GROUPS } from 'ske2grid';
 * BODY_PART_GROUPS; // ['head', 'torso', 'left_arm', 'right_arm', 'left_leg', 'right_leg', 'mixed']
 * ```
 */
export const BODY_PART_GROUPS: readonly string[] = Object.freeze(['head', 'torso', 'left_arm', 'right_arm', 'left_leg', 'right_leg', 'mixed']);

/**
 * Okabe-Ito colours (colour-blind safe), chosen so the groups stay apart when drawn as a light tint
 * (CIELAB distance >= 18 at the tint of a joint cell): left arm blue, left leg bluish green, right arm
 * vermillion, right leg orange, head reddish purple, torso black (grey as a tint).
 */
const GROUP_COLOURS: Record<string, string> = {
  head: '#CC79A7',
  torso: '#000000',
  left_arm: '#0072B2',
  right_arm: '#D55E00',
  left_leg: '#009E73',
  right_leg: '#E69F00',
  mixed: '#A0A0A0',
};
/** Fill opacity of a cell that lists its joints: a constant tint, so every group keeps its hue (the share is drawn as a bar). */
const JOINT_CELL_TINT = 0.45;

const FONT = 'Helvetica, Arial, sans-serif';
/** Average glyph width of the font as a fraction of the font size (a conservative estimate for sans-serif). */
const CHAR_WIDTH = 0.56;

/** One joint of a grid cell: its short name, its share of the cell's absolute weight and its body-part group. */
export interface GridCellJoint {
  /** Short joint name, e.g. `'l_wrist'`. */
  name: string;
  /** Share in [0, 1] of the cell's row of the mixing matrix (absolute values). */
  share: number;
  /** One of {@link BODY_PART_GROUPS}. */
  group: string;
}

/** One progressive-learning stage of {@link renderGridSvg}: an H x W grid, cells in row-major order. */
export interface GridPictureStage {
  /** `[H, W]`; the panel is titled `HxW`. */
  gridShape: [number, number];
  /** Text of each cell (H*W), e.g. `'l_wrist'`. */
  cellLabels: string[];
  /** Body-part group of each cell (H*W), one of {@link BODY_PART_GROUPS}. */
  cellGroups: string[];
  /**
   * Optional share (0..1) of the cell's main joint. Without `cellJoints` it sets the fill opacity
   * `0.2 + 0.8 * weight`; with them it is drawn as a bar along the cell's bottom. Default: opaque, no bar.
   */
  cellWeights?: number[];
  /**
   * Optional strongest joints of each cell (H*W lists, strongest first): the cell then shows the first
   * joint's name and share and the next joints' names and shares in smaller type, on a constant tint
   * of the first joint's group colour. Default: the label only.
   */
  cellJoints?: GridCellJoint[][];
}

/** Options of {@link renderGridSvg}. */
export interface GridSvgOptions {
  /** Title above the panels; default none. */
  title?: string;
  /** Side of one cell in px (>= 24); default 56, or 88 when a stage lists `cellJoints`. */
  cellSize?: number;
}

/** Options of {@link gridStageFromMatrix}. */
export interface GridStageOptions {
  /** Colour cells whose strongest joint has less than half of the row's absolute weight as `'mixed'`; default false. */
  mixedGroup?: boolean;
  /** How many of each cell's strongest joints `cellJoints` lists (joints with weight 0 are left out); default 2. */
  topJoints?: number;
}

/** Options of {@link renderUptSvg}. */
export interface UptSvgOptions {
  /** Title above the heatmap; default none. */
  title?: string;
}

/** Rounds a coordinate for compact output. */
const r = (v: number) => String(Math.round(v * 100) / 100);

/**
 * Body-part group of a COCO-17 joint index: eyes/ears/nose `head`, shoulders and hips `torso`, elbows/wrists arms, knees/ankles legs.
 *
 * @example
 * ```ts
 * import { bodyPartOfCocoJoint } from 'ske2grid';
 * bodyPartOfCocoJoint(9); // 'left_arm' (joint 9 is left_wrist)
 * bodyPartOfCocoJoint(12); // 'torso' (right_hip)
 * ```
 */
export function bodyPartOfCocoJoint(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 16) fail('index', 'a COCO-17 joint index in [0, 16]', index);
  if (index <= 4) return 'head';
  if (index === 5 || index === 6 || index === 11 || index === 12) return 'torso';
  const side = index % 2 === 1 ? 'left' : 'right';
  return index <= 10 ? `${side}_arm` : `${side}_leg`;
}

/**
 * Short joint name for cell labels: `left_wrist` -> `l_wrist`, `wrist_left` -> `l_wrist`, others unchanged.
 *
 * @example
 * ```ts
 * import { shortJointName } from 'ske2grid';
 * shortJointName('left_wrist'); // 'l_wrist'
 * shortJointName('wrist_right'); // 'r_wrist'
 * shortJointName('nose'); // 'nose'
 * ```
 */
export function shortJointName(name: string): string {
  const prefixed = /^(left|right)_(.+)$/.exec(name);
  if (prefixed) return `${prefixed[1][0]}_${prefixed[2]}`;
  const suffixed = /^(.+)_(left|right)$/.exec(name);
  if (suffixed) return `${suffixed[2][0]}_${suffixed[1]}`;
  return name;
}

/**
 * Turns a mixing matrix `[H*W, V]` (row r: how much each joint contributes to cell r, row-major) into a
 * {@link GridPictureStage} that says what each cell learned: `cellJoints` lists the cell's strongest
 * joints (default the top 2, by |weight|) with their shares of the row's absolute weight; the label
 * and the body-part group are the strongest joint's, the weight its share (0 for an all-zero row).
 * With `options.mixedGroup` a cell whose strongest joint has less than half of the weight is
 * coloured `'mixed'`.
 *
 * @example
 * ```ts
 * import { COCO17, bodyPartOfCocoJoint, buildSke2Grid, gridStageFromMatrix, renderGridSvg, stageMixingMatrices } from 'ske2grid';
 * const [mixing] = stageMixingMatrices(buildSke2Grid()); // [25][17] for the 5x5 grid
 * const stage = gridStageFromMatrix(mixing!, [5, 5], COCO17.joints, bodyPartOfCocoJoint); // mixedGroup false
 * const svg = renderGridSvg([stage], { title: 'learned 5x5 grid' });
 * ```
 */
export function gridStageFromMatrix(
  mixing: number[][],
  gridShape: [number, number],
  jointNames: readonly string[],
  groupOf: (joint: number) => string,
  options: GridStageOptions = {},
): GridPictureStage {
  checkGridShape('gridShape', gridShape);
  const topJoints = options.topJoints ?? 2;
  if (!Number.isInteger(topJoints) || topJoints < 1) fail('options.topJoints', 'an integer >= 1', topJoints);
  const cells = gridShape[0] * gridShape[1];
  if (!Array.isArray(jointNames) || jointNames.length === 0) fail('jointNames', 'a non-empty array of names', jointNames);
  if (!Array.isArray(mixing) || mixing.length !== cells) {
    fail('mixing', `${cells} rows (H*W of gridShape ${gridShape[0]}x${gridShape[1]})`, Array.isArray(mixing) ? `${mixing.length} rows` : mixing);
  }
  const v = jointNames.length;
  const stage: GridPictureStage = { gridShape: [gridShape[0], gridShape[1]], cellLabels: [], cellGroups: [], cellWeights: [], cellJoints: [] };
  const checkedGroup = (joint: number) => {
    const group = groupOf(joint);
    if (!BODY_PART_GROUPS.includes(group)) fail(`groupOf(${joint})`, `one of ${BODY_PART_GROUPS.join(', ')}`, group);
    return group;
  };
  mixing.forEach((row, cell) => {
    if (!Array.isArray(row) || row.length !== v)
      fail(`mixing[${cell}]`, `${v} columns (one per joint name)`, Array.isArray(row) ? `${row.length} columns` : row);
    let best = 0,
      total = 0;
    row.forEach((w, j) => {
      if (!Number.isFinite(w)) fail(`mixing[${cell}][${j}]`, 'a finite number', w);
      total += Math.abs(w);
      if (Math.abs(w) > Math.abs(row[best])) best = j;
    });
    const share = total > 0 ? Math.abs(row[best]) / total : 0;
    const group = total > 0 ? checkedGroup(best) : 'mixed';
    stage.cellLabels.push(total > 0 ? shortJointName(jointNames[best]) : 'none');
    stage.cellGroups.push(share >= 0.5 || !options.mixedGroup ? group : 'mixed');
    stage.cellWeights!.push(share);
    // The strongest joints by |weight| (ties: the lower index first), the first one being `best`.
    const ranked = row
      .map((w, j) => ({ j, a: Math.abs(w) }))
      .filter((e) => e.a > 0)
      .sort((p, q) => q.a - p.a || p.j - q.j)
      .slice(0, topJoints);
    stage.cellJoints!.push(ranked.map((e) => ({ name: shortJointName(jointNames[e.j]), share: e.a / total, group: checkedGroup(e.j) })));
  });
  return stage;
}

function checkGridShape(arg: string, shape: unknown): asserts shape is [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    fail(arg, '[H, W] with positive integers', shape);
  }
}

function checkStage(stage: GridPictureStage, i: number): void {
  const arg = `stages[${i}]`;
  if (stage == null || typeof stage !== 'object') fail(arg, 'a GridPictureStage object', stage);
  checkGridShape(`${arg}.gridShape`, stage.gridShape);
  const cells = stage.gridShape[0] * stage.gridShape[1];
  const list = (name: 'cellLabels' | 'cellGroups' | 'cellWeights' | 'cellJoints', value: unknown) => {
    if (!Array.isArray(value) || value.length !== cells) {
      fail(`${arg}.${name}`, `${cells} entries (H*W = ${stage.gridShape[0]}x${stage.gridShape[1]})`, Array.isArray(value) ? `${value.length} entries` : value);
    }
  };
  list('cellLabels', stage.cellLabels);
  list('cellGroups', stage.cellGroups);
  stage.cellLabels.forEach((l, k) => {
    if (typeof l !== 'string') fail(`${arg}.cellLabels[${k}]`, 'a string', l);
  });
  stage.cellGroups.forEach((g, k) => {
    if (!BODY_PART_GROUPS.includes(g)) fail(`${arg}.cellGroups[${k}]`, `one of ${BODY_PART_GROUPS.join(', ')}`, g);
  });
  if (stage.cellWeights !== undefined) {
    list('cellWeights', stage.cellWeights);
    stage.cellWeights.forEach((w, k) => {
      if (typeof w !== 'number' || !(w >= 0 && w <= 1)) fail(`${arg}.cellWeights[${k}]`, 'a number in [0, 1]', w);
    });
  }
  if (stage.cellJoints !== undefined) {
    list('cellJoints', stage.cellJoints);
    stage.cellJoints.forEach((joints, k) => {
      if (!Array.isArray(joints)) fail(`${arg}.cellJoints[${k}]`, 'an array of {name, share, group}', joints);
      joints.forEach((j, i) => {
        const at = `${arg}.cellJoints[${k}][${i}]`;
        if (j == null || typeof j.name !== 'string') fail(`${at}.name`, 'a string', j?.name);
        if (typeof j.share !== 'number' || !(j.share >= 0 && j.share <= 1)) fail(`${at}.share`, 'a number in [0, 1]', j.share);
        if (!BODY_PART_GROUPS.includes(j.group)) fail(`${at}.group`, `one of ${BODY_PART_GROUPS.join(', ')}`, j.group);
      });
    });
  }
}

/** A share as a whole percentage, e.g. `'41 %'`. */
const percent = (share: number) => `${Math.round(share * 100)} %`;

const hexRgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** Dark or white text, whichever reads better on `hex` drawn with `opacity` over white. */
function textColourOn(hex: string, opacity: number): string {
  const [red, green, blue] = hexRgb(hex).map((c) => (c * opacity + 255 * (1 - opacity)) / 255);
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * lin(red) + 0.7152 * lin(green) + 0.0722 * lin(blue);
  return luminance > 0.3 ? '#111111' : '#FFFFFF';
}

/** Every way to break `label` into at most `maxLines` lines after a `_` or `:`. */
function splits(label: string, maxLines: number): string[][] {
  const out: string[][] = [[label]];
  if (maxLines <= 1) return out;
  for (let k = 1; k < label.length; k++) {
    if (label[k - 1] !== '_' && label[k - 1] !== ':') continue;
    for (const rest of splits(label.slice(k), maxLines - 1)) out.push([label.slice(0, k), ...rest]);
  }
  return out;
}

/**
 * Fits `label` into a box `width` x `height` px: one line at `maxFont` if it fits; otherwise the
 * candidate among one line with a smaller font and breaks into up to 3 lines after `_` or `:` that
 * gives the largest font (fewer lines and a break after the `mix:` prefix preferred); below 7 px the
 * lines are cut with an ellipsis.
 */
function fitLabel(label: string, width: number, height: number, maxFont: number): { lines: string[]; font: number } {
  const minFont = 7;
  const fontFor = (lines: string[]) => Math.min(maxFont, width / (CHAR_WIDTH * Math.max(1, ...lines.map((l) => l.length))), height / (1.2 * lines.length));
  const oneLine = { lines: [label], font: fontFor([label]) };
  if (oneLine.font >= maxFont * 0.85) return oneLine;
  let best = oneLine,
    bestScore = -Infinity;
  for (const lines of splits(label, 3)) {
    const font = fontFor(lines);
    const score = font * (1 - 0.1 * (lines.length - 1)) * (lines.length > 1 && lines[0].endsWith(':') ? 1.3 : 1);
    if (score > bestScore) [best, bestScore] = [{ lines, font }, score];
  }
  if (best.font >= minFont) return best;
  const keep = Math.max(1, Math.floor(width / (CHAR_WIDTH * minFont)) - 1);
  return { lines: best.lines.map((l) => (l.length > keep + 1 ? `${l.slice(0, keep)}\u2026` : l)), font: minFont };
}

/** A cell drawn from its label: fill opacity from the weight (opaque without one), the label fitted into the cell. */
function labelCell(cx: number, cy: number, cell: number, group: string, label: string, weight: number | undefined): string {
  const colour = GROUP_COLOURS[group];
  const opacity = weight === undefined ? 1 : 0.2 + 0.8 * weight;
  const tip = `${label} (${group}${weight === undefined ? '' : `, share ${weight.toFixed(2)}`})`;
  const { lines, font } = fitLabel(label, cell - 8, cell - 8, Math.min(13, cell * 0.24));
  const lineHeight = font * 1.15;
  const firstBaseline = cy + cell / 2 - ((lines.length - 1) * lineHeight) / 2 + font * 0.35;
  const spans = lines.map((l, i) => `<tspan x="${r(cx + cell / 2)}" y="${r(firstBaseline + i * lineHeight)}">${escapeXml(l)}</tspan>`).join('');
  return [
    `<rect class="cell" x="${r(cx)}" y="${r(cy)}" width="${r(cell)}" height="${r(cell)}" fill="${colour}" fill-opacity="${r(opacity)}" stroke="#FFFFFF" stroke-width="2"><title>${escapeXml(tip)}</title></rect>`,
    `<text class="cell-label" font-size="${r(font)}" text-anchor="middle" fill="${textColourOn(colour, opacity)}">${spans}</text>`,
  ].join('\n');
}

/**
 * A cell that says what it learned: a constant tint of the group colour, the strongest joint's name
 * (bold) and share, the next joints' names and shares below in smaller type, each marked with a dot
 * of its own group colour, and a bar along the bottom as long as the strongest joint's share.
 */
function jointCell(cx: number, cy: number, cell: number, group: string, label: string, joints: GridCellJoint[], weight: number | undefined): string {
  const colour = GROUP_COLOURS[group];
  const inner = cell - 10;
  const share = weight ?? joints[0]?.share;
  const tip = joints.length ? joints.map((j) => `${j.name} ${percent(j.share)} (${j.group})`).join(', ') : `${label} (no weight)`;
  const out = [
    `<rect class="cell" x="${r(cx)}" y="${r(cy)}" width="${r(cell)}" height="${r(cell)}" fill="${colour}" fill-opacity="${JOINT_CELL_TINT}" stroke="#FFFFFF" stroke-width="2"><title>${escapeXml(tip)}</title></rect>`,
  ];
  const first = joints[0];
  const mainText = first ? first.name : label;
  const mainFont = Math.max(7, Math.min(13, cell * 0.16, inner / (CHAR_WIDTH * Math.max(1, mainText.length))));
  const smallFont = Math.max(6, Math.min(10.5, cell * 0.125));
  const lines: { text: string; font: number; bold: boolean; dot?: string }[] = [{ text: mainText, font: mainFont, bold: true }];
  if (first) lines.push({ text: percent(first.share), font: mainFont * 0.92, bold: false });
  for (const j of joints.slice(1)) {
    const text = `${j.name} ${percent(j.share)}`;
    lines.push({ text, font: Math.max(6, Math.min(smallFont, (inner - 8) / (CHAR_WIDTH * text.length))), bold: false, dot: GROUP_COLOURS[j.group] });
  }
  const barHeight = share === undefined ? 0 : Math.max(3, cell * 0.06);
  const textHeight = lines.reduce((h, l) => h + l.font * 1.18, 0);
  let baseline = cy + (cell - barHeight - textHeight) / 2 + lines[0].font * 0.95;
  const spans: string[] = [];
  const dots: string[] = [];
  lines.forEach((l, i) => {
    const x = cx + cell / 2 + (l.dot ? 4 : 0);
    spans.push(`<tspan x="${r(x)}" y="${r(baseline)}" font-size="${r(l.font)}"${l.bold ? ' font-weight="bold"' : ''}>${escapeXml(l.text)}</tspan>`);
    if (l.dot) {
      const textWidth = l.text.length * CHAR_WIDTH * l.font;
      dots.push(
        `<circle class="joint-dot" cx="${r(x - textWidth / 2 - 5)}" cy="${r(baseline - l.font * 0.35)}" r="${r(Math.max(2, l.font * 0.32))}" fill="${l.dot}" stroke="#333333" stroke-width="0.6"/>`,
      );
    }
    if (i + 1 < lines.length) baseline += lines[i + 1].font * 1.18;
  });
  out.push(`<text class="cell-label" text-anchor="middle" fill="#111111">${spans.join('')}</text>`, ...dots);
  if (share !== undefined) {
    out.push(
      `<rect class="share-bar" x="${r(cx + 3)}" y="${r(cy + cell - barHeight - 3)}" width="${r(Math.max(0, (cell - 6) * share))}" height="${r(barHeight)}" fill="${colour}" stroke="#333333" stroke-width="0.6"/>`,
    );
  }
  return out.join('\n');
}

/**
 * Draws the grids of progressive-learning stages side by side as a standalone SVG string (no DOM):
 * one panel per stage titled `HxW`, every cell labelled and coloured by body-part group (colour-blind
 * safe palette, legend below). A stage with `cellJoints` (as {@link gridStageFromMatrix} makes) shows
 * in every cell its strongest joints with their shares and a share bar, on a constant tint; otherwise
 * the cell shows its label, with the fill opacity from `cellWeights` when given.
 *
 * @example
 * ```ts
 * import { renderGridSvg, type GridPictureStage } from 'ske2grid';
 * const stage: GridPictureStage = { gridShape: [1, 2], cellLabels: ['l_wrist', 'r_wrist'], cellGroups: ['left_arm', 'right_arm'] };
 * const svg = renderGridSvg([stage], { title: 'toy grid' }); // an '<svg ...>' string; cells 56 px by default
 * ```
 */
export function renderGridSvg(stages: GridPictureStage[], options: GridSvgOptions = {}): string {
  if (!Array.isArray(stages) || stages.length === 0) fail('stages', 'a non-empty array of GridPictureStage', stages);
  stages.forEach(checkStage);
  const listsJoints = stages.some((s) => s.cellJoints !== undefined);
  const cell = options.cellSize ?? (listsJoints ? 88 : 56);
  if (typeof cell !== 'number' || !Number.isFinite(cell) || cell < 24) fail('options.cellSize', 'a number >= 24', cell);
  if (options.title !== undefined && typeof options.title !== 'string') fail('options.title', 'a string', options.title);

  const margin = 16,
    gap = 32,
    panelTitle = 24;
  const top = margin + (options.title ? 28 : 0);
  const panelsWidth = stages.reduce((w, s) => w + s.gridShape[1] * cell, 0) + gap * (stages.length - 1);
  const gridHeight = Math.max(...stages.map((s) => s.gridShape[0] * cell));
  const used = BODY_PART_GROUPS.filter((g) => stages.some((s) => s.cellGroups.includes(g)));
  const weighted = stages.some((s) => s.cellWeights !== undefined);

  // Legend: swatch + name, wrapped into rows no wider than the figure.
  const legendFont = 12;
  const entries = used.map((g) => ({ group: g, width: 18 + 8 + g.length * CHAR_WIDTH * legendFont + 18 }));
  const titleWidth = options.title ? options.title.length * CHAR_WIDTH * 17 : 0;
  const noteWidth = listsJoints ? 150 * CHAR_WIDTH * 11 : 0;
  const width = Math.max(panelsWidth, 320, titleWidth, noteWidth) + 2 * margin;
  const rows: { group: string; x: number }[][] = [[]];
  let x = 0;
  for (const e of entries) {
    if (x > 0 && x + e.width > width - 2 * margin) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1].push({ group: e.group, x });
    x += e.width;
  }
  const legendTop = top + panelTitle + gridHeight + 20;
  const noteHeight = weighted ? 20 : 0;
  const height = legendTop + rows.length * 22 + noteHeight + margin;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}" height="${r(height)}" viewBox="0 0 ${r(width)} ${r(height)}" font-family="${FONT}">`);
  out.push(`<rect width="100%" height="100%" fill="#FFFFFF"/>`);
  if (options.title) {
    out.push(
      `<text x="${r(width / 2)}" y="${margin + 16}" font-size="17" font-weight="bold" text-anchor="middle" fill="#111111">${escapeXml(options.title)}</text>`,
    );
  }
  let left = margin + (width - 2 * margin - panelsWidth) / 2;
  stages.forEach((s) => {
    const [h, w] = s.gridShape;
    out.push(`<g class="panel">`);
    out.push(
      `<text class="panel-title" x="${r(left + (w * cell) / 2)}" y="${r(top + 16)}" font-size="14" font-weight="bold" text-anchor="middle" fill="#111111">${h}x${w}</text>`,
    );
    const gridTop = top + panelTitle;
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        const k = row * w + col;
        const cx = left + col * cell,
          cy = gridTop + row * cell;
        const joints = s.cellJoints?.[k];
        if (joints) out.push(jointCell(cx, cy, cell, s.cellGroups[k], s.cellLabels[k], joints, s.cellWeights?.[k]));
        else out.push(labelCell(cx, cy, cell, s.cellGroups[k], s.cellLabels[k], s.cellWeights?.[k]));
      }
    }
    out.push(`<rect x="${r(left)}" y="${r(gridTop)}" width="${r(w * cell)}" height="${r(h * cell)}" fill="none" stroke="#444444" stroke-width="1"/>`);
    out.push(`</g>`);
    left += w * cell + gap;
  });
  out.push(`<g class="legend" font-size="${legendFont}">`);
  rows.forEach((row, i) => {
    const rowWidth = row.length ? row[row.length - 1].x + entries.find((e) => e.group === row[row.length - 1].group)!.width - 18 : 0;
    const start = margin + (width - 2 * margin - rowWidth) / 2;
    const y = legendTop + i * 22;
    for (const e of row) {
      out.push(
        `<g class="legend-entry"><rect class="swatch" x="${r(start + e.x)}" y="${r(y)}" width="18" height="14" fill="${GROUP_COLOURS[e.group]}"${listsJoints ? ` fill-opacity="${JOINT_CELL_TINT}"` : ''}/><text x="${r(start + e.x + 24)}" y="${r(y + 11.5)}" fill="#111111">${escapeXml(e.group)}</text></g>`,
      );
    }
  });
  if (weighted || listsJoints) {
    const note = listsJoints
      ? "each cell: its strongest joint and that joint's share of the cell's weight (also the bar), then the next joint; colour: the strongest joint's body part"
      : "fill opacity: share of the cell's main joint";
    out.push(
      `<text class="note" x="${r(width / 2)}" y="${r(legendTop + rows.length * 22 + 12)}" font-size="11" text-anchor="middle" fill="#444444">${escapeXml(note)}</text>`,
    );
  }
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join('\n');
}

/** The RdBu diverging scale (blue negative, near-white 0, red positive), 7 stops over [-1, 1]. */
const DIVERGING = ['#2166AC', '#4393C3', '#D1E5F0', '#F7F7F7', '#FDDBC7', '#D6604D', '#B2182B'];

function diverging(t: number): string {
  const pos = ((Math.max(-1, Math.min(1, t)) + 1) / 2) * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = hexRgb(DIVERGING[i]),
    b = hexRgb(DIVERGING[i + 1]);
  return `#${a
    .map((c, k) =>
      Math.round(c + (b[k] - c) * f)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')
    .toUpperCase()}`;
}

/** Formats a colour-bar value with 2 significant digits. */
const fmt = (v: number) => (v === 0 ? '0' : Number(v.toPrecision(2)).toString());

/**
 * Heatmap of an up-sampling matrix `[R, J]` (rows: output nodes, columns: input joints) as a standalone
 * SVG string: diverging colours symmetric around 0 (blue < 0 < red, scaled to max |value|), row labels on
 * the left, column labels slanted on top, and a colour bar on the right. `rowLabels` has R entries,
 * `columnLabels` J; no title by default.
 *
 * @example
 * ```ts
 * import { COCO17, UpsamplingTransform, buildSke2Grid, renderUptSvg, shortJointName } from 'ske2grid';
 * const upt = buildSke2Grid().getLayer('upt_stage0') as UpsamplingTransform;
 * const matrix = upt.effectiveMatrix().arraySync(); // [25][17]
 * const svg = renderUptSvg(matrix, matrix.map((_, r) => `node ${r}`), COCO17.joints.map(shortJointName), { title: 'UPT stage 0' });
 * ```
 */
export function renderUptSvg(matrix: number[][], rowLabels: string[], columnLabels: string[], options: UptSvgOptions = {}): string {
  if (!Array.isArray(matrix) || matrix.length === 0) fail('matrix', 'a non-empty [R, J] array of rows', matrix);
  const cols = Array.isArray(matrix[0]) ? matrix[0].length : 0;
  if (cols === 0) fail('matrix[0]', 'a non-empty row', matrix[0]);
  let vmax = 0;
  matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) fail(`matrix[${i}]`, `${cols} columns like row 0`, Array.isArray(row) ? `${row.length} columns` : row);
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`matrix[${i}][${j}]`, 'a finite number', v);
      vmax = Math.max(vmax, Math.abs(v));
    });
  });
  const rows = matrix.length;
  if (!Array.isArray(rowLabels) || rowLabels.length !== rows)
    fail('rowLabels', `${rows} labels (one per matrix row)`, Array.isArray(rowLabels) ? `${rowLabels.length} labels` : rowLabels);
  if (!Array.isArray(columnLabels) || columnLabels.length !== cols) {
    fail('columnLabels', `${cols} labels (one per matrix column)`, Array.isArray(columnLabels) ? `${columnLabels.length} labels` : columnLabels);
  }
  if (options.title !== undefined && typeof options.title !== 'string') fail('options.title', 'a string', options.title);
  if (vmax === 0) vmax = 1;

  const cell = Math.max(10, Math.min(26, Math.floor(560 / Math.max(rows, cols))));
  const font = Math.min(11, Math.max(8, cell * 0.7));
  const margin = 16;
  const maxLen = (labels: string[]) => Math.max(1, ...labels.map((l) => String(l).length));
  const rowLabelWidth = maxLen(rowLabels) * CHAR_WIDTH * font + 8;
  const slant = 50 * (Math.PI / 180);
  const columnLabelHeight = maxLen(columnLabels) * CHAR_WIDTH * font * Math.sin(slant) + 12;
  const titleHeight = options.title ? 30 : 0;
  const x0 = margin + rowLabelWidth;
  const y0 = margin + titleHeight + columnLabelHeight;
  const barX = x0 + cols * cell + 24;
  const barHeight = Math.max(120, Math.min(rows * cell, 320));
  const columnOverhang = maxLen(columnLabels.slice(-3)) * CHAR_WIDTH * font * Math.cos(slant);
  const titleWidth = options.title ? options.title.length * CHAR_WIDTH * 16 + 2 * margin : 0;
  const width = Math.max(barX + 14 + 8 + 6 * CHAR_WIDTH * 10 + margin, x0 + cols * cell + columnOverhang + margin, titleWidth);
  const height = y0 + Math.max(rows * cell, barHeight) + margin;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}" height="${r(height)}" viewBox="0 0 ${r(width)} ${r(height)}" font-family="${FONT}">`);
  out.push(
    `<defs><linearGradient id="upt-colour-bar" x1="0" y1="1" x2="0" y2="0">${DIVERGING.map((c, i) => `<stop offset="${r(i / (DIVERGING.length - 1))}" stop-color="${c}"/>`).join('')}</linearGradient></defs>`,
  );
  out.push(`<rect width="100%" height="100%" fill="#FFFFFF"/>`);
  if (options.title)
    out.push(
      `<text x="${r(width / 2)}" y="${margin + 16}" font-size="16" font-weight="bold" text-anchor="middle" fill="#111111">${escapeXml(options.title)}</text>`,
    );
  out.push(`<g font-size="${r(font)}" fill="#111111">`);
  rowLabels.forEach((l, i) => {
    out.push(`<text class="row-label" x="${r(x0 - 6)}" y="${r(y0 + (i + 0.5) * cell + font * 0.35)}" text-anchor="end">${escapeXml(String(l))}</text>`);
  });
  columnLabels.forEach((l, j) => {
    const cx = x0 + (j + 0.5) * cell + font * 0.3,
      cy = y0 - 6;
    out.push(`<text class="column-label" x="${r(cx)}" y="${r(cy)}" transform="rotate(-50 ${r(cx)} ${r(cy)})">${escapeXml(String(l))}</text>`);
  });
  out.push(`</g>`);
  matrix.forEach((row, i) => {
    row.forEach((v, j) => {
      out.push(
        `<rect class="upt-cell" x="${r(x0 + j * cell)}" y="${r(y0 + i * cell)}" width="${cell}" height="${cell}" fill="${diverging(v / vmax)}"><title>${escapeXml(`${rowLabels[i]} <- ${columnLabels[j]}: ${v.toPrecision(3)}`)}</title></rect>`,
      );
    });
  });
  out.push(`<rect x="${r(x0)}" y="${r(y0)}" width="${cols * cell}" height="${rows * cell}" fill="none" stroke="#444444" stroke-width="1"/>`);
  // Colour bar with ticks at -max, 0, +max.
  out.push(`<g class="colour-bar" font-size="10" fill="#111111">`);
  out.push(`<rect x="${r(barX)}" y="${r(y0)}" width="14" height="${r(barHeight)}" fill="url(#upt-colour-bar)" stroke="#444444" stroke-width="1"/>`);
  (
    [
      [vmax, 0],
      [0, 0.5],
      [-vmax, 1],
    ] as const
  ).forEach(([value, f]) => {
    const y = y0 + f * barHeight;
    out.push(
      `<line x1="${r(barX + 14)}" y1="${r(y)}" x2="${r(barX + 18)}" y2="${r(y)}" stroke="#444444"/><text x="${r(barX + 21)}" y="${r(y + 3.5)}">${escapeXml(fmt(value))}</text>`,
    );
  });
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join('\n');
}
