/**
 * The ClusterHost: owns every cluster of a data dir (the source and the ones restores create),
 * serves the host API and one PD endpoint per cluster on loopback, and brings everything back
 * after a restart. Runs in Electron's main process or headless (`pitr server`).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { Cluster } from '../cluster/cluster.ts';
import type { ClusterOptions } from '../cluster/cluster.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { describeZodError, requestSchemas } from '../contract/schemas.ts';
import type { Channel, Handlers } from '../contract/schemas.ts';
import type { EventChannel, ServerEvents } from '../contract/events.ts';
import { LogBackupService } from '../logbackup/service.ts';
import { MetricsHub } from '../metrics/hub.ts';
import type { MetricsHubOptions } from '../metrics/hub.ts';
import { METRICS_CONTENT_TYPE } from '../metrics/registry.ts';
import { RestoreService } from '../restore/service.ts';
import { snapshotService, startSnapshotScheduler, stopSnapshotScheduler } from '../snapshot/service.ts';
import type { SnapshotService } from '../snapshot/service.ts';
import { makeHandlers } from './api.ts';
import { ensureToken, readHostFile, removeHostFile, writeHostFile } from './data-dir.ts';
import { startApiServer } from './http-server.ts';
import type { ApiServer } from './http-server.ts';
import { defaultRendererDir, serveRenderer } from './web-page.ts';
import { SessionCodes } from './web-session.ts';

/** Options of a host. */
export interface HostOptions {
  dataDir: string;
  /** Port of the host API (0 or absent = any free port). */
  port?: number;
  /** Serve the renderer at / (web mode). */
  web?: boolean;
  /** The built renderer served in web mode (default: renderer-dist/ of the project). */
  rendererDir?: string;
  /** Cluster options applied to every cluster (tests inject clocks and scheduler settings). */
  clusterOptions?: ClusterOptions;
  /** Metrics sampling options (tests shorten the sampler tick). */
  metrics?: MetricsHubOptions;
}

interface Entry {
  cluster: Cluster;
  server: ApiServer;
  logBackup: LogBackupService;
}

/** A running host. */
export class ClusterHost {
  private readonly entries = new Map<string, Entry>();
  private readonly handlers: Handlers;
  private api: ApiServer | null = null;
  private creating = new Set<string>();
  /** Restores into this host's clusters. */
  readonly restore = new RestoreService(this);
  /** Web mode's one-time sign-in codes. */
  private readonly sessionCodes = new SessionCodes();
  /** Metrics, their history and the alert states of every cluster. */
  readonly metrics: MetricsHub;

  private constructor(
    readonly dataDir: string,
    readonly token: string,
    private readonly opts: HostOptions,
  ) {
    this.handlers = makeHandlers(this);
    this.metrics = new MetricsHub(dataDir, opts.metrics);
  }

  /** Starts a host on a data dir: loads its clusters, then listens. */
  static async start(opts: HostOptions): Promise<ClusterHost> {
    const other = readHostFile(opts.dataDir);
    if (other && other.pid !== process.pid) {
      throw new PitrError(ErrorCode.InvalidArgument, `another host (pid ${other.pid}) already serves ${opts.dataDir} at ${other.url}; stop it first, or use another --data-dir`);
    }
    const host = new ClusterHost(opts.dataDir, ensureToken(opts.dataDir), opts);
    try {
      await host.loadClusters();
      host.api = await startApiServer({
        token: host.token,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        dispatch: (ch, body) => host.dispatch(ch, body),
        publicGet: (path, res) => host.publicGet(path, res),
        authedGet: (path, res) => host.metricsGet(path, res),
        subscribe: (send) => host.subscribe(send),
        ...(opts.web ? { webSocket: true, exchangeCode: (code: string) => (host.sessionCodes.redeem(code) ? host.token : null) } : {}),
      });
    } catch (err) {
      await host.close();
      throw err;
    }
    startSnapshotScheduler(host);
    writeHostFile(opts.dataDir, { url: host.url, pid: process.pid, started_at: new Date().toISOString() });
    return host;
  }

