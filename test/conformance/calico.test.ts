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
import { emptyPolicies, loadCases, reachDifferences } from './cases.js'

const cases = loadCases()

const reachAll = (dir: string, policyFile: string, c: (typeof cases)[number]): Promise<ReadonlyArray<string>> => reachDifferences('calico', dir, policyFile, c)

describe('upstream conformance under the calico model', () => {
  it('has every case', () => expect(cases.length).toBe(34))

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      expect(await reachAll(dir, path.join(dir, 'policies.yaml'), c)).toEqual([])
    })

    it(`${c.file}: same table after translate --to calico`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      const t = await runCli(['translate', '-f', path.join(dir, 'policies.yaml'), '--to', 'calico'])
      expect(t.stderr).toBe('')
      expect(t.code).toBe(0)
      const kinds = YAML.parseAllDocuments(t.stdout).map((d) => {
        const o = d.toJS() as { apiVersion?: string; kind?: string }
        return `${o.apiVersion ?? ''} ${o.kind ?? ''}`
      })
      // the empty set (all policies deleted) is an empty List (issue 13 §2)
      if (c.policies === emptyPolicies) expect(t.stdout).toBe(emptyPolicies)
      else expect(kinds.length).toBeGreaterThan(0)
      if (c.policies !== emptyPolicies) expect(kinds.every((k) => k === 'projectcalico.org/v3 NetworkPolicy')).toBe(true)
      fs.writeFileSync(path.join(dir, 'translated.yaml'), t.stdout)
      expect(await reachAll(dir, path.join(dir, 'translated.yaml'), c)).toEqual([])
    })
  }
})
