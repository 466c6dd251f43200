/**
 * Equivalence of two policy sets (DESIGN.md §6 `equiv`): the truth tables of a left and a right
 * set, each under its own enforcement model (§4), computed on the same inventory and the same
 * probes, compared flow by flow. A flow is (source endpoint, destination endpoint, protocol, port,
 * and the source port where a rule of either side restricts source ports — `probes.ts`);
 * the sets are equivalent on the inventory iff every flow gets the same verdict on both sides.
 *
 * Probes (`equivProbes`): every port either side singles out (the union of both sides'
 * `defaultProbes`), plus, per protocol TCP/UDP/SCTP, the lowest port that no rule of either side
 * names — by range or through a named port that resolves to it on some pod. Every rule of both
 * sides treats all such ports alike (a rule holds the whole protocol or a range that misses them),
 * so that one port stands for every port no policy mentions.
 *
 * The comparison runs on joint classes (endpoints that fall in the same class on both sides) and
 * expands to endpoints only to list counterexamples, in endpoint order (pods by namespace/name,
 * then external addresses as given), then probe order; counts always cover every flow.
 *
 * Attribution (`leftReason` / `rightReason`) is a description, not a proof: for each direction
 * that decides a verdict — the denying one(s) of a denied flow, the governed one(s) of an allowed
 * flow — it names the policies whose scoped subject selects the endpoint (the destination for
 * ingress, the source for egress) and that govern that direction, as every model defines the
 * applying policies (`k8s.ts`, `calico.ts`, `cilium.ts`). Subject formulas are evaluated with the
 * dialect-neutral atom meanings of `endpoint.ts`; which endpoints can be subjects at all follows
 * the model: under `calico` pods only (host-network pods and external addresses never are,
 * research/calico.md §4.1, §4.6); under `cilium` pods, and host endpoints for policies whose
 * subject names `kind(host)` (host policies, research/cilium.md §4.7); under `k8s` whatever the
 * subject formula selects. An allowed flow that no policy governs in
 * either direction is `not isolated`. Each direction named is followed by what decided it, from the
 * side's trace (`explain.ts`, the same model): the deciding rule with its `file:line`, or the default
 * that applied (default deny, end of a Calico tier).
 */
import type { Inventory } from '../cluster/inventory.js'
import * as D from '../diagnostics.js'
import * as F from '../ir/formula.js'
import type { Direction, Policy, PolicySet } from '../ir/policy.js'
import { qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import type { Endpoint } from './endpoint.js'
import { evaluator } from './endpoint.js'
import type { Explainer } from './explain.js'
import { briefDecision, explainer } from './explain.js'
import type { CniName, Model } from './model.js'
import { modelByName } from './models.js'
import type { ClassTable, Probe, Reach } from './table.js'
import { defaultProbes, namedPortNumbers, reach } from './table.js'
import { expandSourcePorts, icmpProbes, probeKey } from './probes.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One side of a comparison: a policy set and the model that enforces it. */
export interface Side {
  readonly set: PolicySet
  readonly model: Model
}

/** One side's truth tables, with the set they were computed from (for attribution). */
export interface Evaluated {
  readonly set: PolicySet
  readonly reach: Reach
}

/** A flow on which the two sides disagree. */
export interface Difference {
  readonly from: string
  readonly to: string
  readonly probe: Probe
  readonly left: boolean
  readonly right: boolean
  readonly leftReason: string
  readonly rightReason: string
}

export interface Equivalence {
  readonly equivalent: boolean
  readonly leftCni: CniName
  readonly rightCni: CniName
  /** Endpoint ids, in table order. */
  readonly endpoints: ReadonlyArray<string>
  readonly probes: ReadonlyArray<Probe>
  /** The first `limit` differing flows, by source, destination (endpoint order), then probe order. */
  readonly differences: ReadonlyArray<Difference>
  /** Every differing flow. */
  readonly total: number
  /** Flows the left side allows and the right side denies. */
  readonly leftOnly: number
  /** Flows the right side allows and the left side denies. */
  readonly rightOnly: number
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

// -------------------------------------------------------------------------------------
// probes
// -------------------------------------------------------------------------------------

const probeProtocols: ReadonlyArray<number> = [P.TCP, P.UDP, P.SCTP]

const rulesOfSet = (set: PolicySet) => set.policies.flatMap((p) => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])])

