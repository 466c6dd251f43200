/**
 * The reference interpreters (oracles): each reproduces the upstream Kubernetes conformance tables
 * (Cilium: except where its documented reading of ipBlock differs, asserted cell by cell), and
 * each dialect rule the oracles implement has one small case, written as YAML.
 */
import { describe, expect, it } from 'vitest'
import * as YAML from 'yaml'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import { parseText } from '../../src/io/source.js'
import { differences, loadCases } from '../conformance/cases.js'
import * as calico from './calico.js'
import * as cilium from './cilium.js'
import type { Allowed, Matrix, Peer, Probe, Protocol } from './inventory.js'
import { endpoints, external, inCidr, parseIp, peerId } from './inventory.js'
import * as k8s from './k8s.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

interface Oracle {
  readonly allowed: Allowed
  readonly table: (policies: ReadonlyArray<unknown>, inv: Inventory, probes: ReadonlyArray<Probe>) => ReadonlyArray<Matrix>
}

const oracles: Readonly<Record<'k8s' | 'calico' | 'cilium', Oracle>> = { k8s, calico, cilium }

const inventoryOf = (yaml: string, externals: ReadonlyArray<string> = []): Inventory => {
  const r = load(parseText('cluster.yaml', yaml).docs, externals.map(external))
  expect(r.diagnostics).toEqual([])
  return r.inventory
}

const docs = (yaml: string): ReadonlyArray<unknown> => YAML.parseAllDocuments(yaml).map((d) => d.toJS() as unknown)

/**
 * Namespaces a (team=blue) and b (team=red); nodes n1, n2. a/client, a/web, a/db, b/other are
 * pods; a/agent is on the host network of n1 (labelled app=web like a/web), a/agent2 on n2. The
 * named port `http` is 8080 on a/web but 9090 on b/other.
 */
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
kind: Node
metadata: {name: n1, labels: {zone: east}}
---
apiVersion: v1
kind: Node
metadata: {name: n2, labels: {zone: west}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client, pod-template-hash: abc}}
spec: {nodeName: n1, serviceAccountName: robot, containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db, tier: backend}}
spec: {nodeName: n2, containers: [{name: c, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: client}}
spec: {nodeName: n2, containers: [{name: c, ports: [{name: http, containerPort: 9090}]}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: web}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c}]}
status: {podIP: 192.168.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: agent2, namespace: a, labels: {app: web}}
spec: {nodeName: n2, hostNetwork: true, containers: [{name: c}]}
status: {podIP: 192.168.0.2}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: a, labels: {tier: data}}
spec: {selector: {app: db}}
`

const inv = inventoryOf(clusterYaml, ['203.0.113.7'])

const peer = (id: string): Peer => {
  const p = endpoints(inv).find((e) => peerId(e) === id)
  if (p === undefined) throw new Error(`no endpoint ${id}`)
  return p
}

/** `can(oracle, yaml)('a/client', 'a/web', 'TCP', 80)` */
const can =
  (o: Oracle, yaml: string) =>
  (from: string, to: string, protocol: Protocol = 'TCP', port = 80, sourcePort?: number): boolean =>
    o.allowed(docs(yaml), inv, peer(from), peer(to), protocol, port, sourcePort)

const knp = (name: string, spec: string, namespace = 'a'): string => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
---`

// -------------------------------------------------------------------------------------
// shared behaviour
// -------------------------------------------------------------------------------------

