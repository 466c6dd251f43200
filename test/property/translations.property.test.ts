/**
 * The project's central promise, as properties (issue 5): for every (source, target) pair of
 * dialects, identity round trips included, on random clusters and random policy sets,
 *
 *   oracle_source(P)  vs  oracle_target(translate(P))
 *
 * is equal where the translation reports `exact` or `exact-for-inventory`, a subset where it
 * reports only `narrower`, a superset where only `broader` — with the independent reference
 * interpreters of test/oracle reading the raw YAML on both sides. And the engine (parser + model)
 * agrees with the source's oracle: `reach(parse(P))` = `oracle_source(P)`.
 *
 * Flows from an endpoint to itself are left out (the upstream tables leave them out too).
 * Fixed seed; NETPOLX_PROPERTY_RUNS sets the number of runs per source dialect.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Dialect } from '../../dialects/dialect.js'
import type { External, Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import type { DialectName } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'
import * as calicoOracle from '../oracle/calico.js'
import * as ciliumOracle from '../oracle/cilium.js'
import type { Matrix, Probe } from '../oracle/inventory.js'
import * as k8sOracle from '../oracle/k8s.js'
import { params } from '../property.js'
import { calicoPoliciesArb, ciliumPoliciesArb, clusterArb, externals, k8sPoliciesArb } from './generators.js'

/** The dialects the generators write (cluster network policies have their own suite, cnp.property.test.ts). */
type Generated = Exclude<DialectName, 'cnp'>

const dialects: ReadonlyArray<Generated> = ['k8s', 'calico', 'cilium']

const oracles: Readonly<Record<Generated, { readonly table: (docs: ReadonlyArray<unknown>, inv: Inventory, probes: ReadonlyArray<Probe>) => ReadonlyArray<Matrix> }>> = {
  k8s: k8sOracle,
  calico: calicoOracle,
  cilium: ciliumOracle
}

const policies: Readonly<Record<Generated, fc.Arbitrary<string>>> = { k8s: k8sPoliciesArb, calico: calicoPoliciesArb, cilium: ciliumPoliciesArb }

/**
 * Every port the generators single out, one inside a range, and one no policy names, each from a
 * source port: ephemeral, or one the generators single out (151, one inside 1000:2000), spread over
 * the ports so that source ports cost no extra probe; then ICMP echo request and a
 * destination-unreachable code.
 */
const ephemeral = 40000
const probes: ReadonlyArray<Probe> = [
  { protocol: 'TCP', port: 80, sourcePort: ephemeral },
  { protocol: 'TCP', port: 8050, sourcePort: 151 },
  { protocol: 'TCP', port: 8080, sourcePort: 1500 },
  { protocol: 'TCP', port: 9090, sourcePort: 151 },
  { protocol: 'TCP', port: 443, sourcePort: ephemeral },
  { protocol: 'UDP', port: 53, sourcePort: 151 },
  { protocol: 'TCP', port: 7, sourcePort: 1500 },
  { protocol: 'UDP', port: 7, sourcePort: ephemeral },
  { protocol: 'SCTP', port: 80, sourcePort: ephemeral },
  { protocol: 'ICMP', port: 8 * 256 },
  { protocol: 'ICMP', port: 3 * 256 + 1 }
]
const protocolNumber = { TCP: P.TCP, UDP: P.UDP, SCTP: P.SCTP, ICMP: P.ICMP } as const

const externalEndpoints: ReadonlyArray<External> = externals.map((text) => {
  const ip = C.parseIp(text)
  if (ip._tag === 'Left') throw new Error(ip.left)
  return { text, ip: ip.right }
})

