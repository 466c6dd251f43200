/**
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy → IR: one case per rule of
 * research/cilium.md §1.10 and §2 (and the parts of §1, §3, §4 that change meaning), asserting the
 * IR produced, and the rendered diagnostics of what is lossy or invalid.
 */
import { describe, expect, it } from 'vitest'
import { cilium } from '../../dialects/cilium/index.js'
import { isIdentityIrrelevant, parseKey } from '../../dialects/cilium/labels.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { DirectionRules, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const parse = (yaml: string): { readonly set: PolicySet; readonly diagnostics: ReadonlyArray<string> } => {
  const { docs, diagnostics } = parseText('p.yaml', yaml)
  expect(diagnostics.map(D.render)).toEqual([])
  const outs = docs.map((d) => cilium.parse(d, { docs }))
  return {
    set: { policies: outs.flatMap((o) => o.set.policies), tiers: [], networkSets: [] },
    diagnostics: outs.flatMap((o) => o.diagnostics).map(D.render)
  }
}

/** The only policy of a document that parses without errors, and its diagnostics. */
const parsed = (yaml: string): { readonly policy: Policy; readonly diagnostics: ReadonlyArray<string> } => {
  const { set, diagnostics } = parse(yaml)
  expect(diagnostics.filter((d) => d.includes(' error '))).toEqual([])
  expect(set.policies.length).toBe(1)
  const policy = set.policies[0]
  if (policy === undefined) throw new Error('no policy')
  return { policy, diagnostics }
}
const one = (yaml: string): Policy => parsed(yaml).policy

/** The diagnostics of a document, as values. */
const rawDiagnostics = (yaml: string): ReadonlyArray<D.Diagnostic> => parseText('p.yaml', yaml).docs.flatMap((d) => cilium.parse(d).diagnostics)

/** A CNP in namespace x; `spec` (indented by two) starts on line 7. */
const cnp = (spec: string): string => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: x\nspec:\n${spec}`
/** A CCNP; `spec` (indented by two) starts on line 6. */
const ccnp = (spec: string): string => `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: c\nspec:\n${spec}`

/** A CNP selecting app=a with one ingress element written at line 10 (`  - ` + rule). */
const ingress = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  ingress:\n  - ${rule.trimStart()}`)
const egress = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  egress:\n  - ${rule.trimStart()}`)
const ingressDeny = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  ingressDeny:\n  - ${rule.trimStart()}`)
const egressDeny = (rule: string): string => cnp(`  endpointSelector:\n    matchLabels: {app: a}\n  egressDeny:\n  - ${rule.trimStart()}`)
/** The same elements in a CCNP (the element at line 9). */
const ccnpIngress = (rule: string): string => ccnp(`  endpointSelector:\n    matchLabels: {app: a}\n  ingress:\n  - ${rule.trimStart()}`)

const dir = (p: Policy, d: 'ingress' | 'egress'): DirectionRules => {
  const r = d === 'ingress' ? p.ingress : p.egress
  if (r === undefined) throw new Error(`no ${d}`)
  return r
}
const rules = (p: Policy, d: 'ingress' | 'egress' = 'ingress'): ReadonlyArray<Rule> => dir(p, d).rules
const rule = (p: Policy, d: 'ingress' | 'egress' = 'ingress', i = 0): Rule => {
  const r = rules(p, d)[i]
  if (r === undefined) throw new Error(`no ${d} rule ${i}`)
  return r
}

/** Structural equality of formulas, shown readably when it fails. */
const eqF = (actual: F.Formula, expected: F.Formula): void => {
  expect(F.show(actual)).toBe(F.show(expected))
  expect(F.key(actual)).toBe(F.key(expected))
}
const eqP = (actual: P.PortSet, expected: P.PortSet): void => {
  expect(P.show(actual)).toBe(P.show(expected))
  expect(P.equals(actual, expected)).toBe(true)
}

