/**
 * cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy codecs and Cilium's
 * validation beyond the shape, with diagnostics asserted as rendered text; then every Cilium
 * policy of the shared corpus.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as Cil from '../../dialects/cilium/codec.js'
import * as D from '../../src/diagnostics.js'
import { decode, pathText } from '../../src/io/decode.js'
import type { SourceDoc } from '../../src/io/source.js'
import { parseText } from '../../src/io/source.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type Flags = Omit<Cil.ValidateOptions, 'clusterwide'>

/** Decodes one document and validates it: every problem as a rendered diagnostic. */
const checkDoc = (doc: SourceDoc, flags: Flags = {}): ReadonlyArray<string> => {
  const r = decode(Cil.CiliumPolicy, doc, doc.value)
  if (E.isLeft(r)) return r.left.map(D.render)
  return Cil.validatePolicy(r.right, flags).map((p) => D.render(D.error('invalid-policy', `${pathText(p.path)}: ${p.message}`, doc.locate(p.path))))
}

const docsOf = (yaml: string): ReadonlyArray<SourceDoc> => {
  const { docs, diagnostics } = parseText('p.yaml', yaml)
  expect(diagnostics.map(D.render)).toEqual([])
  return docs
}

const errors = (yaml: string, flags: Flags = {}): ReadonlyArray<string> => docsOf(yaml).flatMap((d) => checkDoc(d, flags))

/** The decoded policy of a document that must decode and validate cleanly. */
const ok = (yaml: string): Cil.CiliumPolicy => {
  const [doc] = docsOf(yaml)
  if (doc === undefined) throw new Error('no document')
  expect(checkDoc(doc)).toEqual([])
  const r = Cil.CiliumPolicy.decode(doc.value)
  if (E.isLeft(r)) throw new Error('not decoded')
  return r.right
}

