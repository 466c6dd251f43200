/**
 * The cilium model (research/cilium.md §3–§6), one case per rule: when an endpoint is default-deny
 * (§4.1), how allow and deny rules combine (§4.2), L3/L4 matching (§4.3), CIDR rules and cluster
 * endpoints (§4.4), allow-localhost and host endpoints (§4.7), entities (§3), how Cilium reads
 * Kubernetes NetworkPolicies (§5, §6); and the upstream Kubernetes conformance tables under Cilium,
 * with the one documented difference asserted by name.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory, Pod } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import type { Diagnostic } from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Action, DirectionRules, L7, Ordering, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import { concat } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import { cilium } from '../../src/semantics/cilium.js'
import { classify, endpointsOf } from '../../src/semantics/endpoint.js'
import { k8s } from '../../src/semantics/k8s.js'
import type { Model } from '../../src/semantics/model.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'
import { differences, loadCases } from '../conformance/cases.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

/**
 * Two nodes. n1 runs a/client, a/web and the host-network pod a/agent-1; n2 runs a/legacy,
 * b/other and a/agent-2. The agents carry app=web like the web pods, to show that pod policies
 * never select them.
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
status: {addresses: [{type: InternalIP, address: 192.168.0.1}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2, labels: {zone: west}}
status: {addresses: [{type: InternalIP, address: 192.168.0.2}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {nodeName: n1, containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: legacy, namespace: a, labels: {app: web}}
spec: {nodeName: n2, containers: [{name: c, ports: [{name: http, containerPort: 9090}]}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: client}}
spec: {nodeName: n2, containers: [{name: c}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: agent-1, namespace: a, labels: {app: web}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c}]}
status: {podIP: 192.168.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: agent-2, namespace: a, labels: {app: web}}
spec: {nodeName: n2, hostNetwork: true, containers: [{name: c}]}
status: {podIP: 192.168.0.2}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a, labels: {tier: front}}
spec: {selector: {app: web}}
`

const external = (text: string) => {
  const ip = C.parseIp(text)
  if (ip._tag === 'Left') throw new Error(ip.left)
  return { text, ip: ip.right }
}

/** Outside addresses: two in 203.0.113.0/24, one in 10.0.0.0/8 that is no pod, one IPv6. */
const externals = ['203.0.113.9', '203.0.113.10', '10.9.9.9', '2001:db8::1']

const baseInventory: Inventory = { ...load(parseText('cluster.yaml', clusterYaml).docs).inventory, externals: externals.map(external) }

const cidrs = (...texts: ReadonlyArray<string>): C.CidrSet =>
  texts.reduce((acc, t) => {
    const c = C.parseCidr(t)
    if (c._tag === 'Left') throw new Error(c.left)
    return C.union(acc, c.right)
  }, C.empty)

/** Pods of namespace `ns` labelled app=`v` (a fromEndpoints peer of a CNP). */
const pods = (ns: string, v: string): F.Formula => F.and(F.kind(['pod']), F.inNamespace([ns]), F.labelEquals('endpoint', 'app', v))

/** A CNP subject: pods labelled app=`v`. */
const subject = (v: string): F.Formula => F.and(F.kind(['pod']), F.labelEquals('endpoint', 'app', v))

const rule = (action: Action, peer: F.Formula = F.tt, ports: P.PortSet = P.all, l7?: L7): Rule => ({ action, peer, ports, l7, location: undefined })

const rules = (...rs: ReadonlyArray<Rule>): DirectionRules => ({ defaultDeny: true, rules: rs })

const lenient = (...rs: ReadonlyArray<Rule>): DirectionRules => ({ defaultDeny: false, rules: rs })

interface PolicySpec {
  readonly name: string
  /** undefined: namespace `a`; null: a CiliumClusterwideNetworkPolicy */
  readonly namespace?: string | null
  readonly subject: F.Formula
  readonly ingress?: DirectionRules
  readonly egress?: DirectionRules
  readonly ordering?: Ordering
}

/** A CNP (or CCNP) rule, built as IR the way the Cilium dialect maps it (dialects/cilium/ir-mapping.md). */
const policy = (s: PolicySpec): Policy => {
  const namespace = s.namespace === null ? undefined : (s.namespace ?? 'a')
  return {
    _tag: 'Policy',
    origin: {
      dialect: 'cilium',
      kind: namespace === undefined ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
      namespace,
      name: s.name,
      location: undefined,
      labels: undefined,
      annotations: undefined
    },
    scope: namespace === undefined ? { _tag: 'cluster' } : { _tag: 'namespace', namespace },
    ordering: s.ordering,
    subject: s.subject,
    ingress: s.ingress,
    egress: s.egress
  }
}

