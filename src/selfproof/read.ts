/** Reading one document file: decode its pages, OCR each on the pool, extract and validate the fields. */
import { extractDocument, type ExtractedDocument } from './extract.ts';
import type { OcrPool } from './ocr-pool.ts';
import { decodeDocument, type OcrLine, type PageImage } from './page.ts';

export interface ReadPage { page: number; width: number; height: number; lines: OcrLine[]; extracted: ExtractedDocument }

export async function readDocument(bytes: Uint8Array, pool: OcrPool, name = 'the file'): Promise<ReadPage[]> {
  return readPages(await decodeDocument(bytes, name), pool);
}

/** Pages already decoded (a caller may decode first, so a bad file is refused before any OCR worker starts). */
export async function readPages(pages: readonly PageImage[], pool: OcrPool): Promise<ReadPage[]> {
  const read: ReadPage[] = [];
  for (const [index, page] of pages.entries()) {
    const lines = await pool.read(page);
    read.push({ page: index + 1, width: page.width, height: page.height, lines, extracted: extractDocument(lines) });
  }
  return read;
}
