/**
 * The page served at / in web mode until the renderer lands: what is running and how to reach
 * it. No script runs on it (its CSP forbids scripts).
 */
import type { ClusterHost } from './host.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The web-mode placeholder page. */
export function placeholderPage(host: ClusterHost): string {
  const rows = host
    .clusters()
    .map((c) => `<tr><td>${esc(c.name)}</td><td><code>${esc(host.pdAddress(c.name))}</code></td><td>${c.stores().length}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PiTR Studio</title>
<style>body{font:15px system-ui,sans-serif;margin:3rem auto;max-width:46rem;color:#1d2330}code{background:#eef1f6;padding:0 .3em}td,th{padding:.3em 1em;text-align:left}</style></head>
<body><h1>PiTR Studio</h1>
<p>The host is running (web mode). The desktop pages arrive with the app; meanwhile drive the lab with the <code>pitr</code> command line:</p>
<pre><code>npx pitr cluster create --name demo --stores 3
npx pitr workload start --pd 127.0.0.1:PORT --kind bank
npx pitr tso --pd 127.0.0.1:PORT</code></pre>
<h2>Clusters</h2>
${rows ? `<table><tr><th>name</th><th>PD</th><th>stores</th></tr>${rows}</table>` : '<p>No cluster yet.</p>'}
<p>Data dir: <code>${esc(host.dataDir)}</code></p></body></html>`;
}
