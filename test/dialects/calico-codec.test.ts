/**
 * Calico codecs: one case per field and per cross-field rule, asserted as rendered diagnostics,
 * and the shared Calico corpus.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as K from '../../dialects/calico/codec.js'
import * as D from '../../src/diagnostics.js'
import { decode } from '../../src/io/decode.js'
import { parseText } from '../../src/io/source.js'
import type { SourceDoc } from '../../src/io/source.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const firstDoc = (file: string, yaml: string): SourceDoc => {
  const { docs, diagnostics } = parseText(file, yaml)
  expect(diagnostics.map(D.render)).toEqual([])
  const doc = docs[0]
  if (doc === undefined) return expect.fail('no document')
  return doc
}

/** Decode errors, or (when it decodes) the cross-field problems, rendered. */
const errors = (yaml: string): ReadonlyArray<string> => {
  const doc = firstDoc('p.yaml', yaml)
  const r = decode(K.CalicoObject, doc, doc.value)
  return E.isLeft(r) ? r.left.map(D.render) : K.toDiagnostics(doc, K.objectProblems(r.right)).map(D.render)
}

/** Decodes without errors or problems. */
const ok = (yaml: string): K.CalicoObject => {
  const doc = firstDoc('p.yaml', yaml)
  const r = decode(K.CalicoObject, doc, doc.value)
  if (E.isLeft(r)) return expect.fail(r.left.map(D.render).join('\n'))
  expect(K.toDiagnostics(doc, K.objectProblems(r.right)).map(D.render)).toEqual([])
  return r.right
}

