/**
 * The class-level view of truth tables: endpoints grouped by how they behave, and the allowed flows
 * between groups — the same information as the pod-by-pod table, in a size that grows with the
 * number of distinct behaviours rather than with endpoints².
 *
 * Contract:
 * - `allowedRows(r, t)`: for each class `s`, the classes `d` that `s` may open connections to on
 *   the table's probe (`egress[s] ∩ {d : s ∈ ingress[d]}`), exactly `allowedBetween`.
 * - `behaviours(r)`: the label classes of `r` merged into groups of classes whose rows and columns
 *   agree on every probe, so that every endpoint of a group is allowed to and from exactly the same
 *   endpoints as every other member. Groups are numbered by their first endpoint (endpoint order);
 *   flows are listed by source group, then by the first destination group of each distinct port
 *   list. Expanding a `Behaviours` (`expand`) gives back the pod-level matrix of every probe.
 *
 * Pure: no printing; the writers in `src/cli/output/` turn this into text or JSON.
 */
import * as B from './bitset.js'
import type { Endpoint } from './endpoint.js'
import type { ClassTable, Probe, Reach } from './table.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Group {
  /** Indices into `Reach.classes.endpoints`, ascending. */
  readonly members: ReadonlyArray<number>
  /** Indices into `Reach.classes.representatives`: the label classes merged into this group, ascending. */
  readonly classes: ReadonlyArray<number>
}

/** Sources of group `from` may connect to every endpoint of the groups `to` on every probe of `probes`. */
export interface GroupFlow {
  readonly from: number
  /** Group indices, ascending. */
  readonly to: ReadonlyArray<number>
  /** Indices into `Behaviours.probes`, ascending. */
  readonly probes: ReadonlyArray<number>
}

export interface Behaviours {
  readonly probes: ReadonlyArray<Probe>
  readonly groups: ReadonlyArray<Group>
  readonly flows: ReadonlyArray<GroupFlow>
}

// -------------------------------------------------------------------------------------
// class-level rows
// -------------------------------------------------------------------------------------

/** Transposes a 32×32 bit block in place (element (r, c) is bit c of a[r]; Hacker's Delight §7-3, LSB first). */
const transpose32 = (a: Uint32Array): void => {
  for (let j = 16, m = 0x0000ffff; j !== 0; j >>>= 1, m = (m ^ (m << j)) >>> 0) {
    for (let k = 0; k < 32; k = ((k | j) + 1) & ~j) {
      const hi = k | j
      const t = (((a[k] ?? 0) >>> j) ^ (a[hi] ?? 0)) & m
      a[k] = (a[k] ?? 0) ^ (t << j)
      a[hi] = (a[hi] ?? 0) ^ t
    }
  }
}

/**
 * The transpose of a bit matrix given as rows of `columns` bits: out[c] (of rows.length bits) has r
 * iff rows[r] has c. Block by block, 32×32 at a time.
 */
export const transpose = (rows: ReadonlyArray<B.Bitset>, columns: number): ReadonlyArray<B.Bitset> => {
  const out = Array.from({ length: columns }, () => B.make(rows.length))
  const rowWords = (rows.length + 31) >>> 5
  const columnWords = (columns + 31) >>> 5
  const block = new Uint32Array(32)
  for (let br = 0; br < rowWords; br++)
    for (let bc = 0; bc < columnWords; bc++) {
      let any = 0
      for (let i = 0; i < 32; i++) {
        const w = rows[(br << 5) + i]?.[bc] ?? 0
        block[i] = w
        any |= w
      }
      if (any === 0) continue
      transpose32(block)
      for (let i = 0; i < 32; i++) {
        const o = out[(bc << 5) + i]
        if (o !== undefined) o[br] = block[i] ?? 0
      }
    }
  return out
}

/** For each source class: the destination classes it may connect to on `t`'s probe. */
export const allowedRows = (t: ClassTable, n: number): ReadonlyArray<B.Bitset> => {
  // s ∈ ingress[d]  ⇔  d ∈ ingressOf[s]
  const ingressOf = transpose(t.ingress, n)
  const none = B.make(0)
  return Array.from({ length: n }, (_, s) => {
    const e = t.egress[s] ?? none
    const row = ingressOf[s] ?? B.make(n)
    for (let w = 0; w < row.length; w++) row[w] = (row[w] ?? 0) & (e[w] ?? 0)
    return row
  })
}

// -------------------------------------------------------------------------------------
// grouping
// -------------------------------------------------------------------------------------

const hashWords = (b: B.Bitset): string => {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < b.length; i++) {
    const w = b[i] ?? 0
    h1 = Math.imul(h1 ^ w, 0x01000193)
    h2 = Math.imul(h2 ^ (w >>> 7) ^ i, 0x5bd1e995)
  }
  return `${h1 >>> 0}.${h2 >>> 0}`
}

const sameWords = (a: B.Bitset, b: B.Bitset): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Splits the partition `groupOf` so that classes in one group also have equal `vectors`; exact
 * (a hash picks the candidate group, equality of the words decides).
 */
const refine = (groupOf: Int32Array, vectors: ReadonlyArray<B.Bitset>): Int32Array => {
  const next = new Int32Array(groupOf.length)
  const byKey = new Map<string, Array<number>>()
  let count = 0
  for (let c = 0; c < groupOf.length; c++) {
    const v = vectors[c] ?? B.make(0)
    const key = `${groupOf[c] ?? 0}/${hashWords(v)}`
    const candidates = byKey.get(key) ?? []
    const found = candidates.find((rep) => sameWords(vectors[rep] ?? B.make(0), v))
    if (found !== undefined) next[c] = next[found] ?? 0
    else {
      next[c] = count++
      candidates.push(c)
      byKey.set(key, candidates)
    }
  }
  return next
}

