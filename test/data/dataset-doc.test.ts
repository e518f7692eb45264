import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderDatasetFormat } from '../../src/data/dataset-doc.ts';

test('docs/dataset-format.md is the format the importer enforces (regenerate with scripts/gen-docs.ts)', () => {
  assert.equal(readFileSync('docs/dataset-format.md', 'utf8'), renderDatasetFormat());
});