  /** The host API's base URL. */
  get url(): string {
    return `http://127.0.0.1:${this.api?.port ?? 0}`;
  }

  private clustersDir(): string {
    return join(this.dataDir, 'clusters');
  }

  private async loadClusters(): Promise<void> {
    const dir = this.clustersDir();
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      if (!existsSync(join(dir, name, 'pd.db'))) continue;
      const cluster = await Cluster.open(name, join(dir, name), this.opts.clusterOptions);
      const logBackup = new LogBackupService(cluster);
      await logBackup.init();
      this.entries.set(name, { cluster, server: await this.servePd(cluster), logBackup });
      this.metrics.addCluster(cluster, logBackup);
    }
  }

  /** Starts a cluster's PD endpoint, on the port it had before when that port is free. */
  private async servePd(cluster: Cluster): Promise<ApiServer> {
    const saved = Number(cluster.pd.getSetting('pd_port') ?? '0');
    const start = (port: number) =>
      startApiServer({ token: this.token, port, dispatch: (ch, body) => this.dispatch(ch, body, cluster.name), subscribe: (send) => this.subscribe(send), authedGet: (path, res) => this.metricsGet(path, res, cluster.name) });
    let server: ApiServer;
    try {
      server = await start(saved);
    } catch {
      server = await start(0);
    }
    cluster.pd.setSetting('pd_port', String(server.port));
    return server;
  }

  private publicGet(path: string, res: ServerResponse): boolean {
    if (!this.opts.web) return false;
    return serveRenderer(this.opts.rendererDir ?? defaultRendererDir(), path, res);
  }

  /** A single-use sign-in code for the web app (`<url>/#code=CODE`); web mode only. */
  issueSessionCode(): string {
    if (!this.opts.web) throw new PitrError(ErrorCode.InvalidArgument, 'sign-in codes exist only in web mode: start the host with `pitr server --web`');
    return this.sessionCodes.issue();
  }

  /** `GET /metrics` (token required): every cluster on the host, one cluster on its PD endpoint. */
  private async metricsGet(path: string, res: ServerResponse, cluster?: string): Promise<boolean> {
    if (path !== '/metrics') return false;
    const text = await this.metrics.scrape(cluster);
    res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
    res.end(text);
    return true;
  }

  /** Subscribes to every push of the host (`ServerEvents`); returns the unsubscribe function. */
  subscribe<K extends EventChannel>(send: (channel: K, data: ServerEvents[K]) => void): () => void {
    const onRestore = (s: ServerEvents['restore:progress']) => send('restore:progress' as K, s as ServerEvents[K]);
    const onMetrics = (ch: keyof ServerEvents, data: unknown) => send(ch as K, data as ServerEvents[K]);
    const onBackup = (s: ServerEvents['backup:progress']) => send('backup:progress' as K, s as ServerEvents[K]);
    let snapshots: SnapshotService | null = null;
    try {
      snapshots = snapshotService(this);
    } catch {
      snapshots = null; // the host is closing: no more snapshot runs to follow
    }
    this.restore.listeners.add(onRestore);
    this.metrics.listeners.add(onMetrics);
    snapshots?.listeners.add(onBackup);
    return () => {
      this.restore.listeners.delete(onRestore);
      this.metrics.listeners.delete(onMetrics);
      snapshots?.listeners.delete(onBackup);
    };
  }

  /** Validates a request against its channel's schema and runs it. */
  async dispatch(channel: string, body: unknown, impliedCluster?: string): Promise<unknown> {
    if (!(channel in requestSchemas)) {
      throw new PitrError(ErrorCode.NotFound, `unknown API channel "${channel}"; the channels are ${Object.keys(requestSchemas).join(', ')}`);
    }
    const ch = channel as Channel;
    const raw = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : body;
    if (impliedCluster !== undefined && typeof raw === 'object' && raw !== null && 'cluster' in requestSchemas[ch].shape) {
      (raw as Record<string, unknown>).cluster = impliedCluster;
    }
    const parsed = requestSchemas[ch].safeParse(raw);
    if (!parsed.success) throw new PitrError(ErrorCode.InvalidArgument, `invalid ${channel} request: ${describeZodError(parsed.error)}`);
    const handler = this.handlers[ch] as (input: unknown) => Promise<unknown>;
    return handler(parsed.data);
  }

  /** A cluster by name, or a clear error. */
  cluster(name: string | undefined): Cluster {
    if (name === undefined) {
      throw new PitrError(ErrorCode.InvalidArgument, 'no cluster named: pass --pd 127.0.0.1:PORT (see `pitr cluster list`)');
    }
    const e = this.entries.get(name);
    if (!e) throw new PitrError(ErrorCode.ClusterNotFound, `cluster "${name}" does not exist; see \`pitr cluster list\``);
    return e.cluster;
  }

  /** The log backup service of a cluster. */
  logBackup(name: string): LogBackupService {
    const e = this.entries.get(name);
    if (!e) throw new PitrError(ErrorCode.ClusterNotFound, `cluster "${name}" does not exist; see \`pitr cluster list\``);
    return e.logBackup;
  }

  /** The PD address of a cluster. */
  pdAddress(name: string): string {
    const e = this.entries.get(name);
    return e ? `127.0.0.1:${e.server.port}` : '';
  }

  /** Every cluster, by name. */
  clusters(): Cluster[] {
    return [...this.entries.values()].map((e) => e.cluster);
  }

  /** Creates and starts a cluster; the name defaults to the first free `cluster-N`. */
  async createCluster(name: string | undefined, stores: number): Promise<Cluster> {
    let n = name;
    if (n === undefined) {
      for (let i = 1; ; i++) {
        if (!this.entries.has(`cluster-${i}`) && !this.creating.has(`cluster-${i}`) && !existsSync(join(this.clustersDir(), `cluster-${i}`))) {
          n = `cluster-${i}`;
          break;
        }
      }
    }
    if (this.entries.has(n) || this.creating.has(n) || existsSync(join(this.clustersDir(), n))) {
      throw new PitrError(ErrorCode.ClusterExists, `a cluster named "${n}" already exists; choose another --name or destroy it first`);
    }
    this.creating.add(n);
    try {
      mkdirSync(this.clustersDir(), { recursive: true });
      const cluster = await Cluster.create(n, join(this.clustersDir(), n), stores, this.opts.clusterOptions);
      const logBackup = new LogBackupService(cluster);
      this.entries.set(n, { cluster, server: await this.servePd(cluster), logBackup });
      this.metrics.addCluster(cluster, logBackup);
      return cluster;
    } catch (err) {
      if (!this.entries.has(n)) rmSync(join(this.clustersDir(), n), { recursive: true, force: true });
      throw err;
    } finally {
      this.creating.delete(n);
    }
  }

  /** Stops a cluster and deletes its files. */
  async destroyCluster(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e) throw new PitrError(ErrorCode.ClusterNotFound, `cluster "${name}" does not exist; see \`pitr cluster list\``);
    this.entries.delete(name);
    this.metrics.removeCluster(name, true);
    e.logBackup.close();
    await e.server.close();
    await e.cluster.close();
    rmSync(join(this.clustersDir(), name), { recursive: true, force: true });
  }

  /** Stops every cluster and server; the data stays. */
  async close(): Promise<void> {
    await stopSnapshotScheduler(this);
    await this.api?.close();
    for (const e of this.entries.values()) {
      e.logBackup.close();
      await e.server.close();
      await e.cluster.close();
    }
    this.entries.clear();
    this.metrics.close();
    removeHostFile(this.dataDir, process.pid);
  }
}
