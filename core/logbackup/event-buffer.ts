/**
 * A store's buffer of log backup events: in memory first, spilled to local temp files past a
 * memory limit (as TiKV's backup-stream buffers to temp files), read back at flush.
 *
 * Events are encoded into byte chunks as they arrive, so no object per event lives from commit
 * to flush: a busy store's garbage collector would otherwise copy and promote every buffered
 * event (a flush interval's worth of them) and the store would pay for that on every request.
 * Spilling writes those bytes as they are. One record, big-endian:
 *
 *   u8 cf (0 write, 1 default) | u64 commitTs | u32 keyLen | key | u64 ts | u64 startTs |
 *   u8 type | u32 valueLen | value
 *
 * (from keyLen on, the entry layout of the data files, docs/format.md).
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writevSync } from 'node:fs';
import { join } from 'node:path';

/** One change to back up: a write record, or the default-CF value of a long Put. */
export interface LogEvent {
  cf: 'write' | 'default';
  key: Buffer;
  /** commit ts (write) or start ts (default). */
  ts: bigint;
  startTs: bigint;
  type: 'P' | 'D';
  value: Buffer;
  /** The commit ts of the transaction: what the flush and restore filter on. */
  commitTs: bigint;
}

// Memory a store's buffer may use before it spills to disk (TiKV bounds its buffer the same way).
export const DEFAULT_BUFFER_MEMORY_BYTES = 8 * 1024 * 1024;
// Bytes allocated at a time for records: large enough that allocation is rare, small enough
// that an idle store holds little.
const CHUNK_BYTES = 256 * 1024;
const RECORD_HEADER = 1 + 8 + 4 + 8 + 8 + 1 + 4;
const TYPE_P = 'P'.charCodeAt(0);
const TYPE_D = 'D'.charCodeAt(0);

/** Bytes one event takes in the buffer (and counts against its limits). */
export const eventBytes = (keyLength: number, valueLength: number): number => RECORD_HEADER + keyLength + valueLength;

/** Writes one record at byte o of b (v: a DataView of b); returns the offset after it. */
function writeRecord(b: Buffer, v: DataView, o: number, cf: 'write' | 'default', key: Uint8Array, ts: bigint, startTs: bigint, type: 'P' | 'D', value: Uint8Array, commitTs: bigint): number {
  b[o] = cf === 'write' ? 0 : 1;
  v.setBigUint64(o + 1, commitTs);
  v.setUint32(o + 9, key.length);
  b.set(key, o + 13);
  o += 13 + key.length;
  v.setBigUint64(o, ts);
  v.setBigUint64(o + 8, startTs);
  b[o + 16] = type === 'P' ? TYPE_P : TYPE_D;
  v.setUint32(o + 17, value.length);
  b.set(value, o + 21);
  return o + 21 + value.length;
}

/** The event buffer of one store. */
export class EventBuffer {
  /** Filled parts of earlier chunks, in order. */
  private full: Buffer[] = [];
  private cur: Buffer = Buffer.alloc(0);
  private view = new DataView(this.cur.buffer, this.cur.byteOffset, 0);
  private pos = 0;
  private memBytes = 0;
  private spilledBytes = 0;
  private spills = 0;

  constructor(
    private readonly dir: string,
    private readonly memoryLimit = DEFAULT_BUFFER_MEMORY_BYTES,
  ) {
    rmSync(dir, { recursive: true, force: true }); // leftovers of a crashed run: rescanned anyway
  }

  /** Bytes buffered in memory and on disk. */
  get bytes(): number {
    return this.memBytes + this.spilledBytes;
  }

  /** Bytes held in memory (not spilled): TiKV's tikv_stream_heap_memory. */
  get memoryBytes(): number {
    return this.memBytes;
  }

  /** Number of spill files written so far (for tests and status). */
  get spillCount(): number {
    return this.spills;
  }

  /** Adds one event (the hot path: the key and value are copied, nothing else is kept). */
  append(cf: 'write' | 'default', key: Uint8Array, ts: bigint, startTs: bigint, type: 'P' | 'D', value: Uint8Array, commitTs: bigint): void {
    const n = RECORD_HEADER + key.length + value.length;
    if (this.pos + n > this.cur.length) this.nextChunk(n);
    this.pos = writeRecord(this.cur, this.view, this.pos, cf, key, ts, startTs, type, value, commitTs);
    this.memBytes += n;
    if (this.memBytes > this.memoryLimit) this.spill();
  }

  /** Adds events (tests, and events handed back by a flush that could not write them). */
  push(...events: LogEvent[]): void {
    for (const e of events) this.append(e.cf, e.key, e.ts, e.startTs, e.type, e.value, e.commitTs);
  }

