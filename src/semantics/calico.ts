/**
 * The `calico` model: Felix's ordered evaluation (research/calico.md §4, §6).
 *
 * For one endpoint and one direction (ingress at the destination, egress at the source):
 *
 * - the policies that apply are those whose scoped subject selects the endpoint and that govern the
 *   direction; unordered policies (Kubernetes NetworkPolicies, `ordering === undefined`) sit in tier
 *   `default` at order 1000, sorted in one list with the Calico policies of that tier;
 * - tiers run by order (absent last), then name; only tiers holding an applying policy are
 *   consulted. Within a tier, policies run by order (absent last), then by the string
 *   `name/namespace/kind` of their origin (a Kubernetes policy's kind being
 *   `KubernetesNetworkPolicy`), as Calico v3.32 and HEAD do; Calico ≤ v3.31 compares
 *   `namespace/name`, so the result of a tie is
 *   version-dependent and translators should never rely on one;
 * - inside a policy the first matching rule decides: `allow` and `deny` are final, `pass` skips the
 *   rest of the tier, `log` gives no verdict and evaluation continues with the next rule; a policy
 *   none of whose rules matches falls through to the next policy;
 * - a tier whose policies applied but neither decided nor passed ends in its default action
 *   (`deny`: the end-of-tier drop; `pass`: on to the next tier);
 * - after every tier has passed (or when none applied) the connection is allowed: the `kns.`
 *   profile of every pod allows everything (§4.4).
 *
 * The IR's `defaultDeny` flag plays no part here: under Calico, isolation comes from the tier's
 * default action alone.
 *
 * A rule with a local-endpoint constraint (`Rule.local`: an ingress rule's `destination`, an egress
 * rule's `source`) applies only to the subjects whose address that formula matches, network sets
 * included, as Felix matches the local side's selector by IP set like the peer's.
 *
 * Rules match on the peer formula and the ports; named ports resolve on the destination (the
 * subject for ingress, the peer for egress). L7 constraints do not restrict: Felix's iptables
 * renderer ignores a rule's `http` match, so at L3/L4 such a rule behaves as a plain allow
 * (research/calico.md §1.5, UNCONFIRMED end to end).
 *
 * Selectors match addresses, not identities (§2): a peer formula also matches a peer whose address
 * lies in a network set on which the formula holds, the network set seen as an endpoint of kind
 * `networkSet` with its labels, its namespace (none for a GlobalNetworkSet), that namespace's
 * labels, and the peer's address (so `ipIn` atoms still test the packet's address).
 * Known limitation: each entity at an address is tested on its own, so a negation `not X` holds
 * when *some* entity at the address fails X; Calico's `notSelector: X` means "*no* entity at this
 * address matches X". The model approximates the latter by "this endpoint does not match X" (or a
 * network set covering it does not match X), which can let through traffic that a `notSelector`
 * excludes through a network set covering the peer's address.
 *
 * Pods on the host network and external addresses are never subjects: they allow everything. As
 * peers, host-network pods are no entity Calico knows (they are not workload endpoints and the input
 * has no HostEndpoints): selectors never match them, `nets` match their (node) address, and a
 * negated selector holds. Ingress from a pod's own node is always allowed (§4.1).
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { Action, Direction, NetworkSet, Policy, PolicySet, Tier } from '../ir/policy.js'
import { directions, qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import type { Classes, Endpoint } from './endpoint.js'
import { evaluator, residentHosts } from './endpoint.js'
import type { Model, Prepared } from './model.js'
import { sourcePeers } from './probes.js'
import { calicoClusterTiers } from './cluster-tiers.js'

// -------------------------------------------------------------------------------------
// ordering
// -------------------------------------------------------------------------------------

/** The tier Calico puts Kubernetes NetworkPolicies (and every unordered policy) in. */
export const defaultTierName = 'default'
/** The order Calico gives a converted Kubernetes NetworkPolicy within the default tier. */
export const kubernetesPolicyOrder = 1000
/** The order of the `default` tier when the input does not declare it. */
export const defaultTierOrder = 1_000_000

