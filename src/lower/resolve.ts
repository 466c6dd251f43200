/**
 * What a Kubernetes NetworkPolicy cannot say, said with the inventory (`--cluster`), each result
 * `exact-for-inventory` (DESIGN.md §5):
 *
 * - Calico's `starts with`, `ends with` and `contains` label tests become `in` over the values the
 *   inventory's pods (or namespaces) carry for that key that pass the test;
 * - service accounts (Calico `serviceAccounts`, `serviceAccountSelector`; Cilium's
 *   `io.cilium.k8s.policy.serviceaccount`) become the label groups of the pods that run as them —
 *   each group written as an exact selector (namespace, every label, the absence of every other
 *   label key of the namespace); a group whose pods run as different accounts cannot be told apart
 *   and is reported with the direction of the error;
 * - a pod conjunction's address tests are decided from the pods' addresses when they hold for all
 *   of the inventory's pods or none (a Cilium rule's "not a world address", a Calico rule's
 *   selector next to `nets`), since a NetworkPolicy peer cannot combine the two;
 * - a conjunction that matches pods and other endpoints (e.g. "not in namespace dev", the
 *   complement of a denied peer) is split into its pods, by selector, and its other endpoints, by
 *   address: outside addresses minus every pod and node address, and the nodes and host-network
 *   pods on which it holds.
 *
 * Without an inventory nothing changes and the emitter reports what it cannot write.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { nodeAddresses, podAddresses } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { Policy, PolicySet, Rule } from '../ir/policy.js'
import { mapRules } from '../ir/policy.js'
import type { Endpoint } from '../semantics/endpoint.js'
import { endpointsOf, holds } from '../semantics/endpoint.js'
import type { Lowered } from './addresses.js'
import { groupName, podGroups, split } from './groups.js'

/** An address outside the cluster, as the k8s model sees it. */
const world: Endpoint = { id: '', kind: 'world', namespace: undefined, labels: {}, namespaceLabels: undefined, serviceAccount: undefined, nodeLabels: undefined, ip: undefined, ports: [] }

const isStringTest = (t: F.LabelTest): boolean => t._tag === 'startsWith' || t._tag === 'endsWith' || t._tag === 'contains'

