/**
 * The `cilium` model: how the Cilium agent enforces CiliumNetworkPolicies, CiliumClusterwide-
 * NetworkPolicies and Kubernetes NetworkPolicies together (DESIGN.md §4 "cilium";
 * research/cilium.md §3–§6), with the agent's defaults (`enable-policy=default`,
 * `enable-non-default-deny-policies=true`, `allow-localhost=always`, `policy-cidr-match-mode` unset).
 *
 * For one endpoint and one direction (ingress at the destination, egress at the source), §4.1–§4.2:
 *
 * - the policies that apply are those whose scoped subject selects the endpoint and that govern the
 *   direction (the IR direction is defined); none ⇒ everything is allowed;
 * - the direction is default-deny iff some applying policy's direction has `defaultDeny` ("any one
 *   rule asking for default-deny wins"; deny-only policies count);
 * - a connection whose peer and port match some `deny` rule is dropped, whatever policy or kind
 *   the rule comes from; else one that matches some `allow` rule is allowed; else it is dropped
 *   when the direction is default-deny and allowed otherwise. Rule order plays no part.
 *
 * Subjects (§2.3, §4.7): external addresses are never subjects. Host endpoints (host-network
 * pods, which share their node's identity) are subjects only of host policies, whose subject
 * formula names `kind(host)`; every other policy (endpointSelector, Kubernetes podSelector)
 * selects pods only, even when its subject formula says nothing about kinds.
 *
 * Peers:
 * - `ipIn` matches external addresses only: CIDR rules (and Kubernetes `ipBlock`) never select a
 *   pod or a node, even when the address lies in the range (§4.4, §6);
 * - entities (§3): `all` every endpoint; `world` external addresses; `cluster` pods and host
 *   endpoints; `host` the host endpoints on the subject's own node; `remote-node` the host
 *   endpoints on other nodes (or on no known node); `kube-apiserver`, `health`, `init`, `ingress`,
 *   `unmanaged`, `none` nothing an inventory holds;
 * - `fqdn` matches nothing: the addresses a name resolves to are learnt from DNS answers at run
 *   time (§4.5); a warning says so once per evaluation;
 * - `service` matches the backend pods of the matching Services (selector-less Services have only
 *   backend addresses, which as CIDRs select no pod, §4.9). In `deny` rules it matches nothing:
 *   Cilium expands `toServices` in egress allow rules only (§4.9, source-derived), with a warning.
 *
 * Ingress from the local host (a host endpoint on the destination's node) is always allowed
 * (allow-localhost, §4.7), unless a deny rule matches it (source-derived, UNCONFIRMED at run time).
 * Egress to the host and ingress from remote nodes get no such allowance. An endpoint's node is
 * known only when the inventory says (`spec.nodeName`); without it, no host endpoint is local.
 *
 * Ports: a rule matches the probed (protocol, port) when its port set does (§4.3); named ports
 * resolve on the subject for ingress (§4.10); for egress through one map of the named ports of
 * every pod (Cilium resolves them node-wide, §4.10; the inventory's pods stand for the node's): a
 * name that maps to one (port, protocol) matches that port towards every peer of the rule, a name
 * that maps to several matches nothing (`ErrDuplicateNamedPorts`; per-destination resolution in
 * newer releases is UNCONFIRMED). L7 constraints (`Rule.l7`) do not restrict at L3/L4:
 * an L7 rule allows the connection on its ports and the proxy then judges each request (§4.6), so
 * an L7 allow counts as a plain allow here.
 *
 * Calico constructs have no Cilium meaning: an ordered policy (`ordering` set) or a `pass` rule is
 * a `model-unsupported` error (the policy is then evaluated without its order; a `pass` rule is
 * skipped). `log` rules give no verdict and are ignored. Kubernetes NetworkPolicies are read in
 * Cilium's identity label space (`cilium-identity.ts`). A rule with a local-endpoint constraint
 * (`Rule.local`, read from Calico) applies only to the subjects it holds on.
 */
