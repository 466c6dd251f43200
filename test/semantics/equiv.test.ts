/**
 * Equivalence of two policy sets (src/semantics/equiv.ts): probes, equal and unequal sets in both
 * directions, across dialects (Kubernetes under k8s, hand-written Calico under calico, Cilium under
 * cilium), attribution text, the listing limit and the totals.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Action, DirectionRules, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import { calico } from '../../src/semantics/calico.js'
import { cilium } from '../../src/semantics/cilium.js'
import type { Equivalence } from '../../src/semantics/equiv.js'
import { compare, equiv, equivProbes, unmentionedPort } from '../../src/semantics/equiv.js'
import { k8s } from '../../src/semantics/k8s.js'
import { reach } from '../../src/semantics/table.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const clusterYaml = `
apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: v1
kind: Namespace
metadata: {name: y}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b, tier: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: x}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: y, labels: {app: a}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.1}
`

const inventory: Inventory = load(parseText('cluster.yaml', clusterYaml).docs).inventory

const parseSet = (yaml: string): PolicySet => {
  const parsed = parseDocs(parseText('p.yaml', yaml).docs)
  expect(parsed.diagnostics.map(D.render)).toEqual([])
  return parsed.set
}

/** Kubernetes: ingress of tier=web pods from pods of x whose app is not `a` (a missing app label included), TCP/80. */
const k8sNotIn = parseSet(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: x}
spec:
  podSelector: {matchLabels: {tier: web}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchExpressions: [{key: app, operator: NotIn, values: [a]}]
    ports: [{port: 80, protocol: TCP}]
`)

/** Calico's \`!=\` matches a missing label too (research/calico.md §3): the same policy. */
const calicoNotEqual = (selector: string): PolicySet =>
  parseSet(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-web, namespace: x}
spec:
  selector: tier == 'web'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: ${selector}
    destination:
      ports: [80]
`)

const calicoEqual = calicoNotEqual(`"app != 'a'"`)
/** \`has(app) && app != 'a'\` excludes x/c, which has no app label: narrower than NotIn. */
const calicoNarrower = calicoNotEqual(`"has(app) && app != 'a'"`)

const ciliumNotIn = parseSet(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: allow-web, namespace: x}
spec:
  endpointSelector: {matchLabels: {tier: web}}
  ingress:
  - fromEndpoints:
    - matchExpressions: [{key: app, operator: NotIn, values: [a]}]
    toPorts:
    - ports: [{port: "80", protocol: TCP}]
