/**
 * Incremental reader for a JSON array of heartbeat events: bytes in (any chunking), one call per top-level
 * element out, holding only the element being read (plus the current chunk).
 *
 * The whole document is checked against the JSON grammar (RFC 8259) as it streams, so invalid JSON anywhere is
 * an error naming the byte, line and column, as JSON.parse would refuse it. Of each element only what the
 * analyzer needs is kept: whether it is an object, and its `service` and `timestamp` members (the last one
 * wins when a key repeats, as with JSON.parse). Everything else is checked and skipped without building values.
 */

/** What an element's `service` / `timestamp` member held. */
export const Tag = {
  Absent: 0,
  Null: 1,
  String: 2,
  Number: 3,
  /** true, false, an object or an array */
  Other: 4,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

/**
 * One top-level element, reused between calls: copy what you keep. A plain-ASCII string member without escapes
 * is given as the byte range bytes[start, end) (no string is made); otherwise start is -1 and the decoded
 * string is in serviceStr / timestampStr. A number member: serviceStr holds its text, timestampNum its value.
 */
export interface EventFields {
  isObject: boolean;
  bytes: Uint8Array;
  service: Tag;
  serviceStr: string;
  serviceStart: number;
  serviceEnd: number;
  timestamp: Tag;
  timestampStr: string;
  timestampStart: number;
  timestampEnd: number;
  timestampNum: number;
}

export function emptyFields(): EventFields {
  return { isObject: false, bytes: EMPTY, service: 0, serviceStr: '', serviceStart: -1, serviceEnd: -1, timestamp: 0, timestampStr: '', timestampStart: -1, timestampEnd: -1, timestampNum: 0 };
}

export class JsonInputError extends Error {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  constructor(message: string, offset: number, line: number, column: number) {
    super(`${message} at line ${line}, column ${column} (byte ${offset})`);
    this.name = 'JsonInputError';
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

/** The top-level value is valid JSON so far but not an array. */
export class NotAnArrayError extends Error {
  constructor(found: string) {
    super(`the top-level JSON value must be an array of events, found ${found}`);
    this.name = 'NotAnArrayError';
  }
}

const NEED_MORE = Symbol('need more input');

/** 1 for the bytes a string run can skip without a second look: printable ASCII except '"' and '\\'. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 34 || c === 92 ? 0 : 1;

// reader states
const S_START = 0;
const S_FIRST = 1; // after '[': element or ']'
const S_ELEMENT = 2; // after ',': element
const S_AFTER = 3; // after an element: ',' or ']'
const S_DONE = 4; // after the closing ']': whitespace only

// bytes
const C_Tab = 9;
const C_Lf = 10;
const C_Cr = 13;
const C_Space = 32;
const C_Quote = 34;
const C_Comma = 44;
const C_Minus = 45;
const C_Dot = 46;
const C_Zero = 48;
const C_Nine = 57;
const C_Colon = 58;
const C_LBracket = 91;
const C_Backslash = 92;
const C_RBracket = 93;
const C_LBrace = 123;
const C_RBrace = 125;

const SERVICE = Buffer.from('service');
const TIMESTAMP = Buffer.from('timestamp');
const EMPTY: Buffer = Buffer.alloc(0);

export type ElementHandler = (index: number, fields: EventFields) => void;

export class JsonEventReader {
  #buf: Buffer = EMPTY;
  #pos = 0;
  /** global byte offset of #buf[0] */
  #base = 0;
  #line = 1;
  /** global offset of the byte after the last newline */
  #lineStart = 0;
  #state: number = S_START;
  #final = false;
  /** bytes buffered but not yet parsed wait until there are at least this many (a long element) */
  #wantBytes = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #index = 0;
  #stack: number[] = [];
  readonly #onElement: ElementHandler;
  readonly #f: EventFields = emptyFields();
  // string scan results
  #strStart = 0;
  #strEnd = 0;
  #strEscaped = false;
  #strHigh = false;

  constructor(onElement: ElementHandler) {
    this.#onElement = onElement;
  }

  /** elements read so far */
  get count(): number {
    return this.#index;
  }

  /** bytes fully read so far */
  get offset(): number {
    return this.#base + this.#pos;
  }

  /** Feeds the next chunk; calls the handler for every element completed by it. Throws JsonInputError / NotAnArrayError. */
  write(chunk: Uint8Array): void {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#buf.length - this.#pos + this.#pendingBytes + b.length < this.#wantBytes) {
      this.#pending.push(b);
      this.#pendingBytes += b.length;
      return;
    }
    const rest = this.#buf.subarray(this.#pos);
    this.#base += this.#pos;
    this.#buf = rest.length === 0 && this.#pending.length === 0 ? b : Buffer.concat([rest, ...this.#pending, b]);
    this.#pos = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#wantBytes = 0;
    this.#run();
  }

  /** Ends the input: throws when the document is incomplete. */
  end(): void {
    this.#final = true;
    if (this.#pending.length > 0) {
      const rest = this.#buf.subarray(this.#pos);
      this.#base += this.#pos;
      this.#buf = Buffer.concat([rest, ...this.#pending]);
      this.#pos = 0;
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    this.#run();
    if (this.#state === S_START) throw this.#error('unexpected end of input (empty document)', this.#pos);
    if (this.#state !== S_DONE) throw this.#error('unexpected end of input', this.#pos);
  }

  #error(message: string, pos: number): JsonInputError {
    const offset = this.#base + pos;
    return new JsonInputError(message, offset, this.#line, offset - this.#lineStart + 1);
  }

  #unexpected(pos: number): JsonInputError {
    if (pos >= this.#buf.length) return this.#error('unexpected end of input', pos);
    const c = this.#buf[pos]!;
    const shown = c >= 33 && c < 127 ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
    return this.#error(`unexpected ${shown}`, pos);
  }

  #run(): void {
    const buf = this.#buf;
    for (;;) {
      const line = this.#line;
      const lineStart = this.#lineStart;
      const start = this.#pos;
      try {
        let p = this.#ws(start);
        if (p >= buf.length) {
          // all whitespace: consume it (newline counters already moved)
          this.#pos = p;
          if (this.#final) return;
          return;
        }
        const c = buf[p]!;
        switch (this.#state) {
          case S_START:
            if (c !== C_LBracket) {
              const found = c === C_LBrace ? 'an object' : c === C_Quote ? 'a string' : c === 116 || c === 102 ? 'a boolean' : c === 110 ? 'null' : c === C_Minus || (c >= C_Zero && c <= C_Nine) ? 'a number' : '';
              if (found === '') throw this.#unexpected(p);
              throw new NotAnArrayError(found);
            }
            this.#state = S_FIRST;
            this.#pos = p + 1;
            continue;
          case S_FIRST:
            if (c === C_RBracket) {
              this.#state = S_DONE;
              this.#pos = p + 1;
              continue;
            }
          // falls through: an element
          case S_ELEMENT:
            p = this.#element(p);
            this.#state = S_AFTER;
            this.#pos = p;
            this.#onElement(this.#index++, this.#f);
            continue;
          case S_AFTER:
            if (c === C_Comma) this.#state = S_ELEMENT;
            else if (c === C_RBracket) this.#state = S_DONE;
            else throw this.#unexpected(p);
            this.#pos = p + 1;
            continue;
          case S_DONE:
            throw this.#error('unexpected data after the end of the array', p);
        }
      } catch (e) {
        if (e !== NEED_MORE) throw e;
        if (this.#final) throw this.#error('unexpected end of input', buf.length);
        // the element (or token) is cut by the chunk end: wait for at least twice the bytes it already spans
        this.#line = line;
        this.#lineStart = lineStart;
        this.#pos = start;
        this.#wantBytes = Math.max(2 * (buf.length - start), 1);
        return;
      }
    }
  }

  /** Skips JSON whitespace from p, counting newlines; returns the first other position (may be the end). */
  #ws(p: number): number {
    const buf = this.#buf;
    const n = buf.length;
    while (p < n) {
      const c = buf[p]!;
      if (c === C_Space || c === C_Tab || c === C_Cr) p++;
      else if (c === C_Lf) {
        p++;
        this.#line++;
        this.#lineStart = this.#base + p;
      } else break;
    }
    return p;
  }

  /** ws that needs a token after it */
  #wsTok(p: number): number {
    p = this.#ws(p);
    if (p >= this.#buf.length) throw NEED_MORE;
    return p;
  }

  /** Reads one element starting at p (a non-whitespace byte); fills #f; returns the position after it. */
  #element(p: number): number {
    const buf = this.#buf;
    const f = this.#f;
    f.bytes = buf;
    f.service = Tag.Absent;
    f.timestamp = Tag.Absent;
    if (buf[p] !== C_LBrace) {
      f.isObject = false;
      return this.#skipValue(p);
    }
    f.isObject = true;
    p = this.#wsTok(p + 1);
    if (buf[p] === C_RBrace) return p + 1;
    for (;;) {
      if (buf[p] !== C_Quote) throw this.#unexpected(p);
      let which: number;
      // fast path for the two keys we keep, written plainly (an out-of-range read is undefined: no match)
      if (buf[p + 8] === C_Quote && buf[p + 1] === 115 && buf[p + 2] === 101 && buf[p + 3] === 114 && buf[p + 4] === 118 && buf[p + 5] === 105 && buf[p + 6] === 99 && buf[p + 7] === 101) {
        which = 1; // "service"
        p += 9;
      } else if (
        buf[p + 10] === C_Quote && buf[p + 1] === 116 && buf[p + 2] === 105 && buf[p + 3] === 109 && buf[p + 4] === 101 && buf[p + 5] === 115 && buf[p + 6] === 116 && buf[p + 7] === 97 && buf[p + 8] === 109 && buf[p + 9] === 112
      ) {
        which = 2; // "timestamp"
        p += 11;
      } else {
        p = this.#string(p);
        which = this.#keyIs();
      }
      p = this.#wsTok(p);
      if (buf[p] !== C_Colon) throw this.#unexpected(p);
      p = this.#wsTok(p + 1);
      if (which === 0) p = this.#skipValue(p);
      else {
        const c = buf[p]!;
        let tag: Tag;
        if (c === C_Quote) {
          p = this.#string(p);
          tag = Tag.String;
          const raw = !this.#strEscaped && !this.#strHigh;
          const s = raw ? '' : this.#stringValue();
          if (which === 1) {
            f.serviceStr = s;
            f.serviceStart = raw ? this.#strStart : -1;
            f.serviceEnd = this.#strEnd;
          } else {
            f.timestampStr = s;
            f.timestampStart = raw ? this.#strStart : -1;
            f.timestampEnd = this.#strEnd;
          }
        } else if (c === C_Minus || (c >= C_Zero && c <= C_Nine)) {
          const s0 = p;
          p = this.#number(p);
          tag = Tag.Number;
          if (which === 1) f.serviceStr = buf.toString('latin1', s0, p);
          else f.timestampNum = Number(buf.toString('latin1', s0, p));
        } else if (c === 110) {
          p = this.#literal(p, 'null');
          tag = Tag.Null;
        } else {
          p = this.#skipValue(p);
          tag = Tag.Other;
        }
        if (which === 1) f.service = tag;
        else f.timestamp = tag;
      }
      p = this.#wsTok(p);
      const c = buf[p];
      if (c === C_RBrace) return p + 1;
      if (c !== C_Comma) throw this.#unexpected(p);
      p = this.#wsTok(p + 1);
    }
  }

  /** 1 when the string just scanned is "service", 2 for "timestamp", else 0. */
  #keyIs(): number {
    const s = this.#strStart;
    const len = this.#strEnd - s;
    if (this.#strEscaped) {
      const k = this.#stringValue();
      return k === 'service' ? 1 : k === 'timestamp' ? 2 : 0;
    }
    const b = this.#buf;
    if (len === 7) {
      for (let k = 0; k < 7; k++) if (b[s + k] !== SERVICE[k]) return 0;
      return 1;
    }
    if (len === 9) {
      for (let k = 0; k < 9; k++) if (b[s + k] !== TIMESTAMP[k]) return 0;
      return 2;
    }
    return 0;
  }

  /** The string last scanned by #string, decoded. */
  #stringValue(): string {
    const buf = this.#buf;
    if (this.#strEscaped) return JSON.parse(buf.toString('utf8', this.#strStart - 1, this.#strEnd + 1)) as string;
    return this.#strHigh ? buf.toString('utf8', this.#strStart, this.#strEnd) : buf.toString('latin1', this.#strStart, this.#strEnd);
  }

  /** Scans a string starting at the opening quote p; returns the position after the closing quote. */
  #string(p: number): number {
    const buf = this.#buf;
    const n = buf.length;
    let escaped = false;
    let high = false;
    const start = ++p;
    for (;;) {
      while (p < n && PLAIN[buf[p]!] === 1) p++; // printable ASCII other than '"' and '\\'
      if (p >= n) throw NEED_MORE;
      const c = buf[p]!;
      if (c === C_Quote) break;
      if (c === C_Backslash) {
        escaped = true;
        if (p + 1 >= n) throw NEED_MORE;
        const e = buf[p + 1]!;
        if (e === 117) {
          // \uXXXX
          if (p + 6 > n) throw NEED_MORE;
          for (let k = p + 2; k < p + 6; k++) {
            const h = buf[k]!;
            if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) throw this.#error('invalid \\u escape', k);
          }
          p += 6;
        } else if (e === C_Quote || e === C_Backslash || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          p += 2;
        } else throw this.#error('invalid escape in string', p + 1);
      } else if (c < 0x20) {
        throw this.#error('control character in string', p);
      } else {
        if (c >= 0x80) high = true;
        p++;
      }
    }
    this.#strStart = start;
    this.#strEnd = p;
    this.#strEscaped = escaped;
    this.#strHigh = high;
    return p + 1;
  }

  /** Scans a number at p (JSON grammar); returns the position after it. A number at the buffer end needs more input. */
  #number(p: number): number {
    const buf = this.#buf;
    const n = buf.length;
    const at = (i: number) => {
      if (i >= n) {
        if (this.#final) return -1;
        throw NEED_MORE;
      }
      return buf[i]!;
    };
    let c = at(p);
    if (c === C_Minus) c = at(++p);
    if (c === C_Zero) c = at(++p);
    else if (c > C_Zero && c <= C_Nine) {
      do c = at(++p);
      while (c >= C_Zero && c <= C_Nine);
    } else throw this.#unexpected(p);
    if (c === C_Dot) {
      c = at(++p);
      if (!(c >= C_Zero && c <= C_Nine)) throw this.#unexpected(p);
      do c = at(++p);
      while (c >= C_Zero && c <= C_Nine);
    }
    if (c === 101 || c === 69) {
      c = at(++p);
      if (c === 43 || c === C_Minus) c = at(++p);
      if (!(c >= C_Zero && c <= C_Nine)) throw this.#unexpected(p);
      do c = at(++p);
      while (c >= C_Zero && c <= C_Nine);
    }
    return p;
  }

  #literal(p: number, word: 'true' | 'false' | 'null'): number {
    const buf = this.#buf;
    for (let k = 0; k < word.length; k++) {
      if (p + k >= buf.length) throw NEED_MORE;
      if (buf[p + k] !== word.charCodeAt(k)) throw this.#unexpected(p + k);
    }
    return p + word.length;
  }

  /** Checks and skips any JSON value at p (a non-whitespace byte), nested ones without recursion. */
  #skipValue(p: number): number {
    const buf = this.#buf;
    const stack = this.#stack;
    stack.length = 0;
    for (;;) {
      // a value at p
      const c = buf[p]!;
      if (c === C_Quote) p = this.#string(p);
      else if (c === C_Minus || (c >= C_Zero && c <= C_Nine)) p = this.#number(p);
      else if (c === 116) p = this.#literal(p, 'true');
      else if (c === 102) p = this.#literal(p, 'false');
      else if (c === 110) p = this.#literal(p, 'null');
      else if (c === C_LBracket) {
        p = this.#wsTok(p + 1);
        if (buf[p] === C_RBracket) {
          p++;
        } else {
          stack.push(C_RBracket);
          continue;
        }
      } else if (c === C_LBrace) {
        p = this.#wsTok(p + 1);
        if (buf[p] === C_RBrace) {
          p++;
        } else {
          stack.push(C_RBrace);
          p = this.#memberKey(p);
          continue;
        }
      } else throw this.#unexpected(p);
      // after a value: close containers or move to the next member / item
      for (;;) {
        if (stack.length === 0) return p;
        p = this.#wsTok(p);
        const d = buf[p];
        const top = stack[stack.length - 1]!;
        if (d === top) {
          stack.pop();
          p++;
          continue;
        }
        if (d !== C_Comma) throw this.#unexpected(p);
        p = this.#wsTok(p + 1);
        if (top === C_RBrace) p = this.#memberKey(p);
        break;
      }
    }
  }

  /** At a member's key: scans `"key" :` and returns the position of its value. */
  #memberKey(p: number): number {
    if (this.#buf[p] !== C_Quote) throw this.#unexpected(p);
    p = this.#wsTok(this.#string(p));
    if (this.#buf[p] !== C_Colon) throw this.#unexpected(p);
    return this.#wsTok(p + 1);
  }
}
