import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { calico } from '../../dialects/calico/index.js'
import { rewriteSpecialLabels } from '../../dialects/calico/parse.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { parseDocs, translate } from '../../src/pipeline.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { corpusDir, corpusFiles, corpusPresent } from '../corpus/corpus.js'

const parse = (yaml: string): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<string> } => {
  const { docs, diagnostics } = parseText('p.yaml', yaml)
  expect(diagnostics).toEqual([])
  const outs = docs.map((d) => calico.parse(d))
  return {
    set: {
      policies: outs.flatMap((o) => o.set.policies),
      tiers: outs.flatMap((o) => o.set.tiers),
      networkSets: outs.flatMap((o) => o.set.networkSets)
    },
    diagnostics: outs.flatMap((o) => o.diagnostics).map(D.render)
  }
}

/** Rendered diagnostics with their fidelity: `fidelity | file:line:col: severity code: message`. */
const findings = (yaml: string): ReadonlyArray<string> => {
  const { docs } = parseText('p.yaml', yaml)
  return docs.flatMap((d) => calico.parse(d).diagnostics).map((d) => `${d.fidelity ?? '-'} | ${D.render(d)}`)
}

const one = (yaml: string): Policy => {
  const { set, diagnostics } = parse(yaml)
  expect(diagnostics.filter((d) => d.includes(' error '))).toEqual([])
  const p = set.policies[0]
  if (p === undefined) throw new Error('no policy')
  return p
}

const np = (spec: string, ns = 'x'): string =>
  `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: ${ns}\nspec:\n${spec}`
