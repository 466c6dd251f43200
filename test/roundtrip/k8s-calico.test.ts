/**
 * Kubernetes → Calico → Kubernetes through text, for every conformance case and every
 * NetworkPolicy file of the shared corpus: where the fidelity is exact, the intermediate Calico
 * resources under the calico model and the final NetworkPolicies under the k8s model have the
 * truth table of the original under the k8s model, on an inventory generated to exercise them.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as D from '../../src/diagnostics.js'
import { toYaml } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import type { Parsed } from '../../src/pipeline.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { calico as calicoModel } from '../../src/semantics/calico.js'
import { k8s as k8sModel } from '../../src/semantics/k8s.js'
import { emptyPolicies, loadCases } from '../conformance/cases.js'
import { corpusDir, corpusFiles, corpusPresent } from '../corpus/corpus.js'
import { tableDifferences } from '../equal-tables.js'
import { inventoryFor } from '../inventory-gen.js'

/** Corpus files the API server rejects (see test/corpus/k8s.test.ts for the reasons). */
const rejected: ReadonlyArray<string> = [
  'k8s/cilium-cilium/client-egress-to-cidr-external-knp.yaml',
  'k8s/kubernetes-sigs-network-policy-api/Getting_Started_with_ANP.block-1.yaml'
]

const dialect = (name: string) => {
  const d = dialectByName(name)
  if (d === undefined) throw new Error(`no dialect ${name}`)
  return d
}

const parseYaml = (file: string, text: string): Parsed => {
  const read = parseText(file, text)
  expect(read.diagnostics.map(D.render)).toEqual([])
  return parseDocs(read.docs)
}

const notInfo = (ds: ReadonlyArray<D.Diagnostic>): ReadonlyArray<string> => ds.filter((d) => d.severity !== 'info').map(D.render)

const roundTrip = (file: string, text: string): void => {
  const original = parseYaml(file, text)
  const errors = original.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) {
    expect(rejected).toContain(file)
    return
  }
  // only the upstream case whose policies were all deleted holds none (issue 13 §2)
  const empty = text === emptyPolicies
  expect(original.set.policies.length > 0).toBe(!empty)

  const toCalico = translate(original, dialect('calico'), undefined)
  expect(notInfo(toCalico.diagnostics)).toEqual([])
  expect(toCalico.fidelity).toBe('exact')
  // an empty output is written as the empty List (src/cli/common.ts writeOutput)
  const written = (objects: Parameters<typeof toYaml>[0]): string => (objects.length === 0 ? emptyPolicies : toYaml(objects))
  const calicoText = written(toCalico.objects)
  const viaCalico = parseYaml('calico.yaml', calicoText)
  expect(notInfo(viaCalico.diagnostics)).toEqual([])
  expect(viaCalico.dialects).toEqual(empty ? [] : ['calico'])

  const toK8s = translate(viaCalico, dialect('k8s'), undefined)
  expect(notInfo(toK8s.diagnostics)).toEqual([])
  const back = parseYaml('k8s.yaml', written(toK8s.objects))
  expect(notInfo(back.diagnostics)).toEqual([])

  const inventory = inventoryFor(original.set)
  expect(tableDifferences(original.set, viaCalico.set, inventory, k8sModel, calicoModel)).toEqual([])
  if (toK8s.fidelity === 'exact') expect(tableDifferences(original.set, back.set, inventory, k8sModel, k8sModel)).toEqual([])
  else expect(D.isFaithful(toK8s.fidelity)).toBe(true)
}

describe('round trip k8s → calico → k8s: conformance cases', () => {
  for (const c of loadCases()) {
    it(c.file, () => roundTrip(c.file, c.policies))
  }
})

describe('round trip k8s → calico → k8s: corpus', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project: corpus round trips did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; corpus round trips did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = corpusFiles('k8s')
  it('finds the corpus files', () => expect(files.length).toBe(120))
  for (const file of files) it(file, () => roundTrip(file, fs.readFileSync(path.join(corpusDir, file), 'utf8')))
})
