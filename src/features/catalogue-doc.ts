/** Renders docs/feature-catalogue.md from the catalogue, so the documented features are the computed ones. */
import { FEATURES } from './catalogue.ts';
import { WINDOW_MONTHS } from './context.ts';

export function renderFeatureCatalogue(): string {
  const out = [
    '# Feature catalogue',
    '',
    '<!-- Generated from src/features/catalogue.ts by `node --import tsx scripts/gen-docs.ts`; a test fails when it is stale. -->',
    '',
    `${FEATURES.length} point-in-time indicators, computed by \`computeFeatures(dossier, asOfDate)\` online and by`,
    '`puhui features DIR --as-of DATE --out FILE` in batch (the same code). Money is in fen; ratios are plain',
    'fractions; flags are 0/1; `null` means not computable, as each row says.',
    '',
    '**As of a date.** A fact is seen only if it is dated on or before the as-of date: a return by its filing date, a',
    'grade by its publication, a bureau report by its date, a court case by its filing date (and its closure only',
    'if that is dated on or before too). Invoice and bank windows are the complete calendar months before the as-of',
    'month. VAT windows end at the last month covered by a return filed by the as-of date ("the latest 12 declared',
    `months"), so quarterly filers are compared fairly; history is kept for ${WINDOW_MONTHS} months. Industry reference values`,
    '(the median VAT burden of a section, taxpayer type and size band) come from the same dataset as of the same date.',
    '',
    '| id | group | type | unit | description | 说明 | reads | missing |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const f of FEATURES) {
    out.push(`| \`${f.id}\` | ${f.group} | ${f.type} | ${f.unit} | ${f.descriptionEn.replaceAll('|', '\\|')} | ${f.descriptionZh} | ${[...new Set(f.reads)].join(', ')} | ${f.missing} |`);
  }
  return out.join('\n') + '\n';
}
