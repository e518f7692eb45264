import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMonths, dayNumber, isIsoDate, isIsoMonth, isoDateOfDay, isoMonthOfIndex, lastDayOfMonth, monthIndex, monthsBetween,
} from '../../src/domain/period.ts';
import { formatYuan, taxFenOf } from '../../src/domain/money.ts';

test('validates calendar dates including leap years', () => {
  assert.equal(isIsoDate('2024-02-29'), true);
  assert.equal(isIsoDate('2023-02-29'), false);
  assert.equal(isIsoDate('2024-02-30'), false);
  assert.equal(isIsoDate('2024-13-01'), false);
  assert.equal(isIsoDate('2024-1-01'), false);
  assert.equal(isIsoMonth('2024-00'), false);
  assert.equal(isIsoMonth('2024-12'), true);
});

test('day numbers and month indexes round-trip in UTC', () => {
  assert.equal(dayNumber('1970-01-01'), 0);
  assert.equal(isoDateOfDay(dayNumber('2026-11-22')), '2026-11-22');
  assert.equal(isoMonthOfIndex(monthIndex('2023-10')), '2023-10');
  assert.equal(addMonths('2023-11', 3), '2024-02');
  assert.equal(addMonths('2024-01', -1), '2023-12');
  assert.equal(lastDayOfMonth('2024-02'), '2024-02-29');
});

test('counts whole months of age', () => {
  assert.equal(monthsBetween('2020-03-15', '2024-03-14'), 47);
  assert.equal(monthsBetween('2020-03-15', '2024-03-15'), 48);
});

test('rounds tax to the fen, half away from zero, for sales and red reversals alike', () => {
  assert.equal(taxFenOf(10_050, 1300), 1307); // 1306.5 → 1307
  assert.equal(taxFenOf(-10_050, 1300), -1307);
  assert.equal(taxFenOf(100_000, 600), 6000);
  assert.equal(formatYuan(123456789), '1,234,567.89');
  assert.equal(formatYuan(-5), '-0.05');
});

test('arithmetic calendar conversions agree with Date on every day from 1900 to 2100', async () => {
  const { daysFromCivil, monthIndexOfDay, dayNumberTrusted, monthIndexTrusted } = await import('../../src/domain/period.ts');
  for (let day = dayNumber('1900-01-01'); day <= dayNumber('2100-12-31'); day++) {
    const iso = isoDateOfDay(day);
    assert.equal(dayNumberTrusted(iso), day);
    assert.equal(daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))), day);
    assert.equal(monthIndexOfDay(day), monthIndex(iso.slice(0, 7)));
    assert.equal(monthIndexTrusted(iso), monthIndex(iso.slice(0, 7)));
  }
});
