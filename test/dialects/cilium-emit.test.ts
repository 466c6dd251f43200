/**
 * IR → CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: expected objects for each construct,
 * the diagnostics (with fidelity) for what Cilium cannot say, and that every emitted object is one
 * Cilium accepts (the CRD shape and `validatePolicy`).
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { CiliumPolicy, validatePolicy } from '../../dialects/cilium/codec.js'
import { emit } from '../../dialects/cilium/emit.js'
import type { Emitted } from '../../dialects/dialect.js'
import { k8s } from '../../dialects/k8s/index.js'
import { parseDocs } from '../../src/pipeline.js'
import { cilium as ciliumModel } from '../../src/semantics/cilium.js'
import { equiv } from '../../src/semantics/equiv.js'
import type { Inventory } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { toYaml } from '../../src/io/serialise.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { DirectionRules, L7, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const loc = { file: 'in.yaml', line: 3, col: 5 }

const rule = (o: Partial<Rule> = {}): Rule => ({ action: 'allow', peer: F.tt, ports: P.all, l7: undefined, location: loc, ...o })

const deny = (rules: ReadonlyArray<Rule>): DirectionRules => ({ defaultDeny: true, rules })

const policy = (o: Partial<Policy> = {}): Policy => ({
  _tag: 'Policy',
  origin: { dialect: 'k8s', kind: 'NetworkPolicy', namespace: 'x', name: 'p', location: { file: 'in.yaml', line: 1, col: 1 }, labels: undefined, annotations: undefined },
  scope: { _tag: 'namespace', namespace: 'x' },
  ordering: undefined,
  subject: F.kind(['pod']),
  ingress: undefined,
  egress: undefined,
  ...o
})

const clusterPolicy = (o: Partial<Policy> = {}): Policy =>
  policy({ scope: { _tag: 'cluster' }, origin: { ...policy().origin, kind: 'GlobalNetworkPolicy', namespace: undefined, name: 'g' }, ...o })

const cidr = (s: string): C.CidrSet => {
  const r = C.parseCidr(s)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const ip = (s: string): C.Ip => {
  const r = C.parseIp(s)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const pods = F.kind(['pod'])
const podIn = (ns: string, labels: Readonly<Record<string, string>> = {}): F.Formula =>
  F.and(pods, F.inNamespace([ns]), ...Object.entries(labels).map(([k, v]) => F.labelEquals('endpoint', k, v)))

/** Cilium's verdict on an emitted object: decoded by the CRD codec, then `validatePolicy`. */
const rejection = (o: Emitted): ReadonlyArray<string> => {
  const decoded = CiliumPolicy.decode(o.object)
  if (E.isLeft(decoded)) return [`not a Cilium policy: ${JSON.stringify(o.object)}`]
  return validatePolicy(decoded.right).map((p) => `${p.path.join('.')}: ${p.message}`)
}

interface Out {
  readonly objects: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly emitted: ReadonlyArray<Emitted>
  /** `fidelity code` of every diagnostic */
  readonly findings: ReadonlyArray<string>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
  readonly yaml: string
}

const run = (policies: ReadonlyArray<Policy>, inventory?: Inventory, set: Partial<PolicySet> = {}): Out => {
  const out = emit({ policies, tiers: [], networkSets: [], ...set }, { inventory })
  for (const o of out.objects) expect(rejection(o)).toEqual([])
  return {
    objects: out.objects.map((o) => o.object),
    emitted: out.objects,
    findings: out.diagnostics.map((d) => `${d.fidelity ?? d.severity} ${d.code}`),
    diagnostics: out.diagnostics,
    yaml: toYaml(out.objects)
  }
}

/** The single rule of the single emitted object. */
const spec = (o: Out): Readonly<Record<string, unknown>> => {
  expect(o.objects.length).toBe(1)
  return (o.objects[0]?.['spec'] ?? {}) as Readonly<Record<string, unknown>>
}

const ingressOf = (r: Rule, extra: Partial<Policy> = {}): Out => run([policy({ ingress: deny([r]), ...extra })])
const egressOf = (r: Rule, extra: Partial<Policy> = {}): Out => run([policy({ egress: deny([r]), ...extra })])

const ns = (op: 'In' | 'NotIn' | 'Exists', values?: ReadonlyArray<string>) =>
  values === undefined ? { key: 'k8s:io.kubernetes.pod.namespace', operator: op } : { key: 'k8s:io.kubernetes.pod.namespace', operator: op, values }
const anyNamespace = { matchExpressions: [ns('Exists')] }

const inventory = (o: Partial<Inventory>): Inventory => ({ namespaces: [], pods: [], nodes: [], services: [], externals: [], ...o })

// -------------------------------------------------------------------------------------
// resources and subjects
// -------------------------------------------------------------------------------------

