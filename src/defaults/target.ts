/**
 * The defaults' model-neutral IR (`compile.ts`) → the policy set handed to `translate` for one
 * target, and the model (`fromCni`) it is written for.
 *
 * - **cilium**: the set as it is, read under the `cilium` model. Non-isolating policies become
 *   `enableDefaultDeny: false` (research/cilium.md §4.1); denies win over every allow, which is
 *   what a baseline deny should do.
 * - **calico**: read under the `calico` model, where order decides and isolation comes from a
 *   tier's default action, not from the policy (research/calico.md §4.2, §6). Isolating policies go
 *   to tier `default` at order `calicoOrder` (10000) and above: after Kubernetes NetworkPolicies
 *   (1000) and the usual orders of namespaced Calico policies, so those decide first and the
 *   defaults' allows and end-of-tier deny only see what they left undecided (a Calico policy
 *   with no order still sorts after them, §1.1). Non-isolating policies cannot sit in tier
 *   `default`, whose end-of-tier Deny would isolate their subjects; they go to the tier
 *   `netpolx-guardrails` (order 900000: after `kube-admin`, before `default`) whose default
 *   action is Pass, so what they do not decide passes on to tier `default` untouched.
 * - **k8s**: a NetworkPolicy has allow rules only and always isolates. When some policy denies or
 *   does not isolate, the set is compiled with `flatten` under the cilium model (the neutral IR
 *   means the same there) into allow-only policies, after dropping the denies that the defaults'
 *   own default deny already implies (no allow overlaps a deny, `compile.ts`). Peers are then
 *   written the way a NetworkPolicy can: pods by selector (`namespaceSelector: {}` for every pod,
 *   so the output does not depend on pod addresses), node addresses from the inventory,
 *   external addresses as `ipBlock`s without the inventory's pod and node addresses (an `ipBlock`
 *   matches pods too, DESIGN.md §4) — `exact-for-inventory`. The set is handed on as `k8s`
 *   input; `expandClusterScope` then writes it once per namespace of the inventory.
 *
 * Nothing here throws.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { clusterAddresses, nodeAddresses } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { DialectName, Direction, DirectionRules, Policy, PolicySet, Rule, Tier } from '../ir/policy.js'
import { directions, mapRules, qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import { flatten } from '../lower/flatten.js'
import type { CniName } from '../semantics/model.js'
import { managedBy, originKind } from './compile.js'
import { forCnp } from './cnp.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Targeted {
  readonly set: PolicySet
  /** The model the set is written for: `translate`'s `fromCni`. */
  readonly fromCni: CniName
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

/** Where the defaults' isolating policies sit in tier `default` under Calico (module comment). */
export const calicoOrder = 10000
/** The tier of non-isolating defaults under Calico. */
export const guardrailTier = { name: 'netpolx-guardrails', order: 900000 } as const

const isolatesAll = (p: Policy): boolean => directions.every((d) => rulesOf(p, d)?.defaultDeny !== false)

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const byName = (a: Policy, b: Policy): number => cmp(a.origin.name, b.origin.name) || cmp(a.origin.namespace ?? '', b.origin.namespace ?? '')

// -------------------------------------------------------------------------------------
// calico
// -------------------------------------------------------------------------------------

/**
 * "Outside the cluster" (`kind(world)`) in Calico: an address no entity owns, which without
 * HostEndpoints includes the nodes (research/calico.md §4.4). So the nodes' addresses are cut out
 * with the inventory (`notNets`); without one, the rule is reported (a deny then denies the nodes
 * too: `narrower`; an allow allows them: `broader`).
 */
const outsideForCalico = (set: PolicySet, inventory: Inventory | undefined, addressesKnown: boolean): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const nodes = inventory === undefined || !addressesKnown ? undefined : factsOf(inventory, true).nodes
  const diagnostics: Array<D.Diagnostic> = []
  const rewrite = (r: Rule): Rule => {
    let touched = false
    const peer = F.mapAtomsPolar(r.peer, (a, positive) => {
      if (a._tag !== 'kind' || !a.kinds.includes('world') || a.kinds.includes('host')) return a
      touched = true
      if (nodes !== undefined) return C.isEmpty(nodes) ? a : F.and(a, F.not(F.ipIn(nodes)))
      diagnostics.push(
        D.loss(
          (r.action === 'deny') === positive ? 'narrower' : 'broader',
          'calico-outside-nodes',
          "Calico's addresses outside every known entity include the nodes' (no HostEndpoints); without their addresses (--cluster) they cannot be cut out",
          r.location
        )
      )
      return a
    })
    return touched ? { ...r, peer } : r
  }
  return { set: { ...set, policies: set.policies.map((p) => mapRules(p, rewrite)) }, diagnostics }
}