const cidr = (s: string): C.CidrSet => {
  const r = C.parseIpOrCidr(s)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

const pod = F.kind(['pod'])
const inX = F.and(pod, F.inNamespace(['x']))
const app = (v: string): F.Formula => F.labelEquals('endpoint', 'app', v)
const anyProto = (port: number): P.PortSet => [P.TCP, P.UDP, P.SCTP].map((n) => P.port(n, port)).reduce(P.union, P.empty)

// -------------------------------------------------------------------------------------
// policies
// -------------------------------------------------------------------------------------

describe('policies', () => {
  it('a CNP is one namespaced, unordered policy whose subject is pods matching endpointSelector', () => {
    const p = one(cnp('  endpointSelector:\n    matchLabels: {app: a}\n  ingress:\n  - fromEntities: [world]\n'))
    expect(p.scope).toEqual({ _tag: 'namespace', namespace: 'x' })
    expect(p.ordering).toBeUndefined()
    expect(p.origin.dialect).toBe('cilium')
    expect(p.origin.kind).toBe('CiliumNetworkPolicy')
    expect(p.origin.namespace).toBe('x')
    expect(p.origin.name).toBe('p')
    expect([p.origin.location?.line, p.origin.location?.col]).toEqual([7, 3])
    eqF(p.subject, F.and(pod, app('a')))
    expect(p.egress).toBeUndefined()
    expect(rules(p)).toHaveLength(1)
    expect(rule(p).action).toBe('allow')
    expect(rule(p).location?.line).toBe(10)
  })

  it('a CNP without metadata.namespace lands in "default"', () => {
    const { policy, diagnostics } = parsed('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n')
    expect(policy.scope).toEqual({ _tag: 'namespace', namespace: 'default' })
    expect(diagnostics).toEqual(['p.yaml:4:3: warning namespace-defaulted: metadata.namespace is not set; using "default" (give -n NAMESPACE to choose)'])
  })

  it('a CCNP is cluster-scoped; metadata labels are carried, last-applied-configuration is not', () => {
    const p = one(
      'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: c\n  labels: {team: a}\n  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}\nspec:\n  endpointSelector: {}\n  egress: [{}]\n'
    )
    expect(p.scope).toEqual({ _tag: 'cluster' })
    expect(p.origin.namespace).toBeUndefined()
    expect(p.origin.labels).toEqual({ team: 'a' })
    expect(p.origin.annotations).toBeUndefined()
    eqF(p.subject, pod)
  })

  it('spec and specs are both used: one IR policy per rule, located at the rule (§1.1)', () => {
    const { set } = parse(
      cnp('  endpointSelector: {matchLabels: {app: a}}\n  ingress: [{}]\nspecs:\n- endpointSelector: {matchLabels: {app: b}}\n  egress: [{}]\n- endpointSelector: {matchLabels: {app: c}}\n  ingress: [{}]\n')
    )
    expect(set.policies.map((p) => [p.origin.name, p.origin.location?.line, F.show(p.subject)])).toEqual([
      ['p', 7, F.show(F.and(pod, app('a')))],
      ['p', 10, F.show(F.and(pod, app('b')))],
      ['p', 12, F.show(F.and(pod, app('c')))]
    ])
  })

  it('a host policy (CCNP nodeSelector) selects host endpoints by node labels', () => {
    const p = one(ccnp('  nodeSelector:\n    matchLabels: {node-access: ssh}\n  ingress:\n  - fromEntities: [cluster]\n'))
    eqF(p.subject, F.and(F.kind(['host']), F.labelEquals('node', 'node-access', 'ssh')))
  })

  it('a direction exists iff its allow and deny lists have an element; ingress: [] governs nothing (§4.1)', () => {
    const p = one(cnp('  endpointSelector: {}\n  ingress: []\n  egress:\n  - toEntities: [world]\n'))
    expect(p.ingress).toBeUndefined()
    expect(dir(p, 'egress').defaultDeny).toBe(true)
  })

  it('deny-only rules still make the direction default-deny; deny elements are deny rules', () => {
    const p = one(ingressDeny('fromEntities: [world]\n'))
    expect(dir(p, 'ingress').defaultDeny).toBe(true)
    expect(rules(p).map((r) => [r.action, F.show(r.peer)])).toEqual([['deny', 'entity world']])
  })

  it('allow rules come before deny rules of the same direction', () => {
    const p = one(cnp('  endpointSelector: {}\n  egressDeny:\n  - toEntities: [world]\n  egress:\n  - toEntities: [cluster]\n'))
    expect(rules(p, 'egress').map((r) => [r.action, F.show(r.peer), r.location?.line])).toEqual([
      ['allow', 'entity cluster', 11],
      ['deny', 'entity world', 9]
    ])
  })

  it('enableDefaultDeny: an explicit false opts the direction out; unset is true (§4.1)', () => {
    const p = one(cnp('  endpointSelector: {}\n  enableDefaultDeny: {ingress: false}\n  ingressDeny:\n  - fromEntities: [world]\n  egress:\n  - toEntities: [world]\n'))
    expect(dir(p, 'ingress').defaultDeny).toBe(false)
    expect(dir(p, 'egress').defaultDeny).toBe(true)
  })
})

// -------------------------------------------------------------------------------------
// §1.10: what {} means
// -------------------------------------------------------------------------------------

describe('empty values (§1.10)', () => {
  it('`ingress: [{}]` selects the subject and allows nothing: default-deny with no rule', () => {
    const p = one(ingress('{}\n'))
    expect(dir(p, 'ingress')).toEqual({ defaultDeny: true, rules: [] })
  })

  it('an element whose toPorts and icmps are empty lists, and no peer, is also `{}`', () => {
    const p = one(ingress('{toPorts: [], icmps: []}\n'))
    expect(rules(p)).toEqual([])
  })

  it('toPorts without a peer field: every peer (world, host, all pods)', () => {
    const p = one(ingress('toPorts: [{ports: [{port: "80", protocol: TCP}]}]\n'))
    eqF(rule(p).peer, F.tt)
    eqP(rule(p).ports, P.port(P.TCP, 80))
  })

  it('icmps without a peer field: every peer', () => {
    const p = one(egress('icmps: [{fields: [{type: 8}]}]\n'))
    eqF(rule(p, 'egress').peer, F.tt)
    eqP(rule(p, 'egress').ports, P.icmp(1, 8))
  })

  it('fromEndpoints: [{}] in a CNP: every pod of the policy namespace', () => {
    eqF(rule(one(ingress('fromEndpoints: [{}]\n'))).peer, inX)
  })

  it('fromEndpoints: [{}] in a CCNP: every pod of every namespace, never world or host', () => {
    eqF(rule(one(ccnpIngress('fromEndpoints: [{}]\n'))).peer, pod)
  })

  it('a present but empty peer list selects nothing, even with toPorts', () => {
    for (const field of ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes']) {
      const p = one(ingress(`${field}: []\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]\n`))
      expect(rules(p).map((r) => [F.show(r.peer), P.show(r.ports)])).toEqual([['none', 'TCP/80']])
    }
    const e = one(egress('toEndpoints: []\n'))
    eqF(rule(e, 'egress').peer, F.ff)
  })

  it('empty toFQDNs / toServices / toGroups lists are as if absent: with toPorts, every peer', () => {
    for (const field of ['toFQDNs', 'toServices', 'toGroups']) {
      const p = one(egress(`${field}: []\n    toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n`))
      eqF(rule(p, 'egress').peer, F.tt)
    }
    expect(rules(one(egress('toFQDNs: []\n')), 'egress')).toEqual([])
  })

  it('fromEntities: [all] is every identity, [none] is none', () => {
    eqF(rule(one(ingress('fromEntities: [all]\n'))).peer, F.tt)
    eqF(rule(one(ingress('fromEntities: [none]\n'))).peer, F.ff)
  })

  it('fromCIDR: [0.0.0.0/0] is the IPv4 address space (the model keeps it to world)', () => {
    eqF(rule(one(ingress('fromCIDR: [0.0.0.0/0]\n'))).peer, F.ipIn(C.allV4))
  })

  it('a peer without toPorts and icmps: every port of every protocol, ICMP included (§4.3)', () => {
    eqP(rule(one(ingress('fromEntities: [world]\n'))).ports, P.all)
  })

  it('a PortRule without ports allows nothing (mergeL4Filter iterates over its ports)', () => {
    const p = one(ingress('fromEntities: [world]\n    toPorts: [{}]\n'))
    eqP(rule(p).ports, P.empty)
  })
})

// -------------------------------------------------------------------------------------
// §2: labels and scoping
// -------------------------------------------------------------------------------------

describe('label keys (§2.2)', () => {
  it('parseKey: src:key, $name and reserved.name, otherwise source any', () => {
    expect(['k8s:app', 'any:app', 'app', 'k8s.app', 'reserved:host', '$host', 'reserved.world', 'container:a:b'].map(parseKey)).toEqual([
      { source: 'k8s', key: 'app' },
      { source: 'any', key: 'app' },
      { source: 'any', key: 'app' },
      { source: 'any', key: 'k8s.app' },
      { source: 'reserved', key: 'host' },
      { source: 'reserved', key: 'host' },
      { source: 'reserved', key: 'world' },
      { source: 'container', key: 'a:b' }
    ])
  })

  it('k8s:, any: and unprefixed keys all test the pod label', () => {
    const p = one(cnp('  endpointSelector:\n    matchLabels: {k8s:a: "1", any:b: "2", c: "3"}\n  ingress: [{}]\n'))
    eqF(p.subject, F.and(pod, F.labelEquals('endpoint', 'a', '1'), F.labelEquals('endpoint', 'b', '2'), F.labelEquals('endpoint', 'c', '3')))
  })

  it('matchExpressions: In, NotIn, Exists, DoesNotExist', () => {
    const p = one(
      cnp(
        '  endpointSelector:\n    matchExpressions:\n    - {key: a, operator: In, values: ["1", "2"]}\n    - {key: b, operator: NotIn, values: ["3"]}\n    - {key: c, operator: Exists}\n    - {key: d, operator: DoesNotExist}\n  ingress: [{}]\n'
      )
    )
    eqF(
      p.subject,
      F.and(pod, F.labelIn('endpoint', 'a', ['1', '2']), F.not(F.labelEquals('endpoint', 'b', '3')), F.exists('endpoint', 'c'), F.not(F.exists('endpoint', 'd')))
    )
  })

  it('a key of another source never matches a pod (warning)', () => {
    const { policy, diagnostics } = parsed(ingress('fromEndpoints: [{matchLabels: {container:app: a}}]\n'))
    eqF(rule(policy).peer, F.ff)
    expect(diagnostics).toEqual([
      'p.yaml:10:51: warning label-source-never-matches: spec.ingress[0].fromEndpoints[0].matchLabels.container:app: "container:app": pods carry only k8s-sourced labels, so a "container:" label is evaluated as absent'
    ])
  })
})

describe('special labels (§2.1)', () => {
  it('io.cilium.k8s.namespace.labels.K is the namespace label K', () => {
    const p = one(ccnp('  endpointSelector:\n    matchLabels: {io.cilium.k8s.namespace.labels.team: a}\n  ingress: [{}]\n'))
    eqF(p.subject, F.and(pod, F.labelEquals('namespace', 'team', 'a')))
  })

  it('io.cilium.k8s.policy.serviceaccount is the service account; in a CNP the namespace is still added (§2.4)', () => {
    const p = one(ingress('fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: sa}}]\n'))
    eqF(rule(p).peer, F.and(inX, F.serviceAccount(['sa'])))
    const q = one(cnp('  endpointSelector:\n    matchExpressions: [{key: k8s:io.cilium.k8s.policy.serviceaccount, operator: Exists}]\n  ingress: [{}]\n'))
    eqF(q.subject, pod)
  })

  it('io.cilium.k8s.policy.cluster is compared with the cluster name "default" (warning)', () => {
    const { policy, diagnostics } = parsed(
      ingress('fromEndpoints:\n    - matchLabels: {io.cilium.k8s.policy.cluster: default}\n    - matchLabels: {io.cilium.k8s.policy.cluster: cluster1}\n')
    )
    eqF(rule(policy).peer, inX)
    expect(diagnostics).toEqual([
      'p.yaml:11:51: warning cluster-name-assumed: spec.ingress[0].fromEndpoints[0].matchLabels.io.cilium.k8s.policy.cluster: "io.cilium.k8s.policy.cluster": netpolx models a single cluster and assumes Cilium\'s default cluster name "default"; this selects all of its pods',
      'p.yaml:12:51: warning cluster-name-assumed: spec.ingress[0].fromEndpoints[1].matchLabels.io.cilium.k8s.policy.cluster: "io.cilium.k8s.policy.cluster": netpolx models a single cluster and assumes Cilium\'s default cluster name "default"; this selects none of its pods'
    ])
  })

  it('other io.cilium.k8s keys are stripped from pods: evaluated as absent (warning)', () => {
    const { policy, diagnostics } = parsed(ingress('fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.name: p}}]\n'))
    eqF(rule(policy).peer, F.ff)
    expect(diagnostics).toEqual([
      'p.yaml:10:63: warning not-an-identity-label: spec.ingress[0].fromEndpoints[0].matchLabels.io.cilium.k8s.policy.name: "io.cilium.k8s.policy.name": Cilium strips "io.cilium.k8s*" labels from pods and sets only namespace, namespace-label, service-account and cluster labels, so this label is evaluated as absent'
    ])
  })

  it('identity-irrelevant labels are evaluated as if the pod lacked them (warning)', () => {
    const { policy, diagnostics } = parsed(
      cnp(
        '  endpointSelector:\n    matchLabels: {statefulset.kubernetes.io/pod-name: web-0, app.kubernetes.io/name: web}\n    matchExpressions:\n    - {key: pod-template-hash, operator: NotIn, values: [abc]}\n  ingress: [{}]\n'
      )
    )
    // pod-name == web-0 can never hold; pod-template-hash NotIn [abc] always holds
    eqF(policy.subject, F.ff)
    expect(diagnostics).toEqual([
      'p.yaml:8:55: warning identity-irrelevant-label: spec.endpointSelector.matchLabels.statefulset.kubernetes.io/pod-name: "statefulset.kubernetes.io/pod-name": Cilium\'s default identity-relevant label filter drops this label from identities, so a selector cannot match it; evaluated as if the pod lacked the label (https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/)',
      'p.yaml:10:7: warning identity-irrelevant-label: spec.endpointSelector.matchExpressions[0]: "pod-template-hash": Cilium\'s default identity-relevant label filter drops this label from identities, so a selector cannot match it; evaluated as if the pod lacked the label (https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/)'
    ])
    const q = one(cnp('  endpointSelector:\n    matchExpressions:\n    - {key: pod-template-hash, operator: NotIn, values: [abc]}\n  ingress: [{}]\n'))
    eqF(q.subject, pod)
  })

  it('isIdentityIrrelevant follows the default label filter (anchored prefixes; includes win when longer)', () => {
    const irrelevant = [
      'io.kubernetes.pod.name',
      'kubernetes.io/hostname',
      'statefulset.kubernetes.io/pod-name',
      'apps.kubernetes.io/pod-index',
      'batch.kubernetes.io/job-completion-index',
      'batch.kubernetes.io/controller-uid',
      'beta.kubernetes.io/arch',
      'failure-domain.beta.kubernetes.io/zone',
      'k8s.io/x',
      'pod-template-generation',
      'pod-template-hash',
      'controller-revision-hash',
      'controller-uid',
      'annotation-x',
      'etcd_node',
      'topology.kubernetes.io/zone'
    ]
    const relevant = ['app', 'app.kubernetes.io/name', 'batch.kubernetes.io/job-name', 'io.kubernetes.pod.namespace', 'my.kubernetes.io/x', 'node-role.kubernetes.io/control-plane']
    expect(irrelevant.filter((k) => !isIdentityIrrelevant(k))).toEqual([])
    expect(relevant.filter(isIdentityIrrelevant)).toEqual([])
  })
})

describe('CNP subject (§2.3)', () => {
  it('a k8s:io.kubernetes.pod.namespace matchLabels entry is overwritten by the policy namespace (warning)', () => {
    const { policy, diagnostics } = parsed(cnp('  endpointSelector:\n    matchLabels: {k8s:io.kubernetes.pod.namespace: y, app: a}\n  ingress: [{}]\n'))
    eqF(policy.subject, F.and(pod, app('a')))
    expect(diagnostics).toEqual([
      'p.yaml:8:52: warning namespace-overwritten: spec.endpointSelector.matchLabels.k8s:io.kubernetes.pod.namespace: "k8s:io.kubernetes.pod.namespace": the endpointSelector of a CiliumNetworkPolicy always applies in the policy\'s namespace "x"; Cilium replaces this match by it'
    ])
  })

  it('the policy namespace itself is overwritten silently', () => {
    const { policy, diagnostics } = parsed(cnp('  endpointSelector:\n    matchLabels: {k8s:io.kubernetes.pod.namespace: x}\n  ingress: [{}]\n'))
    eqF(policy.subject, pod)
    expect(diagnostics).toEqual([])
  })

  it('an unprefixed namespace key is kept next to the scope, so another namespace selects nothing', () => {
    const p = one(cnp('  endpointSelector:\n    matchLabels: {io.kubernetes.pod.namespace: y}\n  ingress: [{}]\n'))
    eqF(p.subject, F.and(pod, F.inNamespace(['y'])))
    expect(p.scope).toEqual({ _tag: 'namespace', namespace: 'x' })
  })

  it('a CCNP subject keeps its namespace match', () => {
    const p = one(ccnp('  endpointSelector:\n    matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}]\n  ingress: [{}]\n'))
    eqF(p.subject, F.and(pod, F.not(F.inNamespace(['kube-system']))))
  })
})

describe('peer selectors (§2.4)', () => {
  it('CNP: a selector without namespace key gets the policy namespace', () => {
    eqF(rule(one(ingress('fromEndpoints: [{matchLabels: {app: b}}]\n'))).peer, F.and(inX, app('b')))
  })

  it('a namespace key in matchLabels replaces the namespace', () => {
    eqF(rule(one(ingress('fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: y, app: b}}]\n'))).peer, F.and(pod, F.inNamespace(['y']), app('b')))
  })

  it('a namespace key in matchExpressions, any operator, turns the injection off: Exists = all namespaces', () => {
    eqF(rule(one(ingress('fromEndpoints: [{matchExpressions: [{key: io.kubernetes.pod.namespace, operator: Exists}]}]\n'))).peer, pod)
  })

  it('NotIn on the namespace key: other namespaces, still pods only through the local-cluster label (info)', () => {
    const { policy, diagnostics } = parsed(
      ingress('fromEndpoints: [{matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}]}]\n')
    )
    eqF(rule(policy).peer, F.and(pod, F.not(F.inNamespace(['kube-system']))))
    expect(diagnostics).toEqual([
      'p.yaml:10:21: info local-cluster-default: spec.ingress[0].fromEndpoints[0]: this selector matches only pods because Cilium adds the local cluster label to it (policy-default-local-cluster, on by default since 1.19); with that flag off it would also match identities without the label, such as world and host'
    ])
  })

  it('CNP: a namespace-label key turns the namespace injection off (since 1.16)', () => {
    eqF(
      rule(one(ingress('fromEndpoints: [{matchLabels: {k8s:io.cilium.k8s.namespace.labels.team: a}}]\n'))).peer,
      F.and(pod, F.labelEquals('namespace', 'team', 'a'))
    )
  })

  it('CCNP: a namespace-label key does not matter, namespace exists is added anyway', () => {
    eqF(rule(one(ccnpIngress('fromEndpoints: [{matchLabels: {app: b}}]\n'))).peer, F.and(pod, app('b')))
  })

  it('a reserved: key leaves the selector alone: no pod kind, no namespace', () => {
    for (const key of ['reserved:host', '$host', 'reserved.host']) eqF(rule(one(ingress(`fromEndpoints: [{matchLabels: {"${key}": ""}}]\n`))).peer, F.entity('host'))
    eqF(rule(one(ingress('fromEndpoints: [{matchExpressions: [{key: reserved:world, operator: Exists}]}]\n'))).peer, F.entity('world'))
    eqF(rule(one(ingress('fromEndpoints: [{matchLabels: {reserved:host: "x"}}]\n'))).peer, F.ff)
  })

  it('reserved world-ipv4 / world-ipv6 are world restricted to one family; an unknown reserved label never matches', () => {
    eqF(rule(one(ingress('fromEndpoints: [{matchLabels: {reserved:world-ipv6: ""}}]\n'))).peer, F.and(F.entity('world'), F.ipIn(C.allV6)))
    const { policy, diagnostics } = parsed(ingress('fromEndpoints: [{matchLabels: {reserved:bogus: ""}}]\n'))
    eqF(rule(policy).peer, F.ff)
    expect(diagnostics).toEqual([
      'p.yaml:10:52: warning unknown-reserved-label: spec.ingress[0].fromEndpoints[0].matchLabels.reserved:bogus: "reserved:bogus": no Cilium identity carries this reserved label, so it is evaluated as absent'
    ])
  })

  it('with a reserved: key, other labels are matched on pods only (lossy: node labels of hosts)', () => {
    const { policy, diagnostics } = parsed(ingress('fromEndpoints: [{matchLabels: {reserved:host: "", app: b}}]\n'))
    eqF(rule(policy).peer, F.and(F.entity('host'), pod, app('b')))
    expect(diagnostics).toEqual([
      'p.yaml:10:21: warning unscoped-label: spec.ingress[0].fromEndpoints[0]: Cilium leaves a selector with a reserved: key unscoped, and host and remote-node identities may carry node labels under the same keys as its other labels; netpolx matches those labels on pods only'
    ])
    const q = one(ingress('fromEndpoints: [{matchLabels: {reserved:host: ""}, matchExpressions: [{key: app, operator: DoesNotExist}]}]\n'))
    eqF(rule(q).peer, F.and(F.entity('host'), F.not(F.and(pod, F.exists('endpoint', 'app')))))
  })

  it('CCNP whose subject selects reserved:init: no namespace is added to peers (pods only via the cluster label)', () => {
    const { policy, diagnostics } = parsed(ccnp('  endpointSelector:\n    matchLabels: {reserved:init: ""}\n  ingress:\n  - fromEndpoints: [{}]\n'))
    eqF(policy.subject, F.and(pod, F.entity('init')))
    eqF(rule(policy).peer, pod)
    expect(diagnostics).toEqual([
      'p.yaml:9:21: info local-cluster-default: spec.ingress[0].fromEndpoints[0]: this selector matches only pods because Cilium adds the local cluster label to it (policy-default-local-cluster, on by default since 1.19); with that flag off it would also match identities without the label, such as world and host'
    ])
  })

  it('several selectors are ORed', () => {
    eqF(rule(one(egress('toEndpoints: [{matchLabels: {app: b}}, {matchLabels: {app: c}}]\n')), 'egress').peer, F.or(F.and(inX, app('b')), F.and(inX, app('c'))))
  })
})

describe('node selectors', () => {
  it('fromNodes: remote nodes by node labels (any: and node: sources); needs enable-node-selector-labels (warning)', () => {
    const { policy, diagnostics } = parsed(ingress('fromNodes: [{matchLabels: {node-role.kubernetes.io/control-plane: "", node:zone: a}}]\n'))
    eqF(
      rule(policy).peer,
      F.and(F.kind(['host']), F.entity('remote-node'), F.labelEquals('node', 'node-role.kubernetes.io/control-plane', ''), F.labelEquals('node', 'zone', 'a'))
    )
    expect(diagnostics).toEqual([
      'p.yaml:10:16: warning node-selector-labels: spec.ingress[0].fromNodes: fromNodes needs the agent flag enable-node-selector-labels (default false), without which remote nodes carry no node labels; netpolx evaluates it as if the flag were on'
    ])
  })

  it('nodeSelector: node labels the identity filter drops are absent (warning)', () => {
    const { policy, diagnostics } = parsed(ccnp('  nodeSelector:\n    matchLabels: {kubernetes.io/hostname: n1}\n  ingress: [{}]\n'))
    eqF(policy.subject, F.ff)
    expect(diagnostics).toEqual([
      'p.yaml:7:43: warning identity-irrelevant-label: spec.nodeSelector.matchLabels.kubernetes.io/hostname: "kubernetes.io/hostname": the host endpoint\'s node labels pass through Cilium\'s identity-relevant label filter (Endpoint.InitWithNodeLabels), which drops this key, so it is evaluated as absent (https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/)'
    ])
  })
})

// -------------------------------------------------------------------------------------
// peers (§1.5–§1.7, §3)
// -------------------------------------------------------------------------------------

describe('peers', () => {
  it('fromEntities: one entity atom each', () => {
    eqF(rule(one(ingress('fromEntities: [world, cluster, kube-apiserver]\n'))).peer, F.or(F.entity('world'), F.entity('cluster'), F.entity('kube-apiserver')))
  })

  it('fromCIDR: addresses and prefixes, a bare address is one host', () => {
    eqF(rule(one(ingress('fromCIDR: [192.0.2.1, 10.0.0.0/8]\n'))).peer, F.ipIn(C.union(cidr('192.0.2.1/32'), cidr('10.0.0.0/8'))))
  })

  const group = (name: string, labels: string, cidrs: string, apiVersion = 'cilium.io/v2alpha1'): string =>
    `apiVersion: ${apiVersion}\nkind: CiliumCIDRGroup\nmetadata:\n  name: ${name}\n  labels: {${labels}}\nspec:\n  externalCIDRs: [${cidrs}]\n---\n`
  const groups = group('blocked', 'team: sec', '203.0.113.0/24, 198.51.100.0/24') + group('vpn', 'role: vpn', '192.0.2.0/24', 'cilium.io/v2')

  it('a CiliumCIDRGroup in the input resolves cidrGroupRef (issue reproducer: an egressDeny to a group denies its addresses)', () => {
    const { set, diagnostics } = parse(`${groups}${cnp('  endpointSelector: {}\n  egress:\n  - toEntities: [all]\n  egressDeny:\n  - toCIDRSet: [{cidrGroupRef: blocked, except: [198.51.100.0/24]}]\n')}`)
    expect(diagnostics).toEqual([
      'p.yaml:1:1: info cidr-group-inlined: CiliumCIDRGroup blocked: its CIDRs are written into the rules that reference it; the group itself is not part of the output',
      'p.yaml:9:1: info cidr-group-inlined: CiliumCIDRGroup vpn: its CIDRs are written into the rules that reference it; the group itself is not part of the output'
    ])
    expect(set.policies.length).toBe(1)
    const deny = set.policies[0]?.egress?.rules.find((r) => r.action === 'deny')
    eqF(deny?.peer ?? F.tt, F.ipIn(cidr('203.0.113.0/24')))
  })

  it('cidrGroupSelector selects the groups of the input by label (cilium.io/v2 groups too), exact for those groups', () => {
    const { set, diagnostics } = parse(`${groups}${cnp('  endpointSelector: {}\n  ingress:\n  - fromCIDRSet: [{cidrGroupSelector: {matchExpressions: [{key: role, operator: In, values: [vpn]}]}}]\n')}`)
    eqF(set.policies[0]?.ingress?.rules[0]?.peer ?? F.tt, F.ipIn(cidr('192.0.2.0/24')))
    expect(diagnostics.filter((d) => !d.includes('cidr-group-inlined'))).toEqual([
      'p.yaml:25:39: info cidr-group-selector: spec.ingress[0].fromCIDRSet[0].cidrGroupSelector: resolved to the CiliumCIDRGroups of the input it selects (vpn); groups in the cluster but not in the input would be selected too'
    ])
  })

  it('a CiliumCIDRGroup is decoded strictly: externalCIDRs required, prefixes only, no unknown fields', () => {
    const bad = parse('apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec:\n  externalCIDRs: [10.0.0.1]\n  cidrs: []\n')
    expect(bad.diagnostics.length).toBe(2)
    expect(bad.diagnostics.every((d) => d.includes(' error '))).toBe(true)
    expect(bad.diagnostics.join('\n')).toContain('10.0.0.1')
    expect(bad.diagnostics.join('\n')).toContain('unknown field "cidrs"')
    expect(parse('apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec: {}\n').diagnostics.join('\n')).toMatch(/error .*externalCIDRs/)
  })

  it('fromCIDRSet: except is subtracted from its own CIDR only', () => {
    const p = one(ingress('fromCIDRSet:\n    - {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n    - {cidr: 10.1.2.0/24}\n'))
    eqF(rule(p).peer, F.ipIn(C.union(C.difference(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')), cidr('10.1.2.0/24'))))
  })

  it('cidrGroupRef / cidrGroupSelector to groups the input does not hold select nothing (narrower for allow, broader for deny)', () => {
    const { policy, diagnostics } = parsed(
      cnp(
        '  endpointSelector: {}\n  ingress:\n  - fromCIDRSet: [{cidrGroupRef: g}, {cidr: 10.0.0.0/8}]\n  ingressDeny:\n  - fromCIDRSet: [{cidrGroupSelector: {matchLabels: {a: b}}}]\n'
      )
    )
    expect(rules(policy).map((r) => [r.action, F.show(r.peer)])).toEqual([
      ['allow', 'ip in {10.0.0.0/8}'],
      ['deny', 'none']
    ])
    expect(diagnostics).toEqual([
      'p.yaml:9:34: warning unsupported-cidr-group: spec.ingress[0].fromCIDRSet[0].cidrGroupRef: cidrGroupRef "g" names no CiliumCIDRGroup in the input (pass the group with -f); netpolx treats it as selecting nothing, so the rule allows less than in Cilium',
      'p.yaml:11:39: warning unsupported-cidr-group: spec.ingressDeny[0].fromCIDRSet[0].cidrGroupSelector: cidrGroupSelector selects no CiliumCIDRGroup in the input (pass the groups with -f); netpolx treats it as selecting nothing, so the rule denies less than in Cilium'
    ])
    expect(rawDiagnostics(cnp('  endpointSelector: {}\n  ingress:\n  - fromCIDRSet: [{cidrGroupRef: g}]\n')).map((d) => d.fidelity)).toEqual(['narrower'])
    expect(rawDiagnostics(cnp('  endpointSelector: {}\n  ingressDeny:\n  - fromCIDRSet: [{cidrGroupRef: g}]\n')).map((d) => d.fidelity)).toEqual(['broader'])
  })

  it('toServices: by name (namespace omitted = any namespace) or by a selector over the service labels (§4.9)', () => {
    const p = one(
      egress('toServices:\n    - k8sService: {serviceName: db, namespace: data}\n    - k8sService: {serviceName: cache}\n    - k8sServiceSelector: {selector: {matchLabels: {k8s:env: prod}}, namespace: y}\n')
    )
    eqF(rule(p, 'egress').peer, F.or(F.service('data', 'db'), F.service(undefined, 'cache'), F.service('y', undefined, F.labelEquals('endpoint', 'env', 'prod'))))
  })

  it('toServices in egressDeny: Cilium never expands it; kept, reported as unconfirmed', () => {
    const { policy, diagnostics } = parsed(egressDeny('toServices: [{k8sService: {serviceName: db}}]\n'))
    eqF(rule(policy, 'egress').peer, F.service(undefined, 'db'))
    expect(diagnostics).toEqual([
      "p.yaml:10:17: warning deny-to-services: spec.egressDeny[0].toServices: Cilium expands toServices only in allow rules (https://docs.cilium.io/en/stable/security/policy/language/, \"Services based\"), so what this egressDeny rule denies is unconfirmed; netpolx keeps it as a deny of the services' backends"
    ])
  })

  it('toFQDNs: names and patterns', () => {
    eqF(rule(one(egress('toFQDNs: [{matchName: api.example.com}, {matchPattern: "*.example.org"}]\n')), 'egress').peer, F.or(F.fqdn('name', 'api.example.com'), F.fqdn('pattern', '*.example.org')))
  })

  it('toGroups have no IR: they select nothing (narrower)', () => {
    const { policy, diagnostics } = parsed(egress('toGroups: [{aws: {securityGroupsIds: [sg-1]}}]\n    toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n'))
    eqF(rule(policy, 'egress').peer, F.ff)
    expect(diagnostics).toEqual([
      'p.yaml:10:15: warning unsupported-groups: spec.egress[0].toGroups: toGroups (cloud provider security groups) cannot be expressed in the IR; netpolx treats it as selecting nothing, so the rule allows less than in Cilium'
    ])
  })
})

// -------------------------------------------------------------------------------------
// ports and L7 (§1.4, §1.8, §4.3)
// -------------------------------------------------------------------------------------

describe('ports', () => {
  const portsOf = (entries: string): P.PortSet => rule(one(ingress(`fromEntities: [world]\n    toPorts: [{ports: [${entries}]}]\n`))).ports

  it('protocol ANY or absent: TCP, UDP and SCTP, not ICMP', () => {
    eqP(portsOf('{port: "53", protocol: ANY}'), anyProto(53))
    eqP(portsOf('{port: "53"}'), anyProto(53))
  })

  it('port "0" is the whole protocol; endPort is an inclusive range; endPort <= port is the port', () => {
    eqP(portsOf('{port: "0", protocol: TCP}'), P.protocol(P.TCP))
    eqP(portsOf('{port: "0", endPort: 65535, protocol: UDP}'), P.protocol(P.UDP))
    eqP(portsOf('{port: "8080", endPort: 8090, protocol: TCP}'), P.range(P.TCP, 8080, 8090))
    eqP(portsOf('{port: "8080", endPort: 80, protocol: TCP}'), P.port(P.TCP, 8080))
  })

  it('named ports are lower-cased; with a protocol they are of that protocol', () => {
    eqP(portsOf('{port: HTTP, protocol: TCP}'), P.named('http', P.TCP))
    eqP(portsOf('{port: dns}'), P.named('dns'))
  })

  it('several ports and PortRules are united', () => {
    const p = one(ingress('fromEntities: [world]\n    toPorts:\n    - ports: [{port: "80", protocol: TCP}, {port: "53", protocol: UDP}]\n    - ports: [{port: "443", protocol: TCP}]\n'))
    eqP(rule(p).ports, [P.port(P.TCP, 80), P.port(P.UDP, 53), P.port(P.TCP, 443)].reduce(P.union, P.empty))
  })

  it('icmps: ICMP or ICMPv6 types, by number or name', () => {
    const p = one(egress('toEntities: [world]\n    icmps:\n    - fields: [{type: EchoRequest}, {family: IPv6, type: 128}]\n    - fields: [{type: "3"}]\n'))
    eqP(rule(p, 'egress').ports, [P.icmp(1, 8), P.icmp(58, 128), P.icmp(1, 3)].reduce(P.union, P.empty))
  })

  it('deny rules take ports', () => {
    eqP(rule(one(ingressDeny('fromEntities: [world]\n    toPorts: [{ports: [{port: "22", protocol: TCP}]}]\n'))).ports, P.port(P.TCP, 22))
  })
})

describe('L7 (§1.4)', () => {
  it('a PortRule with HTTP rules is its own IR rule; one without L7 joins the plain rule', () => {
    const p = one(
      ingress(
        'fromEndpoints: [{matchLabels: {app: b}}]\n    toPorts:\n    - ports: [{port: "8080", protocol: TCP}]\n      rules:\n        http:\n        - {method: GET, path: "/public/.*", host: "api\\\\.example\\\\.com", headers: [X-Token]}\n        - {}\n    - ports: [{port: "9090", protocol: TCP}]\n'
      )
    )
    expect(rules(p).map((r) => [F.show(r.peer), P.show(r.ports), r.location?.line])).toEqual([
      [F.show(F.and(inX, app('b'))), 'TCP/9090', 10],
      [F.show(F.and(inX, app('b'))), 'TCP/8080', 12]
    ])
    expect(rule(p, 'ingress', 0).l7).toBeUndefined()
    expect(rule(p, 'ingress', 1).l7).toEqual({
      _tag: 'http',
      rules: [
        { methods: [], methodRegex: 'GET', paths: [{ _tag: 'regex', value: '/public/.*' }], host: 'api\\.example\\.com', headers: ['X-Token'] },
        { methods: [], methodRegex: undefined, paths: [], host: undefined, headers: [] }
      ]
    })
  })

  it('DNS, Kafka and generic (l7proto) rules', () => {
    const p = one(
      cnp(
        '  endpointSelector: {}\n  egress:\n  - toEndpoints: [{}]\n    toPorts:\n    - ports: [{port: "53", protocol: UDP}]\n      rules: {dns: [{matchName: example.com}, {matchPattern: "*.example.org"}]}\n  ingress:\n  - toPorts:\n    - ports: [{port: "9092", protocol: TCP}]\n      rules: {kafka: [{role: produce, topic: t}, {apiKey: fetch, clientID: c}]}\n    - ports: [{port: "6379", protocol: TCP}]\n      rules: {l7proto: r2d2, l7: [{cmd: READ}]}\n'
      )
    )
    expect(rule(p, 'egress').l7).toEqual({
      _tag: 'dns',
      rules: [
        { match: 'name', value: 'example.com' },
        { match: 'pattern', value: '*.example.org' }
      ]
    })
    expect(rules(p).map((r) => r.l7)).toEqual([
      { _tag: 'kafka', rules: [{ role: 'produce', topic: 't' }, { apiKey: 'fetch', clientID: 'c' }] },
      { _tag: 'generic', protocol: 'r2d2', rules: [{ cmd: 'READ' }] }
    ])
    eqF(rule(p).peer, F.tt)
  })

  it('HTTP headerMatches, SNI lists and listeners are not kept: broader; TLS contexts are ignored (info)', () => {
    const { policy, diagnostics } = parsed(
      egress(
        'toEntities: [world]\n    toPorts:\n    - ports: [{port: "443", protocol: TCP}]\n      terminatingTLS: {secret: {name: s}}\n      serverNames: [example.com]\n      rules:\n        http: [{headerMatches: [{name: X, value: "1"}]}]\n  - toEntities: [world]\n    toPorts:\n    - ports: [{port: "80", protocol: TCP}]\n      listener: {envoyConfig: {name: cec}, name: l}\n'
      )
    )
    expect(rules(policy, 'egress').map((r) => [P.show(r.ports), r.l7?._tag])).toEqual([
      ['TCP/443', 'http'],
      ['TCP/80', undefined]
    ])
    expect([...diagnostics].sort()).toEqual([
      'p.yaml:13:23: info tls-ignored: spec.egress[0].toPorts[0].terminatingTLS: TLS interception does not change which connections are allowed; ignored',
      'p.yaml:14:20: warning unsupported-server-names: spec.egress[0].toPorts[0].serverNames: the TLS SNI allow-list has no IR form; the rule is kept without it, so it matches more connections',
      'p.yaml:16:32: warning unsupported-header-match: spec.egress[0].toPorts[0].rules.http[0].headerMatches: HTTP headerMatches have no IR form; the HTTP rule is kept without them, so it matches more requests',
      'p.yaml:20:17: warning unsupported-listener: spec.egress[1].toPorts[0].listener: the redirect to a custom Envoy listener has no IR form; the rule is kept at L4, so it allows whatever the listener would reject'
    ])
  })

  it('authentication is ignored: info, or broader for test-always-fail (§1.9)', () => {
    const { diagnostics } = parsed(
      cnp('  endpointSelector: {}\n  ingress:\n  - fromEntities: [cluster]\n    authentication: {mode: required}\n  - fromEntities: [world]\n    authentication: {mode: test-always-fail}\n')
    )
    expect(diagnostics).toEqual([
      'p.yaml:10:21: info authentication-ignored: spec.ingress[0].authentication: mutual authentication (mode required) is ignored; the rule is evaluated as a plain allow (https://docs.cilium.io/en/stable/network/servicemesh/mutual-authentication/mutual-authentication/)',
      'p.yaml:12:21: warning authentication-ignored: spec.ingress[1].authentication: mode test-always-fail makes Cilium drop this traffic; netpolx ignores authentication, so it allows it'
    ])
  })
})

// -------------------------------------------------------------------------------------
// invalid documents
// -------------------------------------------------------------------------------------

describe('invalid documents: positioned errors, no IR', () => {
  const errors = (yaml: string): ReadonlyArray<string> => {
    const { set, diagnostics } = parse(yaml)
    expect(set.policies).toEqual([])
    return diagnostics
  }

  it('a shape error (codec)', () =>
    expect(errors(ingress('fromEntities: [everything]\n'))).toEqual([
      'p.yaml:10:20: error invalid-field: spec.ingress[0].fromEntities[0]: invalid entity "everything": expected one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver'
    ]))

  it('two peer kinds in one rule, icmps with toPorts (Rule.Sanitize)', () =>
    expect(
      errors(
        cnp(
          '  endpointSelector: {}\n  ingress:\n  - fromEndpoints: [{}]\n    fromEntities: [world]\n  egress:\n  - toEntities: [world]\n    icmps: [{fields: [{type: 8}]}]\n    toPorts: [{ports: [{port: "80"}]}]\n'
        )
      )
    ).toEqual([
      'p.yaml:10:19: error invalid-policy: spec.ingress[0].fromEntities: combining FromEndpoints and FromEntities is not supported yet',
      'p.yaml:13:12: error invalid-policy: spec.egress[0].icmps: the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts'
    ]))

  it('fromRequires (removed in 1.19), nodeSelector in a CNP, a rule without rules', () => {
    expect(errors(ingress('fromRequires: [{matchLabels: {env: prod}}]\n'))).toEqual([
      'p.yaml:10:19: error invalid-policy: spec.ingress[0].fromRequires: fromRequires is not supported: it was deprecated in Cilium 1.17 and removed in 1.19 (the CRD allows no items)'
    ])
    expect(errors(cnp('  nodeSelector: {}\n  ingress: [{}]\n'))).toEqual(['p.yaml:7:17: error invalid-policy: spec.nodeSelector: rule cannot have NodeSelector'])
    expect(errors(cnp('  endpointSelector: {}\n'))).toEqual([
      'p.yaml:7:3: error invalid-policy: spec: rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny'
    ])
  })

  it('one invalid rule of specs rejects the whole resource', () =>
    expect(errors(cnp('  endpointSelector: {}\n  ingress: [{}]\nspecs:\n- endpointSelector: {}\n  egress:\n  - toPorts: [{ports: [{port: "80", protocol: tcp}]}]\n'))).toEqual([
      'p.yaml:12:47: error invalid-field: specs[0].egress[0].toPorts[0].ports[0].protocol: invalid protocol "tcp": expected one of TCP, UDP, SCTP, VRRP, IGMP, ANY'
    ]))
})

describe('determinism', () => {
  it('parsing the same document twice gives equal IR', () => {
    const yaml = cnp(
      '  endpointSelector: {matchLabels: {app: a}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {b: "1", a: "2"}}]\n    toPorts: [{ports: [{port: "80"}, {port: "53", protocol: UDP}]}]\n  egress:\n  - toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]\n'
    )
    const show = (s: PolicySet): string => JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    expect(show(parse(yaml).set)).toBe(show(parse(yaml).set))
  })
})
