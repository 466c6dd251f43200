/**
 * IR → policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (or, with `version: 'v1alpha1'`,
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy), the inverse of `parse.ts` (`ir-mapping.md`).
 *
 * Only policies in a cluster tier (`kube-admin` → Admin, `kube-baseline` → Baseline) are written;
 * the pipeline hands every other policy to the dialect that keeps it (a NetworkPolicy stays a
 * NetworkPolicy). Per policy:
 *
 * - priority = the IR order when it is an integer in 0–1000, else the policies of the tier are
 *   renumbered keeping their relative order and ties (reported exact when the order survives);
 * - a subject that is a disjunction becomes one policy per disjunct, at the same priority with
 *   the same rules (the copies agree wherever they overlap, so the tie between them is harmless);
 * - rules keep their order; a peer formula becomes one peer per DNF conjunction: pods (by
 *   namespace and pod labels, namespace names as `kubernetes.io/metadata.name`), `networks` (an
 *   address set as the fewest prefixes), `nodes` (host endpoints by node labels), `domainNames`;
 *   a rule matching every peer is `namespaces: {}` for ingress (pods only: a CNP ingress rule cannot
 *   match anything else) and `networks: [0.0.0.0/0, ::/0]` for egress;
 * - lists longer than the CRD allows (25 peers, protocols or CIDRs) are split over consecutive
 *   rules of the same action, which first-match evaluation treats as their union;
 * - whatever the API cannot say (ICMP and other protocols, L7, service accounts, Cilium entities,
 *   address peers in ingress, implicit isolation) is reported with its fidelity and a comment.
 */
import * as D from '../../src/diagnostics.js'
import * as C from '../../src/ir/cidr.js'
import type { ClusterTier } from '../../src/ir/cluster-tiers.js'
import { clusterTierOf } from '../../src/ir/cluster-tiers.js'
import * as F from '../../src/ir/formula.js'
import type { Action, Direction, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import { qualifiedName } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { Comment, EmitOptions, EmitOutput, Emitted, KubeObject } from '../dialect.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type Obj = Readonly<Record<string, unknown>>

interface Requirement {
  readonly key: string
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  readonly values?: ReadonlyArray<string>
}

interface Problem {
  readonly fidelity: D.Fidelity
  readonly code: string
  readonly message: string
}

const isProblem = (x: object): x is Problem => 'fidelity' in x && 'code' in x

export type CnpVersion = 'v1alpha2' | 'v1alpha1'

export interface CnpEmitOptions extends EmitOptions {
  readonly version?: CnpVersion
}

/** The namespace-name label the API server sets on every namespace. */
const namespaceNameLabel = 'kubernetes.io/metadata.name'

/** CRD limits of v1alpha2 (v1alpha1 allows 100 rules, peers and ports, 25 CIDRs). */
const maxItems: Readonly<Record<CnpVersion, number>> = { v1alpha2: 25, v1alpha1: 100 }
const maxCidrs = 25

// -------------------------------------------------------------------------------------
// selectors
// -------------------------------------------------------------------------------------

const requirementOf = (l: F.Literal): Requirement | Problem => {
  const a = l.atom
  if (a._tag === 'namespace') return { key: namespaceNameLabel, operator: l.positive ? 'In' : 'NotIn', values: a.names }
  if (a._tag !== 'label') return { fidelity: 'unsupported', code: 'unsupported-selector', message: `cannot write ${F.show(a)} as a label selector` }
  switch (a.test._tag) {
    case 'exists':
      return { key: a.key, operator: l.positive ? 'Exists' : 'DoesNotExist' }
    case 'in':
      return { key: a.key, operator: l.positive ? 'In' : 'NotIn', values: a.test.values }
    default:
      return { fidelity: 'unsupported', code: 'unsupported-selector', message: `a label selector cannot test "${F.show(F.literal(l))}" (no prefix, suffix or substring operators)` }
  }
}

const selectorOf = (reqs: ReadonlyArray<Requirement>): Obj => {
  const matchLabels: Record<string, string> = {}
  const exprs: Array<Requirement> = []
  for (const r of [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0))) {
    const only = r.values?.[0]
    if (r.operator === 'In' && r.values?.length === 1 && only !== undefined && !(r.key in matchLabels)) matchLabels[r.key] = only
    else exprs.push(r)
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(exprs.length > 0 ? { matchExpressions: exprs.map((r) => (r.values === undefined ? { key: r.key, operator: r.operator } : { key: r.key, operator: r.operator, values: r.values })) } : {})
  }
}