  private nextChunk(need: number): void {
    if (this.pos > 0) this.full.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, need));
    this.view = new DataView(this.cur.buffer, this.cur.byteOffset, this.cur.length);
    this.pos = 0;
  }

  /** The records in memory, in order. */
  private memoryParts(): Buffer[] {
    return this.pos > 0 ? [...this.full, this.cur.subarray(0, this.pos)] : [...this.full];
  }

  private spill(): void {
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(join(this.dir, `spill-${++this.spills}.bin`), 'w');
    try {
      writevSync(fd, this.memoryParts());
    } finally {
      closeSync(fd);
    }
    this.spilledBytes += this.memBytes;
    // The current chunk is written out: its memory is reused for the next records.
    this.full = [];
    this.pos = 0;
    this.memBytes = 0;
  }

  /**
   * Takes every buffered event out (spill files, then memory, in order), leaving the buffer
   * empty: the records in place, for a flush to select, sort and encode.
   */
  drainRecords(): DrainedEvents {
    const parts: Buffer[] = [];
    for (const f of this.spillFiles()) {
      parts.push(readFileSync(join(this.dir, f)));
      rmSync(join(this.dir, f), { force: true });
    }
    parts.push(...this.memoryParts());
    this.reset();
    return new DrainedEvents(parts);
  }

  /** The spill files, oldest first. */
  private spillFiles(): string[] {
    try {
      return readdirSync(this.dir).filter((f) => f.startsWith('spill-')).sort((a, b) => Number(a.slice(6, -4)) - Number(b.slice(6, -4)));
    } catch {
      return [];
    }
  }

  /** Empties the buffer. Drained records stay in their chunks: none is reused. */
  private reset(): void {
    this.full = [];
    this.cur = Buffer.alloc(0);
    this.view = new DataView(this.cur.buffer, this.cur.byteOffset, 0);
    this.pos = 0;
    this.memBytes = 0;
    this.spilledBytes = 0;
  }

  /** Takes every buffered event out, as objects (tests and tools; a flush uses drainRecords). */
  drain(): LogEvent[] {
    const d = this.drainRecords();
    const out: LogEvent[] = [];
    for (let i = 0; i < d.count; i++) out.push(d.event(i));
    return out;
  }

  /** Adds event i of drained records again, as it is (a flush keeps what it does not write). */
  appendFrom(d: DrainedEvents, i: number): void {
    const b = d.parts[d.part[i]!]!;
    const o = d.off[i]!;
    const n = d.len[i]!;
    if (this.pos + n > this.cur.length) this.nextChunk(n);
    b.copy(this.cur, this.pos, o, o + n);
    this.pos += n;
    this.memBytes += n;
    if (this.memBytes > this.memoryLimit) this.spill();
  }

  /** Drops everything (task paused or stopped: the stores rescan from their checkpoints). */
  clear(): void {
    // Nothing is read back: the spill files are removed and the chunks dropped.
    for (const f of this.spillFiles()) rmSync(join(this.dir, f), { force: true });
    this.reset();
  }
}

const u32At = (b: Buffer, o: number) => b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

/**
 * Compares the bytes a[aOff, aOff + aLen) with b, as Buffer.compare would. Written out in JS:
 * keys are short, and a call into Buffer.compare costs more than comparing them here.
 */
export function compareBytesAt(a: Uint8Array, aOff: number, aLen: number, b: Uint8Array): number {
  const n = aLen < b.length ? aLen : b.length;
  for (let k = 0; k < n; k++) {
    const d = a[aOff + k]! - b[k]!;
    if (d !== 0) return d;
  }
  return aLen - b.length;
}

/** Compares two byte strings, as Buffer.compare would (see compareBytesAt). */
export const compareBytes = (a: Uint8Array, b: Uint8Array): number => compareBytesAt(a, 0, a.length, b);

/** A ts as 8 big-endian bytes: compares bytewise as the number does. */
export function tsBytes(ts: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(ts);
  return b;
}

/**
 * Events drained from a buffer, read in place: event i is bytes [off[i], off[i] + len[i]) of
 * parts[part[i]]. Nothing is decoded into objects unless asked (event(i), keyOf(i), commitTs(i)).
 */
export class DrainedEvents {
  readonly part: number[] = [];
  readonly off: number[] = [];
  readonly len: number[] = [];
  /** Sort heads by event (sortByKeyTs); each event is in one group, so one array serves all. */
  private heads: Float64Array | undefined;

  constructor(readonly parts: Buffer[]) {
    parts.forEach((b, p) => {
      let o = 0;
      while (o < b.length) {
        const kl = u32At(b, o + 9);
        const vl = u32At(b, o + 13 + kl + 17);
        const n = RECORD_HEADER + kl + vl;
        this.part.push(p);
        this.off.push(o);
        this.len.push(n);
        o += n;
      }
    });
  }

  /** Records the given events (a writer called with objects, as the restore benchmark does). */
  static fromEvents(events: LogEvent[]): DrainedEvents {
    const b = Buffer.allocUnsafe(events.reduce((n, e) => n + eventBytes(e.key.length, e.value.length), 0));
    const v = new DataView(b.buffer, b.byteOffset, b.length);
    let o = 0;
    for (const e of events) o = writeRecord(b, v, o, e.cf, e.key, e.ts, e.startTs, e.type, e.value, e.commitTs);
    return new DrainedEvents([b]);
  }

