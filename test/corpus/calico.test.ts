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
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { calico } from '../../src/semantics/calico.js'
import { k8s } from '../../src/semantics/k8s.js'
import { parseDocs } from '../../src/pipeline.js'
import { corpusDir, corpusFiles, corpusPresent } from './corpus.js'
import { checkHonest } from './translate-honesty.js'

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
      checkHonest(file, parsed, k8sDialect, calico, k8s)
    })
  }
})
