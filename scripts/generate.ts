// Codec generator: reads Kafka's JSON message schemas (messages/*.json and internal/**/*.json of
// the pinned copy in ../shared/kafka-protocol, or the directory given as the first argument) and
// writes straight-line TypeScript codecs into src/protocol/generated/: one file per schema with
// its interfaces, an all-optional Input type, readX/writeX for every valid version, plus
// api-keys.ts and index.ts. It also writes test/unit/protocol/codec-descriptors.ts, a prose-free
// summary of each schema's fields that the round-trip property test builds values from, so tests
// never need the schemas at run time.
//
// The output directory is cleared and rewritten on every run; change this script, never the output.
// Semantics follow Kafka's own generator (clients/src/main/.../message): tagged fields are written
// only when they differ from their default, a field the version lacks may only hold its default
// unless it is ignorable, nullable structs carry an int8 presence marker.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaRoot = process.argv[2] ? resolve(process.argv[2]) : resolve(repoRoot, '../shared/kafka-protocol');
const outRoot = join(repoRoot, 'src/protocol/generated');
const descriptorPath = join(repoRoot, 'test/unit/protocol/codec-descriptors.ts');

// ---------------------------------------------------------------------------------------------
// Versions

interface Versions {
  lo: number;
  hi: number; // Infinity for "N+"
}

const NONE: Versions = { lo: 1, hi: 0 };

function parseVersions(text: string | undefined, fallback: Versions): Versions {
  if (text === undefined) return fallback;
  if (text === 'none') return NONE;
  let m = /^(\d+)\+$/.exec(text);
  if (m) return { lo: Number(m[1]), hi: Infinity };
  m = /^(\d+)-(\d+)$/.exec(text);
  if (m) return { lo: Number(m[1]), hi: Number(m[2]) };
  m = /^(\d+)$/.exec(text);
  if (m) return { lo: Number(m[1]), hi: Number(m[1]) };
  throw new Error(`bad version range "${text}"`);
}

const isEmpty = (v: Versions): boolean => v.lo > v.hi;
const intersect = (a: Versions, b: Versions): Versions => ({ lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) });
function union(a: Versions, b: Versions): Versions {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}
function showVersions(v: Versions): string {
  if (isEmpty(v)) return 'none';
  if (v.hi === Infinity) return `${v.lo}+`;
  return v.lo === v.hi ? `${v.lo}` : `${v.lo}-${v.hi}`;
}

/**
 * A condition on `version` that holds exactly for `range`, knowing `version` lies within `ctx`:
 * 'true', 'false' or a TypeScript expression.
 */
function cond(range: Versions, ctx: Versions): string {
  const r = intersect(range, ctx);
  if (isEmpty(r)) return 'false';
  const parts: string[] = [];
  if (r.lo > ctx.lo) parts.push(`version >= ${r.lo}`);
  if (r.hi < ctx.hi) parts.push(r.lo === r.hi ? `version === ${r.lo}` : `version <= ${r.hi}`);
  if (parts.length === 2 && r.lo === r.hi) return `version === ${r.lo}`;
  return parts.length === 0 ? 'true' : parts.join(' && ');
}


// ---------------------------------------------------------------------------------------------
// Schemas and the model built from them

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean | null;
  ignorable?: boolean;
  flexibleVersions?: string;
  fields?: RawField[];
}

interface RawSchema {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  fields: RawField[];
  commonStructs?: { name: string; versions?: string; fields: RawField[] }[];
}

type Prim =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uint32' | 'float64'
  | 'bool' | 'string' | 'bytes' | 'records' | 'uuid';

const PRIMS = new Set<string>([
  'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64',
  'bool', 'string', 'bytes', 'records', 'uuid',
]);

type FieldType =
  | { kind: 'prim'; prim: Prim }
  | { kind: 'struct'; struct: StructDef }
  | { kind: 'array'; elem: FieldType };

/** The resolved default: a TypeScript expression and, for the descriptors, its plain value. */
interface Default {
  expr: string;
  value?: string | number | boolean | null; // undefined: the type's implicit default
}

interface FieldDef {
  prop: string;
  type: FieldType;
  versions: Versions;
  nullable: Versions;
  tagged: Versions;
  tag: number | undefined;
  ignorable: boolean;
  flexibleOverride: Versions | undefined;
  def: Default;
}

interface StructDef {
  tsName: string;
  path: string; // for messages: "ProduceRequest.topicData"
  fields: FieldDef[];
  range: Versions; // versions in which the struct can occur (a bounding range)
}

interface MessageDef {
  sourceFile: string;
  name: string;
  kind: string;
  apiKey: number | undefined;
  valid: Versions;
  flexible: Versions;
  top: StructDef;
  structs: StructDef[]; // nested, in definition order
  outFile: string; // relative to outRoot, without extension
}

function loadSchema(file: string): RawSchema {
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  return JSON.parse(text) as RawSchema;
}

