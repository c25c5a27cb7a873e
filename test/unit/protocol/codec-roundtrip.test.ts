// Goal: every generated codec, in every version its schema defines, writes what it reads: random
// values (built from the generated descriptors, so no schema is read at run time) survive
// write → read unchanged once fields the version lacks are replaced by their defaults; every
// strict prefix of an encoding fails with ProtocolDecodeError; random bytes never cause another
// kind of exception; and a non-default value in a field the version lacks is refused unless the
// field is ignorable. FC_SEED=<n> replays a failing seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolDecodeError, Reader, ZERO_UUID, bytesToUuid } from '../../../src/protocol/reader.js';
import { CHUNK_COPY_MAX, ProtocolEncodeError, Writer } from '../../../src/protocol/writer.js';
import { DESCRIPTORS, type FieldDescriptor, type MessageDescriptor } from './codec-descriptors.js';

const RUNS_PER_VERSION = Number(process.env['FC_RUNS'] ?? 6);
const seed = process.env['FC_SEED'] === undefined ? undefined : Number(process.env['FC_SEED']);
const fcParams = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

function inVersions(range: string | undefined, version: number): boolean {
  if (range === undefined || range === 'none') return false;
  if (range.endsWith('+')) return version >= Number(range.slice(0, -1));
  const [lo, hi = lo] = range.split('-').map(Number);
  return version >= lo! && version <= hi!;
}

function versionsOf(m: MessageDescriptor): number[] {
  const [lo, hi = lo] = m.valid.split('-').map(Number);
  const out: number[] = [];
  for (let v = lo!; v <= hi!; v++) out.push(v);
  return out;
}

/** What a reader returns for a field the version lacks: the explicit default, else the type's. */
function defaultOf(f: FieldDescriptor): unknown {
  if (f.d !== undefined) return f.d;
  if (f.t.startsWith('[]')) return [];
  switch (f.t) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    case 'uuid':
      return ZERO_UUID;
    case 'struct':
      return Object.fromEntries(f.f!.map((g) => [g.n, defaultOf(g)]));
    default:
      return 0;
  }
}

/** An input value and what reading its encoding must give back. */
interface Pair {
  input: unknown;
  expected: unknown;
}

const same = (a: fc.Arbitrary<unknown>): fc.Arbitrary<Pair> => a.map((v) => ({ input: v, expected: v }));

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

const recordsArb: fc.Arbitrary<Pair> = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((a) => ({ input: Buffer.from(a), expected: Buffer.from(a) })),
  // Several chunks, one of them large enough to be appended by reference.
  fc
    .array(
      fc.oneof(
        fc.uint8Array({ maxLength: 6 }),
        fc.integer({ min: CHUNK_COPY_MAX + 1, max: CHUNK_COPY_MAX + 40 }).map((n) => new Uint8Array(n).fill(n & 0xff)),
      ),
      { maxLength: 3 },
    )
    .map((chunks) => {
      const buffers = chunks.map((c) => Buffer.from(c));
      return { input: buffers, expected: Buffer.concat(buffers) };
    }),
);

function elementArb(type: string, f: FieldDescriptor, version: number): fc.Arbitrary<Pair> {
  const range = INT_RANGES[type];
  if (range) return same(fc.integer({ min: range[0], max: range[1] }));
  switch (type) {
    case 'int64':
      return same(fc.maxSafeInteger());
    case 'float64':
      return same(fc.double());
    case 'bool':
      return same(fc.boolean());
    case 'string':
      return same(fc.string({ unit: 'grapheme', maxLength: 6 }));
    case 'bytes':
      return same(fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)));
    case 'uuid':
      return same(fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => bytesToUuid(a)));
    case 'records':
      return recordsArb;
    case 'struct':
      return structArb(f.f!, version);
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}

function fieldArb(f: FieldDescriptor, version: number): fc.Arbitrary<Pair> {
  let arb: fc.Arbitrary<Pair>;
  if (f.t.startsWith('[]')) {
    arb = fc
      .array(elementArb(f.t.slice(2), f, version), { maxLength: 3 })
      .map((ps) => ({ input: ps.map((p) => p.input), expected: ps.map((p) => p.expected) }));
  } else arb = elementArb(f.t, f, version);
  if (inVersions(f.nv, version)) arb = fc.oneof(fc.constant({ input: null, expected: null }), arb);
  return arb;
}

/** A struct whose absent fields are left out of the input; present ones are sometimes left out too. */
function structArb(fields: readonly FieldDescriptor[], version: number): fc.Arbitrary<Pair> {
  const entries = fields.map((f): [string, fc.Arbitrary<Pair>] => {
    const missing = fc.constant<Pair>({ input: undefined, expected: defaultOf(f) });
    if (!inVersions(f.v, version)) return [f.n, missing];
    return [f.n, fc.oneof({ weight: 5, arbitrary: fieldArb(f, version) }, { weight: 1, arbitrary: missing })];
  });
  return fc.record(Object.fromEntries(entries)).map((record) => {
    const input: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const [name, pair] of Object.entries(record)) {
      if (pair.input !== undefined) input[name] = pair.input;
      expected[name] = pair.expected;
    }
    return { input, expected };
  });
}

