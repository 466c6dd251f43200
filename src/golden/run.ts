/**
 * Running one golden case: what `netpolx translate -f input.yaml --to T [--cluster cluster.yaml]
 * --allow-lossy --report json` would write, for each target T, computed in-process.
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
import type { DialectName } from '../ir/policy.js'
import { dialectNames } from '../ir/policy.js'
import type { Parsed } from '../pipeline.js'
import { dialectByName, parseDocs, translate } from '../pipeline.js'
import type { Report } from '../report.js'
import { reportOf } from '../report.js'
import type { Case } from './cases.js'
import { clusterFile, expectedDir, expectedFiles, inputFile, readOptional } from './cases.js'

// -------------------------------------------------------------------------------------
// loading
// -------------------------------------------------------------------------------------

export interface Loaded {
  readonly case: Case
  readonly parsed: Parsed
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
  const input = await readOptional(path.join(c.dir, inputFile))
  if (input.diagnostic !== undefined) return { _tag: 'bad', diagnostics: [input.diagnostic] }
  if (input.bytes === undefined) return { _tag: 'bad', diagnostics: [D.error('no-such-file', 'no such file or directory', { file: path.join(c.dir, inputFile), line: 1, col: 1 })] }
  const read = parseBytes(inputFile, input.bytes)
  if (D.hasErrors(read.diagnostics)) return { _tag: 'bad', diagnostics: read.diagnostics.map(relocate) }
  if (read.docs.length === 0) return { _tag: 'bad', diagnostics: [D.error('golden-empty-input', 'no documents in the input of a golden case', { file: path.join(c.dir, inputFile), line: 1, col: 1 })] }
  const parsed = parseDocs(read.docs)
  if (D.hasErrors(parsed.diagnostics)) return { _tag: 'bad', diagnostics: parsed.diagnostics.filter((d) => d.severity === 'error').map(relocate) }
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
  return { _tag: 'loaded', loaded: { case: c, parsed, inventory, expected: expected.files, notes: [...notes, ...expected.diagnostics] } }
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
  const t = translate(l.parsed, dialect, l.inventory)
  const docs = [...t.objects, ...l.parsed.passthrough.map((d) => ({ object: d.value, comments: [] }))]
  return { yaml: serialise(docs, 'yaml'), report: reportOf([...l.parsed.diagnostics, ...t.diagnostics], t.fidelity) }
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
