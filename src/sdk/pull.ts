/**
 * `kirikae pull`'s work, usable from a retailer's own code too (HALFHOURLY.md B12): bring a folder up
 * to date with an area's data provision site. Safe to run every 5 minutes from cron:
 *
 * - lists the site's files (the JSON twin), narrowed by kinds and target day;
 * - downloads each file not yet held intact into `DIR/NAME.part`, resuming what an interrupted run
 *   left there (Range), checks size and SHA-256, then renames it to `DIR/NAME` and unzips its XML
 *   beside it (`DIR/NAME.xml`; a CSV report `STD_….csv` is kept as it is); a file held intact is not
 *   fetched again;
 * - keeps `DIR/state.json` (what is held, with its SHA-256), rewritten atomically after each file,
 *   so a run killed at any point loses at most the file it was fetching (and keeps its part);
 * - reports revisions that supersede files already held.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { PpsClient, PpsFileInfo } from './pps.ts';

export interface PullOptions {
  /** File kinds (`W41110`, `W51220`, …, `STD_KEIYAKUKW`, …) or families (`W4`, `W5`) to fetch; all when empty. */
  readonly kinds?: readonly string[];
  /** Target days from (yyyy-mm-dd or yyyymmdd). */
  readonly from?: string;
  readonly onFile?: (event: { name: string; status: 'downloaded' | 'resumed'; size: number }) => void;
  readonly onProgress?: (name: string, held: number, size: number) => void;
  readonly onSuperseded?: (held: string, by: string) => void;
}

export interface PullState {
  readonly files: Record<string, { sha256: string; size: number; kind: string; target: string; revision: number }>;
}

export interface PullResult {
  readonly listed: number;
  readonly downloaded: string[];
  readonly superseded: { held: string; by: string }[];
}

const stateFile = 'state.json';

function readState(dir: string): PullState {
  const path = join(dir, stateFile);
  if (!existsSync(path)) return { files: {} };
  return JSON.parse(readFileSync(path, 'utf8')) as PullState;
}

function writeState(dir: string, state: PullState): void {
  const tmp = join(dir, `${stateFile}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, join(dir, stateFile));
}

function heldIntact(dir: string, state: PullState, file: PpsFileInfo): boolean {
  const held = state.files[file.name];
  const path = join(dir, file.name);
  return held !== undefined && held.sha256 === file.sha256 && existsSync(path) && statSync(path).size === file.size;
}

export async function pullFiles(client: PpsClient, dir: string, options: PullOptions = {}): Promise<PullResult> {
  mkdirSync(dir, { recursive: true });
  const state = readState(dir);
  const from = options.from?.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
  const { files } = await client.list(from ? { from } : {});
  const wanted = files.filter((f) => !options.kinds?.length || options.kinds.some((k) => (k === 'W4' || k === 'W5' ? f.kind.startsWith(k) : f.kind === k)));
  const downloaded: string[] = [];
  const superseded: { held: string; by: string }[] = [];
  // Ordered by revision, then section (the public importers' order, A3).
  for (const file of [...wanted].sort((a, b) => a.revision - b.revision || a.section - b.section || a.name.localeCompare(b.name))) {
    if (file.supersededBy && state.files[file.name] && !state.files[file.supersededBy]) {
      superseded.push({ held: file.name, by: file.supersededBy });
      options.onSuperseded?.(file.name, file.supersededBy);
    }
    if (heldIntact(dir, state, file)) continue;
    const part = join(dir, `${file.name}.part`);
    const resumed = existsSync(part) && statSync(part).size > 0;
    await client.downloadTo(part, file, file.name, (held, size) => options.onProgress?.(file.name, held, size));
    renameSync(part, join(dir, file.name));
    // A BP file is a ZIP of one XML, unzipped beside it; a CSV report is held as it came.
    if (file.name.endsWith('.zip'))
      for (const [entry, bytes] of Object.entries(unzipSync(readFileSync(join(dir, file.name))))) writeFileSync(join(dir, entry.replace(/[/\\]/g, '_')), bytes);
    state.files[file.name] = { sha256: file.sha256, size: file.size, kind: file.kind, target: file.target, revision: file.revision };
    writeState(dir, state);
    downloaded.push(file.name);
    options.onFile?.({ name: file.name, status: resumed ? 'resumed' : 'downloaded', size: file.size });
  }
  writeState(dir, state);
  return { listed: wanted.length, downloaded, superseded };
}
