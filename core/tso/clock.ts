/**
 * The cluster clock. Every component reads time from an injected ClusterClock instead of
 * Date.now(), so that the simulation can run faster than real time (a day of log backup in a
 * minute) and tests can step time by hand.
 */
import { PitrError, ErrorCode } from '../errors.ts';

/** A source of cluster time in Unix ms that never goes backwards. */
export interface ClusterClock {
  /** Current cluster time in Unix ms. */
  now(): number;
  /** Cluster ms that pass per real ms. */
  readonly speed: number;
}

/** Slowest allowed speed: below this the cluster looks frozen and the UI seems broken. */
export const MIN_CLOCK_SPEED = 0.01;

/** Fastest allowed speed: 100000× turns a day into under a second, past which nothing is visible. */
export const MAX_CLOCK_SPEED = 100_000;

/** What a ScaledClock needs to be rebuilt after a restart. */
export interface ScaledClockState {
  speed: number;
  anchorClusterMs: number;
  anchorRealMs: number;
}

/** Options of a ScaledClock; anchors default to the real clock's current time. */
export interface ScaledClockOptions {
  speed?: number;
  anchorClusterMs?: number;
  anchorRealMs?: number;
  realNow?: () => number;
}

function checkSpeed(speed: number): void {
  if (!Number.isFinite(speed) || speed < MIN_CLOCK_SPEED || speed > MAX_CLOCK_SPEED) {
    throw new PitrError(
      ErrorCode.InvalidArgument,
      `clock speed ${speed} must be a number in [${MIN_CLOCK_SPEED}, ${MAX_CLOCK_SPEED}]`,
    );
  }
}

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new PitrError(ErrorCode.InvalidArgument, `${name} ${value} must be a finite number`);
  }
}

/** Cluster time = anchorCluster + (realNow() - anchorReal) * speed, never going backwards. */
export class ScaledClock implements ClusterClock {
  private readonly realNow: () => number;
  private currentSpeed: number;
  private anchorClusterMs: number;
  private anchorRealMs: number;
  // Highest unrounded time handed out: keeps now() monotonic if the real clock steps back (NTP).
  private maxMs: number;

  constructor(opts: ScaledClockOptions = {}) {
    this.realNow = opts.realNow ?? Date.now;
    const speed = opts.speed ?? 1;
    checkSpeed(speed);
    const real = this.realNow();
    this.anchorRealMs = opts.anchorRealMs ?? real;
    this.anchorClusterMs = opts.anchorClusterMs ?? real;
    checkFinite('anchorRealMs', this.anchorRealMs);
    checkFinite('anchorClusterMs', this.anchorClusterMs);
    this.currentSpeed = speed;
    // Never below the anchor: a restored clock must not go back before its persisted time.
    this.maxMs = this.anchorClusterMs;
  }

  /** Rebuilds a clock from the output of state(). */
  static fromState(state: ScaledClockState, realNow?: () => number): ScaledClock {
    return realNow === undefined ? new ScaledClock({ ...state }) : new ScaledClock({ ...state, realNow });
  }

  /** Cluster ms that pass per real ms. */
  get speed(): number {
    return this.currentSpeed;
  }

  private raw(): number {
    const t = this.anchorClusterMs + (this.realNow() - this.anchorRealMs) * this.currentSpeed;
    if (t > this.maxMs) this.maxMs = t;
    return this.maxMs;
  }

  /** Current cluster time in whole Unix ms. */
  now(): number {
    return Math.floor(this.raw());
  }

  /** Changes the speed from this instant on; re-anchors so cluster time does not jump. */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    this.anchorClusterMs = this.raw();
    this.anchorRealMs = this.realNow();
    this.currentSpeed = speed;
  }

  /** The anchors for persistence, taken at this instant so a restore never goes back in time. */
  state(): ScaledClockState {
    return { speed: this.currentSpeed, anchorClusterMs: this.raw(), anchorRealMs: this.realNow() };
  }
}

/** A clock that moves only when told to, for tests. */
export class ManualClock implements ClusterClock {
  /** Always 1: manual time has no relation to real time. */
  readonly speed = 1;
  private current: number;

  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    checkFinite('startMs', startMs);
    this.current = startMs;
  }

  /** Current cluster time in Unix ms. */
  now(): number {
    return this.current;
  }

  /** Moves time forward by ms (0 allowed; negative refused, since clocks never go back). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new PitrError(ErrorCode.InvalidArgument, `cannot advance the clock by ${ms} ms`);
    }
    this.current += ms;
  }

  /** Sets the time; refuses going backwards, which a ClusterClock must never do. */
  set(ms: number): void {
    checkFinite('time', ms);
    if (ms < this.current) {
      throw new PitrError(
        ErrorCode.InvalidArgument,
        `cannot set the clock back from ${this.current} to ${ms}`,
      );
    }
    this.current = ms;
  }
}
