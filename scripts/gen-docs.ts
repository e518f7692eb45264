import { writeFileSync } from 'node:fs';
import { renderDatasetFormat } from '../src/data/dataset-doc.ts';
import { renderFeatureCatalogue } from '../src/features/catalogue-doc.ts';

writeFileSync('docs/dataset-format.md', renderDatasetFormat());
writeFileSync('docs/feature-catalogue.md', renderFeatureCatalogue());
console.log('written docs/dataset-format.md and docs/feature-catalogue.md');
