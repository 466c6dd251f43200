/**
 * The class-level form loses nothing: on random clusters and random policy sets in each dialect,
 * under each model, expanding the groups and flows of `behaviours` gives back the pod-level matrix
 * of every probe, and every endpoint is in exactly one group. Fixed seed; NETPOLX_PROPERTY_RUNS
 * sets the number of runs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { External } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import { behaviours, expand } from '../../src/semantics/behaviour.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'
import { params } from '../property.js'
import { calicoPoliciesArb, ciliumPoliciesArb, clusterArb, externals, k8sPoliciesArb } from './generators.js'

const externalEndpoints: ReadonlyArray<External> = externals.map((text) => {
  const ip = C.parseIp(text)
  if (ip._tag === 'Left') throw new Error(ip.left)
  return { text, ip: ip.right }
})

const probes = [
  { protocol: P.TCP, port: 80 },
  { protocol: P.TCP, port: 8080 },
  { protocol: P.UDP, port: 53 },
  { protocol: P.TCP, port: 7 }
]

describe('class-level form on random clusters', () => {
  for (const [name, arb] of [
    ['k8s', k8sPoliciesArb],
    ['calico', calicoPoliciesArb],
    ['cilium', ciliumPoliciesArb]
  ] as const)
    it(`${name} policies, under every model: the groups and flows expand to the pod-level tables`, () => {
      fc.assert(
        fc.property(clusterArb, arb, (clusterText, policyText) => {
          const inv = { ...load(parseText('cluster.yaml', clusterText).docs).inventory, externals: externalEndpoints }
          const set = parseDocs(parseText('policies.yaml', policyText).docs).set
          for (const m of ['k8s', 'calico', 'cilium'] as const) {
            const model = modelByName(m)
            if (model === undefined) continue
            const r = reach(set, inv, model, probes)
            const b = behaviours(r)
            expect(b.groups.flatMap((g) => g.members).sort((x, y) => x - y)).toEqual(r.classes.endpoints.map((_, i) => i))
            r.tables.forEach((t, k) => expect(expand(b, r.classes.endpoints.length, k)).toEqual(matrix(r, t)))
          }
        }),
        params(25)
      )
    })
})
