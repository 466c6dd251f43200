/**
 * Running one golden case: what `netpolx translate -f input.yaml --to T [--cluster cluster.yaml]
 * --allow-lossy --report json` would write, for each target T, computed in-process — or, for a
 * `defaults.yaml` case, what `netpolx defaults --profile P… [--param …] --to T [--cluster
 * cluster.yaml | --namespace NS…] --allow-lossy --report json` would write. A `defaults.yaml` is
 * `{profiles: [NAME…], parameters: {NAME: VALUE | [VALUE…]}, namespaces: [NS…]}`, the built-in
 * profiles by name; findings located in a built-in profile are reported as `profiles/<file>`.
 *
 * The input is read as `input.yaml` and the inventory as `cluster.yaml`, relative to the case,
 * so report locations (and thus expectations) do not depend on where the case folder lies. Each
 * target's output is written whatever its fidelity, with the `# netpolx:` comments of lossy
 * rules, and serialised by `src/io/serialise.ts`; `expected/report.json` holds, per target in
 * dialect order, the report `translate --report json` prints (`src/report.ts`).
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { load } from '../cluster/inventory.js'
import { parseBytes } from '../io/read.js'
import { serialise } from '../io/serialise.js'
import type { Dialect } from '../../dialects/dialect.js'
import type { DialectName } from '../ir/policy.js'
import { dialectNames } from '../ir/policy.js'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { builtinProfiles } from '../defaults/builtin.js'
import { generate, header } from '../defaults/generate.js'
import { decode, struct } from '../io/decode.js'
import type { Parsed } from '../pipeline.js'
import { dialectByName, parseDocs, translate } from '../pipeline.js'
import type { Report } from '../report.js'
import { reportOf } from '../report.js'
import type { Case } from './cases.js'
import { clusterFile, defaultsFile, expectedDir, expectedFiles, inputFile, readOptional } from './cases.js'

// -------------------------------------------------------------------------------------
// loading
// -------------------------------------------------------------------------------------

/** A `defaults.yaml` request. */
export interface DefaultsRequest {
  readonly profiles: ReadonlyArray<string>
  readonly parameters: ReadonlyMap<string, ReadonlyArray<string>>
  readonly namespaces: ReadonlyArray<string> | undefined
}

export type Source = { readonly _tag: 'policies'; readonly parsed: Parsed } | { readonly _tag: 'defaults'; readonly request: DefaultsRequest }

const stringOrList = t.union([t.string, t.array(t.string)])
const RequestCodec = struct('DefaultsRequest', { profiles: t.array(t.string) }, { parameters: t.record(t.string, stringOrList), namespaces: t.array(t.string) })

export interface Loaded {
  readonly case: Case
  readonly source: Source
  readonly inventory: Inventory | undefined
  /** The files present in `expected/`, by name, with their text. */
  readonly expected: ReadonlyMap<string, string>
  /** Findings that do not stop the case (unknown files in `expected/`, inventory warnings), located in the case folder. */
  readonly notes: ReadonlyArray<D.Diagnostic>
}

export type LoadResult =
  | { readonly _tag: 'bad'; readonly diagnostics: ReadonlyArray<D.Diagnostic> }
  | { readonly _tag: 'loaded'; readonly loaded: Loaded }

/** A diagnostic about a file of the case, located under the case folder (for printing). */
export const inCase = (c: Case) => (d: D.Diagnostic): D.Diagnostic =>
  d.location === undefined ? d : { ...d, location: { ...d.location, file: path.join(c.dir, d.location.file) } }

const decoder = new TextDecoder('utf-8', { fatal: false })

const readExpected = async (c: Case): Promise<{ readonly files: ReadonlyMap<string, string>; readonly diagnostics: ReadonlyArray<D.Diagnostic> }> => {
  const dir = path.join(c.dir, expectedDir)
  const names = await fs.readdir(dir).then(
    (ns) => ns.filter((n) => !n.startsWith('.')).sort(),
    () => []
  )
  const files = new Map<string, string>()
  const diagnostics: Array<D.Diagnostic> = []
  for (const name of names) {
    if (!expectedFiles.includes(name)) {
      diagnostics.push(D.warning('golden-unknown-file', `not an expected file of a golden case (${expectedFiles.join(', ')}); ignored`, { file: path.join(dir, name), line: 1, col: 1 }))
      continue
    }
    const r = await readOptional(path.join(dir, name))
    if (r.diagnostic !== undefined) diagnostics.push(r.diagnostic)
    else if (r.bytes !== undefined) files.set(name, decoder.decode(r.bytes))
  }
  return { files, diagnostics }
}