interface ResolvedTier {
  readonly name: string
  readonly known: boolean
  readonly order: number
  readonly defaultAction: 'deny' | 'pass'
}

const cmpString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Valid tiers first (an unknown tier cannot be ordered), then order ascending (absent last), then name. */
const compareTiers = (a: ResolvedTier, b: ResolvedTier): number =>
  (a.known === b.known ? 0 : a.known ? -1 : 1) || (a.order === b.order ? 0 : a.order < b.order ? -1 : 1) || cmpString(a.name, b.name)

const tierOf = (p: Policy): string => p.ordering?.tier ?? defaultTierName

const orderOf = (p: Policy): number => (p.ordering === undefined ? kubernetesPolicyOrder : (p.ordering.order ?? Number.POSITIVE_INFINITY))

/** The deterministic tie-break between policies of equal order (see the module comment). */
const tieBreakKey = (p: Policy): string => `${p.origin.name}/${p.origin.namespace ?? ''}/${p.origin.dialect === 'k8s' ? 'KubernetesNetworkPolicy' : p.origin.kind}`

/**
 * The tiers the policies name, sorted, and a warning for each tier a policy names that the set does
 * not declare (other than `default`, which Calico always has).
 */
const resolveTiers = (set: PolicySet): { readonly tiers: ReadonlyArray<ResolvedTier>; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const declared = new Map<string, Tier>()
  for (const t of set.tiers) if (!declared.has(t.name)) declared.set(t.name, t)
  const byName = new Map<string, ResolvedTier>()
  const diagnostics: Array<D.Diagnostic> = []
  for (const p of set.policies) {
    const name = tierOf(p)
    if (byName.has(name)) continue
    const t = declared.get(name)
    if (t !== undefined) byName.set(name, { name, known: true, order: t.order ?? Number.POSITIVE_INFINITY, defaultAction: t.defaultAction })
    else if (name === defaultTierName) byName.set(name, { name, known: true, order: defaultTierOrder, defaultAction: 'deny' })
    else {
      byName.set(name, { name, known: false, order: Number.POSITIVE_INFINITY, defaultAction: 'deny' })
      diagnostics.push(
        D.warning(
          'unknown-tier',
          `tier "${name}" (used by ${qualifiedName(p.origin)}) is not declared; it is evaluated after every declared tier, with default action Deny`,
          p.origin.location
        )
      )
    }
  }
  return { tiers: [...byName.values()].sort(compareTiers), diagnostics }
}

/** Calico's evaluation order of a policy set: tiers in order, each with its policies in order. */
export interface EvaluationOrder {
  readonly tiers: ReadonlyArray<{ readonly name: string; readonly defaultAction: 'deny' | 'pass'; readonly policies: ReadonlyArray<Policy> }>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

export const evaluationOrder = (set: PolicySet): EvaluationOrder => {
  const { tiers, diagnostics } = resolveTiers(set)
  const sorted = [...set.policies].sort(
    (a, b) => (orderOf(a) === orderOf(b) ? 0 : orderOf(a) < orderOf(b) ? -1 : 1) || cmpString(tieBreakKey(a), tieBreakKey(b))
  )
  return {
    tiers: tiers.map((t) => ({ name: t.name, defaultAction: t.defaultAction, policies: sorted.filter((p) => tierOf(p) === t.name) })),
    diagnostics
  }
}

// -------------------------------------------------------------------------------------
// word-wise bit operations (in place)
// -------------------------------------------------------------------------------------

/** out = a & b */
const andTo = (out: B.Bitset, a: B.Bitset, b: B.Bitset): void => {
  for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) & (b[i] ?? 0)
}

/** a &= ~b */
const andNotInto = (a: B.Bitset, b: B.Bitset): void => {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) & ~(b[i] ?? 0)
}


