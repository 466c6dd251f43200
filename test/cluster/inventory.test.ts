import { describe, expect, it } from 'vitest'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import * as P from '../../src/ir/ports.js'
import { classify, endpointsOf } from '../../src/semantics/endpoint.js'

const dump = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    labels: {team: a}
    managedFields: [{manager: kubectl}]
  status: {phase: Active}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    namespace: shop
    labels: {app: web}
    uid: 1234
  spec:
    serviceAccountName: web
    nodeName: n1
    containers:
    - name: c
      ports:
      - {name: http, containerPort: 8080}
      - {name: dns, containerPort: 53, protocol: UDP}
  status:
    podIP: 10.0.0.1
    podIPs: [{ip: 10.0.0.1}]
    phase: Running
- apiVersion: v1
  kind: Pod
  metadata: {name: agent, namespace: other}
  spec: {hostNetwork: true, containers: [{name: c}]}
  status: {podIP: 192.168.1.10}
- apiVersion: v1
  kind: Node
  metadata: {name: n1, labels: {zone: a}}
  status: {addresses: [{type: InternalIP, address: 192.168.1.10}, {type: Hostname, address: n1}]}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop, labels: {app: web}}
  spec: {selector: {app: web}}
`

describe('inventory', () => {
  const { docs, diagnostics } = parseText('dump.yaml', dump)
  const r = load(docs)
  it('reads a kubectl List dump', () => {
    expect(diagnostics).toEqual([])
    expect(r.diagnostics).toEqual([])
    expect(r.inventory.namespaces).toEqual([
      { name: 'other', labels: { 'kubernetes.io/metadata.name': 'other' } },
      { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } }
    ])
    expect(r.inventory.pods.map((p) => [p.namespace, p.name, p.serviceAccount, p.node, p.hostNetwork])).toEqual([
      ['other', 'agent', 'default', undefined, true],
      ['shop', 'web-1', 'web', 'n1', false]
    ])
    expect(r.inventory.pods[1]?.ports).toEqual([
      { name: 'http', protocol: P.TCP, port: 8080 },
      { name: 'dns', protocol: P.UDP, port: 53 }
    ])
    expect(r.inventory.nodes.map((n) => [n.name, n.labels, n.ips.length])).toEqual([['n1', { zone: 'a' }, 1]])
    expect(r.inventory.services.map((s) => [s.namespace, s.name, s.selector])).toEqual([['shop', 'web', { app: 'web' }]])
  })
  it('host-network pods are host endpoints', () => {
    expect(endpointsOf(r.inventory).map((e) => [e.id, e.kind])).toEqual([
      ['other/agent', 'host'],
      ['shop/web-1', 'pod']
    ])
  })
  it('a bad pod IP is a positioned error', () => {
    const bad = parseText('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\nstatus:\n  podIP: 10.0.0.300\n')
    expect(load(bad.docs).diagnostics.map(D.render)).toEqual(['bad.yaml:6:10: error invalid-ip: invalid IP address "10.0.0.300": IPv4 octet "300" is out of range 0-255'])
  })
})

describe('classes', () => {
  it('pods with the same labels, namespace and ports form one class; address sets split them', () => {
    const pods = Array.from({ length: 1000 }, (_, i) => ({
      namespace: `ns-${i % 10}`,
      name: `p-${i}`,
      labels: { app: `a-${i % 3}` },
      ip: { family: 4 as const, value: BigInt(i) },
      ports: [],
      serviceAccount: 'default',
      node: undefined,
      hostNetwork: false
    }))
    const inv = { namespaces: [], pods, nodes: [], services: [], externals: [] }
    expect(classify(endpointsOf(inv), []).representatives.length).toBe(30)
    const lowHalf = { _tag: 'CidrSet' as const, v4: [[0n, 499n] as const], v6: [] }
    expect(classify(endpointsOf(inv), [lowHalf]).representatives.length).toBe(60)
  })
})