/**
 * The lowest port of `protocol` that no rule of the sets names, by range or by a named port that
 * resolves to it on some pod of the inventory; undefined when every port is named.
 */
export const unmentionedPort = (sets: ReadonlyArray<PolicySet>, inventory: Inventory, protocol: number): number | undefined => {
  const mentioned: Array<readonly [number, number]> = []
  const named = namedPortNumbers(inventory)
  const seenNamed = new Set<number>()
  for (const r of sets.flatMap(rulesOfSet)) {
    if (!P.isWholeProtocol(r.ports, protocol)) mentioned.push(...P.rangesOf(r.ports, protocol))
    for (const np of r.ports.named)
      for (const cp of named.get(np.name) ?? [])
        if (cp.protocol === protocol && (np.protocol === undefined || np.protocol === protocol) && !seenNamed.has(cp.port)) {
          seenNamed.add(cp.port)
          mentioned.push([cp.port, cp.port])
        }
  }
  const sorted = [...mentioned].sort((a, b) => a[0] - b[0])
  let candidate = 1
  for (const [lo, hi] of sorted) {
    if (lo > candidate) break
    candidate = Math.max(candidate, hi + 1)
  }
  return candidate <= 65535 ? candidate : undefined
}

/**
 * The probes `equiv` uses when none are given: every port either side singles out, plus one port
 * per protocol that stands for every port no policy of either side mentions. Sorted by protocol
 * (TCP, UDP, SCTP), then port; then the ICMP and ICMPv6 (type, code) stretches of both sides
 * (`icmpProbes`); each TCP/UDP/SCTP port once per source-port stretch of both sides when either
 * tells source ports apart (`expandSourcePorts`).
 */
export const equivProbes = (left: PolicySet, right: PolicySet, inventory: Inventory): ReadonlyArray<Probe> => {
  const points = new Map<number, Set<number>>(probeProtocols.map((p) => [p, new Set<number>()]))
  for (const pr of [...defaultProbes(left, inventory), ...defaultProbes(right, inventory)]) points.get(pr.protocol)?.add(pr.port)
  for (const protocol of probeProtocols) {
    const rep = unmentionedPort([left, right], inventory, protocol)
    if (rep !== undefined) points.get(protocol)?.add(rep)
  }
  const ports = probeProtocols.flatMap((protocol) => [...(points.get(protocol) ?? [])].sort((a, b) => a - b).map((port) => ({ protocol, port })))
  return expandSourcePorts([...ports, ...icmpProbes([left, right])], [left, right], inventory)
}

// -------------------------------------------------------------------------------------
// attribution
// -------------------------------------------------------------------------------------

const selectsHosts = (subject: F.Formula): boolean => [...F.atoms(subject).values()].some((a) => a._tag === 'kind' && a.kinds.includes('host'))

/** Whether an endpoint can be a subject of a policy at all under a model (module comment). */
const canBeSubject = (cni: CniName, subject: F.Formula, e: Endpoint): boolean =>
  cni === 'k8s' ? true : cni === 'calico' ? e.kind === 'pod' : e.kind === 'pod' || (e.kind === 'host' && selectsHosts(subject))

/** For each direction and class: the names of the policies that apply (sorted, deduplicated), computed on demand. */
const attribution = (side: Evaluated, inventory: Inventory): ((d: Direction, c: number) => ReadonlyArray<string>) => {
  const { classes, cni } = side.reach
  let subjects: ReadonlyArray<{ readonly policy: Policy; readonly classes: B.Bitset }> | undefined
  const memo = new Map<string, ReadonlyArray<string>>()
  return (d, c) => {
    const k = `${d}/${c}`
    const cached = memo.get(k)
    if (cached !== undefined) return cached
    if (subjects === undefined) {
      const ev = evaluator(classes, inventory)
      subjects = side.set.policies.map((policy) => ({ policy, classes: ev(scopedSubject(policy)) }))
    }
    const rep = classes.representatives[c]
    const names =
      rep === undefined
        ? []
        : [
            ...new Set(
              subjects
                .filter((s) => rulesOf(s.policy, d) !== undefined && B.has(s.classes, c) && canBeSubject(cni, scopedSubject(s.policy), rep))
                .map((s) => qualifiedName(s.policy.origin))
            )
          ].sort()
    memo.set(k, names)
    return names
  }
}

