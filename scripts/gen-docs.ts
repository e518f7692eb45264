import { writeFileSync } from 'node:fs';
import { renderDatasetFormat } from '../src/data/dataset-doc.ts';

writeFileSync('docs/dataset-format.md', renderDatasetFormat());
console.log('written docs/dataset-format.md');
