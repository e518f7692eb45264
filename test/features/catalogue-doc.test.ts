import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderFeatureCatalogue } from '../../src/features/catalogue-doc.ts';
import { FEATURES } from '../../src/features/index.ts';

test('docs/feature-catalogue.md is the catalogue the code computes (regenerate with scripts/gen-docs.ts)', () => {
  assert.equal(readFileSync('docs/feature-catalogue.md', 'utf8'), renderFeatureCatalogue());
});

test('every feature is documented in English and Chinese with a unit and a missing-data rule', () => {
  for (const f of FEATURES) {
    assert.ok(f.descriptionEn.length > 10 && /[\u4e00-\u9fff]/.test(f.descriptionZh) && f.unit && f.missing && f.reads.length > 0, f.id);
  }
});
