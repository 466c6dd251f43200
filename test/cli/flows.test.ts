/**
 * `reach` and `equiv` on source ports and ICMP (issue 13 §3), through the CLI: `--port ICMP/TYPE[/CODE]`,
 * the JSON contract (source-port and ICMP fields only where they are in play), the table headers.
 */
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from './harness.js'

const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {kubernetes.io/metadata.name: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.2}
`

const calico = (ingress: string): string => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  selector: pod == 'b'
  types: [Ingress]
  ingress:
${ingress}`

const sourcePorts = calico(`  - action: Deny
    protocol: TCP
    source:
      ports: [151]
  - action: Allow
`)

const ping = calico(`  - action: Allow
    protocol: ICMP
    icmp: {type: 8}
`)

describe('reach on ICMP and source ports', () => {
  it('--port ICMP/8 probes echo requests; the JSON table gives protocol, type and code', async () => {
    const dir = tempFiles({ 'c.yaml': cluster, 'p.yaml': ping })
    const r = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'c.yaml'), '--port', 'ICMP/8', '--port', 'icmp/0', '-o', 'json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      [
        '{',
        '  "cni": "calico",',
        '  "endpoints": ["x/a","x/b"],',
        '  "tables": [',
        '    {"protocol": "ICMP", "type": 8, "code": 0, "allowed": [',
        '      [true, true],',
        '      [true, true]',
        '    ]},',
        '    {"protocol": "ICMP", "type": 0, "code": 0, "allowed": [',
        '      [true, false],',
        '      [true, false]',
        '    ]}',
        '  ]',
        '}',
        ''
      ].join('\n')
    )
  })

  it('probes the ICMP types the policies mention by default, with a table header per type and code', async () => {
    const dir = tempFiles({ 'c.yaml': cluster, 'p.yaml': ping })
    const r = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'c.yaml')])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n').filter((l) => /^(ICMP|\d)/.test(l))).toEqual(['80/TCP', 'ICMP/0/0', 'ICMP/8/0', 'ICMP/9/0'])
  })

  it('adds "sourcePort" to the JSON tables only where source ports are in play', async () => {
    const dir = tempFiles({ 'c.yaml': cluster, 'p.yaml': sourcePorts })
    const r = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'c.yaml'), '--port', '80/TCP', '--port', '53/UDP', '-o', 'json'])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n').filter((l) => l.includes('"port"'))).toEqual([
      '    {"port": 80, "protocol": "TCP", "sourcePort": 1, "allowed": [',
      '    {"port": 80, "protocol": "TCP", "sourcePort": 151, "allowed": [',
      '    {"port": 80, "protocol": "TCP", "sourcePort": 152, "allowed": [',
      '    {"port": 53, "protocol": "UDP", "allowed": ['
    ])
    expect(r.stdout).toContain('"sourcePort": 151, "allowed": [\n      [true, false],\n      [true, false]\n    ]}')
  })

  it('refuses an ICMP type or code past 255 and an unknown protocol, exit 2', async () => {
    const dir = tempFiles({ 'c.yaml': cluster, 'p.yaml': ping })
    const bad = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'c.yaml'), '--port', 'ICMP/8/256'])
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'netpolx: error usage: invalid --port "ICMP/8/256": ICMP type and code must be 0-255\n' })
    const gre = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'c.yaml'), '--port', '47/GRE'])
    expect(gre.code).toBe(2)
    expect(gre.stderr).toContain('protocol must be TCP, UDP or SCTP (ICMP and ICMPv6 probes are written ICMP/TYPE[/CODE])')
  })
})

describe('equiv on ICMP and source ports', () => {
  it('compares ICMP types and names the differing type and code', async () => {
    const reply = calico(`  - action: Allow
    protocol: ICMP
    icmp: {type: 0}
`)
    const dir = tempFiles({ 'c.yaml': cluster, 'l.yaml': ping, 'r.yaml': reply })
    const r = await runCli(['equiv', '--left', path.join(dir, 'l.yaml'), '--right', path.join(dir, 'r.yaml'), '--cluster', path.join(dir, 'c.yaml'), '--port', 'ICMP/8', '--port', 'ICMP/0'])
    expect(r.code).toBe(1)
    expect(r.stdout.split('\n')[0]).toBe(
      `x/a -> x/b ICMP/8/0: left allows (ingress of x/b by x/p: rule 1 of x/p at ${path.join(dir, 'l.yaml')}:9:5 allows), right denies (ingress of x/b by x/p: no rule matches: end of tier "default" denies)`
    )
    const json = await runCli(['equiv', '--left', path.join(dir, 'l.yaml'), '--right', path.join(dir, 'r.yaml'), '--cluster', path.join(dir, 'c.yaml'), '--port', 'ICMP/8', '-o', 'json'])
    expect(json.stdout).toContain('"ports": [{"protocol": "ICMP", "type": 8, "code": 0}],')
    expect(json.stdout).toContain('{"from": "x/a", "to": "x/b", "protocol": "ICMP", "type": 8, "code": 0, "left": true, "right": false,')
  })

  it('tells a deny by source port from a deny of all TCP by the source ports the rule leaves alone', async () => {
    const allTcp = calico(`  - action: Deny
    protocol: TCP
  - action: Allow
`)
    const dir = tempFiles({ 'c.yaml': cluster, 'l.yaml': sourcePorts, 'r.yaml': allTcp })
    const r = await runCli(['equiv', '--left', path.join(dir, 'l.yaml'), '--right', path.join(dir, 'r.yaml'), '--cluster', path.join(dir, 'c.yaml'), '--port', '80/TCP', '-o', 'json'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('"ports": [{"port": 80, "protocol": "TCP", "sourcePort": 1}, {"port": 80, "protocol": "TCP", "sourcePort": 151}, {"port": 80, "protocol": "TCP", "sourcePort": 152}],')
    expect(r.stdout).toContain('{"from": "x/a", "to": "x/b", "port": 80, "protocol": "TCP", "sourcePort": 152, "left": true, "right": false,')
    expect(r.stdout).not.toContain('"sourcePort": 151, "left"')
  })
})
