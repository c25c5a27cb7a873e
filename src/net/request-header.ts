// The request header, parsed by hand because it is read once per request on the hot path and
// its layout is fixed: apiKey, apiVersion, correlationId (header v0+), clientId as a classic
// int16-length nullable string even in flexible headers (v1+), then tagged fields (v2+).
// Which header version a request uses depends on whether its API version is flexible, which
// only the API table knows, so the caller passes `isFlexible`.

import { ProtocolDecodeError, Reader } from '../protocol/reader.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the fixed part (key, version, correlation id) that every header version shares. */
export function readHeaderPrefix(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number } {
  if (frame.length < 8) throw new ProtocolDecodeError(`request of ${frame.length} bytes is shorter than a header`);
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

/** Reads the rest of the header; leaves `r` at the start of the request body. */
export function readHeaderRest(r: Reader, headerVersion: number): string | null {
  r.offset = 8;
  if (headerVersion < 1) return null;
  const clientId = r.readNullableString();
  if (headerVersion >= 2) r.skipTaggedFields();
  return clientId;
}