  get count(): number {
    return this.off.length;
  }

  /** 'write' or 'default'. */
  cf(i: number): 'write' | 'default' {
    return this.parts[this.part[i]!]![this.off[i]!] === 0 ? 'write' : 'default';
  }

  /** Event i's key compared with bytes b. */
  compareKey(i: number, b: Uint8Array): number {
    const p = this.parts[this.part[i]!]!;
    const o = this.off[i]!;
    return compareBytesAt(p, o + 13, u32At(p, o + 9), b);
  }

  /** Event i's commit ts compared with a ts of tsBytes(). */
  compareCommitTs(i: number, ts: Uint8Array): number {
    return compareBytesAt(this.parts[this.part[i]!]!, this.off[i]! + 1, 8, ts);
  }

  /**
   * Sorts events ids by key, then by ts: the order of a data file's entries. The keys of a
   * region mostly share a long prefix (the table's): the bytes after it, read once per event
   * as a number, settle most comparisons without reading the keys again.
   */
  sortByKeyTs(ids: number[]): void {
    if (ids.length < 2) return;
    const first = this.keyOf(ids[0]!);
    let lcp = first.length;
    for (const i of ids) {
      const p = this.parts[this.part[i]!]!;
      const o = this.off[i]! + 13;
      const n = Math.min(lcp, u32At(p, o - 4));
      let k = 0;
      while (k < n && p[o + k] === first[k]) k++;
      lcp = k;
    }
    // Six bytes past the common prefix (zero-padded past a key's end), exact in a double.
    const head = (this.heads ??= new Float64Array(this.count));
    for (const i of ids) {
      const p = this.parts[this.part[i]!]!;
      const o = this.off[i]! + 13;
      const kl = u32At(p, o - 4);
      let h = 0;
      for (let k = lcp; k < lcp + 6; k++) h = h * 256 + (k < kl ? p[o + k]! : 0);
      head[i] = h;
    }
    ids.sort((a, b) => head[a]! - head[b]! || this.compareKeyTs(a, b, lcp));
  }

  /** Orders events i and j by key, then by ts (their keys share their first `from` bytes). */
  compareKeyTs(i: number, j: number, from = 0): number {
    const a = this.parts[this.part[i]!]!;
    const b = this.parts[this.part[j]!]!;
    const ao = this.off[i]! + 13;
    const bo = this.off[j]! + 13;
    const al = u32At(a, ao - 4);
    const bl = u32At(b, bo - 4);
    const n = al < bl ? al : bl;
    for (let k = from; k < n; k++) {
      const d = a[ao + k]! - b[bo + k]!;
      if (d !== 0) return d;
    }
    if (al !== bl) return al - bl;
    for (let k = 0; k < 8; k++) {
      const d = a[ao + al + k]! - b[bo + bl + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Compares the commit ts of events i and j. */
  compareCommit(i: number, j: number): number {
    const a = this.parts[this.part[i]!]!;
    const b = this.parts[this.part[j]!]!;
    const ao = this.off[i]! + 1;
    const bo = this.off[j]! + 1;
    for (let k = 0; k < 8; k++) {
      const d = a[ao + k]! - b[bo + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  commitTs(i: number): bigint {
    return this.parts[this.part[i]!]!.readBigUInt64BE(this.off[i]! + 1);
  }

  /** Event i's key (a view). */
  keyOf(i: number): Buffer {
    const p = this.parts[this.part[i]!]!;
    const o = this.off[i]!;
    return p.subarray(o + 13, o + 13 + u32At(p, o + 9));
  }

  /** The data-file entries of the events ids, in that order (docs/format.md). */
  encode(ids: number[]): Buffer {
    let size = 0;
    for (const i of ids) size += this.len[i]! - 9;
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (const i of ids) {
      const at = this.off[i]!;
      o += this.parts[this.part[i]!]!.copy(out, o, at + 9, at + this.len[i]!);
    }
    return out;
  }

  /** Event i as an object whose key and value are views of the records. */
  event(i: number): LogEvent {
    const b = this.parts[this.part[i]!]!;
    let o = this.off[i]!;
    const cf = b[o] === 0 ? 'write' : 'default';
    const commitTs = b.readBigUInt64BE(o + 1);
    const kl = u32At(b, o + 9);
    const key = b.subarray(o + 13, o + 13 + kl);
    o += 13 + kl;
    const ts = b.readBigUInt64BE(o);
    const startTs = b.readBigUInt64BE(o + 8);
    const type = b[o + 16] === TYPE_P ? 'P' : 'D';
    const vl = u32At(b, o + 17);
    return { cf, key, ts, startTs, type, value: b.subarray(o + 21, o + 21 + vl), commitTs };
  }
}