const set = (...policies: ReadonlyArray<Policy>): PolicySet => ({ policies, tiers: [], networkSets: [] })

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

const table = (s: PolicySet, protocol: number = P.TCP, port: number = 80, inventory: Inventory = baseInventory, model: Model = cilium): Table => {
  const r = reach(s, inventory, model, [{ protocol, port }])
  const t = r.tables[0]
  if (t === undefined) throw new Error('no table')
  const ids = r.classes.endpoints.map((e) => e.id)
  const m = matrix(r, t)
  return {
    allowed: (from, to) => {
      const i = ids.indexOf(from)
      const j = ids.indexOf(to)
      if (i < 0 || j < 0) throw new Error(`unknown endpoint ${i < 0 ? from : to}`)
      return m[i]?.[j] ?? false
    },
    diagnostics: r.diagnostics
  }
}

const codes = (ds: ReadonlyArray<Diagnostic>): ReadonlyArray<string> => ds.map((d) => `${d.severity} ${d.code}`)

const protocolOf = (text: string): number => {
  const r = P.parseProtocol(text)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

const echo = 8 * 256 // ICMP echo request, code 0

// -------------------------------------------------------------------------------------
// §4.1 default-deny
// -------------------------------------------------------------------------------------

describe('cilium model: when an endpoint is default-deny (§4.1)', () => {
  it('is registered under its name', () => expect(modelByName('cilium')).toBe(cilium))

  it('an endpoint no policy selects allows everything, both ways', () => {
    const { allowed, diagnostics } = table(set())
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('203.0.113.9', 'a/web')).toBe(true)
    expect(allowed('a/web', '203.0.113.9')).toBe(true)
    expect(diagnostics).toEqual([])
  })

  it('a policy governs only the directions it defines (ingress: [] defines none)', () => {
    const { allowed } = table(set(policy({ name: 'in', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'))) })))
    expect(allowed('b/other', 'a/web')).toBe(false) // ingress is default-deny
    expect(allowed('a/web', '203.0.113.9')).toBe(true) // egress untouched
  })

  it('an element that allows nothing (`ingress: [{}]`) still makes the direction default-deny', () => {
    const { allowed } = table(set(policy({ name: 'deny-all', subject: subject('web'), ingress: rules() })))
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('203.0.113.9', 'a/web')).toBe(false)
    expect(allowed('a/client', 'a/legacy')).toBe(false) // legacy is app=web too
  })

  it('a direction whose policies all set enableDefaultDeny: false stays open to what no deny matches', () => {
    const { allowed } = table(set(policy({ name: 'open', subject: subject('web'), ingress: lenient(rule('allow', pods('a', 'client'), P.port(P.TCP, 443))) })))
    expect(allowed('b/other', 'a/web')).toBe(true)
    expect(allowed('203.0.113.9', 'a/web')).toBe(true)
  })

  it('one policy asking for default-deny wins over others that do not', () => {
    const s = set(
      policy({ name: 'open', subject: subject('web'), ingress: lenient(rule('allow', pods('b', 'client'))) }),
      policy({ name: 'strict', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'))) })
    )
    const { allowed } = table(s)
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('b/other', 'a/web')).toBe(true) // allowed by the lenient policy's allow rule
    expect(allowed('203.0.113.9', 'a/web')).toBe(false)
  })

  it('a deny-only policy makes the direction default-deny (§4.1, §6)', () => {
    const { allowed } = table(set(policy({ name: 'deny-world', subject: subject('web'), ingress: rules(rule('deny', F.entity('world'))) })))
    expect(allowed('203.0.113.9', 'a/web')).toBe(false)
    expect(allowed('a/client', 'a/web')).toBe(false) // not allowed by anything
  })

  it('enableDefaultDeny: false with a deny rule drops only what the deny matches', () => {
    const { allowed } = table(set(policy({ name: 'deny-world', subject: subject('web'), ingress: lenient(rule('deny', F.entity('world'))) })))
    expect(allowed('203.0.113.9', 'a/web')).toBe(false)
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('b/other', 'a/web')).toBe(true)
  })
})

// -------------------------------------------------------------------------------------
// §4.2 combining rules
// -------------------------------------------------------------------------------------

describe('cilium model: combining rules (§4.2)', () => {
  it('allow rules add up across policies and resource kinds (CNP + KNP)', () => {
    const cnp = set(policy({ name: 'from-b', subject: subject('web'), ingress: rules(rule('allow', pods('b', 'client'))) }))
    const k = knp(np('from-client', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: client}}}]\n'))
    const { allowed } = table(concat([cnp, k]))
    expect(allowed('b/other', 'a/web')).toBe(true)
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('203.0.113.9', 'a/web')).toBe(false)
  })

  it('ports apply to the peers of their own rule only (Example 1b)', () => {
    const s = set(
      policy({
        name: 'p',
        subject: subject('web'),
        ingress: rules(rule('allow', pods('a', 'client')), rule('allow', F.tt, P.port(P.TCP, 6379)))
      })
    )
    expect(table(s, P.UDP, 53).allowed('a/client', 'a/web')).toBe(true)
    expect(table(s, P.UDP, 53).allowed('b/other', 'a/web')).toBe(false)
    expect(table(s, P.TCP, 6379).allowed('b/other', 'a/web')).toBe(true)
  })

  it('a matching deny wins over any allow, whatever policy holds either and in any order', () => {
    const allow = policy({ name: 'allow-all', subject: subject('web'), ingress: rules(rule('allow')) })
    const deny = policy({ name: 'deny-client', namespace: null, subject: subject('web'), ingress: lenient(rule('deny', pods('a', 'client'))) })
    for (const s of [set(allow, deny), set(deny, allow)]) {
      const { allowed } = table(s)
      expect(allowed('a/client', 'a/web')).toBe(false)
      expect(allowed('b/other', 'a/web')).toBe(true)
    }
  })

  it('L3 allow + L4 deny on 80: 80 is denied, 81 and ICMP are allowed (documented matrix)', () => {
    const s = set(
      policy({
        name: 'p',
        subject: subject('web'),
        ingress: rules(rule('allow', pods('a', 'client')), rule('deny', pods('a', 'client'), P.port(P.TCP, 80)))
      })
    )
    expect(table(s, P.TCP, 80).allowed('a/client', 'a/web')).toBe(false)
    expect(table(s, P.TCP, 81).allowed('a/client', 'a/web')).toBe(true)
    expect(table(s, P.ICMP, echo).allowed('a/client', 'a/web')).toBe(true)
  })

  it('a connection needs the source\u2019s egress and the destination\u2019s ingress', () => {
    const s = set(
      policy({ name: 'client-out', subject: subject('client'), egress: rules(rule('allow', pods('a', 'web'))) }),
      policy({ name: 'web-in', subject: subject('web'), ingress: rules(rule('allow', pods('b', 'client'))) })
    )
    const { allowed } = table(s)
    expect(allowed('a/client', 'a/web')).toBe(false) // egress allows, ingress does not
    expect(allowed('b/other', 'a/web')).toBe(true) // b/other is in namespace b: no egress policy
    expect(allowed('a/client', 'b/other')).toBe(false) // egress does not allow
  })
})