// Line 6 is `spec:`; the spec body starts on line 7.
const obj = (kind: string, spec: string, apiVersion = 'projectcalico.org/v3'): string =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: p\n  namespace: x\nspec:\n${spec}`
const np = (spec: string): string => obj('NetworkPolicy', spec)
const gnp = (spec: string): string => obj('GlobalNetworkPolicy', spec)

// A single rule, written as a flow mapping on line 8 from column 5.
const ingress = (rule: string): string => np(`  ingress:\n  - ${rule}\n`)
const egress = (rule: string): string => np(`  egress:\n  - ${rule}\n`)
const gIngress = (rule: string): string => gnp(`  ingress:\n  - ${rule}\n`)
const gEgress = (rule: string): string => gnp(`  egress:\n  - ${rule}\n`)

const spec = (o: K.CalicoObject): unknown => ('spec' in o ? o.spec : undefined)

const firstRule = (o: K.CalicoObject): K.Rule => {
  const s = spec(o) as K.NetworkPolicySpec | undefined
  const r = s?.ingress?.[0] ?? s?.egress?.[0]
  if (r === undefined) return expect.fail('no rule')
  return r
}

const e = (line: number, col: number, message: string): string => `p.yaml:${line}:${col}: error invalid-field: ${message}`

// -------------------------------------------------------------------------------------
// objects and metadata
// -------------------------------------------------------------------------------------

describe('objects', () => {
  it('every kind decodes in both API groups', () => {
    for (const apiVersion of ['projectcalico.org/v3', 'crd.projectcalico.org/v1'])
      for (const kind of K.calicoKinds) expect(ok(obj(kind, '  {}\n', apiVersion)).kind).toBe(kind)
  })
  it('an absent spec is the zero spec on the crd.projectcalico.org/v1 form, and an error on projectcalico.org/v3 (its CRDs require spec)', () => {
    expect(spec(ok('apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkSet\nmetadata:\n  name: s\n'))).toBeUndefined()
    // the tutorial's sloppy example (issue 13): a NetworkPolicy with metadata only
    expect(errors('apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: allow-tcp-6379\n  namespace: production\n')).toEqual([
      e(1, 1, 'spec: missing required field "spec": a projectcalico.org/v3 NetworkPolicy needs one (its CRD requires it); without it nothing says what the NetworkPolicy does')
    ])
    expect(errors('apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: g\nspec: null\n')).toEqual([
      e(5, 7, 'spec: missing required field "spec": a projectcalico.org/v3 GlobalNetworkPolicy needs one (its CRD requires it); without it nothing says what the GlobalNetworkPolicy does')
    ])
  })
  it('another apiVersion or kind is an error', () => {
    expect(errors(obj('NetworkPolicy', '  {}\n', 'projectcalico.org/v1'))).toEqual([
      e(1, 13, 'apiVersion: invalid apiVersion "projectcalico.org/v1": expected one of projectcalico.org/v3, crd.projectcalico.org/v1')
    ])
    expect(errors(obj('HostEndpoint', '  {}\n'))).toEqual([
      e(
        2,
        7,
        'kind: unsupported kind "HostEndpoint": expected one of NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier'
      )
    ])
    expect(errors('apiVersion: projectcalico.org/v3\nmetadata:\n  name: p\n')).toEqual([e(1, 1, 'kind: missing required field "kind"')])
  })
  it('metadata accepts what the API server sets, needs a name and string labels', () => {
    const o = ok(
      'apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: s\n  uid: 1\n  creationTimestamp: null\n  labels: {a: b}\nstatus: {}\nspec: {}\n'
    )
    expect(o.metadata.labels).toEqual({ a: 'b' })
    expect(errors('apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  labels: {a: 1}\nspec: {}\n')).toEqual([
      e(4, 3, 'metadata.name: missing required field "name"'),
      e(4, 15, 'metadata.labels.a: expected a string value for labels key "a", got 1')
    ])
  })
  it('a null field is absent', () => {
    expect(ok(np('  selector: null\n  ingress: null\n  order: null\n'))).toMatchObject({ spec: {} })
  })
})

// -------------------------------------------------------------------------------------
// policy specs
// -------------------------------------------------------------------------------------

describe('policy specs', () => {
  it('NetworkPolicy fields', () => {
    const o = ok(
      np(
        "  tier: security\n  order: 100.5\n  selector: app == 'a'\n  types: [Ingress, Egress]\n  serviceAccountSelector: role == 'x'\n  performanceHints: [AssumeNeededOnEveryNode]\n  ingress: []\n  egress: [{action: Allow}]\n"
      )
    )
    expect(spec(o)).toEqual({
      tier: 'security',
      order: 100.5,
      selector: "app == 'a'",
      types: ['Ingress', 'Egress'],
      serviceAccountSelector: "role == 'x'",
      performanceHints: ['AssumeNeededOnEveryNode'],
      ingress: [],
      egress: [{ action: 'Allow' }]
    })
  })
  it('GlobalNetworkPolicy adds namespaceSelector, doNotTrack, preDNAT, applyOnForward', () => {
    const o = ok(gnp("  namespaceSelector: team == 'a'\n  doNotTrack: true\n  applyOnForward: true\n  preDNAT: false\n"))
    expect(spec(o)).toEqual({ namespaceSelector: "team == 'a'", doNotTrack: true, applyOnForward: true, preDNAT: false })
    expect(errors(gnp('  doNotTrack: "yes"\n'))).toEqual([e(7, 15, 'spec.doNotTrack: expected true or false, got "yes"')])
  })
  it('NetworkPolicy has none of the GlobalNetworkPolicy-only fields', () => {
    expect(errors(np("  namespaceSelector: a == 'b'\n  doNotTrack: true\n  preDNAT: true\n  applyOnForward: true\n"))).toEqual([
      e(7, 22, 'spec.namespaceSelector: unknown field "namespaceSelector" in NetworkPolicySpec'),
      e(8, 15, 'spec.doNotTrack: unknown field "doNotTrack" in NetworkPolicySpec'),
      e(9, 12, 'spec.preDNAT: unknown field "preDNAT" in NetworkPolicySpec'),
      e(10, 19, 'spec.applyOnForward: unknown field "applyOnForward" in NetworkPolicySpec')
    ])
  })
  it('tier is a DNS-1123 name', () => {
    expect(errors(np('  tier: Sec_Tier\n'))).toEqual([
      e(7, 9, 'spec.tier: invalid tier "Sec_Tier": must consist of lower case alphanumeric characters, "-" or "." and start and end with an alphanumeric character')
    ])
  })
  it('order is a number', () => {
    expect(errors(np('  order: "10"\n'))).toEqual([e(7, 10, 'spec.order: invalid order "10": expected a number')])
    expect(errors(np('  order: .inf\n'))).toEqual([e(7, 10, 'spec.order: invalid order .inf (infinity): expected a number')])
  })
  it('selectors are at most 1024 characters', () => {
    expect(errors(np(`  selector: "${'a'.repeat(1025)}"\n`))).toEqual([e(7, 13, 'spec.selector: selector must be at most 1024 characters, got 1025')])
  })
  it('types are Ingress/Egress, without repeats', () => {
    expect(errors(np('  types: [ingress]\n'))).toEqual([e(7, 11, 'spec.types[0]: invalid policy type "ingress": expected one of Ingress, Egress')])
    expect(errors(np('  types: [Ingress, Ingress]\n'))).toEqual([e(7, 20, "spec.types[1]: 'Ingress' type specified more than once")])
    expect(errors(np('  types: Ingress\n'))).toEqual([e(7, 10, 'spec.types: expected a list of policy types, got "Ingress"')])
  })
  it('performanceHints', () => {
    expect(errors(np('  performanceHints: [Fast]\n'))).toEqual([
      e(7, 22, 'spec.performanceHints[0]: invalid performance hint "Fast": expected one of AssumeNeededOnEveryNode')
    ])
  })
  it('at most 1024 rules per direction', () => {
    const rules = Array.from({ length: 1025 }, () => '{action: Deny}').join(', ')
    expect(errors(np(`  ingress: [${rules}]\n`))).toEqual([e(7, 12, 'spec.ingress: at most 1024 rules are allowed, got 1025')])
  })
  it('staged kinds add stagedAction', () => {
    expect(spec(ok(obj('StagedNetworkPolicy', '  stagedAction: Learn\n  selector: all()\n')))).toEqual({ stagedAction: 'Learn', selector: 'all()' })
    expect(spec(ok(obj('StagedGlobalNetworkPolicy', '  stagedAction: Set\n  doNotTrack: false\n')))).toEqual({ stagedAction: 'Set', doNotTrack: false })
    expect(errors(obj('StagedNetworkPolicy', '  stagedAction: Apply\n'))).toEqual([
      e(7, 17, 'spec.stagedAction: invalid stagedAction "Apply": expected one of Set, Delete, Learn, Ignore')
    ])
    expect(errors(np('  stagedAction: Set\n'))).toEqual([e(7, 17, 'spec.stagedAction: unknown field "stagedAction" in NetworkPolicySpec')])
  })
  it('StagedKubernetesNetworkPolicy has a Kubernetes NetworkPolicy spec', () => {
    const o = ok(
      obj(
        'StagedKubernetesNetworkPolicy',
        '  stagedAction: Set\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n    ports: [{protocol: TCP, port: 80, endPort: 90}]\n'
      )
    )
    expect(spec(o)).toEqual({
      stagedAction: 'Set',
      podSelector: { matchLabels: { app: 'a' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }]
    })
    expect(errors(obj('StagedKubernetesNetworkPolicy', '  selector: all()\n  egress:\n  - ports: [{port: Http_Alt}]\n'))).toEqual([
      e(7, 13, 'spec.selector: unknown field "selector" in StagedKubernetesNetworkPolicySpec'),
      e(9, 20, 'spec.egress[0].ports[0].port: invalid port name "Http_Alt": must contain only lower-case letters, digits and "-"')
    ])
  })
})

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

describe('rules', () => {
  it('action is required and one of Allow, Deny, Log, Pass', () => {
    for (const action of ['Allow', 'Deny', 'Log', 'Pass']) expect(firstRule(ok(ingress(`{action: ${action}}`))).action).toBe(action)
    expect(errors(ingress('{action: allow}'))).toEqual([e(8, 14, 'spec.ingress[0].action: invalid action "allow": expected one of Allow, Deny, Log, Pass')])
    expect(errors(ingress('{protocol: TCP}'))).toEqual([e(8, 5, 'spec.ingress[0].action: missing required field "action"')])
  })
  it('unknown rule fields are errors', () => {
    expect(errors(ingress('{action: Allow, ports: [80]}'))).toEqual([e(8, 28, 'spec.ingress[0].ports: unknown field "ports" in Rule')])
  })
  it('ipVersion is 4 or 6', () => {
    expect(firstRule(ok(ingress('{action: Allow, ipVersion: 6}'))).ipVersion).toBe(6)
    expect(errors(ingress('{action: Allow, ipVersion: 5}'))).toEqual([e(8, 32, 'spec.ingress[0].ipVersion: invalid ipVersion 5: expected 4 or 6')])
  })
  it('protocol: a number 1-255, a numeric string, or a case-sensitive name', () => {
    expect(firstRule(ok(ingress('{action: Allow, protocol: 6}'))).protocol).toEqual({ _tag: 'number', n: 6 })
    expect(firstRule(ok(ingress('{action: Allow, protocol: "6"}'))).protocol).toEqual({ _tag: 'number', n: 6 })
    for (const name of K.protocolNames) expect(firstRule(ok(ingress(`{action: Allow, protocol: ${name}}`))).protocol).toEqual({ _tag: 'name', name })
    const expected = 'expected an integer from 1 to 255 or one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite'
    expect(errors(ingress('{action: Allow, protocol: 0}'))).toEqual([e(8, 31, `spec.ingress[0].protocol: invalid protocol 0: ${expected}`)])
    expect(errors(ingress('{action: Allow, protocol: "256"}'))).toEqual([e(8, 31, `spec.ingress[0].protocol: invalid protocol "256": ${expected}`)])
    expect(errors(ingress('{action: Allow, protocol: tcp}'))).toEqual([
      e(8, 31, 'spec.ingress[0].protocol: invalid protocol "tcp": names are case-sensitive (did you mean TCP?)')
    ])
    expect(errors(ingress('{action: Allow, protocol: GRE}'))).toEqual([e(8, 31, `spec.ingress[0].protocol: invalid protocol "GRE": ${expected}`)])
  })
  it('notProtocol has the same syntax', () => {
    expect(firstRule(ok(ingress('{action: Allow, notProtocol: UDPLite}'))).notProtocol).toEqual({ _tag: 'name', name: 'UDPLite' })
    expect(errors(ingress('{action: Allow, notProtocol: 1.5}'))).toEqual([
      e(8, 34, 'spec.ingress[0].notProtocol: invalid protocol 1.5: expected an integer from 1 to 255 or one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite')
    ])
  })
  it('icmp and notICMP: type 0-254, code 0-255', () => {
    expect(firstRule(ok(ingress('{action: Allow, protocol: ICMP, icmp: {type: 254, code: 255}, notICMP: {type: 0}}')))).toMatchObject({
      icmp: { type: 254, code: 255 },
      notICMP: { type: 0 }
    })
    expect(errors(ingress('{action: Allow, protocol: ICMP, icmp: {type: 255, code: 256}}'))).toEqual([
      e(8, 50, 'spec.ingress[0].icmp.type: invalid ICMP type 255: expected an integer from 0 to 254'),
      e(8, 61, 'spec.ingress[0].icmp.code: invalid ICMP code 256: expected an integer from 0 to 255')
    ])
    expect(errors(ingress('{action: Allow, protocol: ICMP, notICMP: {typ: 8}}'))).toEqual([
      e(8, 52, 'spec.ingress[0].notICMP.typ: unknown field "typ" in ICMPFields')
    ])
  })
  it('http: methods and paths', () => {
    const r = firstRule(ok(ingress('{action: Allow, http: {methods: [GET, PUT], paths: [{exact: /a}, {prefix: /b/}]}}')))
    expect(r.http).toEqual({ methods: ['GET', 'PUT'], paths: [{ exact: '/a' }, { prefix: '/b/' }] })
    expect(errors(ingress('{action: Allow, http: {methods: [GET, GET]}}'))).toEqual([
      e(8, 43, 'spec.ingress[0].http.methods[1]: duplicate HTTP method "GET"')
    ])
    expect(errors(ingress('{action: Allow, http: {paths: [{exact: /a, prefix: /b}, {}, {exact: a}, {exact: "/a?b"}]}}'))).toEqual([
      e(8, 36, 'spec.ingress[0].http.paths[0]: invalid HTTP path match: both "exact" and "prefix" are set'),
      e(8, 61, 'spec.ingress[0].http.paths[1]: invalid HTTP path match: either "exact" or "prefix" must be set'),
      e(8, 73, 'spec.ingress[0].http.paths[2].exact: invalid HTTP path "a": must start with "/" and not contain "?", "#" or spaces'),
      e(8, 85, 'spec.ingress[0].http.paths[3].exact: invalid HTTP path "/a?b": must start with "/" and not contain "?", "#" or spaces')
    ])
    expect(errors(ingress('{action: Allow, http: {method: [GET]}}'))).toEqual([e(8, 36, 'spec.ingress[0].http.method: unknown field "method" in HTTPMatch')])
  })
  it('metadata.annotations', () => {
    expect(firstRule(ok(ingress('{action: Allow, metadata: {annotations: {why: dns}}}'))).metadata).toEqual({ annotations: { why: 'dns' } })
    expect(errors(ingress('{action: Allow, metadata: {labels: {}}}'))).toEqual([e(8, 40, 'spec.ingress[0].metadata.labels: unknown field "labels" in RuleMetadata')])
  })
})

// -------------------------------------------------------------------------------------
// entity rules
// -------------------------------------------------------------------------------------

describe('entity rules', () => {
  it('selector, notSelector, namespaceSelector, serviceAccounts', () => {
    const r = firstRule(
      ok(ingress("{action: Allow, source: {selector: a == 'b', notSelector: has(c), namespaceSelector: all(), serviceAccounts: {names: [api], selector: x == 'y'}}}"))
    )
    expect(r.source).toEqual({ selector: "a == 'b'", notSelector: 'has(c)', namespaceSelector: 'all()', serviceAccounts: { names: ['api'], selector: "x == 'y'" } })
    expect(errors(ingress('{action: Allow, source: {serviceAccounts: {name: api}}}'))).toEqual([
      e(8, 54, 'spec.ingress[0].source.serviceAccounts.name: unknown field "name" in ServiceAccountMatch')
    ])
  })
  it('unknown entity rule fields are errors', () => {
    expect(errors(ingress('{action: Allow, source: {podSelector: {}}}'))).toEqual([
      e(8, 43, 'spec.ingress[0].source.podSelector: unknown field "podSelector" in EntityRule')
    ])
  })
  it('services: a name (DNS-1123) and an optional namespace', () => {
    expect(firstRule(ok(egress('{action: Allow, destination: {services: {name: kube-dns, namespace: kube-system}}}'))).destination).toEqual({
      services: { name: 'kube-dns', namespace: 'kube-system' }
    })
    expect(errors(egress('{action: Allow, destination: {services: {namespace: a}}}'))).toEqual([
      e(8, 45, 'spec.egress[0].destination.services.name: missing required field "name"')
    ])
    expect(errors(egress('{action: Allow, destination: {services: {name: Kube_DNS}}}'))).toEqual([
      e(
        8,
        52,
        'spec.egress[0].destination.services.name: invalid service name "Kube_DNS": must consist of lower case alphanumeric characters, "-" or "." and start and end with an alphanumeric character'
      )
    ])
  })
  it('nets and notNets: CIDRs with the network address only, or bare addresses (full-length prefixes, as Felix reads them)', () => {
    expect(firstRule(ok(ingress('{action: Allow, source: {nets: [10.0.0.0/8, 10.1.2.3/32], notNets: [10.1.0.0/16]}}'))).source).toEqual({
      nets: ['10.0.0.0/8', '10.1.2.3/32'],
      notNets: ['10.1.0.0/16']
    })
    expect(firstRule(ok(ingress('{action: Allow, destination: {nets: ["2001:db8::/32"]}}'))).destination).toEqual({ nets: ['2001:db8::/32'] })
    expect(firstRule(ok(ingress('{action: Allow, source: {nets: [10.0.0.1], notNets: [10.0.0.2]}}'))).source).toEqual({ nets: ['10.0.0.1'], notNets: ['10.0.0.2'] })
    expect(errors(ingress('{action: Allow, source: {nets: [10.0.0.1, "2001:db8::1", 1.2.3.4/16, garbage], notNets: [10.0.0.0/33]}}'))).toEqual([
      e(8, 62, 'spec.ingress[0].source.nets[2]: invalid CIDR "1.2.3.4/16": host bits are set (Calico requires the network address: "1.2.0.0/16")'),
      e(8, 74, 'spec.ingress[0].source.nets[3]: invalid CIDR "garbage": expected ADDRESS/PREFIX or an IP address'),
      e(8, 94, 'spec.ingress[0].source.notNets[0]: invalid CIDR "10.0.0.0/33": prefix length must be 0-32')
    ])
  })
  it('at most 256 nets', () => {
    const nets = Array.from({ length: 257 }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}/32`).join(', ')
    expect(errors(ingress(`{action: Allow, source: {nets: [${nets}]}}`))).toEqual([e(8, 36, 'spec.ingress[0].source.nets: at most 256 nets are allowed, got 257')])
  })
  it('ports decode to ports, ranges and named ports', () => {
    const r = firstRule(ok(ingress('{action: Allow, protocol: TCP, destination: {ports: [80, "443", "8000:8080", "90:90", http], notPorts: [22]}}')))
    expect(r.destination?.ports).toEqual([
      { _tag: 'port', n: 80 },
      { _tag: 'port', n: 443 },
      { _tag: 'range', lo: 8000, hi: 8080 },
      { _tag: 'port', n: 90 },
      { _tag: 'named', name: 'http' }
    ])
    expect(r.destination?.notPorts).toEqual([{ _tag: 'port', n: 22 }])
    expect(r.destination?.ports?.map(K.Port.encode)).toEqual([80, 443, '8000:8080', 90, 'http'])
  })
  it('bad ports', () => {
    expect(
      errors(ingress('{action: Allow, protocol: TCP, source: {ports: [0, 65536, "70000", "0:10", "90:80", "1:65536", "a b", Http_Alt, -x, 1.5]}}'))
    ).toEqual([
      e(8, 53, 'spec.ingress[0].source.ports[0]: invalid port 0: expected a number from 1 to 65535, a range "lo:hi" or a port name'),
      e(8, 56, 'spec.ingress[0].source.ports[1]: invalid port 65536: expected a number from 1 to 65535, a range "lo:hi" or a port name'),
      e(8, 63, 'spec.ingress[0].source.ports[2]: invalid port "70000": port numbers must be 1-65535'),
      e(8, 72, 'spec.ingress[0].source.ports[3]: invalid port range "0:10": port numbers must be 1-65535'),
      e(8, 80, 'spec.ingress[0].source.ports[4]: invalid port range "90:80": minimum port number (90) is greater than maximum port number (80)'),
      e(8, 89, 'spec.ingress[0].source.ports[5]: invalid port range "1:65536": port numbers must be 1-65535'),
      e(8, 100, 'spec.ingress[0].source.ports[6]: invalid port "a b": expected a number from 1 to 65535, a range "lo:hi" or a port name'),
      e(8, 107, 'spec.ingress[0].source.ports[7]: invalid port name "Http_Alt": must contain only lower-case letters, digits and "-"'),
      e(8, 117, 'spec.ingress[0].source.ports[8]: invalid port name "-x": must not begin or end with "-" or contain "--"'),
      e(8, 121, 'spec.ingress[0].source.ports[9]: invalid port 1.5: expected a number from 1 to 65535, a range "lo:hi" or a port name')
    ])
  })
  it('at most 50 ports', () => {
    const ports = Array.from({ length: 51 }, (_, i) => i + 1).join(', ')
    expect(errors(ingress(`{action: Allow, protocol: TCP, destination: {ports: [${ports}]}}`))).toEqual([
      e(8, 57, 'spec.ingress[0].destination.ports: at most 50 ports are allowed, got 51')
    ])
  })
})

