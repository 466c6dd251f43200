/**
 * The `k8s` model: the NetworkPolicy API's own semantics, as the upstream conformance suite tests
 * them. An endpoint is isolated in a direction iff some policy selecting it governs that direction
 * (and makes it default-deny); an isolated endpoint admits a connection iff some allow rule of a
 * policy selecting it matches. `ipIn` matches pod addresses too. Pods on the host network are
 * never selected, and ingress from a pod's resident node (its host endpoints) is always allowed:
 * "pods cannot block access from their resident node" (the NetworkPolicy documentation).
 * A rule with a local-endpoint constraint (`Rule.local`, read from Calico) applies only to the
 * subjects it holds on.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import type { Direction, PolicySet, Rule } from '../ir/policy.js'
import { directions, qualifiedName, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import type { Classes } from './endpoint.js'
import { evaluator, residentHosts } from './endpoint.js'
import type { Model, Prepared } from './model.js'
import { sourcePeers } from './probes.js'
import { apiClusterTiers, withClusterTiers } from './cluster-tiers.js'

interface CompiledRule {
  readonly rule: Rule
  readonly peers: B.Bitset
  readonly named: boolean
  /** The subjects the rule applies to (`Rule.local`); undefined: every subject of its policy. */
  readonly local: B.Bitset | undefined
}

const prepare = (set: PolicySet, classes: Classes, inventory: Inventory): { prepared: Prepared; diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const diagnostics: Array<D.Diagnostic> = []
  const n = classes.representatives.length
  const ev = evaluator(classes, inventory)
  const isolated: Record<Direction, Uint8Array> = { ingress: new Uint8Array(n), egress: new Uint8Array(n) }
  const rules: Record<Direction, Array<Array<CompiledRule>>> = {
    ingress: Array.from({ length: n }, () => []),
    egress: Array.from({ length: n }, () => [])
  }
  for (const p of set.policies) {
    const subjects = ev(scopedSubject(p))
    for (const d of directions) {
      const dr = d === 'ingress' ? p.ingress : p.egress
      if (dr === undefined) continue
      const compiled: Array<CompiledRule> = []
      for (const r of dr.rules) {
        if (r.action === 'log') continue
        if (r.action !== 'allow') {
          diagnostics.push(
            D.error('model-unsupported', `the k8s model has allow rules only; ${qualifiedName(p.origin)} has a ${r.action} rule (evaluate it with --cni calico or --cni cilium)`, r.location)
          )
          continue
        }
        compiled.push({ rule: r, peers: ev(r.peer), named: r.ports.named.length > 0, local: r.local === undefined ? undefined : ev(r.local) })
      }
      for (let c = 0; c < n; c++) {
        if (!B.has(subjects, c)) continue
        if (dr.defaultDeny) (isolated[d] as Uint8Array)[c] = 1
        rules[d][c]?.push(...compiled.filter((cr) => cr.local === undefined || B.has(cr.local, c)))
      }
    }
  }
  const all = B.full(n)
  const resident = residentHosts(classes)
  const allowedPeers = (d: Direction, c: number, protocol: number, port: number, sourcePort?: number): B.Bitset => {
    if (isolated[d][c] !== 1) return all
    const acc = B.make(n)
    // pods cannot block access from their resident node
    const local = d === 'ingress' ? resident[c] : undefined
    if (local !== undefined) B.orInto(acc, local)
    const subject = classes.representatives[c]
    for (const cr of rules[d][c] ?? []) {
      // source ports (a Calico construct evaluated under this model): named ones resolve on the source
      const sources = sourcePeers(cr.rule.sourcePorts, d, protocol, sourcePort, subject, classes.representatives)
      if (sources === false) continue
      if (sources !== true) {
        if (P.matches(cr.rule.ports, protocol, port, d === 'ingress' ? subject?.ports ?? [] : [])) B.orInto(acc, B.and(cr.peers, sources))
        else if (d === 'egress' && cr.named)
          classes.representatives.forEach((peer, j) => {
            if (B.has(cr.peers, j) && B.has(sources, j) && P.matches(cr.rule.ports, protocol, port, peer.ports)) B.set(acc, j)
          })
        continue
      }
      if (d === 'ingress' || !cr.named) {
        // ingress: named ports resolve on the subject (the destination)
        if (P.matches(cr.rule.ports, protocol, port, d === 'ingress' ? subject?.ports ?? [] : [])) B.orInto(acc, cr.peers)
      } else {
        // egress with named ports: they resolve on each destination peer
        classes.representatives.forEach((peer, j) => {
          if (B.has(cr.peers, j) && P.matches(cr.rule.ports, protocol, port, peer.ports)) B.set(acc, j)
        })
      }
    }
    return acc
  }
  return { prepared: { allowedPeers }, diagnostics }
}

/** With the cluster network policy tiers around the NetworkPolicies (`cluster-tiers.ts`). */
export const k8s: Model = withClusterTiers({ name: 'k8s', prepare }, apiClusterTiers)
