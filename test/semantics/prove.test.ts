/**
 * Equivalence on every cluster (src/semantics/prove.ts): equal sets are proven equivalent, with
 * the bounds stated; different sets yield a counterexample inventory on which `equiv` shows the
 * same difference; the answer is deterministic; translations proven against their source.
 */
import { describe, expect, it } from 'vitest'
import { parseText } from '../../src/io/source.js'
import type { PolicySet } from '../../src/ir/policy.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { equiv } from '../../src/semantics/equiv.js'
import { modelByName } from '../../src/semantics/models.js'
import type { Proof } from '../../src/semantics/prove.js'
import { prove } from '../../src/semantics/prove.js'
import { inventoryYaml } from '../../src/cluster/inventory-yaml.js'
import { load } from '../../src/cluster/inventory.js'
import type { Model } from '../../src/semantics/model.js'

const parse = (yaml: string): PolicySet => {
  const p = parseDocs(parseText('p.yaml', yaml).docs)
  expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return p.set
}
const model = (name: string): Model => {
  const m = modelByName(name)
  if (m === undefined) throw new Error(`no model ${name}`)
  return m
}
const side = (yaml: string, cni = 'k8s') => ({ set: parse(yaml), model: model(cni) })

const np = (name: string, ns: string, spec: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
---
`

const allowFromFrontend = np('web', 'prod', `{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 80}]}]}`)
const allowFromFrontendReordered = np('web', 'prod', `{podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}, ingress: [{ports: [{port: 80, protocol: TCP}], from: [{podSelector: {matchLabels: {app: frontend}}}]}]}`)
const allowFromAny = np('web', 'prod', `{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {}}], ports: [{port: 80}]}]}`)

const expectReproduces = (left: ReturnType<typeof side>, right: ReturnType<typeof side>, p: Proof): void => {
  expect(p._tag).toBe('different')
  if (p._tag !== 'different') return
  const { difference: d, inventory } = p.counterexample
  // through the YAML a user gets: load it back and run equiv on it
  const loaded = load(parseText('cx.yaml', inventoryYaml(inventory)).docs, inventory.externals)
  expect(loaded.diagnostics).toEqual([])
  const r = equiv(left, right, loaded.inventory, [d.probe])
  expect(r.differences.some((x) => x.from === d.from && x.to === d.to && x.left === d.left && x.right === d.right)).toBe(true)
}

describe('prove', () => {
  it('proves a set equivalent to the same policy written differently', () => {
    const p = prove(side(allowFromFrontend), side(allowFromFrontendReordered))
    expect(p._tag).toBe('equivalent')
    expect(p.bounds.length).toBeGreaterThan(0)
  })

  it('finds a counterexample that reproduces when sets differ', () => {
    const l = side(allowFromFrontend)
    const r = side(allowFromAny)
    const p = prove(l, r)
    expectReproduces(l, r, p)
    if (p._tag === 'different') {
      expect(p.counterexample.difference.left).toBe(false)
      expect(p.counterexample.difference.right).toBe(true)
      expect(p.counterexample.inventory.pods.length).toBeLessThanOrEqual(2)
    }
  })

  it('tells a named port from a number', () => {
    const l = side(allowFromFrontend)
    const r = side(np('web', 'prod', `{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: http}]}]}`))
    expectReproduces(l, r, prove(l, r))
  })

  it('tells namespace selectors apart', () => {
    const l = side(np('web', 'prod', `{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}]}`))
    const r = side(np('web', 'prod', `{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}, podSelector: {matchLabels: {app: x}}}]}]}`))
    expectReproduces(l, r, prove(l, r))
  })

  it('tells ipBlocks apart', () => {
    const l = side(np('web', 'prod', `{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]}`))
    const r = side(np('web', 'prod', `{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}`))
    expectReproduces(l, r, prove(l, r))
  })

  it('is deterministic', () => {
    const l = side(allowFromFrontend)
    const r = side(allowFromAny)
    expect(JSON.stringify(prove(l, r), (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(JSON.stringify(prove(l, r), (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
  })

  // Cilium CIDR rules never match pods (the translation says `narrower`): the prover must find a flow the source allows and the target denies
  it.each([
    ['calico', 'exact', 'equivalent'],
    ['cilium', 'narrower', 'different']
  ] as const)('proves a Kubernetes set against its translation to %s (%s)', (to, fidelity, tag) => {
    const yaml = allowFromFrontend + np('db', 'prod', `{podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress, Egress], ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}]}], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 53, protocol: UDP}]}]}`)
    const parsed = parseDocs(parseText('p.yaml', yaml).docs)
    const target = dialectByName(to)
    if (target === undefined) throw new Error('no dialect')
    const t = translate(parsed, target, undefined, 'k8s')
    const out = t.objects.map((o) => JSON.stringify(o.object)).join('\n---\n')
    const left = { set: parsed.set, model: model('k8s') }
    const right = { set: parse(out), model: model(to) }
    const p = prove(left, right)
    expect({ tag: p._tag, fidelity: t.fidelity }).toEqual({ tag, fidelity })
    if (p._tag === 'different') {
      expectReproduces(left, right, p)
      expect([p.counterexample.difference.left, p.counterexample.difference.right]).toEqual([true, false])
    }
  })

  // shrunk from the property test: a translation claiming `exact` that the prover refutes (a
  // translator finding reported in issue 19's note): Kubernetes resolves a named port on a
  // host-network destination, the calico model does not (host-network pods are no workload endpoints)
  it('refutes an exact claim: egress to a named port on a host-network pod, Kubernetes to Calico', () => {
    const yaml = np('out', 'a', `{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{protocol: TCP, port: http}]}]}`)
    const parsed = parseDocs(parseText('p.yaml', yaml).docs)
    const target = dialectByName('calico')
    if (target === undefined) throw new Error('no dialect')
    const t = translate(parsed, target, undefined, 'k8s')
    const left = { set: parsed.set, model: model('k8s') }
    const right = { set: parse(t.objects.map((o) => JSON.stringify(o.object)).join('\n---\n')), model: model('calico') }
    const p = prove(left, right)
    expectReproduces(left, right, p)
    if (p._tag !== 'different') return
    const to = p.counterexample.inventory.pods.find((x) => `${x.namespace}/${x.name}` === p.counterexample.difference.to)
    expect([to?.hostNetwork, to?.ports.map((cp) => cp.name), p.counterexample.difference.left, p.counterexample.difference.right]).toEqual([true, ['http'], true, false])
  })
})
