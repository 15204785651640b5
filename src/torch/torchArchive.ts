import { unzipSync, type UnzipFileInfo } from 'fflate';
import { Ske2GridError } from '../errors.js';

/** The records of a PyTorch zip checkpoint (torch >= 1.6) that a reader needs, by name inside the archive folder. */
export interface TorchArchive {
  /** The archive's top folder (`torch.save` names it after the file, or `archive`). */
  folder: string;
  /** `data.pkl`: the pickled object. */
  pickle: Uint8Array;
  /** The storages by key (`data/<key>`), raw bytes. */
  storages: Map<string, Uint8Array>;
  /** Byte order of the storages (`byteorder` record; little endian when absent, as PyTorch assumes). */
  byteOrder: 'little' | 'big';
}

/** Limits of {@link readTorchArchive}. */
export interface TorchArchiveLimits {
  /** Most bytes all extracted records may take together; the caller's `maxBytes`. */
  maxBytes: number;
}

/** Deflate never expands more than about 1032 : 1; a record claiming more is not a real one. */
const MAX_DEFLATE_RATIO = 1032;
/** Smallest size of a central-directory header of a zip file: bounds the record count. */
const CENTRAL_HEADER_BYTES = 46;

/** The zip local-file signature `PK\x03\x04` that starts every zip checkpoint. */
export function isZipArchive(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Extracts `data.pkl`, the storages (`data/<key>`) and `byteorder` of a PyTorch zip checkpoint with
 * fflate. Every record's declared sizes are checked before it is extracted: stored records no larger
 * than the file, deflated ones within deflate's largest ratio, all together at most `maxBytes`; the
 * number of records at most what the file can hold; each extracted record has its declared size.
 * Other records (`version`, `.data/...`) are skipped.
 */
export function readTorchArchive(bytes: Uint8Array, limits: TorchArchiveLimits): TorchArchive {
  const maxRecords = Math.floor(bytes.length / CENTRAL_HEADER_BYTES);
  const declared = new Map<string, number>();
  let records = 0;
  let total = 0;
  const wanted = (info: UnzipFileInfo): boolean => {
    if (++records > maxRecords) {
      throw new Ske2GridError(`torch checkpoint: expected at most ${maxRecords} zip records in ${bytes.length} bytes, got more (corrupt central directory)`);
    }
    const parts = /^([^/]+)\/(data\.pkl|byteorder|data\/[^/]+)$/.exec(info.name);
    if (!parts) return false;
    const { size, originalSize, compression } = info;
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(originalSize) || size < 0 || originalSize < 0 || size > bytes.length) {
      throw new Ske2GridError(
        `torch checkpoint record '${info.name}': expected a size within the file's ${bytes.length} bytes, got ${size} (compressed) and ${originalSize} (extracted)`,
      );
    }
    if (compression === 0 && originalSize !== size) {
      throw new Ske2GridError(`torch checkpoint record '${info.name}': expected equal sizes for a stored record, got ${size} and ${originalSize}`);
    }
    if (compression === 8 && originalSize > size * MAX_DEFLATE_RATIO + 64) {
      throw new Ske2GridError(
        `torch checkpoint record '${info.name}': expected at most ${MAX_DEFLATE_RATIO} x its ${size} compressed bytes, got ${originalSize} declared (not a real deflate stream)`,
      );
    }
    if (compression !== 0 && compression !== 8) {
      throw new Ske2GridError(`torch checkpoint record '${info.name}': expected zip compression 0 (stored) or 8 (deflate), got ${compression}`);
    }
    total += originalSize;
    if (total > limits.maxBytes) {
      throw new Ske2GridError(`torch checkpoint: expected at most maxBytes = ${limits.maxBytes} bytes of records, got more (at '${info.name}')`);
    }
    declared.set(info.name, originalSize);
    return true;
  };
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: wanted });
  } catch (e) {
    if (e instanceof Ske2GridError) throw e;
    throw new Ske2GridError(`torch checkpoint: expected a readable zip archive, got an error: ${(e as Error).message}`);
  }
  for (const [name, data] of Object.entries(files)) {
    if (data.length !== declared.get(name)) {
      throw new Ske2GridError(`torch checkpoint record '${name}': expected ${declared.get(name)} bytes, got ${data.length} (truncated file?)`);
    }
  }
  const pickles = Object.keys(files).filter((n) => n.endsWith('/data.pkl'));
  if (pickles.length !== 1) {
    throw new Ske2GridError(
      `torch checkpoint: expected exactly one '<folder>/data.pkl' record, got ${pickles.length}${pickles.length ? `: ${pickles.join(', ')}` : ''}`,
    );
  }
  const folder = pickles[0].slice(0, -'/data.pkl'.length);
  const storages = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) {
    if (name.startsWith(`${folder}/data/`)) storages.set(name.slice(folder.length + 6), data);
  }
  const order = files[`${folder}/byteorder`];
  let byteOrder: 'little' | 'big' = 'little';
  if (order !== undefined) {
    const text = new TextDecoder().decode(order).trim();
    if (text !== 'little' && text !== 'big')
      throw new Ske2GridError(`torch checkpoint record '${folder}/byteorder': expected "little" or "big", got ${JSON.stringify(text.slice(0, 20))}`);
    byteOrder = text;
  }
  return { folder, pickle: files[pickles[0]], storages, byteOrder };
}
