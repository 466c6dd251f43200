/** reach on a large table: the class-level form by default (said on stderr), pod by pod on request, a refusal past the limit. */
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from '../harness.js'

const pods = 1001
const cluster = [
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n',
  ...Array.from({ length: pods }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  namespace: n\n  labels:\n    app: ${i % 2 === 0 ? 'web' : 'db'}\nspec:\n  containers:\n  - name: main\nstatus:\n  podIP: 10.0.${i >> 8}.${i & 255}\n`)
].join('---\n')
const policy =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: db\n  namespace: n\nspec:\n  podSelector:\n    matchLabels:\n      app: db\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: web\n    ports:\n    - port: 5432\n'
const dir = tempFiles({ 'cluster.yaml': cluster, 'policy.yaml': policy })
const args = ['reach', '-f', path.join(dir, 'policy.yaml'), '--cluster', path.join(dir, 'cluster.yaml')]

describe('reach on a large table', () => {
  it('prints the class-level form when -o is not given, and says so on stderr', async () => {
    const r = await runCli([...args, '--port', '5432'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe(
      'netpolx: note: the pod-by-pod table would have 1,001 endpoints × 1,001 × 1 port = 1,002,001 cells; printing endpoints in groups that behave alike instead (-o table or -o json for pod by pod)\n'
    )
    expect(r.stdout).toBe(
      [
        '# k8s: 1,001 endpoints in 2 groups that behave alike, on TCP 5432',
        "# each group's endpoints are allowed to and from the same endpoints; flows: sources -> destinations : ports",
        'G1: 501 endpoints in n with app=web: n/p0, n/p10, n/p100 and 498 more',
        'G2: 500 endpoints in n with app=db: n/p1, n/p101, n/p103 and 497 more',
        '',
        'G1 -> G1, G2 : TCP 5432',
        'G2 -> G1 : TCP 5432',
        ''
      ].join('\n')
    )
  })

  it('keeps the pod-by-pod JSON for those who ask', async () => {
    const r = await runCli([...args, '--port', '5432', '-o', 'json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const j = JSON.parse(r.stdout) as { endpoints: ReadonlyArray<string>; tables: ReadonlyArray<{ allowed: ReadonlyArray<ReadonlyArray<boolean>> }> }
    expect(j.endpoints.length).toBe(pods)
    const allowed = j.tables[0]?.allowed ?? []
    // n/p0 (web) reaches n/p1 (db); n/p1 (db) does not reach n/p3 (db)
    const at = (from: string, to: string) => allowed[j.endpoints.indexOf(from)]?.[j.endpoints.indexOf(to)]
    expect([at('n/p0', 'n/p1'), at('n/p1', 'n/p3'), at('n/p1', 'n/p0')]).toEqual([true, false, true])
  })

  it('refuses a pod-by-pod result past a billion cells before writing anything, naming the way out', async () => {
    const ports = Array.from({ length: 1000 }, (_, i) => ['--port', String(1000 + i)]).flat()
    const r = await runCli([...args, ...ports, '-o', 'json'])
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'netpolx: error too-large: the pod-by-pod JSON would have 1,001 endpoints × 1,001 × 1,000 ports = 1,002,001,000 cells, more than the 1,000,000,000 netpolx writes; use -o classes (or -o classes-json) for endpoints in groups that behave alike, or probe fewer ports with --port\n'
    })
    // the class-level form of the same result is small
    const c = await runCli([...args, ...ports, '-o', 'classes'])
    expect(c.code).toBe(0)
    expect(c.stdout.split('\n').length).toBeLessThan(20)
  })
})
