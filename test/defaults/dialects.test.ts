/**
 * Each built-in profile in each dialect: the output objects, read back with `parseDocs`, have the
 * reachability the profile means (checked flow by flow under the target's own model), and the same
 * truth table as the profile's model-neutral IR under the cilium model.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Inventory, Pod } from '../../src/cluster/inventory.js'
import { builtinProfiles } from '../../src/defaults/builtin.js'
import type { Generated } from '../../src/defaults/generate.js'
import { generate } from '../../src/defaults/generate.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import type { DialectName, PolicySet } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { dialectByName, parseDocs } from '../../src/pipeline.js'
import type { Model } from '../../src/semantics/model.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'
import { tableDifferences } from '../equal-tables.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const ip = (s: string): C.Ip => {
  const r = C.parseIp(s)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const pod = (namespace: string, name: string, labels: Readonly<Record<string, string>>, address: string): Pod => ({
  namespace,
  name,
  labels,
  ip: ip(address),
  ports: [],
  serviceAccount: 'default',
  node: undefined,
  hostNetwork: false
})

const nsLabels = (name: string) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })

/** CoreDNS, Prometheus, a shop, and a pod whose address lies in the "external" block 192.0.2.0/24. */
const inventory: Inventory = {
  namespaces: ['default', 'kube-system', 'monitoring', 'shop'].map(nsLabels),
  pods: [
    pod('default', 'odd', { app: 'odd' }, '192.0.2.77'),
    pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.244.0.10'),
    pod('monitoring', 'prometheus', { app: 'prometheus' }, '10.244.1.10'),
    pod('shop', 'db', { app: 'db' }, '10.244.2.11'),
    pod('shop', 'web', { app: 'web' }, '10.244.2.10')
  ],
  nodes: [],
  services: [],
  externals: [
    { text: '192.0.2.5', ip: ip('192.0.2.5') },
    { text: '203.0.113.9', ip: ip('203.0.113.9') }
  ]
}

const cidr = '192.0.2.0/24'

/** The values each built-in profile needs (the others have defaults). */
const values: Readonly<Record<string, ReadonlyMap<string, ReadonlyArray<string>>>> = {
  'allow-egress-cidr': new Map([['cidrs', [cidr]]]),
  'deny-external-egress': new Map([['cidrs', [cidr]]]),
  'allow-from-namespace': new Map([['fromNamespaces', ['monitoring']]])
}

const targets: ReadonlyArray<DialectName> = ['k8s', 'calico', 'cilium']

const kindsOf: Readonly<Record<DialectName, ReadonlyArray<string>>> = {
  k8s: ['NetworkPolicy'],
  calico: ['GlobalNetworkPolicy', 'NetworkPolicy', 'Tier'],
  cilium: ['CiliumClusterwideNetworkPolicy', 'CiliumNetworkPolicy'],
  cnp: ['ClusterNetworkPolicy']
}

const model = (name: string): Model => {
  const m = modelByName(name)
  if (m === undefined) throw new Error(`no model ${name}`)
  return m
}

const run = (profile: string, target: DialectName): Generated => {
  const p = builtinProfiles().profiles.find((x) => x.name === profile)
  const dialect = dialectByName(target)
  if (p === undefined || dialect === undefined) throw new Error(`no profile ${profile} or dialect ${target}`)
  const g = generate({ profiles: [p], values: values[profile] ?? new Map(), target: dialect, inventory, namespaces: undefined })
  if (E.isLeft(g)) throw new Error(g.left.map(D.render).join('\n'))
  return g.right
}

/** The output as a user gets it: serialised, read back and parsed. */
const readBack = (g: Generated): { readonly set: PolicySet; readonly kinds: ReadonlyArray<string>; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const text = serialise(g.translation.objects, 'yaml')
  const docs = parseText('out.yaml', text)
  const parsed = parseDocs(docs.docs)
  return { set: parsed.set, kinds: docs.docs.map((d) => String((d.value as { kind?: unknown }).kind)), diagnostics: [...docs.diagnostics, ...parsed.diagnostics] }
}