describe('resources and subjects', () => {
  it('a namespace-scoped policy is a CiliumNetworkPolicy in that namespace; the namespace is not written in the subject (Cilium injects it)', () => {
    const o = run([policy({ subject: F.and(pods, F.inNamespace(['x']), F.labelEquals('endpoint', 'app', 'web')), ingress: deny([]) })])
    expect(o.objects).toEqual([
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'p', namespace: 'x' },
        spec: { endpointSelector: { matchLabels: { 'k8s:app': 'web' } }, ingress: [{}] }
      }
    ])
    expect(o.findings).toEqual([])
  })

  it('a subject confined to another namespace selects nothing in scope and is left out (exact)', () => {
    const o = run([policy({ subject: F.and(pods, F.inNamespace(['y'])), ingress: deny([]) })])
    expect(o.objects).toEqual([])
    expect(o.findings).toEqual(['exact empty-subject'])
  })

  it('a cluster-scoped policy is a CiliumClusterwideNetworkPolicy whose subject names the pod namespace explicitly', () => {
    const o = run([
      clusterPolicy({ subject: pods, ingress: deny([]) }),
      clusterPolicy({ subject: F.and(pods, F.not(F.inNamespace(['kube-system']))), ingress: deny([]) })
    ])
    expect(o.objects.map((x) => x['kind'])).toEqual(['CiliumClusterwideNetworkPolicy', 'CiliumClusterwideNetworkPolicy'])
    expect(o.objects[0]?.['metadata']).toEqual({ name: 'g' })
    expect(o.objects[1]?.['metadata']).toEqual({ name: 'g-2' })
    expect((o.objects[0]?.['spec'] as Record<string, unknown>)['endpointSelector']).toEqual(anyNamespace)
    expect((o.objects[1]?.['spec'] as Record<string, unknown>)['endpointSelector']).toEqual({ matchExpressions: [ns('NotIn', ['kube-system'])] })
  })

  it('namespace labels and service accounts in a subject use the labels Cilium gives pods', () => {
    const o = run([
      clusterPolicy({
        subject: F.and(pods, F.labelEquals('namespace', 'team', 'a'), F.serviceAccount(['api']), F.not(F.exists('endpoint', 'canary'))),
        egress: deny([])
      })
    ])
    expect(spec(o)['endpointSelector']).toEqual({
      matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a', 'k8s:io.cilium.k8s.policy.serviceaccount': 'api' },
      matchExpressions: [{ key: 'k8s:canary', operator: 'DoesNotExist' }, ns('Exists')]
    })
  })

  it('a disjunctive subject becomes one rule per disjunct in specs, in a stable order', () => {
    const subject = F.and(pods, F.or(F.labelEquals('endpoint', 'app', 'b'), F.labelEquals('endpoint', 'app', 'a')))
    const o = run([policy({ subject, ingress: deny([rule({ peer: podIn('x'), ports: P.port(P.TCP, 80) })]) })])
    const specs = o.objects[0]?.['specs'] as ReadonlyArray<Record<string, unknown>>
    expect(o.objects[0]?.['spec']).toBeUndefined()
    expect(specs.map((s) => s['endpointSelector'])).toEqual([{ matchLabels: { 'k8s:app': 'a' } }, { matchLabels: { 'k8s:app': 'b' } }])
    expect(specs[0]?.['ingress']).toEqual(specs[1]?.['ingress'])
  })

  it('host subjects with node labels become a CCNP nodeSelector (host policy); pods and hosts together become two rules', () => {
    const subject = F.or(F.and(F.kind(['host']), F.labelEquals('node', 'role', 'edge')), F.and(pods, F.labelEquals('endpoint', 'app', 'a')))
    const o = run([clusterPolicy({ subject, ingress: deny([rule({ ports: P.port(P.TCP, 22) })]) })])
    const specs = o.objects[0]?.['specs'] as ReadonlyArray<Record<string, unknown>>
    expect(specs.map((s) => Object.keys(s)[0])).toEqual(['endpointSelector', 'nodeSelector'])
    expect(specs[1]?.['nodeSelector']).toEqual({ matchLabels: { role: 'edge' } })
    expect(o.findings).toEqual(['exact host-policy'])
  })

  it('a nodeSelector sees node labels through the identity-relevant filter: filtered keys are reported', () => {
    const subject = F.and(F.kind(['host']), F.labelEquals('node', 'kubernetes.io/hostname', 'n1'))
    const o = run([clusterPolicy({ subject, ingress: deny([]) })])
    expect(spec(o)['nodeSelector']).toEqual({ matchLabels: { 'kubernetes.io/hostname': 'n1' } })
    expect(o.findings).toEqual(['unsupported identity-irrelevant-label', 'exact host-policy'])
  })

  it('a namespaced policy cannot apply to host endpoints', () => {
    const o = run([policy({ subject: F.kind(['host']), ingress: deny([]) })])
    expect(o.objects).toEqual([])
    expect(o.findings).toEqual(['unsupported unsupported-subject'])
  })

  it('host endpoints selected by their own labels cannot be written (nodeSelector sees node labels only)', () => {
    const o = run([clusterPolicy({ subject: F.and(F.kind(['pod', 'host']), F.labelEquals('endpoint', 'app', 'a')), ingress: deny([]) })])
    expect(spec(o)['endpointSelector']).toEqual({ matchLabels: { 'k8s:app': 'a' }, matchExpressions: [ns('Exists')] })
    expect(o.findings).toEqual(['unsupported unsupported-host-selector'])
    expect(o.yaml).toContain('# netpolx: unsupported: a Cilium node selector matches node labels only')
  })

  it('with an inventory, an inexpressible host part that no host-network pod matches is dropped (exact-for-inventory)', () => {
    const subject = F.and(F.kind(['pod', 'host']), F.labelEquals('endpoint', 'color', 'red'))
    const hostPod = (labels: Readonly<Record<string, string>>) => ({
      namespace: 'kube-system',
      name: 'agent',
      labels,
      ip: undefined,
      ports: [],
      serviceAccount: 'default',
      node: 'n1',
      hostNetwork: true
    })
    const none = run([clusterPolicy({ subject, ingress: deny([]) })], inventory({ pods: [hostPod({ color: 'blue' })] }))
    expect(spec(none)['endpointSelector']).toEqual({ matchLabels: { 'k8s:color': 'red' }, matchExpressions: [ns('Exists')] })
    expect(none.findings).toEqual(['exact-for-inventory unsupported-host-selector'])
    expect(run([clusterPolicy({ subject, ingress: deny([]) })], inventory({ pods: [hostPod({ color: 'red' })] })).findings).toEqual(['unsupported unsupported-host-selector'])
  })

  it('reserved identities (health, ingress, init) are CCNP subjects by their reserved: label, without the pod namespace', () => {
    const o = run([clusterPolicy({ subject: F.and(pods, F.entity('health')), ingress: deny([rule({ peer: F.entity('remote-node') })]) })])
    expect(spec(o)).toEqual({ endpointSelector: { matchLabels: { 'reserved:health': '' } }, ingress: [{ fromEntities: ['remote-node'] }] })
    expect(o.findings).toEqual([])
    const cnp = run([policy({ subject: F.and(pods, F.entity('health')), ingress: deny([]) })])
    expect(cnp.objects).toEqual([])
    expect(cnp.findings).toEqual(['exact empty-subject'])
  })

  it('a string-prefix subject is unsupported without an inventory and expanded to observed values with one', () => {
    const subject = F.and(pods, F.label('endpoint', 'app', { _tag: 'startsWith', value: 'we' }))
    const without = run([policy({ subject, ingress: deny([]) })])
    expect(without.objects).toEqual([])
    expect(without.findings).toEqual(['unsupported unsupported-selector'])
    const inv = inventory({
      pods: ['web', 'west', 'db'].map((app, i) => ({
        namespace: 'x',
        name: `p${i}`,
        labels: { app },
        ip: undefined,
        ports: [],
        serviceAccount: 'default',
        node: undefined,
        hostNetwork: false
      }))
    })
    const withInv = run([policy({ subject, ingress: deny([]) })], inv)
    expect(spec(withInv)['endpointSelector']).toEqual({ matchExpressions: [{ key: 'k8s:app', operator: 'In', values: ['web', 'west'] }] })
    expect(withInv.findings).toEqual(['exact-for-inventory selector-expanded'])
  })

  it('subjects selected by address or entity are unsupported', () => {
    const o = run([policy({ subject: F.and(pods, F.ipIn(cidr('10.0.0.0/8'))), ingress: deny([]) })])
    expect(o.objects).toEqual([])
    expect(o.findings).toEqual(['unsupported unsupported-subject'])
  })

  it('pod labels Cilium leaves out of identities are reported', () => {
    const o = ingressOf(rule({ peer: podIn('x', { 'statefulset.kubernetes.io/pod-name': 'db-0' }) }))
    expect(o.findings).toEqual(['narrower identity-irrelevant-label'])
  })
})

