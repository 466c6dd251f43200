/**
 * The calico model (research/calico.md §4, §6): tiers, order, first match, Pass, Log, end-of-tier
 * default actions, the default-allow profile, Kubernetes policies in the default tier at order
 * 1000, named ports, network sets; and the upstream Kubernetes conformance tables, which
 * Kubernetes policies alone reproduce under Calico too.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import type { Diagnostic } from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Action, DirectionRules, NetworkSet, Origin, Policy, PolicySet, Rule, Tier } from '../../src/ir/policy.js'
import { concat } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import { calico } from '../../src/semantics/calico.js'
import { classify, endpointsOf } from '../../src/semantics/endpoint.js'
import { matrix, reach } from '../../src/semantics/table.js'
import { differences, loadCases } from '../conformance/cases.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const clusterYaml = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: blue}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: red}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: legacy, namespace: a, labels: {app: web, gen: old}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 9090}]}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.4}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: client}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: web}}
spec: {hostNetwork: true, containers: [{name: c}]}
status: {podIP: 192.168.0.10}
`

const baseInventory: Inventory = load(parseText('cluster.yaml', clusterYaml).docs).inventory

const external = (text: string) => {
  const ip = C.parseIp(text)
  if (ip._tag === 'Left') throw new Error(ip.left)
  return { text, ip: ip.right }
}

const cidrs = (...texts: ReadonlyArray<string>): C.CidrSet =>
  texts.reduce((acc, t) => {
    const c = C.parseCidr(t)
    if (c._tag === 'Left') throw new Error(c.left)
    return C.union(acc, c.right)
  }, C.empty)

const origin = (kind: string, namespace: string | undefined, name: string): Origin => ({
  dialect: 'calico',
  kind,
  namespace,
  name,
  location: undefined,
  labels: undefined,
  annotations: undefined
})

const app = (v: string): F.Formula => F.labelEquals('endpoint', 'app', v)

const rule = (action: Action, peer: F.Formula = F.tt, ports: P.PortSet = P.all): Rule => ({ action, peer, ports, l7: undefined, location: undefined })

const rules = (...rs: ReadonlyArray<Rule>): DirectionRules => ({ defaultDeny: true, rules: rs })

interface PolicySpec {
  readonly name: string
  /** undefined: a GlobalNetworkPolicy */
  readonly namespace?: string
  readonly tier?: string
  readonly order?: number
  readonly subject: F.Formula
  readonly ingress?: DirectionRules
  readonly egress?: DirectionRules
}

/** A Calico NetworkPolicy (with a namespace) or GlobalNetworkPolicy, built as IR. */
const policy = (s: PolicySpec): Policy => ({
  _tag: 'Policy',
  origin: origin(s.namespace === undefined ? 'GlobalNetworkPolicy' : 'NetworkPolicy', s.namespace, s.name),
  scope: s.namespace === undefined ? { _tag: 'cluster' } : { _tag: 'namespace', namespace: s.namespace },
  ordering: { tier: s.tier ?? 'default', order: s.order },
  subject: s.subject,
  ingress: s.ingress,
  egress: s.egress
})

const tier = (name: string, order: number | undefined, defaultAction: 'deny' | 'pass' = 'deny'): Tier => ({
  name,
  order,
  defaultAction,
  origin: origin('Tier', undefined, name)
})

const networkSet = (name: string, namespace: string | undefined, labels: Readonly<Record<string, string>>, ...texts: ReadonlyArray<string>): NetworkSet => ({
  name,
  namespace,
  labels,
  cidrs: cidrs(...texts),
  origin: origin(namespace === undefined ? 'GlobalNetworkSet' : 'NetworkSet', namespace, name)
})

const calicoSet = (policies: ReadonlyArray<Policy>, tiers: ReadonlyArray<Tier> = [], networkSets: ReadonlyArray<NetworkSet> = []): PolicySet => ({
  policies,
  tiers,
  networkSets
})

