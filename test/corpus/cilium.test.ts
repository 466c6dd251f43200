/**
 * Every CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy of the shared corpus parses into IR
 * (or fails for a documented, correct reason), nothing throws, what the IR cannot carry is
 * reported with its fidelity, and parsing is deterministic.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isCiliumPolicyDocument } from '../../dialects/cilium/codec.js'
import { cilium } from '../../dialects/cilium/index.js'
import * as D from '../../src/diagnostics.js'
import type { SourceDoc } from '../../src/io/source.js'
import { parseText } from '../../src/io/source.js'
import type { PolicySet } from '../../src/ir/policy.js'
import { corpusDir, corpusFiles, corpusPresent } from './corpus.js'

/**
 * Files Cilium itself rejects (under its default agent flags), and why (rendered diagnostics):
 * - `isovalent-cilium-up-and-running/invalid-policy.yaml` is invalid on purpose (SOURCES.md): the
 *   book's chapter 12 example of a policy Cilium refuses, toEndpoints and toEntities in one egress
 *   rule — "at most one peer kind per rule" (research/cilium.md §1.3, `rule_validation.go`);
 * - `cilium-cilium/requires.yaml` uses fromRequires, removed in Cilium 1.19: the CRD allows no
 *   items (research/cilium.md §1.3; Documentation/operations/upgrade.rst);
 * - `cilium-cilium/auth.yaml` uses `auth: {type: "null"}`, renamed to `authentication: {mode: …}`
 *   before 1.14 (§1.9 documents only `authentication`); the example was never updated;
 * - `cilium-cilium/allow-extended-protocols.yaml` has a VRRP entry without a port, valid only with
 *   the agent flag enable-extended-ip-protocols, default false (research/cilium.md §1.4).
 */
const expectedErrors: Readonly<Record<string, ReadonlyArray<string>>> = {
  'cilium/cilium-cilium/allow-extended-protocols.yaml': [
    'cilium/cilium-cilium/allow-extended-protocols.yaml:23:9: error invalid-policy: spec.egress[0].toPorts[0].ports[5]: port must be specified (a VRRP entry may omit it only with the agent flag enable-extended-ip-protocols)'
  ],
  'cilium/cilium-cilium/auth.yaml': ['cilium/cilium-cilium/auth.yaml:14:7: error invalid-field: spec.egress[0].auth: unknown field "auth" in EgressRule'],
  'cilium/cilium-cilium/requires.yaml': [
    'cilium/cilium-cilium/requires.yaml:12:7: error invalid-policy: specs[0].ingress[0].fromRequires: fromRequires is not supported: it was deprecated in Cilium 1.17 and removed in 1.19 (the CRD allows no items)'
  ],
  'cilium/isovalent-cilium-up-and-running/invalid-policy.yaml': [
    'cilium/isovalent-cilium-up-and-running/invalid-policy.yaml:14:9: error invalid-policy: spec.egress[0].toEntities: combining ToEndpoints and ToEntities is not supported yet'
  ]
}

/**
 * Files with constructs the IR cannot carry, by diagnostic code and fidelity:
 * - AWS security groups (`toGroups`) and CiliumCIDRGroup references are resolved only inside a
 *   cluster: the IR treats them as selecting nothing, so those allow rules allow less;
 * - a TLS SNI allow-list (`serverNames`) is dropped, so the rule allows more.
 */
const expectedLosses: Readonly<Record<string, ReadonlyArray<string>>> = {
  'cilium/cilium-cilium/aws.block-3.yaml': ['unsupported-groups narrower'],
  'cilium/cilium-cilium/ciliumcidrgroup.block-2.yaml': ['unsupported-cidr-group narrower', 'unsupported-cidr-group narrower'],
  'cilium/cilium-cilium/l4_sni.yaml': ['unsupported-server-names broader']
}

const serialise = (set: PolicySet): string => JSON.stringify(set, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))

const ciliumDocs = (file: string): ReadonlyArray<SourceDoc> => {
  const read = parseText(file, fs.readFileSync(path.join(corpusDir, file), 'utf8'))
  expect(read.diagnostics.map(D.render)).toEqual([])
  return read.docs.filter((d) => isCiliumPolicyDocument(d.value))
}

describe('corpus: cilium parse', () => {
  if (!corpusPresent) {
    it('the shared corpus is not present beside the project: cilium corpus checks did not run', () => {
      console.warn(`netpolx: corpus not found at ${corpusDir}; cilium corpus tests did not run`)
      expect(fs.existsSync(corpusDir)).toBe(false)
    })
    return
  }
  const files = corpusFiles('cilium')
  it('finds the corpus files (SOURCES.md: 140 files)', () => expect(files.length).toBe(140))
  it('lists only existing files as failing or lossy', () =>
    expect([...Object.keys(expectedErrors), ...Object.keys(expectedLosses)].filter((f) => !files.includes(f))).toEqual([]))
  for (const file of files) {
    it(file, () => {
      const docs = ciliumDocs(file)
      expect(docs.length).toBeGreaterThan(0)
      const outs = docs.map((d) => cilium.parse(d))
      const diagnostics = outs.flatMap((o) => o.diagnostics)
      expect(D.sort(diagnostics.filter((d) => d.severity === 'error')).map(D.render)).toEqual(expectedErrors[file] ?? [])
      expect(diagnostics.flatMap((d) => (d.fidelity === undefined ? [] : [`${d.code} ${d.fidelity}`]))).toEqual(expectedLosses[file] ?? [])
      outs.forEach((o) => {
        // an invalid document yields no IR; a valid one a policy per rule
        if (D.hasErrors(o.diagnostics)) expect(o.set.policies).toEqual([])
        else expect(o.set.policies.length).toBeGreaterThan(0)
        for (const p of o.set.policies) expect(p.origin.dialect).toBe('cilium')
      })
      // deterministic: the same documents give the same IR and the same diagnostics
      const again = ciliumDocs(file).map((d) => cilium.parse(d))
      expect(again.map((o) => serialise(o.set))).toEqual(outs.map((o) => serialise(o.set)))
      expect(again.flatMap((o) => o.diagnostics).map(D.render)).toEqual(diagnostics.map(D.render))
    })
  }
  it('holds the 145 policy documents SOURCES.md counts', () => expect(files.reduce((n, f) => n + ciliumDocs(f).length, 0)).toBe(145))
})