/** Reads and parses a case; `bad` when its input or inventory cannot be read or parsed (diagnostics located in the case folder). */
export const loadCase = async (c: Case): Promise<LoadResult> => {
  const relocate = inCase(c)
  const defaults = await readOptional(path.join(c.dir, defaultsFile))
  if (defaults.diagnostic !== undefined) return { _tag: 'bad', diagnostics: [defaults.diagnostic] }
  const file = defaults.bytes === undefined ? inputFile : defaultsFile
  const input = defaults.bytes === undefined ? await readOptional(path.join(c.dir, inputFile)) : defaults
  if (input.diagnostic !== undefined) return { _tag: 'bad', diagnostics: [input.diagnostic] }
  if (input.bytes === undefined) return { _tag: 'bad', diagnostics: [D.error('no-such-file', 'no such file or directory', { file: path.join(c.dir, inputFile), line: 1, col: 1 })] }
  const read = parseBytes(file, input.bytes)
  if (D.hasErrors(read.diagnostics)) return { _tag: 'bad', diagnostics: read.diagnostics.map(relocate) }
  if (read.docs.length === 0) return { _tag: 'bad', diagnostics: [D.error('golden-empty-input', 'no documents in the input of a golden case', { file: path.join(c.dir, file), line: 1, col: 1 })] }
  let source: Source
  const first = read.docs[0]
  if (file === defaultsFile && first !== undefined) {
    const r = decode(RequestCodec, first, first.value)
    if (E.isLeft(r)) return { _tag: 'bad', diagnostics: r.left.map(relocate) }
    const known = builtinProfiles().profiles.map((p) => p.name)
    const unknown = r.right.profiles.filter((n) => !known.includes(n))
    if (unknown.length > 0)
      return { _tag: 'bad', diagnostics: [relocate(D.error('golden-unknown-profile', `no built-in profile ${unknown.join(', ')} (the profiles are ${known.join(', ')})`, first.locate(['profiles'])))] }
    const parameters = new Map(Object.entries(r.right.parameters ?? {}).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]))
    source = { _tag: 'defaults', request: { profiles: r.right.profiles, parameters, namespaces: r.right.namespaces } }
  } else {
    const parsed = parseDocs(read.docs)
    if (D.hasErrors(parsed.diagnostics)) return { _tag: 'bad', diagnostics: parsed.diagnostics.filter((d) => d.severity === 'error').map(relocate) }
    source = { _tag: 'policies', parsed }
  }
  // YAML warnings are printed, not reported, as `translate` does
  const notes: Array<D.Diagnostic> = read.diagnostics.filter((d) => d.severity !== 'info').map(relocate)
  const cluster = await readOptional(path.join(c.dir, clusterFile))
  if (cluster.diagnostic !== undefined) return { _tag: 'bad', diagnostics: [cluster.diagnostic] }
  let inventory: Inventory | undefined
  if (cluster.bytes !== undefined) {
    const docs = parseBytes(clusterFile, cluster.bytes)
    const inv = load(docs.docs)
    const ds = [...docs.diagnostics, ...inv.diagnostics].map(relocate)
    if (D.hasErrors(ds)) return { _tag: 'bad', diagnostics: ds.filter((d) => d.severity === 'error') }
    notes.push(...ds.filter((d) => d.severity !== 'info'))
    inventory = inv.inventory
  }
  const expected = await readExpected(c)
  if (D.hasErrors(expected.diagnostics)) return { _tag: 'bad', diagnostics: expected.diagnostics }
  return { _tag: 'loaded', loaded: { case: c, source, inventory, expected: expected.files, notes: [...notes, ...expected.diagnostics] } }
}

// -------------------------------------------------------------------------------------
// translating
// -------------------------------------------------------------------------------------

export interface Output {
  /** The translation as `translate --allow-lossy -o yaml` writes it. */
  readonly yaml: string
  readonly report: Report
}

/** The case's input translated to one target, with its report. */
export const translateCase = (l: Loaded, target: DialectName): Output => {
  const dialect = dialectByName(target)
  if (dialect === undefined) return { yaml: '', report: { fidelity: 'unsupported', findings: [] } }
  if (l.source._tag === 'defaults') return defaultsCase(l.source.request, dialect, l.inventory)
  const parsed = l.source.parsed
  const t = translate(parsed, dialect, l.inventory)
  const docs = [...t.objects, ...parsed.passthrough.map((d) => ({ object: d.value, comments: [] }))]
  return { yaml: serialise(docs, 'yaml'), report: reportOf([...parsed.diagnostics, ...t.diagnostics], t.fidelity) }
}

/** A location in a built-in profile, as `profiles/<file>` so that expectations do not depend on the installation. */
const relative = (d: D.Diagnostic): D.Diagnostic =>
  d.location === undefined || !path.isAbsolute(d.location.file) ? d : { ...d, location: { file: `profiles/${path.basename(d.location.file)}`, line: d.location.line, col: d.location.col } }

const defaultsCase = (req: DefaultsRequest, dialect: Dialect, inventory: Inventory | undefined): Output => {
  const all = builtinProfiles().profiles
  const profiles = req.profiles.flatMap((n) => all.filter((p) => p.name === n))
  const g = generate({ profiles, values: req.parameters, target: dialect, inventory, namespaces: req.namespaces })
  if (E.isLeft(g)) return { yaml: '', report: reportOf(g.left.map(relative), 'unsupported') }
  const t = g.right.translation
  const top = header([...new Set(profiles.map((p) => p.name))].sort(), g.right)
  const docs = t.objects.map((o, i) => (i === 0 ? { ...o, comments: [{ path: [], text: top }, ...o.comments] } : o))
  return { yaml: serialise(docs, 'yaml'), report: reportOf([...g.right.diagnostics, ...t.diagnostics].map(relative), t.fidelity) }
}

// -------------------------------------------------------------------------------------
// report.json
// -------------------------------------------------------------------------------------

/** The entries of a `report.json` text, by target; `{}` when it is absent or not a JSON object. */
export const reportEntries = (text: string | undefined): ReadonlyMap<string, unknown> => {
  if (text === undefined) return new Map()
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? new Map(Object.entries(v)) : new Map()
  } catch {
    return new Map()
  }
}

/**
 * `report.json` for `targets`: fresh entries where computed, the existing entry otherwise (a
 * target not checked this run), in dialect order; two-space JSON with a final newline.
 */
export const reportText = (targets: ReadonlyArray<DialectName>, fresh: ReadonlyMap<DialectName, Report>, existing: ReadonlyMap<string, unknown>): string => {
  const entries = dialectNames.filter((t) => targets.includes(t)).flatMap((t): ReadonlyArray<readonly [string, unknown]> => {
    const v = fresh.get(t) ?? existing.get(t)
    return v === undefined ? [] : [[t, v]]
  })
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`
}
