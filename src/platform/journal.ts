/**
 * A journal of lines on local disk, for what must outlive the process that has it in memory (the
 * hub's audit records: hub/http/audit-writer.ts). Each line is appended with one synchronous
 * write(2) and no fsync: once `append` returns, the line is in the operating system's page cache and
 * survives the process being killed (`kill -9`, the OOM killer, a crash), not the machine losing
 * power or the operating system crashing before the cache is written out.
 *
 * A journal is a folder of segments, each named by the byte position it starts at (16 digits), so a
 * position is one number across segments: "everything before byte P is taken care of". The writer
 * rolls to a new segment past `segmentBytes`, and deletes the segments wholly before a position it
 * is told (`release`). Each journal belongs to one process, which holds its lock (the operating
 * system's, platform/db/data-lock.ts: the kernel drops it however the process ends), so another
 * process on the same folder tells a journal whose process is gone — an orphan, to be read back and
 * removed — from one that is being written, without guessing from a PID.
 *
 * A line cut short by a crash mid-write has no newline: read back, it is skipped with a warning.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isRefusal } from '../domain/refusal.ts';
import { type DataLock, lockDataDir, lockPathOf } from './db/data-lock.ts';
import { log } from './log.ts';

/** 64 MiB: about 200,000 audit records of ~300 bytes, a few minutes of a busy hub. */
export const defaultSegmentBytes = 64 * 1024 * 1024;

const segmentPattern = /^(\d{16})\.jsonl$/;
/** A journal's folder: its process's start time, PID and a random part (anything else is left alone). */
const journalPattern = /^\d{8}T\d{9}Z-\d+-[0-9a-f]{6}$/;
const segmentName = (start: number) => `${String(start).padStart(16, '0')}.jsonl`;

export interface JournalLine {
  readonly text: string;
  /** The position just after this line (its newline included). */
  readonly end: number;
}

export interface JournalRead {
  readonly lines: JournalLine[];
  /** Where the next read goes on: after the last line given, or after a torn line skipped. */
  readonly next: number;
}

export class Journal {
  /** The journal's name among its folder's, unique to one process's life. */
  readonly id: string;
  readonly dir: string;
  readonly #lock: DataLock;
  readonly #segmentBytes: number;
  /** The starts of the segments on disk, ascending. */
  readonly #segments: number[];
  /** The last segment, open for appending (a journal being written; none once broken or an orphan). */
  #fd: number | undefined;
  #position: number;
  /** Whether this process appends to it (its own journal, not yet closed). */
  #writable: boolean;
  #closed = false;
  #broken = false;

  private constructor(id: string, dir: string, lock: DataLock, segments: number[], position: number, writable: boolean, segmentBytes: number) {
    this.id = id;
    this.dir = dir;
    this.#lock = lock;
    this.#segments = segments;
    this.#position = position;
    this.#writable = writable;
    this.#segmentBytes = segmentBytes;
  }

