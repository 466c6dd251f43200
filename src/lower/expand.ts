/**
 * Cluster-scoped policies → one namespaced copy per namespace of the inventory, for targets whose
 * policies are namespaced (Kubernetes NetworkPolicy). Each copy applies to the policy's subjects
 * within its namespace, so together they select what the original selects on this inventory's
 * namespaces: `exact-for-inventory` (a namespace created later gets no copy). Within a copy the
 * subject's tests on the namespace (its name, its labels) are decided from the inventory, since a
 * podSelector cannot say them; a copy whose subject is then false is left out. Without an inventory
 * the policies are left as they are for the emitter to report.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import * as F from '../ir/formula.js'
import type { Policy, PolicySet } from '../ir/policy.js'
import { qualifiedName } from '../ir/policy.js'
import type { Lowered } from './addresses.js'

export const expandClusterScope = (set: PolicySet, inventory: Inventory | undefined): Lowered => {
  if (inventory === undefined || set.policies.every((p) => p.scope._tag === 'namespace')) return { set, diagnostics: [] }
  const names = [...new Set(inventory.namespaces.map((n) => n.name))].sort()
  const diagnostics: Array<D.Diagnostic> = []
  const policies = set.policies.flatMap((p): ReadonlyArray<Policy> => {
    if (p.scope._tag === 'namespace') return [p]
    diagnostics.push(
      D.loss(
        'exact-for-inventory',
        'cluster-scope-expanded',
        `${p.origin.kind} ${qualifiedName(p.origin)} is cluster-scoped; written once per namespace of the inventory (${names.length}: ${names.join(', ')}), so namespaces created later are not covered`,
        p.origin.location
      )
    )
    return names.flatMap((namespace): ReadonlyArray<Policy> => {
      const labels = inventory.namespaces.find((n) => n.name === namespace)?.labels ?? {}
      const subject = F.mapAtoms(p.subject, (a) =>
        a._tag === 'namespace' ? (a.names.includes(namespace) ? F.tt : F.ff) : a._tag === 'label' && a.owner === 'namespace' ? (F.testLabel(labels, a.key, a.test) ? F.tt : F.ff) : a
      )
      return F.dnf(subject).length === 0 ? [] : [{ ...p, subject, scope: { _tag: 'namespace', namespace }, origin: { ...p.origin, namespace } }]
    })
  })
  return { set: { ...set, policies }, diagnostics }
}
