/**
 * Oracle: Kubernetes cluster network policy as the network-policy-api documentation defines it
 * (kubernetes-sigs/network-policy-api `site-src/api-overview.md`, the field documentation of
 * `apis/v1alpha2/clusternetworkpolicy_types.go` and of the v1alpha1 AdminNetworkPolicy /
 * BaselineAdminNetworkPolicy types), together with the Kubernetes NetworkPolicies of the input
 * (`k8s.ts`), evaluated straight on the raw YAML objects.
 *
 * - Per direction, for a subject that is a pod not on the host network: the Admin tier
 *   (ClusterNetworkPolicy `tier: Admin`, AdminNetworkPolicy) by ascending `priority` (ties: by
 *   name), each policy's rules in order; the first rule whose peer and port match decides: Accept
 *   (Allow) allows, Deny denies, Pass leaves the Admin tier. A policy without rules in the
 *   direction takes no part.
 * - Then, if some NetworkPolicy selects the subject for the direction, its verdict is final.
 * - Then the Baseline tier (`tier: Baseline`, BaselineAdminNetworkPolicy) the same way; nothing
 *   decided (or Pass) allows. Selecting a pod never isolates it by itself.
 * - A subject that is not such a pod (a host-network pod, an address) has only the NetworkPolicy
 *   verdict.
 * - Peers: `namespaces` = pods (not on the host network) of matching namespaces; `pods` = those
 *   with matching labels (absent `namespaceSelector` = every namespace); `networks` = any address
 *   in a CIDR, pods' included; `nodes` = addresses of matching nodes, i.e. the host-network pods on
 *   them; `domainNames` = names resolved at run time, nothing in an inventory.
 * - Ports: no `protocols`/`ports` = everything (ICMP too); `tcp`/`udp`/`sctp` `destinationPort`
 *   number or range; v1alpha1 `portNumber` / `portRange` (protocol default TCP); a named port
 *   matches a destination pod (not on the host network) with a container port of that name, its
 *   number and protocol.
 */
import type { Inventory } from '../../src/cluster/inventory.js'
import type { Obj, Peer, Protocol } from './inventory.js'
import { fromLabels, inCidr, isKnp, items, knpPolicyTypes, kindOf, meta, nsLabels, obj, peerIp, sameProtocol, selectorMatches, str, strings, tableOf } from './inventory.js'
import type { Direction } from './k8s.js'
import { verdict as knpVerdict } from './k8s.js'

type Tier = 'Admin' | 'Baseline'

const isPod = (p: Peer): boolean => p._tag === 'pod' && !p.pod.hostNetwork

const tierOf = (v: unknown): Tier | undefined => {
  const { apiVersion, kind } = kindOf(v)
  if (!apiVersion.startsWith('policy.networking.k8s.io/')) return undefined
  if (kind === 'ClusterNetworkPolicy') return str(obj(obj(v).spec).tier) === 'Baseline' ? 'Baseline' : 'Admin'
  if (kind === 'AdminNetworkPolicy') return 'Admin'
  if (kind === 'BaselineAdminNetworkPolicy') return 'Baseline'
  return undefined
}

const priorityOf = (v: unknown): number => {
  const p = obj(obj(v).spec).priority
  return typeof p === 'number' ? p : 0
}

const nameOf = (v: unknown): string => str(meta(v).name) ?? ''

const subjectSelects = (policy: unknown, inv: Inventory, s: Peer): boolean => {
  if (s._tag !== 'pod' || s.pod.hostNetwork) return false
  const subject = obj(obj(obj(policy).spec).subject)
  const nsOk = (sel: unknown): boolean => sel === undefined || selectorMatches(sel, fromLabels(nsLabels(inv, s.pod.namespace)))
  if (subject.namespaces !== undefined) return nsOk(subject.namespaces)
  const pods = obj(subject.pods)
  return nsOk(pods.namespaceSelector) && selectorMatches(pods.podSelector, fromLabels(s.pod.labels))
}

const peerMatches = (peer: Obj, inv: Inventory, p: Peer): boolean => {
  if (peer.namespaces !== undefined) return isPod(p) && p._tag === 'pod' && selectorMatches(peer.namespaces, fromLabels(nsLabels(inv, p.pod.namespace)))
  if (peer.pods !== undefined) {
    const pods = obj(peer.pods)
    return (
      isPod(p) &&
      p._tag === 'pod' &&
      (pods.namespaceSelector === undefined || selectorMatches(pods.namespaceSelector, fromLabels(nsLabels(inv, p.pod.namespace)))) &&
      selectorMatches(pods.podSelector, fromLabels(p.pod.labels))
    )
  }
  if (peer.networks !== undefined) return strings(peer.networks).some((c) => inCidr(peerIp(p), c))
  if (peer.nodes !== undefined) {
    if (p._tag !== 'pod' || !p.pod.hostNetwork || p.pod.node === undefined) return false
    const node = inv.nodes.find((n) => n.name === (p._tag === 'pod' ? p.pod.node : undefined))
    return node !== undefined && selectorMatches(peer.nodes, fromLabels(node.labels))
  }
  return false
}

