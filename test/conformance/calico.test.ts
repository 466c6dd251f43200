/**
 * Every upstream e2e truth table reproduces under `reach --cni calico`, through the CLI's JSON
 * output: for the Kubernetes policies as written (Calico enforcing NetworkPolicy, research/calico.md
 * §5, §6), and after `translate --to calico`, for the Calico resources that come out.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as YAML from 'yaml'
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
  const r = await runCli(['reach', '-f', policyFile, '--cluster', path.join(dir, 'cluster.yaml'), '--cni', 'calico', '-o', 'json', ...ports])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const out = JSON.parse(r.stdout) as ReachJson
  expect(out.cni).toBe('calico')
  return c.expect.flatMap((e, k) => {
    const t = out.tables[k]
    expect(t?.port).toBe(e.port)
    expect(t?.protocol).toBe(e.protocol)
    return differences(e, out.endpoints, t?.allowed ?? [])
  })
}

describe('upstream conformance under the calico model', () => {
  it('has every case', () => expect(cases.length).toBe(33))

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies.trim() === '' ? '# no policies\n' : c.policies })
      const policies = c.policies.trim() === '' ? path.join(dir, 'cluster.yaml') : path.join(dir, 'policies.yaml')
      expect(await reachAll(dir, policies, c)).toEqual([])
    })

    if (c.policies.trim() === '') continue
    it(`${c.file}: same table after translate --to calico`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      const t = await runCli(['translate', '-f', path.join(dir, 'policies.yaml'), '--to', 'calico'])
      expect(t.stderr).toBe('')
      expect(t.code).toBe(0)
      const kinds = YAML.parseAllDocuments(t.stdout).map((d) => {
        const o = d.toJS() as { apiVersion?: string; kind?: string }
        return `${o.apiVersion ?? ''} ${o.kind ?? ''}`
      })
      expect(kinds.length).toBeGreaterThan(0)
      expect(kinds.every((k) => k === 'projectcalico.org/v3 NetworkPolicy')).toBe(true)
      fs.writeFileSync(path.join(dir, 'translated.yaml'), t.stdout)
      expect(await reachAll(dir, path.join(dir, 'translated.yaml'), c)).toEqual([])
    })
  }
})
