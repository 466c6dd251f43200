/**
 * Trusting the prover the way the models are trusted (issue 19 item 4), on random policy sets
 * (each dialect, pairs of random sets and sets with their translations):
 *
 *  (a) when `prove` says "equivalent on every cluster", `equiv` on random clusters finds no
 *      difference — clusters brought inside the stated bounds: each pod on a node of its own, a
 *      pod declaring at most one of the port names the policies mention, each name one number
 *      cluster-wide;
 *  (b) every counterexample it prints, loaded back from its YAML, shows the same flow difference
 *      under `equiv --cluster` (through `equiv` on the loaded inventory).
 *
 * Fixed seed; NETPOLX_PROPERTY_RUNS sets the number of runs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inventoryYaml } from '../../src/cluster/inventory-yaml.js'
import type { External, Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import type { DialectName, PolicySet } from '../../src/ir/policy.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import type { Side } from '../../src/semantics/equiv.js'
import { equiv } from '../../src/semantics/equiv.js'
import { modelByName } from '../../src/semantics/models.js'
import { prove } from '../../src/semantics/prove.js'
import { params } from '../property.js'
import { calicoPoliciesArb, ciliumPoliciesArb, clusterArb, externals, k8sPoliciesArb } from './generators.js'

const dialects = ['k8s', 'calico', 'cilium'] as const satisfies ReadonlyArray<DialectName>
const policies: Readonly<Record<(typeof dialects)[number], fc.Arbitrary<string>>> = { k8s: k8sPoliciesArb, calico: calicoPoliciesArb, cilium: ciliumPoliciesArb }

const externalEndpoints: ReadonlyArray<External> = externals.map((text) => {
  const ip = C.parseIp(text)
  if (ip._tag === 'Left') throw new Error(ip.left)
  return { text, ip: ip.right }
})

const parse = (text: string): PolicySet => {
  const p = parseDocs(parseText('p.yaml', text).docs)
  expect(p.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  return p.set
}

const sideOf = (set: PolicySet, cni: DialectName): Side => {
  const model = modelByName(cni)
  if (model === undefined) throw new Error(`no model ${cni}`)
  return { set, model }
}

const mentionedNames = (sets: ReadonlyArray<PolicySet>): ReadonlySet<string> =>
  new Set(sets.flatMap((s) => s.policies.flatMap((p) => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])].flatMap((r) => r.ports.named.map((n) => n.name)))))

/** The random cluster brought inside the prover's bounds (module comment). */
const withinBounds = (clusterText: string, sets: ReadonlyArray<PolicySet>): Inventory => {
  const r = load(parseText('cluster.yaml', clusterText).docs)
  expect(r.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const names = mentionedNames(sets)
  const numberOf = new Map<string, number>()
  const pods = r.inventory.pods.map((p) => {
    const first = p.ports.find((cp) => cp.name !== undefined && names.has(cp.name))
    const ports = p.ports.flatMap((cp) => {
      if (cp.name === undefined || !names.has(cp.name)) return [cp]
      if (cp !== first) return []
      const n = numberOf.get(cp.name) ?? cp.port
      numberOf.set(cp.name, n)
      return [{ ...cp, port: n }]
    })
    return { ...p, ports, node: `node-${p.namespace}-${p.name}` }
  })
  return { ...r.inventory, pods, nodes: pods.map((p) => ({ name: p.node, labels: {}, ips: [] })), externals: externalEndpoints }
}

interface Tally {
  equivalent: number
  different: number
  undecided: number
  exactClaims: number
  exactProven: number
}

const checkPair = (left: Side, right: Side, clusterText: string, tally: Tally): void => {
  const p = prove(left, right)
  tally[p._tag]++
  if (p._tag === 'equivalent') {
    // (a)
    const r = equiv(left, right, withinBounds(clusterText, [left.set, right.set]), undefined, 3)
    expect(r.differences.map((d) => `${d.from} -> ${d.to} ${d.probe.protocol}/${d.probe.port}: ${d.left} vs ${d.right}`)).toEqual([])
  } else if (p._tag === 'different') {
    // (b), through the YAML a user gets
    const { difference: d, inventory } = p.counterexample
    const loaded = load(parseText('cx.yaml', inventoryYaml(inventory)).docs, inventory.externals)
    expect(loaded.diagnostics).toEqual([])
    const r = equiv(left, right, loaded.inventory, [d.probe])
    expect(r.differences.filter((x) => x.from === d.from && x.to === d.to && x.left === d.left && x.right === d.right).length).toBe(1)
  }
}

describe('prove: properties', () => {
  const tally: Tally = { equivalent: 0, different: 0, undecided: 0, exactClaims: 0, exactProven: 0 }

  it.each(dialects)('on %s sets: two random sets, and a set with its translations', (source) => {
    fc.assert(
      fc.property(policies[source], policies[source], clusterArb, (a, b, cluster) => {
        const left = sideOf(parse(a), source)
        checkPair(left, sideOf(parse(b), source), cluster, tally)
        checkPair(left, left, cluster, tally)
        const parsed = parseDocs(parseText('p.yaml', a).docs)
        for (const target of dialects) {
          const dialect = dialectByName(target)
          if (dialect === undefined) throw new Error(`no ${target} dialect`)
          const t = translate(parsed, dialect, undefined)
          if (D.hasErrors(t.diagnostics)) continue
          const right = sideOf(parse(serialise(t.objects, 'yaml')), target)
          const before = tally.equivalent
          checkPair(left, right, cluster, tally)
          if (t.fidelity === 'exact') {
            tally.exactClaims++
            if (tally.equivalent > before) tally.exactProven++
          }
        }
      }),
      params(6)
    )
    // a set is always proven equivalent to itself
    expect(tally.equivalent).toBeGreaterThan(0)
    if (process.env.NETPOLX_PROVE_TALLY !== undefined) process.stderr.write(`prove tally after ${source}: ${JSON.stringify(tally)}\n`)
  }, 600_000)
})