const forCalico = (input: PolicySet, inventory: Inventory | undefined, addressesKnown: boolean): Targeted => {
  const outside = outsideForCalico(input, inventory, addressesKnown)
  const set = outside.set
  const sorted = [...set.policies].sort(byName)
  const isolating = sorted.filter(isolatesAll)
  const guard = sorted.filter((p) => !isolatesAll(p))
  const names = [...new Set(sorted.map((p) => p.origin.name))]
  const rank = (p: Policy): number => names.indexOf(p.origin.name)
  const policies = [
    ...isolating.map((p): Policy => ({ ...p, ordering: { tier: 'default', order: calicoOrder + 10 * rank(p) } })),
    ...guard.map((p): Policy => ({ ...p, ordering: { tier: guardrailTier.name, order: 100 + 10 * rank(p) } }))
  ]
  const first = guard[0]
  const tiers: ReadonlyArray<Tier> =
    first === undefined
      ? []
      : [
          {
            name: guardrailTier.name,
            order: guardrailTier.order,
            defaultAction: 'pass',
            origin: { ...first.origin, kind: originKind, namespace: undefined, name: guardrailTier.name, labels: managedBy, annotations: undefined }
          }
        ]
  return { set: { ...set, policies, tiers }, fromCni: 'calico', diagnostics: outside.diagnostics }
}

// -------------------------------------------------------------------------------------
// k8s
// -------------------------------------------------------------------------------------

const satisfiable = (f: F.Formula): boolean => f._tag !== 'false' && F.dnf(f).length > 0

/**
 * Leaves out deny rules whose subjects the defaults already isolate in that direction: nothing
 * allows what they deny (`compile.ts` checks), so there they decide nothing.
 */
const dropImpliedDenies = (set: PolicySet): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const diagnostics: Array<D.Diagnostic> = []
  const isolatedBy = (d: Direction): F.Formula =>
    F.or(...set.policies.filter((p) => rulesOf(p, d)?.defaultDeny === true).map(scopedSubject))
  const policies = set.policies.flatMap((p): ReadonlyArray<Policy> => {
    const dir = (d: Direction): DirectionRules | undefined => {
      const dr = rulesOf(p, d)
      if (dr === undefined || !dr.rules.some((r) => r.action === 'deny')) return dr
      if (satisfiable(F.and(scopedSubject(p), F.not(isolatedBy(d))))) return dr
      for (const r of dr.rules.filter((x) => x.action === 'deny'))
        diagnostics.push(
          D.loss(
            'exact',
            'deny-implied',
            `${qualifiedName(p.origin)}: a NetworkPolicy has no deny rules; this ${d} deny is left out, as the defaults' own default deny already refuses what it denies (namespaced NetworkPolicies that allow it still add to the defaults' allows)`,
            r.location
          )
        )
      return { ...dr, rules: dr.rules.filter((r) => r.action !== 'deny') }
    }
    // a direction left with no rule and no default deny decides nothing: it is no longer governed
    const kept = (dr: DirectionRules | undefined): DirectionRules | undefined => (dr === undefined || (!dr.defaultDeny && dr.rules.length === 0) ? undefined : dr)
    const ingress = kept(dir('ingress'))
    const egress = kept(dir('egress'))
    return ingress === undefined && egress === undefined ? [] : [{ ...p, ingress, egress }]
  })
  return { set: { ...set, policies }, diagnostics }
}

export interface Facts {
  readonly cluster: C.CidrSet
  readonly nodes: C.CidrSet
  /** False when the inventory was made from `--namespace` names: pod and node addresses unknown. */
  readonly addressesKnown: boolean
}

export const factsOf = (inv: Inventory, addressesKnown: boolean): Facts => ({ cluster: clusterAddresses(inv), nodes: nodeAddresses(inv), addressesKnown })

