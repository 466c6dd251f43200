/**
 * Truth tables cut to the endpoints a user asked for (`reach --from/--to`) and written so people
 * can read them: a table whose columns are short keys with a legend when the plain table would be
 * too wide; a namespace-by-namespace summary with a hint on how to narrow when there are too many
 * endpoints to print; CSV (one line per flow); JSON with the sources and destinations of the cut.
 * Pure and deterministic.
 */
import * as P from '../ir/ports.js'
import type { ClassTable, Reach } from '../semantics/table.js'
import { allowedBetween } from '../semantics/table.js'
import { isIcmp, probeFields, probeText } from '../semantics/probes.js'

/** Rows (sources) and columns (destinations): indices into `classes.endpoints`. */
export interface Cut {
  readonly rows: ReadonlyArray<number>
  readonly cols: ReadonlyArray<number>
}

/** Plain tables up to this width; wider ones get column keys. */
export const plainWidth = 120
/** Tables with more rows or columns than this are summarised by namespace instead. */
export const tableLimit = 200

const tableProbeText = (t: ClassTable): string => probeText(t.probe)

const cell = (r: Reach, t: ClassTable, i: number, j: number): boolean => allowedBetween(t, r.classes.classOf[i] ?? 0, r.classes.classOf[j] ?? 0)

const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - s.length))

const idOf = (r: Reach, i: number): string => r.classes.endpoints[i]?.id ?? ''

const namespaceOf = (r: Reach, i: number): string => r.classes.endpoints[i]?.namespace ?? '(outside the cluster)'

/** The table with endpoint ids as column headers (upstream's printout), when it fits in `plainWidth`. */
const plainTable = (r: Reach, cut: Cut): string | undefined => {
  const rowIds = cut.rows.map((i) => idOf(r, i))
  const colIds = cut.cols.map((j) => idOf(r, j))
  const width = Math.max(1, ...rowIds.map((s) => s.length))
  const header = `${pad('-', width)}  ${colIds.join(' ')}`
  if (header.length > plainWidth) return undefined
  return r.tables
    .map((t) => {
      const lines = cut.rows.map((i, a) => `${pad(rowIds[a] ?? '', width)}  ${cut.cols.map((j, b) => pad(cell(r, t, i, j) ? '.' : 'X', (colIds[b] ?? '').length)).join(' ')}`.trimEnd())
      return `${tableProbeText(t)}\n${header}\n${lines.join('\n')}\n`
    })
    .join('\n')
}

/** Columns as numbers 1…n, with a legend grouped by namespace. */
const keyedTable = (r: Reach, cut: Cut): string => {
  const rowIds = cut.rows.map((i) => idOf(r, i))
  const width = Math.max(1, ...rowIds.map((s) => s.length))
  const keyWidth = String(cut.cols.length).length
  const keys = cut.cols.map((_, b) => String(b + 1).padStart(keyWidth))
  const header = `${pad('-', width)}  ${keys.join(' ')}`
  const tables = r.tables.map((t) => {
    const lines = cut.rows.map((i, a) => `${pad(rowIds[a] ?? '', width)}  ${cut.cols.map((j) => (cell(r, t, i, j) ? '.' : 'X').padStart(keyWidth)).join(' ')}`.trimEnd())
    return `${tableProbeText(t)}\n${header}\n${lines.join('\n')}\n`
  })
  const legend: Array<string> = ['columns (destinations):']
  let current: string | undefined
  cut.cols.forEach((j, b) => {
    const ns = namespaceOf(r, j)
    if (ns !== current) legend.push(`  ${ns}:`)
    current = ns
    const e = r.classes.endpoints[j]
    legend.push(`    ${String(b + 1).padStart(keyWidth)}  ${e?.namespace === undefined ? idOf(r, j) : idOf(r, j).slice(ns.length + 1)}`)
  })
  return `${tables.join('\n')}\n${legend.join('\n')}\n`
}

