/**
 * `netpolx explain` through the CLI: Calico tiers (Pass, Deny, end of tier), Cilium deny-wins over
 * a matching allow, not-isolated endpoints, addresses as endpoints, --left/--right, JSON, and the
 * usage errors.
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

const calico = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 10}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.quarantine}
spec:
  tier: security
  order: 10
  selector: app == 'a'
  types: [Ingress]
  ingress:
  - action: Deny
    source: {selector: quarantine == 'true'}
  - action: Pass
    source: {selector: app == 'c'}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: default.a-from-c, namespace: x}
spec:
  tier: default
  order: 100
  selector: app == 'a'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source: {selector: app == 'c'}
    destination: {ports: [80]}
`

const cilium = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: a-from-all, namespace: x}
spec:
  endpointSelector: {matchLabels: {app: a}}
  ingress:
  - fromEntities: [cluster]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: quarantine}
spec:
  endpointSelector: {matchLabels: {app: a}}
  ingressDeny:
  - fromEndpoints:
    - matchLabels: {quarantine: "true"}
`

const files = () => tempFiles({ 'cluster.yaml': cluster, 'calico.yaml': calico, 'cilium.yaml': cilium })

const explain = async (dir: string, policies: string, from: string, to: string, port: string, ...extra: ReadonlyArray<string>) =>
  runCli(['explain', '-f', path.join(dir, policies), '--cluster', path.join(dir, 'cluster.yaml'), '--from', from, '--to', to, '--port', port, ...extra])

describe('netpolx explain', () => {
  it('calico: a Deny in the first tier decides, with its file:line', async () => {
    const dir = files()
    const r = await explain(dir, 'calico.yaml', 'x/b', 'x/a', '80/TCP')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const file = path.join(dir, 'calico.yaml')
    expect(r.stdout).toContain('x/b -> x/a 80/TCP under calico: DENIED\n')
    expect(r.stdout).toContain('  egress of x/b: allowed, no policy selects it: not isolated\n')
    expect(r.stdout).toContain(`  ingress of x/a: denied, rule 1 of security.quarantine (deny `)
    expect(r.stdout).toContain(`at ${file}:15:5 denies\n`)
    expect(r.stdout).toContain(`      1. security.quarantine (GlobalNetworkPolicy, tier security, order 10) at ${file}:6:1\n      2. x/default.a-from-c (NetworkPolicy, tier default, order 100) at ${file}:20:1\n`)
  })

  it('calico: Pass leaves the tier, the next tier allows', async () => {
    const dir = files()
    const r = await explain(dir, 'calico.yaml', 'x/c', 'x/a', '80/TCP', '-o', 'json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout) as { allowed: boolean; ingress: { matched: ReadonlyArray<{ action: string; location: string }>; decision: { kind: string; rule: { policy: string; location: string } } } }
    expect(j.allowed).toBe(true)
    expect(j.ingress.matched.map((m) => m.action)).toEqual(['pass', 'allow'])
    expect(j.ingress.decision.kind).toBe('rule')
    expect(j.ingress.decision.rule.policy).toBe('x/default.a-from-c')
    expect(j.ingress.decision.rule.location).toBe(`${path.join(dir, 'calico.yaml')}:29:5`)
  })

  it("calico: on another port the pass still leaves tier security, and tier default's end denies", async () => {
    const r = await explain(files(), 'calico.yaml', 'x/c', 'x/a', '81/TCP')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('DENIED')
    expect(r.stdout).toContain(`ingress of x/a: denied, no rule of tier "default" matches; the tier's default action denies`)
  })

  it('cilium: a deny wins over a matching allow, whatever the order', async () => {
    const r = await explain(files(), 'cilium.yaml', '10.0.0.2', 'x/a', '80')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('x/b -> x/a 80/TCP under cilium: DENIED\n')
    expect(r.stdout).toContain('ingress of x/a: denied, rule 1 of quarantine (deny ')
    expect(r.stdout).toMatch(/rules matching from x\/b:\n {6}rule 1 of quarantine \(deny [^\n]*\n {6}rule 1 of x\/a-from-all \(allow entity cluster/)
  })

  it('an address outside the cluster is an endpoint; nothing selects it', async () => {
    const r = await explain(files(), 'cilium.yaml', 'x/a', '192.0.2.9', '443/TCP')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('x/a -> 192.0.2.9 443/TCP under cilium: ALLOWED\n  egress of x/a: allowed, no policy selects it: not isolated\n  ingress of 192.0.2.9: allowed, no policy selects it: not isolated\n')
  })

  it('--left/--right says which side allows and why', async () => {
    const dir = files()
    const r = await runCli([
      'explain', '--left', path.join(dir, 'calico.yaml'), '--right', path.join(dir, 'cilium.yaml'), '--cluster', path.join(dir, 'cluster.yaml'),
      '--from', 'x/c', '--to', 'x/a', '--port', '81/TCP'
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe(
      `left (calico) denies because ingress of x/a: no rule of tier "default" matches; the tier's default action denies; right (cilium) allows because ingress of x/a: rule 1 of x/a-from-all (allow entity cluster, ports any) at ${path.join(dir, 'cilium.yaml')}:7:5 allows`
    )
  })

  it('refuses an unknown pod and a missing policy set with exit 2', async () => {
    const dir = files()
    const r = await explain(dir, 'calico.yaml', 'x/nope', 'x/a', '80/TCP')
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('netpolx: error usage: --from: no pod x/nope in the cluster inventory\n')
    expect(r.stdout).toBe('')
    const s = await runCli(['explain', '--cluster', path.join(dir, 'cluster.yaml'), '--from', 'x/a', '--to', 'x/b', '--port', '80'])
    expect(s.code).toBe(2)
    expect(s.stderr).toContain('no policies given')
  })
})
