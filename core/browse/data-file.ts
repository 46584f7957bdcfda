/**
 * A data file decoded from its own bytes (`storage:inspect` of a .log or .sst): entries, key and
 * ts ranges, column families, and every checksum its metadata records against what the bytes
 * give. The same checks a restore makes (docs/format.md §2.9, §3), applied to one file.
 */
import type { BlockSummary, ChecksumCheck, DataFileSummary } from '../contract/browse.ts';
import type { DataFileInfo, LogFileInfo } from '../logbackup/format.ts';
import type { SnapshotFile } from '../snapshot/backupmeta.ts';
import { decodeEntries, decompress, sha256Hex, type KvEntry } from '../storage/kv-file.ts';

// The browser shows the first blocks; a .log file rarely has more (one per region and CF).
/** Blocks listed in a summary. */
export const DEFAULT_MAX_BLOCKS = 100;
// Keys are shown in hex; the head identifies the table and row.
const MAX_KEY_HEX = 256;

/** Where a data file is recorded, if anywhere. */
export type DataFileRecord = { kind: 'log'; listedBy: string; file: LogFileInfo } | { kind: 'snapshot'; listedBy: string; file: SnapshotFile } | null;

interface Stats {
  entries: number;
  minKey: Buffer | null;
  maxKey: Buffer | null;
  minTs: bigint | null;
  maxTs: bigint | null;
}

function stats(entries: KvEntry[]): Stats {
  const s: Stats = { entries: entries.length, minKey: null, maxKey: null, minTs: null, maxTs: null };
  for (const e of entries) {
    if (s.minKey === null || Buffer.compare(e.key, s.minKey) < 0) s.minKey = e.key;
    if (s.maxKey === null || Buffer.compare(e.key, s.maxKey) > 0) s.maxKey = e.key;
    if (s.minTs === null || e.ts < s.minTs) s.minTs = e.ts;
    if (s.maxTs === null || e.ts > s.maxTs) s.maxTs = e.ts;
  }
  return s;
}

function merge(a: Stats, b: Stats): Stats {
  const pick = <T>(x: T | null, y: T | null, better: (x: T, y: T) => boolean): T | null => (x === null ? y : y === null ? x : better(x, y) ? x : y);
  return {
    entries: a.entries + b.entries,
    minKey: pick(a.minKey, b.minKey, (x, y) => Buffer.compare(x, y) <= 0),
    maxKey: pick(a.maxKey, b.maxKey, (x, y) => Buffer.compare(x, y) >= 0),
    minTs: pick(a.minTs, b.minTs, (x, y) => x <= y),
    maxTs: pick(a.maxTs, b.maxTs, (x, y) => x >= y),
  };
}

const hex = (k: Buffer | null): string | null => (k === null ? null : k.toString('hex').slice(0, MAX_KEY_HEX));
const tsText = (t: bigint | null): string | null => (t === null ? null : t.toString());
const EMPTY: Stats = { entries: 0, minKey: null, maxKey: null, minTs: null, maxTs: null };

function check(covers: ChecksumCheck['covers'], expected: string | null, bytes: Uint8Array): ChecksumCheck {
  const actual = sha256Hex(bytes);
  return { algorithm: 'sha256', covers, expected, actual, ok: expected === null ? null : expected === actual };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function logBlock(data: Buffer, b: DataFileInfo, what: string): { summary: BlockSummary; stats: Stats } {
  const bytes = data.subarray(b.offset, b.offset + b.length);
  const base = { offset: b.offset, length: b.length, length_plain: b.length_plain, cf: b.cf, region_id: b.region_id, recorded_entries: b.entries };
  try {
    const plain = decompress(bytes, what);
    const s = stats(decodeEntries(plain, what));
    const sum = check('plaintext', b.sha256, plain);
    const error = !sum.ok ? 'the block failed its checksum: the file was changed or damaged' : s.entries !== b.entries ? `${s.entries} entries decoded, ${b.entries} recorded` : null;
    return { summary: { ...base, entries: s.entries, min_key: hex(s.minKey), max_key: hex(s.maxKey), min_ts: tsText(s.minTs), max_ts: tsText(s.maxTs), checksum: sum, error }, stats: s };
  } catch (err) {
    const summary: BlockSummary = { ...base, entries: 0, min_key: null, max_key: null, min_ts: null, max_ts: null, checksum: { algorithm: 'sha256', covers: 'plaintext', expected: b.sha256, actual: '', ok: false }, error: errorText(err) };
    return { summary, stats: EMPTY };
  }
}

/** Decodes a data file's bytes and checks them against its record (null: no metadata lists it). */
export function summarizeDataFile(path: string, data: Buffer, record: DataFileRecord, format: 'log' | 'snapshot'): DataFileSummary {
  const out: DataFileSummary = {
    format,
    compression: 'zstd',
    listed_by: record?.listedBy ?? null,
    size: data.length,
    recorded_size: record ? record.file.size : null,
    entries: 0,
    recorded_entries: null,
    min_key: null,
    max_key: null,
    min_ts: null,
    max_ts: null,
    cfs: [],
    checksums: [],
    blocks: [],
    blocks_omitted: 0,
    ok: false,
    error: null,
  };
  let total = EMPTY;
  const errors: string[] = [];
  if (record?.kind === 'log') {
    out.checksums.push(check('file', record.file.sha256, data));
    out.recorded_entries = record.file.data_files.reduce((n, b) => n + b.entries, 0);
    out.cfs = [...new Set(record.file.data_files.map((b) => b.cf))];
    record.file.data_files.forEach((b, i) => {
      const r = logBlock(data, b, `${path} (block at ${b.offset}, region ${b.region_id}, ${b.cf} CF)`);
      total = merge(total, r.stats);
      if (r.summary.error !== null) errors.push(`block ${i}: ${r.summary.error}`);
      if (out.blocks.length < DEFAULT_MAX_BLOCKS) out.blocks.push(r.summary);
      else out.blocks_omitted++;
    });
  } else {
    // A snapshot file is one zstd frame; an unlisted .log is several, which zstd reads in a row.
    try {
      const plain = decompress(data, path);
      total = stats(decodeEntries(plain, path));
      if (record?.kind === 'snapshot') {
        out.checksums.push(check('plaintext', record.file.sha256, plain));
        out.recorded_entries = record.file.kvs;
        out.cfs = [record.file.cf];
      } else out.checksums.push(check('file', null, data));
    } catch (err) {
      errors.push(errorText(err));
      if (record?.kind === 'snapshot') out.checksums.push({ algorithm: 'sha256', covers: 'plaintext', expected: record.file.sha256, actual: '', ok: false });
    }
  }
  if (out.checksums.some((c) => c.ok === false)) errors.unshift('checksum mismatch: the file was changed or damaged since it was written');
  if (out.recorded_size !== null && out.recorded_size !== data.length) errors.push(`size ${data.length} bytes, ${out.recorded_size} recorded`);
  if (out.recorded_entries !== null && errors.length === 0 && total.entries !== out.recorded_entries) errors.push(`${total.entries} entries decoded, ${out.recorded_entries} recorded`);
  Object.assign(out, { entries: total.entries, min_key: hex(total.minKey), max_key: hex(total.maxKey), min_ts: tsText(total.minTs), max_ts: tsText(total.maxTs) });
  out.ok = errors.length === 0 && record !== null;
  out.error = errors.length > 0 ? errors.join('; ') : record === null ? 'no metadata lists this file: it is garbage of a failed flush or truncate and is never read by a restore' : null;
  return out;
}
