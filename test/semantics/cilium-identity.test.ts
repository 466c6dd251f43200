/**
 * Kubernetes NetworkPolicies under Cilium read in Cilium's identity label space
 * (src/semantics/cilium-identity.ts): a podSelector on `io.cilium.k8s.policy.cluster`,
 * `io.cilium.k8s.policy.serviceaccount`, `io.kubernetes.pod.namespace` or
 * `io.cilium.k8s.namespace.labels.*` tests what Cilium derives for every endpoint. Checked against
 * the independent Cilium oracle, and through translation from a Cilium-enforced set
 * (`--from-cni cilium`) to every dialect.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as P from '../../src/ir/ports.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { cilium } from '../../src/semantics/cilium.js'
import { k8s } from '../../src/semantics/k8s.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'
import type { Model } from '../../src/semantics/model.js'
import { tableDifferences } from '../equal-tables.js'
import * as oracle from '../oracle/cilium.js'

const inventory: Inventory = load(
  parseText(
    'cluster.yaml',
    `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {kubernetes.io/metadata.name: a, team: blue}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {kubernetes.io/metadata.name: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: a, labels: {app: server}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {serviceAccountName: robot, containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: client}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.3}
`
  ).docs
).inventory

const knp = (from: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server, namespace: a}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
  - from:
${from
  .split('\n')
  .map((l) => (l === '' ? l : `  ${l}`))
  .join('\n')}`

const probes = [{ protocol: P.TCP, port: 80 }]

/** Who may connect to a/server on 80/TCP under a model. */
const clientsOf = (text: string, model: Model): ReadonlyArray<string> => {
  const set = parseDocs(parseText('in.yaml', text).docs).set
  const r = reach(set, inventory, model, probes)
  const ids = r.classes.endpoints.map((e) => e.id)
  const t = r.tables[0]
  const j = ids.indexOf('a/server')
  return t === undefined ? [] : matrix(r, t).flatMap((row, i) => (row[j] === true && i !== j ? [ids[i] ?? ''] : []))
}

const oracleClientsOf = (text: string): ReadonlyArray<string> => {
  const docs = parseText('in.yaml', text).docs.map((d) => d.value)
  const ids = [...inventory.pods].map((p) => `${p.namespace}/${p.name}`).sort()
  const m = oracle.table(docs, inventory, [{ protocol: 'TCP', port: 80 }])[0] ?? []
  const j = ids.indexOf('a/server')
  return ids.filter((_, i) => i !== j && m[i]?.[j] === true)
}

const cases: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]> = [
  ['the cluster label exists on every pod (cilium-cli connectivity suite)', '  - podSelector:\n      matchExpressions: [{key: io.cilium.k8s.policy.cluster, operator: Exists}]\n', ['a/client']],
  ['the cluster label with the default cluster name, from every namespace', '  - namespaceSelector: {}\n    podSelector:\n      matchLabels: {io.cilium.k8s.policy.cluster: default}\n', ['a/client', 'b/other']],
  ['the service-account label', '  - namespaceSelector: {}\n    podSelector:\n      matchLabels: {io.cilium.k8s.policy.serviceaccount: robot}\n', ['a/client']],
  ['the namespace label inside a namespaceSelector peer', '  - namespaceSelector: {}\n    podSelector:\n      matchExpressions: [{key: io.kubernetes.pod.namespace, operator: In, values: [b]}]\n', ['b/other']],
  ['a namespace-label label', '  - namespaceSelector: {}\n    podSelector:\n      matchLabels: {io.cilium.k8s.namespace.labels.team: blue}\n', ['a/client']]
]

describe('NetworkPolicies under Cilium: identity labels', () => {
  for (const [name, from, expected] of cases)
    it(name, () => {
      const text = knp(from)
      expect(clientsOf(text, cilium)).toEqual(expected)
      expect(oracleClientsOf(text)).toEqual(expected)
      // under the NetworkPolicy API's own semantics these are pod labels nobody has
      expect(clientsOf(text, k8s)).toEqual([])
    })

  it('translation from a Cilium-enforced set keeps what Cilium enforces, in every dialect', () => {
    for (const [, from] of cases) {
      const parsed = parseDocs(parseText('in.yaml', knp(from)).docs)
      for (const to of ['k8s', 'calico', 'cilium'] as const) {
        const target = dialectByName(to)
        const model = modelByName(to)
        if (target === undefined || model === undefined) throw new Error(to)
        const t = translate(parsed, target, inventory, 'cilium')
        expect(D.isFaithful(t.fidelity)).toBe(true)
        const again = parseDocs(parseText('out.yaml', serialise(t.objects, 'yaml')).docs)
        expect(tableDifferences(parsed.set, again.set, inventory, cilium, model)).toEqual([])
      }
    }
  })

  it('a value test on the cluster label says which cluster name it assumes', () => {
    const parsed = parseDocs(parseText('in.yaml', knp(cases[1]?.[1] ?? '')).docs)
    const target = dialectByName('k8s')
    if (target === undefined) throw new Error('k8s')
    const t = translate(parsed, target, inventory, 'cilium')
    expect(t.diagnostics.map(D.render)).toContain(
      `in.yaml:1:1: warning cluster-name-assumed: a/server: netpolx models a single cluster and assumes Cilium's default cluster name "default" for "io.cilium.k8s.policy.cluster"`
    )
  })
})
