/** The k8s model's rules, one case each, beyond what the upstream conformance tables exercise. */
import { describe, expect, it } from 'vitest'
import { load } from '../../src/cluster/inventory.js'
import * as C from '../../src/ir/cidr.js'
import { parseText } from '../../src/io/source.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import { k8s } from '../../src/semantics/k8s.js'
import { matrix, reach } from '../../src/semantics/table.js'

const cluster = `
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: legacy, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 9090}]}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: web}}
spec: {hostNetwork: true, containers: [{name: c}]}
status: {podIP: 192.168.0.10}
`

const table = (policies: string, protocol: number, port: number, externals: ReadonlyArray<string> = []) => {
  const inv = load(parseText('cluster.yaml', cluster).docs).inventory
  const ext = externals.map((text) => {
    const ip = C.parseIp(text)
    if (ip._tag === 'Left') throw new Error(ip.left)
    return { text, ip: ip.right }
  })
  const set = parseDocs(parseText('p.yaml', policies).docs).set
  const r = reach(set, { ...inv, externals: ext }, k8s, [{ protocol, port }])
  const t = r.tables[0]
  if (t === undefined) throw new Error('no table')
  const ids = r.classes.endpoints.map((e) => e.id)
  const m = matrix(r, t)
  return (from: string, to: string): boolean => m[ids.indexOf(from)]?.[ids.indexOf(to)] ?? false
}

const np = (spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n${spec}`

describe('k8s model', () => {
  it('egress named ports resolve on each destination pod', () => {
    const allowed = table(np('  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: http}]\n'), P.TCP, 8080)
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('a/client', 'a/legacy')).toBe(false) // its "http" is 9090
    const on9090 = table(np('  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: http}]\n'), P.TCP, 9090)
    expect(on9090('a/client', 'a/legacy')).toBe(true)
    expect(on9090('a/client', 'a/web')).toBe(false)
  })
  it('host-network pods are never selected, even when their labels match', () => {
    const allowed = table(np('  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n'), P.TCP, 8080)
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/client', 'a/agent')).toBe(true)
  })
  it('a podSelector peer does not match host-network pods; an ipBlock does', () => {
    const bySelector = table(np('  podSelector: {matchLabels: {app: client}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n'), P.TCP, 80)
    expect(bySelector('a/web', 'a/client')).toBe(true)
    expect(bySelector('a/agent', 'a/client')).toBe(false)
    const byBlock = table(np('  podSelector: {matchLabels: {app: client}}\n  ingress:\n  - from: [{ipBlock: {cidr: 192.168.0.0/16}}]\n'), P.TCP, 80)
    expect(byBlock('a/agent', 'a/client')).toBe(true)
  })
  it('ipBlock matches pod addresses and external addresses alike; except carves out', () => {
    const allowed = table(
      np('  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.1/32]}}]\n'),
      P.TCP,
      8080,
      ['203.0.113.9']
    )
    expect(allowed('203.0.113.9', 'a/web')).toBe(true)
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/legacy', 'a/web')).toBe(true)
  })
  it('external endpoints have no policies of their own', () => {
    const allowed = table(np('  podSelector: {}\n  policyTypes: [Ingress, Egress]\n'), P.TCP, 80, ['203.0.113.9'])
    expect(allowed('a/client', '203.0.113.9')).toBe(false)
    expect(allowed('203.0.113.9', 'a/client')).toBe(false)
    expect(allowed('a/agent', '203.0.113.9')).toBe(true)
  })
  it('a rule with no ports matches every protocol; a port without protocol is TCP only', () => {
    const anyPort = np('  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {}}]\n')
    expect(table(anyPort, P.SCTP, 5000)('a/client', 'a/web')).toBe(true)
    const tcp80 = np('  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - ports: [{port: 80}]\n')
    expect(table(tcp80, P.TCP, 80)('a/client', 'a/web')).toBe(true)
    expect(table(tcp80, P.UDP, 80)('a/client', 'a/web')).toBe(false)
  })
})

describe('k8s model: the resident node', () => {
  it('pods cannot block access from their resident node; other nodes are isolated out', () => {
    const cluster = `apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: local, namespace: a}
spec: {hostNetwork: true, nodeName: n1, containers: [{name: c}]}
status: {podIP: 192.168.0.11}
---
apiVersion: v1
kind: Pod
metadata: {name: remote, namespace: a}
spec: {hostNetwork: true, nodeName: n2, containers: [{name: c}]}
status: {podIP: 192.168.0.12}
`
    const inv = load(parseText('cluster.yaml', cluster).docs).inventory
    const set = parseDocs(parseText('np.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: a}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n').docs).set
    const r = reach(set, inv, k8s, [{ protocol: P.TCP, port: 80 }])
    const t = r.tables[0]
    if (t === undefined) throw new Error('no table')
    const ids = r.classes.endpoints.map((e) => e.id)
    const m = matrix(r, t)
    expect(m[ids.indexOf('a/local')]?.[ids.indexOf('a/web')]).toBe(true)
    expect(m[ids.indexOf('a/remote')]?.[ids.indexOf('a/web')]).toBe(false)
    // egress to the node is not exempt
    expect(m[ids.indexOf('a/web')]?.[ids.indexOf('a/local')]).toBe(false)
  })
})
