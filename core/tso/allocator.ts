/**
 * PD's timestamp oracle. Hands out strictly increasing TSOs from the cluster clock and persists
 * a high-water mark ahead of them, like PD saves its timestamp window to etcd, so that a
 * restarted PD (or one whose clock stepped back) never repeats or goes below a handed-out ts.
 */
import { PitrError, ErrorCode } from '../errors.ts';
import type { ClusterClock } from './clock.ts';
import { composeTs, MAX_LOGICAL, MAX_PHYSICAL_MS } from './tso.ts';

/** High-water lead in ms; PD's default `tso-save-interval`: one durable write per 3 s of ts. */
export const DEFAULT_TSO_SAVE_WINDOW_MS = 3000;

/** Most timestamps one nextBatch() can return: all logical values of one millisecond. */
export const MAX_TSO_BATCH = MAX_LOGICAL + 1;

/** What a TsoAllocator needs: the clock and where the high-water mark is stored. */
export interface TsoAllocatorOptions {
  clock: ClusterClock;
  /** The saved high-water mark in ms, 0 if none was ever saved. */
  loadHighWater(): number;
  /** Durably saves the high-water mark in ms; must finish before returning. */
  saveHighWater(ms: number): void;
  /** Overrides DEFAULT_TSO_SAVE_WINDOW_MS (tests). */
  saveWindowMs?: number;
}

/** PD's timestamp oracle: strictly increasing TSOs, crash-safe via a saved high-water mark. */
export class TsoAllocator {
  private readonly clock: ClusterClock;
  private readonly save: (ms: number) => void;
  private readonly saveWindowMs: number;
  private highWater: number;
  private lastPhysical: number;
  // -1 until the first allocation in lastPhysical, so that the first ts there gets logical 0.
  private lastLogical = -1;
  private allocated = false;

  constructor(opts: TsoAllocatorOptions) {
    this.clock = opts.clock;
    this.save = (ms) => opts.saveHighWater(ms);
    this.saveWindowMs = opts.saveWindowMs ?? DEFAULT_TSO_SAVE_WINDOW_MS;
    if (!Number.isSafeInteger(this.saveWindowMs) || this.saveWindowMs < 1) {
      throw new PitrError(
        ErrorCode.InvalidArgument,
        `TSO save window ${this.saveWindowMs} must be a positive whole number of ms`,
      );
    }
    const saved = opts.loadHighWater();
    if (!Number.isSafeInteger(saved) || saved < 0) {
      throw new PitrError(
        ErrorCode.Internal,
        `saved TSO high-water mark ${saved} is not a whole number of ms; the PD state is corrupt`,
      );
    }
    this.highWater = saved;
    // Every ts of the previous run had physical < saved, so starting above it never repeats one,
    // even when the clock now reads earlier than before the restart.
    this.lastPhysical = Math.max(Math.floor(this.clock.now()), saved + 1);
  }

  /** The saved high-water mark in ms: no allocated ts has a physical part at or above it. */
  get highWaterMs(): number {
    return this.highWater;
  }

  /** Allocates one timestamp. */
  next(): bigint {
    return this.nextBatch(1);
  }

  /**
   * Moves the oracle past ts, so every later TSO is greater (a restored cluster must hand out
   * timestamps above every restored commit, whatever its own clock says).
   */
  fastForward(ts: bigint): void {
    if (ts < this.peek()) return;
    const physical = Number(ts >> 18n) + 1;
    if (physical > this.lastPhysical) {
      this.lastPhysical = physical;
      this.lastLogical = -1;
    }
  }

  /** Allocates count consecutive timestamps and returns the last of them. */
  nextBatch(count: number): bigint {
    if (!Number.isInteger(count) || count < 1 || count > MAX_TSO_BATCH) {
      throw new PitrError(
        ErrorCode.InvalidArgument,
        `TSO batch size ${count} must be an integer in [1, ${MAX_TSO_BATCH}]`,
      );
    }
    // The clock may lag behind (overflow moved us ahead, or it stepped back): never follow it down.
    let physical = Math.max(Math.floor(this.clock.now()), this.lastPhysical);
    let first = physical === this.lastPhysical ? this.lastLogical + 1 : 0;
    if (first + count - 1 > MAX_LOGICAL) {
      // This ms is used up: borrow the next one, as PD does when its logical counter overflows.
      physical = this.lastPhysical + 1;
      first = 0;
    }
    if (physical > MAX_PHYSICAL_MS) {
      throw new PitrError(ErrorCode.Internal, 'the TSO physical time ran past its 46-bit limit');
    }
    if (physical >= this.highWater) {
      // Save before handing out: a crash right after must still restart above this ts.
      const mark = physical + this.saveWindowMs;
      this.save(mark);
      this.highWater = mark;
    }
    this.lastPhysical = physical;
    this.lastLogical = first + count - 1;
    this.allocated = true;
    return composeTs(physical, this.lastLogical);
  }

  /** The last allocated ts (0n if none yet), without allocating. */
  peek(): bigint {
    return this.allocated ? composeTs(this.lastPhysical, this.lastLogical) : 0n;
  }
}
