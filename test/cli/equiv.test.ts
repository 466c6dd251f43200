/** `netpolx equiv` as text: exit codes, stdout and stderr, the JSON form, across dialects. */
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from './harness.js'

const cluster = `apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: v1
kind: Namespace
metadata: {name: y}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b, tier: web}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: x}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: y, labels: {app: a}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.1}
`

const k8sPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: x}
spec:
  podSelector: {matchLabels: {tier: web}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchExpressions: [{key: app, operator: NotIn, values: [a]}]
    ports: [{port: 80, protocol: TCP}]
`

const calicoPolicy = (selector: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-web, namespace: x}
spec:
  selector: tier == 'web'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: ${selector}
    destination:
      ports: [80]
`

const ciliumPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: allow-web, namespace: x}
spec:
  endpointSelector: {matchLabels: {tier: web}}
  ingress:
  - fromEndpoints:
    - matchExpressions: [{key: app, operator: NotIn, values: [a]}]
    toPorts:
    - ports: [{port: "80", protocol: TCP}]
`

const dir = tempFiles({
  'cluster.yaml': cluster,
  'k8s.yaml': k8sPolicy,
  'calico-equal.yaml': calicoPolicy(`"app != 'a'"`),
  'calico-narrower.yaml': calicoPolicy(`"has(app) && app != 'a'"`),
  'cilium.yaml': ciliumPolicy,
  'deny.yaml': `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: deny-a, namespace: x}
spec:
  selector: all()
  types: [Ingress]
  ingress:
  - action: Deny
    source:
      selector: app == 'a'
