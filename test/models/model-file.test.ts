import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelFileError, readModel, Scorer } from '../../src/models/scorer.ts';
import { scoreRows, trainScorecard, type ScorecardFile } from '../../src/models/scorecard.ts';
import { Rng } from '../../src/synth/random.ts';

function smallModel(): { model: ScorecardFile; columns: { income: Float64Array; sector: string[] } } {
  const rng = new Rng(3, 'model-file');
  const income = Float64Array.from({ length: 3000 }, () => Math.round(rng.next() * 1000));
  const sector = Array.from({ length: 3000 }, () => rng.pick(['farm', 'shop', 'mill']));
  const bad = Uint8Array.from(income, (v, i) => (rng.chance(0.05 + (1000 - v) / 4000 + (sector[i] === 'mill' ? 0.1 : 0)) ? 1 : 0));
  return { model: trainScorecard({ income, sector }, bad, 'bad'), columns: { income, sector } };
}

test('a model file is checked when loaded: NaN or null points and coefficients, mismatched bins and missing grades are refused with their place', () => {
  const { model, columns } = smallModel();
  const dir = mkdtempSync(join(tmpdir(), 'puhui-model-file-'));
  const write = (name: string, value: unknown) => { const path = join(dir, name); writeFileSync(path, JSON.stringify(value)); return path; };
  // The intact file loads and scores exactly as in training.
  const intact = write('intact.json', model);
  assert.deepEqual(Array.from(scoreRows(readModel(intact) as ScorecardFile, columns)), Array.from(scoreRows(model, columns)));
  const damaged: [string, (m: ScorecardFile) => void, RegExp][] = [
    ['nan-points.json', (m) => { m.features[0]!.points[1] = Number.NaN; }, /features\.0\.points\.1: .*number/],
    ['null-coefficient.json', (m) => { (m.features[1] as unknown as { coefficient: null }).coefficient = null; }, /features\.1\.coefficient/],
    ['short-points.json', (m) => { m.features[0]!.points.pop(); }, /one point value per bin/],
    ['no-grades.json', (m) => { m.grades = []; }, /grades/],
    ['nan-base.json', (m) => { m.basePoints = Number.NaN; }, /basePoints/],
    ['edges.json', (m) => { const t = m.features.find((f) => f.binning.kind === 'numeric')!.binning; if (t.kind === 'numeric') t.edges.reverse(); }, /edges must rise/],
  ];
  for (const [name, damage, message] of damaged) {
    const copy = structuredClone(model);
    damage(copy);
    const path = write(name, copy);
    assert.throws(() => readModel(path), (error: Error) => error instanceof ModelFileError && message.test(error.message) && error.message.includes('damaged'), name);
    assert.throws(() => new Scorer(path), ModelFileError, name);
  }
  assert.throws(() => readModel(join(dir, 'absent.json')), /no such file/);
  assert.throws(() => readModel(write('other.json', { schema: 'sklearn/1' })), /not a puhui-scorecard\/1 model file \(schema sklearn\/1/);
  assert.throws(() => readModel(write('set.json', { schema: 'puhui-modelset/1', segments: [{ name: 's', when: {} }], defaultModel: 'a.json' })), /segments\.0\.model/);
});