// -------------------------------------------------------------------------------------
// network sets and tiers
// -------------------------------------------------------------------------------------

describe('network sets and tiers', () => {
  it('(Global)NetworkSet nets accept bare addresses and host bits', () => {
    for (const kind of ['NetworkSet', 'GlobalNetworkSet'])
      expect(spec(ok(obj(kind, '  nets: [10.0.0.1, 10.1.2.3/16, "2001:db8::1", "2001:db8::/32"]\n')))).toEqual({
        nets: ['10.0.0.1', '10.1.2.3/16', '2001:db8::1', '2001:db8::/32']
      })
    expect(errors(obj('NetworkSet', '  nets: [garbage]\n  selector: all()\n'))).toEqual([
      e(7, 10, 'spec.nets[0]: invalid IP address "garbage": an IPv4 address has four dot-separated octets'),
      e(8, 13, 'spec.selector: unknown field "selector" in NetworkSetSpec')
    ])
  })
  it('Tier: order and defaultAction (Deny or Pass)', () => {
    expect(spec(ok(obj('Tier', '  order: 300\n  defaultAction: Pass\n')))).toEqual({ order: 300, defaultAction: 'Pass' })
    expect(errors(obj('Tier', '  defaultAction: Allow\n  selector: all()\n'))).toEqual([
      e(7, 18, 'spec.defaultAction: invalid defaultAction "Allow": expected one of Deny, Pass'),
      e(8, 13, 'spec.selector: unknown field "selector" in TierSpec')
    ])
  })
})

