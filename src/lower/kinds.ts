/**
 * Peer kinds for targets whose selectors match pods only.
 *
 * A Calico selector matches the addresses of every entity Calico knows: pods, host endpoints and
 * network sets (research/calico.md §2); a negated one (`notSelector`, `!`) also matches addresses
 * no entity owns. A Kubernetes `podSelector`/`namespaceSelector` peer and a Cilium
 * `toEndpoints` peer match pods only. This pass splits each peer conjunction by the kinds of
 * endpoint it admits and writes each kind the way the target can:
 *
 * - pods: the conjunction restricted to `kind(pod)`;
 * - network sets: for each network set of the input on which the conjunction holds (its labels,
 *   its namespace and that namespace's labels from the inventory), an `ipIn` of its addresses
 *   (within the conjunction's own address literals) — under Calico an address in a matching
 *   network set is matched, whoever owns it, so `ipIn` is exact;
 * - host endpoints: HostEndpoint resources are not part of netpolx's input, so none is matched (as
 *   a peer, or as the subject of a GlobalNetworkPolicy);
 * - other addresses (`world`): with an inventory, the conjunction's addresses minus every pod and
 *   network-set address (nodes and host-network pods are no entity Calico knows); without, left as
 *   `kind(world)` for the emitter to report.
 *
 * Resolving against the network sets and inventory given makes the result `exact-for-inventory`:
 * a cluster with more network sets or HostEndpoints than the input would match more.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { podAddresses } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { DialectName, NetworkSet, Policy, PolicySet, Rule } from '../ir/policy.js'
import { mapRules } from '../ir/policy.js'
import type { CniName } from '../semantics/model.js'
import type { Lowered } from './addresses.js'

/** Whether the conjunction's non-address literals hold on an entity with these labels and namespace. */
export const holdsOn = (
  lits: ReadonlyArray<F.Literal>,
  kind: F.EndpointKind,
  labels: Readonly<Record<string, string>>,
  namespace: string | undefined,
  namespaceLabels: Readonly<Record<string, string>> | undefined
): boolean =>
  lits.every((l) => {
    const a = l.atom
    const v = (() => {
      switch (a._tag) {
        case 'ipIn':
          return l.positive // decided by `F.conjunctionAddresses`
        case 'kind':
          return a.kinds.includes(kind)
        case 'label':
          return F.testLabel(a.owner === 'endpoint' ? labels : a.owner === 'namespace' ? namespaceLabels : undefined, a.key, a.test)
        case 'namespace':
          return namespace !== undefined && a.names.includes(namespace)
        default:
          return false
      }
    })()
    return v === l.positive
  })

export const namespaceLabelsOf = (ns: string | undefined, inv: Inventory | undefined): Readonly<Record<string, string>> | undefined =>
  ns === undefined ? undefined : (inv?.namespaces.find((n) => n.name === ns)?.labels ?? { 'kubernetes.io/metadata.name': ns })

/** Addresses of entities Calico knows: workload endpoints (not host-network pods) and network sets. */
const ownedAddresses = (inv: Inventory, sets: ReadonlyArray<NetworkSet>): C.CidrSet => sets.reduce((s, ns) => C.union(s, ns.cidrs), podAddresses(inv))

/** Whether this pass changes anything for the target. */
export const needsKindResolution = (from: CniName, to: DialectName): boolean => from === 'calico' && to !== 'calico'

/**
 * `subjects`: policies written for pods only (run before compiling the order, so that combinations
 * of subjects are combinations of pod selections); `peers`: peers split by kind (run after, so
 * the complements the order compiles into are resolved too).
 */
export const resolveKinds = (set: PolicySet, inventory: Inventory | undefined, part: 'subjects' | 'peers'): Lowered => {
  const diagnostics: Array<D.Diagnostic> = []
  const owned = inventory === undefined ? undefined : ownedAddresses(inventory, set.networkSets)
  const rewrite = (r: Rule): Rule => {
    let touched = false
    let world = false
    const parts = F.dnf(r.peer).map((c) => {
      const kinds = F.conjunctionKinds(c)
      // only addresses (or nothing) tested: the same under every kind, and every target can say it
      // so do the endpoints of a Service, a DNS name's addresses and a Cilium entity: they name their own kind
      const named = c.some((l) => l.positive && (l.atom._tag === 'service' || l.atom._tag === 'fqdn' || l.atom._tag === 'entity'))
      if (named || c.every((l) => l.atom._tag === 'ipIn') || (kinds.length === 1 && kinds[0] === 'pod')) return F.and(...c.map(F.literal))
      touched = true
      const out: Array<F.Formula> = []
      if (kinds.includes('pod')) out.push(F.and(F.kind(['pod']), ...c.filter((l) => l.atom._tag !== 'kind').map(F.literal)))
      const addresses = F.conjunctionAddresses(c)
      if (kinds.includes('networkSet'))
        for (const ns of set.networkSets)
          if (holdsOn(c, 'networkSet', ns.labels, ns.namespace, namespaceLabelsOf(ns.namespace, inventory))) out.push(F.ipIn(C.intersect(ns.cidrs, addresses)))
      if (kinds.includes('world') && holdsOn(c, 'world', {}, undefined, undefined)) {
        if (owned === undefined) {
          world = true
          out.push(F.and(F.kind(['world']), ...c.filter((l) => l.atom._tag === 'ipIn').map(F.literal)))
        } else out.push(F.ipIn(C.difference(addresses, owned)))
      }
      return F.or(...out)
    })
    if (!touched) return r
    const n = set.networkSets.length
    diagnostics.push(
      D.loss(
        'exact-for-inventory',
        'calico-selector-kinds',
        `a Calico selector matches network sets and host endpoints as well as pods; written for the ${n} network set${n === 1 ? '' : 's'} in the input${world && inventory === undefined ? '' : ' and the inventory'}, and no HostEndpoints`,
        r.location
      )
    )
    return { ...r, peer: F.or(...parts) }
  }
  /** A GlobalNetworkPolicy also selects host endpoints; with no HostEndpoints in the input it is written for pods. */
  const subject = (p: Policy): F.Formula => {
    const conjs = F.dnf(p.subject)
    const hosts = conjs.some((c) => F.conjunctionKinds(c).includes('host'))
    if (!hosts) return p.subject
    if (!conjs.some((c) => F.conjunctionKinds(c).includes('pod'))) {
      diagnostics.push(
        D.loss(
          'unsupported',
          'calico-host-endpoints',
          `${p.origin.kind} ${p.origin.name} applies to host endpoints only (HostEndpoint resources, selected by their own labels); the target has no equivalent, so it is left out`,
          p.origin.location
        )
      )
      return F.ff
    }
    diagnostics.push(
      D.loss(
        'exact-for-inventory',
        'calico-host-endpoints',
        `${p.origin.kind} ${p.origin.name} also selects host endpoints; HostEndpoint resources are not part of the input, so it is written for pods only`,
        p.origin.location
      )
    )
    return F.and(p.subject, F.kind(['pod']))
  }
  const policies: ReadonlyArray<Policy> = set.policies.map((p) =>
    part === 'subjects' ? { ...p, subject: subject(p) } : mapRules(p, rewrite)
  )
  return { set: { ...set, policies }, diagnostics }
}
