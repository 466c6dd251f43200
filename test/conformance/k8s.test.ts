/**
 * Every upstream e2e truth table reproduces under `reach --cni k8s`, through the CLI's JSON output —
 * for the policies as written and after `translate --to k8s` (a normalising round trip).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from '../cli/harness.js'
import { emptyPolicies, loadCases, reachDifferences } from './cases.js'

const cases = loadCases()

const reachAll = (dir: string, policyFile: string, c: (typeof cases)[number]): Promise<ReadonlyArray<string>> => reachDifferences('k8s', dir, policyFile, c)

describe('upstream conformance under the k8s model', () => {
  it('has every case', () => expect(cases.length).toBe(34))

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      expect(await reachAll(dir, path.join(dir, 'policies.yaml'), c)).toEqual([])
    })

    it(`${c.file}: same table after translate --to k8s`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      const t = await runCli(['translate', '-f', path.join(dir, 'policies.yaml'), '--to', 'k8s'])
      expect(t.stderr).toBe('')
      expect(t.code).toBe(0)
      // the empty set (all policies deleted) is an empty List (issue 13 §2)
      if (c.policies === emptyPolicies) expect(t.stdout).toBe(emptyPolicies)
      fs.writeFileSync(path.join(dir, 'translated.yaml'), t.stdout)
      expect(await reachAll(dir, path.join(dir, 'translated.yaml'), c)).toEqual([])
    })
  }
})
