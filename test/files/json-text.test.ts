import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainJsonError, hasNonFiniteToken, nullNonFiniteTokens, parseJsonLines } from '../../src/files/json-text.js';

function why(text: string): { line: number | undefined; message: string } {
  try {
    JSON.parse(text);
  } catch (err) {
    return explainJsonError(text, err);
  }
  throw new Error(`${text} parsed`);
}

test('parseJsonLines: records keep their line numbers; a torn last line is a warning and not used', () => {
  const r = parseJsonLines('{"a":1}\n{"a":2}\n{"a":');
  assert.deepEqual(r.records, [{ line: 1, value: { a: 1 } }, { line: 2, value: { a: 2 } }]);
  assert.equal(r.torn, true);
  assert.deepEqual(r.problems, [{ line: 3, severity: 'warning', message: 'torn last line: 5 bytes without a newline (the writer was killed mid-write?); the line is ignored' }]);
  // a last line that parses but has no newline is still torn: the writer writes the newline in the same write
  assert.equal(parseJsonLines('{"a":1}\n{"a":2}').records.length, 1);
});

test('parseJsonLines: empty file is no records; empty and non-JSON lines are errors on their line', () => {
  assert.deepEqual(parseJsonLines(''), { records: [], problems: [], torn: false });
  const r = parseJsonLines('{"a":1}\n\n[1,\n{"a":NaN}\n');
  assert.deepEqual(r.records.map((x) => x.line), [1]);
  assert.deepEqual(r.problems.map((p) => [p.line, p.severity, p.message]), [
    [2, 'error', 'empty line (each line must be one JSON object)'],
    [3, 'error', 'not JSON: the text ends before the value does (truncated?)'],
    [4, 'error', 'not JSON: NaN and Infinity are not JSON numbers (a finite number or null is)'],
  ]);
});

test('explainJsonError: the line of the failure and a short reason, without V8 quoting the whole input', () => {
  assert.deepEqual(why('{\n"a": 1,\n"b": }'), { line: undefined, message: "not JSON: Unexpected token '}'" });
  assert.deepEqual(why('{\n"a": 1\n"b": 2}'), { line: 3, message: "not JSON: Expected ',' or '}' after property value" });
  assert.deepEqual(why('{"a": -Infinity}'), { line: 1, message: 'not JSON: NaN and Infinity are not JSON numbers (a finite number or null is)' });
  assert.deepEqual(why('{"a": 1'), { line: 1, message: 'not JSON: the text ends before the value does (truncated?)' });
});

test('NaN / Infinity tokens are found and nulled only outside strings (for con-duct files)', () => {
  assert.equal(hasNonFiniteToken('{"m": "NaN is fine in a string", "x": 1}'), false);
  assert.equal(hasNonFiniteToken('{"x": NaN}'), true);
  assert.equal(nullNonFiniteTokens('{"s": "a \\" NaN", "x": NaN, "y": -Infinity, "z": Infinity}'), '{"s": "a \\" NaN", "x": null, "y": null, "z": null}');
});
