/**
 * Truth tables: for each probed (protocol, port), whether each endpoint may open a connection to
 * each other endpoint — allowed iff the source's egress and the destination's ingress both allow
 * it. Computed per endpoint class, then expanded to endpoints.
 */
import type { Diagnostic } from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import * as F from '../ir/formula.js'
import type { PolicySet } from '../ir/policy.js'
import { scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import type { Classes } from './endpoint.js'
import { cidrsOf, classify, endpointsOf } from './endpoint.js'
import type { CniName, Model } from './model.js'
import type { Probe } from './probes.js'
import { expandSourcePorts, icmpProbes } from './probes.js'

export type { Probe } from './probes.js'

/** Allowed connections between classes on one probe: `allowed(s, d)`. */
export interface ClassTable {
  readonly probe: Probe
  readonly egress: ReadonlyArray<B.Bitset>
  readonly ingress: ReadonlyArray<B.Bitset>
}

export const allowedBetween = (t: ClassTable, s: number, d: number): boolean => {
  const e = t.egress[s]
  const i = t.ingress[d]
  return e !== undefined && i !== undefined && B.has(e, d) && B.has(i, s)
}

export interface Reach {
  readonly cni: CniName
  readonly classes: Classes
  readonly tables: ReadonlyArray<ClassTable>
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

/** Every formula of a policy set: subjects and rule peers (for classifying endpoints). */
export const formulasOf = (set: PolicySet): ReadonlyArray<F.Formula> =>
  set.policies.flatMap((p) => [scopedSubject(p), ...[...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])].map((r) => r.peer)])

/**
 * Computes the class-level truth tables of a policy set on an inventory under a model. A probe
 * without a source port, on a protocol whose source ports the set tells apart, is evaluated once
 * per source-port stretch (`expandSourcePorts`): one table each.
 */
export const reach = (set: PolicySet, inventory: Inventory, model: Model, given: ReadonlyArray<Probe>): Reach => {
  const probes = expandSourcePorts(given, [set], inventory)
  // network sets lend their labels to the addresses they contain (Calico), so their ranges split classes too
  const classes = classify(endpointsOf(inventory), [...cidrsOf(formulasOf(set)), ...set.networkSets.map((n) => n.cidrs)])
  const { prepared, diagnostics } = model.prepare(set, classes, inventory)
  const n = classes.representatives.length
  const tables = probes.map((probe) => ({
    probe,
    egress: Array.from({ length: n }, (_, c) => prepared.allowedPeers('egress', c, probe.protocol, probe.port, probe.sourcePort)),
    ingress: Array.from({ length: n }, (_, c) => prepared.allowedPeers('ingress', c, probe.protocol, probe.port, probe.sourcePort))
  }))
  return { cni: model.name, classes, tables, diagnostics }
}

/** The endpoint-level matrix of one table: `allowed[i][j]`, endpoints in `classes.endpoints` order. */
export const matrix = (r: Reach, t: ClassTable): ReadonlyArray<ReadonlyArray<boolean>> => {
  const { classOf, endpoints } = r.classes
  return endpoints.map((_, i) => endpoints.map((__, j) => allowedBetween(t, classOf[i] ?? 0, classOf[j] ?? 0)))
}

/**
 * The numbers each container port name stands for on some pod of the inventory, by name, each
 * (protocol, port) once: looked up once per named port of a rule instead of scanning every pod.
 */
export const namedPortNumbers = (inventory: Inventory): ReadonlyMap<string, ReadonlyArray<Probe>> => {
  const seen = new Set<string>()
  const out = new Map<string, Array<Probe>>()
  for (const pod of inventory.pods)
    for (const cp of pod.ports) {
      if (cp.name === undefined) continue
      const k = `${cp.name}/${cp.protocol}/${cp.port}`
      if (seen.has(k)) continue
      seen.add(k)
      const list = out.get(cp.name) ?? []
      list.push({ protocol: cp.protocol, port: cp.port })
      out.set(cp.name, list)
    }
  return out
}

/**
 * Ports worth probing when none are given: for TCP, UDP and SCTP, one port per stretch of the
 * port space that the policies' port sets treat alike, plus every named port's number; TCP/80
 * when the policies mention no such port at all; then the ICMP and ICMPv6 (type, code) stretches
 * of the protocols some rule singles out (`icmpProbes`); each TCP/UDP/SCTP probe once per
 * source-port stretch when some rule tells source ports apart (`expandSourcePorts`).
 */
export const defaultProbes = (set: PolicySet, inventory: Inventory): ReadonlyArray<Probe> => {
  const named = namedPortNumbers(inventory)
  const points = new Map<number, Set<number>>([
    [P.TCP, new Set()],
    [P.UDP, new Set()],
    [P.SCTP, new Set()]
  ])
  for (const p of set.policies)
    for (const r of [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])]) {
      for (const [proto, pts] of points) {
        if (P.isWholeProtocol(r.ports, proto)) continue
        for (const [lo, hi] of P.rangesOf(r.ports, proto)) {
          pts.add(lo)
          if (hi < 65535) pts.add(hi + 1)
        }
      }
      for (const np of r.ports.named)
        for (const cp of named.get(np.name) ?? [])
          if (np.protocol === undefined || np.protocol === cp.protocol) points.get(cp.protocol)?.add(cp.port)
    }
  const probes: Array<Probe> = []
  for (const [protocol, pts] of points) for (const port of [...pts].sort((a, b) => a - b)) probes.push({ protocol, port })
  return expandSourcePorts([...(probes.length === 0 ? [{ protocol: P.TCP, port: 80 }] : probes), ...icmpProbes([set])], [set], inventory)
}