const inventoryOf = (clusterText: string): Inventory => {
  const r = load(parseText('cluster.yaml', clusterText).docs)
  expect(r.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  return { ...r.inventory, externals: externalEndpoints }
}

const valuesOf = (file: string, text: string): ReadonlyArray<unknown> => {
  const r = parseText(file, text)
  // a set (or a translation) may hold no policies at all
  expect(r.diagnostics.filter((d) => d.code !== 'empty-input').map(D.render)).toEqual([])
  return r.docs.map((d) => d.value)
}

/** Flows (off the diagonal) allowed by one side only, as readable lines. */
const compareTables = (left: ReadonlyArray<Matrix>, right: ReadonlyArray<Matrix>, ids: ReadonlyArray<string>): { readonly leftOnly: ReadonlyArray<string>; readonly rightOnly: ReadonlyArray<string> } => {
  const leftOnly: Array<string> = []
  const rightOnly: Array<string> = []
  probes.forEach((pr, k) =>
    ids.forEach((from, i) =>
      ids.forEach((to, j) => {
        if (i === j) return
        const a = left[k]?.[i]?.[j] ?? false
        const b = right[k]?.[i]?.[j] ?? false
        const flow = `${from} -> ${to} ${pr.port}/${pr.protocol}${pr.sourcePort === undefined ? '' : ` from port ${pr.sourcePort}`}`
        if (a && !b) leftOnly.push(flow)
        if (b && !a) rightOnly.push(flow)
      })
    )
  )
  return { leftOnly, rightOnly }
}

interface Tally {
  runs: number
  faithful: Record<Generated, number>
}

const check = (source: Generated, clusterText: string, policyText: string, tally: Tally): void => {
  const inv = inventoryOf(clusterText)
  const values = valuesOf('policies.yaml', policyText)
  const parsed = parseDocs(parseText('policies.yaml', policyText).docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const ids = [...inv.pods].map((p) => `${p.namespace}/${p.name}`).sort().concat(inv.externals.map((e) => e.text))
  const expected = oracles[source].table(values, inv, probes)
  tally.runs++

  // the engine (parser + model) reads the source as its oracle does
  const model = modelByName(source)
  expect(model).toBeDefined()
  if (model === undefined) return
  const r = reach(
    parsed.set,
    inv,
    model,
    probes.map((p) => ({ protocol: protocolNumber[p.protocol], port: p.port, sourcePort: p.sourcePort }))
  )
  const engine = r.tables.map((t) => matrix(r, t))
  expect(r.classes.endpoints.map((e) => e.id)).toEqual(ids)
  expect(compareTables(expected, engine, ids)).toEqual({ leftOnly: [], rightOnly: [] })

  for (const target of dialects) {
    const dialect: Dialect | undefined = dialectByName(target)
    if (dialect === undefined) throw new Error(`no ${target} dialect`)
    const t = translate(parsed, dialect, inv)
    const text = serialise(t.objects, 'yaml')
    const again = parseDocs(parseText('translated.yaml', text).docs)
    expect(again.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
    const losses = new Set([...parsed.diagnostics, ...t.diagnostics].flatMap((d) => (d.fidelity === undefined || D.isFaithful(d.fidelity) ? [] : [d.fidelity])))
    if (losses.has('unsupported') || losses.size > 1) continue
    const actual = oracles[target].table(valuesOf('translated.yaml', text), inv, probes)
    const diff = compareTables(expected, actual, ids)
    const where = `${source} → ${target}\n--- cluster\n${clusterText}\n--- input\n${policyText}\n--- output\n${text}\n--- findings\n${t.diagnostics.map(D.render).join('\n')}`
    const wrong = losses.size === 0 ? diff.leftOnly.length + diff.rightOnly.length : losses.has('narrower') ? diff.rightOnly.length : diff.leftOnly.length
    if (wrong > 0 && process.env.NETPOLX_PROPERTY_DEBUG !== undefined) console.log(`FAILING ${where}\n--- diff\n${JSON.stringify(diff, null, 1)}`)
    if (losses.size === 0) {
      tally.faithful[target]++
      expect({ ...diff, where }).toEqual({ leftOnly: [], rightOnly: [], where })
    } else if (losses.has('narrower')) expect({ rightOnly: diff.rightOnly, where }).toEqual({ rightOnly: [], where })
    else expect({ leftOnly: diff.leftOnly, where }).toEqual({ leftOnly: [], where })
  }
}

describe('translations keep reachability: oracle(source) against oracle(target) for all nine pairs', () => {
  for (const source of dialects)
    it(`${source} → k8s, calico, cilium`, () => {
      const tally: Tally = { runs: 0, faithful: { k8s: 0, calico: 0, cilium: 0 } }
      fc.assert(
        fc.property(clusterArb, policies[source], (clusterText, policyText) => {
          check(source, clusterText, policyText, tally)
        }),
        params(200)
      )
      // not vacuous: most translations into the source's own dialect are faithful, and some into each other
      expect(tally.faithful[source]).toBeGreaterThan(tally.runs / 2)
      for (const target of dialects) expect(tally.faithful[target]).toBeGreaterThan(0)
    })
})
