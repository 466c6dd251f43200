/**
 * Local-endpoint constraints (`Rule.local`) for targets that cannot write them.
 *
 * Calico lets one rule apply to only some of its policy's endpoints (an ingress rule's
 * `destination`, an egress rule's `source`: parse.ts `localOf`); a Kubernetes NetworkPolicy or a
 * Cilium policy rule applies to every endpoint its policy selects. Two passes, both exact:
 *
 * - `resolveLocals` (Calico → other targets, before compiling the order): a Calico local side
 *   matches by address, like a peer, so on a pod it holds when the pod satisfies it or when the
 *   pod's address lies in a network set of the input that satisfies it (Calico selectors also match network sets: https://docs.tigera.io/calico/latest/reference/resources/networkset).
 *   The constraint is rewritten for pod subjects: its pod part restricted to `kind(pod)`, each
 *   matching network set as an `ipIn` of its addresses, host endpoints and other addresses
 *   dropped (no subject is one). Network sets make the result `exact-for-inventory`: a cluster
 *   with more network sets would match more. With an inventory, its address tests (a local
 *   `nets` / `notNets`, which no pod selector can write) become the inventory's pods at those
 *   addresses, by label group (`exact-for-inventory`).
 * - `splitLocal` (after `flatten`, which narrows its regions by every constraint itself): under
 *   union semantics a policy `S` with a rule constrained by `L` means the same as `S` without that
 *   rule plus a policy `S ∧ L` (same scope, direction and default-deny flag) holding the rule
 *   unconstrained: `S ∧ L` selects nothing `S` does not, so no endpoint becomes isolated that was
 *   not, and each endpoint in `S ∧ L` gets the rule, as before. Rules with the same constraint share
 *   one policy; the original policy keeps governing the direction, even when no rule is left.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { DialectName, Direction, DirectionRules, Policy, PolicySet, Rule } from '../ir/policy.js'
import { directions, mapRules, rulesOf } from '../ir/policy.js'
import type { Lowered } from './addresses.js'
import { groupName, podGroups, split } from './groups.js'
import { holdsOn, namespaceLabelsOf } from './kinds.js'

const hasLocal = (p: Policy): boolean => directions.some((d) => (rulesOf(p, d)?.rules ?? []).some((r) => r.local !== undefined))

/** Whether some rule of the set has a local-endpoint constraint the target cannot write. */
export const needsLocalLowering = (set: PolicySet, to: DialectName): boolean => to !== 'calico' && set.policies.some(hasLocal)

/** A Calico local side as a formula over pod subjects (module comment). */
export const resolveLocals = (set: PolicySet, inventory: Inventory | undefined): Lowered => {
  const diagnostics: Array<D.Diagnostic> = []
  const rewrite = (r: Rule): Rule => {
    if (r.local === undefined) return r
    let viaSets = false
    const parts = F.dnf(r.local).map((c) => {
      const kinds = F.conjunctionKinds(c)
      const out: Array<F.Formula> = []
      if (kinds.includes('pod')) out.push(F.and(F.kind(['pod']), ...c.filter((l) => l.atom._tag !== 'kind').map(F.literal)))
      if (kinds.includes('networkSet'))
        for (const ns of set.networkSets)
          if (holdsOn(c, 'networkSet', ns.labels, ns.namespace, namespaceLabelsOf(ns.namespace, inventory))) {
            const cidrs = C.intersect(ns.cidrs, F.conjunctionAddresses(c))
            if (C.isEmpty(cidrs)) continue
            viaSets = true
            out.push(F.and(F.kind(['pod']), F.ipIn(cidrs)))
          }
      return F.or(...out)
    })
    if (viaSets)
      diagnostics.push(
        D.loss(
          'exact-for-inventory',
          'calico-local-network-sets',
          'the rule applies to the endpoints its local side (ingress destination, egress source) matches by address, which includes pods whose address lies in a matching network set; written for the network sets in the input',
          r.location
        )
      )
    const local = F.or(...parts)
    return { ...r, local: inventory === undefined ? local : addressesByPods(r, local, inventory, diagnostics) }
  }
  return { set: { ...set, policies: set.policies.map((p) => (hasLocal(p) ? mapRules(p, rewrite) : p)) }, diagnostics }
}

