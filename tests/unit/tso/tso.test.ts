import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PitrError, ErrorCode } from '../../../core/errors.ts';
import {
  LOGICAL_BITS,
  MAX_LOGICAL,
  composeTs,
  physicalOf,
  logicalOf,
  tsToUnixSeconds,
  parseTs,
  formatTs,
  formatTsIso,
  formatDuration,
} from '../../../core/tso/tso.ts';

const MAY_15_UTC = Date.UTC(2022, 4, 15, 10, 0, 0);

function assertInvalidTs(input: string): void {
  assert.throws(
    () => parseTs(input),
    (err: unknown) => {
      assert.ok(err instanceof PitrError);
      assert.equal(err.code, ErrorCode.InvalidTs);
      assert.match(err.message, /use a TSO such as 434604259287760897 or a datetime/);
      assert.ok(err.message.includes(`"${input.trim()}"`), err.message);
      return true;
    },
  );
}

describe('compose and decode', () => {
  test('constants', () => {
    assert.equal(LOGICAL_BITS, 18);
    assert.equal(MAX_LOGICAL, 262143);
  });

  test('round trips physical and logical parts', () => {
    for (const [ms, logical] of [
      [0, 0],
      [1, 1],
      [MAY_15_UTC, 0],
      [MAY_15_UTC, 1],
      [MAY_15_UTC, MAX_LOGICAL],
      [Date.UTC(2026, 0, 1), 12345],
    ] as const) {
      const ts = composeTs(ms, logical);
      assert.equal(physicalOf(ts), ms);
      assert.equal(logicalOf(ts), logical);
      assert.equal(ts, (BigInt(ms) << 18n) | BigInt(logical));
    }
  });

  test('decodes a real TSO', () => {
    const ts = 434604259287760897n;
    assert.equal(physicalOf(ts), Number(ts >> 18n));
    assert.equal(logicalOf(ts), 1);
    assert.equal(composeTs(physicalOf(ts), logicalOf(ts)), ts);
  });

  test('rejects out-of-range parts', () => {
    assert.throws(() => composeTs(1, MAX_LOGICAL + 1), { code: ErrorCode.InvalidArgument });
    assert.throws(() => composeTs(-1, 0), { code: ErrorCode.InvalidArgument });
    assert.throws(() => composeTs(1.5, 0), { code: ErrorCode.InvalidArgument });
    assert.throws(() => composeTs(2 ** 46, 0), { code: ErrorCode.InvalidArgument });
  });

  test('tsToUnixSeconds', () => {
    assert.equal(tsToUnixSeconds(composeTs(1500, 0)), 1.5);
    assert.equal(tsToUnixSeconds(262144000n), 1);
    const ts = composeTs(MAY_15_UTC, 131072);
    assert.ok(Math.abs(tsToUnixSeconds(ts) - (MAY_15_UTC / 1000 + 0.0005)) < 1e-6);
  });
});

