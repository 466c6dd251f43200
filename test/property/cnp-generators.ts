/**
 * fast-check generators of ClusterNetworkPolicy sets (v1alpha2, and some v1alpha1
 * AdminNetworkPolicy/BaselineAdminNetworkPolicy), over the vocabulary of `generators.ts`: both
 * tiers, distinct and equal priorities, Accept/Deny/Pass in any order, namespace and pod subjects
 * and peers, `networks` (pod, host-network and external ranges), numbered, ranged and named ports,
 * mixed with Kubernetes NetworkPolicies. `nodes` peers are left out (the generated clusters have
 * no Node objects) and so are `domainNames` (they match nothing an inventory holds).
 */
import fc from 'fast-check'
import * as YAML from 'yaml'
import { k8sPoliciesArb } from './generators.js'

const apps = ['web', 'db'] as const
const teams = ['blue', 'red'] as const

const selectorArb = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...apps).map((app) => ({ matchLabels: { app } })),
  fc.constant({ matchExpressions: [{ key: 'role', operator: 'Exists' }] }),
  fc.constantFrom('admin', 'bad').map((role) => ({ matchExpressions: [{ key: 'role', operator: 'NotIn', values: [role] }] }))
)

const nsSelectorArb = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...teams).map((team) => ({ matchLabels: { team } })),
  fc.constantFrom('a', 'b').map((n) => ({ matchLabels: { 'kubernetes.io/metadata.name': n } }))
)

const podsArb = fc.record({ namespaceSelector: fc.option(nsSelectorArb, { nil: undefined }), podSelector: selectorArb }).map((p) => (p.namespaceSelector === undefined ? { podSelector: p.podSelector } : p))

const subjectArb = fc.oneof(nsSelectorArb.map((namespaces) => ({ namespaces })), podsArb.map((pods) => ({ pods })))

const podPeerArb = fc.oneof(nsSelectorArb.map((namespaces) => ({ namespaces })), podsArb.map((pods) => ({ pods })))

const networksArb = fc.subarray(['10.0.0.0/16', '10.0.1.0/24', '10.1.0.0/16', '10.9.0.0/16', '0.0.0.0/0', '203.0.113.9/32'], { minLength: 1, maxLength: 2 }).map((networks) => ({ networks }))

const protocolArb = fc.oneof(
  fc.constantFrom(80, 8080, 9090, 53).map((n) => ({ tcp: { destinationPort: { number: n } } })),
  fc.constant({ udp: { destinationPort: { number: 53 } } }),
  fc.constant({ tcp: { destinationPort: { range: { start: 8000, end: 8100 } } } }),
  fc.constant({ sctp: { destinationPort: { number: 80 } } }),
  fc.constantFrom('http', 'dns').map((destinationNamedPort) => ({ destinationNamedPort }))
)

const ruleArb = (egress: boolean) =>
  fc.record({
    action: fc.constantFrom('Accept', 'Deny', 'Pass'),
    peers: fc.array(egress ? fc.oneof(podPeerArb, podPeerArb, networksArb) : podPeerArb, { minLength: 1, maxLength: 2 }),
    protocols: fc.option(fc.array(protocolArb, { minLength: 1, maxLength: 2 }), { nil: undefined })
  })
    .filter((r) => !(egress && r.protocols?.some((p) => 'destinationNamedPort' in p) === true && r.peers.some((p) => 'networks' in p)))
    .map((r) => ({ action: r.action, [egress ? 'to' : 'from']: r.peers, ...(r.protocols === undefined ? {} : { protocols: r.protocols }) }))

const cnpArb = (i: number) =>
  fc
    .record({
      tier: fc.constantFrom('Admin', 'Admin', 'Baseline'),
      priority: fc.constantFrom(1, 2, 3, 5),
      subject: subjectArb,
      ingress: fc.array(ruleArb(false), { maxLength: 3 }),
      egress: fc.array(ruleArb(true), { maxLength: 3 })
    })
    .map((s) => ({
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: `cnp${i}` },
      spec: { tier: s.tier, priority: s.priority, subject: s.subject, ...(s.ingress.length > 0 ? { ingress: s.ingress } : {}), ...(s.egress.length > 0 ? { egress: s.egress } : {}) }
    }))

/** 1–3 cluster network policies, sometimes with Kubernetes NetworkPolicies, as YAML text. */
export const cnpPoliciesArb: fc.Arbitrary<string> = fc
  .tuple(fc.tuple(cnpArb(0), cnpArb(1), cnpArb(2)), fc.integer({ min: 1, max: 3 }), fc.option(k8sPoliciesArb, { nil: undefined, freq: 3 }))
  .map(([ps, n, knp]) => [...ps.slice(0, n).map((d) => YAML.stringify(d)), ...(knp === undefined ? [] : [knp])].join('---\n'))
