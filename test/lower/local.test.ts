/**
 * Calico local-endpoint constraints (an ingress rule's `destination`, an egress rule's `source`:
 * `Rule.local`) in the calico model and through translation: to Calico they are written back, to
 * Kubernetes and Cilium the rule's subject is narrowed (src/lower/local.ts, and flatten's regions
 * for ordered sets). Each case compares the source model's table with the target model's table of
 * the re-parsed output, and the engine with the independent Calico oracle.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import type { DialectName, PolicySet } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { Parsed } from '../../src/pipeline.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { calico } from '../../src/semantics/calico.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'
import { tableDifferences } from '../equal-tables.js'
import * as oracle from '../oracle/calico.js'

const clusterYaml = `
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
metadata: {name: withapp, namespace: a, labels: {app: x}}
spec: {serviceAccountName: robot, containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: noapp, namespace: a, labels: {other: y}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: peer, namespace: b, labels: {app: peer}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.2.3}
`

const inventory: Inventory = load(parseText('cluster.yaml', clusterYaml).docs).inventory

const parse = (text: string): Parsed => {
  const r = parseText('in.yaml', text)
  expect(r.diagnostics).toEqual([])
  const parsed = parseDocs(r.docs)
  expect(parsed.diagnostics.map(D.render)).toEqual([])
  return parsed
}

/** Translates through text and returns the re-parsed set and the translation's findings. */
const through = (parsed: Parsed, to: DialectName): { readonly set: PolicySet; readonly fidelity: D.RunFidelity; readonly text: string; readonly lossy: ReadonlyArray<string> } => {
  const target = dialectByName(to)
  if (target === undefined) throw new Error(`${to} dialect missing`)
  const t = translate(parsed, target, inventory, 'calico')
  const text = serialise(t.objects, 'yaml')
  const again = parseDocs(parseText('out.yaml', text).docs)
  expect(again.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const lossy = t.diagnostics.filter((d) => d.fidelity !== undefined && !D.isFaithful(d.fidelity)).map(D.render)
  return { set: again.set, fidelity: t.fidelity, text, lossy }
}

const probes = [{ protocol: P.TCP, port: 80 }]

/** The calico model's allowed flows, as `from -> to` strings. */
const allowedFlows = (set: PolicySet): ReadonlyArray<string> => {
  const r = reach(set, inventory, calico, probes)
  const ids = r.classes.endpoints.map((e) => e.id)
  const t = r.tables[0]
  if (t === undefined) return []
  return matrix(r, t).flatMap((row, i) => row.flatMap((v, j) => (v && i !== j ? [`${ids[i]} -> ${ids[j]}`] : [])))
}

/** The oracle's allowed flows on the raw documents. */
const oracleFlows = (text: string): ReadonlyArray<string> => {
  const docs = parseText('in.yaml', text).docs.map((d) => d.value)
  const m = oracle.table(docs, inventory, [{ protocol: 'TCP', port: 80 }])[0]
  const pods = [...inventory.pods].sort((x, y) => (`${x.namespace}/${x.name}` < `${y.namespace}/${y.name}` ? -1 : 1))
  const ids = pods.map((p) => `${p.namespace}/${p.name}`)
  return (m ?? []).flatMap((row, i) => row.flatMap((v, j) => (v && i !== j && i < ids.length && j < ids.length ? [`${ids[i]} -> ${ids[j]}`] : [])))
}

const checkAll = (text: string): void => {
  const parsed = parse(text)
  expect(allowedFlows(parsed.set)).toEqual(oracleFlows(text))
  for (const to of ['k8s', 'cilium', 'calico'] as const) {
    const out = through(parsed, to)
    expect([to, out.lossy]).toEqual([to, []])
    const model = modelByName(to)
    if (model === undefined) throw new Error(`${to} model missing`)
    expect(tableDifferences(parsed.set, out.set, inventory, calico, model)).toEqual([])
  }
}

const testcase8 = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: tc8, namespace: a}
spec:
  selector: all()
  types: [Egress]
  egress:
  - action: Allow
    source:
      selector: has(app)
`

describe('Calico local-endpoint constraints', () => {
  it("IBM NCA testcase8: an egress rule with source has(app) does not apply to pods without app", () => {
    const parsed = parse(testcase8)
    const flows = allowedFlows(parsed.set)
    expect(flows).toContain('a/withapp -> b/peer')
    expect(flows).not.toContain('a/noapp -> b/peer')
    expect(flows).not.toContain('a/noapp -> a/withapp')
    checkAll(testcase8)
  })
  it('the k8s and cilium models skip the rule on subjects outside its local constraint too', () => {
    const parsed = parse(testcase8)
    for (const m of ['k8s', 'cilium'] as const) {
      const model = modelByName(m)
      if (model === undefined) throw new Error(m)
      expect(tableDifferences(parsed.set, parsed.set, inventory, calico, model)).toEqual([])
    }
  })
  it('to Kubernetes: the rule moves to a policy whose podSelector is narrowed, and the original keeps isolating', () => {
    const out = through(parse(testcase8), 'k8s')
    expect(out.text).toContain('name: tc8-egress-local')
    expect(out.text).toContain('  podSelector:\n    matchExpressions:\n    - key: app\n      operator: Exists\n')
    expect(out.fidelity).toBe('exact')
  })
  it('to Calico: written back as the egress source', () => {
    expect(through(parse(testcase8), 'calico').text).toContain('    source:\n      selector: has(app)\n')
  })
  it('an ingress destination with a namespace-scoped selector, ports and a Deny before the Allow (ordered: compiled by flatten)', () => {
    checkAll(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: g}
spec:
  order: 10
  selector: all()
  types: [Ingress]
  ingress:
  - action: Deny
    protocol: TCP
    source:
      selector: app == 'peer'
    destination:
      selector: app == 'x'
      ports: [80]
  - action: Allow
    protocol: TCP
    destination:
      namespaceSelector: team == 'blue'
`)
  })
  it('local nets and notNets, and serviceAccounts', () => {
    checkAll(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: n, namespace: a}
spec:
  selector: all()
  types: [Ingress, Egress]
  ingress:
  - action: Allow
    destination:
      nets: [10.0.0.0/24]
  egress:
  - action: Allow
    source:
      serviceAccounts: {names: [robot]}
  - action: Deny
    source:
      notNets: [10.0.0.0/24]
`)
  })
  it('property counterexample: an IPv4 peer with a local notNets is written for IPv4 only (Calico refuses a rule mixing families)', () => {
    const text = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: p0, namespace: a}
spec:
  tier: default
  selector: all()
  egress:
  - action: Allow
    destination:
      nets: [10.9.0.0/16]
    source:
      notNets: [10.0.0.0/24]
  types: [Egress]
`
    checkAll(text)
    const out = through(parse(text), 'calico').text
    expect(out).not.toContain('::/0')
  })
})
