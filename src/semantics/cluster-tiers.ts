/**
 * Cluster network policy tiers in the enforcement models (the policies `clusterTierOf` places in
 * Admin or Baseline: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, and any
 * policy a user put in tier `kube-admin` / `kube-baseline`).
 *
 * `withClusterTiers(inner, options)` wraps an unordered model (k8s, cilium) so that, per endpoint
 * and direction (kubernetes-sigs/network-policy-api `apis/v1alpha2/clusternetworkpolicy_types.go`
 * `Tier`, `site-src/api-overview.md`):
 *
 * 1. the Admin tier runs first: the policies selecting the endpoint by ascending priority, each
 *    policy's rules in order; the first matching rule decides — `allow` and `deny` are final,
 *    `pass` skips the rest of the Admin tier;
 * 2. what Admin left undecided or passed goes to the inner model's policies (NetworkPolicy tier):
 *    if some inner policy isolates the endpoint in that direction (`defaultDeny`), the inner
 *    verdict is final and Baseline is not consulted;
 * 3. otherwise the inner verdict still applies (under cilium a deny of a non-isolating policy
 *    drops), and then the Baseline tier runs like Admin: a `deny` drops, `allow`/`pass`/no match
 *    allow (the default is allow-all: no implicit isolation).
 *
 * Policies of equal priority in one tier are an undefined tie in the API; they run by name
 * (Calico's order, and the one netpolx writes) with a warning when two of them select a common
 * endpoint. Under `ties: 'level'` (Cilium 1.20) rule `i` of every tied policy runs at level
 * `priority + i/100` and on one level `deny` comes before `pass` before `allow` (cilium/cilium
 * `pkg/k8s/cluster_network_policy.go`, `pkg/policy/rules.go`; Pass against Allow on one level is
 * not confirmed upstream).
 *
 * Named ports resolve on the destination pod: the subject for ingress, each peer pod for egress;
 * they never match a host endpoint or an external address. Peer atoms keep the inner model's
 * meaning through `options.override` (Cilium: `ipIn` matches external addresses only).
 *
 * `calicoClusterTiers(calico)` leaves ordering to the Calico model (the tiers are Calico's own,
 * `src/ir/cluster-tiers.ts`) and applies Calico's conversion: a rule with a `nodes` or
 * `domainNames` peer fails to convert, so an Accept rule is dropped and a Deny or Pass rule becomes
 * a Deny of everything (projectcalico/calico
 * `libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go`).
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import type { ClusterTier } from '../ir/cluster-tiers.js'
import { clusterTierOf } from '../ir/cluster-tiers.js'
import * as F from '../ir/formula.js'
import type { Action, Direction, Policy, PolicySet, Rule } from '../ir/policy.js'
import { directions, mapRules, qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import type { AtomOverride, Classes } from './endpoint.js'
import { evaluator } from './endpoint.js'
import type { Model, Prepared } from './model.js'
import { sourcePeers } from './probes.js'

export interface ClusterTierOptions {
  readonly ties: 'name' | 'level'
  readonly override: AtomOverride | undefined
  /** How the model's CNI takes the cluster-tier policies (e.g. Cilium rejecting some), with its findings. */
  readonly convert: (policies: ReadonlyArray<Policy>) => { readonly policies: ReadonlyArray<Policy>; readonly diagnostics: ReadonlyArray<D.Diagnostic> }
}

