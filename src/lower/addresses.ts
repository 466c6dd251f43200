/**
 * Address semantics between enforcement models.
 *
 * An `ipIn` atom means "the peer's address is in the set", but which peers an address rule can
 * reach depends on the CNI: a Kubernetes `ipBlock` and a Calico `nets` match pod and node
 * addresses too (DESIGN.md §4, k8s and calico models), while a Cilium CIDR rule never matches an
 * endpoint the cluster manages (research/cilium.md §4.4, §6). Cilium entities (`world`, `cluster`,
 * `host`, …) have no atom in the other dialects at all (§3).
 *
 * This pass rewrites the peers of a policy set written for one model so that the target's model
 * gives them the source's meaning:
 *
 * - k8s/calico → cilium: `ipIn(X)` becomes `ipIn(X) ∨ (the inventory's pods whose address is in
 *   X)`, each group of such pods written as an exact label selector for the inventory
 *   (`exact-for-inventory`); pods that cannot be told apart by labels from pods outside X, and
 *   node addresses, are left out (`narrower`); without an inventory the pods cannot be named
 *   (`narrower` for allow rules, `broader` for deny rules).
 * - cilium → k8s/calico: `ipIn(X)` becomes `ipIn(X ∖ cluster addresses)` from the inventory
 *   (`exact-for-inventory`), or stays as it is without one (`broader` for allow rules); entities
 *   become the neutral atoms they stand for (`all` → everything, `world` → every address the
 *   cluster does not own, `cluster` → pods and nodes, `host`/`remote-node` → node addresses,
 *   identities no inventory has → nothing, reported).
 *
 * Every approximation is a diagnostic at the rule it concerns, with the direction of the error:
 * missing matches in an allow rule are `narrower`, in a deny rule `broader`.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { clusterAddresses, nodeAddresses } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { DialectName, Policy, PolicySet, Rule } from '../ir/policy.js'
import { mapRules } from '../ir/policy.js'
import type { CniName } from '../semantics/model.js'
import { groupName, podGroups, split } from './groups.js'
import { egressNamedPorts } from './named-ports.js'

export interface Lowered {
  readonly set: PolicySet
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

/** Models under which an address rule also matches the cluster's own endpoints. */
const addressesMatchEndpoints = (m: CniName | DialectName): boolean => m !== 'cilium'

// -------------------------------------------------------------------------------------
// inventory facts
// -------------------------------------------------------------------------------------

/**
 * The pods of the inventory in X, as the exact selectors of their label groups (`groups.ts`), plus
 * the groups that also hold pods outside X (no selector tells those apart) and the node addresses
 * in X.
 */
const podsIn = (
  x: C.CidrSet,
  inv: Inventory
): { readonly formula: F.Formula; readonly mixed: ReadonlyArray<string>; readonly nodes: ReadonlyArray<string> } => {
  const nodes = [
    ...inv.pods.filter((p) => p.hostNetwork && p.ip !== undefined && C.contains(x, p.ip)).map((p) => `${p.namespace}/${p.name}`),
    ...inv.nodes.filter((n) => n.ips.some((ip) => C.contains(x, ip))).map((n) => `node ${n.name}`)
  ]
  const parts: Array<F.Formula> = []
  const mixed: Array<string> = []
  for (const g of podGroups(inv)) {
    const addressed = { ...g, pods: g.pods.filter((p) => p.ip !== undefined) }
    const where = split(addressed, (p) => p.ip !== undefined && C.contains(x, p.ip))
    if (where === 'all') parts.push(g.formula)
    else if (where === 'some') mixed.push(groupName(g))
  }
  return { formula: F.or(...parts), mixed, nodes }
}

// -------------------------------------------------------------------------------------
// pass
// -------------------------------------------------------------------------------------

interface Finding {
  readonly fidelity: D.Fidelity
  readonly code: string
  readonly message: string
}

/**
 * The fidelity of an atom occurrence matching less than it should: under an even number of
 * negations in an allow rule the rule then allows less (`narrower`); a negation or a deny rule
 * flips it.
 */
const missing = (r: Rule, positive: boolean): D.Fidelity => ((r.action === 'deny') === positive ? 'broader' : 'narrower')
/** The fidelity of an atom occurrence matching more than it should. */
const extra = (r: Rule, positive: boolean): D.Fidelity => (missing(r, positive) === 'narrower' ? 'broader' : 'narrower')

/**
 * k8s/calico → cilium. An address block means "every endpoint at an address in it"; Cilium's CIDR
 * rules match outside addresses only, so the block becomes CIDR ∨ its pods ∨ (when it holds every
 * node address) the node entities. Under a negation the complement block is expanded instead
 * (`¬ipIn(X)` ≡ `ipIn(∁X)` for every endpoint), so the result needs no negated selectors, which
 * Cilium cannot write.
 */