const literalKey = (l: F.Literal): string => `${l.positive ? '+' : '-'}${F.key(l.atom)}`

/** Drops conjunctions that another conjunction of the list implies (a subset of its literals). */
const withoutSubsumed = (cs: ReadonlyArray<ReadonlyArray<F.Literal>>): ReadonlyArray<ReadonlyArray<F.Literal>> => {
  const keys = cs.map((c) => new Set(c.map(literalKey)))
  return cs.filter((_, i) => {
    const ki = keys[i] ?? new Set<string>()
    return !keys.some((kj, j) => j !== i && [...kj].every((k) => ki.has(k)) && (kj.size < ki.size || j < i))
  })
}

/**
 * One allow rule's peer, written for the cilium model, rewritten so that a NetworkPolicy says the
 * same under the k8s model (module comment). Under the cilium model a positive `ipIn` matches only
 * addresses outside the cluster, a negative one every cluster endpoint.
 */
export const k8sPeer = (r: Rule, facts: Facts, found: Array<{ readonly fidelity: D.Fidelity; readonly code: string; readonly message: string }>): F.Formula => {
  const out: Array<ReadonlyArray<F.Literal>> = []
  const conjs = F.dnf(r.peer)
  const allPods = conjs.some((c) => c.length === 1 && c[0]?.atom._tag === 'kind' && c[0].positive && c[0].atom.kinds.length === 1 && c[0].atom.kinds[0] === 'pod')
  for (const c of conjs) {
    if (c.length === 0) {
      out.push(c)
      continue
    }
    const kinds = F.conjunctionKinds(c)
    const positiveIp = c.some((l) => l.atom._tag === 'ipIn' && l.positive)
    const rest = c.filter((l) => l.atom._tag !== 'kind' && l.atom._tag !== 'ipIn')
    const addresses = c.reduce((s, l) => (l.atom._tag !== 'ipIn' ? s : l.positive ? C.intersect(s, l.atom.cidrs) : C.difference(s, l.atom.cidrs)), C.all)
    if (kinds.includes('pod') && !positiveIp) out.push([{ atom: { _tag: 'kind', kinds: ['pod'] }, positive: true }, ...rest])
    if (kinds.includes('host') && !positiveIp) {
      if (rest.length > 0)
        found.push({ fidelity: 'narrower', code: 'node-peer', message: `a NetworkPolicy can name nodes only by address, not "${F.show(F.and(...rest.map(F.literal)))}"; left out` })
      else if (!facts.addressesKnown)
        found.push({ fidelity: 'narrower', code: 'node-addresses', message: 'node addresses are not known from --namespace; connections with nodes and host-network pods are not allowed (give --cluster with Node objects)' })
      else if (!C.isEmpty(facts.nodes)) {
        found.push({ fidelity: 'exact-for-inventory', code: 'node-addresses', message: `nodes are written as the inventory's node addresses (${C.show(facts.nodes)})` })
        out.push([{ atom: { _tag: 'ipIn', cidrs: facts.nodes }, positive: true }])
      }
    }
    // an endpoint outside the cluster has no labels and no namespace: positive tests fail, negative ones hold
    if (kinds.includes('world') && rest.every((l) => !l.positive)) {
      const outside = C.difference(addresses, facts.cluster)
      if (C.isEmpty(outside)) continue
      if (!C.equals(outside, addresses))
        found.push({
          fidelity: 'exact-for-inventory',
          code: 'external-addresses',
          message: `addresses outside the cluster are written as ${C.show(addresses)} without the inventory's pod and node addresses (an ipBlock matches pods too)`
        })
      if (!facts.addressesKnown && !allPods)
        found.push({
          fidelity: 'broader',
          code: 'external-addresses',
          message: `the ipBlock ${C.show(addresses)} also matches pods whose address is in it, and pod addresses are not known from --namespace (give --cluster to cut them out)`
        })
      out.push([{ atom: { _tag: 'ipIn', cidrs: outside }, positive: true }])
    }
  }
  return F.or(...withoutSubsumed(out).map((c) => F.and(...c.map(F.literal))))
}

/** Whether a peer (written for the cilium model) admits host endpoints, i.e. it is not limited to pods and addresses. */
const mentionsNonPods = (peer: F.Formula): boolean =>
  F.dnf(peer).some((c) => c.length > 0 && !c.some((l) => l.atom._tag === 'ipIn' && l.positive) && F.conjunctionKinds(c).includes('host'))

