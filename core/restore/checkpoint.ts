/**
 * The restore checkpoint, kept in the target cluster's PD (as br keeps its checkpoint in the
 * target since v7.1): which files are applied, so that the same command resumes a killed
 * restore instead of starting over.
 */
import type { Pd } from '../cluster/pd/pd.ts';

const ROOT = '/tidb/br-restore';

/** What a restore records about itself in the target. */
export interface RestoreInfo {
  id: string;
  log_storage: string; // redacted
  snapshot_storage: string; // redacted
  restored_ts: string;
  snapshot_ts: string;
  cluster_id: string;
  started_at: string;
  finished_at: string | null;
  /** The snapshot phase's per-table checksum verification, kept for a resumed run's report. */
  snapshot_verification: unknown;
}

/** The checkpoint of one restore in its target. */
export class RestoreCheckpoint {
  private readonly done = new Set<string>();

  constructor(
    private readonly pd: Pd,
    readonly id: string,
  ) {
    for (const e of pd.metaScan(`${ROOT}/${id}/done/`)) this.done.add(e.key.slice(`${ROOT}/${id}/done/`.length));
  }

  /** Every restore recorded in a target. */
  static all(pd: Pd): RestoreInfo[] {
    return pd
      .metaScan(`${ROOT}/`)
      .filter((e) => e.key.endsWith('/info'))
      .map((e) => JSON.parse(e.value.toString('utf8')) as RestoreInfo);
  }

  /** The recorded info, or null when this restore never ran here. */
  info(): RestoreInfo | null {
    const raw = this.pd.metaGet(`${ROOT}/${this.id}/info`);
    return raw ? (JSON.parse(raw.toString('utf8')) as RestoreInfo) : null;
  }

  /** Records the info. */
  saveInfo(info: RestoreInfo): void {
    this.pd.metaPut(`${ROOT}/${this.id}/info`, JSON.stringify(info));
  }

  /** True when the unit (a file or a block) was applied before. */
  isDone(unit: string): boolean {
    return this.done.has(unit);
  }

  /** Records an applied unit (after its writes are committed in the stores). */
  markDone(unit: string): void {
    this.done.add(unit);
    this.pd.metaPut(`${ROOT}/${this.id}/done/${unit}`, '1');
  }

  /** Number of applied units. */
  get doneCount(): number {
    return this.done.size;
  }
}
