/**
 * Every upstream e2e truth table reproduces under `reach --cni cilium` after `translate --to cilium
 * --cluster <the case's cluster>`, through the CLI: the translation must be faithful (exit 0, no
 * finding printed), every emitted object must be one Cilium accepts (the CRD shape and
 * `validatePolicy`), and Cilium's enforcement model must give upstream's table.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as YAML from 'yaml'
import { CiliumPolicy, validatePolicy } from '../../dialects/cilium/codec.js'
import { runCli, tempFiles } from '../cli/harness.js'
import { emptyPolicies, loadCases, reachDifferences } from './cases.js'

const cases = loadCases()

const reachAll = (dir: string, policyFile: string, c: (typeof cases)[number]): Promise<ReadonlyArray<string>> => reachDifferences('cilium', dir, policyFile, c)

/** Problems Cilium would report for the translated documents: not a CNP/CCNP, a shape the CRD rejects, or a rule `validatePolicy` rejects. */
const rejected = (yaml: string): ReadonlyArray<string> =>
  YAML.parseAllDocuments(yaml).flatMap((d, i) => {
    const decoded = CiliumPolicy.decode(d.toJS())
    if (E.isLeft(decoded)) return [`document ${i}: not a valid CiliumNetworkPolicy/CiliumClusterwideNetworkPolicy`]
    return validatePolicy(decoded.right).map((p) => `document ${i} at ${p.path.join('.')}: ${p.message}`)
  })

describe('upstream conformance under the cilium model, after translate --to cilium', () => {
  it('has every case', () => expect(cases.length).toBe(34))

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      const t = await runCli(['translate', '-f', path.join(dir, 'policies.yaml'), '--to', 'cilium', '--cluster', path.join(dir, 'cluster.yaml')])
      expect(t.stderr).toBe('')
      expect(t.code).toBe(0)
      // the empty set (all policies deleted) is an empty List (issue 13 §2)
      if (c.policies === emptyPolicies) expect(t.stdout).toBe(emptyPolicies)
      else expect(t.stdout).toContain('apiVersion: cilium.io/v2')
      expect(t.stdout).not.toContain('networking.k8s.io')
      if (c.policies !== emptyPolicies) expect(rejected(t.stdout)).toEqual([])
      fs.writeFileSync(path.join(dir, 'translated.yaml'), t.stdout)
      expect(await reachAll(dir, path.join(dir, 'translated.yaml'), c)).toEqual([])
    })
  }
})