`)

const origin = (name: string) => ({ dialect: 'k8s' as const, kind: 'NetworkPolicy', namespace: 'x', name, location: undefined, labels: undefined, annotations: undefined })
const rule = (action: Action, peer: F.Formula = F.tt, ports: P.PortSet = P.all): Rule => ({ action, peer, ports, l7: undefined, location: undefined })
const dir = (...rules: ReadonlyArray<Rule>): DirectionRules => ({ defaultDeny: true, rules })
const policy = (name: string, subject: F.Formula, ingress?: DirectionRules, egress?: DirectionRules): Policy => ({
  _tag: 'Policy',
  origin: origin(name),
  scope: { _tag: 'namespace', namespace: 'x' },
  ordering: undefined,
  subject: F.and(F.kind(['pod']), subject),
  ingress,
  egress
})
const set = (...policies: ReadonlyArray<Policy>): PolicySet => ({ policies, tiers: [], networkSets: [] })
const app = (v: string): F.Formula => F.labelEquals('endpoint', 'app', v)

const show = (r: Equivalence) => r.differences.map((d) => `${d.from} -> ${d.to} ${d.probe.port}/${P.protocolName(d.probe.protocol)}: ${d.left}/${d.right} | ${d.leftReason} | ${d.rightReason}`)

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

describe('equivProbes', () => {
  it('unions the ports both sides single out and adds, per protocol, one port no policy mentions', () => {
    const probes = equivProbes(k8sNotIn, set(policy('u', F.tt, dir(rule('allow', F.tt, P.range(P.UDP, 1, 52))))), inventory)
    expect(probes.map((p) => `${p.port}/${P.protocolName(p.protocol)}`)).toEqual(['1/TCP', '80/TCP', '81/TCP', '1/UDP', '53/UDP', '1/SCTP'])
  })

  it('the representative port skips every range and every port a named port resolves to', () => {
    const s = set(policy('n', F.tt, dir(rule('allow', F.tt, P.union(P.range(P.TCP, 1, 8079), P.named('http'))))))
    // 1-8079 named by range, 8080 through `http` on x/b
    expect(unmentionedPort([s], inventory, P.TCP)).toBe(8081)
    // a rule that takes a whole protocol treats every port alike: it mentions none
    expect(unmentionedPort([set(policy('w', F.tt, dir(rule('allow', F.tt, P.protocol(P.UDP)))))], inventory, P.UDP)).toBe(1)
    expect(unmentionedPort([set(policy('f', F.tt, dir(rule('allow', F.tt, P.range(P.SCTP, 1, 65535)))))], inventory, P.SCTP)).toBe(1)
    expect(unmentionedPort([set(policy('f', F.tt, dir(rule('allow', F.tt, P.union(P.range(P.SCTP, 1, 9), P.range(P.SCTP, 10, 65534))))))], inventory, P.SCTP)).toBe(65535)
  })
})

describe('equiv across dialects', () => {
  it('Kubernetes NotIn under k8s and Calico != under calico agree', () => {
    const r = equiv({ set: k8sNotIn, model: k8s }, { set: calicoEqual, model: calico }, inventory)
    expect(r.diagnostics).toEqual([])
    expect(r.equivalent).toBe(true)
    expect([r.total, r.leftOnly, r.rightOnly, r.differences.length]).toEqual([0, 0, 0, 0])
    expect(r.endpoints).toEqual(['x/a', 'x/b', 'x/c', 'y/d'])
    expect(r.probes.length).toBe(5)
    expect([r.leftCni, r.rightCni]).toEqual(['k8s', 'calico'])
  })

  it("Calico has(app) && app != 'a' denies what NotIn allows: the pod without the label", () => {
    const r = equiv({ set: k8sNotIn, model: k8s }, { set: calicoNarrower, model: calico }, inventory)
    expect(r.equivalent).toBe(false)
    expect(show(r)).toEqual(['x/c -> x/b 80/TCP: true/false | ingress of x/b by x/allow-web: rule 1 of x/allow-web at p.yaml:8:5 allows | ingress of x/b by x/allow-web: no rule matches: end of tier "default" denies'])
    expect([r.total, r.leftOnly, r.rightOnly]).toEqual([1, 1, 0])
  })

  it('swapping the sides swaps the verdicts and the counts', () => {
    const r = equiv({ set: calicoNarrower, model: calico }, { set: k8sNotIn, model: k8s }, inventory)
    expect(show(r)).toEqual(['x/c -> x/b 80/TCP: false/true | ingress of x/b by x/allow-web: no rule matches: end of tier "default" denies | ingress of x/b by x/allow-web: rule 1 of x/allow-web at p.yaml:8:5 allows'])
    expect([r.total, r.leftOnly, r.rightOnly]).toEqual([1, 0, 1])
  })

  it('a CiliumNetworkPolicy with NotIn under cilium agrees with the Kubernetes policy under k8s', () => {
    const r = equiv({ set: k8sNotIn, model: k8s }, { set: ciliumNotIn, model: cilium }, inventory)
    expect(r.diagnostics.map(D.render)).toEqual([])
    expect(r.equivalent).toBe(true)
    const narrower = equiv({ set: ciliumNotIn, model: cilium }, { set: calicoNarrower, model: calico }, inventory)
    expect(show(narrower)).toEqual(['x/c -> x/b 80/TCP: true/false | ingress of x/b by x/allow-web: rule 1 of x/allow-web at p.yaml:7:5 allows | ingress of x/b by x/allow-web: no rule matches: end of tier "default" denies'])
  })

  it('the same Kubernetes policy differs between CNIs: ipBlock matches pod addresses under k8s, never under cilium', () => {
    const s = parseSet(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-subnet, namespace: x}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/24}}]
`)
    const r = equiv({ set: s, model: k8s }, { set: s, model: cilium }, inventory, [{ protocol: P.TCP, port: 443 }])
    expect(show(r)).toEqual([
      'x/a -> x/b 443/TCP: true/false | ingress of x/b by x/from-subnet: rule 1 of x/from-subnet at p.yaml:7:5 allows | ingress of x/b by x/from-subnet: no rule matches: default deny',
      'x/b -> x/b 443/TCP: true/false | ingress of x/b by x/from-subnet: rule 1 of x/from-subnet at p.yaml:7:5 allows | ingress of x/b by x/from-subnet: no rule matches: default deny',
      'x/c -> x/b 443/TCP: true/false | ingress of x/b by x/from-subnet: rule 1 of x/from-subnet at p.yaml:7:5 allows | ingress of x/b by x/from-subnet: no rule matches: default deny'
    ])
    expect([r.total, r.leftOnly, r.rightOnly]).toEqual([3, 3, 0])
  })
})