describe('every oracle', () => {
  for (const [name, o] of Object.entries(oracles)) {
    it(`${name}: tables list pods by namespace/name, then externals, one matrix per probe`, () => {
      const two = inventoryOf(clusterYaml, ['203.0.113.7', '198.51.100.1'])
      expect(endpoints(two).map(peerId)).toEqual(['a/agent', 'a/agent2', 'a/client', 'a/db', 'a/web', 'b/other', '203.0.113.7', '198.51.100.1'])
      const policy = docs(knp('deny-web', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}'))
      const t = o.table(policy, two, [{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 53 }])
      expect(t.length).toBe(2)
      for (const m of t) {
        expect(m.length).toBe(8)
        expect(m.every((row) => row.length === 8)).toBe(true)
        expect(m[2]?.[4]).toBe(false) // a/client -> a/web
        expect(m[2]?.[3]).toBe(true) // a/client -> a/db
      }
    })

    it(`${name}: no policy allows everything`, () => {
      const t = o.table([], inv, [{ protocol: 'SCTP', port: 9 }])
      expect(t[0]?.flat().every((x) => x)).toBe(true)
    })
  }

  it('addresses: IPv4, IPv6 and CIDR membership', () => {
    expect(inCidr(parseIp('10.0.1.7'), '10.0.0.0/16')).toBe(true)
    expect(inCidr(parseIp('10.1.0.1'), '10.0.0.0/16')).toBe(false)
    expect(inCidr(parseIp('2001:db8::5'), '2001:db8::/64')).toBe(true)
    expect(inCidr(parseIp('2001:db9::5'), '2001:db8::/32')).toBe(false)
    expect(inCidr(parseIp('10.0.0.1'), '10.0.0.1')).toBe(true)
    expect(inCidr(parseIp('10.0.0.1'), '::/0')).toBe(false)
  })
})

// -------------------------------------------------------------------------------------
// upstream conformance
// -------------------------------------------------------------------------------------

/** Cases where Cilium's documented behaviour differs from the API's, and the flows that differ. */
const ciliumDifferences: Readonly<Record<string, { readonly reason: string; readonly flows: ReadonlyArray<string> }>> = {
  '042-egress-cidr.yaml': {
    reason: 'ipBlock never matches pod IPs under Cilium (research/cilium.md §4.4, §6): the /32 of y/b no longer reaches y/b',
    flows: ['x/a -> y/b 80/TCP: expected allowed, got denied']
  }
}

describe('upstream conformance tables', () => {
  const cases = loadCases()
  it('has every case', () => expect(cases.length).toBe(34))

  const run = (o: Oracle, c: (typeof cases)[number]): ReadonlyArray<string> => {
    const cluster = inventoryOf(c.cluster)
    const t = o.table(docs(c.policies), cluster, c.expect.map((e) => ({ protocol: e.protocol as Protocol, port: e.port })))
    const ids = endpoints(cluster).map(peerId)
    return c.expect.flatMap((e, k) => differences(e, ids, t[k] ?? []))
  }

  for (const c of cases) {
    it(`${c.file}: k8s oracle`, () => expect(run(k8s, c)).toEqual([]))
    it(`${c.file}: calico oracle`, () => expect(run(calico, c)).toEqual([]))
    const d = ciliumDifferences[c.file]
    it(`${c.file}: cilium oracle${d === undefined ? '' : ` differs: ${d.reason}`}`, () => expect(run(cilium, c)).toEqual(d?.flows ?? []))
  }

  it('the cilium differences are exactly the flows to pod IPs inside an ipBlock', () => {
    const c = cases.find((x) => x.file === '042-egress-cidr.yaml')
    expect(c?.policies).toContain('cidr: 10.0.2.2/32')
    const cluster = inventoryOf(c?.cluster ?? '')
    expect(cluster.pods.filter((p) => inCidr(p.ip, '10.0.2.2/32')).map((p) => `${p.namespace}/${p.name}`)).toEqual(['y/b'])
  })
})

// -------------------------------------------------------------------------------------
// k8s
// -------------------------------------------------------------------------------------

describe('k8s oracle', () => {
  const k = (yaml: string) => can(k8s, yaml)

  it('absent policyTypes: Ingress, plus Egress when there are egress rules', () => {
    const t = k(knp('p', '{podSelector: {matchLabels: {app: web}}, egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]}'))
    expect(t('a/client', 'a/web')).toBe(false) // ingress isolated, no ingress rules
    expect(t('a/web', 'a/db')).toBe(true)
    expect(t('a/web', 'a/client')).toBe(false)
    const i = k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{}]}'))
    expect(i('a/web', '203.0.113.7')).toBe(true) // egress not isolated
  })

  it('isolation is per direction and allows add up across policies', () => {
    const t = k(knp('p1', '{podSelector: {}, policyTypes: [Ingress]}') + knp('p2', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}'))
    expect(t('a/client', 'a/web')).toBe(true)
    expect(t('a/client', 'a/db')).toBe(false)
    expect(t('a/db', '203.0.113.7')).toBe(true)
  })

  it('a podSelector peer stays in the policy namespace; namespaceSelector and podSelector are ANDed', () => {
    const same = k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}'))
    expect(same('a/client', 'a/web')).toBe(true)
    expect(same('b/other', 'a/web')).toBe(false)
    const both = k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: red}}, podSelector: {matchLabels: {app: client}}}]}]}'))
    expect(both('b/other', 'a/web')).toBe(true)
    expect(both('a/client', 'a/web')).toBe(false)
    const anyNs = k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {}}]}]}'))
    expect(anyNs('b/other', 'a/web')).toBe(true)
    expect(anyNs('203.0.113.7', 'a/web')).toBe(false)
  })

  it('ipBlock with except matches pod addresses too', () => {
    const t = k(knp('p', '{podSelector: {matchLabels: {app: client}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.3/32]}}]}]}'))
    expect(t('a/client', 'a/web')).toBe(true)
    expect(t('a/client', 'a/db')).toBe(false)
    expect(t('a/client', 'b/other')).toBe(true)
    expect(t('a/client', '203.0.113.7')).toBe(false)
  })

  it('ports: protocol defaults to TCP, endPort is a range, named ports resolve on the destination pod', () => {
    const range = k(knp('p', '{podSelector: {}, ingress: [{ports: [{port: 8000, endPort: 8100}]}]}'))
    expect(range('b/other', 'a/web', 'TCP', 8080)).toBe(true)
    expect(range('b/other', 'a/web', 'TCP', 8101)).toBe(false)
    expect(range('b/other', 'a/web', 'UDP', 8080)).toBe(false)
    const named = k(knp('p', '{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}', 'b'))
    expect(named('b/other', 'a/web', 'TCP', 8080)).toBe(true)
    expect(named('b/other', 'a/web', 'TCP', 9090)).toBe(false) // 9090 is http on b/other, not on the destination
    expect(named('b/other', '203.0.113.7', 'TCP', 8080)).toBe(false)
    const udp = k(knp('p', '{podSelector: {}, ingress: [{ports: [{port: dns, protocol: UDP}]}]}'))
    expect(udp('a/client', 'a/web', 'UDP', 53)).toBe(true)
    expect(udp('a/client', 'a/web', 'TCP', 53)).toBe(false)
  })

  it('empty vs absent from: [{}] and from: [] allow everyone, no rule allows no one; no ports include ICMP', () => {
    expect(k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{}]}'))('203.0.113.7', 'a/web', 'ICMP', 0)).toBe(true)
    expect(k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: []}]}'))('b/other', 'a/web')).toBe(true)
    expect(k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: []}'))('a/client', 'a/web')).toBe(false)
    expect(k(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 80}]}]}'))('a/client', 'a/web', 'ICMP', 0)).toBe(false)
  })

  it('host-network pods are never selected, and selector peers never match them', () => {
    const t = k(knp('p', '{podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}'))
    expect(t('a/client', 'a/agent')).toBe(true)
    expect(t('a/web', 'a/db')).toBe(true)
    expect(t('a/agent', 'a/db')).toBe(false)
    const ip = k(knp('p', '{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/24}}]}]}'))
    expect(ip('a/agent', 'a/db')).toBe(true)
  })

  it('a pod cannot block its resident node', () => {
    const t = k(knp('p', '{podSelector: {}, policyTypes: [Ingress, Egress]}'))
    expect(t('a/agent', 'a/web')).toBe(true) // n1 -> n1
    expect(t('a/agent2', 'a/web')).toBe(false) // n2 -> n1
    expect(t('a/web', 'a/agent')).toBe(false) // egress to the node is not exempt
  })
})

