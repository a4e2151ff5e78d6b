/**
 * A deterministic ZIP of one entry, written as a stream: the bytes of the entry go in, the bytes of
 * the archive come out, and nothing is held but zlib's window. The same name, time and content give
 * the same bytes every time (HALFHOURLY.md B9):
 *
 * - one entry, Deflate (method 8) at the given level, DOS time from `modifiedAt` read in Japan time;
 * - sizes and CRC-32 after the data (general purpose flag bit 3, a data descriptor with signature),
 *   since a stream does not know them before; no extra fields, no comment; UTF-8 name flag (bit 11);
 * - no ZIP64: an entry of 4 GiB or more is refused (a section is sized to stay far below).
 *
 * Compression is Node's zlib (native), CRC-32 `zlib.crc32`. Readers (fflate, unzip, the JDK) take
 * these files as they take any: the data descriptor is in APPNOTE since 2.0.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { constants, crc32, createDeflateRaw, deflateRawSync, type DeflateRaw, type ZlibOptions } from 'node:zlib';

const jstOffsetMs = 9 * 3_600_000;
const limit = 0xffff_ffff;

/** MS-DOS date and time (2-second resolution) of an instant, as a clock in Japan shows it. */
export function dosDateTime(instant: Date): { date: number; time: number } {
  const t = new Date(instant.getTime() + jstOffsetMs);
  const year = Math.max(1980, t.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate(),
    time: (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | Math.floor(t.getUTCSeconds() / 2),
  };
}

export interface ZipEntryOptions {
  /** The entry's file name (ASCII or UTF-8). */
  readonly name: string;
  readonly modifiedAt: Date;
  /** Deflate level, default 6. */
  readonly level?: number;
  /**
   * Entries up to this many bytes are compressed in one call when the input ends (default 1 MiB):
   * a stream costs a few milliseconds of set-up and thread hops, a small file microseconds. The
   * bytes are the same either way (zlib's output does not depend on how its input was cut).
   */
  readonly bufferBytes?: number;
  /**
   * Called with each input chunk once the archive has no further use of it (its CRC taken, its bytes
   * compressed or copied), so that the producer may reuse its memory.
   */
  readonly consumed?: (chunk: Buffer) => void;
}

/** A Transform: entry bytes in, ZIP bytes out. */
export class SingleEntryZip extends Transform {
  readonly #name: Buffer;
  readonly #dos: { date: number; time: number };
  readonly #level: number;
  readonly #bufferBytes: number;
  readonly #consumed: ((chunk: Buffer) => void) | undefined;
  #deflate: DeflateRaw | undefined;
  #held: Buffer[] | undefined = [];
  #crc = 0;
  #size = 0;
  #compressed = 0;
  #written = 0;

  constructor(options: ZipEntryOptions) {
    super();
    this.#name = Buffer.from(options.name, 'utf8');
    this.#dos = dosDateTime(options.modifiedAt);
    this.#level = options.level ?? 6;
    this.#bufferBytes = options.bufferBytes ?? 1024 * 1024;
    this.#consumed = options.consumed;
    this.#emit(this.#localHeader());
  }

  #startStream(): DeflateRaw {
    // zlib works on the thread pool. With room for a few input chunks queued, a producer that gives
    // the event loop a turn between chunks (w4-files.ts `paced`) writes the next chunk while the
    // previous one is compressed: on two cores the two run side by side instead of taking turns.
    // (Node passes stream options on to the Transform; @types/node's ZlibOptions does not list them.)
    const options: ZlibOptions & { writableHighWaterMark: number } = {
      level: this.#level,
      chunkSize: 256 * 1024,
      strategy: constants.Z_DEFAULT_STRATEGY,
      writableHighWaterMark: 4 * 256 * 1024,
    };
    const deflate = createDeflateRaw(options);
    deflate.on('data', (chunk: Buffer) => {
      this.#compressed += chunk.length;
      this.#emit(chunk);
    });
    deflate.on('error', (error) => this.destroy(error));
    return deflate;
  }

  #release(chunks: readonly Buffer[]): void {
    if (this.#consumed) for (const chunk of chunks) this.#consumed(chunk);
  }

  #emit(chunk: Buffer): void {
    this.#written += chunk.length;
    this.push(chunk);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#crc = crc32(chunk, this.#crc);
    this.#size += chunk.length;
    if (this.#size >= limit) {
      callback(new RangeError('ZIP entry of 4 GiB or more (ZIP64 is not written)'));
      return;
    }
    if (this.#held) {
      this.#held.push(chunk);
      if (this.#size <= this.#bufferBytes) {
        callback();
        return;
      }
      // Too large to hold: stream from here on, the held input first (a copy: the chunks go back now).
      this.#deflate = this.#startStream();
      const held = Buffer.concat(this.#held);
      this.#release(this.#held);
      this.#held = undefined;
      this.#compress(held, undefined, callback);
      return;
    }
    this.#compress(chunk, this.#consumed, callback);
  }

  /** Writes to the deflate stream; `consumed` is told when zlib is done with the chunk. */
  #compress(chunk: Buffer, consumed: ((chunk: Buffer) => void) | undefined, callback: TransformCallback): void {
    const deflate = this.#deflate!;
    const written = consumed ? deflate.write(chunk, () => consumed(chunk)) : deflate.write(chunk);
    if (written) callback();
    else deflate.once('drain', () => callback());
  }

  override _flush(callback: TransformCallback): void {
    if (this.#held) {
      const compressed = deflateRawSync(Buffer.concat(this.#held), { level: this.#level });
      this.#release(this.#held);
      this.#held = undefined;
      this.#compressed = compressed.length;
      this.#emit(compressed);
      this.#finish();
      callback();
      return;
    }
    this.#deflate!.once('end', () => {
      this.#finish();
      callback();
    });
    this.#deflate!.end();
  }

  /** The data descriptor, the central directory and its end. */
  #finish(): void {
    {
      const centralOffset = this.#written + 16;
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(this.#crc >>> 0, 4);
      descriptor.writeUInt32LE(this.#compressed, 8);
      descriptor.writeUInt32LE(this.#size, 12);
      this.#emit(descriptor);
      const central = this.#centralHeader();
      this.#emit(central);
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(1, 8);
      end.writeUInt16LE(1, 10);
      end.writeUInt32LE(central.length, 12);
      end.writeUInt32LE(centralOffset, 16);
      this.#emit(end);
    }
  }

  /** General purpose flags: bit 3 (sizes after the data), bit 11 (UTF-8 name). */
  #flags(): number {
    return 0x0008 | 0x0800;
  }

  #localHeader(): Buffer {
    const h = Buffer.alloc(30 + this.#name.length);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed: 2.0 (deflate, data descriptor)
    h.writeUInt16LE(this.#flags(), 6);
    h.writeUInt16LE(8, 8);
    h.writeUInt16LE(this.#dos.time, 10);
    h.writeUInt16LE(this.#dos.date, 12);
    // CRC and sizes (14–25) are zero: they follow in the data descriptor.
    h.writeUInt16LE(this.#name.length, 26);
    this.#name.copy(h, 30);
    return h;
  }

  #centralHeader(): Buffer {
    const h = Buffer.alloc(46 + this.#name.length);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE(20, 4); // made by: MS-DOS, 2.0 (no Unix attributes: the same on every machine)
    h.writeUInt16LE(20, 6);
    h.writeUInt16LE(this.#flags(), 8);
    h.writeUInt16LE(8, 10);
    h.writeUInt16LE(this.#dos.time, 12);
    h.writeUInt16LE(this.#dos.date, 14);
    h.writeUInt32LE(this.#crc >>> 0, 16);
    h.writeUInt32LE(this.#compressed, 20);
    h.writeUInt32LE(this.#size, 24);
    h.writeUInt16LE(this.#name.length, 28);
    // extra, comment, disk, internal and external attributes: 0; local header offset: 0.
    this.#name.copy(h, 46);
    return h;
  }
}
