/** `pitr server`: a headless host in the foreground. */
import { ClusterHost } from '../host/host.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { intFlag, parseFlags } from './args.ts';

/** Help text of `pitr server`. */
export const SERVER_HELP = `pitr server [--data-dir D] [--port P] [--web]
  Runs a headless host in the foreground. When ready it prints one JSON line:
  {"event":"ready","url":"http://127.0.0.1:P","data_dir":"D"}
  With --web the line also has "app_url": the app's address with a one-time sign-in code.
  --port P   port of the host API (default: any free port)
  --web      also serve the app's pages at / (web mode)`;

/** Runs the host until SIGINT/SIGTERM. */
export async function serverCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('server', argv, { port: { type: 'string' }, web: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(SERVER_HELP + '\n');
    return 0;
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const port = intFlag('port', values.port);
  const host = await ClusterHost.start({ dataDir, ...(port !== undefined ? { port } : {}), web: values.web ?? false });
  const app = values.web ? { app_url: `${host.url}/#code=${host.issueSessionCode()}` } : {};
  process.stdout.write(JSON.stringify({ event: 'ready', url: host.url, data_dir: dataDir, ...app }) + '\n');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) {
        process.exit(1); // a second signal: give up on a clean shutdown
      }
      stopping = true;
      host.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