// -------------------------------------------------------------------------------------
// peers
// -------------------------------------------------------------------------------------

describe('peers', () => {
  it('pod peers always carry their namespace: In, NotIn or Exists', () => {
    const peer = F.or(
      podIn('x', { app: 'a' }),
      F.and(pods, F.not(F.inNamespace(['kube-system', 'y']))),
      F.and(pods, F.inNamespace(['y', 'z'])),
      F.and(pods, F.labelEquals('endpoint', 'app', 'b'))
    )
    expect(spec(ingressOf(rule({ peer })))['ingress']).toEqual([
      {
        fromEndpoints: [
          { matchLabels: { 'k8s:app': 'a', 'k8s:io.kubernetes.pod.namespace': 'x' } },
          { matchLabels: { 'k8s:app': 'b' }, matchExpressions: [ns('Exists')] },
          { matchExpressions: [ns('In', ['y', 'z'])] },
          { matchExpressions: [ns('NotIn', ['kube-system', 'y'])] }
        ]
      }
    ])
  })

  it('namespace labels and service accounts use io.cilium.k8s.* keys', () => {
    const peer = F.and(pods, F.labelIn('namespace', 'env', ['dev', 'qa']), F.serviceAccount(['reader']))
    expect(spec(egressOf(rule({ peer })))['egress']).toEqual([
      {
        toEndpoints: [
          {
            matchLabels: { 'k8s:io.cilium.k8s.policy.serviceaccount': 'reader' },
            matchExpressions: [{ key: 'k8s:io.cilium.k8s.namespace.labels.env', operator: 'In', values: ['dev', 'qa'] }, ns('Exists')]
          }
        ]
      }
    ])
  })

  it('addresses become toCIDRSet with except (external addresses only); every address is the world entity', () => {
    const peer = F.ipIn(C.difference(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')))
    expect(spec(egressOf(rule({ peer })))['egress']).toEqual([{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }])
    expect(spec(egressOf(rule({ peer: F.ipIn(C.all) })))['egress']).toEqual([{ toEntities: ['world'] }])
    expect(spec(egressOf(rule({ peer: F.kind(['world']) })))['egress']).toEqual([{ toEntities: ['world'] }])
    expect(spec(egressOf(rule({ peer: F.and(F.kind(['world']), F.ipIn(cidr('192.0.2.0/24'))) })))['egress']).toEqual([{ toCIDRSet: [{ cidr: '192.0.2.0/24' }] }])
  })

  it('one peer kind per element: a mixed peer is split, each piece with the same ports', () => {
    const peer = F.or(podIn('x', { app: 'a' }), F.ipIn(cidr('192.0.2.0/24')), F.entity('kube-apiserver'))
    const toPorts = [{ ports: [{ port: '443', protocol: 'TCP' }] }]
    expect(spec(egressOf(rule({ peer, ports: P.port(P.TCP, 443) })))['egress']).toEqual([
      { toEndpoints: [{ matchLabels: { 'k8s:app': 'a', 'k8s:io.kubernetes.pod.namespace': 'x' } }], toPorts },
      { toEntities: ['kube-apiserver'], toPorts },
      { toCIDRSet: [{ cidr: '192.0.2.0/24' }], toPorts }
    ])
  })

  it('every peer: no peer field with ports, fromEntities [all] without', () => {
    expect(spec(ingressOf(rule({ ports: P.port(P.UDP, 53) })))['ingress']).toEqual([{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }])
    expect(spec(ingressOf(rule()))['ingress']).toEqual([{ fromEntities: ['all'] }])
  })

  it('a peer that matches nothing writes nothing; the direction stays default-deny', () => {
    expect(spec(ingressOf(rule({ peer: F.ff })))['ingress']).toEqual([{}])
  })

  it('hosts: all of them are the host and remote-node entities; node labels are fromNodes/toNodes', () => {
    expect(spec(ingressOf(rule({ peer: F.kind(['host']) })))['ingress']).toEqual([{ fromEntities: ['host', 'remote-node'] }])
    const o = ingressOf(rule({ peer: F.and(F.kind(['host']), F.labelEquals('node', 'role', 'edge')) }))
    expect(spec(o)['ingress']).toEqual([{ fromNodes: [{ matchLabels: { role: 'edge' } }] }])
    expect(o.findings).toEqual(['exact node-selector-labels'])
  })

  it('toNodes never matches the own node: reported, or decided by the inventory', () => {
    const peer = F.and(F.kind(['host']), F.labelEquals('node', 'role', 'edge'))
    expect(egressOf(rule({ peer })).findings).toEqual(['exact node-selector-labels', 'narrower own-node'])
    expect(run([policy({ ingress: deny([rule({ peer, action: 'deny' })]) })]).findings).toEqual(['exact node-selector-labels', 'broader own-node'])
    const node = (name: string, role: string) => ({ name, labels: { role }, ips: [] })
    const all = run([policy({ egress: deny([rule({ peer })]) })], inventory({ nodes: [node('n1', 'edge'), node('n2', 'edge')] }))
    expect(spec(all)['egress']).toEqual([{ toNodes: [{ matchLabels: { role: 'edge' } }] }, { toEntities: ['host'] }])
    expect(all.findings).toEqual(['exact node-selector-labels', 'exact-for-inventory own-node'])
    const some = run([policy({ egress: deny([rule({ peer })]) })], inventory({ nodes: [node('n1', 'edge'), node('n2', 'core')] }))
    expect(some.findings).toEqual(['exact node-selector-labels', 'narrower own-node'])
  })

  it('an address range combined with endpoint conditions cannot be written: narrower for allow, broader for deny, with a comment', () => {
    const peer = F.and(pods, F.ipIn(cidr('10.0.0.0/8')), F.labelEquals('endpoint', 'app', 'a'))
    const allow = ingressOf(rule({ peer }))
    expect(allow.findings).toEqual(['narrower unsupported-peer'])
    expect(spec(allow)['ingress']).toEqual([{}])
    expect(allow.yaml).toContain('# netpolx: narrower: rule left out: a Cilium rule cannot combine an address range with endpoint conditions')
    const denied = run([policy({ ingress: deny([rule({ peer, action: 'deny' }), rule({ peer: podIn('x') })]) })])
    expect(denied.findings).toEqual(['broader unsupported-peer'])
  })

  it('an address range excluding some pods is just the external addresses (ipIn never matches pods under the cilium model)', () => {
    const peer = F.and(F.ipIn(cidr('10.0.0.0/8')), F.not(F.labelEquals('endpoint', 'app', 'a')))
    const o = egressOf(rule({ peer }))
    expect(spec(o)['egress']).toEqual([{ toCIDRSet: [{ cidr: '10.0.0.0/8' }] }])
    expect(o.findings).toEqual([])
  })

  it('DNS names: toFQDNs on egress allow; reported on ingress and deny', () => {
    const peer = F.or(F.fqdn('name', 'api.example.com'), F.fqdn('pattern', '*.example.org'))
    expect(spec(egressOf(rule({ peer, ports: P.port(P.TCP, 443) })))['egress']).toEqual([
      { toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '*.example.org' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }
    ])
    // one finding per DNS name
    expect(ingressOf(rule({ peer })).findings).toEqual(['narrower unsupported-fqdn', 'narrower unsupported-fqdn'])
    expect(run([policy({ egress: deny([rule({ peer, action: 'deny' })]) })]).findings).toEqual(['broader unsupported-fqdn', 'broader unsupported-fqdn'])
  })

  it('Services: toServices by name or by label selector, namespace omitted for any namespace', () => {
    const peer = F.or(F.service('y', 'db'), F.service(undefined, undefined, F.labelEquals('endpoint', 'tier', 'cache')))
    expect(spec(egressOf(rule({ peer })))['egress']).toEqual([
      { toServices: [{ k8sService: { serviceName: 'db', namespace: 'y' } }, { k8sServiceSelector: { selector: { matchLabels: { tier: 'cache' } } } }] }
    ])
    expect(ingressOf(rule({ peer: F.service('y', 'db') })).findings).toEqual(['narrower unsupported-service'])
  })

  it('entities: Cilium names pass through; unknown ones and combinations are reported', () => {
    expect(spec(egressOf(rule({ peer: F.or(F.entity('cluster'), F.entity('world')) })))['egress']).toEqual([{ toEntities: ['cluster', 'world'] }])
    expect(egressOf(rule({ peer: F.entity('mesh') })).findings).toEqual(['narrower unsupported-entity'])
    expect(egressOf(rule({ peer: F.and(F.entity('host'), F.labelEquals('node', 'a', 'b')) })).findings).toEqual(['narrower unsupported-peer'])
  })

  it('entities that are kinds under the cilium model combine like kinds (world, world-ipv4/6, cluster)', () => {
    expect(spec(egressOf(rule({ peer: F.entity('world-ipv4') })))['egress']).toEqual([{ toCIDRSet: [{ cidr: '0.0.0.0/0' }] }])
    expect(spec(egressOf(rule({ peer: F.and(F.entity('world'), F.not(F.ipIn(cidr('10.0.0.0/8')))) })))['egress']).toEqual([
      { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, { cidr: '::/0' }] }
    ])
    const o = egressOf(rule({ peer: F.and(F.entity('cluster'), F.labelEquals('endpoint', 'app', 'a')) }))
    expect(spec(o)['egress']).toEqual([{ toEndpoints: [{ matchLabels: { 'k8s:app': 'a' }, matchExpressions: [ns('Exists')] }] }])
    expect(o.findings).toEqual(['narrower unsupported-host-selector'])
  })

  it('remote nodes by node labels (as the parser reads fromNodes) are exactly fromNodes/toNodes', () => {
    const remote = F.and(F.kind(['host']), F.entity('remote-node'))
    const o = run([policy({ egress: deny([rule({ peer: F.and(remote, F.labelEquals('node', 'role', 'edge')) })]), ingress: deny([rule({ peer: remote, action: 'deny' })]) })])
    expect(spec(o)['egress']).toEqual([{ toNodes: [{ matchLabels: { role: 'edge' } }] }])
    expect(spec(o)['ingressDeny']).toEqual([{ fromEntities: ['remote-node'] }])
    expect(o.findings).toEqual(['exact node-selector-labels'])
  })

  it('pods selected by their node labels cannot be written', () => {
    expect(ingressOf(rule({ peer: F.and(pods, F.labelEquals('node', 'zone', 'a')) })).findings).toEqual(['narrower unsupported-selector'])
  })
})

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

const portsOf = (ps: P.PortSet, action: 'allow' | 'deny' = 'allow'): Out => ingressOf(rule({ peer: podIn('x'), ports: ps, action }))

describe('ports', () => {
  const peer = { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x' } }] }

  it('ranges, whole protocols (port 0) and named ports, explicit protocols', () => {
    const ps = [P.range(P.TCP, 8000, 8080), P.port(P.TCP, 443), P.protocol(P.UDP), P.named('metrics', P.TCP), P.named('dns')].reduce(P.union)
    const o = portsOf(ps)
    expect(spec(o)['ingress']).toEqual([
      {
        ...peer,
        toPorts: [
          {
            ports: [
              { port: '443', protocol: 'TCP' },
              { port: '8000', endPort: 8080, protocol: 'TCP' },
              { port: '0', protocol: 'UDP' },
              { port: 'dns', protocol: 'ANY' },
              { port: 'metrics', protocol: 'TCP' }
            ]
          }
        ]
      }
    ])
    expect(o.findings).toEqual([])
  })

  it('at most 40 ports per PortRule', () => {
    const ps = Array.from({ length: 45 }, (_, i) => P.port(P.TCP, 1000 + 2 * i)).reduce(P.union)
    const toPorts = (spec(portsOf(ps))['ingress'] as ReadonlyArray<Record<string, ReadonlyArray<{ ports: ReadonlyArray<unknown> }>>>)[0]?.['toPorts']
    expect(toPorts?.map((p) => p.ports.length)).toEqual([40, 5])
  })

  it('ICMP types go to a separate element with icmps (they cannot share one with toPorts)', () => {
    const ps = [P.port(P.TCP, 80), P.icmp(P.ICMP, 8), P.icmp(P.ICMPV6, 128)].reduce(P.union)
    expect(spec(portsOf(ps))['ingress']).toEqual([
      { ...peer, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      { ...peer, icmps: [{ fields: [{ family: 'IPv4', type: 8 }, { family: 'IPv6', type: 128 }] }] }
    ])
  })

  it('all of ICMP is every type, 40 fields per ICMPRule', () => {
    const icmps = (spec(portsOf(P.protocol(P.ICMP)))['ingress'] as ReadonlyArray<Record<string, ReadonlyArray<{ fields: ReadonlyArray<unknown> }>>>)[0]?.['icmps']
    expect(icmps?.map((r) => r.fields.length)).toEqual([40, 40, 40, 40, 40, 40, 16])
  })

  it('ICMP codes: an allow leaves the type out (narrower), a deny takes it whole (narrower)', () => {
    const ps = P.union(P.icmp(P.ICMP, 3, 1), P.icmp(P.ICMP, 8))
    const allow = portsOf(ps)
    expect(spec(allow)['ingress']).toEqual([{ ...peer, icmps: [{ fields: [{ family: 'IPv4', type: 8 }] }] }])
    expect(allow.findings).toEqual(['narrower icmp-code'])
    const denied = portsOf(ps, 'deny')
    expect(spec(denied)['ingressDeny']).toEqual([{ ...peer, icmps: [{ fields: [{ family: 'IPv4', type: 3 }, { family: 'IPv4', type: 8 }] }] }])
    expect(denied.findings).toEqual(['narrower icmp-code'])
  })

  it("ICMP type 0: Cilium reads it as port 0, every type; an allow leaves it out, a deny covers the whole family", () => {
    const ps = P.union(P.icmp(P.ICMP, 0), P.icmp(P.ICMP, 8))
    const allow = portsOf(ps)
    expect(spec(allow)['ingress']).toEqual([{ ...peer, icmps: [{ fields: [{ family: 'IPv4', type: 8 }] }] }])
    expect(allow.findings).toEqual(['narrower icmp-type-0'])
    const denied = portsOf(ps, 'deny')
    expect(spec(denied)['ingressDeny']).toEqual([{ ...peer, icmps: [{ fields: [{ family: 'IPv4', type: 0 }] }] }])
    expect(denied.findings).toEqual(['narrower icmp-type-0'])
    expect(portsOf(P.protocol(P.ICMPV6)).findings).toEqual([])
  })

  it('every protocol is no L4 section; other IP protocols are reported', () => {
    expect(spec(portsOf(P.all))['ingress']).toEqual([peer])
    const o = portsOf(P.union(P.port(P.TCP, 80), P.protocol(47)))
    expect(spec(o)['ingress']).toEqual([{ ...peer, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }])
    expect(o.findings).toEqual(['narrower unsupported-protocol'])
    expect(portsOf(P.protocol(47), 'deny').findings).toEqual(['broader unsupported-protocol'])
  })

  it('everything but one port: TCP split around it, the other protocols written where Cilium can, the rest reported', () => {
    const ps = P.difference(P.all, P.port(P.TCP, 22))
    if (E.isLeft(ps)) throw new Error(ps.left)
    const o = portsOf(ps.right)
    const els = spec(o)['ingress'] as ReadonlyArray<Record<string, unknown>>
    expect(els[0]?.['toPorts']).toEqual([
      {
        ports: [
          { port: '1', endPort: 21, protocol: 'TCP' },
          { port: '23', endPort: 65535, protocol: 'TCP' },
          { port: '0', protocol: 'UDP' },
          { port: '0', protocol: 'SCTP' }
        ]
      }
    ])
    expect(o.findings).toEqual(['narrower unsupported-protocol'])
  })

  it('an empty port set matches nothing', () => {
    expect(spec(portsOf(P.empty))['ingress']).toEqual([{}])
  })
})

// -------------------------------------------------------------------------------------
// L7
// -------------------------------------------------------------------------------------

describe('L7', () => {
  const http: L7 = {
    _tag: 'http',
    rules: [
      { methods: ['GET', 'HEAD'], methodRegex: undefined, paths: [{ _tag: 'prefix', value: '/api/v1' }], host: undefined, headers: [] },
      { methods: [], methodRegex: 'POST|PUT', paths: [{ _tag: 'exact', value: '/a.b' }, { _tag: 'regex', value: '/x/[0-9]+' }], host: 'svc', headers: ['X-Token'] }
    ]
  }

  it('HTTP rules on explicit TCP ports', () => {
    const o = ingressOf(rule({ ports: P.port(P.TCP, 8080), l7: http }))
    expect(spec(o)['ingress']).toEqual([
      {
        toPorts: [
          {
            ports: [{ port: '8080', protocol: 'TCP' }],
            rules: {
              http: [
                { path: '/api/v1.*', method: 'GET' },
                { path: '/api/v1.*', method: 'HEAD' },
                { path: '/a\\.b', method: 'POST|PUT', host: 'svc', headers: ['X-Token'] },
                { path: '/x/[0-9]+', method: 'POST|PUT', host: 'svc', headers: ['X-Token'] }
              ]
            }
          }
        ]
      }
    ])
    expect(o.findings).toEqual([])
  })

  it('non-TCP ports keep no L7 (broader); L7 on every port cannot be written (broader)', () => {
    const o = ingressOf(rule({ ports: P.union(P.port(P.TCP, 80), P.port(P.UDP, 80)), l7: http }))
    const toPorts = (spec(o)['ingress'] as ReadonlyArray<Record<string, ReadonlyArray<Record<string, unknown>>>>)[0]?.['toPorts']
    expect(toPorts?.map((p) => [p['ports'], p['rules'] === undefined])).toEqual([
      [[{ port: '80', protocol: 'TCP' }], false],
      [[{ port: '80', protocol: 'UDP' }], true]
    ])
    expect(o.findings).toEqual(['broader l7-dropped'])
    const every = ingressOf(rule({ l7: http }))
    expect(spec(every)['ingress']).toEqual([{ fromEntities: ['all'] }])
    expect(every.findings).toEqual(['broader l7-dropped'])
    expect(ingressOf(rule({ ports: P.protocol(P.TCP), l7: http })).findings).toEqual(['broader l7-dropped'])
  })

  it('DNS rules on egress (TCP or UDP); not on ingress', () => {
    const dns: L7 = { _tag: 'dns', rules: [{ match: 'pattern', value: '*' }] }
    const o = egressOf(rule({ peer: podIn('kube-system', { 'k8s-app': 'kube-dns' }), ports: P.union(P.port(P.UDP, 53), P.port(P.TCP, 53)), l7: dns }))
    expect((spec(o)['egress'] as ReadonlyArray<Record<string, unknown>>)[0]?.['toPorts']).toEqual([
      {
        ports: [
          { port: '53', protocol: 'TCP' },
          { port: '53', protocol: 'UDP' }
        ],
        rules: { dns: [{ matchPattern: '*' }] }
      }
    ])
    expect(o.findings).toEqual([])
    expect(ingressOf(rule({ ports: P.port(P.UDP, 53), l7: dns })).findings).toEqual(['broader l7-dropped'])
  })

  it('DNS rules over the same port on TCP, UDP and SCTP are written with protocol ANY', () => {
    const dns: L7 = { _tag: 'dns', rules: [{ match: 'name', value: 'example.com' }] }
    const ps = [P.port(P.TCP, 53), P.port(P.UDP, 53), P.port(P.SCTP, 53)].reduce(P.union)
    const o = egressOf(rule({ ports: ps, l7: dns }))
    expect(spec(o)['egress']).toEqual([{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'example.com' }] } }] }])
    expect(o.findings).toEqual([])
  })

  it('Kafka and generic L7 rules', () => {
    const kafka = egressOf(rule({ ports: P.port(P.TCP, 9092), l7: { _tag: 'kafka', rules: [{ role: 'produce', topic: 'orders' }] } }))
    expect((spec(kafka)['egress'] as ReadonlyArray<Record<string, ReadonlyArray<Record<string, unknown>>>>)[0]?.['toPorts']?.[0]?.['rules']).toEqual({
      kafka: [{ role: 'produce', topic: 'orders' }]
    })
    const generic = ingressOf(rule({ ports: P.port(P.TCP, 6379), l7: { _tag: 'generic', protocol: 'r2d2', rules: [{ cmd: 'READ' }] } }))
    expect((spec(generic)['ingress'] as ReadonlyArray<Record<string, ReadonlyArray<Record<string, unknown>>>>)[0]?.['toPorts']?.[0]?.['rules']).toEqual({
      l7proto: 'r2d2',
      l7: [{ cmd: 'READ' }]
    })
  })

  it('deny rules have no L7: the deny covers every request (narrower)', () => {
    const o = run([policy({ ingress: deny([rule({ action: 'deny', ports: P.port(P.TCP, 80), l7: http })]) })])
    expect(spec(o)['ingressDeny']).toEqual([{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }])
    expect(o.findings).toEqual(['narrower l7-dropped'])
  })

  it('host policies: no L7 on ingress', () => {
    const o = run([clusterPolicy({ subject: F.kind(['host']), ingress: deny([rule({ ports: P.port(P.TCP, 80), l7: http })]) })])
    expect(o.findings).toEqual(['exact host-policy', 'broader l7-dropped'])
  })
})

