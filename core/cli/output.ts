/** How commands print: one JSON document with --json, readable lines otherwise. */

/** A command's context: its output mode and where it writes. */
export interface Io {
  json: boolean;
  out: (line: string) => void;
}

/** The default Io, on stdout. */
export function stdIo(json: boolean): Io {
  return { json, out: (line) => process.stdout.write(line + '\n') };
}

/** Prints a result as JSON, or as the human text. */
export function emit(io: Io, result: unknown, human: () => string): void {
  io.out(io.json ? JSON.stringify(result) : human());
}

/** Formats rows as an aligned table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
