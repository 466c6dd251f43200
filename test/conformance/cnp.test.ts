/**
 * Every upstream ClusterNetworkPolicy conformance truth table reproduces under `reach --cni k8s`
 * (the API's own semantics), through the CLI's JSON output.
 */
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from '../cli/harness.js'
import type { CnpCase } from './cnp-cases.js'
import { cnpDifferences, loadCnpCases } from './cnp-cases.js'

const cases = loadCnpCases()

interface ReachJson {
  readonly cni: string
  readonly endpoints: ReadonlyArray<string>
  readonly tables: ReadonlyArray<{ readonly port: number; readonly protocol: string; readonly allowed: ReadonlyArray<ReadonlyArray<boolean>> }>
}

/** `netpolx reach -o json --cni CNI` of a policy file on the case's cluster, as differences from the case's tables, and its stderr. */
export const cnpReach = async (cni: string, dir: string, policyFile: string, c: CnpCase): Promise<{ readonly differences: ReadonlyArray<string>; readonly stderr: string }> => {
  const ports = c.expect.flatMap((e) => ['--port', `${e.port}/${e.protocol}`])
  const r = await runCli(['reach', '-f', policyFile, '--cluster', path.join(dir, 'cluster.yaml'), '--cni', cni, '-o', 'json', ...ports])
  expect(r.code).toBe(0)
  const out = JSON.parse(r.stdout) as ReachJson
  expect(out.cni).toBe(cni)
  const differences = c.expect.flatMap((e, k) => {
    const t = out.tables[k]
    expect(t?.port).toBe(e.port)
    expect(t?.protocol).toBe(e.protocol)
    return cnpDifferences(e, out.endpoints, t?.allowed ?? [])
  })
  return { differences, stderr: r.stderr }
}

describe('upstream ClusterNetworkPolicy conformance under the k8s model', () => {
  it('has every case, each asserting some cell', () => {
    expect(cases.length).toBe(48)
    for (const c of cases) expect(c.expect.some((e) => e.allowed.some((row) => row.some((x) => x !== undefined)))).toBe(true)
  })

  for (const c of cases)
    it(`${c.file}: ${c.name}`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      const r = await cnpReach('k8s', dir, path.join(dir, 'policies.yaml'), c)
      expect(r.stderr).toBe('')
      expect(r.differences).toEqual([])
    })
})