  /** A new journal of this process in `root`, locked for as long as this process lives. */
  static create(root: string, options: { segmentBytes?: number } = {}): Journal {
    mkdirSync(root, { recursive: true });
    const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const dir = join(root, id);
    const lock = lockDataDir(dir, 'audit journal');
    try {
      mkdirSync(dir);
      const journal = new Journal(id, dir, lock, [], 0, true, options.segmentBytes ?? defaultSegmentBytes);
      journal.#openSegment();
      if (journal.#fd === undefined) throw new Error(`cannot create a segment in ${dir}`);
      return journal;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * The journals in `root` whose process has ended (their lock was free, and is now this process's):
   * to be read back and removed. A journal still being written by a live process is left alone.
   */
  static orphans(root: string): Journal[] {
    if (!existsSync(root)) return [];
    const found: Journal[] = [];
    const entries = readdirSync(root, { withFileTypes: true });
    const dirs = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
    for (const entry of entries) {
      const name = entry.isDirectory() ? entry.name : entry.name.replace(/\.lock$/, '');
      const lockOfNoJournal = entry.isFile() && entry.name.endsWith('.lock') && !dirs.has(name);
      if (!journalPattern.test(name) || (!entry.isDirectory() && !lockOfNoJournal)) continue;
      const dir = join(root, name);
      let lock: DataLock;
      try {
        lock = lockDataDir(dir, 'audit journal replay');
      } catch (error) {
        if (isRefusal(error) && error.code === 'DB_DATA_DIR_LOCKED') continue; // its process lives
        throw error;
      }
      if (!existsSync(dir)) {
        // Left by a process that ended while removing its journal: only the lock file remained.
        lock.release();
        rmSync(lockPathOf(dir), { force: true });
        continue;
      }
      const segments = readdirSync(dir)
        .map((name) => segmentPattern.exec(name)?.[1])
        .filter((start): start is string => start !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      const last = segments.at(-1);
      const position = last === undefined ? 0 : last + sizeOf(join(dir, segmentName(last)));
      found.push(new Journal(basename(dir), dir, lock, segments, position, false, defaultSegmentBytes));
    }
    return found;
  }

  /** The position after the last byte appended. */
  get position(): number {
    return this.#position;
  }

  /** How many segments are on disk. */
  get segmentCount(): number {
    return this.#segments.length;
  }

  /**
   * Appends `text` (one line: no newline in it) and returns the position after it, once it is in the
   * operating system's hands; undefined if the disk refused it (full, gone): the failure is logged
   * (once, until a write succeeds again) and the next append opens a new segment, so that a line cut
   * short ends its segment and is skipped when read back.
   */
  append(text: string): number | undefined {
    if (this.#closed) {
      log('error', 'journal', `a line for the journal ${this.dir}, closed already, is not written`);
      return undefined;
    }
    if (!this.#writable) throw new Error(`journal ${this.id} is not this process's to write`);
    if (this.#fd === undefined) this.#openSegment();
    const fd = this.#fd;
    if (fd === undefined) return undefined;
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch (error) {
      this.#position += written;
      this.#closeSegment();
      this.#fail(error);
      return undefined;
    }
    this.#position += bytes.length;
    if (this.#broken) {
      this.#broken = false;
      log('info', 'journal', `journal ${this.dir} is written again`);
    }
    if (this.#position - this.#segments.at(-1)! >= this.#segmentBytes) {
      this.#closeSegment();
      this.#openSegment();
    }
    return this.#position;
  }

  /**
   * Up to `maxLines` whole lines from position `from`, not past `upTo` (default: all there is). A
   * segment's last bytes without a newline (a write cut short) are skipped with a warning.
   */
  read(from: number, maxLines: number, upTo = this.#position): JournalRead {
    const lines: JournalLine[] = [];
    let at = from;
    let chunkBytes = 1024 * 1024;
    while (lines.length < maxLines && at < upTo) {
      let i = this.#segments.length - 1;
      while (i > 0 && this.#segments[i]! > at) i--;
      const start = this.#segments[i];
      if (start === undefined || start > at) throw new Error(`journal ${this.dir} has no segment at position ${at}`);
      const segmentEnd = this.#segments[i + 1] ?? this.#position;
      const limit = Math.min(segmentEnd, upTo);
      const buffer = Buffer.allocUnsafe(Math.min(limit - at, chunkBytes));
      const path = join(this.dir, segmentName(start));
      const fd = openSync(path, 'r');
      let got: number;
      try {
        got = readSync(fd, buffer, 0, buffer.length, at - start);
      } finally {
        closeSync(fd);
      }
      if (got === 0) throw new Error(`journal ${path} ends before position ${at}`);
      let lineStart = 0;
      while (lines.length < maxLines) {
        const newline = buffer.indexOf(10, lineStart);
        if (newline < 0 || newline >= got) break;
        lines.push({ text: buffer.toString('utf8', lineStart, newline), end: at + newline + 1 });
        lineStart = newline + 1;
      }
      if (lineStart > 0) {
        at += lineStart;
      } else if (at + got < limit) {
        chunkBytes *= 2; // a line longer than the chunk
      } else if (limit === segmentEnd) {
        log('warn', 'journal', `skipped ${limit - at} bytes at the end of ${path}: a line cut short (the process ended while writing it)`);
        at = limit;
      } else {
        break; // the line goes on past upTo: not to be read yet
      }
    }
    return { lines, next: at };
  }

  /** Deletes the segments that end at or before `position` (never the last one). */
  release(position: number): void {
    while (this.#segments.length > 1 && this.#segments[1]! <= position) {
      rmSync(join(this.dir, segmentName(this.#segments[0]!)), { force: true });
      this.#segments.shift();
    }
  }

  /** Closes the journal and lets another process take it over, leaving its files. */
  close(): void {
    this.#closed = true;
    this.#closeSegment();
    this.#lock.release();
  }

  /** Closes the journal and deletes it: everything in it is taken care of. */
  remove(): void {
    this.#closed = true;
    this.#closeSegment();
    rmSync(this.dir, { recursive: true, force: true });
    this.#lock.release();
    rmSync(lockPathOf(this.dir), { force: true });
  }

  #openSegment(): void {
    const start = this.#position;
    // A segment nothing was written to since it was opened is opened again, not made anew.
    const again = this.#segments.at(-1) === start;
    try {
      this.#fd = openSync(join(this.dir, segmentName(start)), again ? 'a' : 'wx', 0o600);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!again) this.#segments.push(start);
  }

  #closeSegment(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // The descriptor is gone either way.
    }
  }

  #fail(error: unknown): void {
    if (this.#broken) return;
    this.#broken = true;
    log('error', 'journal', `cannot write the journal ${this.dir}: ${(error as Error).message}`);
  }
}

function sizeOf(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}
