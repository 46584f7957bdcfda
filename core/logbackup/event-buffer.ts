/**
 * A store's buffer of log backup events: in memory first, spilled to local temp files past a
 * memory limit (as TiKV's backup-stream buffers to temp files), read back at flush.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

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

const sizeOf = (e: LogEvent) => e.key.length + e.value.length + 48;

/** The event buffer of one store. */
export class EventBuffer {
  private mem: LogEvent[] = [];
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

  /** Adds events; spills the memory part to a temp file past the memory limit. */
  push(...events: LogEvent[]): void {
    for (const e of events) {
      this.mem.push(e);
      this.memBytes += sizeOf(e);
    }
    if (this.memBytes > this.memoryLimit) this.spill();
  }

  private spill(): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `spill-${++this.spills}.bin`), serialize(this.mem));
    this.spilledBytes += this.memBytes;
    this.mem = [];
    this.memBytes = 0;
  }

  /** Takes every buffered event out (memory and spill files), leaving the buffer empty. */
  drain(): LogEvent[] {
    const out: LogEvent[] = [];
    let files: string[] = [];
    try {
      files = readdirSync(this.dir).filter((f) => f.startsWith('spill-')).sort((a, b) => Number(a.slice(6, -4)) - Number(b.slice(6, -4)));
    } catch {
      files = [];
    }
    for (const f of files) {
      for (const e of deserialize(readFileSync(join(this.dir, f))) as LogEvent[]) {
        out.push({ ...e, key: Buffer.from(e.key), value: Buffer.from(e.value) });
      }
      rmSync(join(this.dir, f), { force: true });
    }
    out.push(...this.mem);
    this.mem = [];
    this.memBytes = 0;
    this.spilledBytes = 0;
    return out;
  }

  /** Drops everything (task paused or stopped: the stores rescan from their checkpoints). */
  clear(): void {
    this.drain();
  }
}