describe('parseTs', () => {
  test('TSO integer', () => {
    assert.equal(parseTs('434604259287760897'), 434604259287760897n);
    assert.equal(parseTs('  1  '), 1n);
    assert.equal(parseTs('18446744073709551615'), (1n << 64n) - 1n);
  });

  test('known datetime with +0800', () => {
    assert.equal(parseTs('2022-05-15 18:00:00+0800'), composeTs(MAY_15_UTC, 0));
  });

  test('zone forms', () => {
    const want = composeTs(MAY_15_UTC, 0);
    assert.equal(parseTs('2022-05-15 18:00:00 +0800'), want);
    assert.equal(parseTs('2022-05-15 18:00:00+08:00'), want);
    assert.equal(parseTs('2022-05-15 10:00:00Z'), want);
    assert.equal(parseTs('2022-05-15 10:00:00 Z'), want);
    assert.equal(parseTs('2022-05-15 03:00:00-0700'), want);
    assert.equal(parseTs('2022-05-14 20:30:00-13:30'), want);
  });

  test('ISO 8601 with T', () => {
    const want = composeTs(MAY_15_UTC, 0);
    assert.equal(parseTs('2022-05-15T10:00:00Z'), want);
    assert.equal(parseTs('2022-05-15T18:00:00+08:00'), want);
    assert.equal(parseTs('2022-05-15T18:00:00+0800'), want);
    assert.equal(parseTs('2022-05-15T10:00:00.250Z'), composeTs(MAY_15_UTC + 250, 0));
  });

  test('fractions truncate to ms', () => {
    assert.equal(parseTs('2022-05-15 10:00:00.5Z'), composeTs(MAY_15_UTC + 500, 0));
    assert.equal(parseTs('2022-05-15 10:00:00.123Z'), composeTs(MAY_15_UTC + 123, 0));
    assert.equal(parseTs('2022-05-15 10:00:00.123999999Z'), composeTs(MAY_15_UTC + 123, 0));
    assert.equal(parseTs('2022-05-15 18:00:00.042 +0800'), composeTs(MAY_15_UTC + 42, 0));
  });

  test('no zone means local time', () => {
    const local = new Date(2022, 4, 15, 18, 0, 0, 7).getTime();
    assert.equal(parseTs('2022-05-15 18:00:00.007'), composeTs(local, 0));
  });

  test('leap day accepted only in leap years', () => {
    assert.equal(parseTs('2024-02-29 00:00:00Z'), composeTs(Date.UTC(2024, 1, 29), 0));
    assertInvalidTs('2023-02-29 00:00:00Z');
  });

  test('rejections', () => {
    for (const bad of [
      '',
      '   ',
      'abc',
      '2022-13-01 00:00:00',
      '2022-02-30 00:00:00',
      '2022-04-31 00:00:00Z',
      '2022-05-15 24:00:00',
      '2022-05-15 23:60:00',
      '2022-05-15 23:59:60',
      '2022-05-15 18:00:00+2500',
      '2022-05-15',
      '25:00',
      '-5',
      '0',
      '18446744073709551616',
      '1.5',
      '2022-05-15 18:00:00.1234567890Z',
      '1969-12-31 23:59:59Z',
    ]) {
      assertInvalidTs(bad);
    }
  });

  test('error names the input, the reason and the flag', () => {
    assert.throws(() => parseTs('2022-13-01 00:00:00', 'restored-ts'), {
      code: ErrorCode.InvalidTs,
      message:
        'invalid restored-ts "2022-13-01 00:00:00" (month 13 is out of range): ' +
        "use a TSO such as 434604259287760897 or a datetime such as '2022-05-15 18:00:00+0800'",
    });
  });
});

describe('formatting', () => {
  test('formatTs in UTC and at an offset', () => {
    const ts = composeTs(MAY_15_UTC + 123, 7);
    assert.equal(formatTs(ts), '2022-05-15 10:00:00.123 +0000');
    assert.equal(formatTs(ts, 480), '2022-05-15 18:00:00.123 +0800');
    assert.equal(formatTs(ts, -420), '2022-05-15 03:00:00.123 -0700');
    assert.equal(formatTs(ts, 330), '2022-05-15 15:30:00.123 +0530');
    assert.equal(formatTs(ts, -600), '2022-05-15 00:00:00.123 -1000');
    assert.equal(formatTs(ts, -601), '2022-05-14 23:59:00.123 -1001');
    assert.throws(() => formatTs(ts, 1.5), { code: ErrorCode.InvalidArgument });
  });

  test('formatTs output parses back to the same physical time', () => {
    const ts = composeTs(MAY_15_UTC + 999, 0);
    assert.equal(parseTs(formatTs(ts, 480)), ts);
    assert.equal(parseTs(formatTs(ts, -90)), ts);
  });

  test('formatTsIso', () => {
    assert.equal(formatTsIso(composeTs(MAY_15_UTC + 5, 99)), '2022-05-15T10:00:00.005Z');
    assert.equal(parseTs(formatTsIso(434604259287760897n)), composeTs(physicalOf(434604259287760897n), 0));
  });

  test('formatDuration', () => {
    const cases: Array<[number, string]> = [
      [0, '0s'],
      [0.4, '0s'],
      [250, '250ms'],
      [999, '999ms'],
      [1000, '1s'],
      [1500, '1.5s'],
      [59_999, '59.9s'],
      [60_000, '1m'],
      [123_000, '2m3s'],
      [123_999, '2m3s'],
      [3_600_000, '1h'],
      [3_723_000, '1h2m3s'],
      [3_603_000, '1h3s'],
      [86_399_000, '23h59m59s'],
      [86_400_000, '1d'],
      [2 * 86_400_000 + 3 * 3_600_000 + 59_000, '2d3h'],
      [-1500, '-1.5s'],
    ];
    for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, `formatDuration(${ms})`);
    assert.throws(() => formatDuration(Number.NaN), { code: ErrorCode.InvalidArgument });
  });
});
