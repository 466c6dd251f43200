/**
 * Stable output (DESIGN.md §2 step 6): translating every file of the shared corpus to each target
 * twice — from a fresh read each time, the second time in reverse file order — gives byte-identical YAML, comments included, and an
 * identical report.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseText } from '../../src/io/source.js'
import { serialise } from '../../src/io/serialise.js'
import { dialectNames } from '../../src/ir/policy.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { reportJson } from '../../src/report.js'
import { corpusDir, corpusFiles, corpusPresent } from '../corpus/corpus.js'

/** What `translate --allow-lossy --report json` writes for one file and target: the YAML, then the report. */
const translated = (file: string, text: string, target: string): string => {
  const dialect = dialectByName(target)
  if (dialect === undefined) return `no dialect ${target}`
  const parsed = parseDocs(parseText(file, text).docs)
  const t = translate(parsed, dialect, undefined)
  const docs = [...t.objects, ...parsed.passthrough.map((d) => ({ object: d.value, comments: [] }))]
  return `${serialise(docs, 'yaml')}\n${serialise(docs, 'json')}\n${reportJson([...parsed.diagnostics, ...t.diagnostics], t.fidelity)}`
}

describe('byte-identical output', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project: the corpus determinism check did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; corpus determinism tests did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = ['k8s', 'calico', 'cilium'].flatMap(corpusFiles).filter((f) => /\.(ya?ml|json)$/.test(f))
  it('finds the corpus', () => expect(files.length).toBeGreaterThan(300))
  for (const target of dialectNames)
    it(`translating the whole corpus to ${target} twice gives the same bytes`, () => {
      const run = (names: ReadonlyArray<string>): ReadonlyArray<string> => names.map((f) => translated(f, fs.readFileSync(path.join(corpusDir, f), 'utf8'), target))
      const first = run(files)
      // the second run goes backwards, so that no state left by one file can shape the next one's output unnoticed
      const second = [...run([...files].reverse())].reverse()
      const differing = files.filter((_, i) => first[i] !== second[i])
      expect(differing).toEqual([])
      // the run produced output worth comparing
      expect(first.filter((s) => s.startsWith('apiVersion')).length).toBeGreaterThan(0)
    })
})