const directionText = (d: Direction, endpoint: string, names: ReadonlyArray<string>, decided: string): string =>
  names.length === 0 ? `${d} of ${endpoint} (no policy selects it)` : `${d} of ${endpoint} by ${names.join(', ')}: ${decided}`

/** What decided one direction, from the side's trace (`explain.ts`), briefly: the deciding rule with its position. */
type Decided = (d: Direction, c: number, j: number, probe: Probe) => string

const decider = (side: Evaluated, inventory: Inventory): Decided => {
  let ex: Explainer | undefined
  return (d, c, j, probe) => {
    if (ex === undefined) {
      const model = modelByName(side.reach.cni)
      if (model === undefined) return 'no model'
      ex = explainer(side.set, side.reach.classes, inventory, model, model.prepare(side.set, side.reach.classes, inventory).prepared)
    }
    return briefDecision(ex.direction(d, c, j, probe))
  }
}

/** Why one side decides a flow as it does (module comment). */
const reasonOf = (
  t: ClassTable,
  applying: (d: Direction, c: number) => ReadonlyArray<string>,
  decided: Decided,
  from: string,
  to: string,
  s: number,
  dst: number
): { readonly allowed: boolean; readonly reason: string } => {
  const why = (d: Direction): string => (d === 'egress' ? decided('egress', s, dst, t.probe) : decided('ingress', dst, s, t.probe))
  const egressOk = B.has(t.egress[s] ?? B.make(0), dst)
  const ingressOk = B.has(t.ingress[dst] ?? B.make(0), s)
  const allowed = egressOk && ingressOk
  const parts: Array<string> = []
  if (allowed) {
    const e = applying('egress', s)
    const i = applying('ingress', dst)
    if (e.length > 0) parts.push(directionText('egress', from, e, why('egress')))
    if (i.length > 0) parts.push(directionText('ingress', to, i, why('ingress')))
    if (parts.length === 0) parts.push('not isolated')
  } else {
    if (!egressOk) parts.push(directionText('egress', from, applying('egress', s), why('egress')))
    if (!ingressOk) parts.push(directionText('ingress', to, applying('ingress', dst), why('ingress')))
  }
  return { allowed, reason: parts.join('; ') }
}

// -------------------------------------------------------------------------------------
// comparison
// -------------------------------------------------------------------------------------

const mismatch = (left: Evaluated, right: Evaluated, message: string): Equivalence => ({
  equivalent: false,
  leftCni: left.reach.cni,
  rightCni: right.reach.cni,
  endpoints: [],
  probes: [],
  differences: [],
  total: 0,
  leftOnly: 0,
  rightOnly: 0,
  diagnostics: [...left.reach.diagnostics, ...right.reach.diagnostics, D.error('equiv-mismatch', message)]
})

/**
 * Compares two sides' truth tables, computed on the same inventory (same endpoints, same order)
 * and the same probes; lists at most `limit` differing flows and counts them all.
 */
