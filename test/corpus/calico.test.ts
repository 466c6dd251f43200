/**
 * Every Calico document of the shared corpus translates to Kubernetes without crashing, and the
 * fidelity it reports is honest: on an inventory generated to exercise the policies (with one
 * external address), a faithful translation (exact, exact-for-inventory) has the calico model's
 * truth table under the k8s model; one reported only `narrower` allows no flow the input does not;
 * one reported only `broader` denies no flow the input allows. Decoding itself is covered by
 * test/dialects/calico-parse.test.ts, which lists the documents Calico rejects and why.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { k8s as k8sDialect } from '../../dialects/k8s/index.js'
import type { Inventory } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { toYaml } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import { parseDocs, translate } from '../../src/pipeline.js'
import { calico } from '../../src/semantics/calico.js'
import { k8s } from '../../src/semantics/k8s.js'
import { tableRelation } from '../equal-tables.js'
import { inventoryFor } from '../inventory-gen.js'
import { corpusDir, corpusFiles, corpusPresent } from './corpus.js'

const external: Inventory['externals'][number] = { text: '203.0.113.9', ip: { family: 4, value: (203n << 24n) + (113n << 8n) + 9n } }

describe('corpus: calico → k8s', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project: corpus checks did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; corpus tests did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = corpusFiles('calico')
  it('finds the corpus files', () => expect(files.length).toBe(106))
  for (const file of files) {
    it(file, () => {
      const read = parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8'))
      const parsed = parseDocs(read.docs)
      if (D.hasErrors(read.diagnostics) || D.hasErrors(parsed.diagnostics) || parsed.set.policies.length === 0) return
      const gen = inventoryFor(parsed.set)
      const inv: Inventory = { ...gen, externals: [...gen.externals, external] }
      const t = translate(parsed, k8sDialect, inv)
      // every finding is positioned in the input (or names the whole run)
      for (const d of t.diagnostics) if (d.location !== undefined) expect(d.location.file).toBe(file)
      const again = parseDocs(parseText('translated.yaml', toYaml(t.objects)).docs)
      expect(again.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
      const rel = tableRelation(parsed.set, again.set, inv, calico, k8s)
      const losses = new Set([...parsed.diagnostics, ...t.diagnostics].flatMap((d) => (d.fidelity === undefined || D.isFaithful(d.fidelity) ? [] : [d.fidelity])))
      if (losses.size === 0) expect(rel).toEqual({ leftOnly: 0, rightOnly: 0 })
      else if (losses.size === 1 && losses.has('narrower')) expect(rel.rightOnly).toBe(0)
      else if (losses.size === 1 && losses.has('broader')) expect(rel.leftOnly).toBe(0)
      else expect(t.fidelity === 'unsupported' || losses.size > 1).toBe(true)
    })
  }
})