interface Compiled {
  readonly action: Action
  readonly peers: B.Bitset
  readonly ports: P.PortSet
  readonly named: boolean
  /** Source ports (`Rule.sourcePorts`, a Calico construct), when restricted. */
  readonly sourcePorts: P.PortSet | undefined
  /** The subjects the rule applies to (`Rule.local`, a Calico construct); undefined: all. */
  readonly local: B.Bitset | undefined
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const actionRank: Readonly<Record<Action, number>> = { deny: 0, pass: 1, allow: 2, log: 3 }

/** Entries of one tier in evaluation order, for one direction. */
export const ordered = (policies: ReadonlyArray<Policy>, d: Direction, ties: 'name' | 'level'): ReadonlyArray<{ readonly policy: Policy; readonly rule: Rule }> => {
  const sorted = [...policies].sort((a, b) => (a.ordering?.order ?? Infinity) - (b.ordering?.order ?? Infinity) || cmp(a.origin.name, b.origin.name))
  const entries = sorted.flatMap((policy) => (rulesOf(policy, d)?.rules ?? []).map((rule, i) => ({ policy, rule, i })))
  if (ties === 'name') return entries
  return [...entries].sort(
    (a, b) => (a.policy.ordering?.order ?? Infinity) - (b.policy.ordering?.order ?? Infinity) || a.i - b.i || actionRank[a.rule.action] - actionRank[b.rule.action]
  )
}

/** Warnings for policies of one tier with equal priority that select a common endpoint. */
const tieFindings = (policies: ReadonlyArray<Policy>, subjects: (p: Policy) => B.Bitset, ties: 'name' | 'level'): ReadonlyArray<D.Diagnostic> => {
  const out: Array<D.Diagnostic> = []
  const byKey = new Map<string, Array<Policy>>()
  for (const p of policies) {
    const k = `${p.ordering?.tier ?? ''}/${p.ordering?.order ?? ''}`
    byKey.set(k, [...(byKey.get(k) ?? []), p])
  }
  for (const group of byKey.values()) {
    const sorted = [...group].sort((a, b) => cmp(a.origin.name, b.origin.name))
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1] as Policy
      const b = sorted[i] as Policy
      if (B.isEmpty(B.and(subjects(a), subjects(b)))) continue
      out.push(
        D.warning(
          'priority-tie',
          `${qualifiedName(a.origin)} and ${qualifiedName(b.origin)} have the same tier and priority (${a.ordering?.order ?? ''}) and select common pods; the API leaves the outcome undefined, evaluated ${ties === 'name' ? 'by policy name' : 'rule by rule with deny first (Cilium)'}`,
          b.origin.location
        )
      )
    }
  }
  return out
}

/** The API's own reading (the k8s model): ties by name, atoms with their neutral meaning. */
export const apiClusterTiers: ClusterTierOptions = { ties: 'name', override: undefined, convert: (policies) => ({ policies, diagnostics: [] }) }

/** The Admin → inner → Baseline composition (module comment). */
export const withClusterTiers = (inner: Model, options: ClusterTierOptions): Model => ({
  name: inner.name,
  prepare: (set: PolicySet, classes: Classes, inventory: Inventory) => {
    const tierOf = new Map(set.policies.map((p) => [p, clusterTierOf(p)] as const))
    const given = set.policies.filter((p) => tierOf.get(p) !== undefined)
    if (given.length === 0) return inner.prepare(set, classes, inventory)
    const converted = options.convert(given)
    const cluster = converted.policies
    const rest = set.policies.filter((p) => tierOf.get(p) === undefined)
    const innerOut = inner.prepare({ ...set, policies: rest }, classes, inventory)
    const n = classes.representatives.length
    const ev = evaluator(classes, inventory, options.override)
    const subjects = new Map(set.policies.map((p) => [p, ev(scopedSubject(p))] as const))
    const subjectsOf = (p: Policy): B.Bitset => subjects.get(p) ?? B.make(n)
    const isolated: Record<Direction, Uint8Array> = { ingress: new Uint8Array(n), egress: new Uint8Array(n) }
    for (const p of rest)
      for (const d of directions)
        if (rulesOf(p, d)?.defaultDeny === true) B.forEach(subjectsOf(p), (c) => ((isolated[d] as Uint8Array)[c] = 1))
    const pods = ev(F.kind(['pod']))
    const compile = (t: ClusterTier, d: Direction): ReadonlyArray<ReadonlyArray<Compiled>> => {
      const entries = ordered(
        cluster.filter((p) => tierOf.get(p) === t),
        d,
        options.ties
      ).filter((e) => e.rule.action !== 'log')
      const compiled = entries.map((e) => ({
        subjects: subjectsOf(e.policy),
        c: {
          action: e.rule.action,
          peers: ev(e.rule.peer),
          ports: e.rule.ports,
          named: e.rule.ports.named.length > 0,
          sourcePorts: e.rule.sourcePorts,
          local: e.rule.local === undefined ? undefined : ev(e.rule.local)
        }
      }))
      return Array.from({ length: n }, (_, c) => compiled.filter((x) => B.has(x.subjects, c) && (x.c.local === undefined || B.has(x.c.local, c))).map((x) => x.c))
    }
    const tiers = {
      Admin: { ingress: compile('Admin', 'ingress'), egress: compile('Admin', 'egress') },
      Baseline: { ingress: compile('Baseline', 'ingress'), egress: compile('Baseline', 'egress') }
    }
    /** The peers rule `r` matches for subject class `c` on the probe. */
    const matched = (r: Compiled, d: Direction, c: number, protocol: number, port: number, sourcePort: number | undefined): B.Bitset => {
      const sources = sourcePeers(r.sourcePorts, d, protocol, sourcePort, classes.representatives[c], classes.representatives)
      if (sources === false) return B.make(n)
      const m = matchedPorts(r, d, c, protocol, port)
      return sources === true ? m : B.and(m, sources)
    }
    const matchedPorts = (r: Compiled, d: Direction, c: number, protocol: number, port: number): B.Bitset => {
      if (d === 'ingress' || !r.named) {
        const subject = classes.representatives[c]
        // a named port resolves on the destination: the subject (a pod) for ingress
        return P.matches(r.ports, protocol, port, d === 'ingress' ? (subject?.ports ?? []) : []) ? r.peers : B.make(n)
      }
      const out = B.make(n)
      B.forEach(B.and(r.peers, pods), (j) => {
        if (P.matches(r.ports, protocol, port, classes.representatives[j]?.ports ?? [])) B.set(out, j)
      })
      return out
    }
    /** First match over a tier's rules: the peers each verdict took. */
    const run = (rules: ReadonlyArray<Compiled>, d: Direction, c: number, protocol: number, port: number, sourcePort: number | undefined, from: B.Bitset) => {
      let undecided = from
      const allow = B.make(n)
      const deny = B.make(n)
      const pass = B.make(n)
      for (const r of rules) {
        if (B.isEmpty(undecided)) break
        const m = B.and(matched(r, d, c, protocol, port, sourcePort), undecided)
        if (B.isEmpty(m)) continue
        B.orInto(r.action === 'allow' ? allow : r.action === 'deny' ? deny : pass, m)
        undecided = B.and(undecided, B.not(m, n))
      }
      return { allow, deny, pass, undecided }
    }
    const all = B.full(n)
    const allowedPeers = (d: Direction, c: number, protocol: number, port: number, sourcePort?: number): B.Bitset => {
      const admin = run(tiers.Admin[d][c] ?? [], d, c, protocol, port, sourcePort, all)
      const remaining = B.or(admin.pass, admin.undecided)
      const innerAllowed = B.and(remaining, innerOut.prepared.allowedPeers(d, c, protocol, port, sourcePort))
      if (isolated[d][c] === 1) return B.or(admin.allow, innerAllowed)
      const baseline = run(tiers.Baseline[d][c] ?? [], d, c, protocol, port, sourcePort, innerAllowed)
      return B.or(admin.allow, B.and(innerAllowed, B.not(baseline.deny, n)))
    }
    const prepared: Prepared = { allowedPeers }
    return {
      prepared,
      diagnostics: [...innerOut.diagnostics, ...converted.diagnostics, ...tieFindings(cluster, subjectsOf, options.ties)]
    }
  }
})

