/**
 * A fast writer for the common case of `serialise`'s YAML: a plain JSON-like object (maps,
 * sequences, safe integers, booleans, null, and strings that the `yaml` package writes plain),
 * written in exactly the bytes that `yaml`'s `Document.toString` gives with `serialise`'s options
 * (YAML 1.1, sequences not indented, no line folding). Anything else — a string that `yaml` would
 * quote or write as a block, a non-integer number, a very long key — makes `fastYaml` return
 * undefined, and the caller writes the document with `yaml` itself. Output bytes never depend on
 * which path wrote them (test/io/yaml-fast.test.ts compares the two on every golden object and on
 * generated ones).
 *
 * The plain-string rule is `yaml`'s own (yaml/dist/stringify/stringifyString.js, `plainString`):
 * no leading indicator, no `: ` or ` #`, no trailing space or colon, no document marker, and no
 * implicit tag of the YAML 1.1 schema (booleans like `on`/`yes`, numbers, `1:30`, null, timestamps,
 * …) that would read it back as something other than a string. Printable ASCII only here.
 */
import * as YAML from 'yaml'

/** The implicit (untagged) resolvers of the YAML 1.1 schema, other than the string one. */
const implicitTests: ReadonlyArray<RegExp> = (() => {
  const schema = new YAML.Document(null, { version: '1.1' }).schema
  const out: Array<RegExp> = []
  for (const t of [...schema.tags, ...(schema.compat ?? [])]) {
    if (t.default === true && t.tag !== 'tag:yaml.org,2002:str' && t.test instanceof RegExp) out.push(t.test)
  }
  return out
})()

/** Characters or sequences that keep a string from being written plain (yaml's `plainString`). */
const notPlain = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/
const printableAscii = /^[\x20-\x7e]+$/
const documentMarker = /^(%|---|\.\.\.)/

/** The longest key `yaml` writes as an implicit key (`key: value`), with margin. */
const maxKeyLength = 1000

const plainCache = new Map<string, boolean>()

/** Whether `yaml` writes `s` as a plain scalar, unchanged. */
export const isPlain = (s: string): boolean => {
  const cached = plainCache.get(s)
  if (cached !== undefined) return cached
  const ok = printableAscii.test(s) && !notPlain.test(s) && !documentMarker.test(s) && !implicitTests.some((t) => t.test(s))
  if (plainCache.size < 100_000) plainCache.set(s, ok)
  return ok
}

class NotFast {}
const notFast = new NotFast()

const scalar = (v: unknown): string => {
  if (typeof v === 'string') {
    if (!isPlain(v)) throw notFast
    return v
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw notFast
    return String(v)
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (v === null) return 'null'
  throw notFast
}

const isPlainObject = (v: unknown): v is Readonly<Record<string, unknown>> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

const entriesOf = (o: Readonly<Record<string, unknown>>): ReadonlyArray<readonly [string, unknown]> => Object.entries(o).filter(([, v]) => v !== undefined)

const isCollection = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : isPlainObject(v) && entriesOf(v).length > 0)

/** A value after `key:` or `- `: a scalar or an empty collection on the same line. */
const inline = (v: unknown): string => {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    throw notFast
  }
  if (isPlainObject(v)) {
    if (entriesOf(v).length === 0) return '{}'
    throw notFast
  }
  return scalar(v)
}

const key = (k: string): string => {
  if (k.length > maxKeyLength) throw notFast
  return scalar(k)
}

/** Writes the entries of a non-empty map; the first line's indentation is written by the caller (`first`). */
const map = (out: Array<string>, o: ReadonlyArray<readonly [string, unknown]>, indent: string, first: string): void => {
  o.forEach(([k, v], i) => {
    out.push(i === 0 ? first : indent, key(k), ':')
    value(out, v, indent)
  })
}

/** Writes the items of a non-empty sequence at `indent` (sequences are not indented under their key). */
const seq = (out: Array<string>, xs: ReadonlyArray<unknown>, indent: string, first: string): void => {
  xs.forEach((x, i) => {
    out.push(i === 0 ? first : indent, '- ')
    item(out, x, `${indent}  `)
  })
}

/** A sequence item's content after `- `; `indent` is where its continuation lines start. */
const item = (out: Array<string>, x: unknown, indent: string): void => {
  if (Array.isArray(x) && x.length > 0) return seq(out, x, indent, '')
  if (isPlainObject(x)) {
    const es = entriesOf(x)
    if (es.length > 0) return map(out, es, indent, '')
  }
  out.push(inline(x), '\n')
}

/** The value after `key:` of a map entry at `indent`. */
const value = (out: Array<string>, v: unknown, indent: string): void => {
  if (!isCollection(v)) {
    out.push(' ', inline(v), '\n')
    return
  }
  out.push('\n')
  if (Array.isArray(v)) seq(out, v, indent, indent)
  else if (isPlainObject(v)) {
    const child = `${indent}  `
    map(out, entriesOf(v), child, child)
  }
}

/** One document in `serialise`'s YAML, or undefined when `yaml` must write it. */
export const fastYaml = (doc: unknown): string | undefined => {
  const out: Array<string> = []
  try {
    if (Array.isArray(doc) && doc.length > 0) seq(out, doc, '', '')
    else if (isPlainObject(doc) && entriesOf(doc).length > 0) map(out, entriesOf(doc), '', '')
    else out.push(inline(doc), '\n')
  } catch (e) {
    if (e === notFast) return undefined
    throw e
  }
  return out.join('')
}