/** Per pair of namespaces: `.` every flow allowed, `X` every flow denied, `~` some of each. */
const namespaceSummary = (r: Reach, cut: Cut): string => {
  // group endpoints by (namespace, class): one verdict per group pair
  const groupsOf = (idx: ReadonlyArray<number>) => {
    const m = new Map<string, { readonly ns: string; readonly i: number }>()
    for (const i of idx) {
      const ns = namespaceOf(r, i)
      const k = `${ns}\u0000${r.classes.classOf[i] ?? 0}`
      if (!m.has(k)) m.set(k, { ns, i })
    }
    return [...m.values()]
  }
  const src = groupsOf(cut.rows)
  const dst = groupsOf(cut.cols)
  const srcNs = [...new Set(src.map((g) => g.ns))]
  const dstNs = [...new Set(dst.map((g) => g.ns))]
  if (srcNs.length > tableLimit || dstNs.length > tableLimit) return `(${srcNs.length} source namespaces × ${dstNs.length} destination namespaces: too many to summarise here)\n`
  const width = Math.max(1, ...srcNs.map((s) => s.length))
  const keyWidth = Math.max(1, String(dstNs.length).length)
  const tables = r.tables.map((t) => {
    const state = new Map<string, number>() // bit 1: some allowed, bit 2: some denied
    for (const a of src)
      for (const b of dst) {
        const k = `${a.ns}\u0000${b.ns}`
        state.set(k, (state.get(k) ?? 0) | (cell(r, t, a.i, b.i) ? 1 : 2))
      }
    const lines = srcNs.map(
      (a) => `${pad(a, width)}  ${dstNs.map((b) => { const s = state.get(`${a}\u0000${b}`) ?? 0; return (s === 1 ? '.' : s === 2 ? 'X' : '~').padStart(keyWidth) }).join(' ')}`.trimEnd()
    )
    return `${tableProbeText(t)}\n${pad('-', width)}  ${dstNs.map((_, b) => String(b + 1).padStart(keyWidth)).join(' ')}\n${lines.join('\n')}\n`
  })
  const legend = ['columns (destination namespaces):', ...dstNs.map((ns, b) => `  ${String(b + 1).padStart(keyWidth)}  ${ns}`)]
  return `${tables.join('\n')}\n${legend.join('\n')}\n'.' every flow allowed, 'X' every flow denied, '~' some of each\n`
}

/**
 * The table for a terminal: plain when it fits, keyed columns when it is wide, a summary by
 * namespace and a hint when it has too many rows or columns to print.
 */
export const reachText = (r: Reach, cut: Cut): string => {
  if (cut.rows.length === 0 || cut.cols.length === 0) return 'no endpoint matches --from/--to\n'
  if (cut.rows.length > tableLimit || cut.cols.length > tableLimit)
    return (
      `${cut.rows.length} sources × ${cut.cols.length} destinations is too large to print as a table; by namespace:\n\n${namespaceSummary(r, cut)}\n` +
      `Narrow it with --from/--to (e.g. --from 'shop/*' --to 'app=db'), or write it whole with -o csv, -o json or -o html.\n`
    )
  return plainTable(r, cut) ?? keyedTable(r, cut)
}

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/**
 * One line per flow: `source,destination,port,protocol,allowed`, as chunks of one source row each
 * (5,000 pods make 25 M lines: they are written as they come, never held at once). The port of an
 * ICMP probe is `TYPE/CODE`; a probe with a source port gives `PORT from SOURCEPORT`.
 */
export function* reachCsvChunks(r: Reach, cut: Cut): Generator<string> {
  yield 'source,destination,port,protocol,allowed\n'
  const to = cut.cols.map((j) => csvField(idOf(r, j)))
  for (const t of r.tables) {
    const port = isIcmp(t.probe.protocol) ? `${t.probe.port >> 8}/${t.probe.port & 255}` : `${t.probe.port}${t.probe.sourcePort === undefined ? '' : ` from ${t.probe.sourcePort}`}`
    const tail = `,${port},${P.protocolName(t.probe.protocol)},`
    for (const i of cut.rows) {
      const from = csvField(idOf(r, i))
      let chunk = ''
      cut.cols.forEach((j, b) => {
        chunk += `${from},${to[b] ?? ''}${tail}${cell(r, t, i, j)}\n`
      })
      yield chunk
    }
  }
}

export const reachCsv = (r: Reach, cut: Cut): string => [...reachCsvChunks(r, cut)].join('')

/** The JSON of a cut table: `allowed[i][j]` says whether `from[i]` may connect to `to[j]`. */
export const reachCutJson = (r: Reach, cut: Cut): string => {
  const rows = r.tables.map(
    (t) =>
      `    {${probeFields(t.probe).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}, "allowed": [\n${cut.rows.map((i) => `      [${cut.cols.map((j) => cell(r, t, i, j)).join(', ')}]`).join(',\n')}\n    ]}`
  )
  return `{\n  "cni": ${JSON.stringify(r.cni)},\n  "from": ${JSON.stringify(cut.rows.map((i) => idOf(r, i)))},\n  "to": ${JSON.stringify(cut.cols.map((j) => idOf(r, j)))},\n  "tables": [\n${rows.join(',\n')}\n  ]\n}\n`
}
