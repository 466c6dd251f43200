/**
 * Equivalence on every cluster (issue 19): whether two policy sets, each under its enforcement
 * model, allow the same flows on any cluster — and when not, a small cluster inventory on which
 * they differ.
 *
 * The prover re-uses the enforcement models rather than re-encoding them, so it cannot drift from
 * `reach`/`equiv`. A flow's verdict depends on its two endpoints only through the truth of the
 * policy sets' formulas on them (subjects, peers, local constraints) and the destination's named
 * ports; `prove-space.ts` builds one endpoint per satisfiable valuation of those formulas (per
 * kind: pod, host-network pod, external address), and each pod is taken once without declared
 * ports and once per (mentioned port name, port) the probes single out. The models then run on
 * this *universal* endpoint set with the probes `equiv` uses (every stretch of ports the rules
 * tell apart plus one unmentioned port per protocol), and `compare` lists the differing flows.
 *
 * The universal set is not one cluster: two endpoints may share a namespace name with different
 * namespace labels. A differing flow between such endpoints is no counterexample and is skipped;
 * every other differing flow is shrunk to an inventory of its two endpoints (their namespaces and
 * nodes) and re-checked with `equiv` on that inventory before it is returned. So a returned
 * counterexample always reproduces.
 *
 * What "every cluster" covers is stated as `bounds`: constructs whose verdict depends on more
 * than the two endpoints (a pod sharing its node with a host-network pod, Cilium's node-wide
 * egress named-port map, Cilium entities relative to nodes, Services, DNS names) are examined
 * only in the configurations named there. Deterministic; never throws.
 */
import type { ContainerPort, Inventory, Namespace, Node, Pod } from '../cluster/inventory.js'
import { emptyInventory, namespaceNameLabel } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { PolicySet } from '../ir/policy.js'
import { scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import type { Endpoint } from './endpoint.js'
import { cidrsOf, classify } from './endpoint.js'
import type { Difference, Evaluated, Side } from './equiv.js'
import { compare, equiv, equivProbes } from './equiv.js'
import { asCiliumReadsIt } from './cilium-identity.js'
import type { Probe, Reach } from './table.js'
import { formulasOf } from './table.js'
import { probeKey } from './probes.js'
import type { Cell, Space } from './prove-space.js'
import { endpointOf, refine, spaceOf } from './prove-space.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Counterexample {
  readonly difference: Difference
  /** The inventory of the flow's endpoints: `equiv --cluster` on it shows the difference. */
  readonly inventory: Inventory
}

export type Proof =
  | { readonly _tag: 'equivalent'; readonly bounds: ReadonlyArray<string>; readonly endpoints: number; readonly probes: number }
  | { readonly _tag: 'different'; readonly counterexample: Counterexample; readonly bounds: ReadonlyArray<string> }
  | { readonly _tag: 'undecided'; readonly reason: string; readonly bounds: ReadonlyArray<string> }

// -------------------------------------------------------------------------------------
// the universal endpoint set
// -------------------------------------------------------------------------------------

const rulesOfSet = (set: PolicySet) => set.policies.flatMap((p) => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])])

/** Every formula either model evaluates: subjects, peers, local constraints, as given and as Cilium reads them. */
const allFormulas = (sides: ReadonlyArray<Side>): ReadonlyArray<F.Formula> =>
  sides.flatMap((s) => {
    const sets = s.model.name === 'cilium' ? [s.set, asCiliumReadsIt(s.set).set] : [s.set]
    return sets.flatMap((set) => [...formulasOf(set), ...set.policies.map(scopedSubject), ...rulesOfSet(set).flatMap((r) => (r.local === undefined ? [] : [r.local]))])
  })

const hasEgressNamedPorts = (set: PolicySet): boolean => set.policies.some((p) => (p.egress?.rules ?? []).some((r) => r.ports.named.length > 0))

/** The port names the rules mention, each with the protocols it may resolve under. */
const mentionedNames = (sets: ReadonlyArray<PolicySet>): ReadonlyArray<{ readonly name: string; readonly protocols: ReadonlyArray<number> }> => {
  const by = new Map<string, Set<number>>()
  for (const r of sets.flatMap(rulesOfSet))
    for (const n of r.ports.named) {
      const s = by.get(n.name) ?? new Set<number>()
      for (const p of n.protocol === undefined ? [P.TCP, P.UDP, P.SCTP] : [n.protocol]) s.add(p)
      by.set(n.name, s)
    }
  return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, ps]) => ({ name, protocols: [...ps].sort((a, b) => a - b) }))
}

/**
 * The declared-port variants the universal set is taken with (module comment): none, then each
 * (mentioned name, probed port). A destination declaring name N as port q is told apart from one
 * declaring nothing only on probes of port q, so each variant is examined on those probes only.
 */
const portVariants = (sets: ReadonlyArray<PolicySet>, probes: ReadonlyArray<Probe>): ReadonlyArray<ReadonlyArray<ContainerPort>> => {
  const out: Array<ReadonlyArray<ContainerPort>> = [[]]
  for (const { name, protocols } of mentionedNames(sets))
    for (const protocol of protocols) {
      const ports = [...new Set(probes.filter((p) => p.protocol === protocol).map((p) => p.port))].sort((a, b) => a - b)
      for (const port of ports) out.push([{ name, protocol, port }])
    }
  return out
}

