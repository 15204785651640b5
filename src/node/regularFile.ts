import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Ske2GridError, describe } from '../errors.js';

/** A regular file opened by {@link openRegularFile}: its handle and its size in bytes at open time. */
export interface OpenedRegularFile {
  /** Read-only handle; the caller closes it. */
  handle: FileHandle;
  /** Size in bytes (from `fstat` of the opened file). */
  size: number;
}

/** Options of {@link openRegularFile} and {@link readRegularFile}. */
export interface RegularFileOptions {
  /** Largest accepted size in bytes; default no bound. */
  maxBytes?: number;
  /** Name of the bound for the message (e.g. `'LIMITS.maxModelJsonBytes'`); default none. */
  limitName?: string;
}

/**
 * Opens `path` for reading without blocking (`O_NONBLOCK`, so a FIFO cannot hang the call) and checks,
 * on the opened file itself, that it is a regular file (not a directory, device, FIFO or socket,
 * also through a symbolic link) of at most `maxBytes` bytes. `what` names the file in errors; every
 * failure is a {@link Ske2GridError} and leaves no handle open.
 */
export async function openRegularFile(path: string, what: string, options: RegularFileOptions = {}): Promise<OpenedRegularFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Ske2GridError(`${what}: expected a readable file, got ${err.code ?? err.message} (${describe(path)})`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Ske2GridError(`${what}: expected a regular file, got ${fileKind(st)} (${describe(path)})`);
    const max = options.maxBytes;
    if (max !== undefined && st.size > max) {
      const limit = options.limitName ? ` (${options.limitName})` : '';
      throw new Ske2GridError(`${what}: expected at most ${max} bytes${limit}, got ${st.size} bytes (${describe(path)})`);
    }
    return { handle, size: st.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes (checked with {@link openRegularFile} before
 * anything is read or allocated); fails if the file changed size while being read.
 */
export async function readRegularFile(path: string, what: string, options: RegularFileOptions = {}): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path, what, options);
  try {
    const data = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(data, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done !== size) throw new Ske2GridError(`${what}: expected ${size} bytes (its size when opened), got ${done} (file changed while read)`);
    return data;
  } finally {
    await handle.close();
  }
}

function fileKind(st: { isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'something else';
}