// -------------------------------------------------------------------------------------
// directions
// -------------------------------------------------------------------------------------

describe('directions and default deny', () => {
  it('deny rules go to ingressDeny/egressDeny; log rules are dropped (exact)', () => {
    const o = run([
      policy({
        ingress: deny([rule({ action: 'log' }), rule({ action: 'deny', peer: podIn('y') }), rule({ peer: podIn('x') })]),
        egress: deny([rule({ action: 'deny', peer: F.ipIn(cidr('169.254.169.254/32')) })])
      })
    ])
    expect(spec(o)).toEqual({
      endpointSelector: {},
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x' } }] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'y' } }] }],
      egressDeny: [{ toCIDRSet: [{ cidr: '169.254.169.254/32' }] }]
    })
    expect(o.findings).toEqual(['exact log-dropped'])
  })

  it('defaultDeny false is enableDefaultDeny false', () => {
    const o = run([policy({ ingress: { defaultDeny: false, rules: [rule({ action: 'deny', peer: F.kind(['world']) })] } })])
    expect(spec(o)).toEqual({ endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }], enableDefaultDeny: { ingress: false } })
  })

  it('a direction without default deny and without rules changes nothing and is left out; a policy with nothing left is not written', () => {
    const o = run([policy({ ingress: { defaultDeny: false, rules: [rule({ action: 'log' })] }, egress: deny([]) })])
    expect(spec(o)).toEqual({ endpointSelector: {}, egress: [{}] })
    const empty = run([policy({ ingress: { defaultDeny: false, rules: [] } }), policy()])
    expect(empty.objects).toEqual([])
    expect(empty.findings).toEqual(['exact no-effect', 'exact empty-policy'])
  })
})

