/**
 * Compiling Calico's ordered evaluation into allow-only Kubernetes NetworkPolicies (src/lower):
 * each case is a Calico policy set exercising one rule of research/calico.md §4 (Deny before Allow,
 * Pass, tiers and their default actions, a Deny-only policy's end-of-tier drop, Log, a lower-order
 * Calico Allow bypassing Kubernetes policies, GlobalNetworkPolicies). The set is translated to
 * Kubernetes through the pipeline and the text is parsed again; the k8s model's table of the result
 * must equal the calico model's table of the input on an inventory generated from the policies.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import * as F from '../../src/ir/formula.js'
import type { Policy, PolicySet } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { flatten, needsFlattening, orderIsUnion } from '../../src/lower/flatten.js'
import type { Parsed } from '../../src/pipeline.js'
import { dialectByName, lower, parseDocs, translate } from '../../src/pipeline.js'
import { calico } from '../../src/semantics/calico.js'
import { k8s } from '../../src/semantics/k8s.js'
import { tableDifferences } from '../equal-tables.js'
import { inventoryFor } from '../inventory-gen.js'

const parse = (text: string): Parsed => {
  const r = parseText('in.yaml', text)
  expect(r.diagnostics).toEqual([])
  const parsed = parseDocs(r.docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return parsed
}

const withExternal = (inv: Inventory): Inventory => ({ ...inv, externals: [...inv.externals, { text: '203.0.113.9', ip: { family: 4, value: (203n << 24n) + (113n << 8n) + 9n } }] })

/** Translates to k8s through text and returns the re-parsed set with the translation's fidelity. */
const toK8s = (parsed: Parsed, inv: Inventory): { readonly set: PolicySet; readonly fidelity: D.RunFidelity; readonly text: string } => {
  const target = dialectByName('k8s')
  if (target === undefined) throw new Error('k8s dialect missing')
  const t = translate(parsed, target, inv)
  const text = serialise(t.objects, 'yaml')
  const again = parseDocs(parseText('out.yaml', text).docs)
  expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return { set: again.set, fidelity: t.fidelity, text }
}

const check = (yaml: string): { readonly text: string; readonly fidelity: D.RunFidelity } => {
  const parsed = parse(yaml)
  const inv = withExternal(inventoryFor(parsed.set))
  const out = toK8s(parsed, inv)
  expect(D.isFaithful(out.fidelity)).toBe(true)
  expect(tableDifferences(parsed.set, out.set, inv, calico, k8s)).toEqual([])
  return out
}

const np = (name: string, body: string, ns = 'shop'): string =>
  `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${body
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n`

describe('when the order must be compiled', () => {
  it('allow-only sets in one deny-default tier are already a union', () => {
    const p = parse(np('a', "order: 10\nselector: app == 'web'\ningress:\n- action: Allow\n  source: {selector: app == 'x'}"))
    expect(orderIsUnion(p.set)).toBe(true)
    expect(needsFlattening(p.set, 'calico', 'k8s')).toBe(false)
  })
  it('a Deny rule needs compiling for k8s and cilium, never for calico', () => {
    const p = parse(np('a', "order: 10\nselector: app == 'web'\ningress:\n- action: Deny\n  source: {selector: app == 'x'}"))
    expect(needsFlattening(p.set, 'calico', 'k8s')).toBe(true)
    expect(needsFlattening(p.set, 'calico', 'cilium')).toBe(true)
    expect(needsFlattening(p.set, 'calico', 'calico')).toBe(false)
  })
})

describe('Calico order → allow-only NetworkPolicies keeps the truth table', () => {
  it('a Deny before an Allow in one policy subtracts the denied peers', () => {
    const out = check(np('web', "order: 100\nselector: app == 'web'\ntypes: [Ingress]\ningress:\n- action: Deny\n  source: {selector: role == 'bad'}\n- action: Allow\n  protocol: TCP\n  destination: {ports: [80]}"))
    expect(out.text).toContain('operator: NotIn')
  })

  it('a Deny in a lower-order policy beats an Allow in a higher-order one', () => {
    check(
      np('deny-bad', "order: 10\nselector: all()\ntypes: [Ingress]\ningress:\n- action: Deny\n  source: {selector: role == 'bad'}") +
        '---\n' +
        np('allow-all', 'order: 20\nselector: all()\ntypes: [Ingress]\ningress:\n- action: Allow')
    )
  })

  it('an Allow before a Deny wins for the flows it matches', () => {
    check(np('web', "order: 1\nselector: app == 'web'\ningress:\n- action: Allow\n  source: {selector: role == 'admin'}\n- action: Deny\n  source: {selector: has(role)}\n- action: Allow"))
  })

  it('a Deny-only policy drops everything else at the end of its tier', () => {
    const out = check(np('deny-only', "order: 5\nselector: app == 'web'\ntypes: [Ingress]\ningress:\n- action: Deny\n  source: {selector: role == 'bad'}"))
    expect(out.text).toContain('policyTypes:\n  - Ingress')
  })

  it('a deny on port ranges leaves the other ports of an allow', () => {
    check(
      np('ports', "order: 5\nselector: app == 'web'\ningress:\n- action: Deny\n  protocol: TCP\n  destination: {ports: ['8000:8999']}\n- action: Allow\n  protocol: TCP\n  destination: {ports: ['1:9000']}")
    )
  })

  it('a deny on an address block is cut out of an allow-all with except', () => {
    const out = check(np('meta', 'order: 5\nselector: all()\ntypes: [Egress]\negress:\n- action: Deny\n  destination: {nets: [169.254.169.254/32]}\n- action: Allow'))
    expect(out.text).toContain('169.254.169.254/32')
  })

  it('a lower-order Calico Allow bypasses the isolation of a Kubernetes policy', () => {
    check(
      np('early', "order: 10\nselector: app == 'web'\ntypes: [Ingress]\ningress:\n- action: Allow\n  source: {selector: role == 'admin'}\n- action: Deny\n  source: {selector: role == 'bad'}") +
        '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: knp, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {role: bad}}\n'
    )
  })

  it('Pass skips the rest of the tier and lets the next tier decide', () => {
    check(
      'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n---\n' +
        np('sec', "tier: security\norder: 1\nselector: all()\ntypes: [Ingress]\ningress:\n- action: Pass\n  source: {selector: role == 'admin'}\n- action: Deny\n  source: {selector: role == 'bad'}", 'shop').replace(
          'name: sec',
          'name: security.sec'
        ) +
        '---\n' +
        np('app', "order: 1\nselector: app == 'web'\ningress:\n- action: Allow\n  source: {selector: has(role)}")
    )
  })

  it("a tier's Pass default action hands unmatched flows to the next tier", () => {
    check(
      'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: platform}\nspec: {order: 50, defaultAction: Pass}\n---\n' +
        np('plat', "tier: platform\norder: 1\nselector: all()\ntypes: [Ingress]\ningress:\n- action: Deny\n  source: {selector: role == 'bad'}", 'shop').replace(
          'name: plat',
          'name: platform.plat'
        )
    )
  })

  it('a Log rule decides nothing', () => {
    check(np('log', "order: 1\nselector: all()\ningress:\n- action: Log\n- action: Deny\n  source: {selector: role == 'bad'}\n- action: Allow"))
  })

  it('a GlobalNetworkPolicy is written per namespace of the inventory (exact-for-inventory)', () => {
    const out = check(
      "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  order: 1\n  selector: all()\n  types: [Ingress]\n  ingress:\n  - action: Deny\n    source: {selector: role == 'bad'}\n  - action: Allow\n" +
        '---\n' +
        np('x', "order: 2\nselector: app == 'web'\ningress:\n- action: Allow\n  source: {selector: role == 'admin'}")
    )
    expect(out.fidelity).toBe('exact-for-inventory')
  })
})

