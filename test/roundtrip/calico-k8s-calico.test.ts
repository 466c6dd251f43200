/**
 * Round trips through another dialect and back (issue 3: calico → k8s → calico; issue 4: calico →
 * cilium → calico and cilium → calico → cilium): on random clusters and random policy sets, wherever
 * both legs report themselves faithful, the source's oracle gives the same table for the input and
 * for what comes back.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { External, Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import type { DialectName } from '../../src/ir/policy.js'
import type { Parsed } from '../../src/pipeline.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import * as calicoOracle from '../oracle/calico.js'
import * as ciliumOracle from '../oracle/cilium.js'
import type { Matrix, Probe } from '../oracle/inventory.js'
import { calicoPoliciesArb, ciliumPoliciesArb, clusterArb, externals } from '../property/generators.js'
import { params } from '../property.js'

const probes: ReadonlyArray<Probe> = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 9090 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 8050 },
  { protocol: 'TCP', port: 7 }
]

const externalEndpoints: ReadonlyArray<External> = externals.map((text) => {
  const ip = C.parseIp(text)
  if (ip._tag === 'Left') throw new Error(ip.left)
  return { text, ip: ip.right }
})

const values = (text: string): ReadonlyArray<unknown> => parseText('x.yaml', text).docs.map((d) => d.value)

/** One leg: the translated text when the translation is faithful, else undefined. */
const leg = (parsed: Parsed, to: DialectName, inv: Inventory): string | undefined => {
  const target = dialectByName(to)
  if (target === undefined) throw new Error(to)
  const t = translate(parsed, target, inv)
  return D.isFaithful(t.fidelity) ? serialise(t.objects, 'yaml') : undefined
}

const offDiagonal = (ts: ReadonlyArray<Matrix>): ReadonlyArray<ReadonlyArray<ReadonlyArray<boolean>>> => ts.map((m) => m.map((row, i) => row.map((v, j) => (i === j ? true : v))))

interface Oracle {
  readonly table: (docs: ReadonlyArray<unknown>, inv: Inventory, probes: ReadonlyArray<Probe>) => ReadonlyArray<Matrix>
}

const roundTrip = (source: DialectName, via: DialectName, arb: fc.Arbitrary<string>, oracle: Oracle): void => {
  let both = 0
  let runs = 0
  fc.assert(
    fc.property(clusterArb, arb, (clusterText, policyText) => {
      runs++
      const inv: Inventory = { ...load(parseText('cluster.yaml', clusterText).docs).inventory, externals: externalEndpoints }
      const parsed = parseDocs(parseText('in.yaml', policyText).docs)
      const there = leg(parsed, via, inv)
      if (there === undefined) return
      const back = leg(parseDocs(parseText('there.yaml', there).docs), source, inv)
      if (back === undefined) return
      both++
      expect(offDiagonal(oracle.table(values(back), inv, probes))).toEqual(offDiagonal(oracle.table(values(policyText), inv, probes)))
    }),
    params(100)
  )
  // not vacuous
  expect(both).toBeGreaterThan(runs / 10)
}

describe('round trips keep the truth table wherever both legs are faithful', () => {
  it('calico → k8s → calico', () => roundTrip('calico', 'k8s', calicoPoliciesArb, calicoOracle))
  it('calico → cilium → calico', () => roundTrip('calico', 'cilium', calicoPoliciesArb, calicoOracle))
  it('cilium → calico → cilium', () => roundTrip('cilium', 'calico', ciliumPoliciesArb, ciliumOracle))
})