/** A conjunction over pods: namespace and pod requirements; undefined when it cannot hold for a pod. */
const podParts = (lits: ReadonlyArray<F.Literal>): { readonly ns: ReadonlyArray<Requirement>; readonly pod: ReadonlyArray<Requirement>; readonly podsOnly: boolean } | Problem | undefined => {
  const ns: Array<Requirement> = []
  const pod: Array<Requirement> = []
  let podsOnly = false
  for (const l of lits) {
    const a = l.atom
    if (a._tag === 'kind') {
      if (a.kinds.includes('pod') !== l.positive) return undefined
      if (l.positive && a.kinds.every((k) => k === 'pod')) podsOnly = true
      continue
    }
    if (a._tag === 'namespace' || (a._tag === 'label' && a.owner === 'namespace')) {
      const r = requirementOf(l)
      if (isProblem(r)) return r
      ns.push(r)
      continue
    }
    if (a._tag === 'label' && a.owner === 'endpoint') {
      const r = requirementOf(l)
      if (isProblem(r)) return r
      pod.push(r)
      continue
    }
    return { fidelity: 'unsupported', code: 'unsupported-selector', message: `a ClusterNetworkPolicy cannot select by "${F.show(F.literal(l))}"` }
  }
  return { ns, pod, podsOnly }
}

// -------------------------------------------------------------------------------------
// peers
// -------------------------------------------------------------------------------------

const everyAddress = ['0.0.0.0/0', '::/0']

const chunks = <A>(xs: ReadonlyArray<A>, n: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n))
  return out
}

/** The wire peers of one conjunction, or the problem that keeps it out. */
const peersOf = (lits: ReadonlyArray<F.Literal>, d: Direction, action: Action): ReadonlyArray<Obj> | Problem => {
  const kept: Problem = { fidelity: action === 'allow' ? 'narrower' : 'broader', code: 'unsupported-peer', message: '' }
  if (lits.length === 0)
    return d === 'egress'
      ? [{ networks: everyAddress }]
      : [{ namespaces: {} }]
  const ip = lits.find((l) => l.atom._tag === 'ipIn')
  if (ip !== undefined) {
    if (d === 'ingress') return { ...kept, message: 'a ClusterNetworkPolicy ingress rule can match pods only, not an address range' }
    if (lits.length > 1) return { ...kept, message: `a networks peer cannot combine an address range with other conditions: "${F.show(F.and(...lits.map(F.literal)))}"` }
    const atom = ip.atom as F.IpIn
    const cidrs = C.toCidrs(ip.positive ? atom.cidrs : C.complement(atom.cidrs))
    return chunks(cidrs, maxCidrs).map((cs) => ({ networks: cs }))
  }
  const fqdns = lits.filter((l) => l.atom._tag === 'fqdn')
  if (fqdns.length > 0) {
    if (d === 'ingress' || lits.length > 1 || !fqdns.every((l) => l.positive)) return { ...kept, message: `cannot write "${F.show(F.and(...lits.map(F.literal)))}" as domainNames` }
    const a = fqdns[0]?.atom as F.Fqdn
    if (a.match === 'pattern' && !/^\*\*\.[^*]+$/.test(a.value) && a.value.includes('*'))
      return { ...kept, message: `the name pattern "${a.value}" has no ClusterNetworkPolicy form (only "*." for one or more leading labels)` }
    return [{ domainNames: [a.match === 'pattern' && a.value.startsWith('**.') ? a.value.slice(1) : a.value] }]
  }
  const nodeLits = lits.filter((l) => l.atom._tag === 'label' && l.atom.owner === 'node')
  if (nodeLits.length > 0) {
    const hostOnly = lits.some((l) => l.positive && l.atom._tag === 'kind' && l.atom.kinds.every((k) => k === 'host'))
    const rest = lits.filter((l) => !nodeLits.includes(l) && !(l.atom._tag === 'kind'))
    if (d === 'ingress' || !hostOnly || rest.length > 0) return { ...kept, message: `cannot write "${F.show(F.and(...lits.map(F.literal)))}" as a nodes peer` }
    const reqs = nodeLits.map(requirementOf)
    const bad = reqs.find(isProblem)
    if (bad !== undefined) return { ...bad, fidelity: kept.fidelity }
    return [{ nodes: selectorOf(reqs as ReadonlyArray<Requirement>) }]
  }
  if (lits.some((l) => l.positive && l.atom._tag === 'kind' && l.atom.kinds.every((k) => k === 'host')) && d === 'egress') {
    const rest = lits.filter((l) => l.atom._tag !== 'kind')
    if (rest.length === 0) return [{ nodes: {} }]
  }
  const parts = podParts(lits)
  if (parts === undefined)
    return F.conjunctionKinds(lits).length === 0
      ? []
      : { ...kept, message: `"${F.show(F.and(...lits.map(F.literal)))}" matches endpoints that are not pods, which a ClusterNetworkPolicy ${d} rule can name only by address` }
  if (isProblem(parts)) return { ...parts, fidelity: kept.fidelity }
  if (!parts.podsOnly) return { ...kept, message: `"${F.show(F.and(...lits.map(F.literal)))}" also matches endpoints that are not pods; a ClusterNetworkPolicy pods or namespaces peer matches pods only` }
  if (parts.pod.length === 0) return [{ namespaces: selectorOf(parts.ns) }]
  return [{ pods: { namespaceSelector: selectorOf(parts.ns), podSelector: selectorOf(parts.pod) } }]
}

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