// -------------------------------------------------------------------------------------
// calico
// -------------------------------------------------------------------------------------

const cnp = (name: string, spec: string, extra = ''): string => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ${name}, namespace: a}
spec: ${spec}
${extra}---`

const gnp = (name: string, spec: string): string => `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec: ${spec}
---`

const tier = (name: string, order: number, defaultAction = 'Deny'): string => `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: ${name}}
spec: {order: ${order}, defaultAction: ${defaultAction}}
---`

describe('calico oracle', () => {
  const c = (yaml: string) => can(calico, yaml)

  it('selector language: precedence, string operators, sets, quotes', () => {
    const labels = { app: 'web-1', tier: 'fe', q: `it's` }
    const h = (s: string): boolean => calico.holds(calico.parseSelector(s), labels)
    expect(h(`app starts with 'web' && !has(zone) || tier == 'x'`)).toBe(true)
    expect(h(`!app == 'web-1' && tier == 'fe'`)).toBe(false)
    expect(h(`app endswith '-1' && app contains 'b-'`)).toBe(true)
    expect(h(`tier in {'be', 'fe',} && tier not in {}`)).toBe(true)
    expect(h(`tier notin { 'fe' }`)).toBe(false)
    expect(h(`q == "it's"`)).toBe(true)
    expect(h(`  `)).toBe(true)
    expect(h(`!(all())`)).toBe(false)
    expect(() => calico.parseSelector('a == b')).toThrow()
  })

  it("!= and not in match pods without the label", () => {
    const t = c(cnp('p', `{selector: "app == 'web'", ingress: [{action: Allow, source: {selector: "tier != 'backend'"}}]}`))
    expect(t('a/client', 'a/web')).toBe(true) // no tier label
    expect(t('a/db', 'a/web')).toBe(false)
    const n = c(cnp('p', `{selector: "app == 'web'", ingress: [{action: Allow, source: {selector: "tier not in {'backend'}"}}]}`))
    expect(n('a/client', 'a/web')).toBe(true)
  })

  it('a Deny-only policy makes the end-of-tier drop apply to everything else', () => {
    const deny = cnp('p', `{selector: "app == 'web'", ingress: [{action: Deny, source: {selector: "app == 'db'"}}]}`)
    expect(c(deny)('a/db', 'a/web')).toBe(false)
    expect(c(deny)('a/client', 'a/web')).toBe(false)
    const lenient = tier('t', 100, 'Pass') + cnp('p', `{tier: t, selector: "app == 'web'", ingress: [{action: Deny, source: {selector: "app == 'db'"}}]}`)
    expect(c(lenient)('a/db', 'a/web')).toBe(false)
    expect(c(lenient)('a/client', 'a/web')).toBe(true)
  })

  it('Pass leaves the tier; the next tier (or the profile) decides', () => {
    const sec = tier('security', 100) + cnp('pass', `{tier: security, selector: "app == 'web'", ingress: [{action: Pass, source: {selector: "app == 'client'"}}]}`)
    expect(c(sec)('a/client', 'a/web')).toBe(true) // no policy in default selects web: the profile allows
    expect(c(sec)('a/db', 'a/web')).toBe(false) // end of tier security
    const then = sec + cnp('only-db', `{selector: "app == 'web'", ingress: [{action: Allow, source: {selector: "app == 'db'"}}]}`)
    expect(c(then)('a/client', 'a/web')).toBe(false) // end of tier default
  })

  it('a Calico Allow in the default tier bypasses a Kubernetes policy (calico#5940); order decides against Deny', () => {
    const dnsOnly = knp('dns-only', '{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}')
    const allowAll = (order: number) => gnp('allow-all', `{order: ${order}, selector: all(), types: [Egress], egress: [{action: Allow}]}`)
    expect(can(k8s, dnsOnly)('a/web', 'a/client')).toBe(false)
    expect(c(dnsOnly)('a/web', 'a/client')).toBe(false)
    expect(c(dnsOnly + allowAll(100))('a/web', 'a/client')).toBe(true)
    const open = knp('open', '{podSelector: {}, ingress: [{}]}')
    const denyDb = (order: number) => gnp('deny-db', `{order: ${order}, selector: all(), ingress: [{action: Deny, source: {selector: "app == 'db'"}}]}`)
    expect(c(open + denyDb(999))('a/db', 'a/web')).toBe(false)
    expect(c(open + denyDb(1001))('a/db', 'a/web')).toBe(true)
  })

  it('Log gives no verdict', () => {
    expect(c(cnp('p', `{selector: all(), ingress: [{action: Log}, {action: Allow}]}`))('a/client', 'a/web')).toBe(true)
    expect(c(cnp('p', `{selector: all(), ingress: [{action: Log}]}`))('a/client', 'a/web')).toBe(false)
  })

  it('tiers run by order; undeclared order comes last', () => {
    const yaml = tier('late', 2_000_000) + tier('early', 5) + cnp('deny', `{tier: late, selector: all(), ingress: [{action: Deny}]}`) + cnp('allow', `{tier: early, selector: all(), ingress: [{action: Allow}]}`)
    expect(c(yaml)('a/client', 'a/web')).toBe(true)
    const swapped = tier('late', 2_000_000) + tier('early', 5) + cnp('deny', `{tier: early, selector: all(), ingress: [{action: Deny}]}`) + cnp('allow', `{tier: late, selector: all(), ingress: [{action: Allow}]}`)
    expect(c(swapped)('a/client', 'a/web')).toBe(false)
  })

  it('rule selectors of a NetworkPolicy are scoped to its namespace unless namespaceSelector is set; a GNP is not', () => {
    const rule = (src: string) => c(cnp('p', `{selector: "app == 'web'", ingress: [{action: Allow, source: ${src}}]}`))
    expect(rule(`{selector: "app == 'client'"}`)('b/other', 'a/web')).toBe(false)
    expect(rule(`{selector: "app == 'client'"}`)('a/client', 'a/web')).toBe(true)
    expect(rule(`{selector: "app == 'client'", namespaceSelector: all()}`)('b/other', 'a/web')).toBe(true)
    expect(rule(`{namespaceSelector: "team == 'red'"}`)('b/other', 'a/web')).toBe(true)
    expect(rule(`{namespaceSelector: "projectcalico.org/name == 'b'"}`)('b/other', 'a/web')).toBe(true)
    expect(rule(`{selector: all()}`)('203.0.113.7', 'a/web')).toBe(false) // all() is known entities, not every address
    expect(rule(`{notSelector: "app == 'db'"}`)('a/client', 'a/web')).toBe(true)
    expect(rule(`{notSelector: "app == 'db'"}`)('b/other', 'a/web')).toBe(false) // scoped positive part
    expect(rule(`{notSelector: "app == 'db'"}`)('203.0.113.7', 'a/web')).toBe(false)
    const global = (src: string) => c(gnp('g', `{selector: "app == 'web'", ingress: [{action: Allow, source: ${src}}]}`))
    expect(global(`{selector: "app == 'client'"}`)('b/other', 'a/web')).toBe(true)
    expect(global(`{notSelector: "app == 'db'"}`)('203.0.113.7', 'a/web')).toBe(true)
    expect(global(`{selector: "app == 'web'"}`)('a/agent2', 'a/web')).toBe(false) // host-network pods are no workload endpoints
  })

  it("special labels: namespace, orchestrator, service account; a GNP's namespaceSelector", () => {
    const rule = (src: string) => c(gnp('g', `{selector: "app == 'web'", ingress: [{action: Allow, source: ${src}}]}`))
    expect(rule(`{selector: "projectcalico.org/namespace == 'b'"}`)('b/other', 'a/web')).toBe(true)
    expect(rule(`{selector: "projectcalico.org/namespace == 'b'"}`)('a/client', 'a/web')).toBe(false)
    expect(rule(`{selector: "projectcalico.org/orchestrator == 'k8s'"}`)('a/db', 'a/web')).toBe(true)
    expect(rule(`{serviceAccounts: {names: [robot]}}`)('a/client', 'a/web')).toBe(true)
    expect(rule(`{serviceAccounts: {names: [robot]}}`)('a/db', 'a/web')).toBe(false)
    const ns = c(gnp('g', `{namespaceSelector: "team == 'red'", types: [Egress], egress: [{action: Deny}]}`))
    expect(ns('b/other', 'a/web')).toBe(false)
    expect(ns('a/client', 'a/web')).toBe(true)
  })

  it('nets match any address, pods included; network sets lend their labels to the addresses they contain', () => {
    const nets = c(cnp('p', `{selector: "app == 'client'", types: [Egress], egress: [{action: Allow, destination: {nets: [10.0.0.0/24], notNets: [10.0.0.3/32]}}]}`))
    expect(nets('a/client', 'a/web')).toBe(true)
    expect(nets('a/client', 'a/db')).toBe(false)
    expect(nets('a/client', '203.0.113.7')).toBe(false)
    const gns = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: ext, labels: {role: ext}}
spec: {nets: [203.0.113.0/24]}
---`
    const set = c(gns + gnp('g', `{selector: "app == 'client'", types: [Egress], egress: [{action: Allow, destination: {selector: "role == 'ext'"}}]}`))
    expect(set('a/client', '203.0.113.7')).toBe(true)
    expect(set('a/client', 'a/web')).toBe(false)
    const scoped = c(gns + cnp('p', `{selector: "app == 'client'", types: [Egress], egress: [{action: Allow, destination: {selector: "role == 'ext'"}}]}`))
    expect(scoped('a/client', '203.0.113.7')).toBe(false) // a GlobalNetworkSet is outside the namespace scope
    const nset = `
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: pods, namespace: b, labels: {role: peer}}
spec: {nets: [10.0.0.2/32]}
---`
    const covered = c(nset + gnp('g', `{selector: "app == 'client'", types: [Egress], egress: [{action: Allow, destination: {selector: "role == 'peer'", namespaceSelector: "team == 'red'"}}]}`))
    expect(covered('a/client', 'a/web')).toBe(true) // a/web's address is in b's network set
    expect(covered('a/client', 'a/db')).toBe(false)
  })

  it('types: inferred from non-empty rule lists for v3; both directions for a raw crd.projectcalico.org/v1 object', () => {
    const v3 = c(cnp('p', `{selector: "app == 'web'", egress: [{action: Allow, destination: {selector: "app == 'db'"}}]}`))
    expect(v3('a/client', 'a/web')).toBe(true)
    expect(v3('a/web', 'a/client')).toBe(false)
    const v1 = `
apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: default.p, namespace: a}
spec: {selector: "app == 'web'", ingress: [{action: Allow}]}
---`
    expect(c(v1)('a/client', 'a/web')).toBe(true)
    expect(c(v1)('a/web', 'a/client')).toBe(false)
  })

  it('ports: numeric, ranges, named ports on the destination endpoint; ICMP type and code', () => {
    const p = c(cnp('p', `{selector: all(), ingress: [{action: Allow, protocol: TCP, destination: {ports: [http, "5000:5100"]}}, {action: Allow, protocol: ICMP, icmp: {type: 8}}]}`))
    expect(p('a/client', 'a/web', 'TCP', 8080)).toBe(true)
    expect(p('a/client', 'a/db', 'TCP', 8080)).toBe(false)
    expect(p('a/client', 'a/db', 'TCP', 5050)).toBe(true)
    expect(p('a/client', 'a/db', 'UDP', 5050)).toBe(false)
    expect(p('a/client', 'a/db', 'ICMP', 8 * 256 + 3)).toBe(true)
    expect(p('a/client', 'a/db', 'ICMP', 0)).toBe(false)
  })

  it('source ports: source.ports and source.notPorts against the probe\'s source port, named ones on the source endpoint', () => {
    const deny = c(cnp('p', `{selector: "app == 'web'", ingress: [{action: Deny, protocol: TCP, source: {ports: [151]}}, {action: Allow}]}`))
    expect(deny('a/client', 'a/web', 'TCP', 80, 151)).toBe(false)
    expect(deny('a/client', 'a/web', 'TCP', 80, 152)).toBe(true)
    expect(deny('a/client', 'a/web', 'UDP', 80, 151)).toBe(true)
    const not = c(cnp('p', `{selector: "app == 'web'", ingress: [{action: Allow, protocol: TCP, source: {notPorts: ["1:1023"]}}]}`))
    expect(not('a/client', 'a/web', 'TCP', 80, 80)).toBe(false)
    expect(not('a/client', 'a/web', 'TCP', 80, 40000)).toBe(true)
    // egress: the source is the policy's own endpoint; a named source port resolves on it (a/web: http = 8080)
    const named = c(cnp('p', `{selector: "app == 'web'", types: [Egress], egress: [{action: Allow, protocol: TCP, source: {ports: [http]}}]}`))
    expect(named('a/web', 'a/db', 'TCP', 5432, 8080)).toBe(true)
    expect(named('a/web', 'a/db', 'TCP', 5432, 8081)).toBe(false)
  })

  it('Kubernetes policies sit in tier default at order 1000 and do not select host-network pods', () => {
    const yaml = knp('allow-client', '{podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}') + cnp('deny-client', `{order: 1001, selector: all(), ingress: [{action: Deny}]}`)
    expect(c(yaml)('a/client', 'a/web')).toBe(true)
    expect(c(yaml)('a/db', 'a/web')).toBe(false)
    expect(c(yaml)('a/db', 'a/agent')).toBe(true)
  })

  it('a host reaches its own local workloads whatever the policies (§4.1)', () => {
    const deny = c(cnp('p', `{selector: all(), ingress: [{action: Deny}]}`))
    expect(deny('a/agent', 'a/web')).toBe(true) // n1 -> n1
    expect(deny('a/agent2', 'a/web')).toBe(false) // n2 -> n1
  })
})

// -------------------------------------------------------------------------------------
// cilium
// -------------------------------------------------------------------------------------

const ciliumNp = (name: string, spec: string, kind = 'CiliumNetworkPolicy'): string => `
apiVersion: cilium.io/v2
kind: ${kind}
metadata: {name: ${name}${kind === 'CiliumNetworkPolicy' ? ', namespace: a' : ''}}
spec: ${spec}
---`

const ccnp = (name: string, spec: string): string => ciliumNp(name, spec, 'CiliumClusterwideNetworkPolicy')

describe('cilium oracle', () => {
  const c = (yaml: string) => can(cilium, yaml)
  const web = `endpointSelector: {matchLabels: {app: web}}`

  it('ingress: [{}] turns on default deny and allows nothing', () => {
    const t = c(ciliumNp('p', `{${web}, ingress: [{}]}`))
    expect(t('a/client', 'a/web')).toBe(false)
    expect(t('a/web', 'a/client')).toBe(true)
  })

  it('a deny-only policy enables default deny, unless enableDefaultDeny says no; deny wins over allow', () => {
    const deny = `ingressDeny: [{fromEndpoints: [{matchLabels: {app: db}}]}]`
    expect(c(ciliumNp('p', `{${web}, ${deny}}`))('a/client', 'a/web')).toBe(false)
    const lenient = c(ciliumNp('p', `{${web}, ${deny}, enableDefaultDeny: {ingress: false}}`))
    expect(lenient('a/client', 'a/web')).toBe(true)
    expect(lenient('a/db', 'a/web')).toBe(false)
    const both = c(ciliumNp('p', `{${web}, ${deny}}`) + ciliumNp('q', `{${web}, ingress: [{fromEntities: [all]}]}`))
    expect(both('a/client', 'a/web')).toBe(true)
    expect(both('a/db', 'a/web')).toBe(false)
  })

  it('toPorts without a peer allows every peer on those ports', () => {
    const t = c(ciliumNp('p', `{${web}, ingress: [{toPorts: [{ports: [{port: "8080", protocol: TCP}]}]}]}`))
    expect(t('203.0.113.7', 'a/web', 'TCP', 8080)).toBe(true)
    expect(t('b/other', 'a/web', 'TCP', 8080)).toBe(true)
    expect(t('b/other', 'a/web', 'TCP', 80)).toBe(false)
  })

  it('an explicit empty fromEndpoints selects nothing, even with toPorts', () => {
    const t = c(ciliumNp('p', `{${web}, ingress: [{fromEndpoints: [], toPorts: [{ports: [{port: "8080"}]}]}]}`))
    expect(t('a/client', 'a/web', 'TCP', 8080)).toBe(false)
  })

  it('fromCIDR never matches pods, even inside the range', () => {
    const t = c(ciliumNp('p', `{${web}, ingress: [{fromCIDR: [10.0.0.0/8, 203.0.113.7]}]}`))
    expect(t('a/client', 'a/web')).toBe(false)
    expect(t('203.0.113.7', 'a/web')).toBe(true)
    const e = c(ciliumNp('p', `{endpointSelector: {}, egress: [{toCIDRSet: [{cidr: 0.0.0.0/0, except: [203.0.113.0/24]}]}]}`))
    expect(e('a/client', 'a/web')).toBe(false)
    expect(e('a/client', '203.0.113.7')).toBe(false)
  })

  it('fromEndpoints {} is the policy namespace in a CNP, every namespace in a CCNP, never world or host', () => {
    const cnpT = c(ciliumNp('p', `{${web}, ingress: [{fromEndpoints: [{}]}]}`))
    expect(cnpT('a/client', 'a/web')).toBe(true)
    expect(cnpT('b/other', 'a/web')).toBe(false)
    const ccnpT = c(ccnp('p', `{${web}, ingress: [{fromEndpoints: [{}]}]}`))
    expect(ccnpT('b/other', 'a/web')).toBe(true)
    expect(ccnpT('203.0.113.7', 'a/web')).toBe(false)
    expect(ccnpT('a/agent2', 'a/web')).toBe(false)
  })

  it('namespace injection: the subject stays in the policy namespace; namespace keys in peers lift the pin', () => {
    const subj = c(ciliumNp('p', `{endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": b}}, ingress: [{}]}`))
    expect(subj('a/client', 'a/web')).toBe(false)
    expect(subj('a/client', 'b/other')).toBe(true)
    const byLabel = c(ciliumNp('p', `{${web}, ingress: [{fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: red}}]}]}`))
    expect(byLabel('b/other', 'a/web')).toBe(true)
    expect(byLabel('a/client', 'a/web')).toBe(false)
    const anyNs = c(ciliumNp('p', `{${web}, ingress: [{fromEndpoints: [{matchExpressions: [{key: "k8s:io.kubernetes.pod.namespace", operator: Exists}]}]}]}`))
    expect(anyNs('b/other', 'a/web')).toBe(true)
  })

  it('entities: world, cluster, host and remote-node; allow-localhost', () => {
    const e = (entity: string) => c(ciliumNp('p', `{endpointSelector: {}, ingress: [{fromEntities: [${entity}]}]}`))
    expect(e('world')('203.0.113.7', 'a/web')).toBe(true)
    expect(e('world')('a/client', 'a/web')).toBe(false)
    expect(e('cluster')('a/agent2', 'a/web')).toBe(true)
    expect(e('cluster')('203.0.113.7', 'a/web')).toBe(false)
    const out = (entity: string) => c(ciliumNp('p', `{${web}, egress: [{toEntities: [${entity}]}]}`))
    expect(out('host')('a/web', 'a/agent')).toBe(true) // a/web and a/agent are on n1
    expect(out('host')('a/web', 'a/agent2')).toBe(false)
    expect(out('remote-node')('a/web', 'a/agent2')).toBe(true)
    expect(out('remote-node')('a/web', 'a/agent')).toBe(false)
    expect(e('kube-apiserver')('a/agent2', 'a/web')).toBe(false)
    const none = c(ciliumNp('p', `{endpointSelector: {}, ingress: [{}]}`))
    expect(none('a/agent', 'a/web')).toBe(true) // allow-localhost: n1 into a pod on n1
    expect(none('a/agent2', 'a/web')).toBe(false)
  })

  it('ports: L3-only rules include ICMP, protocol ANY does not; port 0 is every port; ICMP by type', () => {
    const l3 = c(ciliumNp('p', `{${web}, ingress: [{fromEntities: [all]}]}`))
    expect(l3('a/client', 'a/web', 'ICMP', 8 * 256)).toBe(true)
    const any = c(ciliumNp('p', `{${web}, ingress: [{toPorts: [{ports: [{port: "0", protocol: ANY}]}]}]}`))
    expect(any('a/client', 'a/web', 'SCTP', 7)).toBe(true)
    expect(any('a/client', 'a/web', 'ICMP', 8 * 256)).toBe(false)
    const icmp = c(ciliumNp('p', `{${web}, ingress: [{icmps: [{fields: [{type: EchoRequest}]}]}]}`))
    expect(icmp('a/client', 'a/web', 'ICMP', 8 * 256 + 1)).toBe(true)
    expect(icmp('a/client', 'a/web', 'ICMP', 0)).toBe(false)
    // type 0 becomes port 0, every port: every ICMP type (pkg/policy/api/icmp.go)
    const reply = c(ciliumNp('p', `{${web}, ingress: [{icmps: [{fields: [{type: EchoReply}]}]}]}`))
    expect(reply('a/client', 'a/web', 'ICMP', 3 * 256 + 1)).toBe(true)
  })

  it('named ports: ingress on the subject; egress through the node-wide map, nothing when a name is ambiguous', () => {
    const ing = c(ciliumNp('p', `{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: http}]}]}]}`))
    expect(ing('a/client', 'a/web', 'TCP', 8080)).toBe(true)
    expect(ing('a/client', 'a/web', 'TCP', 9090)).toBe(false)
    const pg = c(ciliumNp('p', `{endpointSelector: {matchLabels: {app: client}}, egress: [{toPorts: [{ports: [{port: PG, protocol: TCP}]}]}]}`))
    expect(pg('a/client', 'a/db', 'TCP', 5432)).toBe(true)
    expect(pg('a/client', '203.0.113.7', 'TCP', 5432)).toBe(true) // the map gives a number, wherever the destination
    const http = c(ciliumNp('p', `{endpointSelector: {matchLabels: {app: client}}, egress: [{toPorts: [{ports: [{port: http}]}]}]}`))
    expect(http('a/client', 'a/web', 'TCP', 8080)).toBe(false) // http is 8080 and 9090 in the inventory
  })

  it('toServices reaches the backend pods of a Service (allow rules only)', () => {
    const t = c(ciliumNp('p', `{endpointSelector: {matchLabels: {app: client}}, egress: [{toServices: [{k8sService: {serviceName: db, namespace: a}}]}]}`))
    expect(t('a/client', 'a/db')).toBe(true)
    expect(t('a/client', 'a/web')).toBe(false)
    const s = c(ciliumNp('p', `{endpointSelector: {matchLabels: {app: client}}, egress: [{toServices: [{k8sServiceSelector: {selector: {matchLabels: {tier: data}}}}]}]}`))
    expect(s('a/client', 'a/db')).toBe(true)
  })

  it('host policies (nodeSelector) select host-network pods; endpoint selectors never do', () => {
    const node = c(ccnp('h', `{nodeSelector: {matchLabels: {zone: east}}, ingress: [{}]}`))
    expect(node('a/client', 'a/agent')).toBe(false)
    expect(node('a/client', 'a/agent2')).toBe(true)
    expect(c(ccnp('p', `{endpointSelector: {}, ingress: [{}]}`))('a/client', 'a/agent')).toBe(true)
  })

  it('identity-irrelevant labels (pod-template-hash) cannot be selected', () => {
    const t = c(ciliumNp('p', `{${web}, ingress: [{fromEndpoints: [{matchLabels: {pod-template-hash: abc}}]}]}`))
    expect(t('a/client', 'a/web')).toBe(false)
  })

  it("Kubernetes policies as Cilium reads them: ipBlock misses pods, no from is every identity, non-empty rules count whatever policyTypes says", () => {
    const ip = c(knp('p', '{podSelector: {matchLabels: {app: client}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}'))
    expect(ip('a/client', 'a/web')).toBe(false)
    expect(can(k8s, knp('p', '{podSelector: {matchLabels: {app: client}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}'))('a/client', 'a/web')).toBe(true)
    const open = c(knp('p', '{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 80}]}]}'))
    expect(open('203.0.113.7', 'a/web')).toBe(true)
    expect(open('a/agent2', 'a/web')).toBe(true)
    expect(open('a/client', 'a/web', 'TCP', 81)).toBe(false)
    const ignored = knp('p', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{}], egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]}')
    expect(can(k8s, ignored)('a/web', 'a/client')).toBe(true)
    expect(c(ignored)('a/web', 'a/client')).toBe(false)
    expect(c(ignored)('a/web', 'a/db')).toBe(true)
  })
})
