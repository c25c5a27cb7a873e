// How the console shows record bytes: as JSON when they parse as JSON, as text when they are
// printable UTF-8, else as hex; all three forms are sent (up to a size cap) so the page can
// switch between them without asking again. Pure: no I/O.

import type { ConsumedRecord } from '../client/index.js';

/** Bytes of a key, value or header shown in full; longer payloads are cut (the size says so). */
export const PAYLOAD_SHOWN_BYTES_MAX = 64 * 1024;

export interface PayloadView {
  size: number;
  /** json when the bytes parse as JSON, text when printable UTF-8, binary otherwise. */
  kind: 'json' | 'text' | 'binary';
  text: string | null;
  hex: string;
  isTruncated: boolean;
}

export interface RecordView {
  partition: number;
  offset: number;
  timestamp: number;
  key: PayloadView | null;
  value: PayloadView | null;
  headers: { key: string; value: PayloadView | null }[];
}

const UNPRINTABLE = /[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/;

export function viewPayload(bytes: Buffer | null): PayloadView | null {
  if (bytes === null) return null;
  const shown = bytes.length > PAYLOAD_SHOWN_BYTES_MAX ? bytes.subarray(0, PAYLOAD_SHOWN_BYTES_MAX) : bytes;
  const text = shown.toString('utf8');
  const isText = !UNPRINTABLE.test(text);
  return {
    size: bytes.length,
    kind: isText ? (isJson(text) ? 'json' : 'text') : 'binary',
    text: isText ? text : null,
    hex: shown.toString('hex'),
    isTruncated: shown.length < bytes.length,
  };
}

function isJson(text: string): boolean {
  const t = text.trim();
  if (t === '' || !/^[[{"\d-]|^(true|false|null)$/.test(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

export function viewRecord(r: ConsumedRecord): RecordView {
  return {
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: viewPayload(r.key),
    value: viewPayload(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: viewPayload(h.value) })),
  };
}

/** A payload typed in the page: text as UTF-8, or hex when `encoding` is hex. */
export function payloadBytes(text: string | null | undefined, encoding: 'text' | 'hex' = 'text'): Buffer | null {
  if (text === null || text === undefined) return null;
  if (encoding === 'hex') {
    const clean = text.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new RangeError('hex payload must be pairs of hex digits');
    return Buffer.from(clean, 'hex');
  }
  return Buffer.from(text, 'utf8');
}
