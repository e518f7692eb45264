/**
 * What a phone does to a document: the degradations of the evaluation set. Each takes a clean rendered page
 * and returns the photo an owner might upload — rotated on a desk, seen at an angle (perspective), out of
 * focus, over-compressed, unevenly lit, stamped with a red seal over printed text, or folded (a crease).
 * Randomness comes from a seeded Rng, so the set is the same on every machine.
 */
import { createCanvas, loadImage, type Canvas } from '@napi-rs/canvas';
import type { Rng } from '../synth/random.ts';
import { FONT_FAMILY } from './render.ts';

export const DEGRADATIONS = ['none', 'rotation', 'perspective', 'blur', 'jpeg', 'light', 'stamp', 'crease'] as const;
export type Degradation = (typeof DEGRADATIONS)[number];

const DESK_COLOUR = '#8c8a84';
const PHOTO_QUALITY = 0.9;

/** The degraded page as JPEG bytes (what a phone uploads). */
export async function degrade(page: Canvas, degradation: Degradation, rng: Rng, stampAt: { x: number; y: number }): Promise<Buffer> {
  let out = page;
  let quality = PHOTO_QUALITY;
  if (degradation === 'rotation') out = rotate(page, (rng.chance(0.5) ? 1 : -1) * rng.between(3, 8));
  else if (degradation === 'perspective') out = perspective(page, rng);
  else if (degradation === 'blur') out = blur(page, rng.between(1.2, 1.8));
  else if (degradation === 'jpeg') quality = rng.between(0.2, 0.3);
  else if (degradation === 'light') out = unevenLight(page, rng);
  else if (degradation === 'stamp') out = stamp(page, stampAt, rng);
  else if (degradation === 'crease') out = crease(page, rng);
  return out.encode('jpeg', Math.round(quality * 100));
}

function copy(page: Canvas): Canvas {
  const canvas = createCanvas(page.width, page.height);
  canvas.getContext('2d').drawImage(page, 0, 0);
  return canvas;
}

function rotate(page: Canvas, degrees: number): Canvas {
  const radians = (degrees * Math.PI) / 180;
  const margin = Math.round(0.06 * Math.max(page.width, page.height));
  const width = Math.ceil(Math.abs(page.width * Math.cos(radians)) + Math.abs(page.height * Math.sin(radians))) + 2 * margin;
  const height = Math.ceil(Math.abs(page.width * Math.sin(radians)) + Math.abs(page.height * Math.cos(radians))) + 2 * margin;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = DESK_COLOUR;
  g.fillRect(0, 0, width, height);
  g.translate(width / 2, height / 2);
  g.rotate(radians);
  g.drawImage(page, -page.width / 2, -page.height / 2);
  return canvas;
}

/** A projective warp: the page's corners move inwards by up to 9% of its size, as seen by a tilted camera. */
function perspective(page: Canvas, rng: Rng): Canvas {
  const w = page.width, h = page.height;
  const jitter = (size: number) => rng.between(0, 0.09) * size;
  const quad: [number, number][] = [[jitter(w), jitter(h)], [w - jitter(w), jitter(h)], [w - jitter(w), h - jitter(h)], [jitter(w), h - jitter(h)]];
  // Homography from the output quad back to the page rectangle (inverse mapping, bilinear sampling).
  const inverse = homography(quad, [[0, 0], [w, 0], [w, h], [0, h]]);
  const source = page.getContext('2d').getImageData(0, 0, w, h).data;
  const canvas = createCanvas(w, h);
  const g = canvas.getContext('2d');
  const image = g.createImageData(w, h);
  const out = image.data;
  const desk = [0x8c, 0x8a, 0x84];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = inverse[6]! * x + inverse[7]! * y + 1;
      const sx = (inverse[0]! * x + inverse[1]! * y + inverse[2]!) / d;
      const sy = (inverse[3]! * x + inverse[4]! * y + inverse[5]!) / d;
      const o = (y * w + x) * 4;
      out[o + 3] = 255;
      if (sx < 0 || sy < 0 || sx >= w - 1 || sy >= h - 1) { out[o] = desk[0]!; out[o + 1] = desk[1]!; out[o + 2] = desk[2]!; continue; }
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      const i = (y0 * w + x0) * 4;
      for (let c = 0; c < 3; c++) {
        out[o + c] = (source[i + c]! * (1 - fx) + source[i + 4 + c]! * fx) * (1 - fy) + (source[i + w * 4 + c]! * (1 - fx) + source[i + w * 4 + 4 + c]! * fx) * fy;
      }
    }
  }
  g.putImageData(image, 0, 0);
  return canvas;
}

/** The 8 coefficients of the projective map taking the 4 `from` points to the 4 `to` points. */
function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!, [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.push(u);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]); b.push(v);
  }
  // Gaussian elimination with partial pivoting on the 8×8 system.
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let row = col + 1; row < 8; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    for (let row = 0; row < 8; row++) {
      if (row === col) continue;
      const factor = a[row]![col]! / a[col]![col]!;
      for (let k = col; k < 8; k++) a[row]![k]! -= factor * a[col]![k]!;
      b[row]! -= factor * b[col]!;
    }
  }
  return b.map((value, i) => value / a[i]![i]!);
}

