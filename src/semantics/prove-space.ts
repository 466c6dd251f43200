/**
 * The finite space of endpoints a prover needs (issue 19): the cells of a partition refinement of
 * endpoints by the formulas of two policy sets, each cell with a concrete witness.
 *
 * An endpoint is described by its kind (pod, host-network pod, external address) and by
 * *dimensions*: its namespace name, its service account, its address, and one dimension per
 * (owner, label key) the formulas test. Each dimension gets a finite domain that meets every test
 * the formulas make on it: the values they mention, values built for each prefix / suffix /
 * substring test, one fresh value, and (for labels) "absent"; for the address, one point per
 * stretch of the interval partition the address sets induce. The namespace label
 * `kubernetes.io/metadata.name` is no dimension of its own: it is the namespace's name.
 *
 * Refinement starts from one cell per kind and splits every cell by every formula (cell ∧ F,
 * cell ∧ ¬F), keeping only halves with a witness; so the number of cells is the number of
 * distinct formula valuations, not the product of the domains. Witnesses are found by a
 * deterministic backtracking search (first over the new formula's dimensions, then over the
 * dimensions connected to them through the cell's constraints), within a step budget: when the
 * budget runs out the space is marked incomplete and the prover must not claim equivalence.
 *
 * Pure, deterministic (domains sorted, fresh values named deterministically), never throws.
 */
import type { Labels } from '../cluster/inventory.js'
import { namespaceNameLabel } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { Endpoint } from './endpoint.js'
import { holds } from './endpoint.js'
import { emptyInventory } from '../cluster/inventory.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type CellKind = 'pod' | 'host' | 'world'

/** A dimension's value: a label value or name, `undefined` for an absent label; addresses by index. */
export type Value = string | undefined

export interface Space {
  /** Dimension names, sorted: `ns`, `sa`, `ip`, `label\0owner\0key`. */
  readonly dims: ReadonlyArray<string>
  readonly domains: ReadonlyMap<string, ReadonlyArray<Value>>
  /** The representative addresses, indexed by the `ip` dimension's values. */
  readonly addresses: ReadonlyArray<C.Ip>
  /** Label tests beyond `in`/`exists` were met (their domains are built, not exhaustive). */
  readonly stringTests: boolean
}

export interface Cell {
  readonly kind: CellKind
  readonly witness: ReadonlyMap<string, Value>
}

export interface Refinement {
  readonly cells: ReadonlyArray<Cell>
  /** False when the search budget ran out: some valuation may have no cell. */
  readonly complete: boolean
}

// -------------------------------------------------------------------------------------
// dimensions and domains
// -------------------------------------------------------------------------------------

const labelDim = (owner: F.LabelOwner, key: string): string => `label\u0000${owner}\u0000${key}`

/** The dimension an atom reads, undefined when its truth is fixed by the kind. */
export const dimOf = (a: F.Atom): string | undefined => {
  switch (a._tag) {
    case 'label':
      if (a.owner === 'serviceAccount') return undefined
      return a.owner === 'namespace' && a.key === namespaceNameLabel ? 'ns' : labelDim(a.owner, a.key)
    case 'namespace':
      return 'ns'
    case 'serviceAccount':
      return 'sa'
    case 'ipIn':
      return 'ip'
    default:
      return undefined
  }
}

