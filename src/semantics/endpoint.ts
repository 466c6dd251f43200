/**
 * Endpoints a truth table runs over (the inventory's pods, then external addresses), the label
 * equivalence classes they fall into, and how the atoms of a formula hold on an endpoint.
 */
import type { ContainerPort, Inventory, Labels } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { Formula } from '../ir/formula.js'
import * as B from './bitset.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Endpoint {
  /** `namespace/name` for pods, the address as given for external endpoints. */
  readonly id: string
  /** Pods on the host network are `host` endpoints: they carry the node's address and no policy selects them. */
  readonly kind: F.EndpointKind
  readonly namespace: string | undefined
  readonly labels: Labels
  readonly namespaceLabels: Labels | undefined
  readonly serviceAccount: string | undefined
  readonly nodeLabels: Labels | undefined
  readonly ip: C.Ip | undefined
  readonly ports: ReadonlyArray<ContainerPort>
  /**
   * The node a pod (or host-network pod) runs on, when the inventory says. Optional so that
   * synthetic endpoints (network sets, external addresses) need not set it; only models that tell
   * the local host from remote nodes (cilium) read it.
   */
  readonly node?: string | undefined
}

/** Endpoints that every atom of a policy set treats alike, and every named port resolves alike on. */
export interface Classes {
  readonly endpoints: ReadonlyArray<Endpoint>
  /** One representative endpoint per class. */
  readonly representatives: ReadonlyArray<Endpoint>
  /** classOf[i]: the class of endpoints[i]. */
  readonly classOf: Int32Array
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Pods (sorted by namespace/name), then external addresses in the order given. */
export const endpointsOf = (inv: Inventory): ReadonlyArray<Endpoint> => {
  const nsLabels = new Map(inv.namespaces.map((n) => [n.name, n.labels]))
  const nodeLabels = new Map(inv.nodes.map((n) => [n.name, n.labels]))
  const pods: ReadonlyArray<Endpoint> = inv.pods.map((p) => ({
    id: `${p.namespace}/${p.name}`,
    kind: p.hostNetwork ? 'host' : 'pod',
    namespace: p.namespace,
    labels: p.labels,
    namespaceLabels: nsLabels.get(p.namespace),
    serviceAccount: p.serviceAccount,
    nodeLabels: p.node === undefined ? undefined : nodeLabels.get(p.node),
    ip: p.ip,
    ports: p.ports,
    node: p.node
  }))
  const externals: ReadonlyArray<Endpoint> = inv.externals.map((x) => ({
    id: x.text,
    kind: 'world',
    namespace: undefined,
    labels: {},
    namespaceLabels: undefined,
    serviceAccount: undefined,
    nodeLabels: undefined,
    ip: x.ip,
    ports: []
  }))
  return [...pods, ...externals]
}

const sortedEntries = (l: Labels | undefined): string => (l === undefined ? '-' : JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))

/**
 * The nodes that run a host endpoint (a host-network pod). Only on these nodes does it matter
 * which node an endpoint is on: the local host of a pod elsewhere is no endpoint of the inventory.
 */
export const hostNodes = (endpoints: ReadonlyArray<Endpoint>): ReadonlySet<string> =>
  new Set(endpoints.flatMap((e) => (e.kind === 'host' && e.node !== undefined ? [e.node] : [])))

/**
 * The node that tells an endpoint's local host apart: its node when that node runs a host endpoint,
 * else undefined (no endpoint of the inventory is its local host).
 */
export const effectiveNode = (e: Endpoint, hosts: ReadonlySet<string>): string | undefined => (e.node !== undefined && hosts.has(e.node) ? e.node : undefined)

/**
 * Groups endpoints that no atom of the policy set can tell apart: same kind, namespace, namespace labels, labels,
 * service account, node labels, named ports, and membership in every address set in `cidrs`; and,
 * when the inventory has host endpoints, the same `effectiveNode` (so that a model can tell an
 * endpoint's local host from remote nodes). Pod-only inventories get no more classes for it.
 */
export const classify = (endpoints: ReadonlyArray<Endpoint>, cidrs: ReadonlyArray<C.CidrSet>): Classes => {
  const byKey = new Map<string, number>()
  const representatives: Array<Endpoint> = []
  const classOf = new Int32Array(endpoints.length)
  const hosts = hostNodes(endpoints)
  endpoints.forEach((e, i) => {
    const ipSig = e.ip === undefined ? '-' : cidrs.map((c) => (C.contains(c, e.ip as C.Ip) ? '1' : '0')).join('')
    const nodeSig = hosts.size === 0 ? '' : (effectiveNode(e, hosts) ?? '-')
    // namespace labels too: one namespace name has one label set in an inventory, but not in the prover's universal endpoint set (prove.ts)
    const k = [e.kind, e.namespace ?? '', sortedEntries(e.labels), sortedEntries(e.namespaceLabels), e.serviceAccount ?? '', sortedEntries(e.nodeLabels), JSON.stringify(e.ports), ipSig, nodeSig].join('\u0000')
    let c = byKey.get(k)
    if (c === undefined) {
      c = representatives.length
      byKey.set(k, c)
      representatives.push(e)
    }
    classOf[i] = c
  })
  return { endpoints, representatives, classOf }
}