const inRange = (port: number, lo: number, hi: number): boolean => port >= lo && port <= hi

const namedMatches = (name: string, dest: Peer, protocol: Protocol, port: number): boolean =>
  isPod(dest) && dest._tag === 'pod' && dest.pod.ports.some((cp) => cp.name === name && cp.port === port && sameProtocol(cp.protocol, protocol))

/** One v1alpha2 `protocols` entry or v1alpha1 `ports` entry. */
const entryMatches = (e: Obj, dest: Peer, protocol: Protocol, port: number): boolean => {
  for (const [k, proto] of [['tcp', 'TCP'], ['udp', 'UDP'], ['sctp', 'SCTP']] as const) {
    if (e[k] === undefined) continue
    if (protocol !== proto) return false
    const dp = obj(obj(e[k]).destinationPort)
    if (typeof dp.number === 'number') return port === dp.number
    const r = obj(dp.range)
    return inRange(port, typeof r.start === 'number' ? r.start : 0, typeof r.end === 'number' ? r.end : -1)
  }
  const named = str(e.destinationNamedPort) ?? str(e.namedPort)
  if (named !== undefined) return namedMatches(named, dest, protocol, port)
  if (e.portNumber !== undefined) {
    const pn = obj(e.portNumber)
    return (str(pn.protocol) ?? 'TCP') === protocol && pn.port === port
  }
  if (e.portRange !== undefined) {
    const pr = obj(e.portRange)
    return (str(pr.protocol) ?? 'TCP') === protocol && inRange(port, typeof pr.start === 'number' ? pr.start : 0, typeof pr.end === 'number' ? pr.end : -1)
  }
  return false
}

type Outcome = 'accept' | 'deny' | 'pass' | 'none'

/** First match over one tier's policies selecting the subject. */
const tierOutcome = (policies: ReadonlyArray<unknown>, tier: Tier, inv: Inventory, d: Direction, subject: Peer, peer: Peer, protocol: Protocol, port: number): Outcome => {
  const key = d === 'Ingress' ? 'ingress' : 'egress'
  const applying = policies
    .filter((p) => tierOf(p) === tier && items(obj(obj(p).spec)[key]).length > 0 && subjectSelects(p, inv, subject))
    .sort((a, b) => priorityOf(a) - priorityOf(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0))
  const dest = d === 'Ingress' ? subject : peer
  for (const p of applying)
    for (const r of items(obj(obj(p).spec)[key])) {
      const rule = obj(r)
      const peers = items(d === 'Ingress' ? rule.from : rule.to)
      const ports = rule.protocols !== undefined ? items(rule.protocols) : rule.ports !== undefined ? items(rule.ports) : undefined
      const peerOk = peers.some((x) => peerMatches(obj(x), inv, peer))
      const portOk = ports === undefined || ports.some((x) => entryMatches(obj(x), dest, protocol, port))
      if (!peerOk || !portOk) continue
      const action = str(rule.action)
      return action === 'Deny' ? 'deny' : action === 'Pass' ? 'pass' : 'accept'
    }
  return 'none'
}

const npSelects = (policies: ReadonlyArray<unknown>, d: Direction, subject: Peer): boolean =>
  subject._tag === 'pod' &&
  !subject.pod.hostNetwork &&
  policies.some(
    (p) =>
      isKnp(p) &&
      str(meta(p).namespace ?? 'default') === subject.pod.namespace &&
      selectorMatches(obj(obj(p).spec).podSelector, fromLabels(subject.pod.labels)) &&
      knpPolicyTypes(obj(obj(p).spec)).includes(d)
  )

const verdict = (policies: ReadonlyArray<unknown>, inv: Inventory, d: Direction, subject: Peer, peer: Peer, protocol: Protocol, port: number): boolean => {
  const np = (): boolean => knpVerdict(policies, inv, d, subject, peer, protocol, port)
  if (!isPod(subject)) return np()
  const admin = tierOutcome(policies, 'Admin', inv, d, subject, peer, protocol, port)
  if (admin === 'accept') return true
  if (admin === 'deny') return false
  if (npSelects(policies, d, subject)) return np()
  return tierOutcome(policies, 'Baseline', inv, d, subject, peer, protocol, port) !== 'deny'
}

export const allowed = (policies: ReadonlyArray<unknown>, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number): boolean =>
  verdict(policies, inv, 'Egress', from, to, protocol, port) && verdict(policies, inv, 'Ingress', to, from, protocol, port)

export const table = tableOf(allowed)