const toCilium = (r: Rule, inv: Inventory | undefined, found: Array<Finding>): F.Formula => {
  const nodes = inv === undefined ? undefined : nodeAddresses(inv)
  const expand = (cidrs: C.CidrSet, fidelityIfMissing: D.Fidelity): F.Formula => {
    if (inv === undefined || nodes === undefined) {
      found.push({
        fidelity: fidelityIfMissing,
        code: 'cidr-matches-pods',
        message: `the address block ${C.describe(cidrs)} also matches pod and node addresses under Kubernetes and Calico semantics; Cilium CIDR rules never match cluster endpoints (give --cluster to add the pods it covers as endpoint peers)`
      })
      return F.ipIn(cidrs)
    }
    const p = podsIn(cidrs, inv)
    if (p.mixed.length > 0)
      found.push({
        fidelity: fidelityIfMissing,
        code: 'cidr-matches-pods',
        message: `the address block ${C.describe(cidrs)} covers pods that share their labels with pods outside it (${p.mixed.join(', ')}); no label selector tells them apart, so they are left out`
      })
    // nodes: Cilium names them only as the host and remote-node entities, all nodes at once
    const coversAllNodes = !C.isEmpty(nodes) && C.isSubset(nodes, cidrs)
    if (p.nodes.length > 0 && !coversAllNodes)
      found.push({
        fidelity: fidelityIfMissing,
        code: 'cidr-matches-nodes',
        message: `the address block ${C.describe(cidrs)} covers some node addresses (${p.nodes.join(', ')}) but not all; Cilium CIDR rules never match nodes and its node entities take them all, so they are left out`
      })
    found.push({
      fidelity: 'exact-for-inventory',
      code: 'cidr-pods-expanded',
      message: `the address block ${C.describe(cidrs)} is written with the inventory's pods${coversAllNodes ? ' and nodes' : ''} inside it as endpoint peers (Cilium CIDR rules never match cluster endpoints)`
    })
    return F.or(F.ipIn(cidrs), p.formula, coversAllNodes ? F.or(F.entity('host'), F.entity('remote-node')) : F.ff)
  }
  // per DNF conjunction, whose address literals are merged into one: `¬ipIn(X)` is `ipIn(∁X)`
  if (![...F.atoms(r.peer).values()].some((a) => a._tag === 'ipIn')) return r.peer
  return F.or(
    ...F.dnf(r.peer).map((c) =>
      F.and(...c.map((l) => (l.atom._tag !== 'ipIn' ? F.literal(l) : expand(l.positive ? l.atom.cidrs : C.complement(l.atom.cidrs), missing(r, true)))))
    )
  )
}

const fromCilium = (r: Rule, inv: Inventory | undefined, found: Array<Finding>): F.Formula => {
  const cluster = inv === undefined ? undefined : clusterAddresses(inv)
  const nodes = inv === undefined ? undefined : nodeAddresses(inv)
  return F.mapAtomsPolar(r.peer, (a, positive) => {
    if (a._tag === 'ipIn') {
      if (cluster === undefined) {
        found.push({
          fidelity: extra(r, positive),
          code: 'cidr-matches-pods',
          message: `Cilium's address block ${C.describe(a.cidrs)} never matches cluster endpoints, but the target's matches pod and node addresses in it (give --cluster to cut the cluster's addresses out)`
        })
        return a
      }
      if (!C.isEmpty(C.intersect(a.cidrs, cluster)))
        found.push({
          fidelity: 'exact-for-inventory',
          code: 'cidr-cluster-excluded',
          message: `the inventory's pod and node addresses are cut out of ${C.describe(a.cidrs)} (Cilium CIDR rules never match cluster endpoints)`
        })
      return F.ipIn(C.difference(a.cidrs, cluster))
    }
    if (a._tag !== 'entity') return a
    switch (a.entity) {
      case 'all':
        return F.tt
      case 'none':
        return F.ff
      case 'world':
        if (cluster === undefined) {
          found.push({ fidelity: extra(r, positive), code: 'entity-world', message: "the world entity excludes cluster addresses; written as every address (give --cluster to cut the cluster's addresses out)" })
          return F.ipIn(C.all)
        }
        found.push({ fidelity: 'exact-for-inventory', code: 'entity-world', message: "the world entity is written as every address but the inventory's pod and node addresses" })
        return F.ipIn(C.difference(C.all, cluster))
      case 'cluster':
      case 'host':
      case 'remote-node': {
        const pods = a.entity === 'cluster' ? F.kind(['pod']) : F.ff
        if (nodes === undefined) {
          found.push({
            fidelity: missing(r, positive),
            code: 'entity-nodes',
            message: `the ${a.entity} entity includes nodes, which the target can name only by address (give --cluster to write the nodes' addresses)`
          })
          return pods
        }
        if (a.entity === 'cluster') {
          if (!C.isEmpty(nodes)) found.push({ fidelity: 'exact-for-inventory', code: 'entity-nodes', message: "the cluster entity's nodes are written as the inventory's node addresses" })
          return F.or(pods, F.ipIn(nodes))
        }
        found.push({
          fidelity: extra(r, positive),
          code: 'entity-host',
          message: `the ${a.entity} entity (${a.entity === 'host' ? 'the local node only' : 'every node but the local one'}) is written as the addresses of every node`
        })
        return F.ipIn(nodes)
      }
      default:
        found.push({
          fidelity: missing(r, positive),
          code: 'unsupported-entity',
          message: `the ${a.entity} entity selects Cilium-internal identities that no other dialect can name; left out`
        })
        return F.ff
    }
  })
}