// -------------------------------------------------------------------------------------
// crd.projectcalico.org/v1 metadata
// -------------------------------------------------------------------------------------

describe('v1 metadata', () => {
  const stored = '{"name":"allow-dns","labels":{"app":"a"},"annotations":{"note":"x"},"creationTimestamp":null}'
  it('reads the projectcalico.org/metadata annotation', () => {
    expect(K.v1Metadata({ [K.metadataAnnotation]: stored, other: 'y' })).toEqual(
      E.right({ name: 'allow-dns', labels: { app: 'a' }, annotations: { note: 'x' } })
    )
    expect(K.v1Metadata(undefined)).toEqual(E.right({}))
    expect(K.v1Metadata({ other: 'y' })).toEqual(E.right({}))
  })
  it('bad JSON is an error', () => {
    const r = K.v1Metadata({ [K.metadataAnnotation]: '{"labels":' })
    expect(E.isLeft(r) && r.left.startsWith('invalid projectcalico.org/metadata annotation: ')).toBe(true)
    expect(K.v1Metadata({ [K.metadataAnnotation]: '[]' })).toEqual(E.left('invalid projectcalico.org/metadata annotation: expected a JSON object, got a sequence'))
    expect(K.v1Metadata({ [K.metadataAnnotation]: '{"labels":{"a":1}}' })).toEqual(
      E.left('invalid projectcalico.org/metadata annotation: "labels" must map strings to strings')
    )
  })
  it('v3MetadataOfV1 merges labels and annotations and restores the name', () => {
    const meta: K.ObjectMeta = {
      name: 'default.allow-dns',
      namespace: 'x',
      labels: { 'projectcalico.org/tier': 'default', app: 'old' },
      annotations: { [K.metadataAnnotation]: stored }
    }
    expect(K.v3MetadataOfV1('NetworkPolicy', meta, 'default')).toEqual(
      E.right({ name: 'allow-dns', namespace: 'x', labels: { 'projectcalico.org/tier': 'default', app: 'a' }, annotations: { note: 'x' } })
    )
    const bare: K.ObjectMeta = { name: 'default.allow-dns' }
    expect(K.v3MetadataOfV1('NetworkPolicy', bare, undefined)).toEqual(E.right({ name: 'allow-dns', labels: {}, annotations: {} }))
    expect(K.v3MetadataOfV1('NetworkPolicy', bare, 'security')).toEqual(E.right({ name: 'default.allow-dns', labels: {}, annotations: {} }))
    expect(K.v3MetadataOfV1('NetworkSet', bare, undefined)).toEqual(E.right({ name: 'default.allow-dns', labels: {}, annotations: {} }))
  })
  it('a v1 dump decodes with the v3 spec', () => {
    const o = ok(
      `apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata:\n  name: default.p\n  annotations:\n    projectcalico.org/metadata: '{"name":"p","labels":{"a":"b"}}'\n  resourceVersion: "12"\nspec:\n  tier: default\n  order: 10\n  types: [Egress]\n  egress: [{action: Allow, protocol: UDP, destination: {ports: [53]}}]\n`
    )
    expect(firstRule(o).destination?.ports).toEqual([{ _tag: 'port', n: 53 }])
    expect(E.map((m: K.ObjectMeta) => [m.name, m.labels])(K.v3MetadataOfV1(o.kind, o.metadata, 'default'))).toEqual(E.right(['p', { a: 'b' }]))
  })
})

