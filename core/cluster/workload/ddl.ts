/**
 * The DDL workload: a schema that keeps changing, one step per transaction in a cycle: create
 * `ddl.t_<n>`, fill it with a few rows, and drop the oldest table once more than three exist
 * (its rows go to mysql.gc_delete_range, as TiDB's DROP TABLE does). A restore must replay
 * these schema changes in order with the data around them.
 */
import { encodeRow } from '../catalog/catalog.ts';
import type { TableDef, TableInfo } from '../catalog/catalog.ts';
import { rowKey } from '../catalog/keys.ts';
import type { Cluster } from '../cluster.ts';
import { ErrorCode, PitrError } from '../../errors.ts';
import type { Step, StepContext, StepResult } from './runner.ts';

/** The database the DDL workload owns. */
export const DDL_DB = 'ddl';
// Schema changes are rare next to DML; two a second is already a very busy DBA.
export const DEFAULT_DDL_RATE = 2;
// Tables kept alive: enough for a restore to have several, few enough that drops keep coming.
const KEEP_TABLES = 3;
// Rows per table: a dropped table must have data for GC's delete-range to matter.
const ROWS_PER_TABLE = 10;
const TABLE_NAME = /^t_(\d+)$/;

type Phase = 'create' | 'insert' | 'drop';

const tableDef = (name: string): TableDef => ({
  name,
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'v', type: 'varchar' },
  ],
});

/** The state of the create / insert / drop cycle. */
export class DdlCycle {
  private tables: Array<{ n: number; name: string }> = [];
  private next = 1;
  private phase: Phase = 'create';
  private current: TableInfo | null = null;
  // DDL runs one job at a time, as TiDB's DDL owner does: steps queue here whatever the concurrency.
  private chain: Promise<unknown> = Promise.resolve();
  private created = 0;
  private dropped = 0;

  constructor(private readonly cluster: Cluster) {}

  /** Learns the ddl tables left by earlier runs, so numbering continues and they get dropped too. */
  async load(): Promise<void> {
    const db = await this.cluster.catalog.createDatabase(DDL_DB);
    const found: Array<{ n: number; name: string }> = [];
    for (const t of await this.cluster.catalog.tables(this.cluster.pd.tso(), db.id)) {
      const m = TABLE_NAME.exec(t.name);
      if (m) found.push({ n: Number(m[1]), name: t.name });
    }
    this.tables = found.sort((a, b) => a.n - b.n);
    this.next = (this.tables.at(-1)?.n ?? 0) + 1;
    this.phase = this.tables.length > KEEP_TABLES ? 'drop' : 'create';
  }

  /** The step: the next DDL of the cycle, after the previous one finished. */
  readonly step: Step = (ctx) => {
    const run = this.chain.then(() => this.advance(ctx));
    this.chain = run.catch(() => undefined);
    return run;
  };

  /** Facts for the status. */
  detail(): Record<string, unknown> {
    return { tables: this.tables.map((t) => `${DDL_DB}.${t.name}`), created: this.created, dropped: this.dropped, next_step: this.phase };
  }

  private afterChange(): Phase {
    return this.tables.length > KEEP_TABLES ? 'drop' : 'create';
  }

  private async advance(ctx: StepContext): Promise<StepResult> {
    if (this.phase === 'create') {
      const name = `t_${this.next}`;
      this.current = await this.cluster.catalog.createTable(DDL_DB, tableDef(name));
      this.tables.push({ n: this.next, name });
      this.next++;
      this.created++;
      this.phase = 'insert';
      return 'committed';
    }
    if (this.phase === 'insert') {
      const t = this.current;
      if (t) {
        await ctx.transact(async (txn) => {
          for (let id = 1; id <= ROWS_PER_TABLE; id++) txn.put(rowKey(t.id, id), encodeRow({ id, v: `${t.name} row ${id}` }));
        });
      }
      this.phase = this.afterChange();
      return t ? 'committed' : 'skipped';
    }
    const oldest = this.tables[0];
    if (!oldest) {
      this.phase = 'create';
      return 'skipped';
    }
    let result: StepResult = 'committed';
    try {
      await this.cluster.catalog.dropTable(DDL_DB, oldest.name);
      this.dropped++;
    } catch (err) {
      // Someone dropped it by hand: nothing left to do for this table.
      if (!(err instanceof PitrError && err.code === ErrorCode.NotFound)) throw err;
      result = 'skipped';
    }
    this.tables.shift();
    if (this.current?.name === oldest.name) this.current = null;
    this.phase = this.afterChange();
    return result;
  }
}

/** Loads the cycle's state and returns its step. */
export async function prepareDdl(cycle: DdlCycle): Promise<Step> {
  await cycle.load();
  return cycle.step;
}