/** Whether `from` may open a connection to `to` on proto/port under the model. */
const allowed = (set: PolicySet, m: Model, from: string, to: string, protocol: number, port: number): boolean => {
  const r = reach(set, inventory, m, [{ protocol, port }])
  const t = r.tables[0]
  if (t === undefined) throw new Error('no table')
  const ids = r.classes.endpoints.map((e) => e.id)
  const i = ids.indexOf(from)
  const j = ids.indexOf(to)
  if (i < 0 || j < 0) throw new Error(`unknown endpoint ${from} or ${to}`)
  return matrix(r, t)[i]?.[j] ?? false
}

// -------------------------------------------------------------------------------------
// expectations: [from, to, protocol, port, allowed]
// -------------------------------------------------------------------------------------

type Flow = readonly [string, string, number, number, boolean]

const { TCP, UDP } = P

const expected: Readonly<Record<string, ReadonlyArray<Flow>>> = {
  'default-deny': [
    ['shop/web', 'shop/db', TCP, 5432, false],
    ['shop/web', '203.0.113.9', TCP, 443, false],
    ['monitoring/prometheus', 'shop/web', TCP, 8080, false],
    // kube-system is excluded: CoreDNS still talks to the world
    ['kube-system/coredns', '203.0.113.9', UDP, 53, true]
  ],
  'allow-dns': [
    ['shop/web', 'kube-system/coredns', UDP, 53, true],
    ['shop/web', 'kube-system/coredns', TCP, 53, true],
    ['shop/web', 'kube-system/coredns', TCP, 80, false],
    ['shop/web', '203.0.113.9', UDP, 53, false],
    // ingress is not governed
    ['shop/web', 'shop/db', TCP, 5432, false],
    ['kube-system/coredns', 'shop/db', TCP, 5432, true]
  ],
  'allow-same-namespace': [
    ['shop/web', 'shop/db', TCP, 5432, true],
    ['shop/web', 'monitoring/prometheus', TCP, 9090, false],
    ['monitoring/prometheus', 'shop/web', TCP, 9090, false],
    ['shop/web', '203.0.113.9', TCP, 443, false]
  ],
  'deny-external-egress': [
    ['shop/web', '203.0.113.9', TCP, 443, false],
    ['shop/web', '192.0.2.5', TCP, 443, true],
    ['shop/web', 'shop/db', TCP, 5432, true],
    ['shop/web', 'default/odd', TCP, 443, true],
    ['kube-system/coredns', '203.0.113.9', UDP, 53, true]
  ],
  'allow-egress-cidr': [
    ['shop/web', '192.0.2.5', TCP, 443, true],
    ['shop/web', '203.0.113.9', TCP, 443, false],
    // a pod whose address is in the block is not "outside the cluster"
    ['shop/web', 'default/odd', TCP, 443, false],
    ['shop/web', 'shop/db', TCP, 5432, false]
  ],
  'allow-from-namespace': [
    ['monitoring/prometheus', 'shop/web', TCP, 9090, true],
    ['shop/db', 'shop/web', TCP, 8080, false],
    ['203.0.113.9', 'shop/web', TCP, 8080, false],
    // monitoring's own pods are subjects too: they accept their namespace
    ['shop/web', 'monitoring/prometheus', TCP, 9090, false]
  ]
}

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

