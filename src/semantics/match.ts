/**
 * Rule matching as an enforcement model sees it, asked of the model itself: which policies select
 * an endpoint, whether one rule matches a flow, and which peers the model lets through whatever the
 * rules say (a pod's resident node, Cilium's allow-localhost).
 *
 * Nothing here re-implements a model's matching. Each question is put to the model's own `prepare`
 * on a one-policy set built from the policy under study (same origin, scope and subject; unordered,
 * so the default tier and its Deny apply), over the same endpoint classes:
 *
 * - baseline: the policy governing direction `d` default-deny with no rule. The peers it allows are
 *   the model's unconditional allowances; it selects class `c` iff it does not allow every peer.
 * - an `allow` (or Calico `pass`) rule: the rule alone as an allow rule, default-deny; it matches
 *   peer `j` iff `j` is allowed and not an unconditional allowance.
 * - a `deny` rule: the rule followed by an allow-everything rule; it matches `j` iff `j` is denied
 *   (deny rules keep their own action because a model may read their peers differently, e.g.
 *   Cilium expands Services in allow rules only).
 *
 * So the traces built on this (`explain.ts`) match exactly what `reach` matches, including named
 * ports, network sets, node-relative entities and whatever a model learns later. Results are
 * memoised per (policy, direction, rule, probe). One shortcut: a namespaced policy is not asked
 * about endpoints outside its namespace (its scoped subject requires the namespace).
 *
 * Cluster-tier policies (Admin / Baseline, `ir/cluster-tiers.ts`) under a model that wraps them
 * around its own (`withClusterTiers`: k8s, cilium) keep their tier in the one-policy set, so the
 * model reads them as it does in the whole set (priority, Pass, Cilium's conversion):
 *
 * - selection: the policy with a leading deny-everything rule; it selects `c` iff some peer is denied;
 * - a rule: that rule alone as a `deny`; it matches `j` iff `j` is denied.
 *
 * The policy's other `deny`/`pass` rules stay as `log` rules, which no tier evaluates but which
 * keep a conversion that rejects a whole policy for one rule (Cilium: domainNames in Deny/Pass)
 * rejecting it here too.
 */
import type { Inventory } from '../cluster/inventory.js'
import * as F from '../ir/formula.js'
import type { Direction, DirectionRules, Policy, PolicySet, Rule } from '../ir/policy.js'
import { clusterTierOf } from '../ir/cluster-tiers.js'
import { rulesOf } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import type { Classes } from './endpoint.js'
import type { Model, Prepared } from './model.js'
import type { Probe } from './table.js'

export interface Matcher {
  /** Whether policy `pi` governs direction `d` and selects class `c` under the model. */
  readonly selects: (pi: number, d: Direction, c: number, probe: Probe) => boolean
  /** Peers of class `c` in direction `d` that the model allows whatever the rules of policy `pi` say. */
  readonly unconditional: (pi: number, d: Direction, c: number, probe: Probe) => B.Bitset
  /** Whether rule `ri` of policy `pi` in direction `d` matches peer `j` of subject `c` on the probe. */
  readonly matches: (pi: number, d: Direction, ri: number, c: number, j: number, probe: Probe) => boolean
}

const allowAll: Rule = { action: 'allow', peer: F.tt, ports: P.all, l7: undefined, location: undefined }

const denyAll: Rule = { ...allowAll, action: 'deny' }

/** A cluster-tier policy's rules reduced to what only a conversion reads (module comment). */
const inert = (dr: DirectionRules | undefined): DirectionRules | undefined =>
  dr === undefined ? undefined : { ...dr, rules: dr.rules.flatMap((r) => (r.action === 'allow' || r.action === 'log' ? [] : [{ ...r, action: 'log' as const }])) }

/** The cluster-tier policy `p`, tier kept, with `lead` first in direction `d` and its other rules inert. */
const clusterProbe = (p: Policy, d: Direction, lead: Rule, skip: number | undefined): Policy => {
  const dir = (x: Direction): DirectionRules | undefined => {
    const dr = rulesOf(p, x)
    if (x !== d || dr === undefined) return inert(dr)
    const rest = inert({ ...dr, rules: dr.rules.filter((_, i) => i !== skip) })
    return { ...dr, defaultDeny: false, rules: [lead, ...(rest?.rules ?? [])] }
  }
  return { ...p, ingress: dir('ingress'), egress: dir('egress') }
}