/** A CNP in namespace x; `spec` (indented by two) starts on line 7. */
const cnp = (spec: string): string => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: x\nspec:\n${spec}`

/** A CCNP; `spec` (indented by two) starts on line 6. */
const ccnp = (spec: string): string => `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: p\nspec:\n${spec}`

/** A CNP selecting app=a with one egress rule given as YAML lines (indented by four); the rule starts on line 10. */
const egress = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  egress:\n  - ${rule.trimStart()}`)
/** The same with one ingress rule (starting on line 10). */
const ingress = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  ingress:\n  - ${rule.trimStart()}`)
/** The same with one egressDeny rule (starting on line 10). */
const egressDeny = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  egressDeny:\n  - ${rule.trimStart()}`)
/** The same with one ingressDeny rule (starting on line 10). */
const ingressDeny = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  ingressDeny:\n  - ${rule.trimStart()}`)

const specOf = (p: Cil.CiliumPolicy): Cil.Rule => {
  if (p.spec === undefined) throw new Error('no spec')
  return p.spec
}

// -------------------------------------------------------------------------------------
// resources
// -------------------------------------------------------------------------------------

describe('resources', () => {
  it('a CNP decodes; selector keys keep their source prefixes', () => {
    const p = ok(
      cnp(
        '  endpointSelector:\n    matchLabels:\n      k8s:app: a\n      any:tier: web\n    matchExpressions:\n    - {key: reserved:host, operator: DoesNotExist}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {k8s:io.kubernetes.pod.namespace: y}\n'
      )
    )
    expect(p.kind).toBe('CiliumNetworkPolicy')
    expect(p.metadata).toEqual({ name: 'p', namespace: 'x' })
    expect(specOf(p).endpointSelector).toEqual({
      matchLabels: { 'k8s:app': 'a', 'any:tier': 'web' },
      matchExpressions: [{ key: 'reserved:host', operator: 'DoesNotExist' }]
    })
    expect(specOf(p).ingress).toEqual([{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y' } }] }])
  })

  it('a CCNP may have spec and specs, a nodeSelector, and a status (ignored)', () => {
    const p = ok(
      'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: host\n  uid: 123\n  resourceVersion: "9"\nspec:\n  nodeSelector: {}\n  ingress:\n  - fromEntities: [cluster]\nspecs:\n- endpointSelector: {}\n  egress:\n  - toEntities: [world]\nstatus:\n  conditions: []\n  derivativePolicies: {}\n'
    )
    expect(p.kind).toBe('CiliumClusterwideNetworkPolicy')
    expect(p.spec?.nodeSelector).toEqual({})
    expect(p.specs?.[0]?.egress).toEqual([{ toEntities: ['world'] }])
  })

  it('metadata needs a name; apiVersion and kind are fixed; unknown top-level fields are errors', () =>
    expect(
      errors(
        'apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata:\n  namespace: x\ndescription: top-level\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n'
      )
    ).toEqual([
      'p.yaml:1:13: error invalid-field: apiVersion: expected "cilium.io/v2", got "cilium.io/v1"',
      'p.yaml:4:3: error invalid-field: metadata.name: missing required field "name"',
      'p.yaml:5:14: error invalid-field: description: unknown field "description" in CiliumNetworkPolicy'
    ]))

  it('the kind chooses the codec', () =>
    expect(errors('apiVersion: cilium.io/v2\nkind: CiliumPolicy\nmetadata: {name: p}\nspec: {}\n')).toEqual([
      'p.yaml:2:7: error invalid-field: kind: expected "CiliumNetworkPolicy", got "CiliumPolicy"'
    ]))

  it('a policy without spec and specs is empty (ErrEmptyCNP); `specs: []` is not', () => {
    expect(errors('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\n')).toEqual([
      'p.yaml:1:1: error invalid-policy: : Invalid CiliumNetworkPolicy spec(s): empty policy'
    ])
    expect(errors('apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: p}\nspec: null\n')).toEqual([
      'p.yaml:1:1: error invalid-policy: : Invalid CiliumClusterwideNetworkPolicy spec(s): empty policy'
    ])
    expect(errors('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspecs: []\n')).toEqual([])
  })

  it('isCiliumPolicyDocument recognises the two kinds of cilium.io/v2 only', () => {
    expect(Cil.isCiliumPolicyDocument({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' })).toBe(true)
    expect(Cil.isCiliumPolicyDocument({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy' })).toBe(true)
    expect(Cil.isCiliumPolicyDocument({ apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup' })).toBe(false)
    expect(Cil.isCiliumPolicyDocument({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' })).toBe(false)
  })
})

// -------------------------------------------------------------------------------------
// rule fields
// -------------------------------------------------------------------------------------

describe('rule fields', () => {
  it('labels, description, log and enableDefaultDeny', () => {
    const r = specOf(
      ok(
        cnp(
          '  endpointSelector: {}\n  ingress: [{}]\n  labels:\n  - {key: team, value: a, source: k8s}\n  - {key: bare}\n  description: some text\n  log: {value: audit-1}\n  enableDefaultDeny: {ingress: false}\n'
        )
      )
    )
    expect(r.labels).toEqual([{ key: 'team', value: 'a', source: 'k8s' }, { key: 'bare' }])
    expect(r.description).toBe('some text')
    expect(r.log).toEqual({ value: 'audit-1' })
    expect(r.enableDefaultDeny).toEqual({ ingress: false })
  })

  it('bad labels, log and enableDefaultDeny values', () =>
    expect(
      errors(
        cnp(
          '  endpointSelector: {}\n  ingress: [{}]\n  labels:\n  - {value: a}\n  log: {value: "this log annotation is far too long"}\n  enableDefaultDeny: {ingress: "no", both: true}\n'
        )
      )
    ).toEqual([
      'p.yaml:10:5: error invalid-field: spec.labels[0].key: missing required field "key"',
      'p.yaml:11:16: error invalid-field: spec.log.value: invalid log value "this log annotation is far too long": must be at most 32 characters',
      'p.yaml:12:32: error invalid-field: spec.enableDefaultDeny.ingress: expected true or false, got "no"',
      'p.yaml:12:44: error invalid-field: spec.enableDefaultDeny.both: unknown field "both" in DefaultDenyConfig'
    ]))

  it('a log value must be printable', () =>
    expect(errors(cnp('  endpointSelector: {}\n  ingress: [{}]\n  log: {value: "a\\u0007b"}\n'))).toEqual([
      'p.yaml:9:16: error invalid-field: spec.log.value: invalid log value "a\\u0007b": must contain only printable characters'
    ]))

  it('matchLabels values follow the label value syntax; operators are checked', () =>
    expect(
      errors(cnp('  endpointSelector:\n    matchLabels: {app: "-bad"}\n    matchExpressions:\n    - {key: a, operator: Equals}\n  ingress: [{}]\n'))
    ).toEqual([
      'p.yaml:8:24: error invalid-field: spec.endpointSelector.matchLabels.app: invalid label value "-bad": must be empty or begin and end with a letter or digit and contain only letters, digits, \'-\', \'_\' and \'.\'',
      'p.yaml:10:26: error invalid-field: spec.endpointSelector.matchExpressions[0].operator: invalid operator "Equals": expected one of In, NotIn, Exists, DoesNotExist'
    ]))

  it('null-valued fields are absent', () =>
    expect(errors(cnp('  endpointSelector: {}\n  ingress:\n  egress: null\n'))).toEqual([
      'p.yaml:7:3: error invalid-policy: spec: rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny'
    ]))
})

// -------------------------------------------------------------------------------------
// peers
// -------------------------------------------------------------------------------------

describe('peers', () => {
  it('every peer kind decodes', () => {
    const r = specOf(
      ok(
        cnp(
          [
            '  endpointSelector: {}',
            '  ingress:',
            '  - fromCIDR: [10.0.0.0/8, 192.0.2.1, "2001:db8::/32"]',
            '  - fromCIDRSet:',
            '    - {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}',
            '    - {cidrGroupRef: my-group}',
            '    - cidrGroupSelector: {matchLabels: {env: prod}}',
            '  - fromEntities: [world, kube-apiserver, remote-node]',
            '  - fromGroups: [{aws: {securityGroupsIds: [sg-1]}}]',
            '  - fromNodes: [{matchLabels: {node-role: worker}}]',
            '  egress:',
            '  - toServices:',
            '    - k8sService: {serviceName: db, namespace: data}',
            '    - k8sServiceSelector: {selector: {matchLabels: {app: db}}}',
            '  - toFQDNs: [{matchName: api.example.com}, {matchPattern: "*.example.com"}]',
            '  - toGroups: [{aws: {labels: {a: b}, region: eu-west-1}}]',
            ''
          ].join('\n')
        )
      )
    )
    expect(r.ingress?.[0]?.fromCIDR).toEqual(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32'])
    expect(r.ingress?.[1]?.fromCIDRSet).toEqual([
      { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
      { cidrGroupRef: 'my-group' },
      { cidrGroupSelector: { matchLabels: { env: 'prod' } } }
    ])
    expect(r.ingress?.[2]?.fromEntities).toEqual(['world', 'kube-apiserver', 'remote-node'])
    expect(r.ingress?.[3]?.fromGroups).toEqual([{ aws: { securityGroupsIds: ['sg-1'] } }])
    expect(r.egress?.[0]?.toServices).toEqual([
      { k8sService: { serviceName: 'db', namespace: 'data' } },
      { k8sServiceSelector: { selector: { matchLabels: { app: 'db' } } } }
    ])
    expect(r.egress?.[1]?.toFQDNs).toEqual([{ matchName: 'api.example.com' }, { matchPattern: '*.example.com' }])
    expect(r.egress?.[2]?.toGroups).toEqual([{ aws: { labels: { a: 'b' }, region: 'eu-west-1' } }])
  })

  it('CIDRs: toCIDR takes a bare address, a CIDRRule needs a prefix', () =>
    expect(errors(egress('toCIDR: [10.0.0.0/33, 300.1.1.1]\n  - toCIDRSet: [{cidr: 10.0.0.1}]\n'))).toEqual([
      'p.yaml:10:14: error invalid-field: spec.egress[0].toCIDR[0]: invalid CIDR "10.0.0.0/33": prefix length must be 0-32',
      'p.yaml:10:27: error invalid-field: spec.egress[0].toCIDR[1]: invalid IP address "300.1.1.1": IPv4 octet "300" is out of range 0-255',
      'p.yaml:11:24: error invalid-field: spec.egress[1].toCIDRSet[0].cidr: invalid CIDR "10.0.0.1": expected ADDRESS/PREFIX'
    ]))

  it('entities are the CRD enum (world-ipv4 is not in it)', () =>
    expect(errors(egress('toEntities: [world-ipv4]\n'))).toEqual([
      'p.yaml:10:18: error invalid-field: spec.egress[0].toEntities[0]: invalid entity "world-ipv4": expected one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver'
    ]))

  it('services, FQDNs, groups and cidrGroupRef shapes', () =>
    expect(
      errors(
        egress(
          'toServices:\n    - k8sServiceSelector: {namespace: x}\n    - k8sService: {name: db}\n  - toFQDNs: [{matchName: "a b.com"}, {matchPattern: "*..com"}]\n  - toGroups: [sg-1]\n  - toCIDRSet: [{cidrGroupRef: My_Group}]\n'
        )
      )
    ).toEqual([
      'p.yaml:11:27: error invalid-field: spec.egress[0].toServices[0].k8sServiceSelector.selector: missing required field "selector"',
      'p.yaml:12:26: error invalid-field: spec.egress[0].toServices[1].k8sService.name: unknown field "name" in K8sServiceNamespace',
      'p.yaml:13:27: error invalid-field: spec.egress[1].toFQDNs[0].matchName: invalid matchName "a b.com": only letters, digits, \'-\', \'_\' and single \'.\' between labels are allowed',
      'p.yaml:13:54: error invalid-field: spec.egress[1].toFQDNs[1].matchPattern: invalid matchPattern "*..com": only letters, digits, \'-\', \'_\', \'*\' and single \'.\' between labels are allowed',
      'p.yaml:14:16: error invalid-field: spec.egress[2].toGroups[0]: expected Groups (a mapping), got "sg-1"',
      'p.yaml:15:32: error invalid-field: spec.egress[3].toCIDRSet[0].cidrGroupRef: invalid cidrGroupRef "My_Group": expected a lower-case DNS subdomain name (letters, digits, \'-\' and \'.\')'
    ]))

  it('a long matchName is rejected without catastrophic backtracking', () => {
    const name = `${'a'.repeat(200)}!`
    expect(errors(egress(`toFQDNs: [{matchName: "${name}"}]\n`))).toEqual([
      `p.yaml:10:27: error invalid-field: spec.egress[0].toFQDNs[0].matchName: invalid matchName "${name.slice(0, 57)}...": only letters, digits, '-', '_' and single '.' between labels are allowed`
    ])
  })

  it('fromRequires/toRequires are decoded, found by requiresPaths, and rejected', () => {
    const yaml = cnp(
      '  endpointSelector: {}\n  ingress:\n  - fromRequires: [{matchLabels: {env: prod}}]\n  egressDeny:\n  - toRequires: []\n  - toRequires: ["k8s:env=prod"]\n'
    )
    const [doc] = docsOf(yaml)
    const r = Cil.CiliumPolicy.decode(doc?.value)
    if (E.isLeft(r)) throw new Error('not decoded')
    expect(Cil.requiresPaths(specOf(r.right), ['spec'])).toEqual([
      ['spec', 'ingress', 0, 'fromRequires'],
      ['spec', 'egressDeny', 1, 'toRequires']
    ])
    expect(errors(yaml)).toEqual([
      'p.yaml:9:19: error invalid-policy: spec.ingress[0].fromRequires: fromRequires is not supported: it was deprecated in Cilium 1.17 and removed in 1.19 (the CRD allows no items)',
      'p.yaml:12:17: error invalid-policy: spec.egressDeny[1].toRequires: toRequires is not supported: it was deprecated in Cilium 1.17 and removed in 1.19 (the CRD allows no items)'
    ])
  })
})

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

describe('ports', () => {
  it('port is a string: names are lower-cased, numbers read as Go ParseUint(port, 0, 16) reads them', () => {
    const r = specOf(
      ok(
        ingress(
          'toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n      - {port: HTTP-Alt}\n      - {port: "010", protocol: UDP}\n      - {port: "1_000", endPort: 2000, protocol: SCTP}\n      - {port: "0", protocol: ANY}\n'
        )
      )
    )
    expect(r.ingress?.[0]?.toPorts?.[0]?.ports).toEqual([
      { port: '80', protocol: 'TCP' },
      { port: 'http-alt' },
      { port: '8', protocol: 'UDP' },
      { port: '1000', endPort: 2000, protocol: 'SCTP' },
      { port: '0', protocol: 'ANY' }
    ])
  })

  it('a YAML integer port is rejected, as the CRD (type: string) does', () =>
    expect(errors(ingress('toPorts:\n    - ports:\n      - port: 80\n'))).toEqual([
      'p.yaml:12:15: error invalid-field: spec.ingress[0].toPorts[0].ports[0].port: invalid port 80: Cilium\'s CRD declares port as a string (not int-or-string); quote it: "80"'
    ]))

  it('bad ports, protocols and endPorts', () =>
    expect(
      errors(
        ingress(
          'toPorts:\n    - ports:\n      - {port: "70000"}\n      - {port: "a-very-long-port-name"}\n      - {port: "089"}\n      - {port: ""}\n      - {port: "80", protocol: tcp}\n      - {port: "80", endPort: 65536}\n'
        )
      )
    ).toEqual([
      "p.yaml:12:16: error invalid-field: spec.ingress[0].toPorts[0].ports[0].port: invalid port \"70000\": expected a number from 0 to 65535 or a port name (1-15 letters, digits and '-', with at least one letter)",
      "p.yaml:13:16: error invalid-field: spec.ingress[0].toPorts[0].ports[1].port: invalid port \"a-very-long-port-name\": expected a number from 0 to 65535 or a port name (1-15 letters, digits and '-', with at least one letter)",
      "p.yaml:14:16: error invalid-field: spec.ingress[0].toPorts[0].ports[2].port: invalid port \"089\": expected a number from 0 to 65535 or a port name (1-15 letters, digits and '-', with at least one letter)",
      "p.yaml:15:16: error invalid-field: spec.ingress[0].toPorts[0].ports[3].port: invalid port \"\": expected a number from 0 to 65535 or a port name (1-15 letters, digits and '-', with at least one letter)",
      'p.yaml:16:32: error invalid-field: spec.ingress[0].toPorts[0].ports[4].protocol: invalid protocol "tcp": expected one of TCP, UDP, SCTP, VRRP, IGMP, ANY',
      'p.yaml:17:31: error invalid-field: spec.ingress[0].toPorts[0].ports[5].endPort: invalid endPort 65536: expected an integer from 0 to 65535'
    ]))

  it('parseGoUint16 follows strconv.ParseUint(s, 0, 16)', () => {
    expect(['0', '80', '65535', '010', '0x1_0', '0b11', '0o17', '1_000', '0_7'].map(Cil.parseGoUint16)).toEqual([0, 80, 65535, 8, 16, 3, 15, 1000, 7])
    expect(['', '65536', '08', '_1', '1_', '1__0', '0x', '+1', '-1', '1 '].map(Cil.parseGoUint16)).toEqual(Array(10).fill(undefined))
    expect(Cil.isServiceName('http')).toBe(true)
    expect(Cil.isServiceName('0x10')).toBe(true)
    expect(Cil.isServiceName('80')).toBe(false)
    expect(Cil.isServiceName('a--b')).toBe(false)
  })

  it('a port must be given, unless enable-extended-ip-protocols is on; VRRP/IGMP take only port 0', () => {
    const yaml = egress('toPorts:\n    - ports:\n      - {protocol: TCP}\n      - {protocol: VRRP}\n      - {port: "5", protocol: IGMP}\n      - {port: "0", protocol: VRRP}\n')
    expect(errors(yaml)).toEqual([
      'p.yaml:12:9: error invalid-policy: spec.egress[0].toPorts[0].ports[0]: port must be specified',
      'p.yaml:13:9: error invalid-policy: spec.egress[0].toPorts[0].ports[1]: port must be specified (a VRRP entry may omit it only with the agent flag enable-extended-ip-protocols)',
      'p.yaml:14:16: error invalid-policy: spec.egress[0].toPorts[0].ports[2].port: port must be empty or 0'
    ])
    expect(errors(yaml, { extendedIPProtocols: true })).toEqual([
      'p.yaml:14:16: error invalid-policy: spec.egress[0].toPorts[0].ports[2].port: port must be empty or 0'
    ])
  })

  it('at most 40 ports per PortRule (allow and deny)', () => {
    const ports = Array.from({ length: 41 }, (_, i) => `{port: "${1000 + i}"}`).join(', ')
    expect(errors(ingress(`toPorts:\n    - ports: [${ports}]\n`))).toEqual([
      'p.yaml:11:14: error invalid-policy: spec.ingress[0].toPorts[0].ports: too many ports, the max is 40'
    ])
    expect(errors(ingressDeny(`toPorts:\n    - ports: [${ports}]\n`))).toEqual([
      'p.yaml:11:14: error invalid-policy: spec.ingressDeny[0].toPorts[0].ports: too many ports, the max is 40'
    ])
  })

  it('TLS, SNI and listener fields', () => {
    const r = specOf(
      ok(
        egress(
          'toPorts:\n    - ports: [{port: "443", protocol: TCP}]\n      terminatingTLS: {secret: {name: s, namespace: n}, certificate: c}\n      originatingTLS: {secret: {name: ca}, trustedCA: t}\n      serverNames: ["*.example.com", "**.example.org"]\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: cec}, name: l, priority: 10}\n'
        )
      )
    )
    expect(r.egress?.[0]?.toPorts?.[0]?.serverNames).toEqual(['*.example.com', '**.example.org'])
    expect(r.egress?.[1]?.toPorts?.[0]?.listener).toEqual({ envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec' }, name: 'l', priority: 10 })
  })

  it('bad TLS, SNI and listener fields', () =>
    expect(
      errors(
        egress(
          'toPorts:\n    - ports: [{port: "443"}]\n      terminatingTLS: {certificate: c}\n      serverNames: []\n  - toPorts:\n    - serverNames: ["a..b"]\n      listener: {envoyConfig: {kind: Other, name: ""}, name: l, priority: 0}\n'
        )
      )
    ).toEqual([
      'p.yaml:12:23: error invalid-field: spec.egress[0].toPorts[0].terminatingTLS.secret: missing required field "secret"',
      'p.yaml:13:20: error invalid-field: spec.egress[0].toPorts[0].serverNames: serverNames must have at least 1 item',
      'p.yaml:15:21: error invalid-field: spec.egress[1].toPorts[0].serverNames[0]: invalid server name "a..b": expected a DNS name, optionally prefixed by \'*.\' or \'**.\'',
      'p.yaml:16:38: error invalid-field: spec.egress[1].toPorts[0].listener.envoyConfig.kind: invalid kind "Other": expected one of CiliumEnvoyConfig, CiliumClusterwideEnvoyConfig',
      'p.yaml:16:51: error invalid-field: spec.egress[1].toPorts[0].listener.envoyConfig.name: envoyConfig.name must not be empty',
      'p.yaml:16:75: error invalid-field: spec.egress[1].toPorts[0].listener.priority: invalid priority 0: expected an integer from 1 to 100'
    ]))

  it('a listener is egress-only and not with L7 rules; SNI with L7 needs TLS termination', () =>
    expect(
      errors(
        cnp(
          '  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      listener: {envoyConfig: {name: cec}, name: l}\n  egress:\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      listener: {envoyConfig: {name: cec}, name: l2}\n      serverNames: [example.com]\n      rules: {http: [{}]}\n'
        )
      )
    ).toEqual([
      'p.yaml:11:17: error invalid-policy: spec.ingress[0].toPorts[0].listener: Listener is not allowed on ingress (l)',
      'p.yaml:16:20: error invalid-policy: spec.egress[0].toPorts[0].serverNames: ServerNames are not allowed with L7 rules without TLS termination',
      'p.yaml:15:17: error invalid-policy: spec.egress[0].toPorts[0].listener: Listener is not allowed with L7 rules (l2)'
    ]))
})

// -------------------------------------------------------------------------------------
// L7
// -------------------------------------------------------------------------------------

describe('L7 rules', () => {
  it('http, kafka, dns and generic l7 decode', () => {
    const r = specOf(
      ok(
        cnp(
          [
            '  endpointSelector: {}',
            '  ingress:',
            '  - toPorts:',
            '    - ports: [{port: "80", protocol: TCP}]',
            '      rules:',
            '        http:',
            '        - {method: GET, path: "/api/.*", host: "example\\\\.com", headers: [X-Token]}',
            '        - headerMatches: [{name: X-Auth, secret: {name: s}, mismatch: REPLACE}, {name: X-A, value: b}]',
            '  - toPorts:',
            '    - ports: [{port: "9092", protocol: TCP}]',
            '      rules: {kafka: [{role: produce, topic: t}, {apiKey: fetch, apiVersion: "3", clientID: c}]}',
            '  - toPorts:',
            '    - ports: [{port: "6379", protocol: TCP}]',
            '      rules: {l7proto: r2d2, l7: [{cmd: READ, file: "/public/.*"}]}',
            '  egress:',
            '  - toPorts:',
            '    - ports: [{port: "53", protocol: ANY}]',
            '      rules: {dns: [{matchPattern: "*"}, {matchName: cilium.io}]}',
            ''
          ].join('\n')
        )
      )
    )
    expect(r.ingress?.[0]?.toPorts?.[0]?.rules?.http?.[1]).toEqual({
      headerMatches: [{ name: 'X-Auth', secret: { name: 's' }, mismatch: 'REPLACE' }, { name: 'X-A', value: 'b' }]
    })
    expect(r.ingress?.[1]?.toPorts?.[0]?.rules?.kafka).toEqual([
      { role: 'produce', topic: 't' },
      { apiKey: 'fetch', apiVersion: '3', clientID: 'c' }
    ])
    expect(r.ingress?.[2]?.toPorts?.[0]?.rules).toEqual({ l7proto: 'r2d2', l7: [{ cmd: 'READ', file: '/public/.*' }] })
    expect(r.egress?.[0]?.toPorts?.[0]?.rules?.dns).toEqual([{ matchPattern: '*' }, { matchName: 'cilium.io' }])
  })

  it('bad L7 shapes', () =>
    expect(
      errors(
        egress(
          'toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules:\n        http: [{headerMatches: [{value: v, mismatch: DROP}], verb: GET}]\n        kafka: [{role: admin}]\n        l7: [{k: 1}]\n'
        )
      )
    ).toEqual([
      'p.yaml:13:33: error invalid-field: spec.egress[0].toPorts[0].rules.http[0].headerMatches[0].name: missing required field "name"',
      'p.yaml:13:54: error invalid-field: spec.egress[0].toPorts[0].rules.http[0].headerMatches[0].mismatch: invalid mismatch action "DROP": expected one of LOG, ADD, DELETE, REPLACE',
      'p.yaml:13:68: error invalid-field: spec.egress[0].toPorts[0].rules.http[0].verb: unknown field "verb" in PortRuleHTTP',
      'p.yaml:14:24: error invalid-field: spec.egress[0].toPorts[0].rules.kafka[0].role: invalid Kafka role "admin": expected one of produce, consume',
      'p.yaml:15:18: error invalid-field: spec.egress[0].toPorts[0].rules.l7[0].k: expected a string value for l7 key "k", got 1'
    ]))

  it('exactly one L7 kind per PortRule; l7 needs l7proto', () =>
    expect(
      errors(
        egress(
          'toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules: {http: [{}], dns: [{matchName: a.com}]}\n    - ports: [{port: "81", protocol: TCP}]\n      rules: {}\n    - ports: [{port: "82", protocol: TCP}]\n      rules: {l7: [{a: b}]}\n'
        )
      )
    ).toEqual([
      'p.yaml:12:14: error invalid-policy: spec.egress[0].toPorts[0].rules: multiple L7 protocol rule types specified in single rule',
      'p.yaml:14:14: error invalid-policy: spec.egress[0].toPorts[1].rules: rules must set one of http, kafka, dns or l7proto',
      'p.yaml:16:14: error invalid-policy: spec.egress[0].toPorts[2].rules: \'l7\' may only be specified when a \'l7proto\' is also specified'
    ]))

  it('DNS rules: egress only, ports listed, no ranges; any protocol', () => {
    expect(errors(ingress('toPorts:\n    - ports: [{port: "53", protocol: UDP}]\n      rules: {dns: [{matchName: a.com}]}\n'))).toEqual([
      'p.yaml:12:20: error invalid-policy: spec.ingress[0].toPorts[0].rules.dns: L7 protocol DNS is not supported on ingress yet'
    ])
    expect(
      errors(
        egress(
          'toPorts:\n    - rules: {dns: [{matchName: a.com}]}\n    - ports: [{port: "53", endPort: 54, protocol: UDP}]\n      rules: {dns: [{matchPattern: "*"}]}\n    - ports: [{port: "53"}, {port: "dns", endPort: 60}]\n      rules: {dns: [{}, {matchName: a.com, matchPattern: "*.a.com"}]}\n'
        )
      )
    ).toEqual([
      'p.yaml:11:20: error invalid-policy: spec.egress[0].toPorts[0].rules.dns: port 53 must be specified for DNS rules',
      'p.yaml:12:37: error invalid-policy: spec.egress[0].toPorts[1].ports[0].endPort: DNS rules do not support port ranges',
      'p.yaml:15:21: error invalid-policy: spec.egress[0].toPorts[2].rules.dns[0]: one of matchName or matchPattern is required',
      'p.yaml:15:25: error invalid-policy: spec.egress[0].toPorts[2].rules.dns[1]: only one of MatchName or MatchPattern is allowed in an FQDNSelector'
    ])
  })

  it('non-DNS L7 needs protocol TCP on every port, and no port 0', () =>
    expect(
      errors(
        ingress(
          'toPorts:\n    - ports: [{port: "80"}, {port: "81", protocol: UDP}, {port: "0", protocol: TCP}, {port: http, protocol: TCP}]\n      rules: {http: [{path: /}]}\n'
        )
      )
    ).toEqual([
      'p.yaml:11:15: error invalid-policy: spec.ingress[0].toPorts[0].ports[0]: L7 rules can only apply to TCP (not ANY) except for DNS rules',
      'p.yaml:11:52: error invalid-policy: spec.ingress[0].toPorts[0].ports[1].protocol: L7 rules can only apply to TCP (not UDP) except for DNS rules',
      'p.yaml:11:65: error invalid-policy: spec.ingress[0].toPorts[0].ports[2].port: L7 rules can not be used when a port is 0'
    ]))

  it('an empty L7 list is no L7 at all (L7Rules.Len() is 0)', () =>
    expect(errors(ingress('toPorts:\n    - ports: [{port: "0"}]\n      rules: {http: []}\n'))).toEqual([]))

  it('kafka, generic l7 and header secret checks', () =>
    expect(
      errors(
        ingress(
          'toPorts:\n    - ports: [{port: "9092", protocol: TCP}]\n      rules: {kafka: [{role: consume, apiKey: fetch}, {apiKey: nope, apiVersion: "-1", topic: "a/b"}]}\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules: {l7proto: x, l7: [{"": v}]}\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules: {http: [{headerMatches: [{name: h, secret: {name: ""}}]}]}\n'
        )
      )
    ).toEqual([
      'p.yaml:12:23: error invalid-policy: spec.ingress[0].toPorts[0].rules.kafka[0]: cannot set both Role "consume" and APIKey "fetch" together',
      'p.yaml:12:64: error invalid-policy: spec.ingress[0].toPorts[0].rules.kafka[1].apiKey: invalid Kafka APIKey "nope"',
      'p.yaml:12:82: error invalid-policy: spec.ingress[0].toPorts[0].rules.kafka[1].apiVersion: invalid Kafka APIVersion "-1"',
      'p.yaml:12:95: error invalid-policy: spec.ingress[0].toPorts[0].rules.kafka[1].topic: invalid Kafka Topic name "a/b"',
      'p.yaml:15:32: error invalid-policy: spec.ingress[1].toPorts[0].rules.l7[0]: Empty key not allowed',
      'p.yaml:18:57: error invalid-policy: spec.ingress[2].toPorts[0].rules.http[0].headerMatches[0].secret: Secret name missing'
    ]))

  it('host policies: no L7 on ingress, only DNS on egress', () =>
    expect(
      errors(
        ccnp(
          '  nodeSelector: {}\n  ingress:\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules: {http: [{}]}\n  egress:\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules: {kafka: [{}]}\n  - toPorts:\n    - ports: [{port: "53", protocol: UDP}]\n      rules: {dns: [{matchPattern: "*"}]}\n'
        )
      )
    ).toEqual([
      'p.yaml:9:5: error invalid-policy: spec.ingress[0].toPorts: L7 policy is not supported on host ingress yet',
      'p.yaml:14:22: error invalid-policy: spec.egress[0].toPorts[0].rules.kafka: L7 protocol Kafka is not supported on host egress yet'
    ]))
})

// -------------------------------------------------------------------------------------
// ICMP and authentication
// -------------------------------------------------------------------------------------

describe('ICMP and authentication', () => {
  it('ICMP types: numbers, decimal strings and per-family names', () => {
    const r = specOf(
      ok(
        egress(
          'icmps:\n    - fields:\n      - {type: 8}\n      - {type: "0", family: IPv4}\n      - {type: EchoRequest, family: IPv6}\n      - {type: TimeExceeded}\n'
        )
      )
    )
    const fields = r.egress?.[0]?.icmps?.[0]?.fields ?? []
    expect(fields).toEqual([{ type: 8 }, { type: 0, family: 'IPv4' }, { type: 'EchoRequest', family: 'IPv6' }, { type: 'TimeExceeded' }])
    expect(fields.map(Cil.icmpTypeNumber)).toEqual([8, 0, 128, 11])
  })

  it('the ICMP type name table of icmp.go', () => {
    expect(Object.keys(Cil.icmpTypeNames.IPv4).length).toBe(14)
    expect(Object.keys(Cil.icmpTypeNames.IPv6).length).toBe(27)
    expect(Cil.icmpTypeNames.IPv4['Echo']).toBe(8)
    expect(Cil.icmpTypeNames.IPv4['EchoRequest']).toBe(8)
    expect(Cil.icmpTypeNames.IPv4['DestinationUnreachable']).toBe(3)
    expect(Cil.icmpTypeNames.IPv6['EchoRequest']).toBe(128)
    expect(Cil.icmpTypeNames.IPv6['NeighborSolicitation']).toBe(135)
    expect(Cil.icmpTypeNames.IPv6['DuplicateAddressConfirmationCodeSuffix']).toBe(158)
  })

  it('bad ICMP fields', () =>
    expect(
      errors(
        egress(
          'icmps:\n    - fields:\n      - {type: 256}\n      - {type: "08"}\n      - {type: Echo, family: IPv6}\n      - {type: Bogus}\n      - {type: ExtendedEchoReply}\n      - {family: ipv4, type: 3}\n      - {family: IPv4}\n'
        )
      )
    ).toEqual([
      'p.yaml:12:16: error invalid-field: spec.egress[0].icmps[0].fields[0].type: invalid ICMP type 256: expected an integer from 0 to 255 or an ICMP type name',
      'p.yaml:13:16: error invalid-field: spec.egress[0].icmps[0].fields[1].type: invalid ICMP type "08": expected an integer from 0 to 255 or an ICMP type name',
      'p.yaml:14:16: error invalid-field: spec.egress[0].icmps[0].fields[2].type: ICMP type Echo not found in IPv6',
      'p.yaml:15:16: error invalid-field: spec.egress[0].icmps[0].fields[3].type: ICMP type Bogus not found in IPv4',
      'p.yaml:16:16: error invalid-field: spec.egress[0].icmps[0].fields[4].type: ICMP type name ExtendedEchoReply is rejected by Cilium\'s CRD (its pattern misspells it "ExtendedEcho Reply"); use the number 43',
      'p.yaml:17:18: error invalid-field: spec.egress[0].icmps[0].fields[5].family: invalid family "ipv4": expected one of IPv4, IPv6',
      'p.yaml:18:9: error invalid-field: spec.egress[0].icmps[0].fields[6].type: missing required field "type"'
    ]))

  it('icmps and toPorts may not share a rule; at most 40 ICMP fields', () => {
    const fields = Array.from({ length: 41 }, (_, i) => `{type: ${i}}`).join(', ')
    expect(errors(ingress(`icmps: [{fields: [{type: 8}]}]\n    toPorts: [{ports: [{port: "80"}]}]\n  - icmps: [{fields: [${fields}]}]\n`))).toEqual([
      'p.yaml:10:12: error invalid-policy: spec.ingress[0].icmps: the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts',
      'p.yaml:12:22: error invalid-policy: spec.ingress[1].icmps[0].fields: too many types, the max is 40'
    ])
  })

  it('authentication modes', () => {
    expect(specOf(ok(ingress('fromEndpoints: [{}]\n    authentication: {mode: required}\n'))).ingress?.[0]?.authentication).toEqual({ mode: 'required' })
    expect(errors(ingress('fromEndpoints: [{}]\n    authentication: {mode: "null"}\n  - auth: {type: "null"}\n'))).toEqual([
      'p.yaml:11:28: error invalid-field: spec.ingress[0].authentication.mode: invalid authentication mode "null": expected one of disabled, required, test-always-fail',
      'p.yaml:12:11: error invalid-field: spec.ingress[1].auth: unknown field "auth" in IngressRule'
    ])
  })
})

// -------------------------------------------------------------------------------------
// deny rules
// -------------------------------------------------------------------------------------

describe('deny rules', () => {
  it('deny rules take peers, ports and ICMP', () => {
    const r = specOf(
      ok(
        cnp(
          '  endpointSelector: {}\n  ingressDeny:\n  - fromEntities: [world]\n    toPorts: [{ports: [{port: "22", protocol: TCP}]}]\n  egressDeny:\n  - toServices: [{k8sService: {serviceName: s}}]\n  - toCIDRSet: [{cidr: 0.0.0.0/0}]\n    icmps: [{fields: [{type: 8}]}]\n'
        )
      )
    )
    expect(r.ingressDeny?.[0]?.toPorts).toEqual([{ ports: [{ port: '22', protocol: 'TCP' }] }])
    expect(r.egressDeny?.[0]?.toServices).toEqual([{ k8sService: { serviceName: 's' } }])
  })

  it('no L7, TLS, FQDNs or authentication in deny rules', () => {
    expect(
      errors(
        egressDeny(
          'toFQDNs: [{matchName: a.com}]\n  - toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      rules: {http: [{}]}\n      serverNames: [a.com]\n  - authentication: {mode: required}\n'
        )
      )
    ).toEqual([
      'p.yaml:10:14: error invalid-field: spec.egressDeny[0].toFQDNs: unknown field "toFQDNs" in EgressDenyRule',
      'p.yaml:13:14: error invalid-field: spec.egressDeny[1].toPorts[0].rules: unknown field "rules" in PortDenyRule',
      'p.yaml:14:20: error invalid-field: spec.egressDeny[1].toPorts[0].serverNames: unknown field "serverNames" in PortDenyRule',
      'p.yaml:15:21: error invalid-field: spec.egressDeny[2].authentication: unknown field "authentication" in EgressDenyRule'
    ])
    expect(errors(ingressDeny('toPorts:\n    - ports: [{port: "80"}]\n      listener: {envoyConfig: {name: c}, name: l}\n'))).toEqual([
      'p.yaml:12:17: error invalid-field: spec.ingressDeny[0].toPorts[0].listener: unknown field "listener" in PortDenyRule'
    ])
  })
})

// -------------------------------------------------------------------------------------
// rule validation
// -------------------------------------------------------------------------------------

describe('validation', () => {
  it('exactly one of endpointSelector and nodeSelector', () => {
    expect(errors(cnp('  ingress: [{}]\n'))).toEqual(['p.yaml:7:3: error invalid-policy: spec: rule must have one of EndpointSelector or NodeSelector'])
    expect(errors(ccnp('  endpointSelector: {}\n  nodeSelector: {}\n  ingress: [{}]\n'))).toEqual([
      'p.yaml:7:17: error invalid-policy: spec.nodeSelector: rule cannot have both EndpointSelector and NodeSelector'
    ])
  })

  it('nodeSelector only in a CCNP', () => {
    expect(errors(cnp('  nodeSelector: {}\n  ingress: [{}]\n'))).toEqual(['p.yaml:7:17: error invalid-policy: spec.nodeSelector: rule cannot have NodeSelector'])
    expect(errors(ccnp('  nodeSelector: {matchLabels: {role: worker}}\n  ingress: [{}]\n'))).toEqual([])
    expect(Cil.validateRule({ nodeSelector: {}, ingress: [{}] }, { clusterwide: false })).toEqual([{ path: ['nodeSelector'], message: 'rule cannot have NodeSelector' }])
    expect(Cil.validateRule({ nodeSelector: {}, ingress: [{}] }, { clusterwide: true })).toEqual([])
  })

  it('a CNP may not select reserved:init; a CCNP may', () => {
    expect(errors(cnp('  endpointSelector:\n    matchLabels: {reserved:init: ""}\n  ingress: [{}]\n'))).toEqual([
      'p.yaml:8:5: error invalid-policy: spec.endpointSelector: CiliumNetworkPolicy incorrectly matches reserved:init label'
    ])
    expect(errors(ccnp('  endpointSelector:\n    matchLabels: {reserved:init: ""}\n  ingress: [{}]\n'))).toEqual([])
  })

  it('at least one non-empty list among ingress, ingressDeny, egress, egressDeny (1.18+)', () => {
    expect(errors(cnp('  endpointSelector: {}\n  ingress: []\n  egressDeny: []\n'))).toEqual([
      'p.yaml:7:3: error invalid-policy: spec: rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny'
    ])
    expect(errors(cnp('  endpointSelector: {}\n  ingress: []\n  egressDeny: [{}]\n'))).toEqual([])
  })

  it('selector operators need (or forbid) values', () =>
    expect(
      errors(egress('toEndpoints:\n    - matchExpressions: [{key: a, operator: In}, {key: b, operator: Exists, values: [x]}]\n  - toNodes: [{matchExpressions: [{key: n, operator: NotIn, values: []}]}]\n'))
    ).toEqual([
      'p.yaml:11:26: error invalid-policy: spec.egress[0].toEndpoints[0].matchExpressions[0]: invalid label selector: operator In needs at least one value',
      'p.yaml:11:50: error invalid-policy: spec.egress[0].toEndpoints[0].matchExpressions[1]: invalid label selector: operator Exists takes no values',
      'p.yaml:12:35: error invalid-policy: spec.egress[1].toNodes[0].matchExpressions[0]: invalid label selector: operator NotIn needs at least one value'
    ]))

  it('at most one peer kind per ingress rule, with Cilium\'s wording; empty lists do not count', () => {
    expect(errors(ingress('fromEndpoints: [{}]\n    fromCIDR: [10.0.0.0/8]\n    fromEntities: [world]\n'))).toEqual([
      'p.yaml:11:15: error invalid-policy: spec.ingress[0].fromCIDR: combining FromEndpoints and FromCIDR is not supported yet'
    ])
    expect(errors(ingress('fromNodes: [{}]\n    fromGroups: [{aws: {}}]\n'))).toEqual([
      'p.yaml:11:17: error invalid-policy: spec.ingress[0].fromGroups: combining FromNodes and FromGroups is not supported yet'
    ])
    expect(errors(ingress('fromEndpoints: [{}]\n    fromCIDR: []\n    fromCIDRSet: []\n'))).toEqual([])
  })

  it('at most one peer kind per egress rule, toFQDNs and toServices included; deny rules too', () => {
    expect(errors(egress('toFQDNs: [{matchName: a.com}]\n    toEndpoints: [{}]\n'))).toEqual([
      'p.yaml:10:14: error invalid-policy: spec.egress[0].toFQDNs: combining ToEndpoints and ToFQDNs is not supported yet'
    ])
    expect(errors(egress('toServices: [{k8sService: {serviceName: s}}]\n    toCIDRSet: [{cidr: 10.0.0.0/8}]\n    toPorts: [{ports: [{port: "80"}]}]\n'))).toEqual([
      'p.yaml:10:17: error invalid-policy: spec.egress[0].toServices: combining ToCIDRSet and ToServices is not supported yet'
    ])
    expect(errors(egressDeny('toEntities: [world]\n    toCIDR: [1.1.1.1]\n'))).toEqual([
      'p.yaml:10:17: error invalid-policy: spec.egressDeny[0].toEntities: combining ToCIDR and ToEntities is not supported yet'
    ])
    expect(errors(ingressDeny('fromCIDRSet: [{cidr: 10.0.0.0/8}]\n    fromEntities: [world]\n'))).toEqual([
      'p.yaml:11:19: error invalid-policy: spec.ingressDeny[0].fromEntities: combining FromCIDRSet and FromEntities is not supported yet'
    ])
  })

  // Cilium checks only that an except's address lies inside cidr (`prefix.Contains(except.Addr())`),
  // so the wider 10.0.0.0/7 passes; a cidrGroupRef's excepts are not checked at all.
  it('CIDRRule: one of cidr/cidrGroupRef/cidrGroupSelector; except addresses inside cidr, same family', () =>
    expect(
      errors(
        egress(
          'toCIDRSet:\n    - {except: [10.0.0.0/8]}\n    - {cidr: 10.0.0.0/8, cidrGroupRef: g}\n    - {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 11.0.0.0/16, "::/64", 10.0.0.0/7]}\n    - {cidrGroupRef: g, except: [1.0.0.0/8]}\n    - cidrGroupSelector: {matchExpressions: [{key: a, operator: In}]}\n'
        )
      )
    ).toEqual([
      'p.yaml:11:7: error invalid-policy: spec.egress[0].toCIDRSet[0]: one of cidr, cidrGroupRef, or cidrGroupSelector is required',
      'p.yaml:12:7: error invalid-policy: spec.egress[0].toCIDRSet[1]: more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set',
      'p.yaml:13:48: error invalid-policy: spec.egress[0].toCIDRSet[2].except[1]: allow CIDR prefix 10.0.0.0/8 does not contain exclude CIDR prefix 11.0.0.0/16',
      'p.yaml:13:61: error invalid-policy: spec.egress[0].toCIDRSet[2].except[2]: allow CIDR prefix 10.0.0.0/8 does not contain exclude CIDR prefix ::/64',
      'p.yaml:15:46: error invalid-policy: spec.egress[0].toCIDRSet[4].cidrGroupSelector.matchExpressions[0]: invalid label selector: operator In needs at least one value'
    ]))

  it('toFQDNs: exactly one of matchName and matchPattern', () =>
    expect(errors(egress('toFQDNs: [{}, {matchName: a.com, matchPattern: "*.a.com"}]\n'))).toEqual([
      'p.yaml:10:15: error invalid-policy: spec.egress[0].toFQDNs[0]: one of matchName or matchPattern is required',
      'p.yaml:10:19: error invalid-policy: spec.egress[0].toFQDNs[1]: only one of MatchName or MatchPattern is allowed in an FQDNSelector'
    ]))

  it('specs are validated one by one, with their own paths', () =>
    expect(
      errors(
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspecs:\n- endpointSelector: {}\n  ingress: [{}]\n- endpointSelector: {}\n  egress: [{toEntities: [world], toEndpoints: [{}]}]\n'
      )
    ).toEqual(['p.yaml:8:25: error invalid-policy: specs[1].egress[0].toEntities: combining ToEndpoints and ToEntities is not supported yet']))

  it('validateRule on a hand-built rule, with a base path', () =>
    expect(Cil.validateRule({ endpointSelector: {}, egress: [{ toCIDR: ['1.1.1.1'], toEntities: ['world'] }] }, { clusterwide: true }, ['specs', 2])).toEqual([
      { path: ['specs', 2, 'egress', 0, 'toEntities'], message: 'combining ToCIDR and ToEntities is not supported yet' }
    ]))
})

// -------------------------------------------------------------------------------------
// corpus
// -------------------------------------------------------------------------------------

const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus', 'cilium')

/**
 * Corpus files that Cilium itself rejects (or rejects under its default agent flags), with the
 * exact diagnostics:
 * - `isovalent-cilium-up-and-running/invalid-policy.yaml` is invalid on purpose (SOURCES.md):
 *   the book's chapter 12 example of a policy Cilium refuses, toEndpoints + toEntities in one rule;
 * - `cilium-cilium/requires.yaml` (examples/policies/l3/requires) uses fromRequires, removed in
 *   Cilium 1.19 (the CRD allows no items; Documentation/operations/upgrade.rst);
 * - `cilium-cilium/auth.yaml` (examples/policies/auth/auth.yaml, 2022) uses `auth: {type: "null"}`,
 *   renamed to `authentication: {mode: disabled}` before 1.14 (commit c717c77cfe, "crd: Rename auth
 *   field to authentication"); the example was never updated;
 * - `cilium-cilium/allow-extended-protocols.yaml` (examples/policies/host) has a VRRP entry without
 *   a port, valid only with the agent flag enable-extended-ip-protocols (default false).
 */
const expectedErrors: Readonly<Record<string, ReadonlyArray<string>>> = {
  'cilium-cilium/allow-extended-protocols.yaml': [
    'cilium-cilium/allow-extended-protocols.yaml:23:9: error invalid-policy: spec.egress[0].toPorts[0].ports[5]: port must be specified (a VRRP entry may omit it only with the agent flag enable-extended-ip-protocols)'
  ],
  'cilium-cilium/auth.yaml': ['cilium-cilium/auth.yaml:14:7: error invalid-field: spec.egress[0].auth: unknown field "auth" in EgressRule'],
  'cilium-cilium/requires.yaml': [
    'cilium-cilium/requires.yaml:12:7: error invalid-policy: specs[0].ingress[0].fromRequires: fromRequires is not supported: it was deprecated in Cilium 1.17 and removed in 1.19 (the CRD allows no items)'
  ],
  'isovalent-cilium-up-and-running/invalid-policy.yaml': [
    'isovalent-cilium-up-and-running/invalid-policy.yaml:14:9: error invalid-policy: spec.egress[0].toEntities: combining ToEndpoints and ToEntities is not supported yet'
  ]
}

const walk = (d: string): ReadonlyArray<string> =>
  fs
    .readdirSync(d, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))

describe('corpus: cilium', () => {
  if (!fs.existsSync(corpusDir)) {
    it('the shared corpus is not present beside the project: cilium corpus checks did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; cilium codec corpus checks did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = walk(corpusDir).map((f) => path.relative(corpusDir, f))
  const policyDocs = (file: string): ReadonlyArray<SourceDoc> =>
    parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8')).docs.filter((d) => Cil.isCiliumPolicyDocument(d.value))
  it('finds the corpus files', () => expect(files.length).toBe(140))
  it('lists only existing files as failing', () => expect(Object.keys(expectedErrors).filter((f) => !files.includes(f))).toEqual([]))
  for (const file of files) {
    it(file, () => {
      const read = parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8'))
      expect(read.diagnostics.map(D.render)).toEqual([])
      const docs = read.docs.filter((d) => Cil.isCiliumPolicyDocument(d.value))
      expect(docs.length).toBeGreaterThan(0)
      expect(docs.flatMap((d) => checkDoc(d))).toEqual(expectedErrors[file] ?? [])
    })
  }
  it('holds the 145 policy documents SOURCES.md counts', () => expect(files.reduce((n, f) => n + policyDocs(f).length, 0)).toBe(145))
})