const ipText = (ip: C.Ip): string => C.formatIp(ip)

/** Distinct addresses: the k-th endpoint at a representative point gets the point + k (when still in its stretch of the partition). */
const allocator = (space: Space) => {
  const used = new Map<string, number>()
  const bounds = space.addresses.map((a, i) => {
    const next = space.addresses[i + 1]
    return next !== undefined && next.family === a.family ? next.value - 1n : a.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n
  })
  return (index: number): C.Ip => {
    const base = space.addresses[index] ?? { family: 4 as const, value: 0x0a000001n }
    const k = used.get(String(index)) ?? 0
    used.set(String(index), k + 1)
    const v = base.value + BigInt(k)
    return v <= (bounds[index] ?? base.value) ? { family: base.family, value: v } : base
  }
}

interface Universe {
  readonly endpoints: ReadonlyArray<Endpoint>
  readonly inventory: Inventory
}

/** One endpoint per cell; every pod and host-network pod declares `ports`. */
const universe = (space: Space, cells: ReadonlyArray<Cell>, ports: ReadonlyArray<ContainerPort>): Universe => {
  const alloc = allocator(space)
  const endpoints: Array<Endpoint> = []
  const pods: Array<Pod> = []
  const nodes: Array<Node> = []
  const namespaces = new Map<string, Namespace>()
  let n = 0
  for (const cell of cells) {
    const ipIndex = Number(cell.witness.get('ip') ?? '0')
    {
      const ip = alloc(ipIndex)
      if (cell.kind === 'world') {
        const e = endpointOf(space, 'world', cell.witness, ipText(ip), ip)
        endpoints.push(e)
        continue
      }
      n++
      const base = endpointOf(space, cell.kind, cell.witness, '', ip)
      const ns = base.namespace ?? 'netpolx-ns'
      const name = `${cell.kind === 'host' ? 'host' : 'pod'}-${n}`
      const node = `node-${n}`
      const e: Endpoint = { ...base, id: `${ns}/${name}`, ports, node }
      endpoints.push(e)
      if (!namespaces.has(ns)) namespaces.set(ns, { name: ns, labels: base.namespaceLabels ?? { [namespaceNameLabel]: ns } })
      pods.push({ namespace: ns, name, labels: base.labels, ip, ports, serviceAccount: base.serviceAccount ?? 'default', node, hostNetwork: cell.kind === 'host' })
      nodes.push({ name: node, labels: base.nodeLabels ?? {}, ips: cell.kind === 'host' ? [ip] : [] })
    }
  }
  // pods sorted by namespace/name, as `load` gives them; externals after them
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  const podEps = endpoints.filter((e) => e.kind !== 'world').sort((a, b) => cmp(a.id, b.id))
  const worldEps = endpoints.filter((e) => e.kind === 'world')
  const inventory: Inventory = {
    namespaces: [...namespaces.values()].sort((a, b) => cmp(a.name, b.name)),
    pods: pods.sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`)),
    nodes: nodes.sort((a, b) => cmp(a.name, b.name)),
    services: [],
    externals: worldEps.map((e) => ({ text: e.id, ip: e.ip ?? { family: 4, value: 0n } }))
  }
  return { endpoints: [...podEps, ...worldEps], inventory }
}

/** `reach` over a given endpoint list (the universal set is no inventory `endpointsOf` could give). */
const reachOn = (side: Side, endpoints: ReadonlyArray<Endpoint>, inventory: Inventory, probes: ReadonlyArray<Probe>): Reach => {
  const set = side.set
  const classes = classify(endpoints, [...cidrsOf(formulasOf(set)), ...set.networkSets.map((n) => n.cidrs)])
  const { prepared, diagnostics } = side.model.prepare(set, classes, inventory)
  const n = classes.representatives.length
  const tables = probes.map((probe) => ({
    probe,
    egress: Array.from({ length: n }, (_, c) => prepared.allowedPeers('egress', c, probe.protocol, probe.port, probe.sourcePort)),
    ingress: Array.from({ length: n }, (_, c) => prepared.allowedPeers('ingress', c, probe.protocol, probe.port, probe.sourcePort))
  }))
  return { cni: side.model.name, classes, tables, diagnostics }
}

// -------------------------------------------------------------------------------------
// bounds
// -------------------------------------------------------------------------------------

const boundsOf = (left: Side, right: Side, space: Space, names: number, singleNames: boolean): ReadonlyArray<string> => {
  const atomList = [...new Map(allFormulas([left, right]).flatMap((f) => [...F.atoms(f).entries()])).values()]
  const out: Array<string> = ['each pod on a node of its own: a pod is not examined next to a host-network pod on its node (the resident-node and local-host allowances)']
  if (atomList.some((a) => a._tag === 'entity' && !['all', 'world', 'cluster'].includes(a.entity)))
    out.push('Cilium entities relative to nodes (host, remote-node, kube-apiserver, ...) are examined with each endpoint on its own node')
  if (atomList.some((a) => a._tag === 'fqdn')) out.push('DNS-name peers (toFQDNs) match no address: DNS answers are not modelled')
  if (atomList.some((a) => a._tag === 'service')) out.push('clusters without Service objects: Service peers select nothing')
  if (space.stringTests) out.push('label values: those the policies name, one fresh value, and one value per prefix, suffix and substring test (and prefix+suffix pairs)')
  if (names > 1) out.push('a pod declares at most one of the port names the policies mention')
  if (singleNames) out.push('Cilium egress named ports: every pod that declares a name maps it to the same port (Cilium resolves them through one node-wide map; a name with two numbers allows nothing)')
  if ([left, right].some((s) => rulesOfSet(s.set).some((r) => (r.sourcePorts?.named.length ?? 0) > 0))) out.push('named source ports resolve to no port')
  return out
}

// -------------------------------------------------------------------------------------
// counterexamples
// -------------------------------------------------------------------------------------

const shrink = (u: Universe, d: Difference): Inventory | undefined => {
  const byId = new Map(u.endpoints.map((e) => [e.id, e]))
  const ends = [byId.get(d.from), byId.get(d.to)].filter((e): e is Endpoint => e !== undefined)
  const pods = u.inventory.pods.filter((p) => ends.some((e) => e.kind !== 'world' && e.id === `${p.namespace}/${p.name}`))
  const nsOf = new Map<string, Endpoint>()
  for (const e of ends) {
    if (e.namespace === undefined) continue
    const prev = nsOf.get(e.namespace)
    // one namespace, two label sets: not one cluster
    if (prev !== undefined && JSON.stringify(prev.namespaceLabels) !== JSON.stringify(e.namespaceLabels)) return undefined
    nsOf.set(e.namespace, e)
  }
  const namespaces: ReadonlyArray<Namespace> = [...nsOf.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, e]) => ({ name, labels: e.namespaceLabels ?? { [namespaceNameLabel]: name } }))
  const nodes = u.inventory.nodes.filter((n) => pods.some((p) => p.node === n.name))
  const externals = u.inventory.externals.filter((x) => ends.some((e) => e.kind === 'world' && e.id === x.text))
  return { namespaces, pods, nodes, services: [], externals }
}

/** Whether `equiv` on the inventory shows the same verdicts on the flow. */
export const reproduces = (left: Side, right: Side, inventory: Inventory, d: Difference): boolean => {
  const r = equiv(left, right, inventory, [d.probe])
  return r.differences.some((x) => x.from === d.from && x.to === d.to && probeKey(x.probe) === probeKey(d.probe) && x.left === d.left && x.right === d.right)
}

// -------------------------------------------------------------------------------------
// the decision
// -------------------------------------------------------------------------------------

/** How many differing flows of the universal set are tried as counterexamples before giving up. */
const candidates = 2000

/** Decides equivalence on every cluster (module comment). */
export const prove = (left: Side, right: Side): Proof => {
  const formulas = allFormulas([left, right])
  const space = spaceOf(formulas, [...left.set.networkSets, ...right.set.networkSets].map((n) => n.cidrs))
  const refinement = refine(space, formulas)
  const singleNames = [left, right].some((s) => s.model.name === 'cilium' && hasEgressNamedPorts(s.set))
  // probes over an inventory with no declared ports: every stretch the rules tell apart, one unmentioned port per protocol
  const probes0 = equivProbes(left.set, right.set, emptyInventory)
  const variants = portVariants([left.set, right.set], probes0)
  const names = mentionedNames([left.set, right.set]).length
  const bounds = boundsOf(left, right, space, names, singleNames)
  let unexplained = 0
  let endpoints = 0
  let examined = 0
  for (const ports of variants) {
    const u = universe(space, refinement.cells, ports)
    const probes = ports.length === 0 ? probes0 : probes0.filter((p) => ports.some((cp) => cp.protocol === p.protocol && cp.port === p.port))
    endpoints += u.endpoints.length
    examined += probes.length
    const l: Evaluated = { set: left.set, reach: reachOn(left, u.endpoints, u.inventory, probes) }
    const r: Evaluated = { set: right.set, reach: reachOn(right, u.endpoints, u.inventory, probes) }
    const cmp = compare(l, r, u.inventory, candidates)
    for (const d of cmp.differences) {
      const inv = shrink(u, d)
      if (inv !== undefined && reproduces(left, right, inv, d)) return { _tag: 'different', counterexample: { difference: d, inventory: inv }, bounds }
    }
    const realisable = cmp.differences.filter((d) => shrink(u, d) !== undefined).length
    if (realisable > 0 || cmp.total > cmp.differences.length) unexplained += cmp.total
  }
  if (!refinement.complete) return { _tag: 'undecided', reason: 'the search for endpoint valuations ran out of steps', bounds }
  if (unexplained > 0)
    return { _tag: 'undecided', reason: `${unexplained} differing flows on the universal endpoint set, none reproduced on a two-endpoint cluster (the verdict depends on other endpoints)`, bounds }
  return { _tag: 'equivalent', bounds, endpoints, probes: examined }
}
