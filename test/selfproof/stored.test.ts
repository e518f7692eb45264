/** The strategy's self-proof input from stored readings: one record proved twice counts once; contradictions all count. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summaryOfStoredReadings, uploadStrength, type StoredPage } from '../../src/selfproof/stored.ts';
import type { DocumentVerification } from '../../src/selfproof/verify.ts';

const SELLER = '91330204MAB1FTU185';
const page: StoredPage = { page: 1, kind: 'invoice', fields: {}, problems: [], rows: [] };

function invoice(number: string, strength: DocumentVerification['strength'], totalFen: number): DocumentVerification {
  const status = strength === 'contradicted' ? 'contradicted' : 'verified';
  return {
    kind: 'invoice', strength, subjectCode: SELLER, evidenceFen: strength === 'strong' ? totalFen : 0, notes: [],
    fields: [
      { field: 'invoiceNumber', status: 'verified', read: number, recorded: number, note: '' },
      { field: 'totalFen', status, read: String(totalFen), recorded: String(totalFen), note: '' },
    ],
  };
}

test('the same invoice named twice (two photos, two uploads) is evidence once', () => {
  const one = { pages: [page], verification: [invoice('25330000000000002840', 'strong', 5_000_000)] };
  const again = { pages: [page], verification: [invoice('25330000000000002840', 'strong', 5_000_000)] };
  const other = { pages: [page], verification: [invoice('25330000000000002841', 'strong', 3_000_000)] };
  assert.deepEqual(summaryOfStoredReadings([one, again, other], SELLER), {
    documents: 2, strong: 2, partial: 0, contradicted: 0, strongEvidenceFen: 8_000_000, partialEvidenceFen: 0,
  });
});

test('every contradicted page counts, and a page read without records evidences nothing', () => {
  const forged = { pages: [page], verification: [invoice('25330000000000002840', 'contradicted', 9_000_000)] };
  const unverified = { pages: [page], verification: null };
  const summary = summaryOfStoredReadings([forged, forged, unverified], SELLER);
  assert.equal(summary.contradicted, 2);
  assert.equal(summary.documents, 3);
  assert.equal(summary.strongEvidenceFen, 0);
});

test("an upload's strength is its strongest page's unless one page is contradicted", () => {
  assert.deepEqual(uploadStrength([invoice('1', 'partial', 1), invoice('2', 'strong', 7)]), { strength: 'strong', evidenceFen: 7 });
  assert.deepEqual(uploadStrength([invoice('1', 'strong', 7), invoice('2', 'contradicted', 9)]), { strength: 'contradicted', evidenceFen: 0 });
  assert.deepEqual(uploadStrength(null), { strength: 'unverified', evidenceFen: 0 });
});
