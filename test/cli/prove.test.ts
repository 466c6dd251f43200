/**
 * `netpolx equiv` without `--cluster` (issue 19): "equivalent on every cluster" with exit 0 on a
 * translation and its source; exit 1 with a counterexample inventory on different sets, which
 * `equiv --cluster` on it (standard output itself, or the `--counterexample` file) shows again;
 * byte-identical output on every run; option conflicts are usage errors.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from './harness.js'

const policy = (from: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [${from}], ports: [{port: 8080}]}]
  egress: [{to: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]}]
`

describe('equiv on every cluster', () => {
  const dir = tempFiles({
    'left.yaml': policy('{podSelector: {matchLabels: {app: front}}}'),
    'right.yaml': policy('{podSelector: {matchLabels: {app: front}}, namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: prod}}}'),
    'other.yaml': policy('{podSelector: {matchExpressions: [{key: app, operator: In, values: [front, back]}]}}')
  })
  const f = (n: string) => path.join(dir, n)

  it('proves equal sets equivalent and names its bounds', async () => {
    const r = await runCli(['equiv', '--left', f('left.yaml'), '--right', f('right.yaml')])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^equivalent on every cluster, under these bounds:\n {2}- each pod on a node of its own/)
    const again = await runCli(['equiv', '--all-clusters', '--left', f('left.yaml'), '--right', f('right.yaml')])
    expect(again).toEqual(r)
  })

  it('proves a translation equivalent to its source', async () => {
    const out = path.join(dir, 'calico.yaml')
    const t = await runCli(['translate', '-f', f('left.yaml'), '--to', 'calico', '--out', out])
    expect(t.code).toBe(0)
    const r = await runCli(['equiv', '--left', f('left.yaml'), '--right', out])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^equivalent on every cluster/)
  })

  it('prints a counterexample inventory that reproduces under --cluster', async () => {
    const r = await runCli(['equiv', '--left', f('left.yaml'), '--right', f('other.yaml')])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^# not equivalent on every cluster: /)
    const line = r.stdout.split('\n')[0] ?? ''
    const flow = /: (\S+) -> (\S+) (\S+): left (allows|denies)/.exec(line)
    expect(flow).not.toBeNull()
    const cx = path.join(dir, 'cx-stdout.yaml')
    fs.writeFileSync(cx, r.stdout)
    const check = await runCli(['equiv', '--left', f('left.yaml'), '--right', f('other.yaml'), '--cluster', cx])
    expect(check.code).toBe(1)
    expect(check.stdout).toContain(`${flow?.[1]} -> ${flow?.[2]} ${flow?.[3]}: left ${flow?.[4]}`)
    // deterministic
    expect(await runCli(['equiv', '--left', f('left.yaml'), '--right', f('other.yaml')])).toEqual(r)
  })

  it('writes the counterexample to --counterexample FILE', async () => {
    const cx = path.join(dir, 'cx.yaml')
    const r = await runCli(['equiv', '--left', f('left.yaml'), '--right', f('other.yaml'), '--counterexample', cx])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`(the counterexample inventory is in ${cx})`)
    const check = await runCli(['equiv', '--left', f('left.yaml'), '--right', f('other.yaml'), '--cluster', cx])
    expect(check.code).toBe(1)
  })

  it('finds the ipBlock except difference, with any external address to pass', async () => {
    const narrow = tempFiles({ 'n.yaml': policy('{podSelector: {matchLabels: {app: front}}}').replace(', except: [192.168.1.0/24]', '') })
    const r = await runCli(['equiv', '--left', f('left.yaml'), '--right', path.join(narrow, 'n.yaml'), '-o', 'json'])
    expect(r.code).toBe(1)
    const j = JSON.parse(r.stdout) as { verdict: string; difference: { to: string; left: boolean; right: boolean }; externals: Array<string>; reproduce: string; counterexample: string }
    expect(j.verdict).toBe('different')
    expect([j.difference.left, j.difference.right]).toEqual([false, true])
    // the destination sits in the excepted range (a host-network pod or an external address)
    expect(j.counterexample + j.externals.join(' ')).toMatch(/192\.168\.1\.\d+/)
    const cx = path.join(dir, 'cx2.yaml')
    fs.writeFileSync(cx, j.counterexample)
    const check = await runCli(['equiv', '--left', f('left.yaml'), '--right', path.join(narrow, 'n.yaml'), '--cluster', cx, ...j.externals.flatMap((x) => ['--external', x])])
    expect(check.code).toBe(1)
    expect(check.stdout).toContain(`-> ${j.difference.to}`)
  })

  it('refuses options that need a cluster', async () => {
    expect((await runCli(['equiv', '--left', f('left.yaml'), '--right', f('other.yaml'), '--port', '80'])).code).toBe(2)
    expect((await runCli(['equiv', '--left', f('left.yaml'), '--right', f('other.yaml'), '--all-clusters', '--cluster', f('left.yaml')])).code).toBe(2)
  })

  it('translate --prove proves an exact translation and refutes a wrong exact claim', async () => {
    const ok = await runCli(['translate', '-f', f('left.yaml'), '--to', 'calico', '--prove'])
    expect(ok.code).toBe(0)
    expect(ok.stderr).toMatch(/^netpolx: proved: the translation is equivalent to its input on every cluster, under these bounds: /)
    // the refuted claim the property test found (test/semantics/prove.test.ts)
    const named = tempFiles({
      'n.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: a}
spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{protocol: TCP, port: http}]}]}
`
    })
    const bad = await runCli(['translate', '-f', path.join(named, 'n.yaml'), '--to', 'calico', '--prove'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/netpolx: error refuted: the translation claims exact, but on a two-endpoint cluster \S+ -> \S+ \S+: the input allows it, the translation denies it/)
  })
})