/** Groups of alike endpoints and the flows between them, over every table of `r`. */
export const behaviours = (r: Reach): Behaviours => {
  const n = r.classes.representatives.length
  let groupOf: Int32Array = new Int32Array(n)
  // rows of the first group member stand for the group's rows; keep them per probe for the flows
  const rowsPerProbe: Array<ReadonlyArray<B.Bitset>> = []
  for (const t of r.tables) {
    const rows = allowedRows(t, n)
    groupOf = refine(groupOf, rows)
    rowsPerProbe.push(rows)
  }
  // columns: classes with equal rows send alike, so a destination's column is decided by the
  // rows of one class per row group (a smaller matrix to transpose than all the rows)
  const reps: Array<number> = []
  const seenGroups = new Set<number>()
  groupOf.forEach((g, c) => {
    if (seenGroups.has(g)) return
    seenGroups.add(g)
    reps.push(c)
  })
  for (const rows of rowsPerProbe) groupOf = refine(groupOf, transpose(reps.map((c) => rows[c] ?? B.make(n)), n))
  // number groups by their first endpoint
  const { classOf, endpoints } = r.classes
  const order = new Map<number, number>()
  const members: Array<Array<number>> = []
  for (let i = 0; i < endpoints.length; i++) {
    const g = groupOf[classOf[i] ?? 0] ?? 0
    let id = order.get(g)
    if (id === undefined) {
      id = members.length
      order.set(g, id)
      members.push([])
    }
    members[id]?.push(i)
  }
  const groupOfClass = Int32Array.from(groupOf, (g) => order.get(g) ?? -1)
  const classesOf: Array<Array<number>> = members.map(() => [])
  groupOfClass.forEach((g, c) => {
    if (g >= 0) classesOf[g]?.push(c)
  })
  const groups: ReadonlyArray<Group> = members.map((m, g) => ({ members: m, classes: classesOf[g] ?? [] }))

  // flows: per source group, the destination groups by the probes they are allowed on (one class
  // per group decides, as every class of a group has the same rows and columns)
  const flows: Array<GroupFlow> = []
  const repClass = groups.map((g) => g.classes[0] ?? 0)
  const bit = (b: B.Bitset | undefined, i: number): boolean => b !== undefined && (((b[i >>> 5] ?? 0) >>> (i & 31)) & 1) === 1
  groups.forEach((_, from) => {
    const rep = repClass[from] ?? 0
    const sourceRows = rowsPerProbe.map((rows) => rows[rep])
    const byPorts = new Map<string, { to: Array<number>; probes: ReadonlyArray<number> }>()
    for (let to = 0; to < groups.length; to++) {
      const d = repClass[to] ?? 0
      const ps: Array<number> = []
      sourceRows.forEach((row, k) => {
        if (bit(row, d)) ps.push(k)
      })
      if (ps.length === 0) continue
      const key = ps.join(',')
      const entry = byPorts.get(key) ?? { to: [], probes: ps }
      entry.to.push(to)
      byPorts.set(key, entry)
    }
    for (const e of byPorts.values()) flows.push({ from, to: e.to, probes: e.probes })
  })
  return { probes: r.tables.map((t) => t.probe), groups, flows }
}

// -------------------------------------------------------------------------------------
// expansion (the inverse view, for checking)
// -------------------------------------------------------------------------------------

/** The pod-level matrix of probe `k` that a `Behaviours` stands for, over `endpointCount` endpoints. */
export const expand = (b: Behaviours, endpointCount: number, k: number): ReadonlyArray<ReadonlyArray<boolean>> => {
  const groupOfEndpoint = new Int32Array(endpointCount).fill(-1)
  b.groups.forEach((g, id) => g.members.forEach((i) => (groupOfEndpoint[i] = id)))
  const allowed = new Set<string>()
  for (const f of b.flows) if (f.probes.includes(k)) for (const t of f.to) allowed.add(`${f.from}>${t}`)
  return Array.from({ length: endpointCount }, (_, i) =>
    Array.from({ length: endpointCount }, (__, j) => allowed.has(`${groupOfEndpoint[i] ?? -1}>${groupOfEndpoint[j] ?? -1}`))
  )
}

/**
 * The labels every endpoint of a group has (key and value), and the namespaces its endpoints are
 * in; for describing a group. Read from the class representatives (a class shares labels and namespace).
 */
export const commonTraits = (representatives: ReadonlyArray<Endpoint>, g: Group): { readonly labels: ReadonlyArray<readonly [string, string]>; readonly namespaces: ReadonlyArray<string> } => {
  let labels: Map<string, string> | undefined
  const namespaces = new Set<string>()
  for (const c of g.classes) {
    const e = representatives[c]
    if (e === undefined) continue
    if (e.namespace !== undefined) namespaces.add(e.namespace)
    if (labels === undefined) labels = new Map(Object.entries(e.labels))
    else for (const [k, v] of labels) if (e.labels[k] !== v) labels.delete(k)
  }
  const sorted = [...(labels ?? new Map<string, string>()).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { labels: sorted, namespaces: [...namespaces].sort() }
}
