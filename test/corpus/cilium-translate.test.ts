/**
 * Every Cilium document of the shared corpus translates to Kubernetes and to Calico without
 * crashing, with an honest fidelity report (`translate-honesty.ts`): the cilium model's truth
 * table of the input against the target model's table of the re-parsed output. Decoding is covered
 * by cilium.test.ts, which lists the files Cilium rejects.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { calico as calicoDialect } from '../../dialects/calico/index.js'
import { k8s as k8sDialect } from '../../dialects/k8s/index.js'
import * as D from '../../src/diagnostics.js'
import { parseText } from '../../src/io/source.js'
import { parseDocs } from '../../src/pipeline.js'
import { calico } from '../../src/semantics/calico.js'
import { cilium } from '../../src/semantics/cilium.js'
import { k8s } from '../../src/semantics/k8s.js'
import { corpusDir, corpusFiles, corpusPresent } from './corpus.js'
import { checkHonest } from './translate-honesty.js'

describe('corpus: cilium → k8s, cilium → calico', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project: corpus checks did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; corpus tests did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = corpusFiles('cilium')
  it('finds the corpus files', () => expect(files.length).toBe(140))
  for (const file of files) {
    it(file, () => {
      const read = parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8'))
      const parsed = parseDocs(read.docs)
      if (D.hasErrors(read.diagnostics) || D.hasErrors(parsed.diagnostics) || parsed.set.policies.length === 0) return
      checkHonest(file, parsed, k8sDialect, cilium, k8s)
      checkHonest(file, parsed, calicoDialect, cilium, calico)
    })
  }
})
