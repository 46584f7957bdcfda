/**
 * `snapshot`: `backup full` throughput of a 3-store cluster preloaded with about 80 MB of rows,
 * to a local folder and to a real S3 server (s3rver) on loopback, against the physical baseline
 * measured in the same run: fs.writeFile of as many files of the same sizes into the same temp
 * disk. TiDB's own figure is 50-100 MB/s per TiKV.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rowKey } from '../core/cluster/catalog/keys.ts';
import { Cluster } from '../core/cluster/cluster.ts';
import { runFullBackup } from '../core/snapshot/backup.ts';
import type { FullBackupResult } from '../core/snapshot/backup.ts';
import { startS3rver } from '../tests/helpers/s3.ts';
import type { Figure } from './index.ts';

const STORES = 3;
// Rows of 16 KiB (long values, in the default CF): 5000 of them is about 80 MB of data.
const ROWS = 5000;
const VALUE_BYTES = 16 * 1024;
// Rows per load transaction: large enough to load quickly, small enough for short locks.
const LOAD_BATCH = 50;
// Regions of the table: the scheduler splits by write-record bytes, which counts a long value as
// 256 bytes, so the data is split by hand into regions of a few MB, scattered over the stores.
const REGIONS = 30;
const MB = 1e6;
const CORES = availableParallelism();

/** A row value: hex text, which compresses about 2:1 as real rows do. */
function rowValue(i: number): Buffer {
  const v = Buffer.from(randomBytes(VALUE_BYTES / 2).toString('hex'));
  v.write(`{"id":${i},"payload":"`, 0);
  return v;
}

async function preload(c: Cluster): Promise<void> {
  const table = await c.catalog.createTable('bench', { name: 'blobs', columns: [{ name: 'id', type: 'bigint' }, { name: 'payload', type: 'varchar' }] });
  for (let from = 0; from < ROWS; from += LOAD_BATCH) {
    await c.txn.run(async (txn) => {
      for (let i = from; i < Math.min(ROWS, from + LOAD_BATCH); i++) txn.put(rowKey(table.id, i), rowValue(i));
    });
  }
  for (let r = 1; r < REGIONS; r++) await c.splitAt(rowKey(table.id, Math.floor((r * ROWS) / REGIONS)));
  await c.scatter();
}

/** fs.writeFile of files of the given sizes, as many at once as there are stores. */
async function rawWrites(dir: string, sizes: number[]): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const bufs = sizes.map((n) => randomBytes(n));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: STORES }, async () => {
      for (let i = next++; i < bufs.length; i = next++) await writeFile(join(dir, `f${i}`), bufs[i]!);
    }),
  );
  return (performance.now() - t0) / 1000;
}

function figures(where: string, r: FullBackupResult): Figure[] {
  const plain = r.meta.totals.file_bytes;
  return [
    { metric: `${where}: plaintext MB/s (${(plain / MB).toFixed(0)} MB, ${r.files} files)`, value: plain / MB / r.duration_s, unit: 'MB/s' },
    { metric: `${where}: plaintext MB/s per store`, value: plain / MB / r.duration_s / STORES, unit: 'MB/s' },
    // The stores are threads of one process: on a machine with fewer cores than stores, the
    // figure per core is the one to compare with TiDB's per-TiKV figure.
    { metric: `${where}: plaintext MB/s per CPU core (${CORES} cores)`, value: plain / MB / r.duration_s / Math.min(CORES, STORES), unit: 'MB/s' },
    { metric: `${where}: stored MB/s (zstd, ${(r.size / MB).toFixed(0)} MB)`, value: r.size / MB / r.duration_s, unit: 'MB/s' },
  ];
}

/** The `snapshot` benchmark. */
export async function snapshotBench(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-bench-snap-'));
  const s3 = await startS3rver();
  try {
    const c = await Cluster.create('bench', join(dir, 'cluster'), STORES, { scheduler: false });
    try {
      const t0 = performance.now();
      await preload(c);
      const loadS = (performance.now() - t0) / 1000;
      const local = await runFullBackup(c, { storage: join(dir, 'snap-local') });
      const remote = await runFullBackup(c, { storage: s3.url('bench/snap') });
      const plainSizes = local.meta.files.map((f) => f.bytes);
      const rawS = await rawWrites(join(dir, 'raw'), plainSizes);
      const plain = local.meta.totals.file_bytes;
      const localRate = plain / MB / local.duration_s;
      const rawRate = plain / MB / rawS;
      return [
        { metric: `preload ${ROWS} rows of ${VALUE_BYTES / 1024} KiB`, value: loadS, unit: 's' },
        ...figures('local', local),
        ...figures('s3rver', remote),
        { metric: `raw fs.writeFile MB/s (same ${local.files} file sizes, ${STORES} at once)`, value: rawRate, unit: 'MB/s' },
        { metric: 'local backup vs raw fs.writeFile', value: (100 * localRate) / rawRate, unit: '%' },
        { metric: 'TiDB figure: snapshot backup per TiKV', value: 75, unit: 'MB/s (50-100)' },
      ];
    } finally {
      await c.close();
    }
  } finally {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