// -------------------------------------------------------------------------------------
// Calico
// -------------------------------------------------------------------------------------

/** Whether a rule's peer names something Calico's converter cannot convert (`nodes`, `domainNames`). */
const unconvertible = (r: Rule): boolean => [...F.atoms(r.peer).values()].some((a) => a._tag === 'fqdn' || (a._tag === 'label' && a.owner === 'node'))

/** Calico's conversion of cluster network policies' rules (module comment), with a warning per rule. */
export const calicoConversion = (set: PolicySet): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const diagnostics: Array<D.Diagnostic> = []
  const policies = set.policies.map((p) => {
    if (p.origin.dialect !== 'cnp' || !directions.some((d) => (rulesOf(p, d)?.rules ?? []).some(unconvertible))) return p
    const failed = (r: Rule): Rule | undefined => {
      if (!unconvertible(r)) return r
      diagnostics.push(
        D.warning(
          'calico-fails-closed',
          `Calico cannot convert a nodes or domainNames peer: ${r.action === 'allow' ? 'the Accept rule is dropped' : `the ${r.action === 'deny' ? 'Deny' : 'Pass'} rule becomes a Deny of all traffic`} (${qualifiedName(p.origin)})`,
          r.location
        )
      )
      return r.action === 'allow' ? undefined : { ...r, action: 'deny', peer: F.tt, ports: P.all }
    }
    const dir = (d: Direction) => {
      const dr = rulesOf(p, d)
      return dr === undefined ? undefined : { ...dr, rules: dr.rules.flatMap((r) => failed(r) ?? []) }
    }
    return { ...mapRules(p, (r) => r), ingress: dir('ingress'), egress: dir('egress') }
  })
  return { set: { ...set, policies }, diagnostics }
}

export const calicoClusterTiers = (calico: Model): Model => ({
  name: calico.name,
  prepare: (set, classes, inventory) => {
    const converted = calicoConversion(set)
    const out = calico.prepare(converted.set, classes, inventory)
    return { prepared: out.prepared, diagnostics: [...converted.diagnostics, ...out.diagnostics] }
  }
})
