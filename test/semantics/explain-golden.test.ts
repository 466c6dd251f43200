/**
 * `explain` agrees with `reach` on every golden case that has a cluster (golden/*): under the case's
 * own CNI and the other models that accept it, for every flow between its pods and three external
 * addresses on up to four of its ports, the trace's verdict equals the truth table's and each
 * direction is consistent with the model. This covers what the upstream fixtures do not: Calico
 * tiers, Pass, Deny and network sets, Cilium deny rules, entities and host endpoints.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { load } from '../../src/cluster/inventory.js'
import { parseText } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import { parseDocs } from '../../src/pipeline.js'
import { explainReach } from '../../src/semantics/explain.js'
import { models } from '../../src/semantics/models.js'
import { defaultProbes, matrix } from '../../src/semantics/table.js'

const goldenDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'golden')
const cases = fs
  .readdirSync(goldenDir)
  .filter((c) => fs.existsSync(path.join(goldenDir, c, 'cluster.yaml')) && fs.existsSync(path.join(goldenDir, c, 'input.yaml')))
  .sort()

const externals = ['8.8.8.8', '169.254.169.254', '10.0.0.99'].flatMap((text) => {
  const ip = C.parseIp(text)
  return E.isRight(ip) ? [{ text, ip: ip.right }] : []
})

describe('explain agrees with reach on the golden cases', () => {
  it('has golden cases with clusters', () => expect(cases.length).toBeGreaterThan(10))
  for (const c of cases)
    it(c, () => {
      const parsed = parseDocs(parseText('input.yaml', fs.readFileSync(path.join(goldenDir, c, 'input.yaml'), 'utf8')).docs)
      const inv = { ...load(parseText('cluster.yaml', fs.readFileSync(path.join(goldenDir, c, 'cluster.yaml'), 'utf8')).docs).inventory, externals }
      const problems: Array<string> = []
      let evaluated = 0
      for (const model of models) {
        const { reach, explainer } = explainReach(parsed.set, inv, model, defaultProbes(parsed.set, inv).slice(0, 4))
        if (reach.diagnostics.some((d) => d.severity === 'error')) continue // the model refuses the set (e.g. deny rules under k8s)
        evaluated++
        const ids = reach.classes.endpoints.map((e) => e.id)
        for (const t of reach.tables) {
          const m = matrix(reach, t)
          ids.forEach((from, i) =>
            ids.forEach((to, j) => {
              const f = explainer.flow(i, j, t.probe)
              if (f.allowed !== m[i]?.[j] || !f.egress.consistent || !f.ingress.consistent)
                problems.push(`${model.name}: ${from} -> ${to} ${t.probe.port}: explain ${f.allowed}, reach ${String(m[i]?.[j])}`)
            })
          )
        }
      }
      expect(evaluated).toBeGreaterThan(0)
      expect(problems).toEqual([])
    })
})
