/** Translations into and out of the cluster network policy tiers (src/lower/cluster-tiers.ts), on the shrunk property counterexamples. */
import { describe, expect, it } from 'vitest'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'

const run = (yaml: string, to: string, version: 'v1alpha1' | 'v1alpha2' = 'v1alpha2') => {
  const parsed = parseDocs(parseText('in.yaml', yaml).docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  const dialect = dialectByName(to)
  if (dialect === undefined) throw new Error(to)
  const t = translate(parsed, dialect, undefined, undefined, version)
  return { text: serialise(t.objects, 'yaml'), findings: t.diagnostics.filter((d) => d.fidelity !== undefined && d.fidelity !== 'exact').map((d) => `${d.code} ${d.fidelity ?? ''}`), fidelity: t.fidelity }
}

describe('--to cnp', () => {
  it('a Cilium deny that isolates nothing becomes an Admin Deny; its peer "every source" is pods only there (broader)', () => {
    const r = run(
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: cnp0, namespace: a}
spec:
  endpointSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}
  ingressDeny:
  - toPorts: [{ports: [{port: "80", protocol: TCP}]}]
  enableDefaultDeny: {ingress: false}
`,
      'cnp'
    )
    expect(r.findings).toEqual(['ingress-pods-only broader'])
    expect(r.text).toContain('kind: ClusterNetworkPolicy\n')
    expect(r.text).toContain('  tier: Admin\n')
    expect(r.text).toContain('  - action: Deny\n    from:\n    - namespaces: {}\n')
  })

  it('a Calico Pass tier allowing ingress from outside the cluster: the rule cannot be written, narrower, never dropped in silence', () => {
    const r = run(
      `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: sec}
spec: {order: 10, defaultAction: Pass}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: sec.p0}
spec:
  tier: sec
  selector: all()
  ingress:
  - action: Allow
    source: {notSelector: all()}
  types: [Ingress]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: p1, namespace: a}
spec: {tier: default, selector: all(), ingress: [], types: [Ingress]}
`,
      'cnp'
    )
    expect(r.findings).toEqual(['pods-only-subject exact-for-inventory', 'unsupported-peer narrower'])
    expect(r.fidelity).toBe('narrower')
  })

  it('two Baseline policies cannot both be the one BaselineAdminNetworkPolicy (unsupported)', () => {
    const cnp = (name: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: Baseline
  priority: 1
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
`
    const r = run(`${cnp('x')}---\n${cnp('y')}`, 'cnp', 'v1alpha1')
    expect(r.findings).toEqual(['single-baseline unsupported'])
    expect(r.fidelity).toBe('unsupported')
  })

  it('a NetworkPolicy stays a NetworkPolicy next to the ClusterNetworkPolicies', () => {
    const r = run(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: c}
spec:
  tier: Admin
  priority: 3
  subject: {namespaces: {}}
  egress: [{action: Pass, to: [{networks: [10.0.0.0/8]}]}]
`,
      'cnp'
    )
    expect(r.findings).toEqual([])
    expect(r.text.split('---\n').map((d) => /kind: (\w+)/.exec(d)?.[1])).toEqual(['NetworkPolicy', 'ClusterNetworkPolicy'])
  })
})

describe('--to cilium', () => {
  it('keeps a ClusterNetworkPolicy and names what Cilium enforces differently', () => {
    const r = run(
      `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: c}
spec:
  tier: Admin
  priority: 3
  subject: {namespaces: {}}
  egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}]}]
`,
      'cilium'
    )
    expect(r.findings).toEqual(['cilium-cidr-match-mode broader'])
    expect(D.isFaithful(r.fidelity)).toBe(false)
    expect(r.text).toContain('kind: ClusterNetworkPolicy\n')
  })
})