// -------------------------------------------------------------------------------------
// evaluation
// -------------------------------------------------------------------------------------

/** How an enforcement model decides the atoms whose meaning is model-specific (entities, FQDNs, services). */
export type AtomOverride = (a: F.Atom, e: Endpoint) => boolean | undefined

/** The meaning of the dialect-neutral atoms on an endpoint. */
export const holds = (a: F.Atom, e: Endpoint, inv: Inventory): boolean => {
  switch (a._tag) {
    case 'label': {
      const labels = a.owner === 'endpoint' ? e.labels : a.owner === 'namespace' ? e.namespaceLabels : a.owner === 'node' ? e.nodeLabels : undefined
      return F.testLabel(labels, a.key, a.test)
    }
    case 'namespace':
      return e.namespace !== undefined && a.names.includes(e.namespace)
    case 'serviceAccount':
      return e.serviceAccount !== undefined && a.names.includes(e.serviceAccount)
    case 'kind':
      return a.kinds.includes(e.kind)
    case 'ipIn':
      return e.ip !== undefined && C.contains(a.cidrs, e.ip)
    case 'entity':
      return a.entity === 'all' || (a.entity === 'world' && e.kind === 'world') || (a.entity === 'cluster' && (e.kind === 'pod' || e.kind === 'host'))
    case 'fqdn':
      return false
    case 'service':
      return (
        e.kind === 'pod' &&
        inv.services.some(
          (s) =>
            (a.namespace === undefined || s.namespace === a.namespace) &&
            (a.name === undefined || s.name === a.name) &&
            (a.selector === undefined || F.evaluate(a.selector, (x) => x._tag === 'label' && F.testLabel(s.labels, x.key, x.test))) &&
            s.namespace === e.namespace &&
            s.selector !== undefined &&
            Object.keys(s.selector).length > 0 &&
            Object.entries(s.selector).every(([k, v]) => e.labels[k] === v)
        )
      )
  }
}

/** Evaluates formulas over all classes at once, memoising each atom's bit set. */
export const evaluator = (classes: Classes, inv: Inventory, override?: AtomOverride): ((f: Formula) => B.Bitset) => {
  const n = classes.representatives.length
  const atomSets = new Map<string, B.Bitset>()
  const formulaSets = new Map<string, B.Bitset>()
  const atomSet = (a: F.Atom): B.Bitset => {
    const k = F.key(a)
    const cached = atomSets.get(k)
    if (cached !== undefined) return cached
    const b = B.make(n)
    classes.representatives.forEach((e, i) => {
      if (override?.(a, e) ?? holds(a, e, inv)) B.set(b, i)
    })
    atomSets.set(k, b)
    return b
  }
  const go = (f: Formula): B.Bitset => {
    switch (f._tag) {
      case 'true':
        return B.full(n)
      case 'false':
        return B.make(n)
      case 'not':
        return B.not(go(f.arg), n)
      case 'and':
      case 'or': {
        const k = F.key(f)
        const cached = formulaSets.get(k)
        if (cached !== undefined) return cached
        const parts = f.args.map(go)
        const r = parts.slice(1).reduce((acc, p) => (f._tag === 'and' ? B.and(acc, p) : B.or(acc, p)), parts[0] ?? B.make(n))
        formulaSets.set(k, r)
        return r
      }
      default:
        return atomSet(f)
    }
  }
  return go
}

/** Every address set that appears in a formula's atoms (for classifying endpoints by address). */
export const cidrsOf = (fs: ReadonlyArray<Formula>): ReadonlyArray<C.CidrSet> => {
  const seen = new Map<string, C.CidrSet>()
  for (const f of fs) for (const a of F.atoms(f).values()) if (a._tag === 'ipIn') seen.set(F.key(a), a.cidrs)
  return [...seen.values()]
}

/**
 * For each class: the classes of host endpoints on the same node (its resident node's host
 * endpoints), or undefined when it has none. Kubernetes ("pods cannot block access from their
 * resident node") and Calico ("traffic from a host to its own local workloads is always allowed",
 * research/calico.md §4.1) let that ingress through whatever the policies say.
 */
export const residentHosts = (classes: Classes): ReadonlyArray<B.Bitset | undefined> => {
  const reps = classes.representatives
  const hosts = hostNodes(classes.endpoints)
  const byNode = new Map<string, B.Bitset>()
  reps.forEach((e, c) => {
    const node = effectiveNode(e, hosts)
    if (e.kind !== 'host' || node === undefined) return
    const b = byNode.get(node) ?? B.make(reps.length)
    B.set(b, c)
    byNode.set(node, b)
  })
  return reps.map((e) => {
    const node = e.kind === 'pod' ? effectiveNode(e, hosts) : undefined
    return node === undefined ? undefined : byNode.get(node)
  })
}
