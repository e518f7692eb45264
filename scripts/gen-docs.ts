import { writeFileSync } from 'node:fs';
import { renderDatasetFormat } from '../src/data/dataset-doc.ts';
import { renderFeatureCatalogue } from '../src/features/catalogue-doc.ts';
import { renderReasonCodes } from '../src/decision/reasons-doc.ts';
import { renderWarningCodes } from '../src/monitoring/reasons.ts';

writeFileSync('docs/dataset-format.md', renderDatasetFormat());
writeFileSync('docs/feature-catalogue.md', renderFeatureCatalogue());
writeFileSync('docs/reason-codes.md', renderReasonCodes());
writeFileSync('docs/warning-codes.md', renderWarningCodes());
console.log('written docs/dataset-format.md, docs/feature-catalogue.md, docs/reason-codes.md and docs/warning-codes.md');