/**
 * Egress named ports on host-network pods: Kubernetes (and Cilium's reading of the inventory's
 * pods) resolve a name on the destination pod's containers, host-network pods included; Calico does
 * not, host-network pods being no workload endpoint (research/calico.md §4.4).
 */
const hostNetworkNamedPorts = (set: PolicySet, inv: Inventory | undefined, toCalico: boolean): ReadonlyArray<D.Diagnostic> => {
  const names = new Set((inv?.pods ?? []).filter((p) => p.hostNetwork).flatMap((p) => p.ports.flatMap((cp) => (cp.name === undefined ? [] : [cp.name]))))
  return set.policies.flatMap((p) =>
    (p.egress?.rules ?? []).flatMap((r) =>
      r.ports.named
        .filter((nm) => names.has(nm.name))
        .map((nm) =>
          D.loss(
            toCalico ? missing(r, true) : extra(r, true),
            'named-port-host-network',
            `egress named port "${nm.name}" is declared by host-network pods of the inventory; Calico does not resolve names on them (they are not workload endpoints), the other dialects do`,
            r.location
          )
        )
    )
  )
}

/**
 * Whether a peer formula can match a node (a host endpoint) — syntactically, erring towards yes.
 * `addressesMatchNodes`: whether an address block can match a node under the source's model (not
 * under Cilium's).
 */
export const canMatchNodes = (f: F.Formula, addressesMatchNodes: boolean): boolean =>
  F.dnf(f).some((c) =>
    c.every((l) => {
      const a = l.atom
      // under Calico (addresses match nodes), a node is no known entity: `world` kinds reach it too
      if (a._tag === 'kind') return (a.kinds.includes('host') || (addressesMatchNodes && a.kinds.includes('world'))) === l.positive
      if (a._tag === 'entity') return l.positive ? ['all', 'host', 'cluster'].includes(a.entity) : a.entity !== 'all' && a.entity !== 'host' && a.entity !== 'cluster'
      return a._tag !== 'ipIn' || !l.positive || addressesMatchNodes
    })
  )

/**
 * A pod's own node: Kubernetes and Calico always let it in ("pods cannot block access from their
 * resident node"; research/calico.md §4.1), while in Cilium a deny rule beats allow-localhost
 * (research/cilium.md §4.7, source-derived). So an ingress deny rule of a Cilium policy that can
 * match nodes denies less once translated. Run before the order is compiled away.
 */
export const residentNodeDenies = (set: PolicySet, from: CniName, to: DialectName): ReadonlyArray<D.Diagnostic> => {
  if (from !== 'cilium' || to === 'cilium') return []
  return set.policies.flatMap((p) =>
    (p.ingress?.rules ?? [])
      .filter((r) => r.action === 'deny' && canMatchNodes(r.peer, false))
      .map((r) =>
        D.loss(
          'broader',
          'resident-node-deny',
          `this ingress deny rule also denies the pod's own node under Cilium; ${to === 'k8s' ? 'Kubernetes' : 'Calico'} always lets a pod's own node in`,
          r.location
        )
      )
  )
}

/**
 * Rewrites the peers of `set`, written for the `from` model, so that the `to` dialect's model gives
 * them the same meaning. Identity when both treat addresses alike and no entity occurs.
 */
export const adaptAddresses = (set: PolicySet, from: CniName, to: DialectName, inventory: Inventory | undefined): Lowered => {
  const source = addressesMatchEndpoints(from)
  const target = addressesMatchEndpoints(to)
  const hostPorts = (from === 'calico') !== (to === 'calico') ? hostNetworkNamedPorts(set, inventory, to === 'calico') : []
  if (source === target) return { set, diagnostics: hostPorts }
  const diagnostics: Array<D.Diagnostic> = [...hostPorts]
  const rewrite = (r: Rule): Rule => {
    const found: Array<Finding> = []
    const peer = source ? toCilium(r, inventory, found) : fromCilium(r, inventory, found)
    const seen = new Set<string>()
    for (const f of found) {
      const k = `${f.code}\u0000${f.message}\u0000${f.fidelity}`
      if (seen.has(k)) continue
      seen.add(k)
      diagnostics.push(D.loss(f.fidelity, f.code, f.message, r.location))
    }
    return peer === r.peer ? r : { ...r, peer }
  }
  diagnostics.push(...egressNamedPorts(set, inventory, source))
  const policies: ReadonlyArray<Policy> = set.policies.map((p) => mapRules(p, rewrite))
  return { set: { ...set, policies }, diagnostics }
}
