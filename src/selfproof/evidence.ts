/**
 * From verified documents to the strategy's self-proof input. Evidence counts only for the applicant it
 * speaks for (an invoice proves its seller's sales); a contradicted document counts against the applicant
 * whoever it names, because the applicant uploaded it.
 */
import type { SelfProofSummary } from '../decision/inputs.ts';
import type { DocumentVerification } from './verify.ts';

export function selfProofSummary(verifications: readonly DocumentVerification[], applicantCode: string): SelfProofSummary {
  const summary: SelfProofSummary = { documents: verifications.length, strong: 0, partial: 0, contradicted: 0, strongEvidenceFen: 0, partialEvidenceFen: 0 };
  for (const verification of verifications) {
    if (verification.strength === 'contradicted') { summary.contradicted++; continue; }
    if (verification.subjectCode !== applicantCode) continue;
    if (verification.strength === 'strong') { summary.strong++; summary.strongEvidenceFen += verification.evidenceFen; }
    if (verification.strength === 'partial') { summary.partial++; summary.partialEvidenceFen += verification.evidenceFen; }
  }
  return summary;
}
