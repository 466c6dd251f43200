/**
 * The pod-by-pod forms of `reach`, produced row by row (see `sink.ts`): the upstream-style table
 * (`-o table`) and the JSON contract of DESIGN.md §6 (`-o json`), byte for byte as documented in
 * the README. A row is built from the class-level rows (`behaviour.ts`), one table at a time, so
 * memory holds one table's class rows and one output row, never the whole result.
 *
 * `podLevelCells` says how large the pod-by-pod form of a result is; `maxPodLevelCells` is the most
 * that `reach` writes in that form (beyond it, `reach` stops before writing anything and names the
 * class-level form and the filters instead).
 */
import * as B from '../../semantics/bitset.js'
import { allowedRows } from '../../semantics/behaviour.js'
import { probeFields, probeText } from '../../semantics/probes.js'
import type { Reach } from '../../semantics/table.js'

/** Cells (endpoint pairs × probes) of the pod-by-pod form. */
export const podLevelCells = (r: Reach): number => r.classes.endpoints.length ** 2 * r.tables.length

/**
 * The largest pod-by-pod result `reach` writes: a billion cells, about 6 GB of JSON (e.g. 11,000
 * endpoints on 8 ports). Larger results would take hours to write and nobody reads them.
 */
export const maxPodLevelCells = 1_000_000_000

/** The JSON contract, in chunks: `{"cni", "endpoints", "tables": [{"port", "protocol", "allowed": [[…], …]}]}`. */
export function* reachJsonChunks(r: Reach): Generator<string> {
  const { classOf, endpoints } = r.classes
  const n = r.classes.representatives.length
  const count = endpoints.length
  yield `{\n  "cni": ${JSON.stringify(r.cni)},\n  "endpoints": ${JSON.stringify(endpoints.map((e) => e.id))},\n  "tables": [\n`
  const parts = new Array<string>(count)
  for (let k = 0; k < r.tables.length; k++) {
    const t = r.tables[k]
    if (t === undefined) continue
    yield `${k > 0 ? ',\n' : ''}    {${probeFields(t.probe).map(([f, v]) => `${JSON.stringify(f)}: ${JSON.stringify(v)}`).join(', ')}, "allowed": [\n`
    const rows = allowedRows(t, n)
    for (let i = 0; i < count; i++) {
      const row = rows[classOf[i] ?? 0] ?? B.make(0)
      for (let j = 0; j < count; j++) parts[j] = B.has(row, classOf[j] ?? 0) ? 'true' : 'false'
      yield `${i > 0 ? ',\n' : ''}      [${parts.join(', ')}]`
    }
    yield '\n    ]}'
  }
  yield '\n  ]\n}\n'
}

/** Upstream's truth-table printout, in chunks: rows are sources, columns destinations, `.` allowed, `X` denied. */
export function* reachTableChunks(r: Reach): Generator<string> {
  const { classOf, endpoints } = r.classes
  const n = r.classes.representatives.length
  const ids = endpoints.map((e) => e.id)
  let width = 1
  for (const id of ids) width = Math.max(width, id.length)
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - s.length))
  const allowedCell = ids.map((id) => pad('.', id.length))
  const deniedCell = ids.map((id) => pad('X', id.length))
  const header = `${pad('-', width)}  ${ids.join(' ')}`
  const parts = new Array<string>(ids.length)
  for (let k = 0; k < r.tables.length; k++) {
    const t = r.tables[k]
    if (t === undefined) continue
    yield `${k > 0 ? '\n' : ''}${probeText(t.probe)}\n${header}\n`
    if (ids.length === 0) yield '\n'
    const rows = allowedRows(t, n)
    for (let i = 0; i < ids.length; i++) {
      const row = rows[classOf[i] ?? 0] ?? B.make(0)
      for (let j = 0; j < ids.length; j++) parts[j] = (B.has(row, classOf[j] ?? 0) ? allowedCell[j] : deniedCell[j]) ?? ''
      yield `${`${pad(ids[i] ?? '', width)}  ${parts.join(' ')}`.trimEnd()}\n`
    }
  }
}