// -------------------------------------------------------------------------------------
// ordering
// -------------------------------------------------------------------------------------

describe('ordered policies', () => {
  it('Pass rules and order that matters are reported unsupported and left out', () => {
    const ordering = { tier: 'default', order: 100 }
    const a = policy({ ordering, ingress: deny([rule({ action: 'deny', peer: podIn('y') })]) })
    const b = policy({ ordering: { tier: 'default', order: 200 }, ingress: deny([rule()]) })
    const o = run([a, b])
    expect(o.objects).toEqual([])
    expect(o.findings).toEqual(['unsupported ordered-policy', 'unsupported ordered-policy'])
    expect(run([policy({ ingress: deny([rule({ action: 'pass' })]) })]).findings).toEqual(['unsupported ordered-policy'])
  })

  it('order among allow-only policies of one default-deny tier is their union, written as is', () => {
    const o = run([policy({ ordering: { tier: 'default', order: 100 }, ingress: deny([rule({ peer: podIn('x') })]) })])
    expect(o.objects.length).toBe(1)
    expect(o.findings).toEqual([])
  })
})

// -------------------------------------------------------------------------------------
// metadata, comments, determinism
// -------------------------------------------------------------------------------------

describe('metadata and output', () => {
  it('names are unique per kind and namespace, a real name is never taken by a generated one; labels and annotations are kept', () => {
    const origin = { ...policy().origin, labels: { team: 'a' }, annotations: { owner: 'me' } }
    const o = run([
      policy({ origin, ingress: deny([]) }),
      policy({ ingress: deny([]) }),
      policy({ ingress: deny([]), origin: { ...policy().origin, name: 'p-2' } }),
      policy({ ingress: deny([]), scope: { _tag: 'namespace', namespace: 'y' } })
    ])
    expect(o.objects.map((x) => x['metadata'])).toEqual([
      { name: 'p', namespace: 'x', labels: { team: 'a' }, annotations: { owner: 'me' } },
      { name: 'p-3', namespace: 'x' },
      { name: 'p-2', namespace: 'x' },
      { name: 'p', namespace: 'y' }
    ])
  })

  it('diagnostics carry the rule location and render with it', () => {
    const o = ingressOf(rule({ peer: F.and(pods, F.labelEquals('node', 'zone', 'a')) }))
    expect(o.diagnostics.map(D.render)).toEqual([
      'in.yaml:3:5: warning unsupported-selector: a Cilium endpoint selector cannot test "node:zone == \'a\'": pod identities carry no node labels'
    ])
  })

  it('comments sit at the approximated element', () => {
    const o = ingressOf(rule({ peer: podIn('x'), ports: P.union(P.port(P.TCP, 80), P.protocol(47)) }))
    expect(o.emitted[0]?.comments).toEqual([{ path: ['spec', 'ingress', 0], text: expect.stringContaining(' netpolx: narrower: a Cilium rule matches TCP, UDP, SCTP') }])
    expect(o.yaml).toMatch(/ingress:\n {2}# netpolx: narrower: a Cilium rule matches TCP, UDP, SCTP, ICMP and ICMPv6 \(or every protocol at once\); 47\/\* is not carried over\n {2}- fromEndpoints:/)
  })

  it('deterministic: the same meaning built in another order gives the same bytes', () => {
    const build = (flip: boolean): Out => {
      const peers = [podIn('x', { app: 'a' }), F.ipIn(cidr('192.0.2.0/24')), F.and(F.kind(['host']), F.labelEquals('node', 'r', 's'))]
      const ports = [P.port(P.TCP, 80), P.icmp(P.ICMP, 8), P.named('web', P.TCP)]
      return run([
        policy({
          subject: F.and(pods, F.or(...(flip ? ['b', 'a'] : ['a', 'b']).map((v) => F.labelEquals('endpoint', 'app', v)))),
          ingress: deny([rule({ peer: F.or(...(flip ? [...peers].reverse() : peers)), ports: (flip ? [...ports].reverse() : ports).reduce(P.union) })])
        })
      ])
    }
    const a = build(false)
    expect(build(true).yaml).toBe(a.yaml)
    expect(run([policy({ ingress: deny([rule({ peer: podIn('x') })]) })]).yaml).toBe(run([policy({ ingress: deny([rule({ peer: podIn('x') })]) })]).yaml)
  })
})

// -------------------------------------------------------------------------------------
// Kubernetes NetworkPolicy → Cilium, against Cilium's own reading (research/cilium.md §5)
// -------------------------------------------------------------------------------------

const fromK8s = (specYaml: string): Out => {
  const { docs, diagnostics } = parseText('np.yaml', `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\n  namespace: default\nspec:\n${specYaml}`)
  expect(diagnostics).toEqual([])
  const parsed = docs.map((d) => k8s.parse(d))
  expect(parsed.flatMap((p) => p.diagnostics).filter((d) => d.severity !== 'info')).toEqual([])
  return run(parsed.flatMap((p) => p.set.policies))
}

describe('Kubernetes NetworkPolicy as Cilium reads it (research/cilium.md §5)', () => {
  it('§5.1: a podSelector peer is pinned to the policy namespace; ports default to TCP', () => {
    const o = fromK8s('  podSelector: {matchLabels: {role: db}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {foo3: bar3, foo4: bar4}}\n    ports:\n    - port: 80\n')
    expect(spec(o)).toEqual({
      endpointSelector: { matchLabels: { 'k8s:role': 'db' } },
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { 'k8s:foo3': 'bar3', 'k8s:foo4': 'bar4', 'k8s:io.kubernetes.pod.namespace': 'default' } }],
          toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }]
        }
      ]
    })
  })

  it('§5.3: podSelector and namespaceSelector merge into one selector over namespace labels, no namespace name', () => {
    const o = fromK8s('  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {foo: bar}}\n      namespaceSelector: {matchLabels: {nsfoo: nsbar}}\n')
    expect(spec(o)['ingress']).toEqual([
      { fromEndpoints: [{ matchLabels: { 'k8s:foo': 'bar', 'k8s:io.cilium.k8s.namespace.labels.nsfoo': 'nsbar' }, matchExpressions: [ns('Exists')] }] }
    ])
  })

  it('§5.4/§5.12: policyTypes without rules is the allow-nothing element; the other direction stays open', () => {
    expect(spec(fromK8s('  podSelector: {}\n  policyTypes: [Ingress]\n'))).toEqual({ endpointSelector: {}, ingress: [{}] })
    expect(spec(fromK8s('  podSelector: {}\n  policyTypes: [Egress]\n'))).toEqual({ endpointSelector: {}, egress: [{}] })
  })

  it('§5.5/§5.2: an empty rule allows every identity; a ports-only rule every identity on those ports', () => {
    expect(spec(fromK8s('  podSelector: {}\n  ingress:\n  - {}\n'))['ingress']).toEqual([{ fromEntities: ['all'] }])
    expect(spec(fromK8s('  podSelector: {}\n  ingress:\n  - ports: [{}]\n'))['ingress']).toEqual([{ toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }])
  })

  it('§5.6: an empty namespaceSelector is every pod in every namespace', () => {
    expect(spec(fromK8s('  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n'))['ingress']).toEqual([{ fromEndpoints: [anyNamespace] }])
  })

  it('§5.7/§5.8: ipBlocks become CIDR rules with except, one peer kind per element', () => {
    const o = fromK8s(
      '  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.96.0.0/12]}\n    - podSelector: {}\n    ports:\n    - {port: 53, protocol: UDP}\n'
    )
    const toPorts = [{ ports: [{ port: '53', protocol: 'UDP' }] }]
    expect(spec(o)['egress']).toEqual([
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'default' } }], toPorts },
      { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }], toPorts }
    ])
  })

  it('§5.11: endPort is a port range', () => {
    const o = fromK8s('  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 8080, endPort: 8090}\n')
    expect(spec(o)['ingress']).toEqual([{ toPorts: [{ ports: [{ port: '8080', endPort: 8090, protocol: 'TCP' }] }] }])
  })
})

