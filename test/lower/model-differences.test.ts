/**
 * Shrunk counterexamples of the nine-pair property suite (test/property), kept as unit cases: each
 * is a place where two CNIs read the same construct differently, and the translation must say so
 * with the right fidelity (the direction of the error), never pass as faithful.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import type { DialectName } from '../../src/ir/policy.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { modelByName } from '../../src/semantics/models.js'
import { tableDifferences } from '../equal-tables.js'

const pod = (ns: string, name: string, ip: string, opts: { labels?: string; hostNetwork?: boolean; http?: number } = {}): string => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${opts.labels ?? ''}}}
spec:
  nodeName: node-1
  ${opts.hostNetwork === true ? 'hostNetwork: true' : 'hostNetwork: false'}
  containers: [{name: c, ports: [{name: http, containerPort: ${opts.http ?? 8080}, protocol: TCP}]}]
status: {podIP: ${ip}}
`

const cluster = (...pods: ReadonlyArray<string>): Inventory => {
  const text = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n', ...pods].join('---\n').replace(/---\n---\n/g, '---\n')
  const r = load(parseText('cluster.yaml', text).docs)
  expect(r.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  return r.inventory
}

const findings = (policies: string, to: DialectName, inv: Inventory): ReadonlyArray<string> => {
  const parsed = parseDocs(parseText('p.yaml', policies).docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const target = dialectByName(to)
  if (target === undefined) throw new Error(to)
  const t = translate(parsed, target, inv)
  return t.diagnostics.filter((d) => d.fidelity !== undefined && !D.isFaithful(d.fidelity)).map((d) => `${d.fidelity} ${d.code}`)
}

describe('model differences found by the property suite', () => {
  it('k8s → calico: an egress named port that a host-network pod declares (Calico resolves names on workload endpoints only)', () => {
    const inv = cluster(pod('b', 'host', '10.1.0.2', { hostNetwork: true }), pod('b', 'client', '10.0.1.3', { labels: 'role: admin' }))
    const knp = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np0, namespace: b}\nspec:\n  podSelector: {matchExpressions: [{key: role, operator: Exists}]}\n  egress:\n  - ports: [{protocol: TCP, port: http}]\n'
    expect(findings(knp, 'calico', inv)).toEqual(['narrower named-port-host-network'])
  })

  it('calico → cilium: notNets covering a node address (a negated address block reaches nodes under Cilium)', () => {
    const inv = cluster(pod('a', 'p0', '10.0.0.1'), pod('b', 'host', '10.1.0.3', { hostNetwork: true }))
    const np = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p0, namespace: a}\nspec:\n  selector: all()\n  types: [Egress]\n  egress:\n  - action: Allow\n    destination: {notNets: [10.0.0.0/8]}\n"
    // the only node address is inside the block: the node entities stand for it exactly
    expect(findings(np, 'cilium', inv)).toEqual([])
    // a second node outside the block: the complement holds one node of two, and Cilium's node
    // entities cannot tell them apart, so that node is left out of the allow
    const two = cluster(pod('a', 'p0', '10.0.0.1'), pod('b', 'host', '10.1.0.3', { hostNetwork: true }), pod('b', 'host2', '192.168.0.9', { hostNetwork: true }))
    expect(findings(np, 'cilium', two)).toEqual(['narrower cidr-matches-nodes'])
  })

  it('cilium → calico: an egress deny on a named port bound to several ports (Cilium matches nothing)', () => {
    const inv = cluster(pod('a', 'p0', '10.0.0.1'), pod('b', 'p0', '10.0.1.2'), pod('b', 'p1', '10.0.1.3', { http: 9090 }))
    const cnp =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: cnp0, namespace: a}\nspec:\n  endpointSelector: {}\n  egressDeny:\n  - toEntities: [cluster]\n    toPorts: [{ports: [{port: http, protocol: TCP}]}]\n  enableDefaultDeny: {egress: false}\n'
    expect(findings(cnp, 'calico', inv)).toEqual(['narrower egress-named-port'])
  })

  it('cilium → k8s: an ingress deny that also matches the pod\'s own node (Kubernetes always lets it in)', () => {
    const inv = cluster(pod('a', 'web', '10.0.0.1', { labels: 'role: admin' }), pod('a', 'agent', '10.1.0.9', { hostNetwork: true }))
    const ccnp =
      "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ccnp0}\nspec:\n  endpointSelector: {matchLabels: {'k8s:role': admin}}\n  ingressDeny:\n  - toPorts: [{ports: [{port: '80'}]}]\n"
    expect(findings(ccnp, 'k8s', inv)).toEqual(['broader resident-node-deny'])
    // a deny limited to outside addresses does not touch the node
    const world = ccnp.replace("  - toPorts: [{ports: [{port: '80'}]}]", "  - fromEntities: [world]\n    toPorts: [{ports: [{port: '80'}]}]")
    expect(findings(world, 'k8s', inv)).toEqual([])
  })

  it("calico → cilium: an ingress Deny on addresses that hold the pod's own node stays allow-only (a Cilium deny would shut the node out)", () => {
    const inv = cluster(pod('a', 'p0', '10.0.0.1'), pod('b', 'host', '10.1.0.3', { hostNetwork: true }))
    const np =
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p0, namespace: a}\nspec:\n  selector: all()\n  types: [Ingress]\n  ingress:\n  - action: Deny\n    source: {notNets: [10.9.1.0/24]}\n'
    const parsed = parseDocs(parseText('p.yaml', np).docs)
    const target = dialectByName('cilium')
    const calico = modelByName('calico')
    const cilium = modelByName('cilium')
    if (target === undefined || calico === undefined || cilium === undefined) throw new Error('missing')
    const t = translate(parsed, target, inv)
    expect(D.isFaithful(t.fidelity)).toBe(true)
    const again = parseDocs(parseText('out.yaml', serialise(t.objects, 'yaml')).docs)
    expect(again.set.policies.every((p) => (p.ingress?.rules ?? []).every((r) => r.action === 'allow'))).toBe(true)
    expect(tableDifferences(parsed.set, again.set, inv, calico, cilium)).toEqual([])
  })

  it("calico → cilium: a Deny from addresses no entity owns also names the nodes (Calico still lets a pod's own node in)", () => {
    const inv = cluster(pod('a', 'node-agent', '10.1.0.1', { hostNetwork: true }), pod('a', 'p1', '10.0.0.2'), pod('b', 'p0', '10.0.1.3'))
    const gnp =
      'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p0}\nspec:\n  selector: all()\n  types: [Ingress]\n  ingress:\n  - action: Deny\n    source: {notSelector: all()}\n'
    const parsed = parseDocs(parseText('p.yaml', gnp).docs)
    const target = dialectByName('cilium')
    const calico = modelByName('calico')
    const cilium = modelByName('cilium')
    if (target === undefined || calico === undefined || cilium === undefined) throw new Error('missing')
    const t = translate(parsed, target, inv)
    const again = parseDocs(parseText('out.yaml', serialise(t.objects, 'yaml')).docs)
    if (D.isFaithful(t.fidelity)) expect(tableDifferences(parsed.set, again.set, inv, calico, cilium)).toEqual([])
    // never a Cilium deny that shuts out the node
    expect(again.set.policies.some((p) => (p.ingress?.rules ?? []).some((r) => r.action === 'deny'))).toBe(false)
  })

  it('cilium → k8s: a service-account peer kept and subtracted reports both directions of its loss', () => {
    const inv = cluster(
      pod('b', 'robot', '10.0.1.2', { labels: 'app: web, role: admin' }),
      pod('b', 'other', '10.0.1.3', { labels: 'app: web, role: admin' })
    )
    const robotInv: Inventory = { ...inv, pods: inv.pods.map((p) => (p.name === 'robot' ? { ...p, serviceAccount: 'robot' } : p)) }
    const ccnp =
      "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ccnp0}\nspec:\n  endpointSelector: {matchLabels: {'k8s:role': admin}}\n  egress:\n  - toEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: robot}}, {matchLabels: {io.cilium.k8s.namespace.labels.team: blue}}]\n    toPorts: [{ports: [{port: '80', protocol: TCP}]}]\n  egressDeny:\n  - toEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: robot}}]\n    toPorts: [{ports: [{port: '8000', endPort: 8100, protocol: TCP}]}]\n"
    const codes = findings(ccnp, 'k8s', robotInv)
    expect(codes).toContain('narrower service-account-expanded')
    expect(codes).toContain('broader service-account-expanded')
  })

  it('calico → k8s: a Deny after a Pass on a named port cannot be subtracted exactly: the deny shrinks, reported broader', () => {
    const inv = cluster(pod('a', 'p0', '10.0.0.1'), pod('b', 'p0', '10.0.1.2'))
    const text =
      "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: sec}\nspec: {order: 10, defaultAction: Pass}\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: sec.p0}\nspec:\n  tier: sec\n  selector: all()\n  types: [Egress]\n  egress:\n  - action: Pass\n    protocol: TCP\n    destination: {selector: all(), ports: [http]}\n  - action: Deny\n    destination: {namespaceSelector: projectcalico.org/name == 'b'}\n"
    expect(findings(text, 'k8s', inv)).toContain('broader named-port-overlap')
    expect(findings(text, 'k8s', inv)).not.toContain('narrower named-port-overlap')
  })
})
