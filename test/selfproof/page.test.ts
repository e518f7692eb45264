/** Bad files get a clear user error, never a crash or a stall; good files become RGBA pages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import { PuhuiUserError } from '../../src/domain/errors.ts';
import { decodeDocument, DocumentFileError, PAGE_SIDE_MAX_PX } from '../../src/selfproof/page.ts';

async function refused(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  await assert.rejects(decodeDocument(bytes, 'upload.bin'), (error: unknown) => {
    assert.ok(error instanceof DocumentFileError && error instanceof PuhuiUserError, `a user error, got ${String(error)}`);
    assert.equal(error.code, 'document_file');
    assert.match(error.message, pattern);
    return true;
  });
}

function jpegBytes(width: number, height: number): Buffer {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff'; g.fillRect(0, 0, width, height);
  g.fillStyle = '#000000'; g.fillRect(20, 20, width / 2, 10);
  return canvas.encodeSync('jpeg', 90);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4); length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose header claims width × height pixels (its pixel data is a stub: the header alone must refuse it). */
function pngHeaderOnly(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0); header.writeUInt32BE(height, 4);
  header[8] = 8; header[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.alloc(64))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A well-formed PDF with the given page objects (each a MediaBox and a content stream). */
function pdf(pages: { content: string }[]): Buffer {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 3 + 2 * i);
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  pages.forEach((page, i) => {
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents ${pageIds[i]! + 1} 0 R >>`);
    objects.push(`<< /Length ${page.content.length} >>\nstream\n${page.content}\nendstream`);
  });
  let text = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => { offsets.push(text.length); text += `${i + 1} 0 obj\n${body}\nendobj\n`; });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text, 'latin1');
}

test('an empty file is refused', () => refused(new Uint8Array(0), /empty \(0 bytes\)/));

test('a file that is not an image or a PDF is refused by its content, whatever its name', () => refused(Buffer.from('name,amount\nA,1\n'), /not a JPEG, PNG or PDF/));

test('a truncated JPEG is refused instead of giving a half-grey page', async () => {
  const whole = jpegBytes(600, 400);
  assert.equal((await decodeDocument(whole))[0]!.width, 600, 'the whole JPEG decodes');
  await refused(whole.subarray(0, Math.floor(whole.length / 2)), /damaged or truncated|cannot be read/);
});

test('a 50-megapixel image is refused from its header, before any decoding', () => refused(pngHeaderOnly(10_000, 5_000), /50\.0 megapixels; the limit is 40/));

test('a PDF with no page is refused', () => refused(pdf([]), /PDF with no page/));

test('a damaged PDF is refused', () => refused(Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog'), /not a readable PDF|no page/));

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
