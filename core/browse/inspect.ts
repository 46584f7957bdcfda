/**
 * `storage:inspect`: any file of a backup storage, decoded: JSON metadata as an object (checked
 * against its schema), checkpoints and the truncate safepoint as TSOs with their time, data files
 * summarised from their own bytes and checked against their metadata. Output stays bounded.
 */
import type { z } from 'zod';
import type { InspectResult } from '../contract/browse.ts';
import { decodeTsFile, LockSchema, LogBackupMetaSchema, MetaFileSchema } from '../logbackup/format.ts';
import { SnapshotBackupMetaSchema } from '../snapshot/backupmeta.ts';
import { checkPath, type BackupStorage } from '../storage/storage.ts';
import { formatTsIso } from '../tso/index.ts';
import { boundJson } from './bound-json.ts';
import { backupKindFromHead, classifyFile } from './classify.ts';
import { summarizeDataFile } from './data-file.ts';
import { findLogRecord, findSnapshotRecord } from './records.ts';

// Enough of an unknown file to recognise it; the rest is not the browser's business.
const OTHER_HEAD_BYTES = 4096;

const SCHEMAS: Partial<Record<InspectResult['kind'], z.ZodType>> = {
  'log-backupmeta': LogBackupMetaSchema,
  'log-meta': MetaFileSchema,
  'snapshot-backupmeta': SnapshotBackupMetaSchema,
  lock: LockSchema,
};

function tsObject(ts: bigint): { ts: string; time: string } {
  return { ts: ts.toString(), time: formatTsIso(ts) };
}

function decodeJson(kind: InspectResult['kind'], bytes: Buffer, path: string): { decoded: unknown; error: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { decoded: null, error: `${path} is not valid JSON: the file is damaged or not written by PiTR Studio` };
  }
  const schema = SCHEMAS[kind];
  // truncating.lock has its own shape ({until, at}); backup.lock is checked against the claim's.
  if (schema === undefined || (kind === 'lock' && path.endsWith('truncating.lock'))) return { decoded: raw, error: null };
  const r = schema.safeParse(raw);
  if (r.success) return { decoded: raw, error: null };
  const i = r.error.issues[0];
  return { decoded: raw, error: `${path} does not match the ${kind} format (${i?.path.join('.') ?? ''}: ${i?.message ?? ''}); a restore would refuse it` };
}

function decodeOther(bytes: Buffer): unknown {
  const head = bytes.subarray(0, OTHER_HEAD_BYTES);
  const text = head.toString('utf8');
  // Text is valid UTF-8 without control bytes other than tab, newline and carriage return.
  const printable = Buffer.from(text, 'utf8').equals(head) && !head.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  return printable ? { text, shown_bytes: head.length } : { head_hex: head.subarray(0, 256).toString('hex'), shown_bytes: Math.min(256, head.length) };
}

/** Decodes one file (its path relative to the storage root). */
export async function inspectFile(storage: BackupStorage, path: string): Promise<InspectResult> {
  checkPath(path);
  const bytes = await storage.read(path);
  const kind = classifyFile(path, path.endsWith('backupmeta') ? backupKindFromHead(bytes.subarray(0, 256)) : undefined);
  const out: InspectResult = { storage: storage.url, path, size: bytes.length, kind, decoded: null, data: null, truncated: false, error: null };
  try {
    switch (kind) {
      case 'log-checkpoint':
        out.decoded = { global_checkpoint: tsObject(decodeTsFile(bytes, path)) };
        break;
      case 'log-truncate-safepoint': {
        const text = bytes.toString('utf8').trim();
        if (!/^\d{1,20}$/.test(text)) out.error = `${path} is damaged (not a TSO)`;
        else out.decoded = { truncate_safepoint: tsObject(BigInt(text)) };
        break;
      }
      case 'log-data':
        out.data = summarizeDataFile(path, bytes, await findLogRecord(storage, path), 'log');
        break;
      case 'snapshot-data':
        out.data = summarizeDataFile(path, bytes, await findSnapshotRecord(storage, path), 'snapshot');
        break;
      case 'other':
        out.decoded = decodeOther(bytes);
        break;
      default: {
        const d = decodeJson(kind, bytes, path);
        out.decoded = d.decoded;
        out.error = d.error;
      }
    }
  } catch (err) {
    // The file itself was read: its metadata (a .meta or backupmeta) is what failed.
    out.error = err instanceof Error ? err.message : String(err);
  }
  if (out.data !== null) {
    out.truncated = out.data.blocks_omitted > 0;
    out.error ??= out.data.error;
  }
  const bounded = boundJson(out.decoded);
  out.decoded = bounded.value;
  out.truncated ||= bounded.truncated;
  return out;
}