describe('every built-in profile in every dialect', () => {
  it('covers every built-in profile', () => {
    expect(builtinProfiles().diagnostics).toEqual([])
    expect(builtinProfiles().profiles.map((p) => p.name)).toEqual(Object.keys(expected).sort())
  })

  for (const profile of Object.keys(expected))
    for (const target of targets)
      it(`${profile} → ${target}`, () => {
        const g = run(profile, target)
        expect(g.translation.diagnostics.filter((d) => !D.isFaithful(d.fidelity ?? 'exact')).map(D.render)).toEqual([])
        expect(D.isFaithful(g.translation.fidelity)).toBe(true)
        const out = readBack(g)
        expect(out.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
        expect(out.kinds.length).toBeGreaterThan(0)
        expect(out.kinds.filter((k) => !kindsOf[target].includes(k))).toEqual([])
        const m = model(target)
        for (const [from, to, protocol, port, ok] of expected[profile] ?? [])
          expect([from, to, P.protocolName(protocol), port, allowed(out.set, m, from, to, protocol, port)]).toEqual([from, to, P.protocolName(protocol), port, ok])
        // and the whole table is what the profile means
        expect(tableDifferences(g.meaning, out.set, inventory, model('cilium'), m)).toEqual([])
      })
})

describe('dialect-specific forms', () => {
  it('Kubernetes: one NetworkPolicy per namespace that is not excluded, none in kube-system', () => {
    const out = readBack(run('default-deny', 'k8s'))
    expect(out.set.policies.map((p) => p.origin.namespace).sort()).toEqual(['default', 'monitoring', 'shop'])
  })

  it('Calico: isolating defaults in tier default after Kubernetes policies, non-isolating denies in a Pass tier', () => {
    const dd = run('default-deny', 'calico')
    const orders = dd.input.policies.map((p) => p.ordering)
    expect(orders.every((o) => o?.tier === 'default' && (o.order ?? 0) > 1000)).toBe(true)
    const guard = readBack(run('deny-external-egress', 'calico'))
    expect(guard.set.tiers.map((t) => [t.name, t.defaultAction, (t.order ?? Infinity) < 1_000_000])).toEqual([['netpolx-guardrails', 'pass', true]])
    expect(guard.set.policies.map((p) => p.ordering?.tier)).toEqual(['netpolx-guardrails'])
  })

  it('Cilium: cluster-wide policies, and no default deny for deny-external-egress', () => {
    const out = readBack(run('deny-external-egress', 'cilium'))
    expect(out.kinds).toEqual(['CiliumClusterwideNetworkPolicy'])
    expect(out.set.policies.map((p) => p.egress?.defaultDeny)).toEqual([false])
  })

  it('without namespaces, Kubernetes output and allow-same-namespace are refused', () => {
    const codes = (profile: string, target: DialectName): ReadonlyArray<string> => {
      const p = builtinProfiles().profiles.find((x) => x.name === profile)
      const dialect = dialectByName(target)
      if (p === undefined || dialect === undefined) throw new Error('missing')
      const g = generate({ profiles: [p], values: new Map(), target: dialect, inventory: undefined, namespaces: undefined })
      return E.isLeft(g) ? g.left.map((d) => d.code) : []
    }
    expect(codes('default-deny', 'k8s')).toEqual(['needs-namespaces'])
    expect(codes('allow-same-namespace', 'cilium')).toEqual(['needs-namespaces'])
    expect(codes('allow-same-namespace', 'calico')).toEqual(['needs-namespaces'])
    expect(codes('default-deny', 'calico')).toEqual([])
  })
})

describe('every built-in profile as ClusterNetworkPolicies (defaults --to cnp)', () => {
  const external = new Set(inventory.externals.map((x) => x.text))
  for (const profile of Object.keys(expected))
    it(`${profile} → cnp`, () => {
      const g = run(profile, 'cnp')
      const lossy = [...g.diagnostics, ...g.translation.diagnostics].filter((d) => !D.isFaithful(d.fidelity ?? 'exact'))
      // the one loss: a Baseline ingress deny cannot match sources that are not pods
      expect([...new Set(lossy.map((d) => `${d.code} ${d.fidelity ?? ''}`))]).toEqual(lossy.length === 0 ? [] : ['baseline-ingress-pods-only broader'])
      const out = readBack(g)
      expect(out.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
      expect(out.kinds.length).toBeGreaterThan(0)
      expect(out.kinds.filter((k) => k !== 'ClusterNetworkPolicy')).toEqual([])
      const m = model('k8s')
      for (const [from, to, protocol, port, ok] of expected[profile] ?? []) {
        const broaderHere = lossy.length > 0 && external.has(from)
        if (!broaderHere) expect([from, to, P.protocolName(protocol), port, allowed(out.set, m, from, to, protocol, port)]).toEqual([from, to, P.protocolName(protocol), port, ok])
      }
      // the whole table is what the profile means, but for connections from outside the cluster when reported broader
      const diffs = tableDifferences(g.meaning, out.set, inventory, model('cilium'), m)
      expect(diffs.filter((l) => !(lossy.length > 0 && external.has(l.split(' ')[0] ?? '') && l.endsWith('left denies, right allows')))).toEqual([])
      if (lossy.length === 0) expect(diffs).toEqual([])
    })
})
