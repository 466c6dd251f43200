/**
 * Cluster network policy tiers in the three models: Admin → NetworkPolicy → Baseline (k8s), Pass,
 * no implicit isolation, ties; Calico's fail-closed conversion of node peers; Cilium's rule-by-rule
 * ties with Deny first and its CIDR matching.
 */
import { describe, expect, it } from 'vitest'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix, reach } from '../../src/semantics/table.js'

const cluster = load(
  parseText(
    'cluster.yaml',
    `
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
metadata: {name: n1, labels: {role: infra}}
---
apiVersion: v1
kind: Pod
metadata: {name: x, namespace: a, labels: {app: x}}
spec: {nodeName: n1, containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: y, namespace: b, labels: {app: y}}
spec: {nodeName: n1, containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: b, labels: {app: agent}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c}]}
status: {podIP: 10.1.0.1}
`
  ).docs
).inventory

/** `from -> to` on TCP/80 under a model, with the model's findings. */
const verdicts = (cni: string, yaml: string): { readonly allowed: (from: string, to: string) => boolean; readonly findings: ReadonlyArray<string> } => {
  const parsed = parseDocs(parseText('p.yaml', yaml).docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const m = modelByName(cni)
  if (m === undefined) throw new Error(cni)
  const r = reach(parsed.set, cluster, m, [{ protocol: P.TCP, port: 80 }])
  const ids = r.classes.endpoints.map((e) => e.id)
  const t = r.tables[0]
  if (t === undefined) throw new Error('no table')
  const mx = matrix(r, t)
  return { allowed: (from, to) => mx[ids.indexOf(from)]?.[ids.indexOf(to)] ?? false, findings: r.diagnostics.map((d) => d.code) }
}

const cnp = (name: string, tier: string, priority: number, rules: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n  subject: {namespaces: {matchLabels: {team: blue}}}\n${rules}`

const denyAllIngress = '  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n'
const passIngress = '  ingress: [{action: Pass, from: [{namespaces: {}}]}]\n'
const acceptIngress = '  ingress: [{action: Accept, from: [{namespaces: {}}]}]\n'
const npAllowAll = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{}]}
`

describe('k8s model', () => {
  it('selecting a pod isolates nothing: an Accept-only Baseline policy changes no verdict', () => {
    const v = verdicts('k8s', cnp('c', 'Baseline', 1, '  ingress: [{action: Accept, from: [{namespaces: {matchLabels: {team: red}}}]}]\n'))
    expect(v.allowed('a/x', 'a/x')).toBe(true)
    expect(v.allowed('b/y', 'a/x')).toBe(true)
  })

  it('Pass in Admin: a NetworkPolicy selecting the pod decides, and the Baseline Deny is not consulted', () => {
    const yaml = [cnp('admin', 'Admin', 1, passIngress), cnp('base', 'Baseline', 1, denyAllIngress)].join('---\n')
    expect(verdicts('k8s', yaml).allowed('b/y', 'a/x')).toBe(false)
    expect(verdicts('k8s', `${yaml}---\n${npAllowAll}`).allowed('b/y', 'a/x')).toBe(true)
  })

  it('an Admin Deny wins over a NetworkPolicy allow; a lower priority runs first', () => {
    expect(verdicts('k8s', [cnp('d', 'Admin', 5, denyAllIngress), npAllowAll].join('---\n')).allowed('b/y', 'a/x')).toBe(false)
    expect(verdicts('k8s', [cnp('d', 'Admin', 5, denyAllIngress), cnp('acc', 'Admin', 4, acceptIngress)].join('---\n')).allowed('b/y', 'a/x')).toBe(true)
    expect(verdicts('k8s', [cnp('d', 'Admin', 5, denyAllIngress), cnp('acc', 'Admin', 6, acceptIngress)].join('---\n')).allowed('b/y', 'a/x')).toBe(false)
  })

  it('equal priorities selecting the same pods: a warning, evaluated by name', () => {
    const v = verdicts('k8s', [cnp('b-deny', 'Admin', 5, denyAllIngress), cnp('a-accept', 'Admin', 5, acceptIngress)].join('---\n'))
    expect(v.findings).toContain('priority-tie')
    expect(v.allowed('b/y', 'a/x')).toBe(true)
  })

  it('no ingress rule can match a host-network pod: the Deny of every pod leaves it through', () => {
    expect(verdicts('k8s', cnp('d', 'Admin', 5, denyAllIngress)).allowed('b/agent', 'a/x')).toBe(true)
  })
})

describe('calico model', () => {
  it('a Deny rule with a nodes peer fails closed: it denies everything', () => {
    const v = verdicts('calico', cnp('n', 'Admin', 1, '  egress: [{action: Deny, to: [{nodes: {matchLabels: {role: infra}}}]}]\n'))
    expect(v.findings).toContain('calico-fails-closed')
    expect(v.allowed('a/x', 'b/y')).toBe(false)
    expect(verdicts('k8s', cnp('n', 'Admin', 1, '  egress: [{action: Deny, to: [{nodes: {matchLabels: {role: infra}}}]}]\n')).allowed('a/x', 'b/y')).toBe(true)
  })
})

describe('cilium model', () => {
  it('equal priorities interleave rule by rule, Deny first (Cilium), where name order lets the Accept win', () => {
    const yaml = [cnp('b-deny', 'Admin', 5, denyAllIngress), cnp('a-accept', 'Admin', 5, acceptIngress)].join('---\n')
    expect(verdicts('cilium', yaml).allowed('b/y', 'a/x')).toBe(false)
    expect(verdicts('k8s', yaml).allowed('b/y', 'a/x')).toBe(true)
  })

  it('networks match addresses outside the cluster only (policy-cidr-match-mode unset), reported', () => {
    const yaml = cnp('n', 'Admin', 1, '  egress: [{action: Deny, to: [{networks: [10.0.0.0/8]}]}]\n')
    const v = verdicts('cilium', yaml)
    expect(v.findings).toContain('cilium-cidr-match-mode')
    expect(v.allowed('a/x', 'b/y')).toBe(true)
    expect(verdicts('k8s', yaml).allowed('a/x', 'b/y')).toBe(false)
  })
})