/** The policy `p`, unordered, governing only `d` with the given rules. */
const onlyDirection = (p: Policy, d: Direction, rules: DirectionRules): Policy => ({
  ...p,
  ordering: undefined,
  ingress: d === 'ingress' ? rules : undefined,
  egress: d === 'egress' ? rules : undefined
})

export const matcher = (set: PolicySet, classes: Classes, inventory: Inventory, model: Model): Matcher => {
  const n = classes.representatives.length
  const full = B.full(n)
  const prepared = new Map<string, Prepared>()
  const prep = (key: string, p: Policy): Prepared => {
    const hit = prepared.get(key)
    if (hit !== undefined) return hit
    const one: PolicySet = { policies: [p], tiers: [], networkSets: set.networkSets }
    const r = model.prepare(one, classes, inventory).prepared
    prepared.set(key, r)
    return r
  }
  const answers = new Map<string, B.Bitset>()
  const ask = (key: string, p: () => Policy, d: Direction, c: number, probe: Probe): B.Bitset => {
    const k = `${key}|${c}|${probe.protocol}/${probe.port}`
    const hit = answers.get(k)
    if (hit !== undefined) return hit
    const b = prep(key, p()).allowedPeers(d, c, probe.protocol, probe.port)
    answers.set(k, b)
    return b
  }
  const policy = (pi: number): Policy | undefined => set.policies[pi]
  /** Whether the model wraps this (cluster-tier) policy's tier around its own policies. */
  const tiered = (p: Policy): boolean => model.name !== 'calico' && clusterTierOf(p) !== undefined
  const baseline = (pi: number, d: Direction, c: number, probe: Probe): B.Bitset | undefined => {
    const p = policy(pi)
    if (p === undefined || rulesOf(p, d) === undefined) return undefined
    return ask(`${pi}/${d}/base`, () => onlyDirection(p, d, { defaultDeny: true, rules: [] }), d, c, probe)
  }
  const sameAs = (a: B.Bitset, b: B.Bitset): boolean => a.every((w, i) => w === b[i])
  const selects = (pi: number, d: Direction, c: number, probe: Probe): boolean => {
    // a namespaced policy selects nothing outside its namespace under any model (its scoped
    // subject requires the namespace, an atom no model reads differently): no need to ask
    const p = policy(pi)
    if (p !== undefined && p.scope._tag === 'namespace' && classes.representatives[c]?.namespace !== p.scope.namespace) return false
    if (p !== undefined && tiered(p))
      return rulesOf(p, d) !== undefined && !sameAs(ask(`${pi}/${d}/tier`, () => clusterProbe(p, d, denyAll, undefined), d, c, probe), full)
    const b = baseline(pi, d, c, probe)
    return b !== undefined && !sameAs(b, full)
  }
  const unconditional = (pi: number, d: Direction, c: number, probe: Probe): B.Bitset => {
    const p = policy(pi)
    return p !== undefined && tiered(p) ? B.make(n) : (baseline(pi, d, c, probe) ?? full)
  }
  const matches = (pi: number, d: Direction, ri: number, c: number, j: number, probe: Probe): boolean => {
    const p = policy(pi)
    const r = p === undefined ? undefined : rulesOf(p, d)?.rules[ri]
    if (p === undefined || r === undefined || r.action === 'log') return false
    if (tiered(p)) return !B.has(ask(`${pi}/${d}/${ri}/tier`, () => clusterProbe(p, d, { ...r, action: 'deny' }, ri), d, c, probe), j)
    if (r.action === 'deny') {
      const allowed = ask(`${pi}/${d}/${ri}`, () => onlyDirection(p, d, { defaultDeny: true, rules: [r, allowAll] }), d, c, probe)
      return !B.has(allowed, j)
    }
    const allowed = ask(`${pi}/${d}/${ri}`, () => onlyDirection(p, d, { defaultDeny: true, rules: [{ ...r, action: 'allow' }] }), d, c, probe)
    return B.has(allowed, j) && !B.has(unconditional(pi, d, c, probe), j)
  }
  return { selects, unconditional, matches }
}
