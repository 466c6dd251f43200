/**
 * Source text → documents with positions.
 *
 * A file is split into Kubernetes objects (multi-document YAML, a JSON object, or the items of a
 * `kind: *List` wrapper). Positions are resolved lazily: `locate` walks the YAML AST only when a
 * diagnostic needs a `file:line:col`, and JSON is re-parsed with `yaml` only at that moment.
 * Nothing here throws or prints; problems are returned as diagnostics.
 */
import { Composer, LineCounter, Parser, isAlias, isCollection, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml'
import type { CST, Document, YAMLError } from 'yaml'
import * as D from '../diagnostics.js'
import type { Diagnostic, Location } from '../diagnostics.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type PathKey = string | number
export type Path = ReadonlyArray<PathKey>

export interface SourceDoc {
  /** As given by the user (`-` is shown as `<stdin>`). */
  readonly file: string
  /** 0-based index of the (non-empty) document in the file; the items of one List share it. */
  readonly index: number
  /** Plain JS value of the document (or of one List item). */
  readonly value: unknown
  /**
   * Where a key path (relative to `value`) is in the file; falls back to the nearest existing
   * ancestor, then the document start. With `char`, the position of that (0-based) character inside
   * the string value at `path`, when the value is written on one line without escapes; else the
   * value's start.
   */
  readonly locate: (path: Path, char?: number) => Location
}

export interface ParseResult {
  readonly docs: ReadonlyArray<SourceDoc>
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

// -------------------------------------------------------------------------------------
// options
// -------------------------------------------------------------------------------------

/** Aliases allowed per document before it is treated as a resource-exhaustion attack. */
export const maxAliasCount = 1000

/** `logLevel: 'silent'`: the library must not print (it would warn on stderr about stringified collection keys). */
const parseOptions = { prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'silent' } as const

// -------------------------------------------------------------------------------------
// positions
// -------------------------------------------------------------------------------------

const position = (file: string, line: number, col: number): Location => ({ file, line, col })

/** Line/column (1-based) of a UTF-16 offset, counting lines by `\n`. */
const offsetLocation = (file: string, text: string, offset: number): Location => {
  let line = 1
  let lineStart = 0
  const end = Math.max(0, Math.min(offset, text.length))
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return position(file, line, end - lineStart + 1)
}

const rangeStart = (node: unknown): number | undefined => {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined
  const r: unknown = node.range
  return Array.isArray(r) && typeof r[0] === 'number' ? r[0] : undefined
}

const nonEmpty = (node: unknown): boolean => {
  if (typeof node !== 'object' || node === null || !('range' in node)) return false
  const r: unknown = node.range
  return Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number' && r[1] > r[0]
}

interface Step {
  /** The node to continue walking from (undefined when the value is empty). */
  readonly node: unknown
  /** The offset to report for this step. */
  readonly offset: number | undefined
}

const keyMatches = (k: unknown, key: PathKey): boolean =>
  isScalar(k) ? typeof k.value !== 'symbol' && String(k.value) === String(key) : typeof k === 'string' || typeof k === 'number' ? String(k) === String(key) : false

/** A `<<` merge key (the yaml library gives it a symbol value when merge keys are enabled). */
const isMergeKey = (k: unknown): boolean =>
  isScalar(k) && (typeof k.value === 'symbol' ? k.value.description === '<<' : k.value === '<<') && (k.source === undefined || k.source === '<<')

/** One step of a key path in the AST, following aliases and `<<` merge keys. */
const child = (doc: Document, node: unknown, key: PathKey, depth: number): Step | undefined => {
  if (depth > 64) return undefined
  const n: unknown = isAlias(node) ? node.resolve(doc) : node
  if (isMap(n)) {
    for (const p of n.items) {
      if (!isMergeKey(p.key) && keyMatches(p.key, key)) {
        const v: unknown = p.value
        return { node: v, offset: nonEmpty(v) ? rangeStart(v) : rangeStart(p.key) }
      }
    }
    // merged keys: the later sources lose to the earlier ones, as in `toJS`
    for (const p of n.items) {
      if (!isMergeKey(p.key)) continue
      const sources: ReadonlyArray<unknown> = isSeq(p.value) ? p.value.items : [p.value]
      for (const s of sources) {
        const found = child(doc, s, key, depth + 1)
        if (found !== undefined) return found
      }
    }
    return undefined
  }
  if (isSeq(n) && typeof key === 'number') {
    const v: unknown = n.items[key]
    return v === undefined ? undefined : { node: v, offset: rangeStart(v) }
  }
  return undefined
}

/** The offset of the deepest existing node on `path` (the document start when none exists), or of character `char` inside the scalar there. */
const locateOffset = (doc: Document, source: string, path: Path, char?: number): number => {
  const root: unknown = doc.contents
  let offset = rangeStart(root) ?? 0
  let node: unknown = root
  let found = true
  for (const key of path) {
    const step = child(doc, node, key, 0)
    if (step === undefined) {
      found = false
      break
    }
    if (step.offset !== undefined) offset = step.offset
    node = step.node
  }
  if (char === undefined || !found || !isScalar(node) || typeof node.value !== 'string' || node.range === undefined || node.range === null) return offset
  const [start, end] = node.range
  const raw = source.slice(start, end)
  const value = node.value
  if (node.type === 'PLAIN' && raw === value) return start + Math.min(char, value.length)
  if ((node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') && raw.slice(1, -1) === value) return start + 1 + Math.min(char, value.length)
  return offset
}

const yamlLocator =
  (file: string, doc: Document, source: string, lc: LineCounter) =>
  (path: Path, char?: number): Location => {
    const { line, col } = lc.linePos(locateOffset(doc, source, path, char))
    return position(file, line, col)
  }

/**
 * A locator that keeps only the document's text range: the syntax tree is rebuilt from that slice
 * the first time a position is asked for, so thousands of parsed documents do not hold their
 * trees in memory.
 */
const lazyLocator = (file: string, text: string, [start, end]: readonly [number, number], lc: LineCounter) => {
  let doc: Document | undefined
  return (path: Path, char?: number): Location => {
    const source = text.slice(start, end)
    doc ??= parseDocument(source, parseOptions)
    const { line, col } = lc.linePos(start + locateOffset(doc, source, path, char))
    return position(file, line, col)
  }
}

// -------------------------------------------------------------------------------------
// documents
// -------------------------------------------------------------------------------------

const describe = (u: unknown): string => (Array.isArray(u) ? 'a sequence' : 'a scalar')

const notAnObject = (u: unknown, location: Location): Diagnostic =>
  D.error('not-an-object', `expected a Kubernetes object (a mapping with apiVersion and kind), got ${describe(u)}`, location)

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * The largest object a cluster stores: etcd refuses requests over 1.5 MiB (its default
 * `--max-request-bytes`, https://etcd.io/docs/v3.5/dev-guide/limit/), and the API server stores an
 * object as one etcd value. Measured as the object's JSON encoding.
 */
export const maxObjectBytes = 1.5 * 1024 * 1024

/**
 * An object larger than a cluster stores. Measured only when its source text (`textLength` UTF-16
 * units) is over a quarter of the limit: UTF-8 takes at most 3 bytes per unit and JSON quoting
 * adds little, so a smaller text does not encode to more than the limit (aliases aside: their
 * expansion is bounded by `maxAliasCount`).
 */
const oversize = (value: unknown, textLength: number, location: () => Location): Diagnostic | undefined => {
  if (textLength <= maxObjectBytes / 4) return undefined
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8')
  if (bytes <= maxObjectBytes) return undefined
  return D.error(
    'object-too-large',
    `the object is ${(bytes / 2 ** 20).toFixed(1)} MiB as JSON; a Kubernetes cluster stores at most 1.5 MiB per object (etcd's request limit)`,
    location()
  )
}

/** One top-level value (its source text `textLength` long) → its SourceDocs (a `*List` wrapper is expanded into its items). */
const expand = (
  file: string,
  index: number,
  value: unknown,
  textLength: number,
  locate: (path: Path, char?: number) => Location,
  ds: Array<Diagnostic>
): ReadonlyArray<SourceDoc> => {
  if (!isObject(value)) {
    ds.push(notAnObject(value, locate([])))
    return []
  }
  const kind = value['kind']
  const items = value['items']
  if (typeof kind === 'string' && kind.endsWith('List') && (Array.isArray(items) || 'items' in value)) {
    // `kind: List` (and `*List`) hold their objects in `items`; `items: null` is an empty list (Go's decoding)
    if (items !== null && items !== undefined && !Array.isArray(items)) {
      ds.push(D.error('invalid-field', `items: expected a list of Kubernetes objects in a ${kind}, got ${items === null ? 'null' : typeof items === 'object' ? 'a mapping' : 'a scalar'}`, locate(['items'])))
      return []
    }
    const out: Array<SourceDoc> = []
    ;(Array.isArray(items) ? items : []).forEach((item: unknown, i) => {
      const itemLocate = (path: Path, char?: number): Location => locate(['items', i, ...path], char)
      if (!isObject(item)) ds.push(notAnObject(item, itemLocate([])))
      else {
        const big = oversize(item, textLength, () => itemLocate([]))
        if (big !== undefined) ds.push(big)
        else out.push({ file, index, value: item, locate: itemLocate })
      }
    })
    return out
  }
  const big = oversize(value, textLength, () => locate([]))
  if (big !== undefined) {
    ds.push(big)
    return []
  }
  return [{ file, index, value, locate }]
}

/** The first line of a library message, without a trailing colon (which would introduce context not printed). */
const firstLine = (s: string): string => (s.split('\n')[0] ?? s).trim().replace(/:$/, '')

/** Where `toJS` failed: the first alias whose anchor is not defined before it, else the document start. */
const toJsFailureOffset = (doc: Document): number => {
  let offset: number | undefined
  visit(doc, {
    Alias: (_key, node) => {
      if (node.resolve(doc) !== undefined) return undefined
      offset = rangeStart(node)
      return visit.BREAK
    }
  })
  return offset ?? rangeStart(doc.contents) ?? 0
}

/** How deep collections may nest. No policy schema nests deeper than about 15 levels (a `kind: List` item's selector values); the API server's decoders stop at 10,000, and netpolx stops well before its own recursion could. */
export const maxNestingDepth = 100

interface ShapeProblem {
  readonly code: 'nesting-depth' | 'collection-key'
  readonly offset: number
  readonly message: string
}

/**
 * What the YAML syntax allows but a Kubernetes object cannot hold, found without recursion: a
 * mapping or sequence used as a key (the library would turn it into a string), and nesting deeper
 * than {@link maxNestingDepth}. Aliases are not followed (their count is limited by `toJS`).
 */
const shapeProblem = (doc: Document): ShapeProblem | undefined => {
  const stack: Array<readonly [unknown, number]> = [[doc.contents, 1]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top
    if (!isCollection(node)) continue
    if (depth > maxNestingDepth)
      return { code: 'nesting-depth', offset: rangeStart(node) ?? 0, message: `nested more than ${maxNestingDepth} levels deep: no Kubernetes policy resource nests this deep` }
    if (isMap(node)) {
      for (const p of node.items) {
        if (isCollection(p.key)) return { code: 'collection-key', offset: rangeStart(p.key) ?? 0, message: 'a mapping or sequence used as a key: the keys of a Kubernetes object are strings' }
        stack.push([p.value, depth + 1])
      }
    } else for (const item of node.items) stack.push([item, depth + 1])
  }
  return undefined
}

/**
 * The offset of the first collection nested deeper than {@link maxNestingDepth} in a document's
 * syntax tokens, found without recursion. Checked before composing, because the `yaml` library's
 * composer recurses once per level and would overflow the stack on deep input.
 */
const tooDeepOffset = (doc: CST.Document): number | undefined => {
  const stack: Array<readonly [CST.Token | null | undefined, number]> = [[doc.value, 1]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [token, depth] = top
    if (token === null || token === undefined) continue
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue
    if (depth > maxNestingDepth) return token.offset
    for (const item of token.items) {
      stack.push([item.key, depth + 1])
      stack.push([item.value, depth + 1])
    }
  }
  return undefined
}

/** A `toJS` failure in the user's terms. */
const toJsMessage = (e: unknown): string => {
  const msg = e instanceof Error ? e.message : String(e)
  if (/alias count/i.test(msg)) return `more than ${maxAliasCount} alias expansions in one document (a resource-exhaustion attack?)`
  return firstLine(msg)
}

const yamlDiagnostic = (file: string, lc: LineCounter, e: YAMLError, severity: 'error' | 'warning'): Diagnostic => {
  const { line, col } = lc.linePos(e.pos[0])
  const loc = position(file, line, col)
  const msg = firstLine(e.message)
  return severity === 'error' ? D.error('yaml-syntax', msg, loc) : D.warning('yaml-warning', msg, loc)
}

/**
 * Multi-document YAML, one document at a time: the composer yields each document as it is
 * complete and its syntax tree is dropped once converted, so time and memory grow linearly with the
 * input (`parseAllDocuments` keeps every tree alive until the end).
 */
const parseYaml = (file: string, text: string): ParseResult => {
  const lc = new LineCounter()
  const composer = new Composer(parseOptions)
  const errors: Array<Diagnostic> = []
  const warnings: Array<Diagnostic> = []
  const values: Array<{ readonly range: readonly [number, number]; readonly value: unknown }> = []
  let documents = 0
  const composed = function* (): Generator<Document.Parsed> {
    for (const token of new Parser(lc.addNewLine).parse(text)) {
      const deep = token.type === 'document' ? tooDeepOffset(token) : undefined
      if (deep !== undefined) {
        documents++
        const { line, col } = lc.linePos(deep)
        errors.push(D.error('nesting-depth', `nested more than ${maxNestingDepth} levels deep: no Kubernetes policy resource nests this deep`, position(file, line, col)))
        continue
      }
      yield* composer.next(token)
    }
    yield* composer.end()
  }
  for (const doc of composed()) {
    documents++
    for (const e of doc.errors) errors.push(yamlDiagnostic(file, lc, e, 'error'))
    for (const w of doc.warnings) warnings.push(yamlDiagnostic(file, lc, w, 'warning'))
    if (doc.errors.length > 0 || doc.contents === null) continue
    const shape = shapeProblem(doc)
    if (shape !== undefined) {
      const { line, col } = lc.linePos(shape.offset)
      errors.push(D.error(shape.code, shape.message, position(file, line, col)))
      continue
    }
    let value: unknown
    try {
      value = doc.toJS({ maxAliasCount })
    } catch (e) {
      const { line, col } = lc.linePos(toJsFailureOffset(doc))
      errors.push(D.error('yaml-syntax', toJsMessage(e), position(file, line, col)))
      continue
    }
    if (value === null || value === undefined) continue
    values.push({ range: [doc.range[0], doc.range[2]], value })
  }
  if (documents === 0) {
    const info = composer.streamInfo()
    for (const e of info.errors) errors.push(yamlDiagnostic(file, lc, e, 'error'))
    for (const w of info.warnings) warnings.push(yamlDiagnostic(file, lc, w, 'warning'))
  }
  if (errors.length > 0) return { docs: [], diagnostics: [...errors, ...warnings] }
  if (values.length === 0) return { docs: [], diagnostics: [D.error('empty-input', 'no documents in file', position(file, 1, 1)), ...warnings] }
  const ds: Array<Diagnostic> = []
  const docs: Array<SourceDoc> = []
  values.forEach(({ range, value }, index) => {
    for (const d of expand(file, index, value, range[1] - range[0], lazyLocator(file, text, range, lc), ds)) docs.push(d)
  })
  return { docs, diagnostics: [...ds, ...warnings] }
}

// -------------------------------------------------------------------------------------
// JSON
// -------------------------------------------------------------------------------------

interface JsonProblem {
  readonly offset: number
  readonly message: string
  /** The text is one JSON value followed by more text (which YAML may read, e.g. `{...}` then `---`). */
  readonly trailing?: boolean
}

/** A run of string characters that need no attention (sticky; always matches). */
const plainRun = /[^"\\\u0000-\u001f]*/y

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/**
 * Validates JSON text and reports the first problem with its offset, including duplicate object
 * keys (which `JSON.parse` silently collapses). Iterative, so deep nesting cannot overflow the stack.
 */
export const checkJson = (text: string): JsonProblem | undefined => {
  const n = text.length
  let i = 0
  const skipWs = (): void => {
    while (i < n && isWs(text.charCodeAt(i))) i++
  }
  const tooDeep = (): JsonProblem => ({ offset: i - 1, message: `nested more than ${maxNestingDepth} levels deep: no Kubernetes policy resource nests this deep` })
  const unexpected = (): JsonProblem =>
    i >= n ? { offset: n, message: 'unexpected end of JSON input' } : { offset: i, message: `unexpected character ${JSON.stringify(text[i])}` }
  /** Scans a string starting at `i` (a `"`); returns its raw text or a problem. */
  const scanString = (): string | JsonProblem => {
    const start = i
    i++
    let escaped = false
    while (i < n) {
      plainRun.lastIndex = i
      plainRun.test(text)
      i = plainRun.lastIndex
      if (i >= n) break
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        const raw = text.slice(start, i)
        if (!escaped) return raw.slice(1, -1)
        try {
          return String(JSON.parse(raw))
        } catch {
          return { offset: start, message: 'invalid escape in string' }
        }
      }
      if (c === 0x5c) {
        escaped = true
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, message: 'invalid \\u escape in string' }
          i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2
        else return { offset: i, message: 'invalid escape in string' }
        continue
      }
      if (c < 0x20) return { offset: i, message: 'control character in string' }
      i++
    }
    return { offset: n, message: 'unterminated string' }
  }
  const scanScalar = (): JsonProblem | undefined => {
    const rest = text.slice(i, i + 5)
    for (const lit of ['true', 'false', 'null']) {
      if (rest.startsWith(lit)) {
        i += lit.length
        return undefined
      }
    }
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
    m.lastIndex = 0
    const sub = text.slice(i, i + 400)
    const r = m.exec(sub)
    if (r === null || r[0].length === 0) return unexpected()
    if (r[0].length === sub.length && i + sub.length < n) {
      // an absurdly long number: scan it by hand
      let j = i
      while (j < n && /[-+0-9.eE]/.test(text[j] ?? '')) j++
      i = j
      return undefined
    }
    i += r[0].length
    return undefined
  }
  type Frame = { readonly kind: 'object'; readonly keys: Set<string> } | { readonly kind: 'array' }
  const stack: Array<Frame> = []
  // state: expecting a value, or after a value inside a container
  skipWs()
  let expectValue = true
  for (;;) {
    if (expectValue) {
      skipWs()
      const c = text[i]
      if (c === '{') {
        i++
        skipWs()
        if (text[i] === '}') {
          i++
          expectValue = false
        } else {
          if (stack.length >= maxNestingDepth) return tooDeep()
          stack.push({ kind: 'object', keys: new Set() })
          const p = objectKey(stack[stack.length - 1])
          if (p !== undefined) return p
        }
      } else if (c === '[') {
        i++
        skipWs()
        if (text[i] === ']') {
          i++
          expectValue = false
        } else {
          if (stack.length >= maxNestingDepth) return tooDeep()
          stack.push({ kind: 'array' })
        }
      } else if (c === '"') {
        const s = scanString()
        if (typeof s !== 'string') return s
        expectValue = false
      } else {
        const p = scanScalar()
        if (p !== undefined) return p
        expectValue = false
      }
      continue
    }
    skipWs()
    const top = stack[stack.length - 1]
    if (top === undefined) return i < n ? { offset: i, message: `unexpected character ${JSON.stringify(text[i])} after the JSON value`, trailing: true } : undefined
    const c = text[i]
    if (c === ',') {
      i++
      if (top.kind === 'object') {
        const p = objectKey(top)
        if (p !== undefined) return p
      }
      expectValue = true
    } else if ((c === '}' && top.kind === 'object') || (c === ']' && top.kind === 'array')) {
      i++
      stack.pop()
    } else return unexpected()
  }

  /** Reads `"key" :` (after `{` or `,`), checking for duplicates; leaves `i` at the value. */
  function objectKey(frame: Frame | undefined): JsonProblem | undefined {
    skipWs()
    if (text[i] !== '"') return i >= n ? unexpected() : { offset: i, message: 'expected a double-quoted property name' }
    const start = i
    const k = scanString()
    if (typeof k !== 'string') return k
    if (frame !== undefined && frame.kind === 'object') {
      if (frame.keys.has(k)) return { offset: start, message: `duplicate key ${JSON.stringify(k)}` }
      frame.keys.add(k)
    }
    skipWs()
    if (text[i] !== ':') return i >= n ? unexpected() : { offset: i, message: "expected ':' after property name" }
    i++
    expectValue = true
    return undefined
  }
}

const parseJson = (file: string, text: string, problem: JsonProblem | undefined): ParseResult => {
  if (problem !== undefined) return { docs: [], diagnostics: [D.error('json-syntax', problem.message, offsetLocation(file, text, problem.offset))] }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    const m = /at position (\d+)/.exec(msg)
    const offset = m?.[1] === undefined ? 0 : Number(m[1])
    return { docs: [], diagnostics: [D.error('json-syntax', firstLine(msg).replace(/ in JSON at position \d+.*$/, ''), offsetLocation(file, text, offset))] }
  }
  // positions only when asked: the JSON text is re-parsed as YAML (a superset of JSON) once
  let cached: ((path: Path, char?: number) => Location) | undefined
  const locate = (path: Path, char?: number): Location => {
    if (cached === undefined) {
      const lc = new LineCounter()
      const doc = parseDocument(text, { ...parseOptions, lineCounter: lc })
      cached = yamlLocator(file, doc, text, lc)
    }
    return cached(path, char)
  }
  const ds: Array<Diagnostic> = []
  const docs = expand(file, 0, value, text.length, locate, ds)
  return { docs, diagnostics: ds }
}

// -------------------------------------------------------------------------------------
// entry point
// -------------------------------------------------------------------------------------

/** Splits a file's text into Kubernetes objects; a file with a syntax error yields no documents. */
export const parseText = (file: string, text: string): ParseResult => {
  if (text.includes('\0')) return { docs: [], diagnostics: [D.error('binary-input', 'not a text file: it contains NUL bytes', position(file, 1, 1))] }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const trimmed = body.trimStart()
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return parseYaml(file, body)
  const problem = checkJson(body)
  // a `.yaml` file (or standard input) holding a JSON object then `---` and more documents is YAML
  if (problem?.trailing === true && !file.endsWith('.json')) return parseYaml(file, body)
  return parseJson(file, body, problem)
}

/**
 * The location of `path` in `doc`, resolved only when a field is first read: parsers attach
 * locations to every rule, but positions are needed only for the few that end up printed.
 */
export const at = (doc: SourceDoc, path: Path): Location => {
  let resolved: Location | undefined
  const get = (): Location => (resolved ??= doc.locate(path))
  return {
    file: doc.file,
    get line() {
      return get().line
    },
    get col() {
      return get().col
    }
  }
}