const fresh = (base: string, taken: ReadonlySet<Value>): string => {
  if (!taken.has(base)) return base
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`
}

const sortValues = (vs: Iterable<Value>): ReadonlyArray<Value> => {
  const defined = [...new Set(vs)].filter((v): v is string => v !== undefined).sort()
  return defined
}

/** The values that meet every test on one dimension (module comment). */
const valuesFor = (tests: ReadonlyArray<F.LabelTest>, freshBase: string): { readonly values: ReadonlyArray<string>; readonly built: boolean } => {
  const vals = new Set<Value>()
  const prefixes: Array<string> = []
  const suffixes: Array<string> = []
  const infixes: Array<string> = []
  for (const t of tests) {
    if (t._tag === 'in') for (const v of t.values) vals.add(v)
    else if (t._tag === 'startsWith') prefixes.push(t.value)
    else if (t._tag === 'endsWith') suffixes.push(t.value)
    else if (t._tag === 'contains') infixes.push(t.value)
  }
  for (const p of prefixes) vals.add(`${p}z`)
  for (const s of suffixes) vals.add(`z${s}`)
  for (const c of infixes) vals.add(`z${c}z`)
  for (const p of prefixes) for (const s of suffixes) vals.add(`${p}${s}`)
  vals.add(fresh(freshBase, vals))
  return { values: sortValues(vals) as ReadonlyArray<string>, built: prefixes.length + suffixes.length + infixes.length > 0 }
}

/** One address per stretch of the partition the address sets induce, in both families. */
const addressPoints = (sets: ReadonlyArray<C.CidrSet>): ReadonlyArray<C.Ip> => {
  const out: Array<C.Ip> = []
  for (const family of [4, 6] as const) {
    const max = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n
    const points = new Set<bigint>([family === 4 ? 0x0a000001n : 0xfd00n << 112n])
    for (const s of sets)
      for (const [lo, hi] of family === 4 ? s.v4 : s.v6) {
        points.add(lo)
        if (hi < max) points.add(hi + 1n)
      }
    // one point per stretch: the partition's boundaries are the stretches' first addresses
    for (const v of [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out.push({ family, value: v })
  }
  return out
}

/** The space of two policy sets' formulas (module comment). */
export const spaceOf = (formulas: ReadonlyArray<F.Formula>, extraCidrs: ReadonlyArray<C.CidrSet>): Space => {
  const tests = new Map<string, Array<F.LabelTest>>()
  const names = new Map<string, Set<string>>([
    ['ns', new Set()],
    ['sa', new Set()]
  ])
  const cidrs: Array<C.CidrSet> = [...extraCidrs]
  const seen = new Set<string>()
  for (const f of formulas)
    for (const [k, a] of F.atoms(f)) {
      if (seen.has(k)) continue
      seen.add(k)
      const d = dimOf(a)
      if (d === undefined) continue
      if (a._tag === 'ipIn') cidrs.push(a.cidrs)
      else if (a._tag === 'namespace' || a._tag === 'serviceAccount') for (const n of a.names) names.get(d)?.add(n)
      else if (a._tag === 'label') {
        const list = tests.get(d) ?? []
        list.push(a.test)
        tests.set(d, list)
      }
    }
  const domains = new Map<string, ReadonlyArray<Value>>()
  let stringTests = false
  for (const [d, ts] of tests) {
    if (d === 'ns') continue
    const r = valuesFor(ts, 'netpolx-other')
    stringTests = stringTests || r.built
    // absent first: the witness default
    domains.set(d, [undefined, ...r.values])
  }
  const nsTests: Array<F.LabelTest> = [...(tests.get('ns') ?? []), { _tag: 'in', values: [...(names.get('ns') ?? [])] }]
  const ns = valuesFor(nsTests, 'netpolx-ns')
  stringTests = stringTests || ns.built
  domains.set('ns', ns.values)
  const sa = valuesFor([{ _tag: 'in', values: [...(names.get('sa') ?? [])] }], 'default')
  domains.set('sa', sa.values)
  const addresses = addressPoints(cidrs)
  domains.set(
    'ip',
    addresses.map((_, i) => String(i))
  )
  const dims = [...domains.keys()].sort()
  return { dims, domains, addresses, stringTests }
}

/** The fresh (unmentioned) value of a dimension: where every witness starts. */
const defaultValue = (space: Space, d: string): Value => {
  const dom = space.domains.get(d) ?? []
  if (d === 'ns' || d === 'sa') {
    const f = dom.find((v) => v !== undefined && (v.startsWith('netpolx-ns') || v === 'default'))
    return f ?? dom[dom.length - 1]
  }
  return dom[0]
}

// -------------------------------------------------------------------------------------
// endpoints of witnesses
// -------------------------------------------------------------------------------------

const labelsOf = (space: Space, w: ReadonlyMap<string, Value>, owner: F.LabelOwner): Labels => {
  const out: Record<string, string> = {}
  const prefix = `label\u0000${owner}\u0000`
  for (const d of space.dims) {
    if (!d.startsWith(prefix)) continue
    const v = w.get(d)
    if (v !== undefined) out[d.slice(prefix.length)] = v
  }
  return out
}

/** The endpoint a witness describes (without id, ports or node: `prove.ts` adds them). */
export const endpointOf = (space: Space, kind: CellKind, w: ReadonlyMap<string, Value>, id: string, ip: C.Ip): Endpoint => {
  if (kind === 'world')
    return { id, kind: 'world', namespace: undefined, labels: {}, namespaceLabels: undefined, serviceAccount: undefined, nodeLabels: undefined, ip, ports: [] }
  const ns = w.get('ns') ?? 'netpolx-ns'
  return {
    id,
    kind,
    namespace: ns,
    labels: labelsOf(space, w, 'endpoint'),
    namespaceLabels: { ...labelsOf(space, w, 'namespace'), [namespaceNameLabel]: ns },
    serviceAccount: w.get('sa') ?? 'default',
    nodeLabels: labelsOf(space, w, 'node'),
    ip,
    ports: []
  }
}

const addressOf = (space: Space, w: ReadonlyMap<string, Value>): C.Ip => space.addresses[Number(w.get('ip') ?? '0')] ?? { family: 4, value: 0x0a000001n }

// -------------------------------------------------------------------------------------
// three-valued evaluation
// -------------------------------------------------------------------------------------

/** An atom's truth under a partial assignment: undefined when its dimension is unassigned. */
const atomValue = (space: Space, kind: CellKind, a: F.Atom, w: ReadonlyMap<string, Value>, unknown: ReadonlySet<string>): boolean | undefined => {
  const d = dimOf(a)
  if (d !== undefined && unknown.has(d)) return undefined
  return holds(a, endpointOf(space, kind, w, '', addressOf(space, w)), emptyInventory)
}

const eval3 = (space: Space, kind: CellKind, f: F.Formula, w: ReadonlyMap<string, Value>, unknown: ReadonlySet<string>): boolean | undefined => {
  switch (f._tag) {
    case 'true':
      return true
    case 'false':
      return false
    case 'not': {
      const v = eval3(space, kind, f.arg, w, unknown)
      return v === undefined ? undefined : !v
    }
    case 'and':
    case 'or': {
      const short = f._tag === 'or'
      let open = false
      for (const g of f.args) {
        const v = eval3(space, kind, g, w, unknown)
        if (v === undefined) open = true
        else if (v === short) return short
      }
      return open ? undefined : !short
    }
    default:
      return atomValue(space, kind, f, w, unknown)
  }
}

/** A formula's truth on a complete witness. */
export const evalOn = (space: Space, kind: CellKind, f: F.Formula, w: ReadonlyMap<string, Value>): boolean => eval3(space, kind, f, w, new Set()) ?? false

const dimsOf = (f: F.Formula): ReadonlySet<string> => {
  const out = new Set<string>()
  for (const a of F.atoms(f).values()) {
    const d = dimOf(a)
    if (d !== undefined) out.add(d)
  }
  return out
}

// -------------------------------------------------------------------------------------
// refinement
// -------------------------------------------------------------------------------------

interface Constraint {
  readonly formula: F.Formula
  readonly value: boolean
  readonly dims: ReadonlySet<string>
}

interface WorkCell {
  readonly kind: CellKind
  readonly constraints: ReadonlyArray<Constraint>
  readonly witness: ReadonlyMap<string, Value>
}

interface Budget {
  steps: number
}

/** Backtracking over `dims` (others fixed from `base`) for a witness meeting every constraint. */
const search = (space: Space, kind: CellKind, constraints: ReadonlyArray<Constraint>, base: ReadonlyMap<string, Value>, dims: ReadonlyArray<string>, budget: Budget): Map<string, Value> | undefined => {
  const w = new Map(base)
  const unknown = new Set(dims)
  const relevant = constraints.filter((c) => dims.some((d) => c.dims.has(d)))
  const ok = (): boolean | undefined => {
    let open = false
    for (const c of relevant) {
      const v = eval3(space, kind, c.formula, w, unknown)
      if (v === undefined) open = true
      else if (v !== c.value) return false
    }
    return open ? undefined : true
  }
  const go = (i: number): boolean => {
    if (budget.steps-- <= 0) return false
    const state = ok()
    if (state === false) return false
    if (i >= dims.length) return state === true
    const d = dims[i] ?? ''
    const first = base.get(d)
    const dom = space.domains.get(d) ?? []
    for (const v of [first, ...dom.filter((x) => x !== first)]) {
      w.set(d, v)
      unknown.delete(d)
      if (go(i + 1)) return true
      unknown.add(d)
    }
    w.set(d, first)
    return false
  }
  return go(0) ? w : undefined
}

/** The dimensions connected to `seed` through the constraints (sorted). */
const closure = (seed: ReadonlySet<string>, constraints: ReadonlyArray<Constraint>): ReadonlyArray<string> => {
  const out = new Set(seed)
  let grew = true
  while (grew) {
    grew = false
    for (const c of constraints)
      if ([...c.dims].some((d) => out.has(d)))
        for (const d of c.dims)
          if (!out.has(d)) {
            out.add(d)
            grew = true
          }
  }
  return [...out].sort()
}

/** Splits every cell by every formula (module comment). `budget`: search steps in all. */
export const refine = (space: Space, formulas: ReadonlyArray<F.Formula>, budget = 2_000_000): Refinement => {
  const b: Budget = { steps: budget }
  let complete = true
  const start = new Map<string, Value>(space.dims.map((d) => [d, defaultValue(space, d)]))
  let cells: Array<WorkCell> = (['pod', 'host', 'world'] as const).map((kind) => ({ kind, constraints: [], witness: start }))
  const unique = new Map<string, F.Formula>()
  for (const f of formulas) if (f._tag !== 'true' && f._tag !== 'false') unique.set(F.key(f), f)
  const ordered = [...unique.entries()].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)).map(([, f]) => f)
  for (const f of ordered) {
    const fd = dimsOf(f)
    const next: Array<WorkCell> = []
    for (const cell of cells) {
      const v = evalOn(space, cell.kind, f, cell.witness)
      const same: Constraint = { formula: f, value: v, dims: fd }
      const other: Constraint = { formula: f, value: !v, dims: fd }
      next.push({ kind: cell.kind, constraints: [...cell.constraints, same], witness: cell.witness })
      if (fd.size === 0) continue
      const cs = [...cell.constraints, other]
      const direct = search(space, cell.kind, cs, cell.witness, [...fd].sort(), b)
      const found = direct ?? search(space, cell.kind, cs, cell.witness, closure(fd, cs), b)
      if (b.steps <= 0) complete = false
      if (found !== undefined) next.push({ kind: cell.kind, constraints: cs, witness: found })
    }
    cells = next
  }
  return { cells: cells.map((c) => ({ kind: c.kind, witness: c.witness })), complete }
}
