/**
 * Draws detected keypoints over the photos they came from, as one standalone SVG: each JPEG is embedded
 * once and each panel shows a region of it with the COCO-17 skeletons of its poses (bones coloured by
 * body part, joints below a score threshold left out), a title and optional caption lines.
 */
import { COCO17, bodyPartOfCocoJoint, type DetectedPose } from '../../src/index.js';
import type { Region } from './moveNet.js';

/** A JPEG photo: its bytes (embedded as they are) and size. */
export interface Photo {
  /** The JPEG file's bytes. */
  jpeg: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** One panel of {@link renderKeypointsSvg}. */
export interface KeypointPanel {
  /** First line of text under the panel. */
  title: string;
  /** Second line of text under the panel; default none. */
  detail?: string;
  /** The photo shown. */
  photo: Photo;
  /** Part of the photo shown, in pixels. */
  region: Region;
  /** Poses drawn on it, in pixels of the photo. */
  poses: readonly DetectedPose[];
}

/** Options of {@link renderKeypointsSvg}. */
export interface KeypointsSvgOptions {
  /** Heading above the panels; default none. */
  title?: string;
  /** Lines of text under the panels; default none. */
  caption?: readonly string[];
  /** Height of every panel in px; default 300. */
  panelHeight?: number;
  /** Widest row of panels in px before wrapping; default 1200. */
  maxWidth?: number;
  /** Keypoints with a lower score are not drawn; default 0.3. */
  minScore?: number;
}

/** Okabe-Ito colours per body part (as ske2grid's grid pictures): left limbs blue, right limbs orange. */
const PART_COLOURS: Record<string, string> = {
  head: '#CC79A7',
  torso: '#009E73',
  left_arm: '#0072B2',
  right_arm: '#D55E00',
  left_leg: '#56B4E9',
  right_leg: '#E69F00',
};

const r = (v: number) => String(Math.round(v * 10) / 10);
const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Renders `panels` (regions of photos with their keypoints) as one SVG, each photo embedded once; see {@link KeypointsSvgOptions}. */
export function renderKeypointsSvg(panels: readonly KeypointPanel[], options: KeypointsSvgOptions = {}): string {
  const panelHeight = options.panelHeight ?? 300;
  const maxWidth = options.maxWidth ?? 1200;
  const minScore = options.minScore ?? 0.3;
  const margin = 16,
    gap = 14,
    lineHeight = 18;
  const titleHeight = panels.some((p) => p.detail) ? 38 : 22;
  const top = margin + (options.title ? 30 : 0);

  // Row-wrap the panels, each scaled to panelHeight.
  const placed: { panel: KeypointPanel; x: number; y: number; w: number }[] = [];
  let x = margin,
    y = top,
    rowWidth = 0;
  for (const panel of panels) {
    const w = (panel.region.width / panel.region.height) * panelHeight;
    if (x > margin && x + w > margin + maxWidth) {
      x = margin;
      y += panelHeight + titleHeight + gap;
    }
    placed.push({ panel, x, y, w });
    x += w + gap;
    rowWidth = Math.max(rowWidth, x - gap - margin);
  }
  const captionTop = y + panelHeight + titleHeight + 8;
  const width = rowWidth + 2 * margin;
  const height = captionTop + (options.caption?.length ?? 0) * lineHeight + margin;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${r(width)}" height="${r(height)}" viewBox="0 0 ${r(width)} ${r(height)}" font-family="Helvetica, Arial, sans-serif">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#FFFFFF"/>`);
  const photos = [...new Set(panels.map((p) => p.photo))];
  out.push('<defs>');
  photos.forEach((p, i) =>
    out.push(`<image id="photo${i}" width="${p.width}" height="${p.height}" xlink:href="data:image/jpeg;base64,${Buffer.from(p.jpeg).toString('base64')}"/>`),
  );
  out.push('</defs>');
  if (options.title) out.push(`<text x="${margin}" y="${margin + 18}" font-size="18" font-weight="bold" fill="#111111">${escapeXml(options.title)}</text>`);
  for (const { panel, x: px, y: py, w } of placed) {
    const { region } = panel;
    const stroke = Math.max(1.5, region.height / 110);
    out.push(`<svg x="${r(px)}" y="${r(py)}" width="${r(w)}" height="${panelHeight}" viewBox="${region.x} ${region.y} ${region.width} ${region.height}">`);
    out.push(`<use xlink:href="#photo${photos.indexOf(panel.photo)}"/>`);
    for (const pose of panel.poses) {
      const k = pose.keypoints;
      const shown = (j: number) => k[j] != null && (k[j]!.score ?? 1) >= minScore;
      for (const [a, b] of COCO17.edges) {
        if (!shown(a) || !shown(b)) continue;
        const pa = bodyPartOfCocoJoint(a),
          pb = bodyPartOfCocoJoint(b);
        out.push(
          `<line x1="${r(k[a]!.x)}" y1="${r(k[a]!.y)}" x2="${r(k[b]!.x)}" y2="${r(k[b]!.y)}" stroke="${PART_COLOURS[pa === 'torso' ? pb : pa]}" stroke-width="${r(stroke)}" stroke-linecap="round"/>`,
        );
      }
      k.forEach((kp, j) => {
        if (!shown(j)) return;
        out.push(`<circle cx="${r(kp!.x)}" cy="${r(kp!.y)}" r="${r(stroke * 1.1)}" fill="#FFFFFF" stroke="#111111" stroke-width="${r(stroke * 0.5)}"/>`);
      });
    }
    out.push(`</svg>`);
    out.push(`<rect x="${r(px)}" y="${r(py)}" width="${r(w)}" height="${panelHeight}" fill="none" stroke="#444444" stroke-width="1"/>`);
    out.push(`<text x="${r(px)}" y="${r(py + panelHeight + 16)}" font-size="13" fill="#222222">${escapeXml(panel.title)}</text>`);
    if (panel.detail) out.push(`<text x="${r(px)}" y="${r(py + panelHeight + 32)}" font-size="12" fill="#555555">${escapeXml(panel.detail)}</text>`);
  }
  (options.caption ?? []).forEach((line, i) => {
    out.push(
      `<text x="${margin}" y="${r(captionTop + (i + 1) * lineHeight - 4)}" font-size="13" fill="#222222" xml:space="preserve">${escapeXml(line)}</text>`,
    );
  });
  out.push(`</svg>`);
  return out.join('\n');
}
