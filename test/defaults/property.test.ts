/**
 * Property: for random combinations of the built-in profiles with random parameters, on random
 * small inventories (namespaces including kube-system, pods with labels, a CoreDNS pod, pods whose
 * address lies in an "external" block, external addresses in and out of the blocks), the truth
 * tables of the Kubernetes output (k8s model), the Calico output (calico model) and the Cilium
 * output (cilium model), each read back with `parseDocs`, are equal — and equal to what the
 * defaults mean (their model-neutral IR under the cilium model).
 */
import fc from 'fast-check'
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
import { dialectByName, parseDocs } from '../../src/pipeline.js'
import type { Model } from '../../src/semantics/model.js'
import { modelByName } from '../../src/semantics/models.js'
import { tableDifferences } from '../equal-tables.js'
import { params } from '../property.js'

// -------------------------------------------------------------------------------------
// generators
// -------------------------------------------------------------------------------------

const ip = (s: string): C.Ip => {
  const r = C.parseIp(s)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const profileNames = builtinProfiles().profiles.map((p) => p.name)

const cidrPool = ['192.0.2.0/24', '198.51.100.0/25', '10.244.3.0/24']
const namespacePool = ['default', 'monitoring', 'ingress-nginx', 'team-a']

/** Command-line values for every parameter a built-in profile has. */
const valuesArb = fc.record({
  direction: fc.constantFrom('ingress', 'egress', 'both'),
  excludeNamespaces: fc.subarray(['kube-system', 'monitoring', 'team-a']),
  cidrs: fc.subarray(cidrPool, { minLength: 1 }),
  fromNamespaces: fc.subarray(['monitoring', 'ingress-nginx', 'team-a'], { minLength: 1 }),
  dnsPort: fc.constantFrom('53', '5353'),
  dnsSelector: fc.constantFrom('k8s-app=kube-dns', 'app=coredns'),
  dnsNamespace: fc.constantFrom('kube-system', 'kube-system', 'default')
})

type Values = typeof valuesArb extends fc.Arbitrary<infer T> ? T : never

const labelsArb = fc.record({ app: fc.constantFrom('web', 'db', 'coredns'), 'k8s-app': fc.constantFrom('kube-dns', 'other') }, { requiredKeys: [] })

/** Pods get addresses from a cluster range, some inside 10.244.3.0/24 (one of the "external" blocks). */
const inventoryArb: fc.Arbitrary<Inventory> = fc
  .record({
    namespaces: fc.subarray(namespacePool),
    pods: fc.array(fc.record({ ns: fc.nat(4), labels: labelsArb, inBlock: fc.boolean() }), { maxLength: 6 }),
    dnsLabels: fc.constantFrom<Readonly<Record<string, string>>>({ 'k8s-app': 'kube-dns' }, { app: 'coredns' }),
    externals: fc.subarray(['192.0.2.5', '198.51.100.3', '198.51.100.200', '203.0.113.9', '10.244.3.200'], { minLength: 1 })
  })
  .map(({ namespaces, pods, dnsLabels, externals }) => {
    const names = ['kube-system', ...namespaces]
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
    return {
      namespaces: names.sort().map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
      pods: [
        pod('kube-system', 'coredns', dnsLabels, '10.244.0.10'),
        ...pods.map((p, i) => pod(names[p.ns % names.length] ?? 'kube-system', `p${i}`, p.labels, p.inBlock ? `10.244.3.${i + 1}` : `10.244.1.${i + 1}`))
      ],
      nodes: [],
      services: [],
      externals: externals.map((x) => ({ text: x, ip: ip(x) }))
    }
  })

const caseArb = fc.record({ profiles: fc.subarray(profileNames, { minLength: 1 }), values: valuesArb, inventory: inventoryArb })

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const model = (name: string): Model => {
  const m = modelByName(name)
  if (m === undefined) throw new Error(`no model ${name}`)
  return m
}

/** The command-line values the chosen profiles declare (others would be refused as unused). */
const cliValues = (names: ReadonlyArray<string>, v: Values): ReadonlyMap<string, ReadonlyArray<string>> => {
  const declared = new Set(builtinProfiles().profiles.filter((p) => names.includes(p.name)).flatMap((p) => p.parameters.map((x) => x.name)))
  const all: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ['direction', [v.direction]],
    // '' gives the empty list: exclude no namespace
    ['excludeNamespaces', v.excludeNamespaces.length === 0 ? [''] : v.excludeNamespaces],
    ['cidrs', v.cidrs],
    ['fromNamespaces', v.fromNamespaces],
    ['dnsPort', [v.dnsPort]],
    ['dnsSelector', [v.dnsSelector]],
    ['dnsNamespace', [v.dnsNamespace]]
  ]
  return new Map(all.filter(([k]) => declared.has(k)))
}

const run = (names: ReadonlyArray<string>, v: Values, inventory: Inventory, target: DialectName): Generated => {
  const dialect = dialectByName(target)
  if (dialect === undefined) throw new Error(`no dialect ${target}`)
  const profiles = builtinProfiles().profiles.filter((p) => names.includes(p.name))
  const g = generate({ profiles, values: cliValues(names, v), target: dialect, inventory, namespaces: undefined })
  if (E.isLeft(g)) throw new Error(g.left.map(D.render).join('\n'))
  return g.right
}

const readBack = (g: Generated): PolicySet => {
  // e.g. Kubernetes output when every namespace of the inventory is excluded
  if (g.translation.objects.length === 0) return { policies: [], tiers: [], networkSets: [] }
  const docs = parseText('out.yaml', serialise(g.translation.objects, 'yaml'))
  const parsed = parseDocs(docs.docs)
  const problems = [...docs.diagnostics, ...parsed.diagnostics].filter((d) => d.severity === 'error')
  if (problems.length > 0) throw new Error(problems.map(D.render).join('\n'))
  return parsed.set
}

// -------------------------------------------------------------------------------------
// property
// -------------------------------------------------------------------------------------

describe('defaults: the three dialects agree', () => {
  it('k8s (k8s model) = calico (calico model) = cilium (cilium model) = the meaning', () => {
    fc.assert(
      fc.property(caseArb, ({ profiles, values, inventory }) => {
        const out = (['k8s', 'calico', 'cilium'] as const).map((target) => {
          const g = run(profiles, values, inventory, target)
          expect({ target, fidelity: g.translation.fidelity, losses: g.translation.diagnostics.filter((d) => !D.isFaithful(d.fidelity ?? 'exact')).map(D.render) }).toEqual({
            target,
            fidelity: g.translation.fidelity,
            losses: []
          })
          // what is handed to translate already means the same under its own model
          expect(tableDifferences(g.meaning, g.input, inventory, model('cilium'), model(g.fromCni))).toEqual([])
          return { target, g, set: readBack(g) }
        })
        const [k8s, calico, cilium] = out
        if (k8s === undefined || calico === undefined || cilium === undefined) throw new Error('missing output')
        expect(tableDifferences(k8s.set, calico.set, inventory, model('k8s'), model('calico'))).toEqual([])
        expect(tableDifferences(k8s.set, cilium.set, inventory, model('k8s'), model('cilium'))).toEqual([])
        expect(tableDifferences(k8s.g.meaning, k8s.set, inventory, model('cilium'), model('k8s'))).toEqual([])
      }),
      params(60)
    )
  })
})