`,
  'invalid.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n'
})
const f = (name: string) => path.join(dir, name)
const base = ['--cluster', f('cluster.yaml')]

const endOfTier = 'ingress of x/b by x/allow-web: no rule matches: end of tier "default" denies'
const narrowerLine = (left: string): string => `x/c -> x/b 80/TCP: left allows (ingress of x/b by x/allow-web: rule 1 of x/allow-web at ${left} allows), right denies (${endOfTier})`

describe('equiv', () => {
  it('exits 0 when a Kubernetes policy under k8s and its Calico equivalent under calico agree', async () => {
    const r = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('calico-equal.yaml'), ...base, '--left-cni', 'k8s', '--right-cni', 'calico'])
    expect(r).toEqual({ code: 0, stdout: 'equivalent: the truth tables agree on 5 ports over 4 endpoints\n', stderr: '' })
  })

  it('exits 1 and lists the differing flow when the Calico selector also requires the label', async () => {
    const r = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('calico-narrower.yaml'), ...base, '--left-cni', 'k8s', '--right-cni', 'calico'])
    expect(r).toEqual({
      code: 1,
      stdout: `${narrowerLine(`${f('k8s.yaml')}:8:5`)}\n1 differing flow (left allows 1 the right denies, right allows 0 the left denies)\n`,
      stderr: ''
    })
    const swapped = await runCli(['equiv', '--left', f('calico-narrower.yaml'), '--right', f('k8s.yaml'), ...base])
    expect(swapped).toEqual({
      code: 1,
      stdout:
        `x/c -> x/b 80/TCP: left denies (${endOfTier}), right allows (ingress of x/b by x/allow-web: rule 1 of x/allow-web at ${f('k8s.yaml')}:8:5 allows)\n` +
        '1 differing flow (left allows 0 the right denies, right allows 1 the left denies)\n',
      stderr: ''
    })
  })

  it('prints the JSON form, with each side defaulting to the CNI of its dialect', async () => {
    const r = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('calico-narrower.yaml'), ...base, '-o', 'json'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({
      equivalent: false,
      leftCni: 'k8s',
      rightCni: 'calico',
      ports: [
        { port: 1, protocol: 'TCP' },
        { port: 80, protocol: 'TCP' },
        { port: 81, protocol: 'TCP' },
        { port: 1, protocol: 'UDP' },
        { port: 1, protocol: 'SCTP' }
      ],
      differences: [
        { from: 'x/c', to: 'x/b', port: 80, protocol: 'TCP', left: true, right: false, leftReason: `ingress of x/b by x/allow-web: rule 1 of x/allow-web at ${f('k8s.yaml')}:8:5 allows`, rightReason: endOfTier }
      ],
      endpoints: 4,
      total: 1,
      leftAllowsOnly: 1,
      rightAllowsOnly: 0,
      omitted: 0
    })
    const again = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('calico-narrower.yaml'), ...base, '-o', 'json'])
    expect(again.stdout).toBe(r.stdout)
    const equal = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('calico-equal.yaml'), ...base, '-o', 'json', '--port', '80/TCP'])
    expect(equal.code).toBe(0)
    expect(JSON.parse(equal.stdout)).toMatchObject({ equivalent: true, ports: [{ port: 80, protocol: 'TCP' }], differences: [], total: 0 })
  })

  it('a CiliumNetworkPolicy under cilium agrees with the Kubernetes policy, and differs from the narrower Calico one', async () => {
    expect(await runCli(['equiv', '--left', f('cilium.yaml'), '--right', f('k8s.yaml'), ...base])).toEqual({
      code: 0,
      stdout: 'equivalent: the truth tables agree on 5 ports over 4 endpoints\n',
      stderr: ''
    })
    const r = await runCli(['equiv', '--left', f('cilium.yaml'), '--right', f('calico-narrower.yaml'), ...base, '--port', '80'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(`${narrowerLine(`${f('cilium.yaml')}:7:5`)}\n1 differing flow (left allows 1 the right denies, right allows 0 the left denies)\n`)
  })

  it('compares the same policies under two CNIs, external addresses included', async () => {
    const r = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('k8s.yaml'), ...base, '--right-cni', 'cilium', '--external', '203.0.113.7', '--port', '80'])
    expect(r).toEqual({ code: 0, stdout: 'equivalent: the truth tables agree on 1 port over 5 endpoints\n', stderr: '' })
  })

  it('reads one side from standard input', async () => {
    const r = await runCli(['equiv', '--left', '-', '--right', f('calico-narrower.yaml'), ...base, '--port', '80/tcp'], k8sPolicy)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(`${narrowerLine('<stdin>:8:5')}\n1 differing flow (left allows 1 the right denies, right allows 0 the left denies)\n`)
  })

  it('lists at most 1000 differing flows and counts them all', async () => {
    const ports = Array.from({ length: 130 }, (_, i) => ['--port', String(1000 + i)]).flat()
    // under calico, deny-a drops every flow into x (app=a by its rule, the rest at the end of the
    // tier); on these ports the left side allows the flows into x/a and x/c (4 sources each): 8 per port
    const r = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('deny.yaml'), ...base, ...ports, '--left-cni', 'calico'])
    expect(r.code).toBe(1)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.length).toBe(1002)
    expect(lines[0]).toBe(`x/a -> x/a 1000/TCP: left allows (not isolated), right denies (ingress of x/a by x/deny-a: rule 1 of x/deny-a at ${f('deny.yaml')}:8:5 denies)`)
    expect(lines[1000]).toBe('... 40 more differing flows not shown')
    expect(lines[1001]).toBe('1040 differing flows (left allows 1040 the right denies, right allows 0 the left denies)')
  })
})

describe('equiv: bad input and invocation exit 2', () => {
  it('reports an invalid policy with its position', async () => {
    const r = await runCli(['equiv', '--left', f('invalid.yaml'), '--right', f('k8s.yaml'), ...base])
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `${f('invalid.yaml')}:7:17: error invalid-field: spec.policyTypes[0]: invalid policy type "Sideways": expected one of Ingress, Egress\n`
    })
  })

  it('reports a model that cannot evaluate a side', async () => {
    const r = await runCli(['equiv', '--left', f('deny.yaml'), '--right', f('k8s.yaml'), ...base, '--left-cni', 'k8s'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^.*deny\.yaml:\d+:\d+: error model-unsupported: the k8s model has allow rules only; x\/deny-a has a deny rule/)
  })

  it('refuses standard input on both sides, a bad port, an unreadable file, a missing option', async () => {
    expect(await runCli(['equiv', '--left', '-', '--right', '-', ...base])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'netpolx: error usage: standard input can be read once: give - to at most one of --left, --right, --cluster\n'
    })
    expect(await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('k8s.yaml'), ...base, '--port', '80/ICMP'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'netpolx: error usage: invalid --port "80/ICMP": protocol must be TCP, UDP or SCTP (ICMP and ICMPv6 probes are written ICMP/TYPE[/CODE])\n'
    })
    const missing = await runCli(['equiv', '--left', f('nope.yaml'), '--right', f('k8s.yaml'), ...base])
    expect(missing.code).toBe(2)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toContain('nope.yaml')
    const noRight = await runCli(['equiv', '--left', f('k8s.yaml'), ...base])
    expect(noRight.code).toBe(2)
    expect(noRight.stderr).toContain("required option '--right <path>' not specified")
    const badCni = await runCli(['equiv', '--left', f('k8s.yaml'), '--right', f('k8s.yaml'), ...base, '--right-cni', 'weave'])
    expect(badCni.code).toBe(2)
    expect(badCni.stderr).toContain("argument 'weave' is invalid")
  })

  it('has help with exit codes and an example', async () => {
    const r = await runCli(['equiv', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Exit codes: 0 the truth tables agree, 1 they differ, 2 unreadable or invalid input, bad invocation.')
    expect(r.stdout).toContain('netpolx equiv --left k8s/ --right calico/ --cluster cluster.yaml')
  })
})