// -------------------------------------------------------------------------------------
// network sets
// -------------------------------------------------------------------------------------

/**
 * The classes a formula matches as a peer: the classes it holds on, plus the classes whose address
 * lies in a network set it holds on (module comment). Memoised per formula.
 */
const peerMatcher = (set: PolicySet, classes: Classes, inventory: Inventory): ((f: F.Formula) => B.Bitset) => {
  const n = classes.representatives.length
  // host-network pods are not workload endpoints (§4.4): with no HostEndpoints in the input, no
  // selector matches them; their traffic is just the node's address
  const ev = evaluator(classes, inventory, (a, e) =>
    e.kind !== 'host' ? undefined : a._tag === 'ipIn' ? undefined : a._tag === 'kind' ? a.kinds.includes('world') : false
  )
  const nsLabels = new Map(inventory.namespaces.map((ns) => [ns.name, ns.labels]))
  // for each network set: the classes whose (representative's) address it contains, and an
  // evaluator over the network set seen as an endpoint at each of those addresses
  const views = set.networkSets.flatMap((ns: NetworkSet) => {
    const members: Array<number> = []
    const endpoints: Array<Endpoint> = []
    classes.representatives.forEach((e, c) => {
      if (e.ip === undefined || !C.contains(ns.cidrs, e.ip)) return
      members.push(c)
      endpoints.push({
        id: ns.namespace === undefined ? ns.name : `${ns.namespace}/${ns.name}`,
        kind: 'networkSet',
        namespace: ns.namespace,
        labels: ns.labels,
        namespaceLabels: ns.namespace === undefined ? undefined : nsLabels.get(ns.namespace),
        serviceAccount: undefined,
        nodeLabels: undefined,
        ip: e.ip,
        ports: []
      })
    })
    if (members.length === 0) return []
    const view: Classes = { endpoints, representatives: endpoints, classOf: Int32Array.from(endpoints, (_, i) => i) }
    return [{ members, ev: evaluator(view, inventory) }]
  })
  if (views.length === 0) return ev
  const memo = new Map<string, B.Bitset>()
  return (f) => {
    const k = F.key(f)
    const hit = memo.get(k)
    if (hit !== undefined) return hit
    const out = B.or(ev(f), B.make(n))
    for (const v of views) {
      const bits = v.ev(f)
      B.forEach(bits, (i) => {
        const c = v.members[i]
        if (c !== undefined) B.set(out, c)
      })
    }
    memo.set(k, out)
    return out
  }
}

/**
 * A warning when endpoints that the classes lump together differ in network-set membership: the
 * classes are then too coarse for this model, which sees only each class's representative.
 */
const checkNetworkSetClasses = (set: PolicySet, classes: Classes): ReadonlyArray<D.Diagnostic> => {
  if (set.networkSets.length === 0) return []
  const signature = (e: Endpoint): string => (e.ip === undefined ? '-' : set.networkSets.map((ns) => (C.contains(ns.cidrs, e.ip as C.Ip) ? '1' : '0')).join(''))
  const repSignature = classes.representatives.map(signature)
  const mixed = classes.endpoints.find((e, i) => signature(e) !== repSignature[classes.classOf[i] ?? 0])
  if (mixed === undefined) return []
  return [
    D.warning(
      'coarse-classes',
      `endpoint ${mixed.id} shares its class with an endpoint in different network sets; the calico model evaluates network sets per class, so its verdicts for such endpoints may be wrong (classes should be split by network-set addresses)`
    )
  ]
}

// -------------------------------------------------------------------------------------
// compilation
// -------------------------------------------------------------------------------------

interface CompiledRule {
  /** `log` rules are dropped at compile time: they never give a verdict. */
  readonly action: Exclude<Action, 'log'>
  readonly peers: B.Bitset
  readonly ports: P.PortSet
  /** Matches every protocol and port: no port test needed. */
  readonly anyPort: boolean
  readonly named: boolean
  /** Source ports (Calico `source.ports` / `source.notPorts`); undefined: any. */
  readonly sourcePorts: P.PortSet | undefined
  /** Index into the per-probe caches. */
  readonly id: number
  /** The subjects the rule applies to (`Rule.local`, matched by address like a peer); undefined: all. */
  readonly local?: B.Bitset | undefined
}

