/**
 * Reads log backup data back: picks the blocks a ts window needs from the .meta files alone,
 * then reads each block with a ranged read and verifies its sha256 before decoding it.
 */
import type { BackupStorage } from '../storage/storage.ts';
import { decodeEntries, openBlock } from '../storage/kv-file.ts';
import type { KvEntry } from '../storage/kv-file.ts';
import type { DataFileInfo } from './format.ts';
import { readMetaFiles } from './storage-ops.ts';

/** A block chosen for reading, with the file it lives in. */
export interface BlockRef {
  path: string;
  block: DataFileInfo;
}

/** The blocks holding commits in (afterTs, upToTs], chosen from metadata only. */
export async function selectBlocks(storage: BackupStorage, afterTs: bigint, upToTs: bigint): Promise<BlockRef[]> {
  const out: BlockRef[] = [];
  for (const { meta } of await readMetaFiles(storage)) {
    for (const f of meta.files) {
      if (BigInt(f.max_ts) <= afterTs || BigInt(f.min_ts) > upToTs) continue;
      for (const b of f.data_files) {
        if (BigInt(b.max_ts) <= afterTs || BigInt(b.min_ts) > upToTs) continue;
        out.push({ path: f.path, block: b });
      }
    }
  }
  return out;
}

/** Reads and verifies one block. */
export async function readBlock(storage: BackupStorage, ref: BlockRef): Promise<KvEntry[]> {
  const data = await storage.read(ref.path, { offset: ref.block.offset, length: ref.block.length });
  const what = `${ref.path} (block at ${ref.block.offset}, region ${ref.block.region_id}, ${ref.block.cf} CF)`;
  return decodeEntries(openBlock(data, ref.block.sha256, what), what);
}