// -------------------------------------------------------------------------------------
// cross-field rules
// -------------------------------------------------------------------------------------

describe('cross-field rules', () => {
  it('numeric ports need protocol TCP, UDP or SCTP (by name or number)', () => {
    for (const p of ['TCP', 'UDP', 'SCTP', '6', '17', '132']) ok(ingress(`{action: Allow, protocol: "${p}", destination: {ports: [80, "1:2"]}}`))
    expect(errors(ingress('{action: Allow, protocol: ICMP, destination: {ports: [http]}, source: {notPorts: [1]}}'))).toEqual([
      e(8, 86, 'spec.ingress[0].source.notPorts: rules that specify ports must set protocol to TCP or UDP or SCTP'),
      e(8, 58, 'spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP')
    ])
    expect(errors(ingress('{action: Allow, protocol: UDPLite, destination: {ports: [1]}}'))).toEqual([
      e(8, 61, 'spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP')
    ])
  })
  it('without a protocol only named ports', () => {
    ok(ingress('{action: Allow, destination: {ports: [http, metrics]}}'))
    expect(errors(ingress('{action: Allow, destination: {ports: [http, 80], notPorts: ["1:2"]}}'))).toEqual([
      e(8, 49, 'spec.ingress[0].destination.ports[1]: rules with numeric port or port range must set protocol to TCP or UDP or SCTP'),
      e(8, 65, 'spec.ingress[0].destination.notPorts[0]: rules with numeric port or port range must set protocol to TCP or UDP or SCTP')
    ])
  })
  it('icmp needs protocol ICMP or ICMPv6 (notICMP is not checked by Calico)', () => {
    ok(ingress('{action: Allow, protocol: ICMPv6, icmp: {type: 128}}'))
    ok(ingress('{action: Allow, protocol: 1, icmp: {type: 8}}'))
    ok(ingress('{action: Allow, notICMP: {type: 8}}'))
    expect(errors(ingress('{action: Allow, icmp: {type: 8}}'))).toEqual([e(8, 27, 'spec.ingress[0].icmp: ICMP fields require protocol to be ICMP or ICMPv6')])
    expect(errors(ingress('{action: Allow, protocol: TCP, icmp: {type: 8}}'))).toEqual([
      e(8, 42, 'spec.ingress[0].icmp: ICMP fields require protocol to be ICMP or ICMPv6')
    ])
  })
  it('an ICMP code needs a type', () => {
    expect(errors(ingress('{action: Allow, protocol: ICMP, icmp: {code: 1}, notICMP: {code: 2}}'))).toEqual([
      e(8, 50, 'spec.ingress[0].icmp.code: ICMP code specified without an ICMP type'),
      e(8, 70, 'spec.ingress[0].notICMP.code: ICMP code specified without an ICMP type')
    ])
  })
  it('ICMP needs ipVersion 4 and ICMPv6 ipVersion 6 when ipVersion is set', () => {
    expect(errors(ingress('{action: Allow, ipVersion: 6, protocol: ICMP}'))).toEqual([e(8, 32, 'spec.ingress[0].ipVersion: protocol ICMP requires ipVersion 4')])
    expect(errors(ingress('{action: Allow, ipVersion: 4, notProtocol: 58}'))).toEqual([
      e(8, 32, 'spec.ingress[0].ipVersion: protocol ICMPv6 requires ipVersion 6')
    ])
  })
  it('IPv4 and IPv6 nets are not mixed in one rule, and agree with ipVersion', () => {
    ok(ingress('{action: Allow, ipVersion: 6, source: {nets: ["2001:db8::/32"]}, destination: {notNets: ["2001:db8:1::/48"]}}'))
    expect(errors(ingress('{action: Allow, source: {nets: [10.0.0.0/8]}, destination: {notNets: ["2001:db8::/32"]}}'))).toEqual([
      e(8, 74, "spec.ingress[0].destination.notNets: rule contains both IPv4 and IPv6 CIDRs")
    ])
    expect(errors(ingress('{action: Allow, source: {nets: [10.0.0.0/8, "::1/128"]}}'))).toEqual([
      e(8, 36, 'spec.ingress[0].source.nets: rule contains both IPv4 and IPv6 CIDRs')
    ])
    expect(errors(ingress('{action: Allow, ipVersion: 6, source: {nets: [10.0.0.0/8]}}'))).toEqual([
      e(8, 50, "spec.ingress[0].source.nets: rule IP version doesn't match CIDR version")
    ])
  })
  it('a catch-all CIDR in notNets is rejected', () => {
    ok(ingress('{action: Allow, source: {nets: [0.0.0.0/0]}}'))
    expect(errors(ingress('{action: Allow, source: {notNets: [0.0.0.0/0]}}'))).toEqual([
      e(8, 40, 'spec.ingress[0].source.notNets[0]: catch-all CIDR in negation creates logical contradiction (matches no traffic)')
    ])
    expect(errors(ingress('{action: Allow, destination: {notNets: ["0:0::/0"]}}'))).toEqual([
      e(8, 45, 'spec.ingress[0].destination.notNets[0]: catch-all CIDR in negation creates logical contradiction (matches no traffic)')
    ])
  })
  it('services exclude selectors, nets and service accounts', () => {
    const m = (field: string, message: string): void =>
      expect(errors(egress(`{action: Allow, destination: {services: {name: s}, ${field}}}`))).toEqual([
        e(8, 45, `spec.egress[0].destination.services: ${message}`)
      ])
    m("selector: a == 'b'", 'cannot specify Selector/NotSelector and Services on the same rule')
    m('notSelector: has(a)', 'cannot specify Selector/NotSelector and Services on the same rule')
    m('namespaceSelector: all()', 'cannot specify NamespaceSelector and Services on the same rule')
    m('serviceAccounts: {}', 'cannot specify ServiceAccounts and Services on the same rule')
    m('nets: [10.0.0.0/8]', 'cannot specify Nets/NotNets and Services on the same rule')
    m('notNets: [10.0.0.0/8]', 'cannot specify Nets/NotNets and Services on the same rule')
    ok(egress("{action: Allow, destination: {services: {name: s}, selector: ''}}"))
  })
  it('a destination with services has no ports', () => {
    expect(errors(egress('{action: Allow, protocol: TCP, destination: {services: {name: s}, notPorts: [80]}}'))).toEqual([
      e(8, 60, 'spec.egress[0].destination.services: ports and notPorts cannot be specified with services')
    ])
    ok(ingress('{action: Allow, protocol: TCP, source: {services: {name: s}, ports: [80]}}'))
  })
  it('services only in an egress destination or an ingress source; a global policy names the namespace', () => {
    expect(errors(egress('{action: Allow, source: {services: {name: s}}}'))).toEqual([
      e(8, 40, 'spec.egress[0].source.services: not allowed in egress rule source')
    ])
    expect(errors(ingress('{action: Allow, destination: {services: {name: s}}}'))).toEqual([
      e(8, 45, 'spec.ingress[0].destination.services: not allowed in ingress rule destination')
    ])
    expect(errors(gEgress('{action: Allow, destination: {services: {name: s}}}'))).toEqual([
      e(8, 45, 'spec.egress[0].destination.services: must specify a namespace')
    ])
    ok(gIngress('{action: Allow, source: {services: {name: s, namespace: n}}}'))
  })
  it('http only on Allow rules, with TCP or no protocol, in ingress', () => {
    ok(ingress('{action: Allow, protocol: TCP, http: {methods: [GET]}}'))
    expect(errors(ingress('{action: Deny, protocol: UDP, http: {methods: [GET]}}'))).toEqual([
      e(8, 41, 'spec.ingress[0].http: HTTP match is only valid on Allow rules'),
      e(8, 41, 'spec.ingress[0].http: rules with HTTP match must have protocol TCP or unset')
    ])
    expect(errors(egress('{action: Allow, http: {methods: [GET]}}'))).toEqual([e(8, 27, 'spec.egress[0].http: not allowed in egress rule')])
  })
  it('global() only as a whole rule namespaceSelector', () => {
    ok(ingress('{action: Allow, source: {namespaceSelector: " global( ) "}}'))
    expect(errors(ingress("{action: Allow, source: {namespaceSelector: 'all() && !global()', selector: global()}}"))).toEqual([
      e(8, 81, 'spec.ingress[0].source.selector: global() can only be used in an EntityRule namespaceSelector'),
      e(8, 49, 'spec.ingress[0].source.namespaceSelector: global() cannot be combined with other selectors')
    ])
    expect(errors(gnp('  selector: global()\n  namespaceSelector: global()\n  serviceAccountSelector: global()\n'))).toEqual([
      e(7, 13, 'spec.selector: global() can only be used in an EntityRule namespaceSelector'),
      e(9, 27, 'spec.serviceAccountSelector: global() can only be used in an EntityRule namespaceSelector'),
      e(8, 22, 'spec.namespaceSelector: global() can only be used in an EntityRule namespaceSelector')
    ])
  })
  it('doNotTrack, preDNAT and applyOnForward', () => {
    ok(gnp('  doNotTrack: true\n  applyOnForward: true\n'))
    expect(errors(gnp('  doNotTrack: true\n  preDNAT: true\n  types: [Egress]\n  egress: [{action: Allow}]\n'))).toEqual([
      e(8, 12, 'spec.preDNAT: preDNAT and doNotTrack cannot both be true'),
      e(10, 11, 'spec.egress: preDNAT policy cannot have any egress rules'),
      e(9, 10, "spec.types: preDNAT policy cannot have 'Egress' type"),
      e(7, 3, 'spec.applyOnForward: applyOnForward must be true if either preDNAT or doNotTrack is true')
    ])
  })
  it('a staged Delete sets nothing but the tier', () => {
    ok(obj('StagedNetworkPolicy', '  stagedAction: Delete\n  tier: security\n'))
    expect(errors(obj('StagedGlobalNetworkPolicy', '  stagedAction: Delete\n  order: 1\n'))).toEqual([
      e(8, 10, 'spec.order: Spec fields, except Tier, should all be zero-value if stagedAction is Delete')
    ])
  })
  it('the built-in tiers have fixed orders and default actions', () => {
    const tier = (name: string, spec: string): string => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: ${name}\nspec:\n${spec}`
    ok(tier('default', '  order: 1000000\n'))
    ok(tier('kube-admin', '  order: 1000\n  defaultAction: Pass\n'))
    expect(errors(tier('kube-baseline', '  order: 1\n'))).toEqual([
      'p.yaml:6:10: error invalid-field: spec.order: kube-baseline tier order must be 10000000',
      "p.yaml:6:3: error invalid-field: spec.defaultAction: The 'kube-baseline' tier must have default action 'Pass'"
    ])
  })
})

// -------------------------------------------------------------------------------------
// corpus
// -------------------------------------------------------------------------------------

const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus', 'calico')

const corpusFiles = (): ReadonlyArray<string> => {
  const walk = (d: string): ReadonlyArray<string> =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((entry) => (entry.isDirectory() ? walk(path.join(d, entry.name)) : [path.join(d, entry.name)]))
  return walk(corpusDir).map((f) => path.relative(corpusDir, f))
}

/**
 * Corpus files with documents Calico itself would reject, and why (decode errors, then the
 * cross-field problems, rendered):
 *
 * - `seed-resources.yaml` and `high-connection-workloads` hold a HostEndpoint (and a BGPPeer):
 *   projectcalico.org/v3 kinds that are not policy resources, which these codecs do not model;
 * - docs pages whose YAML has prose where values belong: `icmp-ping` ("type: 8  Ping request"),
 *   `services-cluster-ips` blocks 1-2 (nets followed by "  Cluster IP A"), `protect-hosts`
 *   (placeholders "<your management CIDR>");
 * - `services-cluster-ips.block-3` lost its `ingress:` key, so its rules sit in `types`;
 * - `kubernetes-node-ports.block-1` writes `1.2.3.4/16` and `100.100.100.0/16`: host bits set,
 *   which the `net` validator on rule nets rejects (`validateIPNetwork`);
 * - `calico-labels` blocks 1 and 6 use a numeric port without a protocol (`validateRule`);
 * - object names and namespaces the API server refuses (`NameIsDNSSubdomain`,
 *   `ValidateNamespaceName` in k8s.io/apimachinery): IBM's analyzer test cases name policies with
 *   upper-case letters (`testcase5-denyFirst`), and docs pages use `<placeholder>` names;
 * - docs snippets that show only the metadata of a projectcalico.org/v3 policy, without the
 *   `spec` the projectcalico.org CRDs require (`calico-network-policy` blocks 1-2);
 * - IBM's `testcase24-b` is an analyzer test case that combines `global()` with `all()` in a rule
 *   namespaceSelector, which `validateEntityRule` rejects.
 */
const expectedErrors: Readonly<Record<string, ReadonlyArray<string>>> = {
  'ibm-network-config-analyzer/testcase10-local-networkpolicies-allow-default.yaml': [
    'ibm-network-config-analyzer/testcase10-local-networkpolicies-allow-default.yaml:15:9: error invalid-field: metadata.name: invalid name "testcase10-allowAll-default": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit'
  ],
  'ibm-network-config-analyzer/testcase11-denyFirstAlsoEgressDefaultAllow.yaml': [
    'ibm-network-config-analyzer/testcase11-denyFirstAlsoEgressDefaultAllow.yaml:4:9: error invalid-field: metadata.name: invalid name "testcase11-deny-denyFirstAlsoEgress-defaultAllow": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
    'ibm-network-config-analyzer/testcase11-denyFirstAlsoEgressDefaultAllow.yaml:23:9: error invalid-field: metadata.name: invalid name "testcase11-allow-denyFirstAlsoEgress-defaultAllow": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
    'ibm-network-config-analyzer/testcase11-denyFirstAlsoEgressDefaultAllow.yaml:41:9: error invalid-field: metadata.name: invalid name "testcase11-default-denyFirstAlsoEgress-defaultAllow": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit'
  ],
  'ibm-network-config-analyzer/testcase17-empty-globalNetworkpolicy.yaml': [
    'ibm-network-config-analyzer/testcase17-empty-globalNetworkpolicy.yaml:4:9: error invalid-field: metadata.name: invalid name "testcase17-empty-globalNetworkpolicy": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit'
  ],
  'ibm-network-config-analyzer/testcase21-Calico-allowSpecific-kube-system.yaml': [
    'ibm-network-config-analyzer/testcase21-Calico-allowSpecific-kube-system.yaml:5:9: error invalid-field: metadata.name: invalid name "testcase21-allow-allowFirst-defaultAllow": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit'
  ],
  'ibm-network-config-analyzer/testcase3-networkpolicy-firstAllowSuperSet.yaml': [
    'ibm-network-config-analyzer/testcase3-networkpolicy-firstAllowSuperSet.yaml:4:9: error invalid-field: metadata.name: invalid name "testcase3-networkpolicy-firstAllowSuperSet": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit'
  ],
  'ibm-network-config-analyzer/testcase5-denyFirst.yaml': [
    'ibm-network-config-analyzer/testcase5-denyFirst.yaml:4:9: error invalid-field: metadata.name: invalid name "testcase5-denyFirst": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit'
  ],
  'ibm-network-config-analyzer/testcase6-superAllow.yaml': [
    'ibm-network-config-analyzer/testcase6-superAllow.yaml:4:9: error invalid-field: metadata.name: invalid name "testcase6-superAllow": it must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit'
  ],
  'tigera-docs/calico-network-policy.block-1.yaml': [
    'tigera-docs/calico-network-policy.block-1.yaml:1:1: error invalid-field: spec: missing required field "spec": a projectcalico.org/v3 NetworkPolicy needs one (its CRD requires it); without it nothing says what the NetworkPolicy does'
  ],
  'tigera-docs/calico-network-policy.block-2.yaml': [
    'tigera-docs/calico-network-policy.block-2.yaml:1:1: error invalid-field: spec: missing required field "spec": a projectcalico.org/v3 GlobalNetworkPolicy needs one (its CRD requires it); without it nothing says what the GlobalNetworkPolicy does'
  ],
  'tigera-docs/create-ingress-gateway.block-2.yaml': [
    'tigera-docs/create-ingress-gateway.block-2.yaml:5:14: error invalid-field: metadata.namespace: invalid namespace "<gateway-namespace>": it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
  ],
  'tigera-docs/log-rules.block-1.yaml': [
    'tigera-docs/log-rules.block-1.yaml:4:11: error invalid-field: metadata.name: invalid name "<log-everything-in-cluster>": it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
  ],
  'tigera-docs/log-rules.block-2.yaml': [
    'tigera-docs/log-rules.block-2.yaml:5:14: error invalid-field: metadata.namespace: invalid namespace "<namespace>": it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
  ],
  'ibm-network-config-analyzer/testcase24-b.yaml': [
    'ibm-network-config-analyzer/testcase24-b.yaml:14:26: error invalid-field: spec.ingress[0].source.namespaceSelector: global() cannot be combined with other selectors',
    'ibm-network-config-analyzer/testcase24-b.yaml:18:26: error invalid-field: spec.egress[0].destination.namespaceSelector: global() cannot be combined with other selectors'
  ],
  'projectcalico-calico/seed-resources.yaml': [
    'projectcalico-calico/seed-resources.yaml:76:7: error invalid-field: kind: unsupported kind "HostEndpoint": expected one of NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier',
    'projectcalico-calico/seed-resources.yaml:112:7: error invalid-field: kind: unsupported kind "BGPPeer": expected one of NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier'
  ],
  'tigera-docs/calico-labels.block-1.yaml': [
    'tigera-docs/calico-labels.block-1.yaml:16:9: error invalid-field: spec.ingress[0].destination.ports[0]: rules with numeric port or port range must set protocol to TCP or UDP or SCTP'
  ],
  'tigera-docs/calico-labels.block-6.yaml': [
    'tigera-docs/calico-labels.block-6.yaml:15:9: error invalid-field: spec.ingress[0].destination.ports[0]: rules with numeric port or port range must set protocol to TCP or UDP or SCTP'
  ],
  'tigera-docs/high-connection-workloads.block-1.yaml': [
    'tigera-docs/high-connection-workloads.block-1.yaml:2:7: error invalid-field: kind: unsupported kind "HostEndpoint": expected one of NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier'
  ],
  'tigera-docs/icmp-ping.block-2.yaml': [
    'tigera-docs/icmp-ping.block-2.yaml:15:15: error invalid-field: spec.ingress[0].icmp.type: invalid ICMP type "8  Ping request": expected an integer from 0 to 254',
    'tigera-docs/icmp-ping.block-2.yaml:21:15: error invalid-field: spec.ingress[1].icmp.type: invalid ICMP type "128  Ping request": expected an integer from 0 to 254'
  ],
  'tigera-docs/icmp-ping.block-3.yaml': [
    'tigera-docs/icmp-ping.block-3.yaml:13:15: error invalid-field: spec.ingress[0].icmp.type: invalid ICMP type "3  Destination unreachable": expected an integer from 0 to 254',
    'tigera-docs/icmp-ping.block-3.yaml:14:15: error invalid-field: spec.ingress[0].icmp.code: invalid ICMP code "1  Host unreachable": expected an integer from 0 to 255'
  ],
  'tigera-docs/kubernetes-node-ports.block-1.yaml': [
    'tigera-docs/kubernetes-node-ports.block-1.yaml:12:16: error invalid-field: spec.ingress[0].source.nets[0]: invalid CIDR "1.2.3.4/16": host bits are set (Calico requires the network address: "1.2.0.0/16")',
    'tigera-docs/kubernetes-node-ports.block-1.yaml:12:28: error invalid-field: spec.ingress[0].source.nets[1]: invalid CIDR "100.100.100.0/16": host bits are set (Calico requires the network address: "100.100.0.0/16")'
  ],
  'tigera-docs/protect-hosts.block-1.yaml': [
    'tigera-docs/protect-hosts.block-1.yaml:13:13: error invalid-field: spec.ingress[0].source.nets[0]: invalid CIDR "<your management CIDR>": expected ADDRESS/PREFIX or an IP address; it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result',
    'tigera-docs/protect-hosts.block-1.yaml:27:13: error invalid-field: spec.egress[0].destination.nets[0]: invalid CIDR "<your etcd IP>/32": an IPv4 address has four dot-separated octets; it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
  ],
  'tigera-docs/services-cluster-ips.block-1.yaml': [
    'tigera-docs/services-cluster-ips.block-1.yaml:19:9: error invalid-field: spec.ingress[0].destination.nets[0]: invalid CIDR "10.20.30.40/32  Cluster IP A": prefix length must be 0-32',
    'tigera-docs/services-cluster-ips.block-1.yaml:27:9: error invalid-field: spec.ingress[1].destination.nets[0]: invalid CIDR "10.20.30.41/32  Cluster IP B": prefix length must be 0-32'
  ],
  'tigera-docs/services-cluster-ips.block-2.yaml': [
    'tigera-docs/services-cluster-ips.block-2.yaml:16:9: error invalid-field: spec.ingress[0].destination.nets[0]: invalid CIDR "192.168.0.0/16  Pod CIDR": prefix length must be 0-32'
  ],
  'tigera-docs/services-cluster-ips.block-3.yaml': [
    'tigera-docs/services-cluster-ips.block-3.yaml:10:5: error invalid-field: spec.types[1]: invalid policy type a mapping: expected one of Ingress, Egress',
    'tigera-docs/services-cluster-ips.block-3.yaml:16:5: error invalid-field: spec.types[2]: invalid policy type a mapping: expected one of Ingress, Egress'
  ]
}

describe('corpus: calico', () => {
  if (!fs.existsSync(corpusDir)) {
    it('the shared Calico corpus is not present beside the project: corpus checks did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; Calico codec corpus checks did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = corpusFiles()
  it('finds the corpus files', () => expect(files.length).toBe(106))
  it('every file with an expected failure is in the corpus', () => expect(Object.keys(expectedErrors).filter((f) => !files.includes(f))).toEqual([]))
  for (const file of files) {
    it(file, () => {
      const read = parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8'))
      expect(read.diagnostics.map(D.render)).toEqual([])
      const calico = read.docs.filter((doc) => {
        const v = doc.value
        return typeof v === 'object' && v !== null && 'apiVersion' in v && K.isCalicoApiVersion(v.apiVersion)
      })
      expect(calico.length).toBeGreaterThan(0)
      const found = calico.flatMap((doc) => {
        const r = decode(K.CalicoObject, doc, doc.value)
        return E.isLeft(r) ? r.left.map(D.render) : K.toDiagnostics(doc, K.objectProblems(r.right)).map(D.render)
      })
      expect(found).toEqual(expectedErrors[file] ?? [])
    })
  }
})
