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

/**
 * Files whose NetworkPolicies the API server itself rejects, and why (rendered diagnostics):
 * - Cilium's connectivity-test templates hold Go template placeholders where CIDRs belong;
 * - a Gateway API docs page misspells `matchLabels` as `matchlabels`, an unknown field that
 *   kubectl's strict field validation (the default since Kubernetes 1.27) rejects.
 */
const expectedErrors: Readonly<Record<string, ReadonlyArray<string>>> = {
  'k8s/cilium-cilium/client-egress-to-cidr-external-knp.yaml': [
    'k8s/cilium-cilium/client-egress-to-cidr-external-knp.yaml:14:19: error invalid-field: spec.egress[0].to[0].ipBlock.cidr: invalid CIDR "{{.ExternalCIDRv4}}": expected ADDRESS/PREFIX; it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result',
    'k8s/cilium-cilium/client-egress-to-cidr-external-knp.yaml:16:17: error invalid-field: spec.egress[0].to[0].ipBlock.except[0]: invalid CIDR "{{ .ExternalOtherIPv4 | ipToCIDR }}": expected ADDRESS/PREFIX; it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result',
    'k8s/cilium-cilium/client-egress-to-cidr-external-knp.yaml:18:19: error invalid-field: spec.egress[0].to[1].ipBlock.cidr: invalid CIDR "{{.ExternalCIDRv6}}": expected ADDRESS/PREFIX; it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result',
    'k8s/cilium-cilium/client-egress-to-cidr-external-knp.yaml:20:17: error invalid-field: spec.egress[0].to[1].ipBlock.except[0]: invalid CIDR "{{ .ExternalOtherIPv6 | ipToCIDR }}": expected ADDRESS/PREFIX; it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
  ],
  'k8s/kubernetes-sigs-network-policy-api/Getting_Started_with_ANP.block-1.yaml': [
    'k8s/kubernetes-sigs-network-policy-api/Getting_Started_with_ANP.block-1.yaml:12:13: error invalid-field: spec.ingress[0].from[0].namespaceSelector.matchlabels: unknown field "matchlabels" in LabelSelector',
    'k8s/kubernetes-sigs-network-policy-api/Getting_Started_with_ANP.block-1.yaml:17:13: error invalid-field: spec.egress[0].to[0].namespaceSelector.matchlabels: unknown field "matchlabels" in LabelSelector',
    'k8s/kubernetes-sigs-network-policy-api/Getting_Started_with_ANP.block-1.yaml:20:13: error invalid-field: spec.egress[0].to[0].podSelector.matchlabels: unknown field "matchlabels" in LabelSelector'
  ]
}

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
      const errors = D.sort(parsed.diagnostics.filter((d) => d.severity === 'error')).map(D.render)
      expect(errors).toEqual(expectedErrors[file] ?? [])
      if (errors.length > 0) return
      expect(parsed.set.policies.length).toBeGreaterThan(0)
      const t = translate(parsed, dialect, undefined)
      expect(t.diagnostics.map(D.render)).toEqual([])
      const again = parseDocs(parseText('translated.yaml', toYaml(t.objects)).docs)
      expect(again.diagnostics.filter((d) => d.severity !== 'info').map(D.render)).toEqual([])
      expect(tableDifferences(parsed.set, again.set, inventoryFor(parsed.set), k8s, k8s)).toEqual([])
    })
  }
})