// -------------------------------------------------------------------------------------
// a larger mixed set: every object valid, same bytes twice
// -------------------------------------------------------------------------------------

describe('validity', () => {
  it('a set exercising every construct emits only objects Cilium accepts, deterministically', () => {
    const inv = inventory({
      nodes: [{ name: 'n1', labels: { role: 'edge' }, ips: [ip('192.168.0.1')] }],
      pods: [{ namespace: 'x', name: 'a', labels: { app: 'web' }, ip: ip('10.0.1.1'), ports: [], serviceAccount: 'default', node: 'n1', hostNetwork: false }]
    })
    const everything = F.or(
      podIn('x', { app: 'a' }),
      F.and(pods, F.label('endpoint', 'app', { _tag: 'contains', value: 'e' })),
      F.ipIn(C.difference(cidr('10.0.0.0/8'), cidr('10.0.0.0/24'))),
      F.and(F.kind(['host']), F.labelEquals('node', 'role', 'edge')),
      F.kind(['host']),
      F.entity('kube-apiserver'),
      F.fqdn('name', 'example.com'),
      F.service('y', 'db')
    )
    const ports = [P.range(P.TCP, 1, 100), P.protocol(P.UDP), P.icmp(P.ICMP), P.named('web'), P.range(P.SCTP, 5, 6)].reduce(P.union)
    const set: ReadonlyArray<Policy> = [
      policy({ ingress: deny([rule({ peer: everything, ports }), rule({ peer: everything, ports, action: 'deny' })]), egress: deny([rule({ peer: everything, ports })]) }),
      clusterPolicy({
        subject: F.or(F.kind(['host']), F.and(pods, F.inNamespace(['x', 'y']))),
        ingress: { defaultDeny: false, rules: [rule({ peer: everything, ports, action: 'deny' })] },
        egress: deny([rule({ peer: everything, ports: P.port(P.UDP, 53), l7: { _tag: 'dns', rules: [{ match: 'name', value: 'example.com' }] } })])
      })
    ]
    const a = run(set, inv)
    expect(a.objects.length).toBe(2)
    // elements share peers and ports in memory; the output must not turn that into YAML aliases
    expect(a.yaml).not.toMatch(/[&*]a\d/)
    expect(run(set, inv).yaml).toBe(a.yaml)
  })
})