export const resolveWithInventory = (set: PolicySet, inventory: Inventory | undefined): Lowered => {
  if (inventory === undefined) return { set, diagnostics: [] }
  const inv = inventory
  const diagnostics: Array<D.Diagnostic> = []
  const pods = inv.pods.filter((p) => !p.hostNetwork)
  const podIps = podAddresses(inv)
  const hosts = endpointsOf(inv).filter((e) => e.kind === 'host')
  const hostIps = nodeAddresses(inv)
  const groups = podGroups(inv)

  const valuesOf = (owner: F.LabelOwner, key: string): ReadonlyArray<string> => {
    const maps = owner === 'endpoint' ? pods.map((p) => p.labels) : owner === 'namespace' ? inv.namespaces.map((n) => n.labels) : owner === 'node' ? inv.nodes.map((n) => n.labels) : []
    return [...new Set(maps.flatMap((m) => (m[key] === undefined ? [] : [m[key]])))].sort()
  }

  const rewrite = (f: F.Formula, where: Rule | Policy, fidelityIfMixed: (positive: boolean) => D.Fidelity): F.Formula => {
    const location = '_tag' in where && where._tag === 'Policy' ? where.origin.location : (where as Rule).location
    const note = (fidelity: D.Fidelity, code: string, message: string): void => {
      if (!diagnostics.some((d) => d.code === code && d.message === message && d.location === location && d.fidelity === fidelity)) diagnostics.push(D.loss(fidelity, code, message, location))
    }
    const atoms = F.mapAtomsPolar(f, (a, positive) => {
      if (a._tag === 'label' && isStringTest(a.test)) {
        const values = valuesOf(a.owner, a.key).filter((v) => F.testLabel({ [a.key]: v }, a.key, a.test))
        note('exact-for-inventory', 'string-test-expanded', `"${F.show(a)}" is written as the values the inventory has for ${a.key} (${values.length === 0 ? 'none' : values.join(', ')})`)
        return values.length === 0 ? F.ff : F.labelIn(a.owner, a.key, values)
      }
      if (a._tag === 'serviceAccount') {
        const parts: Array<F.Formula> = []
        const mixed: Array<string> = []
        for (const g of groups) {
          const where = split(g, (p) => a.names.includes(p.serviceAccount))
          if (where === 'all') parts.push(g.formula)
          else if (where === 'some') mixed.push(groupName(g))
        }
        if (mixed.length > 0)
          note(
            fidelityIfMixed(positive),
            'service-account-expanded',
            `service account ${a.names.join(', ')}: pods with the same labels run as other accounts too (${mixed.join('; ')}); no label selector tells them apart, so they are left out`
          )
        note('exact-for-inventory', 'service-account-expanded', `service account ${a.names.join(', ')} is written as the labels of the inventory's pods that run as it`)
        return F.or(...parts)
      }
      return a
    })
    const podConj = (c: ReadonlyArray<F.Literal>): ReadonlyArray<F.Formula> => {
      // pod conjunctions: address tests that hold for every pod, or for none
      const ips = c.filter((l) => l.atom._tag === 'ipIn')
      if (ips.length === 0) return [F.and(...c.map(F.literal))]
      const inside = C.intersect(podIps, F.conjunctionAddresses(c))
      const decided = C.isEmpty(inside) ? 'none' : C.equals(inside, podIps) ? 'every one' : undefined
      if (decided !== undefined)
        note('exact-for-inventory', 'pod-addresses-decided', `"${F.show(F.and(...c.map(F.literal)))}": the address test holds for ${decided} of the inventory's pods, so it is written without it`)
      if (C.isEmpty(inside)) return []
      if (C.equals(inside, podIps)) return [F.and(...c.filter((l) => l.atom._tag !== 'ipIn').map(F.literal))]
      return [F.and(...c.map(F.literal))]
    }
    return F.or(
      ...F.dnf(atoms).flatMap((c) => {
        const kinds = F.conjunctionKinds(c)
        if (kinds.length === 1 && kinds[0] === 'pod') return podConj(c)
        if (c.every((l) => l.atom._tag === 'ipIn') || !kinds.some((k) => k === 'world' || k === 'host')) return [F.and(...c.map(F.literal))]
        if (c.some((l) => l.positive && (l.atom._tag === 'service' || l.atom._tag === 'fqdn' || l.atom._tag === 'entity'))) return [F.and(...c.map(F.literal))]
        // several kinds: the pods by selector, everything else by address (a NetworkPolicy peer is one or the other)
        const rest = c.filter((l) => l.atom._tag !== 'ipIn')
        const within = F.conjunctionAddresses(c)
        let others = C.empty
        if (kinds.includes('world') && F.evaluate(F.and(...rest.map(F.literal)), (a) => holds(a, world, inv)))
          others = C.difference(C.difference(within, podIps), hostIps)
        if (kinds.includes('host'))
          for (const e of hosts)
            if (e.ip !== undefined && C.contains(within, e.ip) && F.evaluate(F.and(...rest.map(F.literal)), (a) => holds(a, e, inv))) others = C.union(others, C.ofIp(e.ip))
        note('exact-for-inventory', 'peer-kinds-split', `"${F.show(F.and(...c.map(F.literal)))}" also matches addresses that are no pod; written as its pods plus those addresses (the inventory's pods and nodes cut out)`)
        return [...(kinds.includes('pod') ? podConj([...c, { atom: { _tag: 'kind', kinds: ['pod'] }, positive: true }]) : []), F.ipIn(others)]
      })
    )
  }
  const missing = (r: Rule) => (positive: boolean): D.Fidelity => ((r.action === 'deny') === positive ? 'broader' : 'narrower')
  const policies = set.policies.map((p) => ({
    ...mapRules(p, (r) => ({ ...r, peer: rewrite(r.peer, r, missing(r)) })),
    // a subject that loses pods leaves them unisolated: broader
    subject: rewrite(p.subject, p, (positive) => (positive ? 'broader' : 'narrower'))
  }))
  return { set: { ...set, policies }, diagnostics }
}