const portProtocols: ReadonlyArray<readonly [number, 'tcp' | 'udp' | 'sctp']> = [
  [P.TCP, 'tcp'],
  [P.UDP, 'udp'],
  [P.SCTP, 'sctp']
]

/** `undefined`: every protocol and port (no `protocols` field). */
const protocolsOf = (ps: P.PortSet, action: Action, version: CnpVersion): { readonly entries: ReadonlyArray<Obj> | undefined; readonly problems: ReadonlyArray<Problem> } => {
  if (P.isAll(ps)) return { entries: undefined, problems: [] }
  const entries: Array<Obj> = []
  const problems: Array<Problem> = []
  for (const [proto, name] of portProtocols)
    for (const [lo, hi] of P.rangesOf(ps, proto))
      entries.push(
        version === 'v1alpha2'
          ? { [name]: { destinationPort: lo === hi ? { number: lo } : { range: { start: lo, end: hi } } } }
          : lo === hi
            ? { portNumber: { protocol: name.toUpperCase(), port: lo } }
            : { portRange: { protocol: name.toUpperCase(), start: lo, end: hi } }
      )
  for (const n of ps.named) {
    entries.push(version === 'v1alpha2' ? { destinationNamedPort: n.name } : { namedPort: n.name })
    if (n.protocol !== undefined)
      problems.push({
        fidelity: action === 'allow' ? 'broader' : 'narrower',
        code: 'named-port-protocol',
        message: `a ClusterNetworkPolicy named port has no protocol: ${n.name} matches the destination's port of that name whatever its protocol (was ${P.protocolName(n.protocol)} only)`
      })
  }
  const isPortProtocol = (p: number) => portProtocols.some(([q]) => q === p)
  if (ps.rest || ps.listed.some((e) => !isPortProtocol(e.protocol) && e.ports.length > 0))
    problems.push({
      fidelity: action === 'allow' ? 'narrower' : 'broader',
      code: 'unsupported-protocol',
      message: 'a ClusterNetworkPolicy rule with protocols matches only TCP, UDP and SCTP ports; ICMP and every other IP protocol are not carried over'
    })
  return { entries, problems }
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

const wireAction = (a: Action, tier: ClusterTier, version: CnpVersion): string | undefined =>
  a === 'allow' ? (version === 'v1alpha2' ? 'Accept' : 'Allow') : a === 'deny' ? 'Deny' : a === 'pass' ? (version === 'v1alpha1' && tier === 'Baseline' ? undefined : 'Pass') : undefined

interface RulesOut {
  readonly rules: ReadonlyArray<Obj>
  readonly problems: ReadonlyArray<{ readonly index: number | undefined; readonly problem: Problem; readonly rule: Rule }>
}

const rulesOf = (rules: ReadonlyArray<Rule>, d: Direction, tier: ClusterTier, version: CnpVersion): RulesOut => {
  const out: Array<Obj> = []
  const problems: Array<{ index: number | undefined; problem: Problem; rule: Rule }> = []
  const max = maxItems[version]
  for (const r of rules) {
    const here: Array<Problem> = []
    if (r.action === 'log') {
      problems.push({ index: undefined, problem: { fidelity: 'exact', code: 'log-dropped', message: 'a Log rule does not change reachability and has no ClusterNetworkPolicy equivalent; it is left out' }, rule: r })
      continue
    }
    const action = wireAction(r.action, tier, version)
    if (action === undefined) {
      problems.push({
        index: undefined,
        problem: { fidelity: 'unsupported', code: 'unsupported-action', message: 'a BaselineAdminNetworkPolicy has no Pass action; write a v1alpha2 ClusterNetworkPolicy instead' },
        rule: r
      })
      continue
    }
    if (r.l7 !== undefined)
      here.push({ fidelity: r.action === 'allow' ? 'broader' : 'narrower', code: 'l7-dropped', message: `the ${r.l7._tag} constraint is dropped: the rule matches every request on its ports` })
    const ports = protocolsOf(r.ports, r.action, version)
    here.push(...ports.problems)
    const peers: Array<Obj> = []
    if (d === 'ingress' && F.dnf(r.peer).some((c) => c.length === 0))
      here.push({
        fidelity: r.action === 'allow' ? 'narrower' : 'broader',
        code: 'ingress-pods-only',
        message: 'a ClusterNetworkPolicy ingress rule matches pods only: connections from nodes, host-network pods and addresses outside the cluster are not matched'
      })
    for (const c of F.dnf(r.peer)) {
      const p = peersOf(c, d, r.action)
      if (isProblem(p)) here.push(p)
      else peers.push(...p)
    }
    const unique = [...new Map(peers.map((p) => [JSON.stringify(p), p])).values()]
    const emptyPorts = ports.entries !== undefined && ports.entries.length === 0
    const start = out.length
    if (unique.length > 0 && !emptyPorts) {
      const peersKey = d === 'ingress' ? 'from' : 'to'
      const portsKey = version === 'v1alpha2' ? 'protocols' : 'ports'
      for (const ps of chunks(unique, max))
        for (const es of ports.entries === undefined ? [undefined] : chunks(ports.entries, max))
          out.push({ action, [peersKey]: ps, ...(es === undefined ? {} : { [portsKey]: es }) })
    }
    for (const p of here) problems.push({ index: out.length > start ? start : undefined, problem: p, rule: r })
  }
  return { rules: out, problems }
}

// -------------------------------------------------------------------------------------
// policies
// -------------------------------------------------------------------------------------

/** Priorities for the tier's policies: their orders when all are integers 0–1000, else ranks in order (ties kept). */
const priorities = (ps: ReadonlyArray<Policy>): { readonly of: (p: Policy) => number; readonly renumbered: boolean; readonly overflow: boolean } => {
  const orders = ps.map((p) => p.ordering?.order)
  if (orders.every((o) => o !== undefined && Number.isInteger(o) && o >= 0 && o <= 1000)) return { of: (p) => p.ordering?.order ?? 0, renumbered: false, overflow: false }
  const distinct = [...new Set(orders.map((o) => o ?? Infinity))].sort((a, b) => a - b)
  const rank = new Map(distinct.map((o, i) => [o, Math.min(i, 1000)] as const))
  return { of: (p) => rank.get(p.ordering?.order ?? Infinity) ?? 1000, renumbered: true, overflow: distinct.length > 1001 }
}

export const emitCnp = (set: PolicySet, options: CnpEmitOptions): EmitOutput => {
  const version = options.version ?? 'v1alpha2'
  const objects: Array<Emitted> = []
  const diagnostics: Array<D.Diagnostic> = []
  const used = new Set<string>()
  const uniqueName = (name: string): string => {
    let n = name
    for (let i = 2; used.has(n); i++) n = `${name}-${i}`
    used.add(n)
    return n
  }
  const byTier = new Map<ClusterTier, Array<Policy>>()
  for (const p of set.policies) {
    const t = clusterTierOf(p)
    if (t === undefined) {
      diagnostics.push(
        D.loss('unsupported', 'not-cluster-tier', `${p.origin.kind} ${qualifiedName(p.origin)} is in no cluster network policy tier (Admin or Baseline) and is not written as a ClusterNetworkPolicy`, p.origin.location)
      )
      continue
    }
    byTier.set(t, [...(byTier.get(t) ?? []), p])
  }
  for (const tier of ['Admin', 'Baseline'] as const) {
    const ps = byTier.get(tier) ?? []
    const prio = priorities(ps)
    if (prio.renumbered && ps.length > 0)
      diagnostics.push(
        prio.overflow
          ? D.loss('unsupported', 'priority-overflow', `the ${tier} tier has more than 1001 distinct orders; priorities above 1000 collapse`, ps[0]?.origin.location)
          : D.loss('exact', 'priority-renumbered', `orders of the ${tier} tier renumbered to priorities 0–${ps.length - 1} in the same order`, ps[0]?.origin.location)
      )
    if (version === 'v1alpha1' && tier === 'Baseline' && ps.length > 1)
      diagnostics.push(D.loss('unsupported', 'single-baseline', 'only one BaselineAdminNetworkPolicy (named "default") may exist; the others are written under other names and the API server rejects them', ps[1]?.origin.location))
    for (const p of ps) {
      const loc = p.origin.location
      const subjects = F.dnf(p.subject)
      if (subjects.length === 0) {
        diagnostics.push(D.loss('exact', 'empty-subject', `${qualifiedName(p.origin)} selects no endpoint and is left out`, loc))
        continue
      }
      if (p.scope._tag === 'namespace') {
        diagnostics.push(D.loss('unsupported', 'namespaced', `${qualifiedName(p.origin)} is namespaced; a ClusterNetworkPolicy in its tier would be cluster-wide`, loc))
        continue
      }
      for (const conj of subjects) {
        const parts = podParts(conj)
        if (parts === undefined) continue
        if (isProblem(parts)) {
          diagnostics.push(D.loss(parts.fidelity, parts.code, parts.message, loc))
          continue
        }
        const comments: Array<Comment> = []
        const spec: Record<string, unknown> = {}
        if (version === 'v1alpha2') spec.tier = tier
        if (!(version === 'v1alpha1' && tier === 'Baseline')) spec.priority = prio.of(p)
        spec.subject =
          parts.pod.length === 0 && version === 'v1alpha2'
            ? { namespaces: selectorOf(parts.ns) }
            : parts.pod.length === 0
              ? { namespaces: selectorOf(parts.ns) }
              : { pods: { namespaceSelector: selectorOf(parts.ns), podSelector: selectorOf(parts.pod) } }
        if (!parts.podsOnly)
          diagnostics.push(D.loss('exact-for-inventory', 'pods-only-subject', `a ClusterNetworkPolicy applies to pods only (not host-network pods); ${qualifiedName(p.origin)} is written for pods`, loc))
        for (const d of ['ingress', 'egress'] as const) {
          const dr = d === 'ingress' ? p.ingress : p.egress
          if (dr === undefined) continue
          if (dr.defaultDeny)
            diagnostics.push(
              D.loss('broader', 'no-implicit-isolation', `${qualifiedName(p.origin)} isolates its subjects (${d}); a ClusterNetworkPolicy never does by itself, so what its rules leave undecided passes on`, loc)
            )
          const out = rulesOf(dr.rules, d, tier, version)
          const max = maxItems[version]
          if (out.rules.length > max)
            diagnostics.push(D.loss('unsupported', 'too-many-rules', `${out.rules.length} ${d} rules; the CRD allows ${max} per policy`, loc))
          if (out.rules.length > 0) spec[d] = out.rules
          for (const { index, problem, rule } of out.problems) {
            diagnostics.push(D.loss(problem.fidelity, problem.code, problem.message, rule.location ?? loc))
            comments.push({ path: index === undefined ? ['spec', 'subject'] : ['spec', d, index], text: ` netpolx: ${problem.fidelity}: ${problem.message}` })
          }
        }
        const kind = version === 'v1alpha2' ? 'ClusterNetworkPolicy' : tier === 'Admin' ? 'AdminNetworkPolicy' : 'BaselineAdminNetworkPolicy'
        // Calico (≤ v3.31) names a tier's policies `<tier>.<name>`: the prefix of a cluster tier says nothing more here
        const plain = p.origin.dialect === 'calico' ? p.origin.name.replace(/^kube-(admin|baseline)\./, '') : p.origin.name
        const name = uniqueName(version === 'v1alpha1' && tier === 'Baseline' ? 'default' : plain)
        const metadata: Record<string, unknown> = { name }
        if (p.origin.labels !== undefined && Object.keys(p.origin.labels).length > 0) metadata.labels = p.origin.labels
        if (p.origin.annotations !== undefined && Object.keys(p.origin.annotations).length > 0) metadata.annotations = p.origin.annotations
        const object: KubeObject = { apiVersion: `policy.networking.k8s.io/${version}`, kind, metadata, spec }
        objects.push({ object, comments })
      }
    }
  }
  return { objects, diagnostics }
}

export const emit = (set: PolicySet, options: EmitOptions): EmitOutput => emitCnp(set, options)
