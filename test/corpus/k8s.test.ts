/**
 * Every NetworkPolicy of the shared corpus decodes (or fails for a documented, correct reason),
 * and `translate --to k8s` keeps its truth table on an inventory generated to exercise it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { k8s as dialect } from '../../dialects/k8s/index.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { toYaml } from '../../src/io/serialise.js'
import { parseDocs, translate } from '../../src/pipeline.js'
import { k8s } from '../../src/semantics/k8s.js'
import { tableDifferences } from '../equal-tables.js'
import { inventoryFor } from '../inventory-gen.js'
import { corpusDir, corpusFiles, corpusPresent } from './corpus.js'

/** Files whose NetworkPolicies the API server itself would reject, and why (rendered diagnostics). */
const expectedErrors: Readonly<Record<string, ReadonlyArray<string>>> = {}

describe('corpus: k8s', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project: corpus checks did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; corpus tests did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = corpusFiles('k8s')
  it('finds the corpus files', () => expect(files.length).toBe(120))
  for (const file of files) {
    it(file, () => {
      const text = fs.readFileSync(path.join(corpusDir, file), 'utf8')
      const read = parseText(file, text)
      expect(read.diagnostics.map(D.render)).toEqual([])
      const parsed = parseDocs(read.docs)
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)
      expect(errors).toEqual(expectedErrors[file] ?? [])
      if (errors.length > 0) return
      expect(parsed.set.policies.length).toBeGreaterThan(0)
      const t = translate(parsed.set, dialect, undefined)
      expect(t.diagnostics.map(D.render)).toEqual([])
      const again = parseDocs(parseText('translated.yaml', toYaml(t.objects)).docs)
      expect(again.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
      expect(tableDifferences(parsed.set, again.set, inventoryFor(parsed.set), k8s, k8s)).toEqual([])
    })
  }
})
