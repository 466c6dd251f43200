import { describe, expect, it } from 'vitest'
import { k8s } from '../../dialects/k8s/index.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { toYaml } from '../../src/io/serialise.js'
import * as F from '../../src/ir/formula.js'
import type { Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'

const parse = (yaml: string): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<string> } => {
  const { docs, diagnostics } = parseText('np.yaml', yaml)
  expect(diagnostics).toEqual([])
  const outs = docs.map((d) => k8s.parse(d))
  return {
    set: { policies: outs.flatMap((o) => o.set.policies), tiers: [], networkSets: [] },
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

const np = (spec: string, ns = 'x'): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: ${ns}\nspec:\n${spec}`

const emitYaml = (set: PolicySet): { readonly yaml: string; readonly diagnostics: ReadonlyArray<string> } => {
  const out = k8s.emit(set, { inventory: undefined })
  return { yaml: toYaml(out.objects), diagnostics: out.diagnostics.map(D.render) }
}

describe('parse: API defaulting made explicit', () => {
  it('absent policyTypes means Ingress only when there are no egress rules', () => {
    const p = one(np('  podSelector: {}\n'))
    expect(p.ingress).toEqual({ defaultDeny: true, rules: [] })
    expect(p.egress).toBeUndefined()
  })
  it('absent policyTypes with egress rules means Ingress and Egress', () => {
    const p = one(np('  podSelector: {}\n  egress:\n  - {}\n'))
    expect(p.ingress?.rules).toEqual([])
    expect(p.egress?.rules.length).toBe(1)
  })
  it('an explicit empty egress list does not add Egress', () => {
    expect(one(np('  podSelector: {}\n  egress: []\n')).egress).toBeUndefined()
  })
  it('absent ports and absent or empty from match everything', () => {
    for (const rule of ['  - {}\n', '  - from: []\n', '  - ports: []\n']) {
      const r = one(np(`  podSelector: {}\n  ingress:\n${rule}`)).ingress?.rules[0]
      expect(r?.peer).toEqual(F.tt)
      expect(r?.ports).toEqual(P.all)
    }
  })
  it('a port without protocol is TCP; a protocol without port is every port of it', () => {
    const r = one(np('  podSelector: {}\n  ingress:\n  - ports:\n    - port: 80\n    - protocol: UDP\n')).ingress?.rules[0]
    expect(r?.ports).toEqual(P.union(P.port(P.TCP, 80), P.protocol(P.UDP)))
  })
  it('endPort makes a range; a named port keeps its protocol', () => {
    const r = one(np('  podSelector: {}\n  ingress:\n  - ports:\n    - port: 8000\n      endPort: 8080\n    - port: dns\n      protocol: UDP\n')).ingress?.rules[0]
    expect(r?.ports).toEqual(P.union(P.range(P.TCP, 8000, 8080), P.named('dns', P.UDP)))
  })
  it('a podSelector-only peer is pinned to the policy namespace; a namespaceSelector peer is not', () => {
    const r = one(
      np('  podSelector: {}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {app: a}\n    - namespaceSelector: {}\n')
    ).ingress?.rules[0]
    expect(r?.peer).toEqual(
      F.or(F.and(F.kind(['pod']), F.inNamespace(['x']), F.labelEquals('endpoint', 'app', 'a')), F.kind(['pod']))
    )
  })
  it('matchExpressions: NotIn and DoesNotExist are negations', () => {
    const p = one(
      np('  podSelector:\n    matchExpressions:\n    - {key: env, operator: NotIn, values: [prod]}\n    - {key: legacy, operator: DoesNotExist}\n')
    )
    expect(p.subject).toEqual(F.and(F.kind(['pod']), F.not(F.labelEquals('endpoint', 'env', 'prod')), F.not(F.exists('endpoint', 'legacy'))))
  })
  it('ipBlock except is subtracted', () => {
    const r = one(np('  podSelector: {}\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n        except: [10.1.0.0/16]\n')).egress?.rules[0]
    expect(F.show(r?.peer ?? F.ff)).toBe('ip in {10.0.0.0/8 except 10.1.0.0/16}')
  })
  it('rules of an ungoverned direction are reported, not kept', () => {
    const { set, diagnostics } = parse(np('  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n  - {}\n'))
    expect(set.policies[0]?.ingress).toBeUndefined()
    expect(diagnostics).toEqual([
      'np.yaml:10:3: warning ignored-rules: spec.ingress has rules but spec.policyTypes does not list Ingress, so they have no effect'
    ])
  })
})

describe('parse: validation with positions', () => {
  const errors = (yaml: string) => parse(yaml).diagnostics
  it('unknown operator', () =>
    expect(errors(np('  podSelector:\n    matchExpressions:\n    - {key: a, operator: Equals, values: [b]}\n'))).toEqual([
      'np.yaml:9:26: error invalid-field: spec.podSelector.matchExpressions[0].operator: invalid operator "Equals": expected one of In, NotIn, Exists, DoesNotExist'
    ]))
  it('In without values', () =>
    expect(errors(np('  podSelector:\n    matchExpressions:\n    - {key: a, operator: In}\n'))).toEqual([
      'np.yaml:9:7: error invalid-selector: operator In needs at least one value'
    ]))
  it('port out of range', () =>
    expect(errors(np('  podSelector: {}\n  ingress:\n  - ports:\n    - port: 70000\n'))).toEqual([
      'np.yaml:10:13: error invalid-field: spec.ingress[0].ports[0].port: invalid port 70000: expected a number from 1 to 65535 or a port name'
    ]))
  it('endPort below port', () =>
    expect(errors(np('  podSelector: {}\n  ingress:\n  - ports:\n    - port: 90\n      endPort: 80\n'))).toEqual([
      'np.yaml:11:16: error invalid-port: endPort 80 must not be less than port 90'
    ]))
  it('invalid CIDR and except outside cidr', () =>
    expect(errors(np('  podSelector: {}\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n        except: [11.0.0.0/16]\n'))).toEqual([
      'np.yaml:12:18: error invalid-cidr: except 11.0.0.0/16 must be strictly inside cidr 10.0.0.0/8'
    ]))
  it('ipBlock with a selector, and an empty peer', () =>
    expect(errors(np('  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n    - {}\n'))).toEqual([
      'np.yaml:10:7: error invalid-peer: ipBlock may not be combined with podSelector or namespaceSelector',
      'np.yaml:12:7: error invalid-peer: a peer must set podSelector, namespaceSelector or ipBlock'
    ]))
  it('unknown fields are errors', () =>
    expect(errors(np('  podSelector: {}\n  ingres: []\n'))).toEqual(['np.yaml:8:11: error invalid-field: spec.ingres: unknown field "ingres" in NetworkPolicySpec']))
  it('missing metadata.name', () =>
    expect(errors('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: x\nspec:\n  podSelector: {}\n')).toEqual([
      'np.yaml:4:3: error invalid-field: metadata.name: missing required field "name"'
    ]))
})

describe('emit', () => {
  it('round-trips a policy into its normal form', () => {
    const src = np(
      [
        '  podSelector:',
        '    matchLabels: {app: db}',
        '  ingress:',
        '  - from:',
        '    - podSelector: {matchLabels: {app: api}}',
        '    - namespaceSelector: {matchLabels: {team: ops}}',
        '      podSelector: {matchExpressions: [{key: role, operator: Exists}]}',
        '    ports:',
        '    - port: 5432',
        '  egress:',
        '  - to:',
        '    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}',
        ''
      ].join('\n')
    )
    const { yaml, diagnostics } = emitYaml(parse(src).set)
    expect(diagnostics).toEqual([])
    expect(yaml).toBe(
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: p',
        '  namespace: x',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app: db',
        '  policyTypes:',
        '  - Ingress',
        '  - Egress',
        '  ingress:',
        '  - from:',
        '    - podSelector:',
        '        matchLabels:',
        '          app: api',
        '    - podSelector:',
        '        matchExpressions:',
        '        - key: role',
        '          operator: Exists',
        '      namespaceSelector:',
        '        matchLabels:',
        '          team: ops',
        '    ports:',
        '    - protocol: TCP',
        '      port: 5432',
        '  egress:',
        '  - to:',
        '    - ipBlock:',
        '        cidr: 10.0.0.0/8',
        '        except:',
        '        - 10.1.0.0/16',
        ''
      ].join('\n')
    )
    // and the normal form is a fixed point
    expect(emitYaml(parse(yaml).set).yaml).toBe(yaml)
  })

  const policy = (rules: Policy['ingress']): PolicySet => ({
    policies: [{ ...one(np('  podSelector: {}\n')), ingress: rules }],
    tiers: [],
    networkSets: []
  })
  const rule = (over: Partial<Rule>): Rule => ({
    action: 'allow',
    peer: F.tt,
    ports: P.all,
    l7: undefined,
    location: { file: 'np.yaml', line: 1, col: 1 },
    ...over
  })

  it('a deny rule has no NetworkPolicy form: broader, with a comment', () => {
    const { yaml, diagnostics } = emitYaml(policy({ defaultDeny: true, rules: [rule({ action: 'deny' })] }))
    expect(diagnostics).toEqual([
      'np.yaml:1:1: warning unsupported-action: a NetworkPolicy has only allow rules; this deny rule is left out (compile ordered policies first)'
    ])
    expect(yaml).toContain('# netpolx: broader: ingress rule left out')
  })
  it('a string-prefix selector is narrower', () => {
    const peer = F.and(F.kind(['pod']), F.inNamespace(['x']), F.label('endpoint', 'app', { _tag: 'startsWith', value: 'web' }))
    const { diagnostics } = emitYaml(policy({ defaultDeny: true, rules: [rule({ peer })] }))
    expect(diagnostics).toEqual([
      `np.yaml:1:1: warning unsupported-selector: a Kubernetes label selector cannot test "app starts with 'web'" (no string-prefix, suffix or substring operators)`
    ])
  })
  it('ICMP is narrower; TCP part kept', () => {
    const ports = P.union(P.port(P.TCP, 80), P.icmp(P.ICMP, 8))
    const { yaml, diagnostics } = emitYaml(policy({ defaultDeny: true, rules: [rule({ ports })] }))
    expect(diagnostics.length).toBe(1)
    expect(diagnostics[0]).toContain('warning unsupported-protocol: a NetworkPolicy matches only TCP, UDP and SCTP')
    expect(yaml).toContain('port: 80')
  })
  it('a disjunctive subject becomes one policy per disjunct', () => {
    const base = one(np('  podSelector: {}\n'))
    const subject = F.and(F.kind(['pod']), F.or(F.labelEquals('endpoint', 'app', 'a'), F.labelEquals('endpoint', 'role', 'b')))
    const { yaml } = emitYaml({ policies: [{ ...base, subject }], tiers: [], networkSets: [] })
    expect(yaml.split('---').length).toBe(2)
    expect(yaml).toContain('name: p-2')
  })
  it('named port without protocol is written for TCP, UDP and SCTP', () => {
    const { yaml } = emitYaml(policy({ defaultDeny: true, rules: [rule({ ports: P.named('metrics') })] }))
    expect(yaml).toContain('    - protocol: TCP\n      port: metrics\n    - protocol: UDP\n      port: metrics\n    - protocol: SCTP\n      port: metrics\n')
  })
})