function blur(page: Canvas, radiusPx: number): Canvas {
  const canvas = createCanvas(page.width, page.height);
  const g = canvas.getContext('2d');
  g.filter = `blur(${radiusPx.toFixed(2)}px)`;
  g.drawImage(page, 0, 0);
  return canvas;
}

/** A shadow across one side of the page and a soft glare on the other. */
function unevenLight(page: Canvas, rng: Rng): Canvas {
  const canvas = copy(page);
  const g = canvas.getContext('2d');
  const fromLeft = rng.chance(0.5);
  const shadow = g.createLinearGradient(fromLeft ? 0 : page.width, 0, fromLeft ? page.width : 0, page.height * rng.between(0.2, 0.8));
  const darkness = Math.round(rng.between(90, 130));
  shadow.addColorStop(0, `rgb(${darkness},${darkness},${darkness + 5})`);
  shadow.addColorStop(0.7, 'rgb(235,235,235)');
  shadow.addColorStop(1, 'rgb(255,255,255)');
  g.globalCompositeOperation = 'multiply';
  g.fillStyle = shadow;
  g.fillRect(0, 0, page.width, page.height);
  g.globalCompositeOperation = 'screen';
  const glareX = fromLeft ? page.width * 0.8 : page.width * 0.2;
  const glare = g.createRadialGradient(glareX, page.height * 0.3, 0, glareX, page.height * 0.3, page.width * 0.3);
  glare.addColorStop(0, 'rgba(255,255,240,0.45)');
  glare.addColorStop(1, 'rgba(255,255,240,0)');
  g.fillStyle = glare;
  g.fillRect(0, 0, page.width, page.height);
  return canvas;
}

/** A red company seal (公章), slightly transparent, over printed text. */
function stamp(page: Canvas, at: { x: number; y: number }, rng: Rng): Canvas {
  const canvas = copy(page);
  const g = canvas.getContext('2d');
  const radius = rng.between(70, 85);
  const x = at.x + rng.between(-20, 20), y = at.y + rng.between(-10, 10);
  g.globalAlpha = rng.between(0.7, 0.85);
  g.strokeStyle = '#d8141e';
  g.fillStyle = '#d8141e';
  g.lineWidth = 5;
  g.beginPath(); g.arc(x, y, radius, 0, 2 * Math.PI); g.stroke();
  g.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? radius * 0.28 : radius * 0.11;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    g.lineTo(x + r * Math.cos(angle), y + r * Math.sin(angle));
  }
  g.closePath(); g.fill();
  g.font = `${Math.round(radius * 0.26)}px "${FONT_FAMILY}"`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  const ring = '发票专用章合同专用章';
  for (let i = 0; i < ring.length; i++) {
    const angle = Math.PI * (-0.85 + (1.7 * i) / (ring.length - 1)) - Math.PI / 2;
    g.save();
    g.translate(x + radius * 0.75 * Math.cos(angle), y + radius * 0.75 * Math.sin(angle));
    g.rotate(angle + Math.PI / 2);
    g.fillText(ring[i]!, 0, 0);
    g.restore();
  }
  return canvas;
}

/** A fold: a darker line with a lighter edge across the page, and the paper on one side shifted by a pixel or two. */
function crease(page: Canvas, rng: Rng): Canvas {
  const canvas = createCanvas(page.width, page.height);
  const g = canvas.getContext('2d');
  const vertical = rng.chance(0.5);
  const position = rng.between(0.3, 0.7) * (vertical ? page.width : page.height);
  const shift = rng.between(1, 2.5);
  g.drawImage(page, 0, 0);
  g.save();
  g.beginPath();
  if (vertical) g.rect(position, 0, page.width - position, page.height); else g.rect(0, position, page.width, page.height - position);
  g.clip();
  g.drawImage(page, vertical ? shift : 0, vertical ? 0 : shift);
  g.restore();
  const slope = rng.between(-0.03, 0.03);
  const line = (offset: number, colour: string, width: number) => {
    g.strokeStyle = colour; g.lineWidth = width; g.beginPath();
    if (vertical) { g.moveTo(position + offset, 0); g.lineTo(position + offset + slope * page.height, page.height); }
    else { g.moveTo(0, position + offset); g.lineTo(page.width, position + offset + slope * page.width); }
    g.stroke();
  };
  line(0, 'rgba(60,60,60,0.55)', 3);
  line(3, 'rgba(255,255,255,0.6)', 3);
  line(-6, 'rgba(0,0,0,0.08)', 12);
  return canvas;
}

/** Reads a JPEG or PNG back into a canvas (for tests that degrade a photo again). */
export async function canvasOf(bytes: Buffer): Promise<Canvas> {
  const image = await loadImage(bytes);
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return canvas;
}
