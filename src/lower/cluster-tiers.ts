/**
 * Which policies of a set are written as cluster network policies (ClusterNetworkPolicy) and which
 * go through the target dialect's own lowering, per target:
 *
 * - `calico`: none are split off: Calico's model and emitter take the Admin and Baseline policies
 *   as GlobalNetworkPolicies of its `kube-admin` / `kube-baseline` tiers, which is how Calico itself
 *   stores them (projectcalico/calico `libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go`).
 * - `k8s` ("Kubernetes with the ClusterNetworkPolicy CRD") and `cilium` (1.20 enforces them with
 *   `--enable-k8s-cluster-network-policy`): the policies in a cluster tier stay cluster network
 *   policies; the rest (NetworkPolicy, Calico, Cilium policies) takes the target's usual path.
 * - `cnp`: as `k8s`, and in addition what fits a tier is moved into one (`toClusterTiers`):
 *   Calico policies of tiers with default action Pass (before tier `default` → Admin, after →
 *   Baseline; tiers merged in order, orders renumbered by the emitter) and Cilium policies that
 *   deny without isolating (→ Admin Deny rules: under Cilium a deny wins over every allow, and an
 *   Admin Deny decides before anything else). Everything else stays for the NetworkPolicy emitter.
 *
 * Address peers change meaning between models (`addresses.ts`): the cluster part is adapted from
 * the source model to the API's (networks match pod and node addresses); for a Cilium target the
 * policies are written as they are and a `networks` peer that covers cluster addresses is
 * reported, since Cilium matches it against external addresses only unless
 * `policy-cidr-match-mode` says otherwise.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { clusterAddresses } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import { clusterTier, clusterTierByName, clusterTierName, clusterTierOf } from '../ir/cluster-tiers.js'
import type { ClusterTier } from '../ir/cluster-tiers.js'
import * as F from '../ir/formula.js'
import type { DialectName, Policy, PolicySet, Rule } from '../ir/policy.js'
import { directions, qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import type { CniName } from '../semantics/model.js'
import type { Lowered } from './addresses.js'
import { adaptAddresses } from './addresses.js'

export interface Routed {
  /** Written as cluster network policies. */
  readonly cluster: PolicySet
  /** Lowered and emitted by `restTarget`. */
  readonly rest: PolicySet
  readonly restTarget: DialectName
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

/** The Calico tier order of tier `default` (research: Calico's Tier CRD pins it). */
const defaultTierOrder = 1_000_000

const allRules = (p: Policy): ReadonlyArray<Rule> => directions.flatMap((d) => rulesOf(p, d)?.rules ?? [])

const passOnCalico = (p: Policy): Policy => ({
  ...p,
  ingress: p.ingress === undefined ? undefined : { ...p.ingress, defaultDeny: false },
  egress: p.egress === undefined ? undefined : { ...p.egress, defaultDeny: false }
})