function encode(m: MessageDescriptor, version: number, input: unknown): Buffer {
  const w = new Writer(8);
  m.write(w, version, input as object);
  return w.toBuffer();
}

test('every message round-trips in every version', () => {
  let cases = 0;
  for (const m of DESCRIPTORS) {
    for (const version of versionsOf(m)) {
      const property = fc.property(structArb(m.fields, version), fc.nat(), (pair, cut) => {
        const bytes = encode(m, version, pair.input);
        const r = new Reader(bytes);
        assert.deepStrictEqual(m.read(r, version), pair.expected);
        assert.equal(r.remaining(), 0, 'the reader consumes exactly what was written');
        if (bytes.length > 0) {
          const prefix = bytes.subarray(0, cut % bytes.length);
          assert.throws(() => m.read(new Reader(prefix), version), ProtocolDecodeError, 'strict prefix');
        }
      });
      try {
        fc.assert(property, fcParams(RUNS_PER_VERSION));
      } catch (err) {
        throw new Error(`${m.name} v${version}: ${(err as Error).message}`, { cause: err });
      }
      cases++;
    }
  }
  assert.ok(cases > 500, `${cases} message versions covered`);
});

test('an empty input writes every field as its default', () => {
  for (const m of DESCRIPTORS) {
    const expected = Object.fromEntries(m.fields.map((f) => [f.n, defaultOf(f)]));
    for (const version of versionsOf(m)) {
      const bytes = encode(m, version, {});
      assert.deepStrictEqual(m.read(new Reader(bytes), version), expected, `${m.name} v${version}`);
    }
  }
});

test('random bytes either decode or raise ProtocolDecodeError', () => {
  const property = fc.property(
    fc.constantFrom(...DESCRIPTORS),
    fc.nat(),
    fc.uint8Array({ maxLength: 64 }),
    (m, pick, bytes) => {
      const versions = versionsOf(m);
      const version = versions[pick % versions.length]!;
      try {
        m.read(new Reader(Buffer.from(bytes)), version);
      } catch (err) {
        if (!(err instanceof ProtocolDecodeError)) throw err;
      }
    },
  );
  fc.assert(property, fcParams(3000));
});

/** A value different from the field's default, or undefined if none is easy to build. */
function nonDefault(f: FieldDescriptor): unknown {
  if (f.t.startsWith('[]')) {
    if (f.d === null) return [];
    const elem = f.t === '[]struct' ? {} : f.t === '[]string' ? 'x' : f.t === '[]uuid' ? bytesToUuid(Buffer.alloc(16, 1)) : 1;
    return [elem];
  }
  if (f.d === null) return f.t === 'struct' ? {} : f.t === 'string' ? 'x' : Buffer.from([1]);
  switch (f.t) {
    case 'bool':
      return !(f.d ?? false);
    case 'string':
      return f.d === 'x' ? 'y' : 'x';
    case 'bytes':
    case 'records':
      return Buffer.from([1]);
    case 'uuid':
      return bytesToUuid(Buffer.alloc(16, 1));
    case 'struct': {
      for (const g of f.f!) {
        const v = nonDefault(g);
        if (v !== undefined) return { [g.n]: v };
      }
      return undefined;
    }
    default:
      return f.d === 1 ? 2 : 1;
  }
}

test('a non-default value in a field the version lacks is refused unless ignorable', () => {
  let checked = 0;
  for (const m of DESCRIPTORS) {
    for (const version of versionsOf(m)) {
      for (const f of m.fields) {
        if (inVersions(f.v, version)) continue;
        const value = nonDefault(f);
        if (value === undefined) continue;
        const write = (): Buffer => encode(m, version, { [f.n]: value });
        if (f.ig) write();
        else assert.throws(write, ProtocolEncodeError, `${m.name} v${version} ${f.n}`);
        // Its default is always accepted.
        encode(m, version, { [f.n]: defaultOf(f) });
        checked++;
      }
    }
  }
  assert.ok(checked > 100, `${checked} absent fields checked`);
});

test('null in a version where the field is not nullable is refused', () => {
  let checked = 0;
  for (const m of DESCRIPTORS) {
    for (const version of versionsOf(m)) {
      for (const f of m.fields) {
        if (f.nv === undefined || !inVersions(f.v, version) || inVersions(f.nv, version)) continue;
        assert.throws(() => encode(m, version, { [f.n]: null }), ProtocolEncodeError, `${m.name} v${version} ${f.n}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 5, `${checked} fields checked`);
});

test('versions outside the valid range are refused', () => {
  for (const m of DESCRIPTORS) {
    const versions = versionsOf(m);
    const above = versions[versions.length - 1]! + 1;
    assert.throws(() => encode(m, above, {}), ProtocolEncodeError);
    assert.throws(() => m.read(new Reader(Buffer.alloc(0)), above), ProtocolDecodeError);
  }
});