describe('attribution', () => {
  const denyEgressOfA = policy('deny-egress', app('a'), undefined, dir())
  const denyIngressOfX = policy('deny-ingress', F.tt, dir())
  const allowEgressOfA = policy('allow-egress', app('a'), undefined, dir(rule('allow')))

  it('names the denying direction(s) and their policies; an unpoliced allow is "not isolated"', () => {
    const r = equiv({ set: set(), model: k8s }, { set: set(denyEgressOfA, denyIngressOfX), model: k8s }, inventory, [{ protocol: P.TCP, port: 80 }])
    const byFlow = new Map(r.differences.map((d) => [`${d.from} -> ${d.to}`, d]))
    expect(byFlow.get('x/a -> x/b')).toMatchObject({ left: true, right: false, leftReason: 'not isolated', rightReason: 'egress of x/a by x/deny-egress: no rule matches: default deny; ingress of x/b by x/deny-ingress: no rule matches: default deny' })
    expect(byFlow.get('x/a -> y/d')).toMatchObject({ rightReason: 'egress of x/a by x/deny-egress: no rule matches: default deny' })
    expect(byFlow.get('y/d -> x/c')).toMatchObject({ rightReason: 'ingress of x/c by x/deny-ingress: no rule matches: default deny' })
    // y/d -> y/d: nothing governs it on either side
    expect(byFlow.has('y/d -> y/d')).toBe(false)
    // every flow into x (4 sources × 3 pods) and every flow out of x/a (the 1 into y/d not counted twice)
    expect([r.total, r.leftOnly, r.rightOnly]).toEqual([13, 13, 0])
  })

  it('an allowed flow names the policies that govern it, in both directions', () => {
    const r = equiv(
      { set: set(allowEgressOfA, policy('allow-b', app('b'), dir(rule('allow', app('a'))))), model: k8s },
      { set: set(denyIngressOfX), model: k8s },
      inventory,
      [{ protocol: P.TCP, port: 80 }]
    )
    const d = r.differences.find((x) => x.from === 'x/a' && x.to === 'x/b')
    expect(d).toMatchObject({ left: true, right: false, leftReason: 'egress of x/a by x/allow-egress: rule 1 of x/allow-egress allows; ingress of x/b by x/allow-b: rule 1 of x/allow-b allows', rightReason: 'ingress of x/b by x/deny-ingress: no rule matches: default deny' })
    // a flow into x/b that the left policy does not allow: denied on both sides, so no difference
    expect(r.differences.some((x) => x.from === 'x/c' && x.to === 'x/b')).toBe(false)
  })

  it('lists differences by source, destination, then port, up to the limit, and counts them all', () => {
    const probes = [
      { protocol: P.TCP, port: 80 },
      { protocol: P.UDP, port: 53 }
    ]
    const all = equiv({ set: set(), model: k8s }, { set: set(denyIngressOfX), model: k8s }, inventory, probes)
    expect(all.differences.map((d) => `${d.from}>${d.to}:${d.probe.port}`)).toEqual(
      ['x/a', 'x/b', 'x/c', 'y/d'].flatMap((s) => ['x/a', 'x/b', 'x/c'].flatMap((t) => [`${s}>${t}:80`, `${s}>${t}:53`]))
    )
    const some = equiv({ set: set(), model: k8s }, { set: set(denyIngressOfX), model: k8s }, inventory, probes, 5)
    expect(some.differences).toEqual(all.differences.slice(0, 5))
    expect([some.total, some.leftOnly, some.rightOnly]).toEqual([24, 24, 0])
  })
})

describe('compare', () => {
  it('refuses tables computed on different probes, with an error', () => {
    const l = reach(k8sNotIn, inventory, k8s, [{ protocol: P.TCP, port: 80 }])
    const r = reach(k8sNotIn, inventory, k8s, [{ protocol: P.TCP, port: 81 }])
    const c = compare({ set: k8sNotIn, reach: l }, { set: k8sNotIn, reach: r }, inventory)
    expect(c.equivalent).toBe(false)
    expect(c.diagnostics.map(D.render)).toEqual(['netpolx: error equiv-mismatch: the two truth tables were computed on different ports; compute both on the same probes'])
  })

  it('refuses tables computed on different endpoints, with an error', () => {
    const ext = C.parseIp('203.0.113.9')
    if (ext._tag === 'Left') throw new Error(ext.left)
    const l = reach(k8sNotIn, inventory, k8s, [{ protocol: P.TCP, port: 80 }])
    const r = reach(k8sNotIn, { ...inventory, externals: [{ text: '203.0.113.9', ip: ext.right }] }, k8s, [{ protocol: P.TCP, port: 80 }])
    const c = compare({ set: k8sNotIn, reach: l }, { set: k8sNotIn, reach: r }, inventory)
    expect(D.hasErrors(c.diagnostics)).toBe(true)
  })

  it("passes a model's diagnostics on", () => {
    const withDeny = set(policy('deny', app('b'), dir(rule('deny', app('a')))))
    const r = equiv({ set: withDeny, model: k8s }, { set: withDeny, model: calico }, inventory, [{ protocol: P.TCP, port: 80 }])
    expect(r.diagnostics.map((d) => d.code)).toEqual(['model-unsupported'])
  })
})