// -------------------------------------------------------------------------------------
// meaning: what the cilium model says of the IR = what it says of the emitted objects, read back
// -------------------------------------------------------------------------------------

describe('round trip through the Cilium parser under the cilium model', () => {
  const pod = (namespace: string, name: string, labels: Readonly<Record<string, string>>, o: { ip: string; node: string; sa?: string; host?: boolean }) => ({
    namespace,
    name,
    labels,
    ip: ip(o.ip),
    ports: [
      { name: 'http', protocol: P.TCP, port: 8080 },
      { name: 'dns', protocol: P.UDP, port: 53 }
    ],
    serviceAccount: o.sa ?? 'default',
    node: o.node,
    hostNetwork: o.host ?? false
  })
  const inv = inventory({
    namespaces: [
      { name: 'x', labels: { 'kubernetes.io/metadata.name': 'x', team: 'red' } },
      { name: 'y', labels: { 'kubernetes.io/metadata.name': 'y', team: 'blue' } },
      { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } }
    ],
    nodes: [
      { name: 'n1', labels: { role: 'edge' }, ips: [ip('192.168.0.1')] },
      { name: 'n2', labels: { role: 'core' }, ips: [ip('192.168.0.2')] }
    ],
    pods: [
      pod('x', 'web', { app: 'web' }, { ip: '10.0.1.1', node: 'n1' }),
      pod('x', 'db', { app: 'db' }, { ip: '10.0.1.2', node: 'n2', sa: 'db' }),
      pod('y', 'a', { app: 'a' }, { ip: '10.0.2.1', node: 'n1', sa: 'bad' }),
      pod('y', 'b', { app: 'b', tier: 'api' }, { ip: '10.0.2.2', node: 'n2' }),
      pod('kube-system', 'dns', { 'k8s-app': 'kube-dns' }, { ip: '10.0.3.1', node: 'n2' }),
      pod('kube-system', 'agent-1', { app: 'agent' }, { ip: '192.168.0.1', node: 'n1', host: true }),
      pod('kube-system', 'agent-2', { app: 'agent' }, { ip: '192.168.0.2', node: 'n2', host: true })
    ],
    externals: [
      { text: '203.0.113.7', ip: ip('203.0.113.7') },
      { text: '198.51.100.20', ip: ip('198.51.100.20') }
    ]
  })
  const remoteEdge = F.and(F.kind(['host']), F.entity('remote-node'), F.labelEquals('node', 'role', 'edge'))
  const set: ReadonlyArray<Policy> = [
    policy({
      subject: F.and(pods, F.labelEquals('endpoint', 'app', 'web')),
      ingress: deny([
        rule({ peer: podIn('y', { app: 'a' }), ports: P.port(P.TCP, 8080) }),
        rule({ peer: F.and(pods, F.labelEquals('namespace', 'team', 'blue'), F.exists('endpoint', 'tier')), ports: P.named('http', P.TCP) }),
        rule({ peer: F.ipIn(C.difference(cidr('203.0.113.0/24'), cidr('203.0.113.128/25'))) }),
        rule({ peer: F.kind(['host']), ports: P.protocol(P.TCP) })
      ]),
      egress: deny([
        rule({ peer: F.and(pods, F.inNamespace(['kube-system']), F.labelEquals('endpoint', 'k8s-app', 'kube-dns')), ports: P.port(P.UDP, 53) }),
        rule({ peer: remoteEdge, ports: P.range(P.TCP, 8000, 9000) }),
        rule({ peer: F.kind(['world']), ports: P.port(P.TCP, 8080) }),
        rule({ action: 'deny', peer: F.ipIn(cidr('198.51.100.0/24')) })
      ])
    }),
    clusterPolicy({
      subject: F.and(pods, F.not(F.inNamespace(['kube-system']))),
      ingress: deny([
        rule({ action: 'deny', peer: F.and(pods, F.serviceAccount(['bad'])) }),
        rule({ peer: F.and(pods, F.inNamespace(['x', 'y'])) })
      ])
    }),
    clusterPolicy({
      subject: F.and(F.kind(['host']), F.labelEquals('node', 'role', 'core')),
      ingress: deny([rule({ peer: F.and(pods, F.inNamespace(['x'])), ports: P.port(P.TCP, 22) })])
    }),
    policy({
      scope: { _tag: 'namespace', namespace: 'y' },
      origin: { ...policy().origin, namespace: 'y', name: 'open' },
      subject: pods,
      egress: { defaultDeny: false, rules: [rule({ action: 'deny', peer: podIn('x', { app: 'db' }), ports: P.named('http') })] }
    })
  ]

  it('the emitted objects, parsed back, allow exactly what the IR allows', () => {
    const out = run(set, inv)
    expect(out.diagnostics.filter((d) => !D.isFaithful(d.fidelity ?? 'exact'))).toEqual([])
    const { docs, diagnostics } = parseText('out.yaml', out.yaml)
    expect(diagnostics).toEqual([])
    const parsed = parseDocs(docs)
    // the parser's only warning: toNodes needs an agent flag (the emitter notes it too)
    expect(parsed.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code)).toEqual(['node-selector-labels'])
    const e = equiv({ set: { policies: set, tiers: [], networkSets: [] }, model: ciliumModel }, { set: parsed.set, model: ciliumModel }, inv)
    expect(e.differences.map((d) => `${d.from} -> ${d.to} ${P.protocolName(d.probe.protocol)}/${d.probe.port}: ir ${d.left}, emitted ${d.right}`)).toEqual([])
    expect(e.equivalent).toBe(true)
    // not vacuous: the policies change what the cluster allows
    expect(equiv({ set: { policies: set, tiers: [], networkSets: [] }, model: ciliumModel }, { set: { policies: [], tiers: [], networkSets: [] }, model: ciliumModel }, inv).total).toBeGreaterThan(10)
  })

  it('the comparison notices a changed meaning', () => {
    const yaml = run(set, inv).yaml
    expect(yaml).toContain('port: "22"')
    const { docs } = parseText('out.yaml', yaml.replace('port: "22"', 'port: "23"'))
    const parsed = parseDocs(docs)
    const e = equiv({ set: { policies: set, tiers: [], networkSets: [] }, model: ciliumModel }, { set: parsed.set, model: ciliumModel }, inv)
    expect(e.equivalent).toBe(false)
  })
})