import * as D from '../diagnostics.js'
import type { ContainerPort, Inventory } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { Direction, Policy, PolicySet, Rule } from '../ir/policy.js'
import { directions, qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import { asCiliumReadsIt } from './cilium-identity.js'
import type { Classes, Endpoint } from './endpoint.js'
import { effectiveNode, evaluator, holds, hostNodes } from './endpoint.js'
import type { Model, Prepared } from './model.js'
import { sourcePeers } from './probes.js'
import { ciliumClusterTiers } from './cilium-cluster-tiers.js'
import { withClusterTiers } from './cluster-tiers.js'

// -------------------------------------------------------------------------------------
// entities and atoms
// -------------------------------------------------------------------------------------

/** Whether a host endpoint is the local host, as seen from where a formula is evaluated. */
type IsLocal = (e: Endpoint) => boolean

/** Entities whose meaning depends on the subject's node. */
const relativeEntities: ReadonlyArray<string> = ['host', 'remote-node']

/** Entities that select nothing an inventory holds (§3). */
const emptyEntities: ReadonlyArray<string> = ['kube-apiserver', 'health', 'init', 'ingress', 'unmanaged', 'none']

/** Every entity this model knows (the CRD enum, plus the Go-only `world-ipv4`/`world-ipv6`). */
export const knownEntities: ReadonlyArray<string> = ['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', ...relativeEntities, ...emptyEntities]

/** An entity on an endpoint (§3); unknown entities select nothing (and are reported). */
export const entityHolds = (entity: string, e: Endpoint, isLocal: IsLocal): boolean => {
  switch (entity) {
    case 'all':
      return true
    case 'world':
      return e.kind === 'world'
    case 'world-ipv4':
      return e.kind === 'world' && e.ip?.family === 4
    case 'world-ipv6':
      return e.kind === 'world' && e.ip?.family === 6
    case 'cluster':
      return e.kind === 'pod' || e.kind === 'host'
    case 'host':
      return e.kind === 'host' && isLocal(e)
    case 'remote-node':
      return e.kind === 'host' && !isLocal(e)
    default:
      return false
  }
}

/** Cilium's reading of the model-specific atoms (module comment); other atoms keep their neutral meaning. */
const ciliumAtom =
  (isLocal: IsLocal) =>
  (a: F.Atom, e: Endpoint): boolean | undefined => {
    switch (a._tag) {
      case 'ipIn':
        return e.kind === 'world' && e.ip !== undefined && C.contains(a.cidrs, e.ip)
      case 'entity':
        return entityHolds(a.entity, e, isLocal)
      case 'fqdn':
        return false
      default:
        return undefined
    }
  }

const mentions = (f: F.Formula, test: (a: F.Atom) => boolean): boolean => [...F.atoms(f).values()].some(test)

const isRelative = (a: F.Atom): boolean => a._tag === 'entity' && relativeEntities.includes(a.entity)

/** Whether a subject formula names host endpoints, making its policy a host policy. */
const selectsHosts = (subject: F.Formula): boolean => mentions(subject, (a) => a._tag === 'kind' && a.kinds.includes('host'))

/** Cilium expands `toServices` in allow rules only (§4.9): in a deny rule a service atom selects nothing. */
const withoutServices = (f: F.Formula): F.Formula => F.mapAtoms(f, (a) => (a._tag === 'service' ? F.ff : a))

// -------------------------------------------------------------------------------------
// diagnostics
// -------------------------------------------------------------------------------------

const rulesOfSet = (set: PolicySet): ReadonlyArray<{ readonly policy: Policy; readonly rule: Rule }> =>
  set.policies.flatMap((policy) => directions.flatMap((d) => (rulesOf(policy, d)?.rules ?? []).map((rule) => ({ policy, rule }))))

/** Findings about the policy set as this model reads it (each kind reported once, at its first rule). */
const findings = (set: PolicySet, inventory: Inventory, classes: Classes): ReadonlyArray<D.Diagnostic> => {
  const out: Array<D.Diagnostic> = []
  const rules = rulesOfSet(set).filter(({ rule }) => rule.action !== 'log')
  for (const p of set.policies)
    if (p.ordering !== undefined)
      out.push(
        D.error(
          'model-unsupported',
          `the cilium model has no policy order; ${qualifiedName(p.origin)} is ordered (tier ${p.ordering.tier}, order ${p.ordering.order ?? 'none'}), which Cilium cannot express: evaluated as if unordered (evaluate it with --cni calico)`,
          p.origin.location
        )
      )
  for (const { policy, rule } of rules)
    if (rule.action === 'pass')
      out.push(
        D.error('model-unsupported', `the cilium model has allow and deny rules only; ${qualifiedName(policy.origin)} has a pass rule, skipped (evaluate it with --cni calico)`, rule.location)
      )
  const fqdns = rules.filter(({ rule }) => mentions(rule.peer, (a) => a._tag === 'fqdn'))
  const firstFqdn = fqdns[0]
  if (firstFqdn !== undefined)
    out.push(
      D.warning(
        'fqdn-unresolved',
        `${fqdns.length} rule(s) select peers by DNS name (first in ${qualifiedName(firstFqdn.policy.origin)}); Cilium learns their addresses from DNS answers at run time, so the cilium model lets them match no endpoint (https://docs.cilium.io/en/stable/security/policy/language/, "DNS based")`,
        firstFqdn.rule.location
      )
    )
  const unknown = new Map<string, Rule>()
  for (const { rule } of rules)
    for (const a of F.atoms(rule.peer).values()) if (a._tag === 'entity' && !knownEntities.includes(a.entity) && !unknown.has(a.entity)) unknown.set(a.entity, rule)
  for (const [name, rule] of [...unknown].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    out.push(D.warning('unknown-entity', `Cilium has no entity "${name}"; the cilium model lets it match no endpoint`, rule.location))
  const denyServices = rules.find(({ rule }) => rule.action === 'deny' && mentions(rule.peer, (a) => a._tag === 'service'))
  if (denyServices !== undefined)
    out.push(
      D.warning(
        'deny-to-services',
        `${qualifiedName(denyServices.policy.origin)} denies by Service; Cilium expands toServices in allow rules only, so the cilium model lets a Service match nothing in a deny rule (https://docs.cilium.io/en/stable/security/policy/language/, "Services based")`,
        denyServices.rule.location
      )
    )
  const unmatched = new Map<string, { readonly atom: F.Service; readonly rule: Rule }>()
  for (const { rule } of rules.filter(({ rule }) => rule.action === 'allow'))
    for (const a of F.atoms(rule.peer).values())
      if (a._tag === 'service' && !unmatched.has(F.key(a)) && !classes.representatives.some((e) => holds(a, e, inventory)))
        unmatched.set(F.key(a), { atom: a, rule })
  for (const { atom, rule } of [...unmatched.values()].sort((x, y) => F.compare(x.atom, y.atom)))
    out.push(
      D.warning(
        'service-without-backends',
        `${F.show(atom)} selects no backend pod in the inventory, so the cilium model lets it match nothing; some Cilium versions treat a toServices rule with toPorts and no matching Service as a wildcard peer (https://docs.cilium.io/en/stable/security/policy/language/, "Services based"; not confirmed for every version)`,
        rule.location
      )
    )
  return out
}

/** A warning when host endpoints exist but some endpoint's node is unknown: its local host cannot be told. */
const nodeFindings = (classes: Classes): ReadonlyArray<D.Diagnostic> => {
  if (!classes.endpoints.some((e) => e.kind === 'host')) return []
  const unknown = classes.endpoints.filter((e) => (e.kind === 'pod' || e.kind === 'host') && e.node === undefined)
  const first = unknown[0]
  if (first === undefined) return []
  return [
    D.warning(
      'unknown-node',
      `${unknown.length} pod(s) (first ${first.id}) have no spec.nodeName; the cilium model treats no host endpoint as their local host (allow-localhost, entity host) and every host endpoint without a node as a remote node`
    )
  ]
}

// -------------------------------------------------------------------------------------
// compilation
// -------------------------------------------------------------------------------------

interface CompiledRule {
  readonly action: 'allow' | 'deny'
  readonly peer: F.Formula
  /** The peers the rule matches, when they do not depend on the subject's node. */
  readonly peers: B.Bitset | undefined
  readonly ports: P.PortSet
  /** Matches every protocol and port: no port test needed. */
  readonly anyPort: boolean
  readonly named: boolean
  /** Source ports (a Calico construct, evaluated as Calico does); undefined: any. */
  readonly sourcePorts: P.PortSet | undefined
  /** Index into the per-probe caches. */
  readonly id: number
  /** The subjects the rule applies to (`Rule.local`); undefined: every subject of its policy. */
  readonly local?: B.Bitset | undefined
}

interface CompiledDirection {
  readonly defaultDeny: boolean
  readonly rules: ReadonlyArray<CompiledRule>
}


const prepare = (given: PolicySet, classes: Classes, inventory: Inventory): { prepared: Prepared; diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const n = classes.representatives.length
  const reps = classes.representatives
  // Kubernetes NetworkPolicies in Cilium's identity label space (cilium-identity.ts)
  const read = asCiliumReadsIt(given)
  const set = read.set
  const diagnostics: Array<D.Diagnostic> = [...read.diagnostics, ...findings(set, inventory, classes), ...nodeFindings(classes)]
  // egress named ports: names every pod that declares them maps to one (port, protocol)
  const byName = new Map<string, Map<string, ContainerPort>>()
  for (const p of inventory.pods)
    if (!p.hostNetwork)
      for (const cp of p.ports) if (cp.name !== undefined) byName.set(cp.name, (byName.get(cp.name) ?? new Map()).set(`${cp.protocol}/${cp.port}`, cp))
  const egressNames: ReadonlyArray<ContainerPort> = [...byName.values()].flatMap((m) => (m.size === 1 ? [...m.values()] : []))
  const ambiguous = [...byName.entries()].filter(([, m]) => m.size > 1).map(([name]) => name)
  for (const p of set.policies)
    for (const r of p.egress?.rules ?? [])
      for (const nm of r.ports.named)
        if (ambiguous.includes(nm.name))
          diagnostics.push(
            D.warning(
              'ambiguous-named-port',
              `egress named port "${nm.name}" maps to several ports among the inventory's pods; Cilium resolves egress port names through one node-wide map and such a rule allows nothing on it (cilium pkg/types/portmap.go, ErrDuplicateNamedPorts; cilium/cilium#24779)`,
              r.location
            )
          )

  // nodes: only those running a host endpoint tell local from remote (endpoint.ts classify)
  const hosts = hostNodes(classes.endpoints)
  const nodeOf = reps.map((e) => effectiveNode(e, hosts))
  const hasHosts = reps.some((e) => e.kind === 'host')

  // evaluators: subjects see themselves as their local host; peers of a node-independent rule
  // never meet a relative entity (see `relative` below); peers of a relative rule are evaluated
  // per subject node
  const subjectEv = evaluator(classes, inventory, ciliumAtom((e) => e.kind === 'host'))
  const peerEv = evaluator(classes, inventory, ciliumAtom(() => false))
  const nodeEvs = new Map<string, (f: F.Formula) => B.Bitset>()
  const evAt = (node: string | undefined): ((f: F.Formula) => B.Bitset) => {
    if (node === undefined) return peerEv
    const hit = nodeEvs.get(node)
    if (hit !== undefined) return hit
    const ev = evaluator(classes, inventory, ciliumAtom((e) => effectiveNode(e, hosts) === node))
    nodeEvs.set(node, ev)
    return ev
  }

  // which classes can be subjects: pods of every policy, host endpoints of host policies only
  const pods = B.make(n)
  const podsAndHosts = B.make(n)
  reps.forEach((e, c) => {
    if (e.kind === 'pod') B.set(pods, c)
    if (e.kind === 'pod' || e.kind === 'host') B.set(podsAndHosts, c)
  })

  let ruleCount = 0
  const compile = (d: Direction, p: Policy): CompiledDirection | undefined => {
    const dr = rulesOf(p, d)
    if (dr === undefined) return undefined
    const rules = dr.rules.flatMap((r): ReadonlyArray<CompiledRule> => {
      if (r.action !== 'allow' && r.action !== 'deny') return [] // log: no verdict; pass: reported
      // r.l7 is deliberately ignored: an L7 rule allows at L3/L4 (module comment)
      const peer = r.action === 'deny' ? withoutServices(r.peer) : r.peer
      const relative = hasHosts && mentions(peer, isRelative)
      return [
        {
          action: r.action,
          peer,
          peers: relative ? undefined : peerEv(peer),
          ports: r.ports,
          anyPort: P.isAll(r.ports),
          named: r.ports.named.length > 0,
          sourcePorts: r.sourcePorts,
          id: ruleCount++,
          local: r.local === undefined ? undefined : subjectEv(r.local)
        }
      ]
    })
    return { defaultDeny: dr.defaultDeny, rules }
  }

  const compiled: Array<CompiledDirection> = []
  const applying: Record<Direction, Array<Array<number>>> = {
    ingress: Array.from({ length: n }, () => []),
    egress: Array.from({ length: n }, () => [])
  }
  const isolated: Record<Direction, Uint8Array> = { ingress: new Uint8Array(n), egress: new Uint8Array(n) }
  for (const p of set.policies) {
    const governs = directions.filter((d) => rulesOf(p, d) !== undefined)
    if (governs.length === 0) continue
    const subject = scopedSubject(p)
    const subjects = B.and(subjectEv(subject), selectsHosts(subject) ? podsAndHosts : pods)
    if (B.isEmpty(subjects)) continue
    for (const d of governs) {
      const cd = compile(d, p)
      if (cd === undefined) continue
      const index = compiled.length
      compiled.push(cd)
      B.forEach(subjects, (c) => {
        applying[d][c]?.push(index)
        if (cd.defaultDeny) isolated[d][c] = 1
      })
    }
  }

  // peers of relative rules, per subject node
  const relativePeers = new Map<string, B.Bitset>()
  const peersOf = (r: CompiledRule, node: string | undefined): B.Bitset => {
    if (r.peers !== undefined) return r.peers
    const k = `${r.id}\u0000${node ?? ''}`
    const hit = relativePeers.get(k)
    if (hit !== undefined) return hit
    const b = evAt(node)(r.peer)
    relativePeers.set(k, b)
    return b
  }

  // the local host of each node: its host endpoints (allow-localhost)
  const localHosts = new Map<string, B.Bitset>()
  reps.forEach((e, c) => {
    const node = nodeOf[c]
    if (e.kind !== 'host' || node === undefined) return
    const b = localHosts.get(node) ?? B.make(n)
    B.set(b, c)
    localHosts.set(node, b)
  })

  // per-probe caches: whether a rule's numeric ports match
  let probe = -1
  const portMatch = new Int8Array(ruleCount) // 0 unknown, 1 match, 2 no match
  const setProbe = (protocol: number, port: number): void => {
    const k = protocol * 0x10000 + port
    if (k === probe) return
    probe = k
    portMatch.fill(0)
  }
  const numericMatch = (r: CompiledRule, protocol: number, port: number): boolean => {
    let m = portMatch[r.id] ?? 0
    if (m === 0) {
      m = P.matches(r.ports, protocol, port, []) ? 1 : 2
      portMatch[r.id] = m
    }
    return m === 1
  }

  /** The peers a rule matches on the probe, for subject class `c`. */
  const matched = (r: CompiledRule, d: Direction, c: number, protocol: number, port: number): B.Bitset | undefined => {
    if (r.anyPort || numericMatch(r, protocol, port)) return peersOf(r, nodeOf[c])
    if (!r.named) return undefined
    if (d === 'ingress') {
      // ingress: named ports resolve on the subject (the destination)
      return P.matches(r.ports, protocol, port, reps[c]?.ports ?? []) ? peersOf(r, nodeOf[c]) : undefined
    }
    // egress: named ports resolve through the one map of every pod's named ports
    return P.matches(r.ports, protocol, port, egressNames) ? peersOf(r, nodeOf[c]) : undefined
  }

  const all = B.full(n)
  const allowedPeers = (d: Direction, c: number, protocol: number, port: number, sourcePort?: number): B.Bitset => {
    const list = applying[d][c] ?? []
    if (list.length === 0) return all
    setProbe(protocol, port)
    const allowed = isolated[d][c] === 1 ? B.make(n) : B.full(n)
    const denied = B.make(n)
    for (const index of list)
      for (const r of compiled[index]?.rules ?? []) {
        if (r.local !== undefined && !B.has(r.local, c)) continue
        const m = matched(r, d, c, protocol, port)
        if (m === undefined) continue
        const sources = sourcePeers(r.sourcePorts, d, protocol, sourcePort, reps[c], reps)
        if (sources === false) continue
        B.orInto(r.action === 'allow' ? allowed : denied, sources === true ? m : B.and(m, sources))
      }
    if (d === 'ingress') {
      // allow-localhost: the subject's own node may always connect in (deny still wins)
      const node = nodeOf[c]
      const local = node === undefined ? undefined : localHosts.get(node)
      if (local !== undefined) B.orInto(allowed, local)
    }
    for (let i = 0; i < allowed.length; i++) allowed[i] = (allowed[i] ?? 0) & ~(denied[i] ?? 0)
    return allowed
  }
  return { prepared: { allowedPeers }, diagnostics }
}

/** With Cilium 1.20's cluster network policy tiers (`cilium-cluster-tiers.ts`). */
export const cilium: Model = withClusterTiers({ name: 'cilium', prepare }, ciliumClusterTiers)
