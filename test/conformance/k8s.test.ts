/**
 * Every upstream e2e truth table reproduces under `reach --cni k8s`, through the CLI's JSON output —
 * for the policies as written and after `translate --to k8s` (a normalising round trip).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from '../cli/harness.js'
import { differences, loadCases } from './cases.js'

interface ReachJson {
  readonly cni: string
  readonly endpoints: ReadonlyArray<string>
  readonly tables: ReadonlyArray<{ readonly port: number; readonly protocol: string; readonly allowed: ReadonlyArray<ReadonlyArray<boolean>> }>
}

const cases = loadCases()

const reachAll = async (dir: string, policyFile: string, c: (typeof cases)[number]): Promise<ReadonlyArray<string>> => {
  const ports = c.expect.flatMap((e) => ['--port', `${e.port}/${e.protocol}`])
  const r = await runCli(['reach', '-f', policyFile, '--cluster', path.join(dir, 'cluster.yaml'), '--cni', 'k8s', '-o', 'json', ...ports])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const out = JSON.parse(r.stdout) as ReachJson
  expect(out.cni).toBe('k8s')
  return c.expect.flatMap((e, k) => {
    const t = out.tables[k]
    expect(t?.port).toBe(e.port)
    expect(t?.protocol).toBe(e.protocol)
    return differences(e, out.endpoints, t?.allowed ?? [])
  })
}

describe('upstream conformance under the k8s model', () => {
  it('has every case', () => expect(cases.length).toBe(33))

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies.trim() === '' ? '# no policies\n' : c.policies })
      const policies = c.policies.trim() === '' ? path.join(dir, 'cluster.yaml') : path.join(dir, 'policies.yaml')
      expect(await reachAll(dir, policies, c)).toEqual([])
    })

    if (c.policies.trim() === '') continue
    it(`${c.file}: same table after translate --to k8s`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      const t = await runCli(['translate', '-f', path.join(dir, 'policies.yaml'), '--to', 'k8s'])
      expect(t.stderr).toBe('')
      expect(t.code).toBe(0)
      fs.writeFileSync(path.join(dir, 'translated.yaml'), t.stdout)
      expect(await reachAll(dir, path.join(dir, 'translated.yaml'), c)).toEqual([])
    })
  }
})
