/**
 * Reading the files a config names (the config itself, password files) and plan files without trusting
 * them: only regular files (`/dev/zero` would grow without end, a FIFO would block until
 * someone writes to it), of bounded size, in UTF-8 (a stray Latin-1 byte is an error at its
 * line and column, not a silent U+FFFD in a role name or a password).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Largest config file pgward reads: far above any real one (64k roles take ~5 MB). */
export const MAX_CONFIG_BYTES = 128 * 1024 * 1024;

/**
 * Largest plan file `apply PLANFILE` reads: a plan carries its changes and fingerprints, a
 * few times the config's size at most, so twice the config's bound.
 */
export const MAX_PLAN_FILE_BYTES = 2 * MAX_CONFIG_BYTES;

/** Largest password file: a password, or a SCRAM verifier, and a newline. */
export const MAX_PASSWORD_FILE_BYTES = 64 * 1024;

export type FileRead =
  | { readonly text: string }
  | {
      readonly reason: string;
      /** The errno code when the file could not be opened (ENOENT, ...). */
      readonly code?: string;
      /** Where the first byte that is not UTF-8 is (1-based). */
      readonly line?: number;
      readonly column?: number;
    };

/** Why a file could not be opened, in words. */
export function openFailure(code: string | undefined): string {
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? 'unreadable';
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'it is a directory';
  if (stats.isFIFO()) return 'it is a named pipe (FIFO), not a regular file';
  if (stats.isCharacterDevice()) return 'it is a character device, not a regular file';
  if (stats.isBlockDevice()) return 'it is a block device, not a regular file';
  if (stats.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

function tooLarge(maxBytes: number): string {
  return `it is larger than ${maxBytes} bytes, the most pgward reads for it`;
}

/** The byte offset of the first byte that is not part of valid UTF-8, or -1. */
function firstInvalidUtf8(bytes: Buffer, decoded: string): number {
  // The usual file has no U+FFFD at all: one native search instead of a walk per character
  // (~30 ms for a 40,000-table config).
  if (!decoded.includes('\uFFFD')) return -1;
  let offset = 0;
  for (const char of decoded) {
    // U+FFFD is what the decoder puts for bad bytes; a real one is written EF BF BD.
    if (
      char === '\uFFFD' &&
      !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)
    )
      return offset;
    offset += Buffer.byteLength(char, 'utf8');
  }
  return -1;
}

/**
 * Reads `path` as UTF-8 text if it is a regular file of at most `maxBytes` bytes. Opened
 * non-blocking, so that a FIFO is refused instead of waiting for a writer.
 */
export function readTextFile(path: string, maxBytes: number): FileRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: openFailure(code), ...(code === undefined ? {} : { code }) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { reason: kindOf(stats) };
    if (stats.size > maxBytes) return { reason: tooLarge(maxBytes) };
    // The file may grow while it is read: read at most one byte past the limit.
    const buffer = Buffer.alloc(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) return { reason: tooLarge(maxBytes) };
    const bytes = buffer.subarray(0, length);
    const text = bytes.toString('utf8');
    const bad = firstInvalidUtf8(bytes, text);
    if (bad < 0) return { text };
    const before = bytes.subarray(0, bad).toString('utf8').split('\n');
    const line = before.length;
    const column = (before[line - 1] ?? '').length + 1;
    return {
      reason: `it is not UTF-8 text: byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at line ${line}, column ${column} (save it as UTF-8)`,
      line,
      column,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: openFailure(code), ...(code === undefined ? {} : { code }) };
  } finally {
    closeSync(fd);
  }
}
