/** Text decodings of pickle strings: UTF-8 (with Python's "surrogatepass"), Latin-1, and protocol 0's escaped forms. */

/** Fast, lenient UTF-8 decoding; text with a replacement character is re-decoded strictly. */
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 bytes -> text, lone surrogates allowed (Python writes them with "surrogatepass"); null when invalid. */
export function decodeUtf8(b: Uint8Array): string | null {
  const fast = lenientUtf8.decode(b);
  // A replacement character means invalid bytes, a real U+FFFD or encoded surrogates: decode strictly.
  return fast.includes('\ufffd') ? decodeUtf8SurrogatePass(b) : fast;
}

/** The argument of protocol 0's STRING: a quoted Python 2 literal with escapes -> its bytes. */
export function decodeStringLiteral(b: Uint8Array, raise: (message: string) => never): Uint8Array {
  const q = b[0];
  if (b.length < 2 || (q !== 0x22 && q !== 0x27) || b[b.length - 1] !== q) raise('the STRING argument must be quoted');
  const out: number[] = [];
  const end = b.length - 1;
  for (let i = 1; i < end; i++) {
    const c = b[i];
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    if (++i >= end) raise('the STRING argument ends with a lone backslash');
    const e = b[i];
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      if (simple >= 0) out.push(simple);
    } else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < end && b[i + 1] >= 0x30 && b[i + 1] <= 0x37; k++) v = v * 8 + (b[++i] - 0x30);
      out.push(v & 0xff);
    } else if (e === 0x78) {
      const h = i + 2 < end ? hexValue(b, i + 1, 2) : -1;
      if (h < 0) raise('invalid \\x escape in the STRING argument');
      out.push(h);
      i += 2;
    } else {
      out.push(0x5c, e);
    }
  }
  return Uint8Array.from(out);
}

/** Python's raw-unicode-escape (protocol 0's UNICODE): Latin-1 bytes, where an odd run of backslashes before u/U starts a \uXXXX / \UXXXXXXXX escape. */
export function decodeRawUnicodeEscape(b: Uint8Array, raise: (message: string) => never): string {
  const text = new TextBuilder();
  let i = 0;
  while (i < b.length) {
    if (b[i] !== 0x5c) {
      text.add(b[i++]);
      continue;
    }
    let j = i;
    while (j < b.length && b[j] === 0x5c) j++;
    const run = j - i;
    const escape = run % 2 === 1 && j < b.length && (b[j] === 0x75 || b[j] === 0x55);
    for (let k = 0; k < (escape ? run - 1 : run); k++) text.add(0x5c);
    i = j;
    if (!escape) continue;
    const digits = b[j] === 0x75 ? 4 : 8;
    const cp = j + digits < b.length ? hexValue(b, j + 1, digits) : -1;
    if (cp < 0) raise(`truncated \\${digits === 4 ? 'uXXXX' : 'UXXXXXXXX'} escape in the UNICODE argument`);
    if (cp > 0x10ffff) raise(`escape \\U${cp.toString(16)} is beyond U+10FFFF`);
    text.addCodePoint(cp);
    i = j + 1 + digits;
  }
  return text.toString();
}

/** Python 2 escapes of STRING: byte value, or -1 for a dropped line continuation. */
const SIMPLE_ESCAPES: Record<number, number> = {
  0x0a: -1,
  0x5c: 0x5c,
  0x27: 0x27,
  0x22: 0x22,
  0x61: 7,
  0x62: 8,
  0x66: 12,
  0x6e: 10,
  0x72: 13,
  0x74: 9,
  0x76: 11,
};

/** Bytes as Latin-1 text (each byte one character). */
export function latin1(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
  return out;
}

/** Value of `n` hex digits at `b[at..]`, or -1 when one is not a hex digit. */
function hexValue(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = b[at + k];
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Accumulates UTF-16 code units into a string, a chunk at a time. */
class TextBuilder {
  private text = '';
  private units: number[] = [];

  add(unit: number): void {
    this.units.push(unit);
    if (this.units.length >= 8192) this.flush();
  }

  addCodePoint(cp: number): void {
    if (cp > 0xffff) {
      this.add(0xd800 + ((cp - 0x10000) >> 10));
      this.add(0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      this.add(cp);
    }
  }

  toString(): string {
    this.flush();
    return this.text;
  }

  private flush(): void {
    this.text += String.fromCharCode(...this.units);
    this.units = [];
  }
}

/** Strict UTF-8 that may encode surrogates (Python's "surrogatepass"); null when invalid. */
function decodeUtf8SurrogatePass(b: Uint8Array): string | null {
  const text = new TextBuilder();
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let cp: number;
    let n: number;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if (c >= 0xc2 && c < 0xe0) {
      cp = c & 0x1f;
      n = 2;
    } else if (c >= 0xe0 && c < 0xf0) {
      cp = c & 0x0f;
      n = 3;
    } else if (c >= 0xf0 && c < 0xf5) {
      cp = c & 0x07;
      n = 4;
    } else {
      return null;
    }
    if (i + n > b.length) return null;
    for (let k = 1; k < n; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n === 3 && cp < 0x800) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff))) return null;
    text.addCodePoint(cp);
    i += n;
  }
  return text.toString();
}
