/**
 * The defaults as cluster network policies (`netpolx defaults --to cnp`, or `--to k8s
 * --cluster-wide`): cluster-wide objects that hold for namespaces created later, unlike the
 * per-namespace NetworkPolicy copies (kubernetes-sigs/network-policy-api
 * `apis/v1alpha2/clusternetworkpolicy_types.go`: Baseline "applies to pods that no
 * NetworkPolicy selects").
 *
 * The defaults' neutral set (`compile.ts`: no allow overlaps a deny) becomes, in first-match order:
 *
 * - every deny rule → an Admin-tier policy (priority 0, 1, …): a deny of the defaults wins over
 *   every allow, NetworkPolicies' included, as it does under the cilium reading of the defaults;
 * - every allow rule → a Baseline-tier policy (priority 0, 1, …) of Accept rules;
 * - every isolating policy and direction → a Baseline-tier policy after all the Accepts, whose one
 *   rule denies every peer: `networks: [0.0.0.0/0, ::/0]` for egress (exact), `namespaces: {}` for
 *   ingress (pods only: a ClusterNetworkPolicy ingress rule cannot match nodes or addresses
 *   outside the cluster, reported `broader`).
 *
 * Where a NetworkPolicy selects a pod, the Baseline tier (the defaults' allows and isolation) does
 * not apply to it: that is what a baseline is, and the header says so. Peers are written as for
 * the per-namespace form (`k8sPeer`): pods by selector, nodes and outside addresses by the
 * inventory's addresses (`exact-for-inventory`).
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { clusterTier, clusterTierName } from '../ir/cluster-tiers.js'
import type { ClusterTier } from '../ir/cluster-tiers.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { Direction, Policy, PolicySet, Rule } from '../ir/policy.js'
import { directions, rulesOf, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import { managedBy, originKind } from './compile.js'
import type { Targeted } from './target.js'
import { factsOf, k8sPeer } from './target.js'

const flip = (f: D.Fidelity): D.Fidelity => (f === 'broader' ? 'narrower' : f === 'narrower' ? 'broader' : f)

export const forCnp = (set: PolicySet, inventory: Inventory | undefined, addressesKnown: boolean): Targeted => {
  const diagnostics: Array<D.Diagnostic> = []
  const inv: Inventory = inventory ?? { namespaces: [], pods: [], nodes: [], services: [], externals: [] }
  const facts = factsOf(inv, inventory !== undefined && addressesKnown)
  const peerOf = (p: Policy, r: Rule): F.Formula => {
    const found: Array<{ readonly fidelity: D.Fidelity; readonly code: string; readonly message: string }> = []
    const peer = k8sPeer(r, facts, found)
    const seen = new Set<string>()
    for (const x of found) {
      const k = `${x.code}\u0000${x.message}`
      if (seen.has(k)) continue
      seen.add(k)
      diagnostics.push(D.loss(r.action === 'deny' ? flip(x.fidelity) : x.fidelity, x.code, x.message, r.location ?? p.origin.location))
    }
    return peer
  }
  const out: Array<Policy> = []
  const counter: Record<ClusterTier, number> = { Admin: 0, Baseline: 0 }
  const make = (p: Policy, tier: ClusterTier, suffix: string, rules: Partial<Record<Direction, ReadonlyArray<Rule>>>): void => {
    const dir = (d: Direction) => (rules[d] === undefined || rules[d].length === 0 ? undefined : { defaultDeny: false, rules: rules[d] })
    const ingress = dir('ingress')
    const egress = dir('egress')
    if (ingress === undefined && egress === undefined) return
    out.push({
      _tag: 'Policy',
      origin: { ...p.origin, dialect: 'cnp', kind: originKind, namespace: undefined, name: `${p.origin.namespace === undefined ? '' : `${p.origin.namespace}-`}${p.origin.name}${suffix}`, labels: p.origin.labels ?? managedBy },
      scope: { _tag: 'cluster' },
      ordering: { tier: clusterTierName[tier], order: counter[tier]++ },
      subject: F.and(F.kind(['pod']), scopedSubject(p)),
      ingress,
      egress
    })
  }
  const rulesWith = (p: Policy, action: 'allow' | 'deny'): Partial<Record<Direction, ReadonlyArray<Rule>>> => ({
    ingress: (rulesOf(p, 'ingress')?.rules ?? []).filter((r) => r.action === action).map((r) => ({ ...r, peer: peerOf(p, r) })),
    egress: (rulesOf(p, 'egress')?.rules ?? []).filter((r) => r.action === action).map((r) => ({ ...r, peer: peerOf(p, r) }))
  })
  for (const p of set.policies) make(p, 'Admin', '-deny', rulesWith(p, 'deny'))
  for (const p of set.policies) make(p, 'Baseline', '', rulesWith(p, 'allow'))
  for (const p of set.policies) {
    const isolating = directions.filter((d) => rulesOf(p, d)?.defaultDeny === true)
    if (isolating.length === 0) continue
    const denyAll = (d: Direction): Rule => ({
      action: 'deny',
      peer: d === 'egress' ? F.ipIn(C.all) : F.kind(['pod']),
      ports: P.all,
      l7: undefined,
      location: p.origin.location
    })
    if (isolating.includes('ingress'))
      diagnostics.push(
        D.loss(
          'broader',
          'baseline-ingress-pods-only',
          `${p.origin.name}: a ClusterNetworkPolicy ingress rule can deny pods only; connections from nodes, host-network pods and addresses outside the cluster are not denied by the baseline`,
          p.origin.location
        )
      )
    make(p, 'Baseline', '-isolate', Object.fromEntries(isolating.map((d) => [d, [denyAll(d)]])))
  }
  const used = new Set(out.map((p) => p.ordering?.tier))
  const origin = set.policies[0]?.origin
  const tiers = origin === undefined ? [] : (['Admin', 'Baseline'] as const).filter((t) => used.has(clusterTierName[t])).map((t) => clusterTier(t, origin))
  // made in order: the isolation policies' priorities follow every Accept of the Baseline tier
  return { set: { policies: out, tiers, networkSets: [] }, fromCni: 'k8s', diagnostics }
}