/** Kubernetes NetworkPolicies, parsed by the k8s dialect. */
const knp = (yaml: string): PolicySet => {
  const parsed = parseDocs(parseText('knp.yaml', yaml).docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return parsed.set
}

const np = (name: string, spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: a}\nspec:\n${spec}`

interface Table {
  readonly allowed: (from: string, to: string) => boolean
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

const table = (set: PolicySet, protocol: number = P.TCP, port: number = 80, externals: ReadonlyArray<string> = []): Table => {
  const r = reach(set, { ...baseInventory, externals: externals.map(external) }, calico, [{ protocol, port }])
  const t = r.tables[0]
  if (t === undefined) throw new Error('no table')
  const ids = r.classes.endpoints.map((e) => e.id)
  const m = matrix(r, t)
  const allowed = (from: string, to: string): boolean => {
    const i = ids.indexOf(from)
    const j = ids.indexOf(to)
    if (i < 0 || j < 0) throw new Error(`unknown endpoint ${i < 0 ? from : to}`)
    return m[i]?.[j] ?? false
  }
  return { allowed, diagnostics: r.diagnostics }
}

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

describe('calico model: evaluation order', () => {
  it('allows everything when no policy applies (the kns. profile)', () => {
    const { allowed, diagnostics } = table(calicoSet([]), P.TCP, 80, ['203.0.113.9'])
    expect(diagnostics).toEqual([])
    for (const [s, d] of [
      ['a/client', 'a/web'],
      ['b/other', 'a/db'],
      ['a/web', '203.0.113.9'],
      ['203.0.113.9', 'a/web']
    ] as const)
      expect(allowed(s, d)).toBe(true)
    // a policy that selects nobody changes nothing
    const none = table(calicoSet([policy({ name: 'p', namespace: 'a', subject: app('nobody'), ingress: rules() })]))
    expect(none.allowed('a/client', 'a/web')).toBe(true)
  })

  it('a Deny-only policy still selects its endpoints: what it does not deny is dropped at the end of the tier', () => {
    const set = calicoSet([policy({ name: 'deny-client', namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('deny', app('client'))) })])
    const { allowed } = table(set)
    expect(allowed('a/client', 'a/web')).toBe(false) // denied by the rule
    expect(allowed('a/db', 'a/web')).toBe(false) // end-of-tier drop
    expect(allowed('a/web', 'a/db')).toBe(true) // db is not selected
    expect(allowed('a/web', 'a/client')).toBe(true) // the policy governs ingress only
  })

  it('the first matching rule decides: Allow before Deny, Deny before Allow', () => {
    const allowThenDeny = calicoSet([
      policy({ name: 'p', namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('allow', app('client')), rule('deny')) })
    ])
    expect(table(allowThenDeny).allowed('a/client', 'a/web')).toBe(true)
    expect(table(allowThenDeny).allowed('a/db', 'a/web')).toBe(false)
    const denyThenAllow = calicoSet([
      policy({ name: 'p', namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('deny', app('client')), rule('allow')) })
    ])
    expect(table(denyThenAllow).allowed('a/client', 'a/web')).toBe(false)
    expect(table(denyThenAllow).allowed('a/db', 'a/web')).toBe(true)
  })

  it('policies run by order ascending, a policy without order last; no match falls through to the next policy', () => {
    // names sort the other way round, so only the order can put deny first
    const set = calicoSet([
      policy({ name: 'a-allow-all', namespace: 'a', subject: app('web'), ingress: rules(rule('allow')) }),
      policy({ name: 'z-deny-client', namespace: 'a', order: 10, subject: app('web'), ingress: rules(rule('deny', app('client'))) })
    ])
    const { allowed } = table(set)
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/db', 'a/web')).toBe(true) // no match at order 10, allowed by the unordered policy
    // orders are numbers, not strings: 9 runs before 10
    const numeric = calicoSet([
      policy({ name: 'p10', namespace: 'a', order: 10, subject: app('web'), ingress: rules(rule('deny')) }),
      policy({ name: 'p9', namespace: 'a', order: 9, subject: app('web'), ingress: rules(rule('allow')) })
    ])
    expect(table(numeric).allowed('a/client', 'a/web')).toBe(true)
  })

  it('equal orders are broken by namespace/name/kind', () => {
    const pair = (denyName: string, allowName: string) =>
      calicoSet([
        policy({ name: denyName, namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('deny', app('client'))) }),
        policy({ name: allowName, namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('allow')) })
      ])
    expect(table(pair('a-deny', 'b-allow')).allowed('a/client', 'a/web')).toBe(false)
    expect(table(pair('b-deny', 'a-allow')).allowed('a/client', 'a/web')).toBe(true)
    // unordered policies behave alike (order 1000), whatever order the input lists them in
    const reversed = pair('b-deny', 'a-allow')
    expect(table(calicoSet([...reversed.policies].reverse())).allowed('a/client', 'a/web')).toBe(true)
  })

  it('Pass skips the rest of its tier and goes on to the next tier, or to the default allow', () => {
    const security = [
      policy({ name: 'pass-client', namespace: 'a', tier: 'security', order: 100, subject: app('web'), ingress: rules(rule('pass', app('client'))) }),
      // would deny the client, but the client has already left the tier
      policy({ name: 'deny-all', namespace: 'a', tier: 'security', order: 200, subject: app('web'), ingress: rules(rule('deny')) })
    ]
    const tiers = [tier('security', 100)]
    const alone = table(calicoSet(security, tiers))
    expect(alone.allowed('a/client', 'a/web')).toBe(true) // passed; no later tier applies → profile allows
    expect(alone.allowed('a/db', 'a/web')).toBe(false) // denied in tier security
    // with a default-tier policy that allows only db, the passed client meets that tier's end-of-tier drop
    const withDefault = table(
      calicoSet([...security, policy({ name: 'allow-db', namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('allow', app('db'))) })], tiers)
    )
    expect(withDefault.allowed('a/client', 'a/web')).toBe(false)
    // and one that allows the client lets it through
    const allowClient = table(
      calicoSet([...security, policy({ name: 'allow-client', namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('allow', app('client'))) })], tiers)
    )
    expect(allowClient.allowed('a/client', 'a/web')).toBe(true)
  })

  it('Log gives no verdict: evaluation continues with the next rule', () => {
    const set = calicoSet([policy({ name: 'p', namespace: 'a', order: 100, subject: app('web'), ingress: rules(rule('log'), rule('allow', app('client'))) })])
    const { allowed } = table(set)
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('a/db', 'a/web')).toBe(false) // logged, then dropped at the end of the tier
  })

  it('a tier with defaultAction Pass hands what it did not decide to the next tier', () => {
    const deny = policy({ name: 'deny-client', namespace: 'a', tier: 'security', order: 100, subject: app('web'), ingress: rules(rule('deny', app('client'))) })
    const passing = table(calicoSet([deny], [tier('security', 100, 'pass')]))
    expect(passing.allowed('a/client', 'a/web')).toBe(false)
    expect(passing.allowed('a/db', 'a/web')).toBe(true)
    const dropping = table(calicoSet([deny], [tier('security', 100, 'deny')]))
    expect(dropping.allowed('a/db', 'a/web')).toBe(false)
  })

  it('tiers run by order (absent last); an undeclared tier runs after the declared ones, with a warning', () => {
    const set = calicoSet(
      [
        policy({ name: 'allow', namespace: 'a', tier: 'late', order: 1, subject: app('web'), ingress: rules(rule('allow')) }),
        policy({ name: 'deny', namespace: 'a', tier: 'early', order: 1, subject: app('web'), ingress: rules(rule('deny', app('client')), rule('pass')) }),
        policy({ name: 'mystery', namespace: 'a', tier: 'ghost', order: 1, subject: app('web'), ingress: rules(rule('deny')) }),
        policy({ name: 'mystery-2', namespace: 'a', tier: 'ghost', order: 2, subject: app('web'), ingress: rules(rule('deny')) })
      ],
      [tier('late', undefined), tier('early', 50)]
    )
    const { allowed, diagnostics } = table(set)
    expect(allowed('a/client', 'a/web')).toBe(false) // early denies before late allows
    expect(allowed('a/db', 'a/web')).toBe(true) // passed by early, allowed by late; ghost (an undeclared tier, so after late although it sorts first by name) never reached
    expect(diagnostics.map((d) => [d.severity, d.code])).toEqual([['warning', 'unknown-tier']])
  })
})

describe('calico model: Kubernetes NetworkPolicies in the default tier at order 1000', () => {
  const egressDnsOnly = np('limit-client', '  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 53, protocol: UDP}]\n')

  it('a Calico Allow at order 500 bypasses a Kubernetes policy that would deny (calico#5940)', () => {
    expect(table(knp(egressDnsOnly)).allowed('a/client', 'a/web')).toBe(false)
    expect(table(knp(egressDnsOnly), P.UDP, 53).allowed('a/client', 'a/web')).toBe(true)
    const allowAll = calicoSet([policy({ name: 'default-allow', order: 500, subject: F.tt, egress: rules(rule('allow')) })])
    expect(table(concat([knp(egressDnsOnly), allowAll])).allowed('a/client', 'a/web')).toBe(true)
    // a Kubernetes policy only allows: what it does not match falls through to later policies of
    // the tier, so an allow at order 1500 lets it through as well (calico#4474); the end-of-tier
    // drop comes after every policy of the tier
    const lateAllow = calicoSet([policy({ name: 'default-allow', order: 1500, subject: F.tt, egress: rules(rule('allow')) })])
    expect(table(concat([knp(egressDnsOnly), lateAllow])).allowed('a/client', 'a/web')).toBe(true)
    // but a Deny at 1500 comes after the Kubernetes allow
    const lateDeny = calicoSet([policy({ name: 'deny-all', order: 1500, subject: F.tt, egress: rules(rule('deny')) })])
    expect(table(concat([knp(egressDnsOnly), lateDeny]), P.UDP, 53).allowed('a/client', 'a/web')).toBe(true)
    expect(table(concat([knp(egressDnsOnly), allowAll, lateDeny])).allowed('a/client', 'a/web')).toBe(true)
  })

  it('a Calico Deny at order 500 overrides a Kubernetes allow; at order 1500 it comes too late', () => {
    const allowPods = knp(np('allow-pods', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {}}]\n'))
    const denyClient = (order: number) =>
      calicoSet([policy({ name: 'deny-client', namespace: 'a', order, subject: app('web'), ingress: rules(rule('deny', app('client'))) })])
    const early = table(concat([allowPods, denyClient(500)]))
    expect(early.allowed('a/client', 'a/web')).toBe(false)
    expect(early.allowed('a/db', 'a/web')).toBe(true) // no match at 500, allowed by the Kubernetes policy
    expect(table(concat([allowPods, denyClient(1500)])).allowed('a/client', 'a/web')).toBe(true)
  })

  it('a policy in an earlier tier denies before the default tier is consulted', () => {
    const allowAll = knp(np('allow-all', '  podSelector: {}\n  ingress:\n  - {}\n'))
    const platform = calicoSet(
      [policy({ name: 'block-client', tier: 'platform', order: 100, subject: app('web'), ingress: rules(rule('deny', app('client')), rule('pass')) })],
      [tier('platform', 100)]
    )
    const { allowed } = table(concat([allowAll, platform]))
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/db', 'a/web')).toBe(true) // passed on to the default tier, allowed by the Kubernetes policy
    expect(allowed('a/client', 'a/db')).toBe(true)
  })
})

describe('calico model: rule matching', () => {
  it('named ports resolve on the destination: the subject for ingress, each peer for egress', () => {
    const ingress = calicoSet([policy({ name: 'http-in', namespace: 'a', order: 1, subject: app('web'), ingress: rules(rule('allow', F.tt, P.named('http', P.TCP))) })])
    expect(table(ingress, P.TCP, 8080).allowed('a/client', 'a/web')).toBe(true)
    expect(table(ingress, P.TCP, 8080).allowed('a/client', 'a/legacy')).toBe(false) // its http is 9090
    expect(table(ingress, P.TCP, 9090).allowed('a/client', 'a/legacy')).toBe(true)
    expect(table(ingress, P.UDP, 8080).allowed('a/client', 'a/web')).toBe(false)
    const egress = calicoSet([policy({ name: 'http-out', namespace: 'a', order: 1, subject: app('client'), egress: rules(rule('allow', F.tt, P.named('http'))) })])
    const on8080 = table(egress, P.TCP, 8080, ['203.0.113.9'])
    expect(on8080.allowed('a/client', 'a/web')).toBe(true)
    expect(on8080.allowed('a/client', 'a/legacy')).toBe(false)
    expect(on8080.allowed('a/client', 'a/db')).toBe(false) // declares no port
    expect(on8080.allowed('a/client', '203.0.113.9')).toBe(false) // named ports never match external addresses
    expect(table(egress, P.TCP, 9090).allowed('a/client', 'a/legacy')).toBe(true)
  })

  it('a network set makes a selector match the addresses it holds', () => {
    const dns = networkSet('dns', undefined, { role: 'dns' }, '203.0.113.0/24')
    const toDns = calicoSet(
      [policy({ name: 'to-dns', order: 1, subject: app('client'), egress: rules(rule('allow', F.labelEquals('endpoint', 'role', 'dns'))) })],
      [],
      [dns]
    )
    const t = table(toDns, P.TCP, 80, ['203.0.113.9'])
    expect(t.diagnostics).toEqual([])
    expect(t.allowed('a/client', '203.0.113.9')).toBe(true)
    expect(t.allowed('a/client', 'a/web')).toBe(false)
    // without the network set the external address matches no selector
    expect(table(calicoSet(toDns.policies), P.TCP, 80, ['203.0.113.9']).allowed('a/client', '203.0.113.9')).toBe(false)
    // a network set that covers a pod's address lets the selector match that pod
    const covering = networkSet('web-ip', undefined, { role: 'dns' }, '10.0.0.2/32')
    expect(table(calicoSet(toDns.policies, [], [covering])).allowed('a/client', 'a/web')).toBe(true)
  })

  it('a namespaced network set is in its namespace, with that namespace\u2019s labels; a global one is in none', () => {
    const peer = F.and(F.labelEquals('namespace', 'team', 'blue'), F.labelEquals('endpoint', 'role', 'partner'))
    const set = (ns: NetworkSet) =>
      calicoSet([policy({ name: 'from-partners', namespace: 'a', order: 1, subject: app('web'), ingress: rules(rule('allow', peer)) })], [], [ns])
    const inA = networkSet('partners', 'a', { role: 'partner' }, '198.51.100.0/24')
    const inB = networkSet('partners', 'b', { role: 'partner' }, '198.51.100.0/24')
    const global = networkSet('partners', undefined, { role: 'partner' }, '198.51.100.0/24')
    expect(table(set(inA), P.TCP, 80, ['198.51.100.7']).allowed('198.51.100.7', 'a/web')).toBe(true)
    expect(table(set(inB), P.TCP, 80, ['198.51.100.7']).allowed('198.51.100.7', 'a/web')).toBe(false)
    expect(table(set(global), P.TCP, 80, ['198.51.100.7']).allowed('198.51.100.7', 'a/web')).toBe(false)
  })

  it('warns when classes lump together endpoints in different network sets', () => {
    const inv = { ...baseInventory, externals: [external('203.0.113.9'), external('8.8.8.8')] }
    const set = calicoSet(
      [policy({ name: 'to-dns', order: 1, subject: app('client'), egress: rules(rule('allow', F.labelEquals('endpoint', 'role', 'dns'))) })],
      [],
      [networkSet('dns', undefined, { role: 'dns' }, '203.0.113.0/24')]
    )
    const coarse = classify(endpointsOf(inv), [])
    expect(calico.prepare(set, coarse, inv).diagnostics.map((d) => d.code)).toEqual(['coarse-classes'])
    const fine = classify(endpointsOf(inv), [cidrs('203.0.113.0/24')])
    expect(calico.prepare(set, fine, inv).diagnostics).toEqual([])
  })

  it('a connection needs the source\u2019s egress and the destination\u2019s ingress', () => {
    const set = calicoSet([
      policy({ name: 'client-out', namespace: 'a', order: 1, subject: app('client'), egress: rules(rule('allow', app('web'))) }),
      policy({ name: 'web-in', namespace: 'a', order: 1, subject: app('web'), ingress: rules(rule('allow', app('db'))) })
    ])
    const { allowed } = table(set)
    expect(allowed('a/client', 'a/web')).toBe(false) // egress allows, ingress does not
    expect(allowed('a/db', 'a/web')).toBe(true) // db's egress is unrestricted, web's ingress allows
    expect(allowed('a/client', 'a/db')).toBe(false) // egress does not allow; db's ingress would
    expect(allowed('a/db', 'a/client')).toBe(true)
  })

  it('host-network pods and external addresses are never subjects', () => {
    const set = calicoSet([policy({ name: 'deny-all-in', order: 1, subject: F.tt, ingress: rules(rule('deny')) })])
    const { allowed } = table(set, P.TCP, 80, ['203.0.113.9'])
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/client', 'a/agent')).toBe(true)
    expect(allowed('a/client', '203.0.113.9')).toBe(true)
  })

  it('L7 constraints do not restrict at L3/L4', () => {
    const http: Rule = {
      ...rule('allow', app('client'), P.port(P.TCP, 80)),
      l7: { _tag: 'http', rules: [{ methods: ['GET'], methodRegex: undefined, paths: [], host: undefined, headers: [] }] }
    }
    const { allowed } = table(calicoSet([policy({ name: 'get-only', namespace: 'a', order: 1, subject: app('web'), ingress: rules(http) })]))
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('a/db', 'a/web')).toBe(false)
  })
})

describe('calico model: upstream Kubernetes conformance tables', () => {
  const cases = loadCases()
  it('has every case', () => expect(cases.length).toBe(34))
  const protocolOf = (p: string): number => (p === 'UDP' ? P.UDP : p === 'SCTP' ? P.SCTP : P.TCP)

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, () => {
      const inventory = load(parseText('cluster.yaml', c.cluster).docs).inventory
      const parsed = parseDocs(parseText('policies.yaml', c.policies).docs)
      expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
      const r = reach(parsed.set, inventory, calico, c.expect.map((e) => ({ protocol: protocolOf(e.protocol), port: e.port })))
      expect(r.diagnostics).toEqual([])
      const endpoints = r.classes.endpoints.map((e) => e.id)
      const diffs = c.expect.flatMap((e, k) => {
        const t = r.tables[k]
        return t === undefined ? [`missing table ${e.port}/${e.protocol}`] : differences(e, endpoints, matrix(r, t))
      })
      expect(diffs).toEqual([])
    })
  }
})

describe('calico model: host-network pods and the local node', () => {
  it('a selector never matches a host-network pod (not a workload endpoint, §4.4); nets match its address', () => {
    const bySelector = calicoSet([policy({ name: 'p', namespace: 'a', order: 1, subject: app('web'), ingress: rules(rule('allow', F.and(F.kind(['pod', 'host', 'networkSet']), F.inNamespace(['a']), app('web')))) })])
    expect(table(bySelector).allowed('a/agent', 'a/web')).toBe(false)
    const byNets = calicoSet([policy({ name: 'p', namespace: 'a', order: 1, subject: app('web'), ingress: rules(rule('allow', F.ipIn(cidrs('192.168.0.0/24')))) })])
    expect(table(byNets).allowed('a/agent', 'a/web')).toBe(true)
    // notSelector: all() — an address no entity owns
    const notKnown = calicoSet([policy({ name: 'p', namespace: 'a', order: 1, subject: app('web'), ingress: rules(rule('allow', F.not(F.kind(['pod', 'host', 'networkSet'])))) })])
    expect(table(notKnown).allowed('a/agent', 'a/web')).toBe(true)
    expect(table(notKnown).allowed('a/client', 'a/web')).toBe(false)
  })

  it('traffic from a host to its own local workloads is always allowed (§4.1), from another node not', () => {
    const cluster = `${clusterYaml}---
apiVersion: v1
kind: Pod
metadata: {name: local, namespace: a}
spec: {hostNetwork: true, nodeName: n1, containers: [{name: c}]}
status: {podIP: 192.168.0.11}
---
apiVersion: v1
kind: Pod
metadata: {name: remote, namespace: a}
spec: {hostNetwork: true, nodeName: n2, containers: [{name: c}]}
status: {podIP: 192.168.0.12}
---
apiVersion: v1
kind: Pod
metadata: {name: pinned, namespace: a, labels: {app: db}}
spec: {nodeName: n1, containers: [{name: c}]}
status: {podIP: 10.0.0.9}
`
    const inv = load(parseText('cluster.yaml', cluster).docs).inventory
    const deny = calicoSet([policy({ name: 'deny', namespace: 'a', order: 1, subject: app('db'), ingress: rules(rule('deny')) })])
    const r = reach(deny, inv, calico, [{ protocol: P.TCP, port: 80 }])
    const t = r.tables[0]
    if (t === undefined) throw new Error('no table')
    const ids = r.classes.endpoints.map((e) => e.id)
    const m = matrix(r, t)
    expect(m[ids.indexOf('a/local')]?.[ids.indexOf('a/pinned')]).toBe(true)
    expect(m[ids.indexOf('a/remote')]?.[ids.indexOf('a/pinned')]).toBe(false)
  })
})
