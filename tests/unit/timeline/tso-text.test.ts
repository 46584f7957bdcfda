import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs, formatTsText, logicalOfTs, msOfTs, parseTsText, tsOfMs } from '../../../renderer/timeline/tso-text.ts';

const PLUS8 = () => 480;
const ok = (text: string, offset = PLUS8) => {
  const r = parseTsText(text, offset);
  assert.ok(r.ok, `"${text}" parses: ${r.ok ? '' : r.reason}`);
  return r.ts;
};
const refused = (text: string) => {
  const r = parseTsText(text, PLUS8);
  assert.ok(!r.ok, `"${text}" is refused`);
  return r.reason;
};

describe('renderer TSO text', () => {
  test('a TSO is physical ms << 18 | logical, both ways', () => {
    const ms = Date.UTC(2026, 10, 24, 6, 6, 0, 123);
    const ts = (BigInt(ms) << 18n) | 7n;
    assert.equal(msOfTs(ts), ms);
    assert.equal(logicalOfTs(ts), 7);
    assert.equal(tsOfMs(ms), BigInt(ms) << 18n);
    assert.equal(ok(ts.toString()), ts, 'a TSO integer is taken as is, logical bits kept');
  });

  test('datetimes with a zone, ISO and br forms, name the same instant', () => {
    const want = tsOfMs(Date.UTC(2026, 10, 24, 6, 6, 0));
    for (const text of ['2026-11-24 14:06:00 +0800', '2026-11-24 14:06:00+0800', '2026-11-24T14:06:00+08:00', '2026-11-24T06:06:00Z', '2026-11-24 06:06:00.000Z']) {
      assert.equal(ok(text), want, text);
    }
    assert.equal(ok('2026-11-24T06:06:00.123456Z'), tsOfMs(Date.UTC(2026, 10, 24, 6, 6, 0, 123)), 'sub-ms fractions truncated');
  });

  test('a datetime without a zone is read in the given local zone', () => {
    assert.equal(ok('2026-11-24 14:06:00'), tsOfMs(Date.UTC(2026, 10, 24, 6, 6, 0)));
    assert.equal(ok('2026-11-24 14:06:00', () => -300), tsOfMs(Date.UTC(2026, 10, 24, 19, 6, 0)));
  });

  test('bad input is refused with a reason that names the accepted forms', () => {
    assert.match(refused(''), /TSO such as/);
    assert.match(refused('yesterday'), /neither a TSO nor a datetime/);
    assert.match(refused('0'), /greater than 0/);
    assert.match(refused('18446744073709551616'), /below 2\^64/);
    assert.match(refused('2026-02-30 00:00:00'), /day 30 does not exist/);
    assert.match(refused('2026-13-01 00:00:00'), /month 13/);
    assert.match(refused('2026-01-01 24:00:00'), /hour 24/);
    assert.match(refused('2026-01-01 00:00:00 +2400'), /offset/);
  });

  test('formatting round-trips through parsing at ms precision', () => {
    const ms = Date.UTC(2026, 10, 24, 6, 6, 0, 45);
    assert.equal(formatMs(ms, 480), '2026-11-24 14:06:00.045 +0800');
    assert.equal(formatMs(ms, -330), '2026-11-24 00:36:00.045 -0530');
    const ts = (BigInt(ms) << 18n) | 99n;
    assert.equal(ok(formatTsText(ts, 480)), tsOfMs(ms));
  });
});
