import { describe, expect, it } from 'vitest'
import { cnp } from '../../dialects/cnp/index.js'
import { emitCnp } from '../../dialects/cnp/emit.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { toYaml } from '../../src/io/serialise.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Policy, PolicySet } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'

const parse = (yaml: string): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<string> } => {
  const { docs, diagnostics } = parseText('cnp.yaml', yaml)
  expect(diagnostics).toEqual([])
  const outs = docs.map((d) => cnp.parse(d))
  return {
    set: { policies: outs.flatMap((o) => o.set.policies), tiers: outs.flatMap((o) => o.set.tiers), networkSets: [] },
    diagnostics: outs.flatMap((o) => o.diagnostics).map(D.render)
  }
}

const one = (yaml: string): Policy => {
  const { set, diagnostics } = parse(yaml)
  expect(diagnostics.filter((d) => d.includes(' error '))).toEqual([])
  const p = set.policies[0]
  if (p === undefined) throw new Error('no policy')
  return p
}

const cnpDoc = (spec: string, name = 'p'): string => `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}`

const cidr = (s: string): C.CidrSet => {
  const r = C.parseCidr(s)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

describe('decode: the CRD validation, positioned', () => {
  it('reports every violation at its line and column', () => {
    const { diagnostics } = parse(
      cnpDoc(`  tier: Middle
  priority: 2000
  subject: {namespaces: {}, pods: {podSelector: {}}}
  ingress:
  - action: Allow
    from: []
    protocols:
    - tcp: {}
    - udp: {destinationPort: {range: {start: 5, end: 5}}}
`)
    )
    expect(diagnostics).toEqual([
      'cnp.yaml:6:9: error invalid-field: spec.tier: invalid tier "Middle": expected one of Admin, Baseline',
      'cnp.yaml:7:13: error invalid-field: spec.priority: invalid priority 2000: expected an integer from 0 to 1000',
      'cnp.yaml:8:12: error invalid-field: spec.subject: subject must set exactly one of namespaces, pods, not namespaces and pods',
      'cnp.yaml:10:13: error invalid-field: spec.ingress[0].action: invalid action "Allow": expected one of Accept, Deny, Pass',
      'cnp.yaml:11:11: error invalid-field: spec.ingress[0].from: from must have at least 1 item',
      'cnp.yaml:13:12: error invalid-field: spec.ingress[0].protocols[0].tcp.destinationPort: missing required field "destinationPort"',
      'cnp.yaml:14:38: error invalid-field: spec.ingress[0].protocols[1].udp.destinationPort.range: Start port must be less than End port (start 5, end 5)'
    ])
  })

  it('limits: 25 peers, a domain name pattern, CIDRs and unknown fields', () => {
    const peers = Array.from({ length: 26 }, (_, i) => `    - namespaces: {matchLabels: {n: "${i}"}}`).join('\n')
    const { diagnostics } = parse(
      cnpDoc(`  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
  - action: Accept
    to:
${peers}
  - action: Accept
    to:
    - domainNames: ["localhost", "*.example.com"]
    - networks: ["10.0.0.0/33", "10.0.0.0/8", "10.0.0.0/8"]
    - nodes: {}
      pods: {podSelector: {}}
    bogus: 1
`)
    )
    expect(diagnostics.map((d) => d.replace(/^cnp\.yaml:\d+:\d+: /, ''))).toEqual([
      'error invalid-field: spec.egress[0].to: to must have at most 25 items, has 26',
      'error invalid-field: spec.egress[1].to[0].domainNames[0]: invalid domain name "localhost": expected DNS labels separated by ".", optionally starting with "*."',
      expect.stringMatching(/^error invalid-field: spec\.egress\[1\]\.to\[1\]\.networks\[0\]: /),
      'error invalid-field: spec.egress[1].to[2]: egress peer must set exactly one of namespaces, pods, networks, nodes, domainNames, not pods and nodes',
      'error invalid-field: spec.egress[1].bogus: unknown field "bogus" in ClusterNetworkPolicyEgressRule'
    ])
  })

  it('v1alpha1: BaselineAdminNetworkPolicy must be named default and has no Pass; ANP ranges must not be reversed', () => {
    const banp = parse(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: other}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Pass, from: [{namespaces: {}}]}
`)
    expect(banp.diagnostics).toEqual(['cnp.yaml:7:14: error invalid-field: spec.ingress[0].action: invalid action "Pass": expected one of Allow, Deny'])
    const anp = parse(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 3
  subject: {pods: {podSelector: {}}}
  egress:
  - action: Allow
    to: [{namespaces: {}}]
    ports: [{portRange: {start: 90, end: 80}}]
`)
    expect(anp.diagnostics).toEqual(['cnp.yaml:6:19: error invalid-field: spec.subject.pods.namespaceSelector: missing required field "namespaceSelector"'])
    const reversed = parse(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 3
  subject: {namespaces: {}}
  egress:
  - action: Allow
    to: [{namespaces: {}}]
    ports: [{portRange: {start: 90, end: 80}}]
`)
    expect(reversed.diagnostics).toEqual(['cnp.yaml:10:25: error invalid-port: portRange start 90 must not be greater than end 80'])
    const named = parse(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: other}
spec:
  subject: {namespaces: {}}
`)
    expect(named.diagnostics).toEqual(['cnp.yaml:3:18: error invalid-name: only one BaselineAdminNetworkPolicy may exist, and its name must be "default", not "other"'])
  })
})

