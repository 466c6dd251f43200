/**
 * Property: random Calico policy sets (tiers with Deny or Pass defaults, orders, Allow/Deny/Pass/Log
 * rules over selectors, namespace selectors, nets and ports) translated to Kubernetes keep their
 * truth table — the calico model's table of the input equals the k8s model's table of the
 * re-parsed output on an inventory generated from the policies — whenever the translation reports
 * itself faithful (exact or exact-for-inventory).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as YAML from 'yaml'
import type { Inventory } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { calico } from '../../src/semantics/calico.js'
import { k8s } from '../../src/semantics/k8s.js'
import { tableDifferences } from '../equal-tables.js'
import { inventoryFor } from '../inventory-gen.js'
import { params } from '../property.js'

const selectors = ['all()', "app == 'web'", "app == 'db'", "role == 'bad'", 'has(role)', "app != 'web'", "role in {'bad', 'admin'}"]
const namespaceSelectors = ["team == 'blue'", 'all()', "projectcalico.org/name == 'other'"]

const entityArb: fc.Arbitrary<Readonly<Record<string, unknown>>> = fc.oneof(
  fc.constant({}),
  fc.record({ selector: fc.constantFrom(...selectors) }),
  fc.record({ selector: fc.constantFrom(...selectors), namespaceSelector: fc.constantFrom(...namespaceSelectors) }),
  fc.record({ namespaceSelector: fc.constantFrom(...namespaceSelectors) }),
  fc.record({ nets: fc.constantFrom(['10.9.0.0/30'], ['0.0.0.0/0'], ['10.9.0.0/16']) }),
  fc.record({ notNets: fc.constantFrom(['10.9.0.0/30'], ['10.0.0.0/8']) }),
  fc.record({ notSelector: fc.constantFrom(...selectors) })
)
const portsArb = fc.option(fc.constantFrom([80], ['80:90'], [53, 443]), { nil: undefined })

const ruleArb = fc.record({
  action: fc.constantFrom('Allow', 'Deny', 'Pass', 'Log', 'Allow', 'Deny'),
  protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }),
  peer: entityArb,
  ports: portsArb
})

const policyArb = fc.record({
  kind: fc.constantFrom('NetworkPolicy', 'NetworkPolicy', 'GlobalNetworkPolicy'),
  namespace: fc.constantFrom('shop', 'other'),
  tier: fc.constantFrom('default', 'default', 'sec'),
  order: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  selector: fc.constantFrom(...selectors),
  ingress: fc.option(fc.array(ruleArb, { maxLength: 3 }), { nil: undefined }),
  egress: fc.option(fc.array(ruleArb, { maxLength: 2 }), { nil: undefined })
})

const setArb = fc.record({ secDefault: fc.constantFrom('Deny', 'Pass'), policies: fc.array(policyArb, { minLength: 1, maxLength: 3 }) })

type Rule = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never
type GenSet = typeof setArb extends fc.Arbitrary<infer T> ? T : never

const ruleYaml = (r: Rule, dir: 'ingress' | 'egress'): unknown => {
  const peer = r.peer
  const ports = r.ports
  const hasPorts = ports !== undefined && r.protocol !== undefined
  const peerSide = dir === 'ingress' ? 'source' : 'destination'
  const out: Record<string, unknown> = { action: r.action }
  if (r.protocol !== undefined) out.protocol = r.protocol
  if (Object.keys(peer).length > 0) out[peerSide] = peer
  if (hasPorts) out.destination = { ...((out.destination as Record<string, unknown> | undefined) ?? {}), ports }
  return out
}

const yamlOf = (s: GenSet): string => {
  const docs: Array<unknown> = [{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'sec' }, spec: { order: 10, defaultAction: s.secDefault } }]
  s.policies.forEach((p, i) => {
    const name = p.tier === 'default' ? `p${i}` : `sec.p${i}`
    const types: Array<string> = []
    const spec: Record<string, unknown> = { tier: p.tier, selector: p.selector }
    if (p.order !== undefined) spec.order = p.order
    for (const d of ['ingress', 'egress'] as const) {
      const rules: ReadonlyArray<Rule> | undefined = p[d]
      if (rules === undefined) continue
      types.push(d === 'ingress' ? 'Ingress' : 'Egress')
      spec[d] = rules.map((r) => ruleYaml(r, d))
    }
    if (types.length === 0) types.push('Ingress')
    spec.types = types
    const metadata = p.kind === 'GlobalNetworkPolicy' ? { name } : { name, namespace: p.namespace }
    docs.push({ apiVersion: 'projectcalico.org/v3', kind: p.kind, metadata, spec })
  })
  return docs.map((d) => YAML.stringify(d)).join('---\n')
}

const external: Inventory['externals'][number] = { text: '203.0.113.9', ip: { family: 4, value: (203n << 24n) + (113n << 8n) + 9n } }

describe('Calico → Kubernetes keeps the truth table wherever it says it is faithful', () => {
  it('on random ordered policy sets', () => {
    const target = dialectByName('k8s')
    expect(target).toBeDefined()
    if (target === undefined) return
    let faithful = 0
    const lossy = new Map<string, number>()
    let total = 0
    fc.assert(
      fc.property(setArb, (s) => {
        const text = yamlOf(s)
        const read = parseText('in.yaml', text)
        expect(read.diagnostics).toEqual([])
        const parsed = parseDocs(read.docs)
        expect(parsed.set.policies.length).toBe(s.policies.length)
        if (D.hasErrors(parsed.diagnostics)) return true
        total++
        const gen = inventoryFor(parsed.set)
        const inv: Inventory = { ...gen, externals: [...gen.externals, external] }
        const t = translate(parsed, target, inv)
        if (!D.isFaithful(t.fidelity)) {
          for (const d of t.diagnostics) if (d.fidelity !== undefined && !D.isFaithful(d.fidelity)) lossy.set(d.code, (lossy.get(d.code) ?? 0) + 1)
          return true
        }
        faithful++
        const again = parseDocs(parseText('out.yaml', serialise(t.objects, 'yaml')).docs)
        expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
        expect(tableDifferences(parsed.set, again.set, inv, calico, k8s)).toEqual([])
        return true
      }),
      params(150)
    )
    // what is lossy is only what a NetworkPolicy cannot say: other IP protocols, peers mixing addresses with labels
    expect([...lossy.keys()].sort()).toEqual(['unsupported-peer', 'unsupported-protocol'])
    // the property must not hold vacuously
    expect(total).toBeGreaterThan(50)
    expect(faithful / total).toBeGreaterThan(0.3)
  })
})
