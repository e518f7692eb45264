import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  composeCreditCode, creditCodeCheckChar, creditCodeProblem, isValidCreditCode, orgCodeCheckChar,
} from '../../src/domain/credit-code.ts';

// Published valid codes: python-stdnum's doctests and the 02020/vite list (python-stdnum `tests/test_cn_uscc.doctest`; 02020/vite's test list).
const PUBLISHED_VALID = [
  '91110000600037341L', '91110000710926094P', '91310000631696382C', '9144030071526726XG',
  '91440300568520498A', '91310115MA1K3BTP2B', '121200004013590816', '92340602MA2PBMEM24',
  '91620105L015101280', '91350200776049653A', '91350500798359476R', '91440101MA5CJQ4N59',
  '91350213678251743X', '91350100M000100Y43',
];

test('accepts every published valid credit code', () => {
  for (const code of PUBLISHED_VALID) assert.equal(creditCodeProblem(code), null, code);
});

test("reproduces the standard's worked example: 91350100M000100Y4 has check character 3", () => {
  assert.equal(creditCodeCheckChar('91350100M000100Y4'), '3');
});

test('rejects published codes with a wrong check character, and says so', () => {
  for (const code of ['91350100M000100Y4Z', '91310115MA1H8R7C6D', '91310115MA1G4L1WXK']) {
    assert.equal(isValidCreditCode(code), false, code);
  }
  assert.equal(creditCodeProblem('91310115MA1H8R7C6D'), 'check_char');
  assert.equal(creditCodeCheckChar('91310115MA1H8R7C6'), '7');
});

test('rejects wrong length and forbidden characters (I, O, Z, S, V, lower case)', () => {
  assert.equal(creditCodeProblem('91110000600037341'), 'length');
  assert.equal(creditCodeProblem('91110000600037341LX'), 'length');
  assert.equal(creditCodeProblem('9111000060003734IL'), 'charset');
  assert.equal(creditCodeProblem('91110000600o37341L'), 'charset');
  assert.equal(creditCodeProblem('91110000600037341l'), 'charset');
});

test('every single-character change of a valid code is detected', () => {
  const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const code = '91310000631696382C';
  for (let position = 0; position < 18; position++) {
    for (const replacement of charset) {
      if (replacement === code[position]) continue;
      const changed = code.slice(0, position) + replacement + code.slice(position + 1);
      assert.equal(isValidCreditCode(changed), false, changed);
    }
  }
});

test('composes codes that pass both the GB 32100 and the inner GB 11714 check', () => {
  const code = composeCreditCode('91', '330106', 'MA2AB3CD');
  assert.equal(isValidCreditCode(code), true);
  assert.equal(code.slice(16, 17), orgCodeCheckChar('MA2AB3CD'));
  // The published codes' inner organisation-code check holds too.
  for (const published of ['91110000600037341L', '9144030071526726XG', '91310115MA1K3BTP2B']) {
    assert.equal(orgCodeCheckChar(published.slice(8, 16)), published.charAt(16), published);
  }
});

test('accepts the known legacy Fujian pilot codes that fail the check character, and no look-alikes', () => {
  for (const code of ['91350100M0001TGQXM', '91350211M0000XUF46', '91350203M0001QAY9B']) {
    assert.notEqual(creditCodeCheckChar(code.slice(0, 17)), code.charAt(17), code);
    assert.equal(isValidCreditCode(code), true, code);
  }
  assert.equal(isValidCreditCode('91350100M0001TGQXL'), false);
});