/** Calico policies of Pass tiers, Cilium non-isolating deny-only policies: into a cluster tier (module comment). */
const toClusterTiers = (set: PolicySet, from: CniName): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const diagnostics: Array<D.Diagnostic> = []
  if (from === 'calico') {
    const tiers = new Map(set.tiers.map((t) => [t.name, t] as const))
    const tierOrder = (p: Policy): number => (p.ordering === undefined ? defaultTierOrder : (tiers.get(p.ordering.tier)?.order ?? Infinity))
    const passTier = (p: Policy): boolean => {
      const t = p.ordering === undefined ? undefined : tiers.get(p.ordering.tier)
      return clusterTierOf(p) === undefined && t !== undefined && t.defaultAction === 'pass' && t.order !== undefined && t.order !== defaultTierOrder
    }
    // a Pass tier fits Admin when it runs before every policy that stays, Baseline when after all of them
    const staying = set.policies.filter((p) => clusterTierOf(p) === undefined && !passTier(p)).map(tierOrder)
    const first = Math.min(defaultTierOrder, ...staying)
    const last = Math.max(defaultTierOrder, ...staying)
    const candidates = set.policies.filter((p) => passTier(p) && (tierOrder(p) < first || tierOrder(p) > last))
    for (const p of set.policies.filter((x) => passTier(x) && !candidates.includes(x)))
      diagnostics.push(
        D.info('tier-kept', `${qualifiedName(p.origin)}: its tier runs between policies that stay NetworkPolicies, so it is not moved to a ClusterNetworkPolicy tier`, p.origin.location)
      )
    const tierOfPolicy = (p: Policy): ClusterTier => (tierOrder(p) < first ? 'Admin' : 'Baseline')
    // merged order: tier order, then policy order, then name (Calico's evaluation order)
    const sorted = [...candidates].sort(
      (a, b) =>
        (tiers.get(a.ordering?.tier ?? '')?.order ?? 0) - (tiers.get(b.ordering?.tier ?? '')?.order ?? 0) ||
        (a.ordering?.order ?? Infinity) - (b.ordering?.order ?? Infinity) ||
        (a.origin.name < b.origin.name ? -1 : a.origin.name > b.origin.name ? 1 : 0)
    )
    const rank = new Map(sorted.map((p, i) => [p, i] as const))
    const tierCount = new Map<ClusterTier, Set<string>>()
    for (const p of sorted) tierCount.set(tierOfPolicy(p), new Set([...(tierCount.get(tierOfPolicy(p)) ?? []), p.ordering?.tier ?? '']))
    // under Calico a policy isolates nothing by itself: a Pass tier's end passes on (the IR flag plays no part there)
    const passOn = passOnCalico
    const policies = set.policies.map((q): Policy => {
      const p = clusterTierOf(q) !== undefined || rank.has(q) ? passOn(q) : q
      const r = rank.get(q)
      if (r === undefined) return p
      const t = tierOfPolicy(p)
      if ((tierCount.get(t)?.size ?? 0) > 1 && allRules(p).some((x) => x.action === 'pass'))
        diagnostics.push(
          D.loss('narrower', 'pass-merged-tiers', `${qualifiedName(p.origin)}: a Calico Pass skips to the next Calico tier, but the merged ${t} tier's Pass skips all of it`, p.origin.location)
        )
      return { ...p, scope: { _tag: 'cluster' }, subject: scopedSubject(p), ordering: { tier: clusterTierName[t], order: r } }
    })
    const used = new Set(policies.flatMap((p) => (clusterTierOf(p) === undefined ? [] : [clusterTierOf(p) as ClusterTier])))
    const origin = set.policies[0]?.origin
    const declared = origin === undefined ? [] : [...used].filter((t) => !set.tiers.some((x) => x.name === clusterTierName[t])).map((t) => clusterTier(t, origin))
    return { set: { ...set, policies, tiers: [...set.tiers, ...declared] }, diagnostics }
  }
  if (from === 'cilium') {
    const origin = set.policies[0]?.origin
    let moved = false
    const policies = set.policies.map((p): Policy => {
      if (clusterTierOf(p) !== undefined) return p
      const nonIsolating = directions.every((d) => rulesOf(p, d)?.defaultDeny !== true)
      const denyOnly = allRules(p).length > 0 && allRules(p).every((r) => r.action === 'deny')
      if (!nonIsolating || !denyOnly) return p
      moved = true
      return { ...p, scope: { _tag: 'cluster' }, subject: F.and(F.kind(['pod']), scopedSubject(p)), ordering: { tier: clusterTierName.Admin, order: 0 } }
    })
    const hasAdmin = set.tiers.some((t) => t.name === clusterTierName.Admin)
    return { set: { ...set, policies, tiers: moved && !hasAdmin && origin !== undefined ? [...set.tiers, clusterTier('Admin', origin)] : set.tiers }, diagnostics }
  }
  return { set, diagnostics }
}

/** A `networks` peer that covers cluster addresses, enforced by Cilium (module comment). */
const ciliumNetworks = (set: PolicySet, inventory: Inventory | undefined): ReadonlyArray<D.Diagnostic> => {
  const cluster = inventory === undefined ? undefined : clusterAddresses(inventory)
  return set.policies.flatMap((p) =>
    allRules(p).flatMap((r) => {
      const covered = [...F.atoms(r.peer).values()].some((a) => a._tag === 'ipIn' && (cluster === undefined || !C.isEmpty(C.intersect(a.cidrs, cluster))))
      if (!covered) return []
      const fidelity: D.Fidelity = r.action === 'allow' ? 'narrower' : 'broader'
      return [
        D.loss(
          fidelity,
          'cilium-cidr-match-mode',
          `${qualifiedName(p.origin)}: this networks peer ${cluster === undefined ? 'may cover' : 'covers'} pod or node addresses, which Cilium matches only with policy-cidr-match-mode=pods,nodes (default: external addresses only)`,
          r.location
        )
      ]
    })
  )
}

/** The split for `target` (module comment); undefined when the target takes the whole set. */
export const routeClusterTiers = (set: PolicySet, from: CniName, target: DialectName, inventory: Inventory | undefined): Routed | undefined => {
  if (target === 'calico') return undefined
  const moved = target === 'cnp' ? toClusterTiers(set, from) : { set, diagnostics: [] }
  const inTier = (p: Policy): boolean => clusterTierOf(p) !== undefined
  // under Calico the tiers kube-admin / kube-baseline end in Pass: their policies isolate nothing
  const clusterPolicies = moved.set.policies.filter(inTier).map((p) => (from === 'calico' ? passOnCalico(p) : p))
  if (clusterPolicies.length === 0 && target !== 'cnp') return undefined
  const tiers = moved.set.tiers.filter((t) => clusterTierByName(t.name) !== undefined)
  const clusterSet: PolicySet = { policies: clusterPolicies, tiers, networkSets: [] }
  const rest: PolicySet = { policies: moved.set.policies.filter((p) => !inTier(p)), tiers: moved.set.tiers.filter((t) => clusterTierByName(t.name) === undefined), networkSets: moved.set.networkSets }
  const adapted: Lowered = target === 'cilium' ? { set: clusterSet, diagnostics: ciliumNetworks(clusterSet, inventory) } : adaptAddresses(clusterSet, from, 'k8s', inventory)
  return { cluster: adapted.set, rest, restTarget: target === 'cnp' ? 'k8s' : target, diagnostics: [...moved.diagnostics, ...adapted.diagnostics] }
}
