/**
 * Cluster network policies keep reachability across translations, checked against the oracles
 * (test/oracle): the engine reads a CNP set (with NetworkPolicies) as the cnp oracle does under the
 * k8s model; `translate --to calico` gives Calico resources the calico oracle reads the same;
 * `--to k8s|cnp|anp` keep the cluster network policies; and Calico and Cilium sets translated
 * `--to cnp` mean, under the cnp oracle, what their own oracle says — exactly where the fidelity
 * is exact, ⊆ / ⊇ where it is narrower / broader.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import type { CnpVersion } from '../../dialects/cnp/emit.js'
import * as P from '../../src/ir/ports.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'
import * as calicoOracle from '../oracle/calico.js'
import * as cnpOracle from '../oracle/cnp.js'
import * as ciliumOracle from '../oracle/cilium.js'
import type { Matrix, Probe } from '../oracle/inventory.js'
import { params } from '../property.js'
import { cnpPoliciesArb } from './cnp-generators.js'
import { calicoPoliciesArb, ciliumPoliciesArb, clusterArb, externals } from './generators.js'

const probes: ReadonlyArray<Probe> = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'TCP', port: 8050 },
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 9090 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'SCTP', port: 80 }
]
const protocolNumber = { TCP: P.TCP, UDP: P.UDP, SCTP: P.SCTP, ICMP: P.ICMP } as const

const inventoryOf = (clusterText: string): Inventory => {
  const r = load(parseText('cluster.yaml', clusterText).docs)
  expect(r.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const ext = externals.map((text) => {
    const ip = C.parseIp(text)
    if (ip._tag === 'Left') throw new Error(ip.left)
    return { text, ip: ip.right }
  })
  return { ...r.inventory, externals: ext }
}

const values = (text: string): ReadonlyArray<unknown> => parseText('x.yaml', text).docs.map((d) => d.value)

const compare = (left: ReadonlyArray<Matrix>, right: ReadonlyArray<Matrix>, ids: ReadonlyArray<string>): { readonly leftOnly: ReadonlyArray<string>; readonly rightOnly: ReadonlyArray<string> } => {
  const leftOnly: Array<string> = []
  const rightOnly: Array<string> = []
  probes.forEach((pr, k) =>
    ids.forEach((from, i) =>
      ids.forEach((to, j) => {
        if (i === j) return
        const a = left[k]?.[i]?.[j] ?? false
        const b = right[k]?.[i]?.[j] ?? false
        if (a && !b) leftOnly.push(`${from} -> ${to} ${pr.port}/${pr.protocol}`)
        if (b && !a) rightOnly.push(`${from} -> ${to} ${pr.port}/${pr.protocol}`)
      })
    )
  )
  return { leftOnly, rightOnly }
}

const idsOf = (inv: Inventory): ReadonlyArray<string> => [...inv.pods].map((p) => `${p.namespace}/${p.name}`).sort().concat(inv.externals.map((e) => e.text))

type Oracle = (docs: ReadonlyArray<unknown>, inv: Inventory, probes: ReadonlyArray<Probe>) => ReadonlyArray<Matrix>

/** Translates and compares source and target oracles; returns whether the translation was faithful. */
const translated = (clusterText: string, policyText: string, to: string, source: Oracle, target: Oracle, version: CnpVersion = 'v1alpha2'): boolean => {
  const inv = inventoryOf(clusterText)
  const parsed = parseDocs(parseText('policies.yaml', policyText).docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const dialect = dialectByName(to)
  if (dialect === undefined) throw new Error(`no ${to}`)
  const t = translate(parsed, dialect, inv, undefined, version)
  const text = serialise(t.objects, 'yaml')
  const losses = new Set([...parsed.diagnostics, ...t.diagnostics].flatMap((d) => (d.fidelity === undefined || D.isFaithful(d.fidelity) ? [] : [d.fidelity])))
  if (losses.has('unsupported') || losses.size > 1) return false
  const again = parseDocs(parseText('translated.yaml', text).docs)
  expect(again.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const ids = idsOf(inv)
  const diff = compare(source(values(policyText), inv, probes), target(values(text), inv, probes), ids)
  const where = `→ ${to}\n--- cluster\n${clusterText}\n--- input\n${policyText}\n--- output\n${text}\n--- findings\n${t.diagnostics.map(D.render).join('\n')}`
  if (losses.size === 0) expect({ ...diff, where }).toEqual({ leftOnly: [], rightOnly: [], where })
  else if (losses.has('narrower')) expect({ rightOnly: diff.rightOnly, where }).toEqual({ rightOnly: [], where })
  else expect({ leftOnly: diff.leftOnly, where }).toEqual({ leftOnly: [], where })
  return losses.size === 0
}

describe('cluster network policies: engine and translations against the oracles', () => {
  it('the engine (k8s model) reads CNP sets with NetworkPolicies as the cnp oracle does', () => {
    const model = modelByName('k8s')
    if (model === undefined) throw new Error('no k8s model')
    fc.assert(
      fc.property(clusterArb, cnpPoliciesArb, (clusterText, policyText) => {
        const inv = inventoryOf(clusterText)
        const parsed = parseDocs(parseText('policies.yaml', policyText).docs)
        expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
        const r = reach(parsed.set, inv, model, probes.map((p) => ({ protocol: protocolNumber[p.protocol], port: p.port })))
        const ids = idsOf(inv)
        expect(r.classes.endpoints.map((e) => e.id)).toEqual(ids)
        const engine = r.tables.map((t) => matrix(r, t))
        expect({ ...compare(cnpOracle.table(values(policyText), inv, probes), engine, ids), policyText }).toEqual({ leftOnly: [], rightOnly: [], policyText })
      }),
      params(100)
    )
  })

  for (const to of ['k8s', 'cnp', 'calico'] as const)
    it(`cnp → ${to}`, () => {
      let faithful = 0
      fc.assert(
        fc.property(clusterArb, cnpPoliciesArb, (clusterText, policyText) => {
          if (translated(clusterText, policyText, to, cnpOracle.table, to === 'calico' ? calicoOracle.table : cnpOracle.table)) faithful++
        }),
        params(60)
      )
      expect(faithful).toBeGreaterThan(0)
    })

  it('cnp → anp (v1alpha1)', () => {
    let faithful = 0
    fc.assert(
      fc.property(clusterArb, cnpPoliciesArb, (clusterText, policyText) => {
        if (translated(clusterText, policyText, 'cnp', cnpOracle.table, cnpOracle.table, 'v1alpha1')) faithful++
      }),
      params(30)
    )
    expect(faithful).toBeGreaterThan(0)
  })

  it('calico → cnp', () => {
    let faithful = 0
    fc.assert(
      fc.property(clusterArb, calicoPoliciesArb, (clusterText, policyText) => {
        if (translated(clusterText, policyText, 'cnp', calicoOracle.table, cnpOracle.table)) faithful++
      }),
      params(80)
    )
    expect(faithful).toBeGreaterThan(0)
  })

  it('cilium → cnp', () => {
    let faithful = 0
    fc.assert(
      fc.property(clusterArb, ciliumPoliciesArb, (clusterText, policyText) => {
        if (translated(clusterText, policyText, 'cnp', ciliumOracle.table, cnpOracle.table)) faithful++
      }),
      params(80)
    )
    expect(faithful).toBeGreaterThan(0)
  })
})
