/** Bad files get a clear user error, never a crash or a stall; good files become RGBA pages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PuhuiUserError } from '../../src/domain/errors.ts';
import { decodeDocument, DocumentFileError, PAGE_SIDE_MAX_PX, type DocumentFileCode } from '../../src/selfproof/page.ts';
import { jpegBytes, pdf, pngHeaderOnly } from './files.ts';

async function refused(bytes: Uint8Array, code: DocumentFileCode, pattern: RegExp): Promise<void> {
  await assert.rejects(decodeDocument(bytes, 'upload.bin'), (error: unknown) => {
    assert.ok(error instanceof DocumentFileError && error instanceof PuhuiUserError, `a user error, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

test('an empty file is refused', () => refused(new Uint8Array(0), 'document_empty', /empty \(0 bytes\)/));

test('a file that is not an image or a PDF is refused by its content, whatever its name', () => refused(Buffer.from('name,amount\nA,1\n'), 'document_format', /not a JPEG, PNG or PDF/));

test('a truncated JPEG is refused instead of giving a half-grey page', async () => {
  const whole = jpegBytes(600, 400);
  assert.equal((await decodeDocument(whole))[0]!.width, 600, 'the whole JPEG decodes');
  await refused(whole.subarray(0, Math.floor(whole.length / 2)), 'document_damaged', /damaged or truncated|cannot be read/);
});

test('a 50-megapixel image is refused from its header, before any decoding', () => refused(pngHeaderOnly(10_000, 5_000), 'document_pixels', /50\.0 megapixels; the limit is 40/));

test('a PDF with no page is refused', () => refused(pdf([]), 'document_pages', /PDF with no page/));

test('a damaged PDF is refused', () => refused(Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog'), 'document_damaged', /not a readable PDF/));

test('a PDF page is rendered to pixels, ink where the page draws', async () => {
  const [page, ...rest] = await decodeDocument(pdf([{ content: '0 0 0 rg 50 100 300 50 re f' }]));
  assert.equal(rest.length, 0);
  assert.equal(page!.width, 1600);
  assert.equal(page!.height, 1200);
  const at = (x: number, y: number) => page!.rgba[(y * page!.width + x) * 4]!;
  assert.ok(at(800, 600) < 50, 'the filled rectangle is black (PDF y runs upwards: 100..150 of 300 is the middle)');
  assert.ok(at(100, 100) > 200, 'the rest is white');
});

test('a large photo is shrunk to the OCR size, keeping its proportions', async () => {
  const [page] = await decodeDocument(jpegBytes(4000, 3000));
  assert.equal(page!.width, PAGE_SIDE_MAX_PX);
  assert.equal(page!.height, 1500);
  assert.equal(page!.rgba.length, page!.width * page!.height * 4);
});