describe('parse: the API semantics made explicit', () => {
  it('tier and priority become the ordering; no implicit isolation; actions by rule', () => {
    const p = one(
      cnpDoc(`  tier: Baseline
  priority: 7
  subject: {pods: {podSelector: {matchLabels: {app: db}}}}
  ingress:
  - {action: Pass, from: [{namespaces: {matchLabels: {team: a}}}]}
  - {action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {}}}], protocols: [{tcp: {destinationPort: {range: {start: 80, end: 90}}}}]}
`)
    )
    expect(p.scope).toEqual({ _tag: 'cluster' })
    expect(p.ordering).toEqual({ tier: 'kube-baseline', order: 7 })
    expect(F.show(p.subject)).toBe(F.show(F.and(F.kind(['pod']), F.labelEquals('endpoint', 'app', 'db'))))
    expect(p.egress).toBeUndefined()
    expect(p.ingress?.defaultDeny).toBe(false)
    expect(p.ingress?.rules.map((r) => [r.action, F.show(r.peer), P.show(r.ports)])).toEqual([
      ['pass', F.show(F.and(F.kind(['pod']), F.labelEquals('namespace', 'team', 'a'))), P.show(P.all)],
      ['deny', F.show(F.kind(['pod'])), P.show(P.range(P.TCP, 80, 90))]
    ])
  })

  it('a named port never matches an address peer: the rule is split, same action, pods first', () => {
    const p = one(
      cnpDoc(`  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
  - action: Accept
    to: [{networks: [10.0.0.0/8]}, {namespaces: {}}]
    protocols: [{destinationNamedPort: web}, {udp: {destinationPort: {number: 53}}}]
`)
    )
    expect(p.egress?.rules.map((r) => [r.action, F.show(r.peer), P.show(r.ports)])).toEqual([
      ['allow', F.show(F.kind(['pod'])), P.show(P.union(P.named('web'), P.port(P.UDP, 53)))],
      ['allow', F.show(F.ipIn(cidr('10.0.0.0/8'))), P.show(P.port(P.UDP, 53))]
    ])
  })

  it('nodes are host endpoints by node labels; domain names are fqdn atoms, *. for one or more labels', () => {
    const p = one(
      cnpDoc(`  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
  - action: Accept
    to: [{nodes: {matchLabels: {role: infra}}}, {domainNames: ["*.example.com", "api.example.org."]}]
`)
    )
    expect(F.show(p.egress?.rules[0]?.peer ?? F.ff)).toBe(
      F.show(F.or(F.and(F.kind(['host']), F.labelEquals('node', 'role', 'infra')), F.fqdn('pattern', '**.example.com'), F.fqdn('name', 'api.example.org')))
    )
  })

  it('v1alpha1: Allow is Accept, an absent protocol is TCP, BANP is Baseline at order 0', () => {
    const { set, diagnostics } = parse(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  egress:
  - action: Allow
    to: [{namespaces: {}}]
    ports: [{portNumber: {port: 443}}, {portRange: {protocol: UDP, start: 1000, end: 1000}}, {namedPort: dns}]
`)
    expect(diagnostics).toEqual([])
    const p = set.policies[0]
    expect(p?.ordering).toEqual({ tier: 'kube-baseline', order: 0 })
    expect(p?.egress?.rules.map((r) => [r.action, P.show(r.ports)])).toEqual([['allow', P.show(P.union(P.union(P.port(P.TCP, 443), P.port(P.UDP, 1000)), P.named('dns')))]])
  })
})

describe('emit: IR back to ClusterNetworkPolicy', () => {
  const source = cnpDoc(`  tier: Admin
  priority: 20
  subject:
    pods:
      namespaceSelector: {matchLabels: {team: pay}}
      podSelector: {matchLabels: {app: db}}
  ingress:
  - action: Accept
    from: [{namespaces: {matchLabels: {team: pay}}}]
    protocols: [{tcp: {destinationPort: {number: 5432}}}, {tcp: {destinationPort: {range: {start: 9000, end: 9001}}}}]
  - action: Deny
    from: [{namespaces: {}}]
  egress:
  - action: Pass
    to: [{networks: [10.0.0.0/8, 192.168.0.0/16]}]
`, 'guard-db')

  it('writes what it read (v1alpha2)', () => {
    const { set } = parse(source)
    const out = emitCnp(set, { inventory: undefined })
    expect(out.diagnostics).toEqual([])
    expect(toYaml(out.objects)).toBe(`apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: guard-db
spec:
  tier: Admin
  priority: 20
  subject:
    pods:
      namespaceSelector:
        matchLabels:
          team: pay
      podSelector:
        matchLabels:
          app: db
  ingress:
  - action: Accept
    from:
    - namespaces:
        matchLabels:
          team: pay
    protocols:
    - tcp:
        destinationPort:
          number: 5432
    - tcp:
        destinationPort:
          range:
            start: 9000
            end: 9001
  - action: Deny
    from:
    - namespaces: {}
  egress:
  - action: Pass
    to:
    - networks:
      - 10.0.0.0/8
      - 192.168.0.0/16
`)
    // and reads back to the same meaning
    const again = parse(toYaml(out.objects)).set.policies[0]
    const strip = (p: Policy | undefined) => [
      F.show(p?.subject ?? F.ff),
      JSON.stringify(p?.ordering),
      ...[...(p?.ingress?.rules ?? []), ...(p?.egress?.rules ?? [])].map((r) => `${r.action} ${F.show(r.peer)} ${P.show(r.ports)}`)
    ]
    expect(strip(again)).toEqual(strip(set.policies[0]))
  })

  it('writes v1alpha1 AdminNetworkPolicy with Allow and portNumber/portRange', () => {
    const { set } = parse(source)
    const text = toYaml(emitCnp(set, { inventory: undefined, version: 'v1alpha1' }).objects)
    expect(text).toContain('apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n')
    expect(text).toContain('  - action: Allow\n')
    expect(text).toContain('    ports:\n    - portNumber:\n        protocol: TCP\n        port: 5432\n    - portRange:\n        protocol: TCP\n        start: 9000\n        end: 9001\n')
    expect(text).not.toContain('tier:')
  })

  it('reports what a ClusterNetworkPolicy cannot say, with its fidelity', () => {
    const { set } = parse(source)
    const p = set.policies[0] as Policy
    const icmp: Policy = {
      ...p,
      ingress: { defaultDeny: true, rules: [{ action: 'allow', peer: F.ipIn(cidr('10.0.0.0/8')), ports: P.icmp(1), l7: undefined, location: undefined }] }
    }
    const out = emitCnp({ ...set, policies: [icmp] }, { inventory: undefined })
    expect(out.diagnostics.map((d) => `${d.code} ${d.fidelity ?? ''}`)).toEqual(['no-implicit-isolation broader', 'unsupported-protocol narrower', 'unsupported-peer narrower'])
  })
})