const gnp = (spec: string): string => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: g\nspec:\n${spec}`

const firstRule = (p: Policy, d: 'ingress' | 'egress' = 'ingress'): Rule => {
  const r = (d === 'ingress' ? p.ingress : p.egress)?.rules[0]
  if (r === undefined) throw new Error('no rule')
  return r
}
const ingressPeer = (p: Policy): F.Formula => firstRule(p).peer
const src = (entity: string): string => `  ingress:\n  - action: Allow\n    source:\n${entity}`

const known = F.kind(['pod', 'host', 'networkSet'])
const namespaced = F.exists('namespace', 'kubernetes.io/metadata.name')
const cidr = (s: string): C.CidrSet => {
  const r = C.parseCidr(s)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}
/** Equal up to normalisation (DNF with conjunctions simplified: kind atoms intersected, …). */
const eq = (a: F.Formula, b: F.Formula): void => expect(F.show(F.fromDnf(F.dnf(a)))).toBe(F.show(F.fromDnf(F.dnf(b))))

describe('policies: scope, subject, ordering', () => {
  it('a NetworkPolicy is namespaced, selects pods, and carries tier and order', () => {
    const p = one(np('  selector: app == "a"\n  order: 10\n'))
    expect(p.scope).toEqual({ _tag: 'namespace', namespace: 'x' })
    expect(p.ordering).toEqual({ tier: 'default', order: 10 })
    eq(p.subject, F.and(F.kind(['pod']), F.labelEquals('endpoint', 'app', 'a')))
    expect(p.origin.dialect).toBe('calico')
  })
  it('a NetworkPolicy without a namespace lands in default, with a warning (it decides where the policy applies)', () => {
    const { set, diagnostics } = parse('apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  tier: t1\n')
    expect(set.policies[0]?.scope).toEqual({ _tag: 'namespace', namespace: 'default' })
    expect(set.policies[0]?.ordering).toEqual({ tier: 't1', order: undefined })
    expect(diagnostics).toEqual(['p.yaml:4:3: warning namespace-defaulted: metadata.namespace is not set; using "default" (give -n NAMESPACE to choose)'])
  })
  it('a GlobalNetworkPolicy is cluster-scoped and selects pods and host endpoints', () => {
    const p = one(gnp('  selector: all()\n'))
    expect(p.scope).toEqual({ _tag: 'cluster' })
    eq(p.subject, F.kind(['pod', 'host']))
  })
  it('GNP namespaceSelector and serviceAccountSelector are ANDed onto the subject', () => {
    const p = one(gnp('  selector: app == "a"\n  namespaceSelector: team == "t"\n  serviceAccountSelector: role == "r"\n'))
    eq(
      p.subject,
      F.and(F.kind(['pod', 'host']), F.labelEquals('endpoint', 'app', 'a'), F.labelEquals('namespace', 'team', 't'), F.labelEquals('serviceAccount', 'role', 'r'))
    )
  })
  it('GNP namespaceSelector all() selects only namespaced endpoints (pods)', () => {
    const p = one(gnp('  namespaceSelector: all()\n'))
    eq(p.subject, F.and(F.kind(['pod', 'host']), namespaced))
  })
})

describe('types defaulting', () => {
  it('v3: no rules → Ingress', () => {
    const p = one(np('  selector: all()\n'))
    expect(p.ingress).toEqual({ defaultDeny: true, rules: [] })
    expect(p.egress).toBeUndefined()
  })
  it('v3: egress rules only → Egress', () => {
    const p = one(np('  egress:\n  - action: Allow\n'))
    expect(p.ingress).toBeUndefined()
    expect(p.egress?.rules.length).toBe(1)
  })
  it('v3: both → both', () => {
    const p = one(np('  ingress:\n  - action: Allow\n  egress:\n  - action: Deny\n'))
    expect(p.ingress?.rules.length).toBe(1)
    expect(p.egress?.rules.length).toBe(1)
  })
  it('v3: explicit types win, and rules of an ungoverned direction are reported', () => {
    const { set, diagnostics } = parse(np('  types: [Ingress]\n  egress:\n  - action: Allow\n'))
    expect(set.policies[0]?.egress).toBeUndefined()
    expect(diagnostics).toEqual(['p.yaml:9:3: warning ignored-rules: spec.egress has rules but spec.types does not list Egress, so they have no effect'])
  })
  it('crd v1: missing types govern both directions, with a warning', () => {
    const { set, diagnostics } = parse(
      'apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata:\n  name: default.p\n  namespace: x\nspec:\n  ingress:\n  - action: Allow\n'
    )
    const p = set.policies[0]
    expect(p?.origin.name).toBe('p')
    expect(p?.ingress?.rules.length).toBe(1)
    expect(p?.egress).toEqual({ defaultDeny: true, rules: [] })
    expect(diagnostics.length).toBe(1)
    expect(diagnostics[0]).toMatch(/^p\.yaml:7:3: warning v1-types-default: /)
  })
  it('crd v1: labels come from the projectcalico.org/metadata annotation', () => {
    const p = one(
      'apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata:\n  name: g\n  annotations:\n    projectcalico.org/metadata: \'{"name":"real","labels":{"a":"b"}}\'\nspec:\n  types: [Ingress]\n'
    )
    expect(p.origin.name).toBe('real')
    expect(p.origin.labels).toEqual({ a: 'b' })
  })
})

describe('actions', () => {
  for (const [a, ir] of [
    ['Allow', 'allow'],
    ['Deny', 'deny'],
    ['Pass', 'pass'],
    ['Log', 'log']
  ] as const)
    it(`${a} → ${ir}`, () => {
      const r = firstRule(one(np(`  ingress:\n  - action: ${a}\n`)))
      expect(r.action).toBe(ir)
      expect(r.peer).toEqual(F.tt)
      expect(r.ports).toEqual(P.all)
      expect(r.location?.line).toBe(8)
    })
})

describe('scoping table (research notes §2)', () => {
  it('selector only, NetworkPolicy: S ∧ ns == P', () => {
    eq(ingressPeer(one(np(src('      selector: app == "a"\n')))), F.and(known, F.inNamespace(['x']), F.labelEquals('endpoint', 'app', 'a')))
  })
  it('selector only, GNP: S over every known entity', () => {
    eq(ingressPeer(one(gnp(src('      selector: app == "a"\n')))), F.and(known, F.labelEquals('endpoint', 'app', 'a')))
  })
  it('namespaceSelector only: a selector too, so only known entities (§2 step 3)', () => {
    eq(ingressPeer(one(np(src('      namespaceSelector: team == "t"\n')))), F.and(known, F.labelEquals('namespace', 'team', 't')))
    // a negated namespace selector does not reach addresses outside every namespace
    eq(ingressPeer(one(np(src('      namespaceSelector: team != "t"\n')))), F.and(known, F.not(F.labelEquals('namespace', 'team', 't'))))
  })
  it('selector and namespaceSelector', () => {
    eq(
      ingressPeer(one(np(src('      selector: app == "a"\n      namespaceSelector: team == "t"\n')))),
      F.and(known, F.labelEquals('namespace', 'team', 't'), F.labelEquals('endpoint', 'app', 'a'))
    )
  })
  it('namespaceSelector all(): every namespaced entity', () => {
    eq(ingressPeer(one(np(src('      namespaceSelector: all()\n')))), F.and(known, namespaced))
  })
  it('namespaceSelector global() (+S): non-namespaced entities only', () => {
    eq(ingressPeer(one(np(src('      namespaceSelector: global()\n')))), F.and(F.kind(['host', 'networkSet']), F.not(namespaced)))
    eq(
      ingressPeer(one(np(src('      namespaceSelector: global()\n      selector: a == "b"\n')))),
      F.and(F.kind(['host', 'networkSet']), F.not(namespaced), F.labelEquals('endpoint', 'a', 'b'))
    )
  })
  it('notSelector only, NetworkPolicy: (ns == P) ∧ ¬X', () => {
    eq(ingressPeer(one(np(src('      notSelector: has(x)\n')))), F.and(F.inNamespace(['x']), F.not(F.and(known, F.exists('endpoint', 'x')))))
  })
  it('notSelector only, GNP: ¬X over any IP', () => {
    eq(ingressPeer(one(gnp(src('      notSelector: has(x)\n')))), F.not(F.and(known, F.exists('endpoint', 'x'))))
  })
  it('nets only: any IP in the nets, no namespace scope', () => {
    eq(ingressPeer(one(np(src('      nets: [10.0.0.0/8, 192.168.0.0/16]\n')))), F.ipIn(C.union(cidr('10.0.0.0/8'), cidr('192.168.0.0/16'))))
  })
  it('notNets: not in any (of the list\'s family, see below)', () => {
    eq(ingressPeer(one(np(src('      notNets: [10.0.0.0/8]\n')))), F.and(F.not(F.ipIn(cidr('10.0.0.0/8'))), F.ipIn(C.allV4)))
  })
})

describe('special labels', () => {
  it('projectcalico.org/namespace is the namespace name', () => {
    eq(
      ingressPeer(one(gnp(src('      selector: projectcalico.org/namespace == "n"\n')))),
      F.and(known, F.inNamespace(['n']))
    )
  })
  it("projectcalico.org/orchestrator == 'k8s' is kind pod", () => {
    eq(ingressPeer(one(gnp(src("      selector: projectcalico.org/orchestrator == 'k8s'\n")))), F.kind(['pod']))
    eq(ingressPeer(one(gnp(src("      selector: projectcalico.org/orchestrator == 'other'\n")))), F.ff)
  })
  it('projectcalico.org/serviceaccount is the service-account name', () => {
    eq(ingressPeer(one(gnp(src('      selector: projectcalico.org/serviceaccount == "sa"\n')))), F.and(F.kind(['pod']), F.serviceAccount(['sa'])))
  })
  it('projectcalico.org/name inside a namespaceSelector is the namespace name', () => {
    eq(ingressPeer(one(gnp(src('      namespaceSelector: projectcalico.org/name == "n"\n')))), F.and(known, F.inNamespace(['n'])))
  })
  it('negated special labels stay negations', () => {
    eq(rewriteSpecialLabels(F.not(F.labelEquals('endpoint', 'projectcalico.org/namespace', 'n'))), F.not(F.inNamespace(['n'])))
  })
})

describe('rule fields', () => {
  it('serviceAccounts: names ∧ selector, scoped to the namespace', () => {
    eq(
      ingressPeer(one(np(src('      serviceAccounts:\n        names: [a, b]\n        selector: role == "r"\n')))),
      F.and(F.kind(['pod']), F.inNamespace(['x']), F.serviceAccount(['a', 'b']), F.labelEquals('serviceAccount', 'role', 'r'))
    )
  })
  it('services: backends of a Service (namespace defaults to the policy’s)', () => {
    const r = firstRule(one(np('  egress:\n  - action: Allow\n    destination:\n      services:\n        name: svc\n')), 'egress')
    eq(r.peer, F.service('x', 'svc'))
  })
  it('ipVersion restricts the peer address family', () => {
    eq(firstRule(one(np('  ingress:\n  - action: Allow\n    ipVersion: 6\n'))).peer, F.ipIn(C.allV6))
  })
  it('protocol and ports (numeric, range, named)', () => {
    const r = firstRule(one(np('  ingress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [80, "8000:8080", http]\n')))
    expect(r.ports).toEqual(P.union(P.union(P.port(P.TCP, 80), P.range(P.TCP, 8000, 8080)), P.named('http', P.TCP)))
  })
  it('notPorts subtract from the protocol', () => {
    const r = firstRule(one(np('  ingress:\n  - action: Allow\n    protocol: UDP\n    destination:\n      notPorts: [53]\n')))
    const expected = P.difference(P.protocol(P.UDP), P.port(P.UDP, 53))
    expect(expected._tag === 'Right' ? expected.right : undefined).toEqual(r.ports)
  })
  it('icmp type and code', () => {
    const r = firstRule(one(np('  ingress:\n  - action: Allow\n    protocol: ICMP\n    icmp:\n      type: 8\n      code: 0\n')))
    expect(r.ports).toEqual(P.icmp(P.ICMP, 8, 0))
  })
  it('notICMP subtracts a type', () => {
    const r = firstRule(one(np('  ingress:\n  - action: Allow\n    protocol: ICMP\n    notICMP:\n      type: 8\n')))
    const expected = P.difference(P.protocol(P.ICMP), P.icmp(P.ICMP, 8))
    expect(expected._tag === 'Right' ? expected.right : undefined).toEqual(r.ports)
  })
  it('notProtocol', () => {
    const r = firstRule(one(np('  ingress:\n  - action: Deny\n    notProtocol: TCP\n')))
    expect(P.matches(r.ports, P.TCP, 80, [])).toBe(false)
    expect(P.matches(r.ports, P.UDP, 80, [])).toBe(true)
  })
  it('http becomes an L7 constraint', () => {
    const r = firstRule(one(np('  ingress:\n  - action: Allow\n    http:\n      methods: [GET]\n      paths:\n      - exact: /a\n      - prefix: /b\n')))
    expect(r.l7).toEqual({
      _tag: 'http',
      rules: [{ methods: ['GET'], methodRegex: undefined, paths: [{ _tag: 'exact', value: '/a' }, { _tag: 'prefix', value: '/b' }], host: undefined, headers: [] }]
    })
  })
  it('a destination selector on an ingress rule constrains the local endpoint (Rule.local), scoped like a peer selector', () => {
    const { set, diagnostics } = parse(np('  ingress:\n  - action: Allow\n    destination:\n      selector: a == "b"\n'))
    expect(diagnostics).toEqual([])
    const r = set.policies[0]?.ingress?.rules[0]
    eq(r?.peer ?? F.ff, F.tt)
    eq(r?.local ?? F.tt, F.and(known, F.inNamespace(['x']), F.labelEquals('endpoint', 'a', 'b')))
  })
  it('an egress source selector constrains the local endpoint (IBM NCA testcase8: source has(app))', () => {
    const r = firstRule(one(np('  egress:\n  - action: Allow\n    source:\n      selector: has(app)\n')), 'egress')
    eq(r.local ?? F.tt, F.and(known, F.inNamespace(['x']), F.exists('endpoint', 'app')))
  })
  it('local nets, namespaceSelector and serviceAccounts are part of the constraint', () => {
    const r = firstRule(
      one(gnp('  ingress:\n  - action: Allow\n    destination:\n      nets: [10.0.0.0/8]\n      namespaceSelector: team == "a"\n      serviceAccounts:\n        names: [sa]\n'))
    )
    eq(r.local ?? F.tt, F.and(F.ipIn(cidr('10.0.0.0/8')), known, F.labelEquals('namespace', 'team', 'a'), F.kind(['pod']), F.serviceAccount(['sa'])))
  })
  it('selector all() (or a selector every subject satisfies) constrains nothing and warrants no warning', () => {
    for (const sel of ['all()', 'app == "w"', 'has(app)'])
      for (const policy of [np(`  selector: app == "w"\n  ingress:\n  - action: Allow\n    destination:\n      selector: ${sel}\n`)]) {
        const { set, diagnostics } = parse(policy)
        expect(diagnostics).toEqual([])
        expect(set.policies[0]?.ingress?.rules[0]?.local).toBeUndefined()
      }
    expect(firstRule(one(gnp('  ingress:\n  - action: Allow\n    destination:\n      selector: all()\n'))).local).toBeUndefined()
  })
  it('destination ports on an ingress rule are the rule ports, not a local constraint', () => {
    const r = firstRule(one(np('  ingress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [80]\n')))
    expect(r.local).toBeUndefined()
    expect(P.matches(r.ports, P.TCP, 80, [])).toBe(true)
    expect(P.matches(r.ports, P.TCP, 81, [])).toBe(false)
  })
})

describe('address families (research notes §2, FilterRuleToIPVersion)', () => {
  const ipOf = (text: string): C.Ip => {
    const r = C.parseIp(text)
    if (r._tag === 'Left') throw new Error(r.left)
    return r.right
  }
  /** Does the peer match an address outside every known entity? */
  const matchesAddress = (peer: F.Formula, ip: string): boolean =>
    F.evaluate(peer, (a) => (a._tag === 'ipIn' ? C.contains(a.cidrs, ipOf(ip)) : a._tag === 'kind' ? a.kinds.includes('world') : false))
  const ingress = (rule: string): Rule => firstRule(one(np(`  ingress:\n  - action: Allow\n${rule}`)))
  const egress = (rule: string): Rule => firstRule(one(np(`  egress:\n  - action: Allow\n${rule}`)), 'egress')

  it('notNets of IPv4 CIDRs only: Felix renders the rule in the IPv4 chain only, so IPv6 peers do not match', () => {
    const peer = ingress('    source:\n      notNets: [10.0.0.0/8]\n').peer
    eq(peer, F.ipIn(C.difference(C.allV4, cidr('10.0.0.0/8'))))
    expect(matchesAddress(peer, '192.0.2.1')).toBe(true)
    expect(matchesAddress(peer, '10.1.2.3')).toBe(false)
    expect(matchesAddress(peer, '2001:db8::1')).toBe(false)
  })
  it('notNets of IPv6 CIDRs only: IPv6 peers only', () => {
    const peer = ingress('    source:\n      notNets: ["2001:db8::/32"]\n').peer
    eq(peer, F.ipIn(C.difference(C.allV6, cidr('2001:db8::/32'))))
    expect(matchesAddress(peer, '2001:db9::1')).toBe(true)
    expect(matchesAddress(peer, '192.0.2.1')).toBe(false)
  })
  it('nets already lie in their family: unchanged', () => {
    eq(ingress('    source:\n      nets: ["2001:db8::/32"]\n').peer, F.ipIn(cidr('2001:db8::/32')))
  })
  it('with selectors: the family is ANDed onto the scoped peer', () => {
    eq(
      firstRule(one(gnp(src('      selector: app == "a"\n      notNets: [10.0.0.0/8]\n')))).peer,
      F.and(known, F.labelEquals('endpoint', 'app', 'a'), F.ipIn(C.difference(C.allV4, cidr('10.0.0.0/8'))))
    )
    eq(firstRule(one(np(src('      notSelector: has(x)\n      notNets: ["2001:db8::/32"]\n')))).peer, F.and(F.inNamespace(['x']), F.not(F.and(known, F.exists('endpoint', 'x'))), F.ipIn(C.difference(C.allV6, cidr('2001:db8::/32')))))
  })
  it('nets on the local side restrict the packet, hence the peer, to their family (the local match itself is reported)', () => {
    const { set, diagnostics } = parse(np('  ingress:\n  - action: Allow\n    destination:\n      notNets: ["fd00::/8"]\n'))
    const r = set.policies[0]?.ingress?.rules[0]
    eq(r?.peer ?? F.ff, F.ipIn(C.allV6))
    expect(diagnostics).toEqual([])
    eq(r?.local ?? F.tt, F.not(F.ipIn(cidr('fd00::/8'))))
    eq(egress('    source:\n      nets: [10.0.0.0/8]\n    destination:\n      selector: app == "a"\n').peer, F.and(known, F.inNamespace(['x']), F.labelEquals('endpoint', 'app', 'a'), F.ipIn(C.allV4)))
  })
  it('source and destination lists of one family, and a matching ipVersion, give that family once', () => {
    eq(egress('    ipVersion: 4\n    source:\n      notNets: [10.0.0.0/8]\n    destination:\n      nets: [192.168.0.0/16]\n').peer, F.ipIn(cidr('192.168.0.0/16')))
    eq(ingress('    ipVersion: 4\n    source:\n      notNets: [10.0.0.0/8]\n').peer, ingress('    source:\n      notNets: [10.0.0.0/8]\n').peer)
  })
  it('a bare address in nets / notNets is its full-length prefix, as Felix reads it, with a warning (calicoctl refuses it)', () => {
    const { set, diagnostics } = parse(np('  ingress:\n  - action: Allow\n    source:\n      nets: [192.0.2.0/24]\n      notNets: [192.0.2.10]\n'))
    expect(diagnostics).toEqual([
      'p.yaml:11:17: warning bare-ip-net: spec.ingress[0].source.notNets[0]: "192.0.2.10" is read as 192.0.2.10/32, as Felix reads it; calicoctl and the Calico API server reject an address without a prefix length in rule nets (write "192.0.2.10/32")'
    ])
    eq(set.policies[0]?.ingress?.rules[0]?.peer ?? F.tt, F.ipIn(C.difference(cidr('192.0.2.0/24'), cidr('192.0.2.10/32'))))
    eq(ingress('    source:\n      nets: [192.0.2.10]\n').peer, F.ipIn(cidr('192.0.2.10/32')))
    eq(egress('    destination:\n      nets: ["2001:db8::1"]\n').peer, F.ipIn(cidr('2001:db8::1/128')))
  })
  it('a rule without nets or ipVersion keeps both families', () => {
    const peer = ingress('    source:\n      selector: app == "a"\n').peer
    expect([...F.atoms(peer).values()].some((a) => a._tag === 'ipIn')).toBe(false)
  })
})

describe('ports the algebra cannot compute exactly (research notes §1.5, §2)', () => {
  /** An ingress rule with TCP ports and notPorts; notPorts sits at line 12, column 17. */
  const portRule = (action: string, ports: string, notPorts: string, protocol = '    protocol: TCP\n'): string =>
    np(`  ingress:\n  - action: ${action}\n${protocol}    destination:\n      ports: ${ports}\n      notPorts: ${notPorts}\n`)
  const portsOfRule = (yaml: string): P.PortSet | undefined => one(yaml).ingress?.rules[0]?.ports
  const numeric = P.union(P.range(P.TCP, 8000, 8004), P.range(P.TCP, 8006, 8010))
  const why = 'spec.ingress[0].destination.notPorts: cannot subtract named port "http" and some of the numeric ports of TCP: the result depends on the port it resolves to'

  it('Allow: a named port beside numeric ones less a numeric port keeps the numeric part exactly and leaves the name out: narrower', () => {
    const yaml = portRule('Allow', '[http, "8000:8010"]', '[8005]')
    expect(portsOfRule(yaml)).toEqual(numeric)
    expect(findings(yaml)).toEqual([
      `narrower | p.yaml:12:17: warning inexact-ports: ${why}; the Allow rule keeps only the ports it matches for certain (TCP/8000-8004, TCP/8006-8010), so it allows less than in Calico`
    ])
  })
  it('Deny: the name is kept whole (it may resolve to 8005): the rule denies more, narrower', () => {
    const yaml = portRule('Deny', '[http, "8000:8010"]', '[8005]')
    expect(portsOfRule(yaml)).toEqual(P.union(numeric, P.named('http', P.TCP)))
    expect(findings(yaml)).toEqual([
      `narrower | p.yaml:12:17: warning inexact-ports: ${why}; the Deny rule keeps every port it may match (TCP/8000-8004, TCP/8006-8010, named http/TCP), so it denies more than in Calico`
    ])
  })
  it('Pass: the certain part is kept, and the fidelity is unsupported', () => {
    const yaml = portRule('Pass', '[http, "8000:8010"]', '[8005]')
    expect(portsOfRule(yaml)).toEqual(numeric)
    expect(findings(yaml)).toEqual([
      `unsupported | p.yaml:12:17: warning inexact-ports: ${why}; the Pass rule keeps only the ports it matches for certain (TCP/8000-8004, TCP/8006-8010), so packets it passes in Calico may reach the rest of the tier instead`
    ])
  })
  it('Log: every port it may match is kept; logging changes no verdict, so exact (info)', () => {
    const yaml = portRule('Log', '[http, "8000:8010"]', '[8005]')
    expect(portsOfRule(yaml)).toEqual(P.union(numeric, P.named('http', P.TCP)))
    expect(findings(yaml)).toEqual([
      `exact | p.yaml:12:17: info inexact-ports: ${why}; the Log rule keeps every port it may match (TCP/8000-8004, TCP/8006-8010, named http/TCP), so it may log more packets, which changes no verdict`
    ])
  })
  it('numeric ports less a named port: an Allow rule is left out (narrower), a Deny rule keeps the numeric ports', () => {
    const allow = portRule('Allow', '["1:100"]', '[http]')
    const { set } = parse(allow)
    expect(set.policies[0]?.ingress).toEqual({ defaultDeny: true, rules: [] })
    expect(findings(allow)).toEqual([
      'narrower | p.yaml:12:17: warning inexact-ports: spec.ingress[0].destination.notPorts: cannot subtract named port "http" from numeric ports of TCP: the result depends on the port it resolves to; the Allow rule matches no port for certain and is left out, so it allows less than in Calico'
    ])
    expect(portsOfRule(portRule('Deny', '["1:100"]', '[http]'))).toEqual(P.range(P.TCP, 1, 100))
  })
  it('a named port less another (no protocol): they may resolve to the same port', () => {
    const allow = portRule('Allow', '[http]', '[web]', '')
    expect(parse(allow).set.policies[0]?.ingress?.rules).toEqual([])
    expect(findings(allow)).toEqual([
      'narrower | p.yaml:11:17: warning inexact-ports: spec.ingress[0].destination.notPorts: cannot subtract named ports "http" and "web" on every protocol: they may resolve to the same port; the Allow rule matches no port for certain and is left out, so it allows less than in Calico'
    ])
    expect(portsOfRule(portRule('Deny', '[http]', '[web]', ''))).toEqual(P.named('http'))
  })
  it('a name less itself is empty, but numeric ports less that name are not known: the Allow rule is left out', () => {
    const sameName = portRule('Allow', '[http, "8000:8010"]', '[http]')
    expect(findings(sameName)).toEqual([
      'narrower | p.yaml:12:17: warning inexact-ports: spec.ingress[0].destination.notPorts: cannot subtract named port "http" from numeric ports of TCP: the result depends on the port it resolves to; the Allow rule matches no port for certain and is left out, so it allows less than in Calico'
    ])
    expect(portsOfRule(portRule('Deny', '[http, "8000:8010"]', '[http]'))).toEqual(P.range(P.TCP, 8000, 8010))
  })
  it('notICMP against a named port without protocol is reported at notICMP', () => {
    const yaml = np('  ingress:\n  - action: Allow\n    destination:\n      ports: [http]\n    notICMP:\n      type: 8\n')
    expect(parse(yaml).set.policies[0]?.ingress?.rules).toEqual([])
    const [f] = findings(yaml)
    expect(f).toMatch(/^narrower \| p\.yaml:12:7: warning inexact-ports: spec\.ingress\[0\]\.notICMP: cannot subtract named port "http" and some of the numeric ports of ICMP, ICMPv6: /)
  })
  it('what the algebra computes stays exact and silent', () => {
    const cutProtocol = np('  ingress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [http, "8000:8010"]\n    notProtocol: UDP\n')
    expect(findings(cutProtocol)).toEqual([])
    expect(portsOfRule(cutProtocol)).toEqual(P.union(P.named('http', P.TCP), P.range(P.TCP, 8000, 8010)))
    const numericOnly = portRule('Deny', '["8000:8010"]', '[8005]')
    expect(findings(numericOnly)).toEqual([])
    expect(portsOfRule(numericOnly)).toEqual(numeric)
  })
})

describe('host endpoint flags of a GlobalNetworkPolicy (research notes §1.2, §4.6)', () => {
  const rules = '  types: [Ingress]\n  ingress:\n  - action: Allow\n'
  const kept = 'the IR keeps the policy as an ordinary host endpoint policy, which every target writes without the flag (or leaves out)'
  it('preDNAT: host endpoints only, unsupported at its position; its required applyOnForward too', () => {
    const yaml = gnp(`  selector: all()\n  preDNAT: true\n  applyOnForward: true\n${rules}`)
    eq(one(yaml).subject, F.kind(['host']))
    expect(findings(yaml)).toEqual([
      `unsupported | p.yaml:7:12: warning calico-pre-dnat: spec.preDNAT: the policy applies to host endpoints only, to incoming traffic before DNAT (so it sees NodePort and other pre-translation addresses), and never to pods; ${kept}`,
      `unsupported | p.yaml:8:19: warning calico-apply-on-forward: spec.applyOnForward: the policy also applies to traffic forwarded through the host endpoints it selects; ${kept}, so that traffic is no longer filtered (on pods the policy applies as before)`
    ])
  })
  it('doNotTrack: host endpoints only, unsupported at its position', () => {
    const yaml = gnp(`  selector: has(kubernetes.io/hostname)\n  doNotTrack: true\n  applyOnForward: true\n${rules}`)
    eq(one(yaml).subject, F.and(F.kind(['host']), F.exists('endpoint', 'kubernetes.io/hostname')))
    expect(findings(yaml)).toEqual([
      `unsupported | p.yaml:7:15: warning calico-do-not-track: spec.doNotTrack: the policy applies to host endpoints only, to untracked traffic ahead of every tracked policy (replies are not let through by connection tracking), and never to pods; ${kept}`,
      `unsupported | p.yaml:8:19: warning calico-apply-on-forward: spec.applyOnForward: the policy also applies to traffic forwarded through the host endpoints it selects; ${kept}, so that traffic is no longer filtered (on pods the policy applies as before)`
    ])
  })
  it('applyOnForward alone: the policy still applies to pods; its effect on host endpoints is unsupported', () => {
    const yaml = gnp(`  selector: all()\n  applyOnForward: true\n${rules}`)
    eq(one(yaml).subject, F.kind(['pod', 'host']))
    expect(findings(yaml).map((f) => f.split(': spec.')[0])).toEqual(['unsupported | p.yaml:7:19: warning calico-apply-on-forward'])
  })
  it('applyOnForward on a policy that cannot select host endpoints changes nothing: exact', () => {
    for (const subject of ['  namespaceSelector: all()\n', "  selector: projectcalico.org/orchestrator == 'k8s'\n", "  serviceAccountSelector: role == 'db'\n"])
      expect(findings(gnp(`${subject}  applyOnForward: true\n${rules}`))).toEqual([
        'exact | p.yaml:7:19: info calico-apply-on-forward: spec.applyOnForward: the policy selects no host endpoint, and the flag changes nothing on pods'
      ])
  })
  it('flags set to false say nothing', () => {
    expect(findings(gnp(`  preDNAT: false\n  doNotTrack: false\n  applyOnForward: false\n${rules}`))).toEqual([])
  })
  it('calico → calico no longer reports exact: the written policy loses the flags', () => {
    const read = parseText('p.yaml', gnp(`  selector: all()\n  preDNAT: true\n  applyOnForward: true\n${rules}`))
    const t = translate(parseDocs(read.docs), calico, undefined)
    expect(t.fidelity).toBe('unsupported')
    const written = t.objects.map((o) => o.object.spec as Readonly<Record<string, unknown>>)
    expect(written.length).toBe(1)
    expect(written.some((spec) => 'preDNAT' in spec || 'applyOnForward' in spec)).toBe(false)
  })
})

describe('other kinds', () => {
  it('NetworkSet and GlobalNetworkSet', () => {
    const { set, diagnostics } = parse(
      'apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: s\n  namespace: x\n  labels: {a: b}\nspec:\n  nets: [10.0.0.1, 10.1.0.0/16]\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: g\nspec:\n  nets: [1.2.3.0/24]\n'
    )
    expect(diagnostics).toEqual([])
    expect(set.networkSets.map((s) => [s.name, s.namespace, s.labels, C.toCidrs(s.cidrs)])).toEqual([
      ['s', 'x', { a: 'b' }, ['10.0.0.1/32', '10.1.0.0/16']],
      ['g', undefined, {}, ['1.2.3.0/24']]
    ])
  })
  it('Tier', () => {
    const { set } = parse('apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: sec\nspec:\n  order: 100\n  defaultAction: Pass\n')
    expect(set.tiers.map((t) => [t.name, t.order, t.defaultAction])).toEqual([['sec', 100, 'pass']])
  })
  for (const kind of ['StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy'])
    it(`${kind} is not enforced: info, no IR`, () => {
      const { set, diagnostics } = parse(`apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata:\n  name: s\n  namespace: x\nspec: {}\n`)
      expect(set.policies).toEqual([])
      expect(diagnostics).toEqual([`p.yaml:2:7: info staged-policy: ${kind} s is a staged policy: it is not enforced, so it has no IR`])
    })
  it('accepts the Calico groups and kinds only', () => {
    expect(calico.accepts('projectcalico.org/v3', 'GlobalNetworkPolicy')).toBe(true)
    expect(calico.accepts('crd.projectcalico.org/v1', 'NetworkSet')).toBe(true)
    expect(calico.accepts('networking.k8s.io/v1', 'NetworkPolicy')).toBe(false)
  })
})

describe('positioned errors', () => {
  it('a selector syntax error is reported at the offending character inside the YAML string', () => {
    const { set, diagnostics } = parse(np('  selector: app == 1\n'))
    expect(set.policies).toEqual([])
    expect(diagnostics).toEqual(['p.yaml:7:20: error invalid-selector: spec.selector: expected a quoted string after "==", found "1" at character 8 of "app == 1"'])
  })
  it('a rule selector syntax error', () => {
    expect(parse(np(src('      selector: "a = b"\n'))).diagnostics).toEqual([
      'p.yaml:10:20: error invalid-selector: spec.ingress[0].source.selector: expected "==", found "=" at character 3 of "a = b"'
    ])
  })
  it('a selector written with escapes is reported at the start of its string', () => {
    expect(parse(np(src('      selector: "a \\u003d b"\n'))).diagnostics).toEqual([
      'p.yaml:10:17: error invalid-selector: spec.ingress[0].source.selector: expected "==", found "=" at character 3 of "a = b"'
    ])
  })
  it('codec errors are positioned', () => {
    expect(parse(np('  ingress:\n  - action: allow\n')).diagnostics).toEqual([
      'p.yaml:8:13: error invalid-field: spec.ingress[0].action: invalid action "allow": expected one of Allow, Deny, Log, Pass'
    ])
  })
  it("Calico's cross-field checks are positioned", () => {
    expect(parse(np('  ingress:\n  - action: Allow\n    protocol: ICMP\n    destination:\n      ports: [80]\n')).diagnostics).toEqual([
      'p.yaml:11:14: error invalid-field: spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP'
    ])
  })
  it('a broken projectcalico.org/metadata annotation on a v1 object is an error', () => {
    const { set, diagnostics } = parse(
      "apiVersion: crd.projectcalico.org/v1\nkind: NetworkSet\nmetadata:\n  name: s\n  namespace: x\n  annotations:\n    projectcalico.org/metadata: '{'\n"
    )
    expect(set.networkSets).toEqual([])
    expect(diagnostics.length).toBe(1)
    expect(diagnostics[0]).toMatch(/^p\.yaml:7:33: error invalid-field: metadata\.annotations\.projectcalico\.org\/metadata: invalid projectcalico\.org\/metadata annotation: /)
  })
  it('the reserved namespace label on a network set is an error', () => {
    expect(
      parse('apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: s\n  labels:\n    projectcalico.org/namespace: x\nspec: {}\n').diagnostics
    ).toEqual(['p.yaml:6:34: error invalid-field: metadata.labels: the label projectcalico.org/namespace is reserved by Calico'])
  })
})

describe('corpus: calico', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project', () => expect(fs.existsSync(corpusDir)).toBe(false))
    return
  }
  it('parses every Calico document without crashing', () => {
    const files = corpusFiles('calico')
    expect(files.length).toBeGreaterThan(0)
    const errors: Record<string, number> = {}
    const warnings: Record<string, number> = {}
    let docs = 0
    for (const file of files) {
      const read = parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8'))
      for (const doc of read.docs) {
        const v = doc.value as Readonly<Record<string, unknown>>
        if (!calico.accepts(String(v['apiVersion']), String(v['kind']))) continue
        docs++
        const out = calico.parse(doc)
        for (const d of out.diagnostics) {
          if (d.severity === 'error') errors[file] = (errors[file] ?? 0) + 1
          if (d.severity === 'warning') warnings[d.code] = (warnings[d.code] ?? 0) + 1
        }
      }
    }
    expect(docs).toBeGreaterThan(0)
    // Every error is one Calico's own validation gives: docs snippets with placeholders or
    // comments inside values, numeric ports without a protocol, host bits in rule CIDRs, and
    // `global()` combined with other selectors; or the API server's: names that are not DNS-1123
    // subdomains (IBM's analyzer test cases use upper case), a projectcalico.org/v3 policy without
    // the `spec` its CRD requires.
    expect(errors).toEqual({
      'calico/ibm-network-config-analyzer/testcase10-local-networkpolicies-allow-default.yaml': 1,
      'calico/ibm-network-config-analyzer/testcase11-denyFirstAlsoEgressDefaultAllow.yaml': 3,
      'calico/ibm-network-config-analyzer/testcase17-empty-globalNetworkpolicy.yaml': 1,
      'calico/ibm-network-config-analyzer/testcase21-Calico-allowSpecific-kube-system.yaml': 1,
      'calico/ibm-network-config-analyzer/testcase24-b.yaml': 2,
      'calico/ibm-network-config-analyzer/testcase3-networkpolicy-firstAllowSuperSet.yaml': 1,
      'calico/ibm-network-config-analyzer/testcase5-denyFirst.yaml': 1,
      'calico/ibm-network-config-analyzer/testcase6-superAllow.yaml': 1,
      'calico/tigera-docs/calico-labels.block-1.yaml': 1,
      'calico/tigera-docs/calico-labels.block-6.yaml': 1,
      'calico/tigera-docs/calico-network-policy.block-1.yaml': 1,
      'calico/tigera-docs/calico-network-policy.block-2.yaml': 1,
      'calico/tigera-docs/create-ingress-gateway.block-2.yaml': 1,
      'calico/tigera-docs/icmp-ping.block-2.yaml': 2,
      'calico/tigera-docs/icmp-ping.block-3.yaml': 2,
      'calico/tigera-docs/kubernetes-node-ports.block-1.yaml': 2,
      'calico/tigera-docs/log-rules.block-1.yaml': 1,
      'calico/tigera-docs/log-rules.block-2.yaml': 1,
      'calico/tigera-docs/protect-hosts.block-1.yaml': 2,
      'calico/tigera-docs/services-cluster-ips.block-1.yaml': 2,
      'calico/tigera-docs/services-cluster-ips.block-2.yaml': 1,
      'calico/tigera-docs/services-cluster-ips.block-3.yaml': 2
    })
    expect(warnings).toEqual({
      'calico-apply-on-forward': 6,
      'calico-do-not-track': 4,
      'calico-pre-dnat': 1
    })
  })
})