/**
 * `flatten` names its policies `<name>-<direction>`; where that suffix tells nothing apart (one
 * compiled policy of that name per scope), the profile's own name is kept.
 */
const plainNames = (ps: ReadonlyArray<Policy>): ReadonlyArray<Policy> => {
  const base = (p: Policy): string => p.origin.name.replace(/-(ingress|egress)$/, '')
  const count = new Map<string, number>()
  const keyOf = (p: Policy, name: string): string => `${p.origin.namespace ?? ''}/${name}`
  for (const p of ps) count.set(keyOf(p, base(p)), (count.get(keyOf(p, base(p))) ?? 0) + 1)
  const taken = new Set(ps.map((p) => keyOf(p, p.origin.name)))
  return ps.map((p) => {
    const b = base(p)
    return b !== p.origin.name && count.get(keyOf(p, b)) === 1 && !taken.has(keyOf(p, b)) ? { ...p, origin: { ...p.origin, name: b } } : p
  })
}

const forK8s = (set: PolicySet, inventory: Inventory, addressesKnown: boolean): Targeted => {
  const diagnostics: Array<D.Diagnostic> = []
  const pruned = dropImpliedDenies(set)
  diagnostics.push(...pruned.diagnostics)
  const needsFlattening = pruned.set.policies.some((p) => directions.some((d) => (rulesOf(p, d)?.rules ?? []).some((r) => r.action === 'deny') || rulesOf(p, d)?.defaultDeny === false))
  let flat = pruned.set
  if (needsFlattening) {
    const f = flatten(pruned.set, 'cilium')
    diagnostics.push(...f.diagnostics)
    flat = f.set
  }
  const facts = factsOf(inventory, addressesKnown)
  if (addressesKnown && C.isEmpty(facts.nodes) && flat.policies.some((p) => directions.some((d) => (rulesOf(p, d)?.rules ?? []).some((r) => mentionsNonPods(r.peer)))))
    diagnostics.push(
      D.warning(
        'no-nodes',
        'the inventory lists no Node objects nor host-network pods, so the NetworkPolicies allow no connection with node addresses (kubelet, host-network pods) where the defaults allow every in-cluster peer; add the Nodes to --cluster to allow them'
      )
    )
  const rewrite = (p: Policy) => (r: Rule): Rule => {
    const found: Array<{ readonly fidelity: D.Fidelity; readonly code: string; readonly message: string }> = []
    const peer = k8sPeer(r, facts, found)
    const seen = new Set<string>()
    for (const x of found) {
      const k = `${x.code}\u0000${x.message}`
      if (seen.has(k)) continue
      seen.add(k)
      diagnostics.push(D.loss(x.fidelity, x.code, x.message, r.location ?? p.origin.location))
    }
    return { ...r, peer }
  }
  const policies = (needsFlattening ? plainNames(flat.policies) : flat.policies).map(
    (p): Policy => ({ ...mapRules(p, (r) => rewrite(p)(r)), origin: { ...p.origin, kind: originKind, labels: p.origin.labels ?? managedBy } })
  )
  return { set: { policies, tiers: [], networkSets: [] }, fromCni: 'k8s', diagnostics }
}

// -------------------------------------------------------------------------------------
// entry point
// -------------------------------------------------------------------------------------

/**
 * The defaults' set arranged for `target` (module comment). `inventory` is required for k8s;
 * `addressesKnown` is false when it was made from `--namespace` names only.
 */
export const forTarget = (set: PolicySet, target: DialectName, inventory: Inventory | undefined, addressesKnown: boolean): Targeted => {
  switch (target) {
    case 'cilium':
      return { set, fromCni: 'cilium', diagnostics: [] }
    case 'calico':
      return forCalico(set, inventory, addressesKnown)
    case 'k8s':
      return inventory === undefined
        ? { set, fromCni: 'cilium', diagnostics: [D.error('needs-namespaces', 'Kubernetes NetworkPolicies are namespaced: give the namespaces to write the defaults for with --cluster or --namespace')] }
        : forK8s(set, inventory, addressesKnown)
    case 'cnp':
      return forCnp(set, inventory, addressesKnown)
  }
}
