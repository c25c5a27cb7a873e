// Request and response framing for the client: the size prefix, request header (v1 with a client
// id; v2 adds an empty tagged-field section) and response header (v0, or v1 with tagged fields),
// all chosen by `requestHeaderVersion`/`responseHeaderVersion` from the generated api-keys table.
// Pure functions over Writer/Reader, so the socket code only moves frames.

import { API_MESSAGES, apiName, requestHeaderVersion, responseHeaderVersion } from '../protocol/generated/api-keys.js';
import { ProtocolDecodeError, Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';

/** The chunks of one size-prefixed request frame. Throws ProtocolEncodeError for a body the version cannot carry. */
export function encodeRequest(apiKey: number, version: number, correlationId: number, clientId: string, body: object): Buffer[] {
  const messages = API_MESSAGES[apiKey];
  if (messages === undefined) throw new RangeError(`unknown api key ${apiKey}`);
  const w = new Writer();
  const sizeAt = w.reserveInt32();
  w.writeInt16(apiKey);
  w.writeInt16(version);
  w.writeInt32(correlationId);
  const headerVersion = requestHeaderVersion(apiKey, version);
  if (headerVersion >= 1) w.writeNullableString(clientId);
  if (headerVersion >= 2) w.writeUnsignedVarint(0);
  messages.writeRequest(w, version, body);
  w.patchInt32(sizeAt, w.length - 4);
  return w.toChunks();
}

/** The correlation id that opens every response frame. */
export function peekCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new ProtocolDecodeError(`response frame of ${frame.length} bytes has no correlation id`);
  return frame.readInt32BE(0);
}

/** A Reader positioned at the response body (after the correlation id and any header tags). */
export function responseBodyReader(frame: Buffer, apiKey: number, version: number): Reader {
  const r = new Reader(frame, 4);
  if (responseHeaderVersion(apiKey, version) >= 1) r.skipTaggedFields();
  return r;
}

/** Decodes a whole response body; bytes left over mean the versions disagree, which is an error. */
export function decodeResponseBody<T>(r: Reader, apiKey: number, version: number): T {
  const body = API_MESSAGES[apiKey]!.readResponse(r, version) as T;
  if (r.remaining() !== 0) {
    throw new ProtocolDecodeError(`${r.remaining()} bytes left after the ${apiName(apiKey)} v${version} response`);
  }
  return body;
}
