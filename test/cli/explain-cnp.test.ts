/**
 * `netpolx explain` through the CLI on ClusterNetworkPolicies: under k8s and cilium the trace walks
 * Admin tier → the model's own policies → Baseline tier (an Admin Deny decides and Baseline is not
 * reached; an Admin Pass hands the flow on and a Baseline Accept allows it), in text, JSON and the
 * explanations an HTML report embeds.
 */
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from './harness.js'

const cluster = `apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b, quarantine: "true"}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: x, labels: {app: c}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.3}
`

const policies = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: quarantine}
spec:
  tier: Admin
  priority: 10
  subject:
    pods:
      namespaceSelector: {}
      podSelector: {matchLabels: {quarantine: "true"}}
  ingress:
  - name: from-a
    action: Deny
    from:
    - pods:
        namespaceSelector: {}
        podSelector: {matchLabels: {app: a}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: delegate}
spec:
  tier: Admin
  priority: 20
  subject:
    namespaces: {}
  ingress:
  - name: from-c
    action: Pass
    from:
    - pods:
        namespaceSelector: {}
        podSelector: {matchLabels: {app: c}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: default-deny}
spec:
  tier: Baseline
  priority: 50
  subject:
    namespaces: {}
  ingress:
  - name: from-c
    action: Accept
    from:
    - pods:
        namespaceSelector: {}
        podSelector: {matchLabels: {app: c}}
  - name: rest
    action: Deny
    from:
    - namespaces: {}
`

const explain = async (from: string, to: string, cni: string, ...more: ReadonlyArray<string>) => {
  const dir = tempFiles({ 'cluster.yaml': cluster, 'p.yaml': policies })
  const r = await runCli(['explain', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'cluster.yaml'), '--from', from, '--to', to, '--port', '80', '--cni', cni, ...more])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return r.stdout.replaceAll(`${dir}${path.sep}`, '')
}

describe('netpolx explain with ClusterNetworkPolicies', () => {
  it('k8s: an Admin Deny decides, with its file:line; the Baseline tier is not reached', async () => {
    const out = await explain('x/a', 'x/b', 'k8s')
    expect(out.split('\n').slice(0, 9)).toEqual([
      'x/a -> x/b 80/TCP under k8s: DENIED',
      '  egress of x/a: allowed, no policy selects it: not isolated',
      "  ingress of x/b: denied, rule 1 of quarantine (deny kind in {pod} && app == 'a', ports any) at p.yaml:12:5 denies",
      "    admin tier: admin rule 1 of quarantine (deny kind in {pod} && app == 'a', ports any) at p.yaml:12:5 denies",
      '    baseline tier: not reached: the admin tier decided',
      '    policies selecting x/b for ingress, in evaluation order:',
      '      1. quarantine (ClusterNetworkPolicy, tier Admin, priority 10) at p.yaml:1:1',
      '      2. delegate (ClusterNetworkPolicy, tier Admin, priority 20) at p.yaml:19:1',
      '      3. default-deny (ClusterNetworkPolicy, tier Baseline, priority 50) at p.yaml:35:1'
    ])
  })

  for (const cni of ['k8s', 'cilium'])
    it(`${cni}: an Admin Pass hands on, no policy isolates, a Baseline Accept allows`, async () => {
      const out = await explain('x/c', 'x/a', cni)
      expect(out.split('\n').slice(0, 5)).toEqual([
        `x/c -> x/a 80/TCP under ${cni}: ALLOWED`,
        '  egress of x/c: allowed, no policy selects it: not isolated',
        "  ingress of x/a: allowed, rule 1 of default-deny (allow kind in {pod} && app == 'c', ports any) at p.yaml:44:5 allows",
        "    admin tier: passed by admin rule 1 of delegate (pass kind in {pod} && app == 'c', ports any) at p.yaml:28:5",
        "    baseline tier: baseline rule 1 of default-deny (allow kind in {pod} && app == 'c', ports any) at p.yaml:44:5 allows"
      ])
    })

  it('k8s: no admin rule matches and the Baseline Deny denies; JSON carries both tier steps', async () => {
    const out = JSON.parse(await explain('x/b', 'x/a', 'k8s', '-o', 'json')) as {
      allowed: boolean
      ingress: { consistent: boolean; admin: { kind: string; text: string }; baseline: { kind: string; rule: { policy: string; index: number; location: string } } }
      egress: Record<string, unknown>
    }
    expect(out.allowed).toBe(false)
    expect(out.ingress.consistent).toBe(true)
    expect(out.ingress.admin).toEqual({ kind: 'noMatch', text: 'no admin rule matched' })
    expect(out.ingress.baseline.kind).toBe('decided')
    expect(out.ingress.baseline.rule).toMatchObject({ policy: 'default-deny', index: 2, location: 'p.yaml:50:5' })
    expect('admin' in out.egress).toBe(false)
  })

  it("reach -o html: a cell's explanation says what the admin and baseline tiers did", async () => {
    const dir = tempFiles({ 'cluster.yaml': cluster, 'p.yaml': policies })
    const r = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'cluster.yaml'), '--port', '80', '--cni', 'k8s', '-o', 'html'])
    expect(r.code).toBe(0)
    expect(r.stdout.replaceAll(`${dir}${path.sep}`, '')).toContain(
      "rule 1 of quarantine (deny kind in {pod} && app == 'a', ports any) at p.yaml:12:5 denies; admin tier: admin rule 1 of quarantine (deny kind in {pod} && app == 'a', ports any) at p.yaml:12:5 denies; baseline tier: not reached: the admin tier decided"
    )
  })
})
