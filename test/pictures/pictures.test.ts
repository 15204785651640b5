import { describe, expect, it } from 'vitest';
import { COCO17 } from '../../src/layouts/coco17.js';
import {
  BODY_PART_GROUPS,
  bodyPartOfCocoJoint,
  gridStageFromMatrix,
  renderGridSvg,
  renderUptSvg,
  shortJointName,
  type GridPictureStage,
} from '../../src/pictures/gridSvg.js';
import { renderTrainingCurvesSvg, type TrainingCurvePoint } from '../../src/pictures/trainingCurvesSvg.js';

/**
 * A small well-formedness check without a DOM: every tag is `<name attr="..." ...>`, `</name>` or
 * `<name .../>`, tags nest and balance, there is one root `svg` with the SVG namespace, and text and
 * attribute values contain no raw `<` and no `&` outside an entity.
 */
function checkWellFormed(svg: string): void {
  const stack: string[] = [];
  let roots = 0;
  const entity = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const parts = svg.split(/(<[^>]*>)/);
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      if (part.includes('<') || part.includes('>') || entity.test(part)) throw new Error(`bad text ${JSON.stringify(part)}`);
      if (stack.length === 0 && part.trim() !== '') throw new Error(`text outside the root: ${JSON.stringify(part)}`);
      return;
    }
    const close = /^<\/([A-Za-z][\w:.-]*)\s*>$/.exec(part);
    if (close) {
      const open = stack.pop();
      if (open !== close[1]) throw new Error(`</${close[1]}> closes <${open}>`);
      return;
    }
    const tag = /^<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z][\w:.-]*="[^"<]*")*)\s*(\/?)>$/.exec(part);
    if (!tag) throw new Error(`malformed tag ${part}`);
    if (entity.test(tag[2])) throw new Error(`unescaped & in ${part}`);
    const names = [...tag[2].matchAll(/([A-Za-z][\w:.-]*)=/g)].map((m) => m[1]);
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in ${part}`);
    if (stack.length === 0) {
      roots++;
      if (tag[1] !== 'svg' || !tag[2].includes('xmlns="http://www.w3.org/2000/svg"')) throw new Error(`root is not an svg with xmlns: ${part}`);
    }
    if (!tag[3]) stack.push(tag[1]);
  });
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

const count = (svg: string, needle: string) => svg.split(needle).length - 1;
/** Texts of all `<text>` elements (tspans joined by a space), entities decoded. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/gs)].map((m) =>
    m[1]
      .replace(/<\/tspan><tspan[^>]*>/g, ' ')
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );

/** CIELAB (D65) of `hex` drawn with `opacity` over white. */
function lab(hex: string, opacity: number): [number, number, number] {
  const lin = [1, 3, 5]
    .map((i) => (parseInt(hex.slice(i, i + 2), 16) / 255) * opacity + 1 - opacity)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const [x, y, z] = [
    (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047,
    0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2],
    (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883,
  ].map((t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116));
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIE76 colour difference. */
const deltaE = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** A 17-column mixing matrix with cell r taking joint `r % 17`, or a blend where `mixed(r)`. */
function mixingFor(cells: number, mixed: (r: number) => boolean = () => false): number[][] {
  return Array.from({ length: cells }, (_, r) =>
    Array.from({ length: 17 }, (_, j) => (mixed(r) ? (j === r % 17 ? 0.4 : j === (r + 1) % 17 ? 0.35 : j === (r + 2) % 17 ? -0.25 : 0) : j === r % 17 ? 1 : 0)),
  );
}

describe('the well-formedness check itself', () => {
  it('rejects broken documents', () => {
    expect(() => checkWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow(/closes/);
    expect(() => checkWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><text>a < b</text></svg>')).toThrow();
    expect(() => checkWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><text>a & b</text></svg>')).toThrow(/bad text/);
    expect(() => checkWellFormed('<svg><rect/></svg>')).toThrow(/xmlns/);
    expect(() => checkWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><rect x="1" x="2"/></svg>')).toThrow(/duplicate/);
    expect(() => checkWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><text>a &amp; b</text><rect/></svg>')).not.toThrow();
  });
});

describe('body parts and names', () => {
  it('groups the COCO-17 joints', () => {
    expect(COCO17.joints.map((_, i) => bodyPartOfCocoJoint(i))).toEqual([
      'head',
      'head',
      'head',
      'head',
      'head',
      'torso',
      'torso',
      'left_arm',
      'right_arm',
      'left_arm',
      'right_arm',
      'torso',
      'torso',
      'left_leg',
      'right_leg',
      'left_leg',
      'right_leg',
    ]);
    expect(() => bodyPartOfCocoJoint(17)).toThrow(/index: expected a COCO-17 joint index in \[0, 16\], got 17/);
    expect(() => bodyPartOfCocoJoint(1.5)).toThrow(/index/);
  });
  it('shortens joint names', () => {
    expect(['left_wrist', 'right_shoulder', 'wrist_left', 'hand_tip_right', 'nose', 'spine_mid'].map(shortJointName)).toEqual([
      'l_wrist',
      'r_shoulder',
      'l_wrist',
      'r_hand_tip',
      'nose',
      'spine_mid',
    ]);
  });
});

describe('gridStageFromMatrix', () => {
  it("lists each cell's strongest joints with their shares; label, group and weight are the strongest joint's", () => {
    const m = mixingFor(25, (r) => r === 3);
    m[4] = new Array(17).fill(0);
    m[5] = m[5].map((_, j) => (j === 9 ? -0.6 : j === 0 ? 0.4 : 0));
    const s = gridStageFromMatrix(m, [5, 5], COCO17.joints, bodyPartOfCocoJoint);
    expect(s.gridShape).toEqual([5, 5]);
    expect(s.cellLabels.slice(0, 3)).toEqual(['nose', 'l_eye', 'r_eye']);
    expect(s.cellGroups.slice(0, 3)).toEqual(['head', 'head', 'head']);
    expect(s.cellLabels.some((l) => l.startsWith('mix:'))).toBe(false);
    // Cell 3: l_ear 0.4, r_ear 0.35, l_shoulder -0.25 of an absolute mass of 1.
    expect([s.cellLabels[3], s.cellGroups[3], s.cellWeights![3]]).toEqual(['l_ear', 'head', 0.4]);
    expect(s.cellJoints![3]).toEqual([
      { name: 'l_ear', share: 0.4, group: 'head' },
      { name: 'r_ear', share: 0.35, group: 'head' },
    ]);
    expect(gridStageFromMatrix(m, [5, 5], COCO17.joints, bodyPartOfCocoJoint, { topJoints: 3 }).cellJoints![3]![2]).toEqual({
      name: 'l_shoulder',
      share: 0.25,
      group: 'torso',
    });
    // An all-zero row learned nothing.
    expect([s.cellLabels[4], s.cellGroups[4], s.cellWeights![4], s.cellJoints![4]]).toEqual(['none', 'mixed', 0, []]);
    const grouped = gridStageFromMatrix(m, [5, 5], COCO17.joints, bodyPartOfCocoJoint, { mixedGroup: true });
    expect([grouped.cellGroups[3], grouped.cellGroups[4], grouped.cellGroups[5]]).toEqual(['mixed', 'mixed', 'left_arm']);
    expect([s.cellLabels[5], s.cellGroups[5]]).toEqual(['l_wrist', 'left_arm']);
    expect(s.cellWeights![5]).toBeCloseTo(0.6, 6);
    expect(s.cellJoints![5]!.map((j) => [j.name, j.group])).toEqual([
      ['l_wrist', 'left_arm'],
      ['nose', 'head'],
    ]);
    expect([s.cellLabels[24], s.cellGroups[24], s.cellWeights![24], s.cellJoints![24]]).toEqual([
      'l_elbow',
      'left_arm',
      1,
      [{ name: 'l_elbow', share: 1, group: 'left_arm' }],
    ]); // 24 % 17 = 7
    expect(() => gridStageFromMatrix(m, [5, 5], COCO17.joints, bodyPartOfCocoJoint, { topJoints: 0 })).toThrow(
      /options.topJoints: expected an integer >= 1, got 0/,
    );
  });
  it('names inconsistent input', () => {
    const groups = bodyPartOfCocoJoint;
    expect(() => gridStageFromMatrix(mixingFor(24), [5, 5], COCO17.joints, groups)).toThrow(
      /mixing: expected 25 rows \(H\*W of gridShape 5x5\), got "24 rows"/,
    );
    const ragged = mixingFor(25);
    ragged[7] = [1, 2];
    expect(() => gridStageFromMatrix(ragged, [5, 5], COCO17.joints, groups)).toThrow(
      /mixing\[7\]: expected 17 columns \(one per joint name\), got "2 columns"/,
    );
    const nan = mixingFor(25);
    nan[2][3] = NaN;
    expect(() => gridStageFromMatrix(nan, [5, 5], COCO17.joints, groups)).toThrow(/mixing\[2\]\[3\]: expected a finite number, got NaN/);
    expect(() => gridStageFromMatrix(mixingFor(25), [5, 0] as [number, number], COCO17.joints, groups)).toThrow(/gridShape: expected \[H, W\]/);
    expect(() => gridStageFromMatrix(mixingFor(25), [5, 5], COCO17.joints, () => 'arm')).toThrow(/groupOf\(0\): expected one of head, torso/);
  });
});

describe('renderGridSvg', () => {
  const five = gridStageFromMatrix(
    mixingFor(25, (r) => r >= 20),
    [5, 5],
    COCO17.joints,
    bodyPartOfCocoJoint,
  );
  const six = gridStageFromMatrix(
    mixingFor(36, (r) => r === 30),
    [6, 6],
    COCO17.joints,
    bodyPartOfCocoJoint,
    { mixedGroup: true },
  );

  it('draws one panel per stage with every cell labelled, and a legend of the groups used', () => {
    const svg = renderGridSvg([five, six], { title: 'Grid <stages> & more' });
    checkWellFormed(svg);
    expect(count(svg, 'class="panel"')).toBe(2);
    expect(count(svg, '<rect class="cell"')).toBe(25 + 36);
    expect(count(svg, 'class="cell-label"')).toBe(25 + 36);
    const t = texts(svg);
    expect(t).toContain('5x5');
    expect(t).toContain('6x6');
    expect(t).toContain('Grid <stages> & more');
    expect(svg).toContain('Grid &lt;stages&gt; &amp; more');
    // Each cell says what it learned: strongest joint, its share, the next joint with its share; no "mix:" prefix.
    expect(t).toContain('l_wrist 100 %');
    expect(t).toContain('l_shoulder 40 % r_shoulder 35 %'); // cell 22 of the 5x5: joints 5, 6, 7 blended (22 % 17 = 5)
    expect(t.some((x) => x.includes('mix:'))).toBe(false);
    expect(count(svg, 'class="share-bar"')).toBe(25 + 36);
    expect(count(svg, 'class="joint-dot"')).toBe(5 + 1); // the blended cells list a second joint
    expect(count(svg, 'class="legend-entry"')).toBe(BODY_PART_GROUPS.length); // all 7 groups occur
    for (const g of BODY_PART_GROUPS) expect(t).toContain(g);
    expect(svg).toContain('each cell: its strongest joint and that joint');
    // Every line of every cell fits its 88 px cell (default size when cells list joints); l_shoulder on one line.
    for (const m of svg.matchAll(/<tspan x="[\d.]+" y="[\d.]+" font-size="([\d.]+)"[^>]*>([^<]*)<\/tspan>/g)) {
      expect(m[2].length * 0.56 * Number(m[1])).toBeLessThanOrEqual(88 - 10 + 1e-6);
    }
    expect(t).toContain('l_shoulder 100 %');
  });

  it('keeps the body parts apart as cell tints (left arm and left leg included)', () => {
    const svg = renderGridSvg([five, six]);
    const swatches = [...svg.matchAll(/<rect class="swatch"[^>]*fill="(#[0-9A-F]{6})" fill-opacity="([\d.]+)"\/><text[^>]*>([a-z_]+)</g)].map((m) => ({
      colour: m[1],
      opacity: Number(m[2]),
      group: m[3],
    }));
    expect(swatches.map((s) => s.group).sort()).toEqual([...BODY_PART_GROUPS].sort());
    const parts = swatches.filter((s) => s.group !== 'mixed');
    let closest = Infinity;
    for (const a of parts) for (const b of parts) if (a !== b) closest = Math.min(closest, deltaE(lab(a.colour, a.opacity), lab(b.colour, b.opacity)));
    expect(closest).toBeGreaterThanOrEqual(15);
    const byGroup = new Map(parts.map((s) => [s.group, lab(s.colour, s.opacity)]));
    expect(deltaE(byGroup.get('left_arm')!, byGroup.get('left_leg')!)).toBeGreaterThanOrEqual(25);
  });

  it('shows only the groups used, opaque cells without weights, and fits long labels in the cell', () => {
    const stage: GridPictureStage = {
      gridShape: [2, 3],
      cellLabels: ['nose', 'l_shoulder', 'mix:r_shoulder', 'a_very_long_label_that_cannot_fit_at_all', 'x', 'y'],
      cellGroups: ['head', 'torso', 'mixed', 'mixed', 'head', 'torso'],
    };
    const svg = renderGridSvg([stage], { cellSize: 40 });
    checkWellFormed(svg);
    expect(count(svg, '<rect class="cell"')).toBe(6);
    expect(count(svg, 'class="legend-entry"')).toBe(3);
    expect(count(svg, 'fill-opacity="1"')).toBe(6);
    expect(svg).not.toContain('fill opacity: share');
    for (const m of svg.matchAll(/<text class="cell-label" font-size="([\d.]+)"[^>]*>(.*?)<\/text>/g)) {
      const font = Number(m[1]);
      expect(font).toBeGreaterThanOrEqual(7);
      for (const line of [...m[2].matchAll(/<tspan[^>]*>(.*?)<\/tspan>/g)].map((x) => x[1])) {
        expect(line.length * 0.56 * font).toBeLessThanOrEqual(40 - 8 + 1e-6);
      }
    }
    expect(texts(svg).some((x) => x.includes('\u2026'))).toBe(true);
  });

  it('sets the fill opacity from cellWeights', () => {
    const stage: GridPictureStage = { gridShape: [1, 2], cellLabels: ['a', 'b'], cellGroups: ['head', 'mixed'], cellWeights: [1, 0] };
    const svg = renderGridSvg([stage]);
    expect(svg).toMatch(/class="cell"[^>]*fill-opacity="1"/);
    expect(svg).toMatch(/class="cell"[^>]*fill-opacity="0.2"/);
  });

  it('names inconsistent input', () => {
    const base = (): GridPictureStage => ({ gridShape: [2, 2], cellLabels: ['a', 'b', 'c', 'd'], cellGroups: ['head', 'head', 'torso', 'torso'] });
    expect(() => renderGridSvg([])).toThrow(/stages: expected a non-empty array of GridPictureStage/);
    expect(() => renderGridSvg([base(), { ...base(), cellLabels: ['a', 'b', 'c'] }])).toThrow(
      /stages\[1\].cellLabels: expected 4 entries \(H\*W = 2x2\), got "3 entries"/,
    );
    expect(() => renderGridSvg([{ ...base(), cellGroups: ['head', 'head', 'torso'] }])).toThrow(/stages\[0\].cellGroups: expected 4 entries/);
    expect(() => renderGridSvg([{ ...base(), cellGroups: ['head', 'head', 'torso', 'tail'] }])).toThrow(
      /stages\[0\].cellGroups\[3\]: expected one of head, torso, left_arm, right_arm, left_leg, right_leg, mixed, got "tail"/,
    );
    expect(() => renderGridSvg([{ ...base(), cellWeights: [0, 1, 2, 0] }])).toThrow(/stages\[0\].cellWeights\[2\]: expected a number in \[0, 1\], got 2/);
    expect(() => renderGridSvg([{ ...base(), cellWeights: [0, 1] }])).toThrow(/stages\[0\].cellWeights: expected 4 entries/);
    expect(() => renderGridSvg([{ ...base(), gridShape: [2, 2.5] as [number, number] }])).toThrow(/stages\[0\].gridShape: expected \[H, W\]/);
    expect(() => renderGridSvg([base()], { cellSize: 5 })).toThrow(/options.cellSize: expected a number >= 24, got 5/);
  });
});

describe('renderUptSvg', () => {
  const matrix = [
    [1, 0, 0],
    [0, -0.5, 0.25],
    [0.1, 0.2, 0.7],
    [0, 0, 0],
  ];
  it('draws one cell per entry with diverging colours, both axes labelled and a colour bar', () => {
    const svg = renderUptSvg(matrix, ['n0', 'n1', 'n2', 'n<3>'], ['nose', 'l_eye', 'r_eye'], { title: 'UPT & prior' });
    checkWellFormed(svg);
    expect(count(svg, '<rect class="upt-cell"')).toBe(12);
    expect(count(svg, 'class="row-label"')).toBe(4);
    expect(count(svg, 'class="column-label"')).toBe(3);
    const t = texts(svg);
    expect(t).toEqual(expect.arrayContaining(['UPT & prior', 'n<3>', 'l_eye', '1', '0', '-1']));
    expect(svg).toContain('class="colour-bar"');
    const fill = (i: number) => /fill="(#[0-9A-F]{6})"/.exec([...svg.matchAll(/<rect class="upt-cell"[^>]*>/g)][i][0])![1];
    expect(fill(0)).toBe('#B2182B'); // +max: red
    expect(fill(1)).toBe('#F7F7F7'); // 0: neutral
    const [r, , b] = [1, 3, 5].map((k) => parseInt(fill(4).slice(k, k + 2), 16)); // -0.5: blueish
    expect(b).toBeGreaterThan(r);
  });
  it('handles an all-zero matrix (colour bar -1..1)', () => {
    const svg = renderUptSvg([[0, 0]], ['a'], ['x', 'y']);
    checkWellFormed(svg);
    expect(texts(svg)).toEqual(expect.arrayContaining(['1', '-1']));
  });
  it('names inconsistent input', () => {
    expect(() => renderUptSvg([], [], [])).toThrow(/matrix: expected a non-empty \[R, J\] array of rows/);
    expect(() => renderUptSvg([[1, 2], [3]], ['a', 'b'], ['x', 'y'])).toThrow(/matrix\[1\]: expected 2 columns like row 0, got "1 columns"/);
    expect(() => renderUptSvg([[1, Infinity]], ['a'], ['x', 'y'])).toThrow(/matrix\[0\]\[1\]: expected a finite number, got Infinity/);
    expect(() => renderUptSvg(matrix, ['a'], ['x', 'y', 'z'])).toThrow(/rowLabels: expected 4 labels \(one per matrix row\), got "1 labels"/);
    expect(() => renderUptSvg(matrix, ['a', 'b', 'c', 'd'], ['x'])).toThrow(/columnLabels: expected 3 labels \(one per matrix column\), got "1 labels"/);
  });
});

describe('renderTrainingCurvesSvg', () => {
  const history: TrainingCurvePoint[] = Array.from({ length: 12 }, (_, i) => ({
    epoch: i + 1,
    loss: 2 / (i + 1),
    accuracy: 0.1 + 0.07 * i,
    valLoss: 2.2 / (i + 1),
    valAccuracy: 0.1 + 0.06 * i,
    stage: i < 5 ? '5x5' : '6x6',
  }));

  it('draws a loss and an accuracy panel with legends and a separator where the stage changes', () => {
    const svg = renderTrainingCurvesSvg(history, { title: 'PLS <5x5 & 6x6>' });
    checkWellFormed(svg);
    expect(count(svg, 'class="panel"')).toBe(2);
    expect(count(svg, 'class="series"')).toBe(4);
    expect(count(svg, 'class="legend-entry"')).toBe(4);
    expect(count(svg, 'class="stage-separator"')).toBe(2); // one per panel
    expect(count(svg, 'class="stage-label"')).toBe(4); // 5x5 and 6x6 in each panel
    const t = texts(svg);
    expect(t).toEqual(
      expect.arrayContaining([
        'loss',
        'accuracy',
        'train loss',
        'validation loss',
        'train accuracy',
        'validation accuracy',
        '5x5',
        '6x6',
        'PLS <5x5 & 6x6>',
        'epoch',
      ]),
    );
    expect(t.some((x) => /^val /.test(x))).toBe(false);
    expect(svg).toContain('PLS &lt;5x5 &amp; 6x6&gt;');
    // The separator sits halfway between epochs 5 and 6, in the same place in both panels' x scale.
    const xs = [...svg.matchAll(/class="stage-separator" x1="([\d.]+)"/g)].map((m) => Number(m[1]));
    const ticks = [...svg.matchAll(/<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="middle">(\d+)<\/text>/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const perPanel = ticks.length / 2;
    [0, 1].forEach((p) => {
      const [[x0, e0], [x1, e1]] = [ticks[p * perPanel], ticks[p * perPanel + 1]];
      expect(xs[p]).toBeCloseTo(x0 + ((5.5 - e0) * (x1 - x0)) / (e1 - e0), 0);
    });
  });

  it('names the held-out set as told (the test split in the demo)', () => {
    const t = texts(renderTrainingCurvesSvg(history, { heldOutName: 'test' }));
    expect(t).toEqual(expect.arrayContaining(['train loss', 'test loss', 'train accuracy', 'test accuracy']));
    expect(t.some((x) => /validation|^val /.test(x))).toBe(false);
    expect(() => renderTrainingCurvesSvg(history, { heldOutName: ' ' })).toThrow(/options.heldOutName: expected a non-empty string, got " "/);
  });

  it('works with the loss only, one epoch, no stages', () => {
    const svg = renderTrainingCurvesSvg([{ epoch: 0, loss: 1.5 }]);
    checkWellFormed(svg);
    expect(count(svg, 'class="series"')).toBe(1);
    expect(count(svg, 'class="legend-entry"')).toBe(1);
    expect(count(svg, 'class="stage-separator"')).toBe(0);
    expect(texts(svg)).toContain('no accuracy recorded');
  });

  it('names bad input', () => {
    expect(() => renderTrainingCurvesSvg([])).toThrow(/history: expected a non-empty array/);
    expect(() =>
      renderTrainingCurvesSvg([
        { epoch: 1, loss: 1 },
        { epoch: 1, loss: 1 },
      ]),
    ).toThrow(/history\[1\].epoch: expected a number > the previous epoch 1, got 1/);
    expect(() => renderTrainingCurvesSvg([{ epoch: 1, loss: NaN }])).toThrow(/history\[0\].loss: expected a finite number, got NaN/);
    expect(() => renderTrainingCurvesSvg([{ epoch: 1, loss: 1, valAccuracy: Infinity }])).toThrow(
      /history\[0\].valAccuracy: expected a finite number or undefined, got Infinity/,
    );
    expect(() => renderTrainingCurvesSvg([{ epoch: 1, loss: 1 }], { width: 100 })).toThrow(/options.width: expected a number >= 400, got 100/);
  });
});
