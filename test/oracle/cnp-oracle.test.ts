/**
 * The cluster network policy oracle reproduces every upstream ClusterNetworkPolicy conformance
 * table, and reads the v1alpha1 kinds as their v1alpha2 equivalents.
 */
import { describe, expect, it } from 'vitest'
import * as YAML from 'yaml'
import { load } from '../../src/cluster/inventory.js'
import { parseText } from '../../src/io/source.js'
import { cnpDifferences, loadCnpCases } from '../conformance/cnp-cases.js'
import * as cnp from './cnp.js'
import type { Protocol } from './inventory.js'
import { endpoints, peerId } from './inventory.js'

const docs = (yaml: string): ReadonlyArray<unknown> => YAML.parseAllDocuments(yaml).map((d) => d.toJS() as unknown)

describe('the cnp oracle reproduces the upstream conformance tables', () => {
  for (const c of loadCnpCases())
    it(c.file, () => {
      const r = load(parseText('cluster.yaml', c.cluster).docs)
      expect(r.diagnostics).toEqual([])
      const ids = endpoints(r.inventory).map(peerId)
      const tables = cnp.table(docs(c.policies), r.inventory, c.expect.map((e) => ({ protocol: e.protocol as Protocol, port: e.port })))
      expect(c.expect.flatMap((e, k) => cnpDifferences(e, ids, tables[k] ?? []))).toEqual([])
    })
})

describe('v1alpha1 reads as v1alpha2', () => {
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: pay}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec: {containers: [{name: c, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: b, labels: {app: api}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.2}
`
  const v1 = `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard-db}
spec:
  priority: 20
  subject: {pods: {namespaceSelector: {matchLabels: {team: pay}}, podSelector: {matchLabels: {app: db}}}}
  ingress:
  - {action: Allow, from: [{namespaces: {matchLabels: {team: web}}}], ports: [{namedPort: pg}]}
  - {action: Deny, from: [{namespaces: {}}]}
`
  const v2 = `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: guard-db}
spec:
  tier: Admin
  priority: 20
  subject: {pods: {namespaceSelector: {matchLabels: {team: pay}}, podSelector: {matchLabels: {app: db}}}}
  ingress:
  - {action: Accept, from: [{namespaces: {matchLabels: {team: web}}}], protocols: [{destinationNamedPort: pg}]}
  - {action: Deny, from: [{namespaces: {}}]}
`
  it('an AdminNetworkPolicy and its ClusterNetworkPolicy give the same table, which denies all but the named port', () => {
    const r = load(parseText('cluster.yaml', cluster).docs)
    expect(r.diagnostics).toEqual([])
    const inv = r.inventory
    expect(endpoints(inv).map(peerId)).toEqual(['a/db', 'b/api'])
    const probes = [{ protocol: 'TCP' as const, port: 5432 }, { protocol: 'TCP' as const, port: 80 }]
    const a = cnp.table(docs(v1), inv, probes)
    expect(a).toEqual(cnp.table(docs(v2), inv, probes))
    // endpoints: a/db, b/api; rows are sources. a/db's own namespace is not team=web: denied, even to itself
    expect(a).toEqual([
      [
        [false, true],
        [true, true]
      ],
      [
        [false, true],
        [false, true]
      ]
    ])
  })
})