const camel = (name: string): string => name[0]!.toLowerCase() + name.slice(1);
const kebab = (name: string): string => name.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
const screaming = (name: string): string => kebab(name).replace(/-/g, '_').toUpperCase();

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function parseIntDefault(raw: string | number, prim: string, where: string): number {
  const text = String(raw).trim();
  const hex = /^(-?)0x([0-9a-f]+)$/i.exec(text);
  const n = hex ? (hex[1] ? -1 : 1) * parseInt(hex[2]!, 16) : Number(text);
  const [lo, hi] = INT_RANGES[prim]!;
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${where}: bad ${prim} default "${text}"`);
  return n;
}

function resolveDefault(raw: RawField['default'], type: FieldType, nullable: Versions, versions: Versions, where: string): Default {
  const isNullDefault = raw === null || raw === 'null';
  if (isNullDefault && type.kind === 'prim' && !['string', 'bytes', 'records'].includes(type.prim)) {
    throw new Error(`${where}: null default on ${type.prim}`);
  }
  if (isNullDefault) {
    if (isEmpty(nullable) || intersect(nullable, versions).lo !== versions.lo) {
      throw new Error(`${where}: null default, but not nullable in all its versions`);
    }
    return { expr: 'null', value: null };
  }
  if (type.kind === 'array') {
    if (raw !== undefined && raw !== '') throw new Error(`${where}: arrays only default to null`);
    return { expr: '[]' };
  }
  if (type.kind === 'struct') {
    if (raw !== undefined && raw !== '') throw new Error(`${where}: structs only default to null`);
    return { expr: `default${type.struct.tsName}()` };
  }
  switch (type.prim) {
    case 'bool':
      if (raw === undefined) return { expr: 'false' };
      if (raw !== true && raw !== false && raw !== 'true' && raw !== 'false') throw new Error(`${where}: bad bool default`);
      return { expr: String(raw), value: raw === true || raw === 'true' };
    case 'float64': {
      if (raw === undefined) return { expr: '0' };
      const n = Number(raw);
      if (Number.isNaN(n)) throw new Error(`${where}: bad float64 default`);
      return { expr: String(n), value: n };
    }
    case 'string':
      if (raw === undefined) return { expr: "''" };
      return { expr: JSON.stringify(String(raw)).replace(/^"|"$/g, "'"), value: String(raw) };
    case 'uuid':
      if (raw === undefined || raw === '') return { expr: 'ZERO_UUID' };
      if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(raw)) throw new Error(`${where}: bad uuid default`);
      return { expr: `'${raw}'`, value: raw };
    case 'bytes':
      if (raw !== undefined && raw !== '') throw new Error(`${where}: bytes only default to null`);
      return { expr: 'EMPTY_BUFFER' };
    case 'records': {
      // Kafka defaults records to null; where they are never null, an empty buffer is the honest default.
      if (raw !== undefined && raw !== '') throw new Error(`${where}: records only default to null`);
      const alwaysNullable = !isEmpty(nullable) && intersect(nullable, versions).lo === versions.lo;
      return alwaysNullable ? { expr: 'null', value: null } : { expr: 'EMPTY_BUFFER' };
    }
    default: {
      if (raw === undefined) return { expr: '0' };
      const n = parseIntDefault(raw as string | number, type.prim, where);
      return { expr: String(n), value: n };
    }
  }
}

/** Builds one message's model: struct registry (inline and common structs), fields, ranges. */
function buildMessage(file: string, raw: RawSchema): MessageDef {
  const valid = parseVersions(raw.validVersions, NONE);
  const flexible = parseVersions(raw.flexibleVersions, NONE);
  const structs: StructDef[] = [];
  const byName = new Map<string, StructDef>();
  const declare = (schemaName: string, path: string): StructDef => {
    if (byName.has(schemaName)) throw new Error(`${raw.name}: struct ${schemaName} defined twice`);
    const s: StructDef = { tsName: raw.name + schemaName, path, fields: [], range: NONE };
    byName.set(schemaName, s);
    structs.push(s);
    return s;
  };
  const common = (raw.commonStructs ?? []).map((c) => ({ def: declare(c.name, `${raw.name}.${c.name}`), raw: c }));

  const parseType = (f: RawField, path: string): FieldType => {
    let t = f.type;
    const isArray = t.startsWith('[]');
    if (isArray) t = t.slice(2);
    let elem: FieldType;
    if (PRIMS.has(t)) {
      if (t === 'records' && isArray) throw new Error(`${path}: array of records`);
      elem = { kind: 'prim', prim: t as Prim };
    } else if (/^[A-Z]/.test(t)) {
      let s = byName.get(t);
      if (f.fields) {
        if (s) throw new Error(`${path}: struct ${t} defined twice`);
        s = declare(t, path);
        s.fields = f.fields.map((x) => parseField(x, path));
      } else if (!s) throw new Error(`${path}: unknown struct ${t}`);
      elem = { kind: 'struct', struct: s };
    } else throw new Error(`${path}: unknown type ${f.type}`);
    return isArray ? { kind: 'array', elem } : elem;
  };

  const parseField = (f: RawField, parentPath: string): FieldDef => {
    const prop = camel(f.name);
    const path = `${parentPath}.${prop}`;
    const tagged = parseVersions(f.taggedVersions, NONE);
    const versions = parseVersions(f.versions, tagged);
    if (isEmpty(versions) && f.versions === undefined) throw new Error(`${path}: no versions`);
    if ((f.tag === undefined) !== isEmpty(tagged)) throw new Error(`${path}: tag without taggedVersions`);
    if (!isEmpty(tagged) && (tagged.hi !== Infinity || versions.hi !== Infinity || tagged.lo < versions.lo)) {
      throw new Error(`${path}: taggedVersions must be open-ended and within versions`);
    }
    const type = parseType(f, path);
    const nullable = parseVersions(f.nullableVersions, NONE);
    if (!isEmpty(nullable)) {
      const ok = type.kind !== 'prim' || ['string', 'bytes', 'records'].includes(type.prim);
      if (!ok) throw new Error(`${path}: ${f.type} cannot be nullable`);
    }
    return {
      prop,
      type,
      versions,
      nullable,
      tagged,
      tag: f.tag,
      ignorable: f.ignorable === true,
      flexibleOverride: f.flexibleVersions === undefined ? undefined : parseVersions(f.flexibleVersions, NONE),
      def: resolveDefault(f.default, type, nullable, versions, path),
    };
  };

  for (const c of common) c.def.fields = c.raw.fields.map((x) => parseField(x, c.def.path));
  const top: StructDef = { tsName: raw.name, path: raw.name, fields: raw.fields.map((f) => parseField(f, raw.name)), range: valid };

  // The versions each struct can occur in, from its uses: keeps generated conditions short.
  const spread = (s: StructDef, ctx: Versions): void => {
    for (const f of s.fields) {
      const inner = f.type.kind === 'array' ? f.type.elem : f.type;
      if (inner.kind !== 'struct') continue;
      const r = intersect(f.versions, ctx);
      if (isEmpty(r)) continue;
      inner.struct.range = union(inner.struct.range, r);
      spread(inner.struct, r);
    }
  };
  spread(top, valid);
  for (const s of structs) if (isEmpty(s.range)) s.range = valid;
  checkTags(top);
  for (const s of structs) checkTags(s);

  const rel = relative(schemaRoot, file);
  const sub = rel.startsWith('internal') ? dirname(relative(join(schemaRoot, 'internal'), file)) : '.';
  return {
    sourceFile: basename(file),
    name: raw.name,
    kind: raw.type,
    apiKey: raw.apiKey,
    valid,
    flexible,
    top,
    structs,
    outFile: join(sub, kebab(raw.name)),
  };
}

function checkTags(s: StructDef): void {
  const seen = new Set<number>();
  for (const f of s.fields) {
    if (f.tag === undefined) continue;
    if (seen.has(f.tag)) throw new Error(`${s.path}: tag ${f.tag} used twice`);
    seen.add(f.tag);
  }
}

// ---------------------------------------------------------------------------------------------
// Emission helpers

class Code {
  private lines: string[] = [];
  private depth = 0;
  line(text = ''): this {
    this.lines.push(text === '' ? '' : '  '.repeat(this.depth) + text);
    return this;
  }
  open(text: string): this {
    this.line(text);
    this.depth++;
    return this;
  }
  close(text = '}'): this {
    this.depth--;
    return this.line(text);
  }
  dedent(): this {
    this.depth--;
    return this;
  }
  /** Closes a block and opens the next, as in `} else {`. */
  middle(text: string): this {
    this.depth--;
    this.line(text);
    this.depth++;
    return this;
  }
  /** `if (c) {` … `}`; no wrapper when c is 'true', nothing when 'false'. */
  when(c: string, body: () => void): this {
    if (c === 'false') return this;
    if (c === 'true') {
      body();
      return this;
    }
    this.open(`if (${c}) {`);
    body();
    return this.close();
  }
  /** Like when(), but always a block (a bare `{` … `}` for 'true'), to scope locals. */
  block(c: string, body: () => void): this {
    if (c === 'false') return this;
    this.open(c === 'true' ? '{' : `if (${c}) {`);
    body();
    return this.close();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** Negates a condition, keeping simple comparisons readable. */
function not(c: string): string {
  if (c === 'true') return 'false';
  if (c === 'false') return 'true';
  const m = /^version (>=|<=|===) (\d+)$/.exec(c);
  if (m) return `version ${({ '>=': '<', '<=': '>', '===': '!==' } as Record<string, string>)[m[1]!]} ${m[2]}`;
  return `!(${c})`;
}

const and = (c: string, e: string): string => (c === 'true' ? e : c === 'false' ? 'false' : `${c} && ${e}`);

const innerType = (t: FieldType): FieldType => (t.kind === 'array' ? t.elem : t);
const canBeNull = (f: FieldDef): boolean => !isEmpty(f.nullable) || f.def.value === null;

function tsType(t: FieldType, input: boolean): string {
  if (t.kind === 'struct') return t.struct.tsName + (input ? 'Input' : '');
  if (t.kind === 'array') {
    const e = tsType(t.elem, input);
    return input ? `readonly ${e}[]` : `${e}[]`;
  }
  switch (t.prim) {
    case 'bool':
      return 'boolean';
    case 'string':
    case 'uuid':
      return 'string';
    case 'bytes':
      return 'Buffer';
    case 'records':
      return input ? 'Buffer | readonly Buffer[]' : 'Buffer';
    default:
      return 'number';
  }
}

function fieldTsType(f: FieldDef, input: boolean): string {
  return tsType(f.type, input) + (canBeNull(f) ? ' | null' : '');
}

function fieldDoc(f: FieldDef): string {
  const parts = [`v${showVersions(f.versions)}`];
  if (!isEmpty(f.nullable)) parts.push(`nullable v${showVersions(f.nullable)}`);
  if (!isEmpty(f.tagged)) parts.push(`tagged v${showVersions(f.tagged)} (tag ${f.tag})`);
  if (f.flexibleOverride) parts.push(`compact encoding ${isEmpty(f.flexibleOverride) ? 'never' : 'v' + showVersions(f.flexibleOverride)}`);
  if (f.def.value !== undefined) parts.push(`default ${f.def.value === null ? 'null' : JSON.stringify(f.def.value)}`);
  if (f.ignorable) parts.push('ignorable');
  return `/** ${parts.join(', ')} */`;
}

/** Per-struct context of a generated function: the message and the version range known to hold. */
interface Ctx {
  msg: MessageDef;
  s: StructDef;
  /** The condition for flexible versions within s.range: 'true', 'false' or the local `flexible`. */
  flex: string;
  flexExpr: string; // what `const flexible` is set to
}

function ctxFor(msg: MessageDef, s: StructDef): Ctx {
  const flexExpr = cond(msg.flexible, s.range);
  return { msg, s, flexExpr, flex: flexExpr === 'true' || flexExpr === 'false' ? flexExpr : 'flexible' };
}

/**
 * Where a field is read in order (regular), where in the tagged section (tagged, relative to the
 * flexible versions, as it is only evaluated there), and where it is absent.
 */
function fieldConds(ctx: Ctx, f: FieldDef): { regular: string; tagged: string; absent: string } {
  const range = intersect(f.versions, ctx.s.range);
  const flexRange = intersect(ctx.msg.flexible, ctx.s.range);
  const taggedRange = intersect(f.tagged, intersect(flexRange, range));
  const regularRange = isEmpty(taggedRange) ? range : { lo: range.lo, hi: taggedRange.lo - 1 };
  return {
    regular: cond(regularRange, ctx.s.range),
    tagged: isEmpty(taggedRange) ? 'false' : cond(taggedRange, flexRange),
    absent: not(cond(range, ctx.s.range)),
  };
}

/** Where field `f` is nullable, within the versions that carry it. */
function nullableCond(ctx: Ctx, f: FieldDef): string {
  return cond(f.nullable, intersect(f.versions, ctx.s.range));
}

/** The compact-encoding condition for one field (a field-level flexibleVersions overrides). */
function fieldFlex(ctx: Ctx, f: FieldDef): string {
  return f.flexibleOverride ? cond(f.flexibleOverride, ctx.s.range) : ctx.flex;
}

/** Chooses between compact and classic encodings by condition `flex`. */
function pickFlex(flex: string, compact: string, classic: string): string {
  if (flex === 'true') return compact;
  if (flex === 'false') return classic;
  return `${flex} ? ${compact} : ${classic}`;
}

function stmtFlex(flex: string, compact: string, classic: string): string {
  if (flex === 'true') return compact;
  if (flex === 'false') return classic;
  return `if (${flex}) ${compact} else ${classic}`;
}

/** The condition for a version the schema does not define. */
function outsideValid(msg: MessageDef): string {
  const { lo, hi } = msg.valid;
  return lo === hi ? `version !== ${lo}` : `version < ${lo} || version > ${hi}`;
}

/** Copies a function body into `code`, declaring `flexible` first if the body uses it. */
function emitBody(code: Code, ctx: Ctx, body: Code): void {
  const text = body.text();
  if (/\bflexible\b/.test(text)) code.line(`const flexible = ${ctx.flexExpr};`);
  for (const line of text.split('\n')) code.line(line.trimEnd() === '' ? '' : line);
}

// ---------------------------------------------------------------------------------------------
// Reading

const READ_PRIM: Record<string, string> = {
  int8: 'r.readInt8()',
  int16: 'r.readInt16()',
  int32: 'r.readInt32()',
  int64: 'r.readInt64()',
  uint16: 'r.readUInt16()',
  uint32: 'r.readUInt32()',
  float64: 'r.readFloat64()',
  bool: 'r.readBoolean()',
  uuid: 'r.readUuid()',
};

/** An expression reading a non-array value; `flex` and `nullable` are conditions. */
function readExpr(t: FieldType, flex: string, nullable: string): string {
  if (t.kind === 'struct') {
    const read = `read${t.struct.tsName}(r, version)`;
    if (nullable === 'false') return read;
    const marker = nullable === 'true' ? 'r.readInt8() < 0' : `${nullable} && r.readInt8() < 0`;
    return `${marker} ? null : ${read}`;
  }
  if (t.kind === 'array') throw new Error('readExpr on an array');
  const prim = READ_PRIM[t.prim];
  if (prim) return prim;
  const base = t.prim === 'string' ? 'String' : 'Bytes'; // records read as nullable bytes
  const variant = (isNull: boolean): string => {
    const n = isNull ? 'Nullable' : '';
    return pickFlex(flex, `r.readCompact${n}${base}()`, `r.read${n}${base}()`);
  };
  if (nullable === 'true') return variant(true);
  if (nullable === 'false') return variant(false);
  return `${nullable} ? (${variant(true)}) : (${variant(false)})`;
}

/** Wraps a conditional expression in parentheses for use as an operand. */
function operand(e: string): string {
  return /^[\w.]+\([\w, ]*\)$/.test(e) ? e : `(${e})`;
}

/**
 * Emits statements reading array field `f` into `target`. With `declare`, declares it as a
 * non-null const (scoping the length in a block); otherwise assigns an already declared `let`
 * and expects to be inside a block of its own.
 */
function emitReadArray(code: Code, ctx: Ctx, f: FieldDef, target: string, declare: boolean, flex: string, nullable: string): void {
  const t = f.type;
  if (t.kind !== 'array') throw new Error('emitReadArray on a non-array');
  const elemType = tsType(t.elem, false);
  const elem = readExpr(t.elem, flex, 'false');
  const lengthExpr = pickFlex(flex, 'r.readCompactArrayLength()', 'r.readArrayLength()');
  const nullError = `throw new ProtocolDecodeError('${ctx.s.path}.${f.prop}: null in a non-nullable array');`;
  if (declare) {
    code.line(`const ${target}: ${elemType}[] = [];`);
    code.open('{');
    code.line(`const n = ${lengthExpr};`);
    code.line(`if (n < 0) ${nullError}`);
    code.line(`for (let i = 0; i < n; i++) ${target}.push(${elem});`);
    code.close();
    return;
  }
  code.line(`const n = ${lengthExpr};`);
  if (nullable === 'false') {
    code.line(`if (n < 0) ${nullError}`);
    code.open('{');
  } else {
    code.open('if (n < 0) {');
    if (nullable !== 'true') code.line(`if (${not(nullable)}) ${nullError}`);
    code.line(`${target} = null;`);
    code.middle('} else {');
  }
  code.line(`const a: ${elemType}[] = [];`);
  code.line(`for (let i = 0; i < n; i++) a.push(${elem});`);
  code.line(`${target} = a;`);
  code.close();
}

/** Emits statements assigning field `f`, read with encoding `flex`, to the declared `target`. */
function emitReadAssign(code: Code, ctx: Ctx, f: FieldDef, target: string, flex: string): void {
  if (f.type.kind === 'array') emitReadArray(code, ctx, f, target, false, flex, nullableCond(ctx, f));
  else code.line(`${target} = ${readExpr(f.type, flex, nullableCond(ctx, f))};`);
}

function emitReadFunction(code: Code, ctx: Ctx, exported: boolean): void {
  const { s, msg } = ctx;
  const body = new Code();
  const local = (f: FieldDef): string => `_${f.prop}`;
  const tagged: FieldDef[] = [];
  for (const f of s.fields) {
    const c = fieldConds(ctx, f);
    const flex = fieldFlex(ctx, f);
    const type = fieldTsType(f, false);
    if (c.tagged !== 'false') {
      tagged.push(f);
      body.line(`let ${local(f)}: ${type} = ${f.def.expr};`);
      body.block(c.regular, () => emitReadAssign(body, ctx, f, local(f), flex));
    } else if (f.type.kind === 'array' && c.regular === 'true' && !canBeNull(f)) {
      emitReadArray(body, ctx, f, local(f), true, flex, 'false');
    } else if (f.type.kind === 'array' && c.regular === 'false') {
      body.line(`const ${local(f)}: ${type} = ${f.def.expr};`);
    } else if (f.type.kind === 'array') {
      body.line(`let ${local(f)}: ${type};`);
      body.open(c.regular === 'true' ? '{' : `if (${c.regular}) {`);
      emitReadAssign(body, ctx, f, local(f), flex);
      if (c.regular !== 'true') body.middle('} else {').line(`${local(f)} = ${f.def.expr};`);
      body.close();
    } else {
      const read = readExpr(f.type, flex, nullableCond(ctx, f));
      const value = c.regular === 'true' ? read : c.regular === 'false' ? f.def.expr : `${c.regular} ? ${operand(read)} : ${f.def.expr}`;
      body.line(`const ${local(f)} = ${value};`);
    }
  }
  body.when(ctx.flex, () => emitReadTagged(body, ctx, tagged, local));
  if (s.fields.length === 0) body.line('return {};');
  else {
    body.open('return {');
    for (const f of s.fields) body.line(`${f.prop}: ${local(f)},`);
    body.close('};');
  }

  code.open(`${exported ? 'export ' : ''}function read${s.tsName}(r: Reader, version: number): ${s.tsName} {`);
  if (exported) {
    code.open(`if (${outsideValid(msg)}) {`);
    code.line(`throw new ProtocolDecodeError(\`${msg.name} v\${version} is not supported\`);`);
    code.close();
  }
  emitBody(code, ctx, body);
  code.close();
}

function emitReadTagged(code: Code, ctx: Ctx, tagged: FieldDef[], local: (f: FieldDef) => string): void {
  if (tagged.length === 0) {
    code.line('r.skipTaggedFields();');
    return;
  }
  code.line('const tagCount = r.readUnsignedVarint();');
  code.open('for (let i = 0; i < tagCount; i++) {');
  code.line('const tag = r.readUnsignedVarint();');
  code.line('const size = r.readUnsignedVarint();');
  code.open('switch (tag) {');
  for (const f of [...tagged].sort((a, b) => a.tag! - b.tag!)) {
    const c = fieldConds(ctx, f);
    code.open(`case ${f.tag}: {`);
    const read = (): void => {
      code.line('const end = r.offset + size;');
      emitReadAssign(code, ctx, f, local(f), 'true');
      code.line('r.endTaggedField(tag, end);');
    };
    if (c.tagged === 'true') read();
    else {
      code.open(`if (${c.tagged}) {`);
      read();
      code.close('} else r.skip(size);');
    }
    code.line('break;');
    code.close();
  }
  code.open('default:');
  code.line('r.skip(size);');
  code.dedent();
  code.close();
  code.close();
}

// ---------------------------------------------------------------------------------------------
// Writing

const WRITE_PRIM: Record<string, string> = {
  int8: 'writeInt8',
  int16: 'writeInt16',
  int32: 'writeInt32',
  int64: 'writeInt64',
  uint16: 'writeUInt16',
  uint32: 'writeUInt32',
  float64: 'writeFloat64',
  bool: 'writeBoolean',
  uuid: 'writeUuid',
};

const FIXED_SIZE: Record<string, number> = {
  int8: 1, int16: 2, int32: 4, int64: 8, uint16: 2, uint32: 4, float64: 8, bool: 1, uuid: 16,
};

/** A condition true when `x` (which may be undefined) holds its field's default. */
function isDefaultExpr(f: FieldDef, x: string): string {
  if (f.def.value === null) return `${x} == null`;
  const t = f.type;
  const nonNull = canBeNull(f) ? `${x} !== null && ` : '';
  if (t.kind === 'array' || (t.kind === 'prim' && t.prim === 'bytes')) {
    const empty = `${x}.length === 0`;
    return `(${x} === undefined || ${nonNull ? `(${nonNull}${empty})` : empty})`;
  }
  if (t.kind === 'struct') {
    const check = `isDefault${t.struct.tsName}(${x})`;
    return `(${x} === undefined || ${nonNull ? `(${nonNull}${check})` : check})`;
  }
  return `(${x} === undefined || ${x} === ${f.def.expr})`;
}

function isNonDefaultExpr(f: FieldDef, x: string): string {
  if (f.def.value === null) return `${x} != null`;
  return `!${isDefaultExpr(f, x)}`;
}

/** The input value with its default filled in (an empty input stands for a default struct). */
function valueExpr(f: FieldDef, raw: string): string {
  const d = f.type.kind === 'struct' && f.def.value !== null ? '{}' : f.def.expr;
  if (d === 'null' || !canBeNull(f)) return `${raw} ?? ${d}`;
  return `${raw} === undefined ? ${d} : ${raw}`;
}

/** A statement writing one non-null, non-array value `v` of type `t` to writer `w`. */
function writeLeaf(t: FieldType, v: string, w: string, flex: string): string {
  if (t.kind === 'struct') return `write${t.struct.tsName}(${w}, version, ${v});`;
  if (t.kind === 'array') throw new Error('writeLeaf on an array');
  const prim = WRITE_PRIM[t.prim];
  if (prim) return `${w}.${prim}(${v});`;
  const base = t.prim === 'string' ? 'String' : t.prim === 'bytes' ? 'Bytes' : 'Records';
  return stmtFlex(flex, `${w}.writeCompact${base}(${v});`, `${w}.write${base}(${v});`);
}

/** A statement writing possibly-null `v` with the writer's own nullable encodings, if it has them. */
function writeNullableLeaf(t: FieldType, v: string, w: string, flex: string): string | undefined {
  if (t.kind !== 'prim') return undefined;
  if (t.prim === 'records') return writeLeaf(t, v, w, flex);
  const base = t.prim === 'string' ? 'String' : t.prim === 'bytes' ? 'Bytes' : undefined;
  if (!base) return undefined;
  return stmtFlex(flex, `${w}.writeCompactNullable${base}(${v});`, `${w}.writeNullable${base}(${v});`);
}

/** Emits statements writing value `v` (defaults applied) of field `f` to writer `w`. */
function emitWriteValue(code: Code, ctx: Ctx, f: FieldDef, v: string, w: string, flex: string, nullable: string): void {
  const t = f.type;
  const nonNull = (): void => {
    if (t.kind !== 'array') {
      // Nullable structs carry a presence marker, but only in the versions where they are nullable.
      if (t.kind === 'struct' && nullable === 'true') code.line(`${w}.writeInt8(1);`);
      else if (t.kind === 'struct' && nullable !== 'false') code.line(`if (${nullable}) ${w}.writeInt8(1);`);
      code.line(writeLeaf(t, v, w, flex));
      return;
    }
    code.line(stmtFlex(flex, `${w}.writeCompactArrayLength(${v}.length);`, `${w}.writeArrayLength(${v}.length);`));
    code.line(`for (const e of ${v}) ${writeLeaf(t.elem, 'e', w, flex)}`);
  };
  if (!canBeNull(f)) return nonNull();
  const error = `throw nonNullable('${ctx.s.path}.${f.prop}', version);`;
  if (nullable === 'false') {
    code.line(`if (${v} === null) ${error}`);
    return nonNull();
  }
  const single = writeNullableLeaf(t, v, w, flex);
  if (single && nullable === 'true') return void code.line(single);
  code.open(`if (${v} === null) {`);
  if (nullable !== 'true') code.line(`if (${not(nullable)}) ${error}`);
  if (t.kind === 'struct') code.line(`${w}.writeInt8(-1);`);
  else if (t.kind === 'array') code.line(stmtFlex(flex, `${w}.writeCompactArrayLength(-1);`, `${w}.writeArrayLength(-1);`));
  else code.line(writeNullableLeaf(t, 'null', w, flex)!);
  code.middle('} else {');
  nonNull();
  code.close();
}

function emitWriteFunction(code: Code, ctx: Ctx, exported: boolean): void {
  const { s, msg } = ctx;
  const body = new Code();
  for (const f of s.fields) {
    const c = fieldConds(ctx, f);
    const raw = `m.${f.prop}`;
    const flex = fieldFlex(ctx, f);
    const nullable = nullableCond(ctx, f);
    const single = nullable === 'true' ? writeNullableLeaf(f.type, valueExpr(f, raw), 'w', flex) : undefined;
    const simple = f.type.kind === 'prim' && !canBeNull(f);
    const check = !f.ignorable && c.absent !== 'false' ? isNonDefaultExpr(f, raw) : undefined;
    const error = `throw unsupportedField('${s.path}.${f.prop}', version);`;
    const oneLine = simple ? writeLeaf(f.type, valueExpr(f, raw), 'w', flex) : single;
    if (c.regular === 'true' && oneLine) body.line(oneLine);
    else if (c.regular !== 'false') {
      body.open(c.regular === 'true' ? '{' : `if (${c.regular}) {`);
      if (oneLine) body.line(oneLine);
      else {
        body.line(`const v = ${valueExpr(f, raw)};`);
        emitWriteValue(body, ctx, f, 'v', 'w', flex, nullable);
      }
      if (check && c.tagged === 'false' && c.regular !== 'true') {
        body.middle(`} else if (${check}) {`);
        body.line(error);
      }
      body.close();
      if (check && c.tagged !== 'false') body.line(`if (${and(c.absent, check)}) ${error}`);
    } else if (check) body.line(`if (${and(c.absent, check)}) ${error}`);
  }
  body.when(ctx.flex, () => emitWriteTagged(body, ctx));

  code.open(`${exported ? 'export ' : ''}function write${s.tsName}(w: Writer, version: number, m: ${s.tsName}Input): void {`);
  if (exported) {
    code.line(`if (${outsideValid(msg)}) throw unsupportedVersion('${msg.name}', version);`);
  }
  emitBody(code, ctx, body);
  code.close();
}

function emitWriteTagged(code: Code, ctx: Ctx): void {
  const tagged = ctx.s.fields
    .filter((f) => fieldConds(ctx, f).tagged !== 'false')
    .sort((a, b) => a.tag! - b.tag!);
  if (tagged.length === 0) {
    code.line('w.writeUnsignedVarint(0);');
    return;
  }
  tagged.forEach((f, i) => {
    code.line(`const has${i} = ${and(fieldConds(ctx, f).tagged, isNonDefaultExpr(f, `m.${f.prop}`))};`);
  });
  code.line(`w.writeUnsignedVarint(${tagged.map((_, i) => `(has${i} ? 1 : 0)`).join(' + ')});`);
  tagged.forEach((f, i) => {
    code.open(`if (has${i}) {`);
    code.line(`w.writeUnsignedVarint(${f.tag});`);
    const t = f.type;
    if (t.kind === 'prim' && FIXED_SIZE[t.prim] !== undefined) {
      code.line(`w.writeUnsignedVarint(${FIXED_SIZE[t.prim]});`);
      code.line(writeLeaf(t, valueExpr(f, `m.${f.prop}`), 'w', 'true'));
    } else {
      // Variable-sized: encode into a scratch writer first, as the size precedes the value.
      code.line('const t = new Writer(64);');
      code.line(`const v = ${valueExpr(f, `m.${f.prop}`)};`);
      emitWriteValue(code, ctx, f, 'v', 't', 'true', nullableCond(ctx, f));
      code.line('w.writeUnsignedVarint(t.length);');
      code.line('w.appendWriter(t);');
    }
    code.close();
  });
}

// ---------------------------------------------------------------------------------------------
// Defaults of structs (for absent and tagged struct fields)

function emitDefaultFunction(code: Code, s: StructDef): void {
  code.open(`function default${s.tsName}(): ${s.tsName} {`);
  if (s.fields.length === 0) code.line('return {};');
  else {
    code.open('return {');
    for (const f of s.fields) code.line(`${f.prop}: ${f.def.expr},`);
    code.close('};');
  }
  code.close();
}

function emitIsDefaultFunction(code: Code, s: StructDef): void {
  code.open(`function isDefault${s.tsName}(m: ${s.tsName}Input): boolean {`);
  const parts = s.fields.map((f) => isDefaultExpr(f, `m.${f.prop}`));
  if (parts.length === 0) code.line('return true;');
  else {
    code.line('return (');
    parts.forEach((p, i) => code.line(`  ${p}${i < parts.length - 1 ? ' &&' : ''}`));
    code.line(');');
  }
  code.close();
}

// ---------------------------------------------------------------------------------------------
// Files

const HEADER = (source: string): string => `// Generated by scripts/generate.ts from ${source} — do not edit.`;

function emitInterfaces(code: Code, msg: MessageDef, input: boolean): void {
  for (const s of [msg.top, ...msg.structs]) {
    const name = s.tsName + (input ? 'Input' : '');
    const what = s === msg.top ? `${msg.name} v${showVersions(msg.valid)}` : `${s.path}, v${showVersions(s.range)}`;
    code.line(input ? `/** ${what}, to write: a missing field is written as its default. */` : `/** ${what}. */`);
    if (s.fields.length === 0) {
      code.line(`export interface ${name} {}`);
      code.line();
      continue;
    }
    code.open(`export interface ${name} {`);
    for (const f of s.fields) {
      code.line(fieldDoc(f));
      code.line(`${f.prop}${input ? '?' : ''}: ${fieldTsType(f, input)};`);
    }
    code.close();
    code.line();
  }
}

function renderMessage(msg: MessageDef): { text: string; exports: string[] } {
  const code = new Code();
  const upper = screaming(msg.name);
  const exports = [msg.name, `${msg.name}Input`, `read${msg.name}`, `write${msg.name}`, `${upper}_VERSIONS`];
  for (const s of msg.structs) exports.push(s.tsName, `${s.tsName}Input`);
  if (msg.apiKey !== undefined) {
    code.line(`export const ${upper}_API_KEY = ${msg.apiKey};`);
    exports.push(`${upper}_API_KEY`);
  }
  const flexMin = isEmpty(intersect(msg.flexible, msg.valid)) ? 'Infinity' : String(Math.max(msg.flexible.lo, msg.valid.lo));
  code.line(`export const ${upper}_VERSIONS = { min: ${msg.valid.lo}, max: ${msg.valid.hi}, flexibleMin: ${flexMin} } as const;`);
  code.line();
  emitInterfaces(code, msg, false);
  emitInterfaces(code, msg, true);

  const fns = new Code();
  emitReadFunction(fns, ctxFor(msg, msg.top), true);
  fns.line();
  emitWriteFunction(fns, ctxFor(msg, msg.top), true);
  for (const s of msg.structs) {
    fns.line();
    emitReadFunction(fns, ctxFor(msg, s), false);
    fns.line();
    emitWriteFunction(fns, ctxFor(msg, s), false);
  }
  // Default and isDefault helpers, only for the structs that are referenced (transitively).
  let helpers = '';
  const done = new Set<string>();
  for (;;) {
    const wanted = [...(fns.text() + helpers).matchAll(/\b(default|isDefault)(\w+)\(/g)]
      .map((m) => `${m[1]}:${m[2]}`)
      .filter((k) => !done.has(k));
    if (wanted.length === 0) break;
    for (const key of [...new Set(wanted)].sort()) {
      done.add(key);
      const [kind, tsName] = key.split(':') as [string, string];
      const s = msg.structs.find((x) => x.tsName === tsName);
      if (!s) throw new Error(`${msg.name}: no struct ${tsName}`);
      const h = new Code();
      h.line();
      if (kind === 'default') emitDefaultFunction(h, s);
      else emitIsDefaultFunction(h, s);
      helpers += '\n' + h.text();
    }
  }
  const body = code.text() + '\n' + fns.text() + helpers + '\n';

  const depth = msg.outFile.split('/').length - 1;
  const up = depth === 0 ? '../' : '../'.repeat(depth + 1);
  const uses = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(body);
  const readerNames = ['EMPTY_BUFFER', 'ProtocolDecodeError', 'ZERO_UUID'].filter(uses);
  const writerNames = ['nonNullable', 'unsupportedField', 'unsupportedVersion'].filter(uses);
  const head = [HEADER(msg.sourceFile), ''];
  head.push(`import { ${[...readerNames, 'type Reader'].join(', ')} } from '${up}reader.js';`);
  const writerIsValue = /new Writer\(/.test(body);
  head.push(`import { ${[...writerNames, writerIsValue ? 'Writer' : 'type Writer'].join(', ')} } from '${up}writer.js';`);
  return { text: head.join('\n') + '\n\n' + body.replace(/\n{3,}/g, '\n\n'), exports };
}

function renderApiKeys(apis: { key: number; name: string; req: MessageDef; res: MessageDef }[]): string {
  const code = new Code();
  code.line('// Generated by scripts/generate.ts from messages/*Request.json and *Response.json — do not edit.');
  code.line('// The API key table: names, version ranges, codecs and which header version each API uses.');
  code.line();
  code.line("import type { Reader } from '../reader.js';");
  code.line("import type { Writer } from '../writer.js';");
  for (const a of apis) {
    code.line(`import { read${a.req.name}, write${a.req.name} } from './${a.req.outFile}.js';`);
    code.line(`import { read${a.res.name}, write${a.res.name} } from './${a.res.outFile}.js';`);
  }
  code.line();
  code.open('export const ApiKey = {');
  for (const a of apis) code.line(`${a.name}: ${a.key},`);
  code.close('} as const;');
  code.line('export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];');
  code.line();
  code.line('/** One API: its request and response codecs and the versions the schemas define. */');
  code.open('export interface ApiMessages {');
  code.line('readonly apiKey: number;');
  code.line('readonly name: string;');
  code.line('readonly minVersion: number;');
  code.line('readonly maxVersion: number;');
  code.line('/** First flexible version (compact encodings, tagged fields); Infinity if none. */');
  code.line('readonly flexibleMin: number;');
  code.line('readRequest(r: Reader, version: number): object;');
  code.line('writeRequest(w: Writer, version: number, m: object): void;');
  code.line('readResponse(r: Reader, version: number): object;');
  code.line('writeResponse(w: Writer, version: number, m: object): void;');
  code.close();
  code.line();
  code.line('/** Indexed by API key; undefined where no API has that key. */');
  code.open('export const API_MESSAGES: readonly (ApiMessages | undefined)[] = [');
  const max = Math.max(...apis.map((a) => a.key));
  for (let key = 0; key <= max; key++) {
    const a = apis.find((x) => x.key === key);
    if (!a) {
      code.line('undefined,');
      continue;
    }
    const flexMin = isEmpty(a.req.flexible) ? 'Infinity' : String(Math.max(a.req.flexible.lo, a.req.valid.lo));
    code.open('{');
    code.line(`apiKey: ${key},`);
    code.line(`name: '${a.name}',`);
    code.line(`minVersion: ${a.req.valid.lo},`);
    code.line(`maxVersion: ${a.req.valid.hi},`);
    code.line(`flexibleMin: ${flexMin},`);
    code.line(`readRequest: read${a.req.name},`);
    code.line(`writeRequest: write${a.req.name},`);
    code.line(`readResponse: read${a.res.name},`);
    code.line(`writeResponse: write${a.res.name},`);
    code.close('},');
  }
  code.close('];');
  code.line();
  code.line("/** The API's name, e.g. 'Produce', or 'Unknown(99)'. */");
  code.open('export function apiName(apiKey: number): string {');
  code.line('return API_MESSAGES[apiKey]?.name ?? `Unknown(${apiKey})`;');
  code.close();
  code.line();
  code.line('/**');
  code.line(' * RequestHeader version for a request: 2 (flexible, tagged fields) from the API\'s first flexible');
  code.line(' * version, else 1; ControlledShutdown v0 alone uses header v0 (no client id).');
  code.line(' */');
  code.open('export function requestHeaderVersion(apiKey: number, version: number): number {');
  code.line(`if (apiKey === ApiKey.ControlledShutdown && version === 0) return 0;`);
  code.line('const api = API_MESSAGES[apiKey];');
  code.line('return api !== undefined && version >= api.flexibleMin ? 2 : 1;');
  code.close();
  code.line();
  code.line('/**');
  code.line(' * ResponseHeader version: 1 for flexible versions, else 0. ApiVersions always answers with v0, so a');
  code.line(' * client that does not know the broker\'s versions yet can parse the reply (KIP-511).');
  code.line(' */');
  code.open('export function responseHeaderVersion(apiKey: number, version: number): number {');
  code.line('if (apiKey === ApiKey.ApiVersions) return 0;');
  code.line('const api = API_MESSAGES[apiKey];');
  code.line('return api !== undefined && version >= api.flexibleMin ? 1 : 0;');
  code.close();
  return code.text() + '\n';
}

function describeField(f: FieldDef): string {
  const inner = innerType(f.type);
  const base = inner.kind === 'struct' ? 'struct' : inner.kind === 'prim' ? inner.prim : '';
  const parts = [`n: '${f.prop}'`, `t: '${f.type.kind === 'array' ? '[]' : ''}${base}'`, `v: '${showVersions(f.versions)}'`];
  if (!isEmpty(f.nullable)) parts.push(`nv: '${showVersions(f.nullable)}'`);
  if (!isEmpty(f.tagged)) parts.push(`tv: '${showVersions(f.tagged)}'`, `tag: ${f.tag}`);
  if (f.def.value !== undefined) parts.push(`d: ${f.def.value === null ? 'null' : JSON.stringify(f.def.value).replace(/^"|"$/g, "'")}`);
  if (f.ignorable) parts.push('ig: true');
  if (f.flexibleOverride) parts.push(`fv: '${showVersions(f.flexibleOverride)}'`);
  if (inner.kind === 'struct') parts.push(`f: [${inner.struct.fields.map(describeField).join(', ')}]`);
  return `{ ${parts.join(', ')} }`;
}

function renderDescriptors(messages: MessageDef[]): string {
  const code = new Code();
  code.line('// Generated by scripts/generate.ts from the Kafka message schemas — do not edit.');
  code.line('// A prose-free summary of every schema (field names, types, version ranges, defaults) and its');
  code.line('// codec, for the round-trip property test; keys: n name, t type, v versions, nv nullable, tv tagged,');
  code.line('// tag, d explicit default, ig ignorable, fv field-level flexible versions, f struct fields.');
  code.line();
  code.line("import type { Reader } from '../../../src/protocol/reader.js';");
  code.line("import type { Writer } from '../../../src/protocol/writer.js';");
  for (const m of messages) {
    code.line(`import { read${m.name}, write${m.name} } from '../../../src/protocol/generated/${m.outFile}.js';`);
  }
  code.line();
  code.open('export interface FieldDescriptor {');
  code.line('n: string;');
  code.line('t: string;');
  code.line('v: string;');
  code.line('nv?: string;');
  code.line('tv?: string;');
  code.line('tag?: number;');
  code.line('d?: string | number | boolean | null;');
  code.line('ig?: boolean;');
  code.line('fv?: string;');
  code.line('f?: readonly FieldDescriptor[];');
  code.close();
  code.line();
  code.open('export interface MessageDescriptor {');
  code.line('name: string;');
  code.line('valid: string;');
  code.line('flexible: string;');
  code.line('fields: readonly FieldDescriptor[];');
  code.line('read(r: Reader, version: number): object;');
  code.line('write(w: Writer, version: number, m: object): void;');
  code.close();
  code.line();
  code.open('export const DESCRIPTORS: readonly MessageDescriptor[] = [');
  for (const m of messages) {
    code.open('{');
    code.line(`name: '${m.name}',`);
    code.line(`valid: '${showVersions(m.valid)}',`);
    code.line(`flexible: '${showVersions(m.flexible)}',`);
    code.line(`read: read${m.name},`);
    code.line(`write: write${m.name},`);
    code.open('fields: [');
    for (const f of m.top.fields) code.line(`${describeField(f)},`);
    code.close('],');
    code.close('},');
  }
  code.close('];');
  return code.text() + '\n';
}

// ---------------------------------------------------------------------------------------------
// Main

function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? schemaFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []))
    .sort();
}

function main(): void {
  const files = [...schemaFiles(join(schemaRoot, 'messages')), ...schemaFiles(join(schemaRoot, 'internal'))];
  const messages = files.map((file) => {
    try {
      return buildMessage(file, loadSchema(file));
    } catch (err) {
      throw new Error(`${relative(schemaRoot, file)}: ${(err as Error).message}`, { cause: err });
    }
  });

  rmSync(outRoot, { recursive: true, force: true });
  let lines = 0;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    lines += text.split('\n').length - 1;
  };

  const exported = new Map<string, string>();
  const publicFiles: string[] = [];
  for (const msg of messages) {
    const { text, exports } = renderMessage(msg);
    write(join(outRoot, `${msg.outFile}.ts`), text);
    const isPublic = !msg.outFile.includes('/');
    if (isPublic) publicFiles.push(msg.outFile);
    for (const name of exports) {
      const scope = isPublic ? name : `${msg.outFile}:${name}`;
      if (exported.has(scope)) throw new Error(`${name} exported by both ${exported.get(scope)} and ${msg.outFile}`);
      exported.set(scope, msg.outFile);
    }
  }

  const byKey = new Map<number, { req?: MessageDef; res?: MessageDef }>();
  for (const m of messages) {
    if (m.apiKey === undefined || (m.kind !== 'request' && m.kind !== 'response')) continue;
    const entry = byKey.get(m.apiKey) ?? {};
    entry[m.kind === 'request' ? 'req' : 'res'] = m;
    byKey.set(m.apiKey, entry);
  }
  const apis = [...byKey.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, e]) => {
      if (!e.req || !e.res) throw new Error(`api key ${key} lacks a request or a response`);
      return { key, name: e.req.name.replace(/Request$/, ''), req: e.req, res: e.res };
    });
  write(join(outRoot, 'api-keys.ts'), renderApiKeys(apis));

  const index = [
    '// Generated by scripts/generate.ts — do not edit. Re-exports every wire message; the internal',
    '// record formats (metadata/, group-coordinator/, …) are imported by path.',
    '',
    "export * from './api-keys.js';",
    ...publicFiles.sort().map((f) => `export * from './${f}.js';`),
    '',
  ].join('\n');
  write(join(outRoot, 'index.ts'), index);

  const descriptors = renderDescriptors(messages);
  mkdirSync(dirname(descriptorPath), { recursive: true });
  writeFileSync(descriptorPath, descriptors);
  console.log(`generated ${messages.length} schemas, ${apis.length} APIs: ${lines} lines in ${relative(repoRoot, outRoot)}`);
}

main();