export const compare = (left: Evaluated, right: Evaluated, inventory: Inventory, limit: number = Number.POSITIVE_INFINITY): Equivalence => {
  const lc = left.reach.classes
  const rc = right.reach.classes
  const endpoints = lc.endpoints.map((e) => e.id)
  const rightIds = rc.endpoints.map((e) => e.id)
  if (endpoints.length !== rightIds.length || endpoints.some((id, i) => rightIds[i] !== id))
    return mismatch(left, right, 'the two truth tables were computed on different endpoints; compute both on the same inventory')
  const probes = left.reach.tables.map((t) => t.probe)
  const rightProbes = right.reach.tables.map((t) => t.probe)
  if (probes.length !== rightProbes.length || probes.some((p, k) => probeKey(p) !== probeKey(rightProbes[k] ?? { protocol: -1, port: -1 })))
    return mismatch(left, right, 'the two truth tables were computed on different ports; compute both on the same probes')

  // joint classes: endpoints in the same class on both sides
  const n = endpoints.length
  const jointOf = new Int32Array(n)
  const jointKeys = new Map<number, number>()
  const jl: Array<number> = []
  const jr: Array<number> = []
  const size: Array<number> = []
  const nr = rc.representatives.length
  for (let i = 0; i < n; i++) {
    const a = lc.classOf[i] ?? 0
    const b = rc.classOf[i] ?? 0
    const k = a * nr + b
    let j = jointKeys.get(k)
    if (j === undefined) {
      j = jl.length
      jointKeys.set(k, j)
      jl.push(a)
      jr.push(b)
      size.push(0)
    }
    jointOf[i] = j
    size[j] = (size[j] ?? 0) + 1
  }
  const m = jl.length

  // per probe and joint source class: the joint destination classes whose verdicts differ
  let leftOnly = 0
  let rightOnly = 0
  const differing: Array<Array<B.Bitset>> = []
  const anyDiffering: Array<B.Bitset> = Array.from({ length: m }, () => B.make(m))
  // the inner loop reads the bit sets directly (it runs m² times per probe): allowed(s, d) = egress[s] ∋ d ∧ ingress[d] ∋ s
  const jlA = Int32Array.from(jl)
  const jrA = Int32Array.from(jr)
  const none = B.make(0)
  const bit = (b: B.Bitset, i: number): number => ((b[i >>> 5] ?? 0) >>> (i & 31)) & 1
  left.reach.tables.forEach((lt, k) => {
    const rt = right.reach.tables[k]
    const rows: Array<B.Bitset> = []
    for (let a = 0; a < m; a++) {
      const row = B.make(m)
      const sl = jlA[a] ?? 0
      const sr = jrA[a] ?? 0
      const le = lt.egress[sl] ?? none
      const re = rt?.egress[sr] ?? none
      for (let b = 0; b < m; b++) {
        const dl = jlA[b] ?? 0
        const dr = jrA[b] ?? 0
        const l = (bit(le, dl) & bit(lt.ingress[dl] ?? none, sl)) === 1
        const r = rt !== undefined && (bit(re, dr) & bit(rt.ingress[dr] ?? none, sr)) === 1
        if (l === r) continue
        B.set(row, b)
        const flows = (size[a] ?? 0) * (size[b] ?? 0)
        if (l) leftOnly += flows
        else rightOnly += flows
      }
      rows.push(row)
      B.orInto(anyDiffering[a] ?? B.make(m), row)
    }
    differing.push(rows)
  })

  // counterexamples, in endpoint order then probe order, up to the limit
  const differences: Array<Difference> = []
  const leftWhy = attribution(left, inventory)
  const rightWhy = attribution(right, inventory)
  const leftDecided = decider(left, inventory)
  const rightDecided = decider(right, inventory)
  outer: for (let i = 0; i < n && differences.length < limit; i++) {
    const a = jointOf[i] ?? 0
    const any = anyDiffering[a]
    if (any === undefined || B.isEmpty(any)) continue
    for (let j = 0; j < n; j++) {
      const b = jointOf[j] ?? 0
      if (!B.has(any, b)) continue
      for (let k = 0; k < probes.length; k++) {
        const row = differing[k]?.[a]
        const lt = left.reach.tables[k]
        const rt = right.reach.tables[k]
        const probe = probes[k]
        if (row === undefined || !B.has(row, b) || lt === undefined || rt === undefined || probe === undefined) continue
        const from = endpoints[i] ?? ''
        const to = endpoints[j] ?? ''
        const l = reasonOf(lt, leftWhy, leftDecided, from, to, jl[a] ?? 0, jl[b] ?? 0)
        const r = reasonOf(rt, rightWhy, rightDecided, from, to, jr[a] ?? 0, jr[b] ?? 0)
        differences.push({ from, to, probe, left: l.allowed, right: r.allowed, leftReason: l.reason, rightReason: r.reason })
        if (differences.length >= limit) break outer
      }
    }
  }

  const total = leftOnly + rightOnly
  return {
    equivalent: total === 0,
    leftCni: left.reach.cni,
    rightCni: right.reach.cni,
    endpoints,
    probes,
    differences,
    total,
    leftOnly,
    rightOnly,
    diagnostics: [...left.reach.diagnostics, ...right.reach.diagnostics]
  }
}

/**
 * Evaluates both sides on the inventory and the probes (default: `equivProbes`) and compares them.
 */
export const equiv = (left: Side, right: Side, inventory: Inventory, probes?: ReadonlyArray<Probe>, limit: number = Number.POSITIVE_INFINITY): Equivalence => {
  // given probes too are split by the source ports either side tells apart, so both sides get the same ones
  const ps = expandSourcePorts(probes ?? equivProbes(left.set, right.set, inventory), [left.set, right.set], inventory)
  return compare(
    { set: left.set, reach: reach(left.set, inventory, left.model, ps) },
    { set: right.set, reach: reach(right.set, inventory, right.model, ps) },
    inventory,
    limit
  )
}
