/**
 * Egress named ports into Cilium (issue 13 §3): with an inventory, the finding follows from the
 * flows on which Cilium's node-wide resolution and per-destination resolution differ.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { egressNamedPorts } from '../../src/lower/named-ports.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'

const pod = (ns: string, name: string, ports: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {pod: ${name}}}
spec: {containers: [{name: c, ports: [${ports}]}]}
status: {podIP: 10.0.${ns === 'x' ? 1 : 2}.${name.charCodeAt(0) - 96}}
---`

const namespaces = `
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {kubernetes.io/metadata.name: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: y, labels: {kubernetes.io/metadata.name: y}}
---`

const inventoryOf = (yaml: string): Inventory => load(parseText('cluster.yaml', yaml).docs).inventory

const egress = (to: string): string => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-egress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: serve-80-tcp}]${to}
`

const findings = (policy: string, inv: Inventory | undefined): ReadonlyArray<string> =>
  egressNamedPorts(parseDocs(parseText('p.yaml', policy).docs).set, inv, true).map((d) => `${d.fidelity ?? ''}: ${d.message}`)

const serve80 = '{name: serve-80-tcp, containerPort: 80}'

describe('egress named ports into Cilium', () => {
  it('are exact for the inventory when every pod the rule reaches declares the name with the same port (the upstream e2e case)', () => {
    const inv = inventoryOf(namespaces + pod('x', 'a', serve80) + pod('x', 'b', serve80) + pod('y', 'a', serve80))
    expect(findings(egress(''), inv)).toEqual([
      "exact-for-inventory: egress named port \"serve-80-tcp\": Cilium resolves egress port names through one node-wide map of every pod's named ports (cilium pkg/types/portmap.go; cilium/cilium#24779); on the inventory that changes no flow (every pod the rule reaches declares it as 80/TCP)"
    ])
    const t = translate(parseDocs(parseText('p.yaml', egress('')).docs), dialectByName('cilium') ?? fail(), inv)
    expect(t.fidelity).toBe('exact-for-inventory')
  })

  it('are broader when a pod the rule reaches does not declare the name, naming the flows', () => {
    const inv = inventoryOf(namespaces + pod('x', 'a', serve80) + pod('y', 'a', '{name: other, containerPort: 81}') + pod('y', 'b', ''))
    expect(findings(egress(''), inv)).toEqual([
      'broader: egress named port "serve-80-tcp": Cilium resolves egress port names through one node-wide map of every pod\'s named ports (cilium pkg/types/portmap.go; cilium/cilium#24779), so the rule also matches flows to y/a on 80/TCP, y/b on 80/TCP, where the name is not declared with that port'
    ])
    // a rule that reaches only pods declaring the name is exact again
    const toX = `
    to: [{podSelector: {matchLabels: {pod: a}}}]`
    expect(findings(egress(toX), inv).map((f) => f.split(':')[0])).toEqual(['exact-for-inventory'])
  })

  it('are narrower when the pods bind the name to several ports (Cilium then resolves it to nothing)', () => {
    const inv = inventoryOf(namespaces + pod('x', 'a', serve80) + pod('y', 'a', '{name: serve-80-tcp, containerPort: 8080}'))
    const [f] = findings(egress(''), inv)
    expect(f).toContain('narrower: ')
    expect(f).toContain("and the inventory's pods bind the name to several ports, so the rule no longer matches flows to x/a on 80/TCP, y/a on 8080/TCP")
  })

  it('are exact for the inventory when the policy selects no pod', () => {
    const inv = inventoryOf(namespaces + pod('y', 'a', serve80))
    expect(findings(egress(''), inv).map((f) => f.split(':')[0])).toEqual(['exact-for-inventory'])
  })

  it('without an inventory keep the lossy finding and say how to check', () => {
    const [f] = egressNamedPorts(parseDocs(parseText('p.yaml', egress('')).docs).set, undefined, true)
    expect(f?.fidelity).toBe('narrower')
    expect(f?.message).toContain('give --cluster to check the bindings')
    expect(f === undefined ? '' : D.render(f)).not.toContain('research/')
  })
})

const fail = (): never => {
  throw new Error('missing dialect')
}
