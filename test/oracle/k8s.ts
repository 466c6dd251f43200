/**
 * Oracle: Kubernetes NetworkPolicy (networking.k8s.io/v1) as the API reference defines it and the
 * upstream conformance suite tests it, evaluated straight on the raw YAML objects.
 *
 * - A policy selects the pods of its namespace that match `podSelector` (`{}` = all). Pods on the
 *   host network are never selected (their traffic is the node's).
 * - `policyTypes` absent: Ingress, plus Egress when `egress` has rules (API-server defaulting).
 * - A pod is isolated for a direction iff some policy selecting it lists that direction; an
 *   isolated pod admits a connection iff some rule of such a policy matches it (union of allows).
 *   A connection needs the source's egress and the destination's ingress.
 * - Rule: `from`/`to` absent or empty = every peer; else some peer matches. Peer: `podSelector`
 *   alone = pods of the policy's namespace; `namespaceSelector` (± `podSelector`) = pods of the
 *   matching namespaces (`{}` = all); `ipBlock` = addresses in `cidr` outside every `except`, pod
 *   addresses included. Selector peers never match host-network pods (their address is the
 *   node's; the API leaves them undefined, so only ipBlock reaches them).
 * - Ports: absent or empty = every protocol and port (ICMP too); entry: protocol (default TCP),
 *   `port` absent = every port of the protocol, number with optional `endPort`, or a name resolved
 *   on the destination pod's container ports (same name and protocol).
 * - Ingress from the pod's own node (a host-network pod on the same node) is always allowed:
 *   "Pods cannot … block access from their resident node" (kubernetes.io, Network Policies, "What
 *   you can't do"; research/cilium.md §6 calls it the spec's local-node clause).
 */
import type { Inventory } from '../../src/cluster/inventory.js'
import type { Obj, Peer, Protocol } from './inventory.js'
import { fromLabels, inCidr, isKnp, items, knpPolicyTypes, namespaceOf, nsLabels, obj, peerIp, sameProtocol, selectorMatches, str, strings, tableOf } from './inventory.js'

export type Direction = 'Ingress' | 'Egress'

const selects = (policy: unknown, p: Peer): boolean =>
  p._tag === 'pod' && !p.pod.hostNetwork && p.pod.namespace === namespaceOf(policy) && selectorMatches(obj(obj(policy).spec).podSelector, fromLabels(p.pod.labels))

const peerMatches = (peer: Obj, policyNs: string, inv: Inventory, p: Peer): boolean => {
  if (peer.ipBlock !== undefined) {
    const b = obj(peer.ipBlock)
    const ip = peerIp(p)
    return inCidr(ip, str(b.cidr) ?? '') && !strings(b.except).some((x) => inCidr(ip, x))
  }
  if (p._tag !== 'pod' || p.pod.hostNetwork) return false
  const nsOk = peer.namespaceSelector === undefined ? p.pod.namespace === policyNs : selectorMatches(peer.namespaceSelector, fromLabels(nsLabels(inv, p.pod.namespace)))
  return nsOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, fromLabels(p.pod.labels)))
}

const portMatches = (entry: Obj, dest: Peer, protocol: Protocol, port: number): boolean => {
  if ((str(entry.protocol) ?? 'TCP') !== protocol) return false
  const p = entry.port
  if (p === undefined) return true
  if (typeof p === 'number') return port >= p && port <= (typeof entry.endPort === 'number' ? entry.endPort : p)
  return dest._tag === 'pod' && dest.pod.ports.some((cp) => cp.name === p && cp.port === port && sameProtocol(cp.protocol, protocol))
}

const ruleMatches = (rule: Obj, d: Direction, policyNs: string, inv: Inventory, peer: Peer, dest: Peer, protocol: Protocol, port: number): boolean => {
  const peers = items(d === 'Ingress' ? rule.from : rule.to)
  const ports = items(rule.ports)
  return (
    (peers.length === 0 || peers.some((x) => peerMatches(obj(x), policyNs, inv, peer))) &&
    (ports.length === 0 || ports.some((x) => portMatches(obj(x), dest, protocol, port)))
  )
}

/** A host-network pod on the node `subject` runs on: a pod cannot block its resident node. */
const isResidentNode = (peer: Peer, subject: Peer): boolean =>
  peer._tag === 'pod' && peer.pod.hostNetwork && subject._tag === 'pod' && !subject.pod.hostNetwork && peer.pod.node !== undefined && peer.pod.node === subject.pod.node

/** Whether `subject` lets the connection through in direction `d` (`peer` is the other side). */
export const verdict = (policies: ReadonlyArray<unknown>, inv: Inventory, d: Direction, subject: Peer, peer: Peer, protocol: Protocol, port: number): boolean => {
  if (d === 'Ingress' && isResidentNode(peer, subject)) return true
  const applying = policies.filter((p) => isKnp(p) && selects(p, subject) && knpPolicyTypes(obj(obj(p).spec)).includes(d))
  if (applying.length === 0) return true
  const dest = d === 'Ingress' ? subject : peer
  return applying.some((p) =>
    items(obj(obj(p).spec)[d === 'Ingress' ? 'ingress' : 'egress']).some((r) => ruleMatches(obj(r), d, namespaceOf(p), inv, peer, dest, protocol, port))
  )
}

export const allowed = (policies: ReadonlyArray<unknown>, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number): boolean =>
  verdict(policies, inv, 'Egress', from, to, protocol, port) && verdict(policies, inv, 'Ingress', to, from, protocol, port)

export const table = tableOf(allowed)