describe('shrunk counterexamples of the Calico → Kubernetes property', () => {
  it('an egress namespaceSelector by name next to one by label', () => {
    check(
      np('p0', "selector: all()\ntypes: [Egress]\negress:\n- action: Allow\n  destination: {namespaceSelector: team == 'blue'}") +
        '---\n' +
        np(
          'p1',
          "selector: all()\ntypes: [Ingress, Egress]\ningress:\n- action: Allow\n  source: {selector: all(), namespaceSelector: all()}\negress:\n- action: Allow\n  destination: {selector: all(), namespaceSelector: projectcalico.org/name == 'other'}"
        )
    )
  })

  it('notSelector all() (addresses no entity owns) next to nets and notNets', () => {
    check(
      np('n', 'selector: all()\ntypes: [Ingress]\ningress:\n- action: Allow\n  source: {notNets: [10.9.0.0/30]}') +
        "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  selector: all()\n  types: [Ingress]\n  ingress:\n  - action: Allow\n    source: {notSelector: all()}\n  - action: Allow\n    source: {nets: [10.9.0.0/16]}\n"
    )
  })
})

describe('the flatten pass itself', () => {
  it('gives one allow-only policy per region of selecting policies, none where all is allowed', () => {
    const p = parse(
      np('a', "order: 1\nselector: app == 'web'\ningress:\n- action: Deny\n  source: {selector: role == 'bad'}\n- action: Allow") +
        '---\n' +
        np('b', "order: 2\nselector: tier == 'front'\ningress:\n- action: Allow\n  source: {selector: role == 'admin'}")
    )
    const out = flatten(p.set, 'calico')
    const ingress = out.set.policies.filter((q: Policy) => q.ingress !== undefined)
    // regions: web∧front, web∧¬front, ¬web∧front
    expect(ingress.length).toBe(3)
    expect(out.set.policies.every((q) => q.ordering === undefined && (q.ingress?.rules ?? []).every((r) => r.action === 'allow'))).toBe(true)
    expect(out.diagnostics.map((d) => d.code)).toContain('compiled-order')
  })

  it('is deterministic', () => {
    const text = np('a', "order: 1\nselector: app == 'web'\ningress:\n- action: Deny\n  source: {selector: role == 'bad'}\n- action: Allow")
    const a = lower(parse(text).set, 'calico', 'k8s', undefined)
    const b = lower(parse(text).set, 'calico', 'k8s', undefined)
    expect(JSON.stringify(a, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(
      JSON.stringify(b, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    )
  })

  it('Cilium deny rules become the allows minus the denies', () => {
    const origin = { dialect: 'cilium' as const, kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'c', location: undefined, labels: undefined, annotations: undefined }
    const bad = F.and(F.kind(['pod']), F.inNamespace(['shop']), F.labelEquals('endpoint', 'role', 'bad'))
    const policy: Policy = {
      _tag: 'Policy',
      origin,
      scope: { _tag: 'namespace', namespace: 'shop' },
      ordering: undefined,
      subject: F.kind(['pod']),
      ingress: {
        defaultDeny: false,
        rules: [{ action: 'deny', peer: bad, ports: P.all, l7: undefined, location: undefined }]
      },
      egress: undefined
    }
    const out = flatten({ policies: [policy], tiers: [], networkSets: [] }, 'cilium')
    expect(out.set.policies.length).toBe(1)
    const rules = out.set.policies[0]?.ingress?.rules ?? []
    // everything but the denied peers: the complement of `bad`, on every port
    expect(rules.map((r) => F.show(r.peer))).toEqual([F.show(F.and(F.tt, F.not(bad)))])
    expect(rules.every((r) => P.isAll(r.ports))).toBe(true)
  })
})