// -------------------------------------------------------------------------------------
// §4.3 L3/L4
// -------------------------------------------------------------------------------------

describe('cilium model: L3/L4 matching (§4.3)', () => {
  it('a rule without ports matches every protocol, ICMP included', () => {
    const s = set(policy({ name: 'l3', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'))) }))
    expect(table(s, P.SCTP, 5000).allowed('a/client', 'a/web')).toBe(true)
    expect(table(s, P.ICMP, echo).allowed('a/client', 'a/web')).toBe(true)
  })

  it('protocol ANY (TCP, UDP and SCTP) leaves ICMP out', () => {
    const any = P.union(P.union(P.port(P.TCP, 80), P.port(P.UDP, 80)), P.port(P.SCTP, 80))
    const s = set(policy({ name: 'any', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'), any)) }))
    expect(table(s, P.UDP, 80).allowed('a/client', 'a/web')).toBe(true)
    expect(table(s, P.ICMP, echo).allowed('a/client', 'a/web')).toBe(false)
  })

  it('port 0 (a whole protocol) matches every port of it and nothing of others', () => {
    const s = set(policy({ name: 'tcp', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'), P.protocol(P.TCP))) }))
    expect(table(s, P.TCP, 65535).allowed('a/client', 'a/web')).toBe(true)
    expect(table(s, P.UDP, 53).allowed('a/client', 'a/web')).toBe(false)
  })

  it('ICMP rules match by type', () => {
    const s = set(policy({ name: 'ping', subject: subject('web'), ingress: rules(rule('allow', F.tt, P.icmp(P.ICMP, 8))) }))
    expect(table(s, P.ICMP, echo).allowed('203.0.113.9', 'a/web')).toBe(true)
    expect(table(s, P.ICMP, 0).allowed('203.0.113.9', 'a/web')).toBe(false) // echo reply
    expect(table(s, P.TCP, 80).allowed('203.0.113.9', 'a/web')).toBe(false)
  })

  it('named ports resolve on the subject for ingress; egress names node-wide, an ambiguous one allows nothing (§4.10)', () => {
    const ingress = set(policy({ name: 'in', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'), P.named('http', P.TCP))) }))
    expect(table(ingress, P.TCP, 8080).allowed('a/client', 'a/web')).toBe(true)
    expect(table(ingress, P.TCP, 8080).allowed('a/client', 'a/legacy')).toBe(false) // legacy's http is 9090
    expect(table(ingress, P.TCP, 9090).allowed('a/client', 'a/legacy')).toBe(true)
    // http is 8080 on web and 9090 on legacy: ambiguous node-wide, so the egress rule allows nothing
    const egress = set(policy({ name: 'out', subject: subject('client'), egress: rules(rule('allow', F.tt, P.named('http', P.TCP))) }))
    const t8080 = table(egress, P.TCP, 8080)
    expect(t8080.allowed('a/client', 'a/web')).toBe(false)
    expect(table(egress, P.TCP, 9090).allowed('a/client', 'a/legacy')).toBe(false)
    expect(t8080.diagnostics.map((d) => d.code)).toContain('ambiguous-named-port')
    // a name that maps to one port everywhere allows that port towards every peer, outside ones too
    const onlyWeb: Inventory = { ...baseInventory, pods: baseInventory.pods.filter((p) => p.name !== 'legacy') }
    expect(table(egress, P.TCP, 8080, onlyWeb).allowed('a/client', 'a/web')).toBe(true)
    expect(table(egress, P.TCP, 8080, onlyWeb).allowed('a/client', '203.0.113.9')).toBe(true)
    expect(table(egress, P.TCP, 9090, onlyWeb).allowed('a/client', 'a/web')).toBe(false)
  })

  it('an L7 rule allows at L3/L4 on its ports (the proxy then judges requests, §4.6)', () => {
    const http: L7 = { _tag: 'http', rules: [{ methods: ['GET'], methodRegex: undefined, paths: [], host: undefined, headers: [] }] }
    const s = set(policy({ name: 'l7', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'), P.port(P.TCP, 80), http)) }))
    expect(table(s, P.TCP, 80).allowed('a/client', 'a/web')).toBe(true)
    expect(table(s, P.TCP, 81).allowed('a/client', 'a/web')).toBe(false)
  })
})

// -------------------------------------------------------------------------------------
// §4.4 CIDR
// -------------------------------------------------------------------------------------

describe('cilium model: CIDR rules never select cluster endpoints (§4.4)', () => {
  it('a CIDR covering pods and nodes admits only outside addresses', () => {
    const s = set(policy({ name: 'cidr', subject: subject('web'), ingress: rules(rule('allow', F.ipIn(cidrs('0.0.0.0/0')))) }))
    const { allowed } = table(s)
    expect(allowed('203.0.113.9', 'a/web')).toBe(true)
    expect(allowed('10.9.9.9', 'a/web')).toBe(true)
    expect(allowed('a/client', 'a/web')).toBe(false) // 10.0.0.1 is in range, but a pod
    expect(allowed('a/agent-2', 'a/web')).toBe(false) // a node address, remote
    expect(allowed('2001:db8::1', 'a/web')).toBe(false) // not IPv4
  })

  it('except carves addresses out of the range', () => {
    const s = set(
      policy({ name: 'cidr', subject: subject('web'), ingress: rules(rule('allow', F.ipIn(C.difference(cidrs('203.0.113.0/24'), cidrs('203.0.113.9/32'))))) })
    )
    const { allowed } = table(s)
    expect(allowed('203.0.113.10', 'a/web')).toBe(true)
    expect(allowed('203.0.113.9', 'a/web')).toBe(false)
  })

  it('egress to 0.0.0.0/0 opens the world, not pods nor nodes (§6)', () => {
    const s = set(policy({ name: 'out', subject: subject('client'), egress: rules(rule('allow', F.ipIn(cidrs('0.0.0.0/0', '::/0')))) }))
    const { allowed } = table(s)
    expect(allowed('a/client', '203.0.113.9')).toBe(true)
    expect(allowed('a/client', '2001:db8::1')).toBe(true)
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/client', 'a/agent-1')).toBe(false)
    expect(allowed('a/client', 'a/agent-2')).toBe(false)
  })
})

// -------------------------------------------------------------------------------------
// §4.7 hosts
// -------------------------------------------------------------------------------------

describe('cilium model: host traffic (§4.7)', () => {
  const denyIngress = set(policy({ name: 'deny-all', subject: subject('web'), ingress: rules() }))

  it('the local host may always connect in; remote nodes may not', () => {
    const { allowed } = table(denyIngress)
    expect(allowed('a/agent-1', 'a/web')).toBe(true) // both on n1
    expect(allowed('a/agent-2', 'a/web')).toBe(false)
    expect(allowed('a/agent-2', 'a/legacy')).toBe(true) // both on n2
    expect(allowed('a/agent-1', 'a/legacy')).toBe(false)
  })

  it('egress to the local host gets no such allowance', () => {
    const { allowed } = table(set(policy({ name: 'no-egress', subject: subject('client'), egress: rules() })))
    expect(allowed('a/client', 'a/agent-1')).toBe(false)
  })

  it('a deny rule overrides allow-localhost', () => {
    const s = set(policy({ name: 'no-host', subject: subject('web'), ingress: rules(rule('allow'), rule('deny', F.entity('host'))) }))
    const { allowed } = table(s)
    expect(allowed('a/agent-1', 'a/web')).toBe(false)
    expect(allowed('a/agent-2', 'a/web')).toBe(true) // remote-node, not host
    expect(allowed('a/client', 'a/web')).toBe(true)
  })

  it('pod policies never select host-network pods, even when their labels match', () => {
    const noKind = F.labelEquals('endpoint', 'app', 'web') // an endpointSelector formula without kinds
    const s = set(policy({ name: 'ccnp', namespace: null, subject: noKind, ingress: rules(), egress: rules() }))
    const { allowed } = table(s)
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/client', 'a/agent-2')).toBe(true)
    expect(allowed('a/agent-2', '203.0.113.9')).toBe(true)
  })

  it('host policies (nodeSelector) select the host endpoints of matching nodes, and no pod', () => {
    const east = F.and(F.kind(['host']), F.labelEquals('node', 'zone', 'east'))
    const s = set(policy({ name: 'host-fw', namespace: null, subject: east, ingress: rules(rule('allow', F.entity('world'))) }))
    const { allowed } = table(s)
    expect(allowed('a/client', 'a/agent-1')).toBe(false)
    expect(allowed('203.0.113.9', 'a/agent-1')).toBe(true)
    expect(allowed('a/client', 'a/agent-2')).toBe(true) // zone west
    expect(allowed('b/other', 'a/web')).toBe(true) // pods on n1 are not host endpoints
  })

  it('without a node name no host endpoint is local (with a warning)', () => {
    const stray: Pod = {
      namespace: 'a',
      name: 'stray',
      labels: {},
      ip: { family: 4, value: 0xc0a80063n },
      ports: [],
      serviceAccount: 'default',
      node: undefined,
      hostNetwork: true
    }
    const inv = { ...baseInventory, pods: [...baseInventory.pods, stray] }
    const { allowed, diagnostics } = table(denyIngress, P.TCP, 80, inv)
    expect(allowed('a/stray', 'a/web')).toBe(false)
    expect(allowed('a/agent-1', 'a/web')).toBe(true)
    expect(codes(diagnostics)).toEqual(['warning unknown-node'])
    const remote = set(policy({ name: 'to-remote', subject: subject('client'), egress: rules(rule('allow', F.entity('remote-node'))) }))
    expect(table(remote, P.TCP, 80, inv).allowed('a/client', 'a/stray')).toBe(true)
  })
})

// -------------------------------------------------------------------------------------
// §3 entities
// -------------------------------------------------------------------------------------

describe('cilium model: entities (§3)', () => {
  /** client (on n1) may send only to the entity. */
  const to = (entity: string) => table(set(policy({ name: `to-${entity}`, subject: subject('client'), egress: rules(rule('allow', F.entity(entity))) }))).allowed

  it('world: outside addresses only', () => {
    const allowed = to('world')
    expect(['203.0.113.9', '10.9.9.9', '2001:db8::1'].map((x) => allowed('a/client', x))).toEqual([true, true, true])
    expect(['a/web', 'a/agent-1', 'a/agent-2'].map((x) => allowed('a/client', x))).toEqual([false, false, false])
  })

  it('cluster: every pod and every host endpoint, nothing outside', () => {
    const allowed = to('cluster')
    expect(['a/web', 'b/other', 'a/agent-1', 'a/agent-2'].map((x) => allowed('a/client', x))).toEqual([true, true, true, true])
    expect(allowed('a/client', '203.0.113.9')).toBe(false)
  })

  it('host: the host endpoints of the subject\u2019s own node', () => {
    const allowed = to('host')
    expect(allowed('a/client', 'a/agent-1')).toBe(true)
    expect(allowed('a/client', 'a/agent-2')).toBe(false)
    expect(allowed('a/client', 'a/web')).toBe(false)
    // b/other runs on n2: through a clusterwide policy, its local host is agent-2
    const ccnp = set(policy({ name: 'to-host', namespace: null, subject: subject('client'), egress: rules(rule('allow', F.entity('host'))) }))
    expect(table(ccnp).allowed('b/other', 'a/agent-2')).toBe(true)
    expect(table(ccnp).allowed('b/other', 'a/agent-1')).toBe(false)
  })

  it('remote-node: the host endpoints of other nodes', () => {
    const allowed = to('remote-node')
    expect(allowed('a/client', 'a/agent-2')).toBe(true)
    expect(allowed('a/client', 'a/agent-1')).toBe(false)
    expect(allowed('a/client', 'a/legacy')).toBe(false)
  })

  it('all: every endpoint', () => {
    const allowed = to('all')
    expect(['a/web', 'b/other', 'a/agent-1', 'a/agent-2', '203.0.113.9', '2001:db8::1'].map((x) => allowed('a/client', x))).toEqual([true, true, true, true, true, true])
  })

  it('kube-apiserver, health, init, ingress, unmanaged and none select nothing an inventory holds', () => {
    for (const entity of ['kube-apiserver', 'health', 'init', 'ingress', 'unmanaged', 'none']) {
      const allowed = to(entity)
      expect(['a/web', 'a/agent-1', 'a/agent-2', '203.0.113.9'].map((x) => `${entity} ${x} ${allowed('a/client', x)}`)).toEqual(
        ['a/web', 'a/agent-1', 'a/agent-2', '203.0.113.9'].map((x) => `${entity} ${x} false`)
      )
    }
  })

  it('an unknown entity selects nothing, with a warning', () => {
    const { allowed, diagnostics } = table(set(policy({ name: 'bogus', subject: subject('client'), egress: rules(rule('allow', F.entity('bogus'))) })))
    expect(allowed('a/client', '203.0.113.9')).toBe(false)
    expect(codes(diagnostics)).toEqual(['warning unknown-entity'])
  })
})

// -------------------------------------------------------------------------------------
// other atoms and constructs
// -------------------------------------------------------------------------------------

describe('cilium model: FQDNs, services, Calico constructs', () => {
  it('FQDN peers match nothing, with one warning per evaluation', () => {
    const s = set(
      policy({
        name: 'fqdn',
        subject: subject('client'),
        egress: rules(rule('allow', F.fqdn('name', 'example.com')), rule('allow', F.fqdn('pattern', '*.example.com')))
      })
    )
    const { allowed, diagnostics } = table(s)
    expect(allowed('a/client', '203.0.113.9')).toBe(false)
    expect(codes(diagnostics)).toEqual(['warning fqdn-unresolved'])
  })

  it('a Service peer matches its backend pods (never host endpoints)', () => {
    const s = set(policy({ name: 'svc', subject: subject('client'), egress: rules(rule('allow', F.service('a', 'web'))) }))
    const { allowed, diagnostics } = table(s)
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('a/client', 'a/legacy')).toBe(true)
    expect(allowed('a/client', 'a/agent-1')).toBe(false) // app=web, but a host endpoint
    expect(allowed('a/client', 'b/other')).toBe(false)
    expect(diagnostics).toEqual([])
  })

  it('a Service in a deny rule matches nothing (toServices expands in allow rules only, §4.9)', () => {
    const s = set(policy({ name: 'svc', subject: subject('client'), egress: rules(rule('allow'), rule('deny', F.service('a', 'web'))) }))
    const { allowed, diagnostics } = table(s)
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(codes(diagnostics)).toEqual(['warning deny-to-services'])
  })

  it('a Service with no backend in the inventory matches nothing, with a warning', () => {
    const s = set(policy({ name: 'svc', subject: subject('client'), egress: rules(rule('allow', F.service('a', 'missing'), P.port(P.TCP, 80))) }))
    const { allowed, diagnostics } = table(s)
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(allowed('a/client', '203.0.113.9')).toBe(false)
    expect(codes(diagnostics)).toEqual(['warning service-without-backends'])
  })

  it('an ordered policy is an error, evaluated as if unordered', () => {
    const ordered = policy({ name: 'calico', subject: subject('web'), ingress: rules(rule('allow', pods('a', 'client'))), ordering: { tier: 'default', order: 10 } })
    const { allowed, diagnostics } = table(set(ordered))
    expect(codes(diagnostics)).toEqual(['error model-unsupported'])
    expect(allowed('a/client', 'a/web')).toBe(true)
    expect(allowed('b/other', 'a/web')).toBe(false)
  })

  it('a pass rule is an error, and skipped', () => {
    const { allowed, diagnostics } = table(set(policy({ name: 'pass', subject: subject('web'), ingress: rules(rule('pass', pods('a', 'client'))) })))
    expect(codes(diagnostics)).toEqual(['error model-unsupported'])
    expect(allowed('a/client', 'a/web')).toBe(false)
  })

  it('log rules give no verdict', () => {
    const { allowed, diagnostics } = table(set(policy({ name: 'log', subject: subject('web'), ingress: rules(rule('log', pods('a', 'client'))) })))
    expect(allowed('a/client', 'a/web')).toBe(false)
    expect(diagnostics).toEqual([])
  })
})

// -------------------------------------------------------------------------------------
// §5, §6 Kubernetes NetworkPolicy under Cilium
// -------------------------------------------------------------------------------------

describe('cilium model: Kubernetes NetworkPolicies under Cilium (§5, §6)', () => {
  it('an ipBlock covering pod addresses does not admit those pods (it does under the k8s model)', () => {
    const s = knp(np('block', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n'))
    expect(table(s).allowed('a/client', 'a/web')).toBe(false)
    expect(table(s).allowed('10.9.9.9', 'a/web')).toBe(true)
    expect(table(s, P.TCP, 80, baseInventory, k8s).allowed('a/client', 'a/web')).toBe(true)
  })

  it('ports without peers allow every peer on them, outside addresses and nodes included', () => {
    const s = knp(np('ports', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - ports: [{port: 80}]\n'))
    const { allowed } = table(s)
    expect(['a/client', 'b/other', 'a/agent-2', '203.0.113.9'].map((x) => allowed(x, 'a/web'))).toEqual([true, true, true, true])
    expect(table(s, P.TCP, 81).allowed('203.0.113.9', 'a/web')).toBe(false)
  })

  it('an empty `from` allows every identity (`ingress: [{}]`)', () => {
    const s = knp(np('all', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - {}\n'))
    const { allowed } = table(s)
    expect(['b/other', 'a/agent-2', '2001:db8::1'].map((x) => allowed(x, 'a/web'))).toEqual([true, true, true])
  })

  it('an empty peer list (fromEndpoints: []) allows nothing, even with ports', () => {
    const s = set(policy({ name: 'empty', subject: subject('web'), ingress: rules(rule('allow', F.ff, P.port(P.TCP, 80))) }))
    const { allowed } = table(s)
    expect(['a/client', 'a/agent-2', '203.0.113.9'].map((x) => allowed(x, 'a/web'))).toEqual([false, false, false])
  })

  it('a default-deny KNP still lets the local node in (as the k8s model does), not a remote one', () => {
    const s = knp(np('deny', '  podSelector: {}\n  policyTypes: [Ingress]\n'))
    expect(table(s).allowed('a/agent-1', 'a/web')).toBe(true)
    expect(table(s).allowed('a/agent-2', 'a/web')).toBe(false)
    expect(table(s, P.TCP, 80, baseInventory, k8s).allowed('a/agent-1', 'a/web')).toBe(true)
    expect(table(s, P.TCP, 80, baseInventory, k8s).allowed('a/agent-2', 'a/web')).toBe(false)
  })

  it('deny overrides a KNP allow', () => {
    const k = knp(np('allow', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - {}\n'))
    const deny = set(policy({ name: 'deny', subject: subject('web'), ingress: rules(rule('deny', F.entity('world'))) }))
    const { allowed } = table(concat([k, deny]))
    expect(allowed('203.0.113.9', 'a/web')).toBe(false)
    expect(allowed('b/other', 'a/web')).toBe(true)
  })
})

// -------------------------------------------------------------------------------------
// classes
// -------------------------------------------------------------------------------------

describe('cilium model: endpoint classes', () => {
  const podCount = 600
  const manyPods = (hostOn: ReadonlyArray<string>): Inventory => {
    const pods: ReadonlyArray<Pod> = Array.from({ length: podCount }, (_, i) => ({
      namespace: `ns-${i % 3}`,
      name: `p-${i}`,
      labels: { app: `a-${i % 2}` },
      ip: { family: 4, value: BigInt(i) },
      ports: [],
      serviceAccount: 'default',
      node: `n${i % 10}`,
      hostNetwork: false
    }))
    const hosts: ReadonlyArray<Pod> = hostOn.map((node) => ({
      namespace: 'kube-system',
      name: `proxy-${node}`,
      labels: { app: 'proxy' },
      ip: { family: 4, value: 1_000_000n },
      ports: [],
      serviceAccount: 'default',
      node,
      hostNetwork: true
    }))
    return { namespaces: [], pods: [...pods, ...hosts], nodes: [], services: [], externals: [] }
  }

  it('nodes split classes only where a host endpoint runs', () => {
    // without host endpoints: namespace × app, whatever the node
    expect(classify(endpointsOf(manyPods([])), []).representatives.length).toBe(6)
    // with host endpoints on n0 and n1: pods there are told apart by node, pods elsewhere are not
    const group = (i: number): string => (i % 10 <= 1 ? `n${i % 10}` : 'elsewhere')
    const expected = new Set(Array.from({ length: podCount }, (_, i) => `${i % 3}/${i % 2}/${group(i)}`)).size + 2 // + the two hosts
    expect(classify(endpointsOf(manyPods(['n0', 'n1'])), []).representatives.length).toBe(expected)
  })

  it('every pod of a class gets its own node\u2019s local host', () => {
    const inv = manyPods(['n0', 'n1'])
    const s = set(policy({ name: 'deny', namespace: 'ns-0', subject: F.kind(['pod']), ingress: rules() }))
    const r = reach(s, inv, cilium, [{ protocol: P.TCP, port: 80 }])
    const t = r.tables[0]
    if (t === undefined) throw new Error('no table')
    const m = matrix(r, t)
    const ids = r.classes.endpoints.map((e) => e.id)
    const from = (h: string, p: string) => m[ids.indexOf(`kube-system/proxy-${h}`)]?.[ids.indexOf(p)]
    // p-0 (n0), p-30 (n0), p-21 (n1: 21 % 10), p-12 (n2) are in ns-0
    expect([from('n0', 'ns-0/p-0'), from('n0', 'ns-0/p-30'), from('n1', 'ns-0/p-21'), from('n0', 'ns-0/p-21'), from('n0', 'ns-0/p-12')]).toEqual([
      true,
      true,
      true,
      false,
      false
    ])
  })
})

// -------------------------------------------------------------------------------------
// upstream conformance under Cilium
// -------------------------------------------------------------------------------------

describe('upstream conformance under the cilium model', () => {
  const cases = loadCases()
  const results = cases.map((c) => {
    const inventory = load(parseText('cluster.yaml', c.cluster).docs).inventory
    const parsed = parseDocs(parseText('policies.yaml', c.policies).docs)
    const r = reach(
      parsed.set,
      inventory,
      cilium,
      c.expect.map((e) => ({ protocol: protocolOf(e.protocol), port: e.port }))
    )
    const ids = r.classes.endpoints.map((e) => e.id)
    const diffs = c.expect.flatMap((e, k) => {
      const t = r.tables[k]
      return t === undefined ? ['missing table'] : differences(e, ids, matrix(r, t))
    })
    return { c, inventory, parsed, diffs, diagnostics: r.diagnostics }
  })

  it('evaluates every case without model diagnostics', () => {
    expect(results.length).toBe(34)
    expect(results.filter((x) => x.diagnostics.length > 0 || x.parsed.diagnostics.some((d) => d.severity === 'error')).map((x) => x.c.file)).toEqual([])
  })

  it('differs from the Kubernetes expectation only where an ipBlock names a pod address (§4.4, §6)', () => {
    const differing = results.filter((x) => x.diffs.length > 0)
    // 042: egress to y/b's pod IP as an ipBlock /32; Cilium's CIDR rules never select pods
    expect(differing.map((x) => [x.c.file, x.diffs])).toEqual([['042-egress-cidr.yaml', ['x/a -> y/b 80/TCP: expected allowed, got denied']]])
    // and that is exactly the documented behaviour: the denied destination's address is inside the
    // policy's ipBlock, which is the case's only peer
    const only = differing[0]
    if (only === undefined) throw new Error('no differing case')
    const yb = only.inventory.pods.find((p) => p.namespace === 'y' && p.name === 'b')
    const peers = only.parsed.set.policies.flatMap((p) => p.egress?.rules.map((r) => r.peer) ?? [])
    expect(peers.map((f) => f._tag)).toEqual(['ipIn'])
    const peer = peers[0]
    expect(peer?._tag === 'ipIn' && yb?.ip !== undefined && C.contains(peer.cidrs, yb.ip)).toBe(true)
  })
})