/**
 * A constraint's address tests (`ipIn` on the subject, from a local `nets` / `notNets`), which no
 * pod selector can write, named by the inventory's pods: each label group (groups.ts) whose pods
 * all lie in the set, `exact-for-inventory`; a group with pods on both sides cannot be told apart
 * by labels and is left out, reported in the direction that errs (a rule applying to fewer
 * endpoints allows less, denies less).
 */
const addressesByPods = (r: Rule, local: F.Formula, inv: Inventory, diagnostics: Array<D.Diagnostic>): F.Formula => {
  if (![...F.atoms(local).values()].some((a) => a._tag === 'ipIn')) return local
  const groups = podGroups(inv)
  return F.mapAtomsPolar(local, (a, positive) => {
    if (a._tag !== 'ipIn') return a
    const parts: Array<F.Formula> = []
    const mixed: Array<string> = []
    for (const g of groups) {
      const where = split({ ...g, pods: g.pods.filter((p) => p.ip !== undefined) }, (p) => p.ip !== undefined && C.contains(a.cidrs, p.ip))
      if (where === 'all') parts.push(g.formula)
      else if (where === 'some') mixed.push(groupName(g))
    }
    if (mixed.length > 0)
      diagnostics.push(
        D.loss(
          (r.action === 'deny') === positive ? 'broader' : 'narrower',
          'local-address-groups',
          `the rule applies to the endpoints whose address is ${positive ? '' : 'not '}in ${C.toCidrs(a.cidrs).join(', ')}; the pods of ${mixed.join(', ')} have the same labels on both sides of it, so no selector tells them apart and they are left out`,
          r.location
        )
      )
    else
      diagnostics.push(
        D.loss(
          'exact-for-inventory',
          'local-address-groups',
          `the rule applies to the endpoints whose address is ${positive ? '' : 'not '}in ${C.toCidrs(a.cidrs).join(', ')}; a selector cannot test addresses, so those are written as the inventory's pods there`,
          r.location
        )
      )
    return F.or(...parts)
  })
}

/** The policy's rules with the constraint `key` (undefined: unconstrained) in direction `d`. */
const withLocal = (dr: DirectionRules, key: string | undefined): ReadonlyArray<Rule> =>
  dr.rules.filter((r) => (r.local === undefined ? key === undefined : F.key(r.local) === key))

const unconstrained = (r: Rule): Rule => {
  const { local: _local, ...rest } = r
  return rest
}

/** One policy per constrained group of rules, and the policy with the rest (module comment). */
const splitPolicy = (p: Policy): ReadonlyArray<Policy> => {
  const extra: Array<Policy> = []
  const rest = (d: Direction): DirectionRules | undefined => {
    const dr = rulesOf(p, d)
    if (dr === undefined) return undefined
    const locals = new Map<string, F.Formula>()
    for (const r of dr.rules) if (r.local !== undefined) locals.set(F.key(r.local), r.local)
    ;[...locals.entries()].forEach(([key, local], i) => {
      const subject = F.and(p.subject, local)
      if (F.dnf(subject).length === 0) return
      const rules = withLocal(dr, key).map(unconstrained)
      const own: DirectionRules = { defaultDeny: dr.defaultDeny, rules }
      extra.push({
        ...p,
        origin: { ...p.origin, name: `${p.origin.name}-${d}-local${locals.size === 1 ? '' : `-${i + 1}`}` },
        subject,
        ingress: d === 'ingress' ? own : undefined,
        egress: d === 'egress' ? own : undefined
      })
    })
    return { ...dr, rules: withLocal(dr, undefined) }
  }
  const ingress = rest('ingress')
  const egress = rest('egress')
  return [{ ...p, ingress, egress }, ...extra]
}

/** Every constrained rule moved to a policy of its own with the narrowed subject (module comment). */
export const splitLocal = (set: PolicySet): Lowered => {
  const split = set.policies.filter(hasLocal).length
  if (split === 0) return { set, diagnostics: [] }
  return {
    set: { ...set, policies: set.policies.flatMap((p) => (hasLocal(p) ? splitPolicy(p) : [p])) },
    diagnostics: [
      D.loss(
        'exact',
        'local-constraint-split',
        `${split} ${split === 1 ? 'policy has' : 'policies have'} rules that apply to only some of their endpoints (a Calico ingress destination or egress source); each such rule is written in a policy of its own whose selector is narrowed to those endpoints`,
        undefined
      )
    ]
  }
}
