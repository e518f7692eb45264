/**
 * A reading as the service stores it: per page the kind, fields, problems and text read, and per page its
 * verification against the records. From stored readings come an upload's strength and evidence and the
 * strategy's self-proof input for an application — the same rules as `puhui selfproof read` (evidence.ts).
 */
import type { SelfProofSummary } from '../decision/inputs.ts';
import type { DatasetReader } from '../data/index.ts';
import { selfProofSummary } from './evidence.ts';
import type { ExtractedDocument } from './extract.ts';
import type { ReadPage } from './read.ts';
import { verifyDocument, type DocumentVerification, type VerificationStrength } from './verify.ts';

export interface StoredPage extends ExtractedDocument { page: number }

export function storedPagesOf(pages: readonly ReadPage[]): StoredPage[] {
  return pages.map((p) => ({ page: p.page, ...p.extracted }));
}

export async function verifyPages(pages: readonly StoredPage[], reader: DatasetReader): Promise<DocumentVerification[]> {
  const verified: DocumentVerification[] = [];
  for (const page of pages) verified.push(await verifyDocument(page, reader));
  return verified;
}

const STRENGTH_ORDER: readonly VerificationStrength[] = ['none', 'partial', 'strong'];

/**
 * An upload's strength: contradicted when any page is, otherwise its strongest page's; `unverified` when there
 * were no records to verify against. Its evidence is the sum of its pages' evidence (0 when contradicted).
 */
export function uploadStrength(verifications: readonly DocumentVerification[] | null): { strength: VerificationStrength | 'unverified'; evidenceFen: number } {
  if (verifications === null) return { strength: 'unverified', evidenceFen: 0 };
  if (verifications.some((v) => v.strength === 'contradicted')) return { strength: 'contradicted', evidenceFen: 0 };
  let best = 0;
  for (const v of verifications) best = Math.max(best, STRENGTH_ORDER.indexOf(v.strength));
  return { strength: STRENGTH_ORDER[best]!, evidenceFen: verifications.reduce((sum, v) => sum + v.evidenceFen, 0) };
}

/**
 * What a verified document is in the records: its kind, subject and the recorded values of its verified fields.
 * Two photos (or two uploads) of one invoice have the same identity; null for a document nothing verified.
 */
function recordIdentity(verification: DocumentVerification): string | null {
  const verified = verification.fields.filter((f) => f.status === 'verified').map((f) => [f.field, f.recorded]);
  return verified.length === 0 ? null : JSON.stringify([verification.kind, verification.subjectCode, verified]);
}

/**
 * The strategy's self-proof input from the stored readings an application names: every page is a document;
 * a page read without records to verify against counts as a document that evidences nothing; one record
 * proved twice (the same invoice photographed twice, or uploaded by the enterprise and by its bank) counts
 * once, so evidence cannot be multiplied by uploading it again. Contradicted pages all count.
 */
export function summaryOfStoredReadings(readings: readonly { pages: readonly StoredPage[]; verification: readonly DocumentVerification[] | null }[], applicantCode: string): SelfProofSummary {
  const verifications = readings.flatMap((r) => r.verification ?? r.pages.map((p): DocumentVerification => ({
    kind: p.kind, strength: 'none', fields: [], subjectCode: null, evidenceFen: 0, notes: ['not verified: the service had no records'],
  })));
  const seen = new Set<string>();
  const distinct = verifications.filter((v) => {
    const identity = v.strength === 'contradicted' ? null : recordIdentity(v);
    if (identity === null) return true;
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
  return selfProofSummary(distinct, applicantCode);
}
