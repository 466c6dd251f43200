/** The commands on the bundled example: output as text, exit codes, determinism, stdin, --out. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const policies = path.join(root, 'examples', 'shop', 'policies.yaml')
const cluster = path.join(root, 'examples', 'shop', 'cluster.yaml')

describe('reach', () => {
  it('prints the truth table like upstream', async () => {
    const r = await runCli(['reach', '-f', policies, '--cluster', cluster, '--port', '8080/TCP', '--external', '203.0.113.7'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      [
        '8080/TCP',
        '-                      kube-system/coredns monitoring/prometheus shop/cart shop/db shop/frontend 203.0.113.7',
        'kube-system/coredns    .                   .                     X         X       .             .',
        'monitoring/prometheus  .                   .                     X         X       .             .',
        'shop/cart              X                   X                     X         X       X             X',
        'shop/db                X                   X                     X         X       X             X',
        'shop/frontend          X                   X                     .         X       X             X',
        '203.0.113.7            .                   .                     X         X       .             .',
        ''
      ].join('\n')
    )
  })

  it('prints the JSON contract', async () => {
    const r = await runCli(['reach', '-f', policies, '--cluster', cluster, '--port', '5432', '-o', 'json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout) as { cni: string; endpoints: ReadonlyArray<string>; tables: ReadonlyArray<{ port: number; protocol: string; allowed: ReadonlyArray<ReadonlyArray<boolean>> }> }
    expect(j.cni).toBe('k8s')
    expect(j.endpoints).toEqual(['kube-system/coredns', 'monitoring/prometheus', 'shop/cart', 'shop/db', 'shop/frontend'])
    expect(j.tables.map((t) => [t.port, t.protocol])).toEqual([[5432, 'TCP']])
    // only the cart reaches the database
    expect(j.tables[0]?.allowed.map((row) => row[3])).toEqual([false, false, true, false, false])
  })

  it('--cni calico gives Kubernetes policies the same table (they sit in the default tier)', async () => {
    const args = ['reach', '-f', policies, '--cluster', cluster, '--port', '8080', '--port', '53/UDP', '--external', '203.0.113.7', '-o', 'json']
    const k = JSON.parse((await runCli(args)).stdout) as { cni: string; tables: unknown }
    const c = await runCli([...args, '--cni', 'calico'])
    expect(c.code).toBe(0)
    const cj = JSON.parse(c.stdout) as { cni: string; tables: unknown }
    expect(cj.cni).toBe('calico')
    expect(cj.tables).toEqual(k.tables)
  })

  it('reads policies from standard input', async () => {
    const r = await runCli(['reach', '-f', '-', '--cluster', cluster, '--port', '5432', '-o', 'json'], fs.readFileSync(policies, 'utf8'))
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse((await runCli(['reach', '-f', policies, '--cluster', cluster, '--port', '5432', '-o', 'json'])).stdout))
  })
})

describe('translate', () => {
  it('is deterministic and a fixed point on its own output', async () => {
    const a = await runCli(['translate', '-f', policies, '--to', 'k8s'])
    const b = await runCli(['translate', '-f', policies, '--to', 'k8s'])
    expect(a.code).toBe(0)
    expect(a.stderr).toBe('')
    expect(a.stdout).toBe(b.stdout)
    const dir = tempFiles({ 'out.yaml': a.stdout })
    const c = await runCli(['translate', '-f', path.join(dir, 'out.yaml'), '--to', 'k8s'])
    expect(c.stdout).toBe(a.stdout)
  })

  it('writes JSON as a List and --out atomically', async () => {
    const dir = tempFiles({})
    const out = path.join(dir, 'np.json')
    const r = await runCli(['translate', '-f', policies, '--to', 'k8s', '-o', 'json', '--out', out])
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
    const j = JSON.parse(fs.readFileSync(out, 'utf8')) as { kind: string; items: ReadonlyArray<unknown> }
    expect(j.kind).toBe('List')
    expect(j.items.length).toBe(6)
    expect(fs.readdirSync(dir)).toEqual(['np.json'])
  })

  it('writes one file per object into a directory', async () => {
    const dir = tempFiles({})
    const r = await runCli(['translate', '-f', policies, '--to', 'k8s', '--out', `${dir}${path.sep}`])
    expect(r.code).toBe(0)
    expect(fs.readdirSync(dir).sort()).toEqual([
      '.netpolx-manifest',
      'networkpolicy_shop_allow-dns.yaml',
      'networkpolicy_shop_allow-monitoring.yaml',
      'networkpolicy_shop_cart.yaml',
      'networkpolicy_shop_db.yaml',
      'networkpolicy_shop_default-deny.yaml',
      'networkpolicy_shop_frontend.yaml'
    ])
  })

  it('refuses a translation that drops source ports the target cannot say, naming the direction it errs', async () => {
    const dir = tempFiles({
      'p.yaml': [
        'apiVersion: projectcalico.org/v3',
        'kind: NetworkPolicy',
        'metadata: {name: from-high-ports, namespace: x}',
        'spec:',
        "  selector: app == 'db'",
        '  ingress:',
        '  - action: Allow',
        '    protocol: TCP',
        '    source:',
        '      ports: ["1024:65535"]',
        ''
      ].join('\n')
    })
    const out = path.join(dir, 'out.yaml')
    const r = await runCli(['translate', '-f', path.join(dir, 'p.yaml'), '--to', 'k8s', '--out', out])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `${path.join(dir, 'p.yaml')}:7:5: warning source-ports: the rule matches source ports TCP/1024-65535, which a Kubernetes NetworkPolicy cannot say (it matches destination ports only); it is written for every source port, so it allows more\n` +
        'netpolx: error lossy: the translation is broader; nothing written (use --allow-lossy to write it with comments)\n'
    )
    expect(fs.existsSync(out)).toBe(false)
  })

  it('passes unknown kinds through untouched and says so with -v', async () => {
    const dir = tempFiles({ 'in.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n' })
    const r = await runCli(['translate', '-f', path.join(dir, 'in.yaml'), '--to', 'k8s', '-v'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n')
    expect(r.stderr).toBe(`${path.join(dir, 'in.yaml')}:1:1: info unknown-kind: apps/v1 Deployment is not a network policy netpolx knows; passed through untouched\n`)
  })
})

describe('validate', () => {
  it('counts valid policies', async () => {
    expect(await runCli(['validate', '-f', policies])).toEqual({ code: 0, stdout: '6 policies valid\n', stderr: '' })
  })
  it('exits 1 when a policy is invalid', async () => {
    const dir = tempFiles({
      'p.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n'
    })
    const r = await runCli(['validate', '-f', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `${path.join(dir, 'p.yaml')}:7:17: error invalid-field: spec.policyTypes[0]: invalid policy type "Sideways": expected one of Ingress, Egress\n1 error\n`
    )
  })
})
