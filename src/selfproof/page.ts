/**
 * Where a document enters: a file's bytes become RGBA pages, or a clear PuhuiUserError — never a crash or a
 * stall. JPEG and PNG are decoded by sharp (truncated data fails instead of giving a half-grey page); a PDF's
 * pages are rendered by pdf.js on @napi-rs/canvas. Every input is bounded: bytes, pixels, pages.
 */
import sharp from 'sharp';
import { createCanvas } from '@napi-rs/canvas';
import { PuhuiUserError } from '../domain/errors.ts';

export interface PageImage { width: number; height: number; rgba: Uint8Array }

/** One text line read by the OCR: its text, mean confidence and rotated box (centre, length, thickness, angle in radians). */
export interface OcrLine { text: string; confidence: number; cx: number; cy: number; length: number; thickness: number; angle: number }

export const FILE_BYTES_MAX = 20 * 1024 * 1024;
/** 40 megapixels: a 12-MP phone photo fits three times over; a 50-MP image is refused before decoding. */
export const PAGE_PIXELS_MAX = 40_000_000;
export const PDF_PAGES_MAX = 10;
/** Pages are shrunk to this longest side before OCR (a photo's extra pixels only cost time). */
export const PAGE_SIDE_MAX_PX = 2000;
/** A PDF page is rendered at this width in pixels. */
const PDF_RENDER_WIDTH_PX = 1600;

/**
 * Why a file was refused, as a stable code (the CLI exits 2 with the message; the API answers a problem document
 * with this code): empty, too large, not a JPEG/PNG/PDF, damaged or truncated, too many pixels, no page or too many.
 */
export type DocumentFileCode = 'document_empty' | 'document_too_large' | 'document_format' | 'document_damaged' | 'document_pixels' | 'document_pages';

export class DocumentFileError extends PuhuiUserError {
  constructor(message: string, code: DocumentFileCode) {
    super(message, code);
  }
}

export type DocumentFormat = 'jpeg' | 'png' | 'pdf';

/** The format by the file's first bytes (its name may lie). */
export function sniffFormat(bytes: Uint8Array): DocumentFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-') return 'pdf';
  return null;
}

/** What one file may cost: its bytes, a page's pixels (checked from the header, before decoding), a PDF's pages. */
export interface DocumentLimits { fileBytesMax: number; pagePixelsMax: number; pdfPagesMax: number }
export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { fileBytesMax: FILE_BYTES_MAX, pagePixelsMax: PAGE_PIXELS_MAX, pdfPagesMax: PDF_PAGES_MAX };

/** The pages of a document file, each at most PAGE_SIDE_MAX_PX on its longest side. */
export async function decodeDocument(bytes: Uint8Array, name = 'the file', limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): Promise<PageImage[]> {
  if (bytes.length === 0) throw new DocumentFileError(`${name} is empty (0 bytes)`, 'document_empty');
  if (bytes.length > limits.fileBytesMax) throw new DocumentFileError(`${name} is ${bytes.length} bytes; the limit is ${limits.fileBytesMax}`, 'document_too_large');
  const format = sniffFormat(bytes);
  if (format === null) throw new DocumentFileError(`${name} is not a JPEG, PNG or PDF file`, 'document_format');
  if (format === 'pdf') return decodePdf(bytes, name, limits);
  return [await decodeImage(bytes, name, limits.pagePixelsMax)];
}

async function decodeImage(bytes: Uint8Array, name: string, pagePixelsMax: number): Promise<PageImage> {
  let width: number | undefined, height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes).metadata());
  } catch (error) {
    throw new DocumentFileError(`${name} cannot be read as an image: ${(error as Error).message}`, 'document_damaged');
  }
  if (!width || !height) throw new DocumentFileError(`${name} has no image size`, 'document_damaged');
  if (width * height > pagePixelsMax) {
    throw new DocumentFileError(`${name} is ${width}×${height} = ${(width * height / 1e6).toFixed(1)} megapixels; the limit is ${pagePixelsMax / 1e6}`, 'document_pixels');
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: pagePixelsMax })
      .rotate() // EXIF orientation of phone photos
      .resize({ width: PAGE_SIDE_MAX_PX, height: PAGE_SIDE_MAX_PX, fit: 'inside', withoutEnlargement: true })
      .ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw new DocumentFileError(`${name} is damaged or truncated: ${(error as Error).message}`, 'document_damaged');
  }
}

async function decodePdf(bytes: Uint8Array, name: string, limits: DocumentLimits): Promise<PageImage[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let documentProxy;
  try {
    documentProxy = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  } catch (error) {
    throw new DocumentFileError(`${name} is not a readable PDF: ${(error as Error).message}`, 'document_damaged');
  }
  try {
    if (documentProxy.numPages === 0) throw new DocumentFileError(`${name} is a PDF with no page`, 'document_pages');
    if (documentProxy.numPages > limits.pdfPagesMax) throw new DocumentFileError(`${name} has ${documentProxy.numPages} pages; the limit is ${limits.pdfPagesMax}`, 'document_pages');
    const pages: PageImage[] = [];
    for (let number = 1; number <= documentProxy.numPages; number++) {
      const pdfPage = await documentProxy.getPage(number);
      const unit = pdfPage.getViewport({ scale: 1 });
      const viewport = pdfPage.getViewport({ scale: PDF_RENDER_WIDTH_PX / unit.width });
      const width = Math.ceil(viewport.width), height = Math.ceil(viewport.height);
      if (width * height > limits.pagePixelsMax) throw new DocumentFileError(`${name} page ${number} would be ${width}×${height} pixels; the limit is ${limits.pagePixelsMax / 1e6} megapixels`, 'document_pixels');
      const canvas = createCanvas(width, height);
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, width, height);
      // pdf.js is typed for the DOM canvas; @napi-rs/canvas is the Node canvas it supports.
      await pdfPage.render({ canvasContext: context as never, viewport, canvas: canvas as never }).promise;
      const data = context.getImageData(0, 0, width, height).data;
      pages.push({ width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.length) });
    }
    return pages;
  } catch (error) {
    if (error instanceof PuhuiUserError) throw error;
    throw new DocumentFileError(`${name} has a page pdf.js cannot render: ${(error as Error).message}`, 'document_damaged');
  } finally {
    await documentProxy.destroy();
  }
}