interface CompiledPolicy {
  readonly tier: number
  readonly ingress: ReadonlyArray<CompiledRule>
  readonly egress: ReadonlyArray<CompiledRule>
}

const prepare = (set: PolicySet, classes: Classes, inventory: Inventory): { prepared: Prepared; diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const n = classes.representatives.length
  const reps = classes.representatives
  const { tiers, diagnostics: tierDiagnostics } = resolveTiers(set)
  const diagnostics: Array<D.Diagnostic> = [...tierDiagnostics, ...checkNetworkSetClasses(set, classes)]
  const tierIndex = new Map(tiers.map((t, i) => [t.name, i]))

  // policies in evaluation order: tier, order, tie-break
  const sorted = set.policies
    .map((p) => ({ p, tier: tierIndex.get(tierOf(p)) ?? tiers.length, order: orderOf(p), key: tieBreakKey(p) }))
    .sort((a, b) => a.tier - b.tier || (a.order === b.order ? 0 : a.order < b.order ? -1 : 1) || cmpString(a.key, b.key))

  const subjectsOf = evaluator(classes, inventory)
  const peersOf = peerMatcher(set, classes, inventory)
  let ruleCount = 0
  const compile = (p: Policy, d: Direction): ReadonlyArray<CompiledRule> =>
    (rulesOf(p, d)?.rules ?? []).flatMap((r) => {
      if (r.action === 'log') return []
      // r.l7 is deliberately ignored: Felix enforces an L7 (http) rule as a plain L3/L4 allow
      const named = r.ports.named.length > 0
      // a local-endpoint constraint is matched on the subject's address like a peer (Rule.local)
      const local = r.local === undefined ? undefined : peersOf(r.local)
      return [{ action: r.action, peers: peersOf(r.peer), ports: r.ports, anyPort: P.isAll(r.ports), named, sourcePorts: r.sourcePorts, id: ruleCount++, local }]
    })

  // evaluable subjects: pods only (host-network pods and external addresses are never selected)
  const selectable = B.make(n)
  reps.forEach((e, c) => {
    if (e.kind === 'pod') B.set(selectable, c)
  })

  const compiled: Array<CompiledPolicy> = []
  const applying: Record<Direction, Array<Array<number>>> = {
    ingress: Array.from({ length: n }, () => []),
    egress: Array.from({ length: n }, () => [])
  }
  for (const { p, tier } of sorted) {
    const governs = directions.filter((d) => rulesOf(p, d) !== undefined)
    if (governs.length === 0) continue
    const subjects = B.and(subjectsOf(scopedSubject(p)), selectable)
    if (B.isEmpty(subjects)) continue
    const index = compiled.length
    compiled.push({ tier, ingress: compile(p, 'ingress'), egress: compile(p, 'egress') })
    for (const d of governs) B.forEach(subjects, (c) => applying[d][c]?.push(index))
  }

  // per-probe caches: whether a rule's numeric ports match, and for egress rules with named
  // ports the peers on which they resolve to the probed port
  let probe = -1
  const portMatch = new Int8Array(ruleCount) // 0 unknown, 1 match, 2 no match
  const namedPeers: Array<B.Bitset | undefined> = new Array<B.Bitset | undefined>(ruleCount)
  const setProbe = (protocol: number, port: number): void => {
    const k = protocol * 0x10000 + port
    if (k === probe) return
    probe = k
    portMatch.fill(0)
    namedPeers.fill(undefined)
  }
  const numericMatch = (r: CompiledRule, protocol: number, port: number): boolean => {
    let m = portMatch[r.id] ?? 0
    if (m === 0) {
      m = P.matches(r.ports, protocol, port, []) ? 1 : 2
      portMatch[r.id] = m
    }
    return m === 1
  }
  const egressNamedPeers = (r: CompiledRule, protocol: number, port: number): B.Bitset => {
    const hit = namedPeers[r.id]
    if (hit !== undefined) return hit
    const b = B.make(n)
    B.forEach(r.peers, (j) => {
      // host-network pods are no workload endpoint: their container ports name nothing (§4.4)
      const peer = reps[j]
      if (peer !== undefined && peer.kind !== 'host' && P.matches(r.ports, protocol, port, peer.ports)) B.set(b, j)
    })
    namedPeers[r.id] = b
    return b
  }

  const all = B.full(n)
  const resident = residentHosts(classes)
  // named source ports resolve on the source's workload endpoint; host-network pods name nothing (§4.4)
  const calicoPorts = (e: Endpoint): ReadonlyArray<P.DestinationPort> => (e.kind === 'host' ? [] : e.ports)
  const allowedPeers = (d: Direction, c: number, protocol: number, port: number, sourcePort?: number): B.Bitset => {
    const list = applying[d][c] ?? []
    if (list.length === 0) return all
    setProbe(protocol, port)
    const subject = reps[c]
    const allowed = B.make(n)
    // traffic from a host to its own local workloads is always allowed (§4.1)
    const local = d === 'ingress' ? resident[c] : undefined
    if (local !== undefined) B.orInto(allowed, local)
    const undecided = B.full(n)
    const active = B.make(n) // undecided and not passed in the current tier
    const m = B.make(n)
    let i = 0
    while (i < list.length) {
      const tier = compiled[list[i] ?? 0]?.tier ?? 0
      active.set(undecided)
      let live = true
      for (; i < list.length; i++) {
        const cp = compiled[list[i] ?? 0]
        if (cp === undefined || cp.tier !== tier) break
        if (!live) continue
        for (const r of d === 'ingress' ? cp.ingress : cp.egress) {
          if (r.local !== undefined && !B.has(r.local, c)) continue
          if (r.anyPort) andTo(m, r.peers, active)
          else if (numericMatch(r, protocol, port)) andTo(m, r.peers, active)
          else if (!r.named) continue
          else if (d === 'ingress') {
            // ingress: named ports resolve on the subject (the destination)
            if (!P.matches(r.ports, protocol, port, subject?.ports ?? [])) continue
            andTo(m, r.peers, active)
          } else {
            // egress: named ports resolve on each destination peer
            andTo(m, egressNamedPeers(r, protocol, port), active)
          }
          if (r.sourcePorts !== undefined) {
            // Felix matches source ports beside the rest of the rule (every match criterion of a Calico rule must hold: https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, 'Rule')
            const sources = sourcePeers(r.sourcePorts, d, protocol, sourcePort, subject, reps, calicoPorts)
            if (sources === false) continue
            if (sources !== true) andTo(m, m, sources)
          }
          if (B.isEmpty(m)) continue
          andNotInto(active, m)
          if (r.action === 'allow') {
            B.orInto(allowed, m)
            andNotInto(undecided, m)
          } else if (r.action === 'deny') andNotInto(undecided, m)
          // pass: leaves `undecided` alone; the peers skip the rest of this tier
          if (B.isEmpty(active)) {
            live = false
            break
          }
        }
      }
      // end of tier: what no policy decided or passed meets the tier's default action
      if (live && tiers[tier]?.defaultAction !== 'pass') andNotInto(undecided, active)
      if (B.isEmpty(undecided)) return allowed
    }
    // every applying tier passed: the namespace profile allows
    B.orInto(allowed, undecided)
    return allowed
  }
  return { prepared: { allowedPeers }, diagnostics }
}

/** With Calico's conversion of cluster network policies (`cluster-tiers.ts`). */
export const calico: Model = calicoClusterTiers({ name: 'calico', prepare })
