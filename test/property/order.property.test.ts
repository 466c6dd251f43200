/**
 * Output independent of input order (issue 14 item 5): the same documents, shuffled (each in a
 * file of its own, so positions stay the same), give byte-identical output, the same findings and
 * the same fidelity, for every source and target dialect, with and without a cluster inventory;
 * through the CLI, the order of `-f` files does not matter either.
 */
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as YAML from 'yaml'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import type { DialectName } from '../../src/ir/policy.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { runCli, tempFiles } from '../cli/harness.js'
import { params } from '../property.js'
import { calicoPoliciesArb, ciliumPoliciesArb, clusterArb, k8sPoliciesArb } from './generators.js'

const targets: ReadonlyArray<DialectName> = ['k8s', 'calico', 'cilium']

/** One YAML text per document. */
const split = (yaml: string): ReadonlyArray<string> => YAML.parseAllDocuments(yaml).map((d) => d.toString())

/** A policy set of one dialect, or Kubernetes policies mixed with Calico or Cilium ones. */
const setArb: fc.Arbitrary<ReadonlyArray<string>> = fc.oneof(
  k8sPoliciesArb.map(split),
  calicoPoliciesArb.map(split),
  ciliumPoliciesArb.map(split),
  fc.tuple(k8sPoliciesArb, ciliumPoliciesArb).map(([a, b]) => [...split(a), ...split(b)]),
  fc.tuple(k8sPoliciesArb, calicoPoliciesArb).map(([a, b]) => [...split(a), ...split(b)])
)

/** Documents (sometimes one of them given twice, as when a file is passed twice) with a permutation of them. */
const shuffledArb = setArb.chain((set) =>
  fc.option(fc.nat({ max: Math.max(0, set.length - 1) }), { nil: undefined }).map((again) => (again === undefined || set[again] === undefined ? set : [...set, set[again]]))
).chain((docs) =>
  fc.shuffledSubarray(
    docs.map((_, i) => i),
    { minLength: docs.length, maxLength: docs.length }
  ).map((order) => ({ docs, order }))
)

const run = (docs: ReadonlyArray<string>, order: ReadonlyArray<number>, to: DialectName, cluster: string | undefined) => {
  const read = order.flatMap((i) => parseText(`doc${i}.yaml`, docs[i] ?? '').docs)
  const parsed = parseDocs(read)
  const target = dialectByName(to)
  if (target === undefined) throw new Error(`no dialect ${to}`)
  const inventory = cluster === undefined ? undefined : load(parseText('cluster.yaml', cluster).docs).inventory
  const t = translate(parsed, target, inventory)
  return {
    yaml: serialise([...t.objects, ...parsed.passthrough.map((d) => ({ object: d.value, comments: [] }))], 'yaml'),
    diagnostics: D.sort([...parsed.diagnostics, ...t.diagnostics]).map(D.render),
    fidelity: t.fidelity
  }
}

describe('output does not depend on input order', () => {
  it('property: shuffled documents give byte-identical output, findings and fidelity', () => {
    fc.assert(
      fc.property(shuffledArb, fc.option(clusterArb, { nil: undefined }), ({ docs, order }, cluster) => {
        for (const to of targets) {
          const inOrder = run(docs, docs.map((_, i) => i), to, cluster)
          expect(run(docs, order, to, cluster)).toEqual(inOrder)
        }
      }),
      params(25)
    )
  })

  it('reversed -f files give the same bytes through the CLI, for every target (issue 14 reproducer)', async () => {
    const knp = (name: string, app: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: ${app}}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {role: ${name}}}}]\n`
    const dir = tempFiles({
      'one.yaml': `${knp('web', 'web')}---\n${knp('db', 'db')}`,
      'two.yaml': knp('api', 'api'),
      'three.yaml': 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: web, namespace: x}\nspec:\n  order: 10\n  selector: all()\n  ingress:\n  - action: Deny\n    source: {selector: "role == \'bad\'"}\n'
    })
    const files = ['one.yaml', 'two.yaml', 'three.yaml'].map((f) => path.join(dir, f))
    for (const to of targets) {
      const forward = await runCli(['translate', ...files.flatMap((f) => ['-f', f]), '--to', to, '--allow-lossy'])
      const backward = await runCli(['translate', ...[...files].reverse().flatMap((f) => ['-f', f]), '--to', to, '--allow-lossy'])
      expect(backward).toEqual(forward)
      expect(forward.stdout).not.toBe('')
    }
    const calico = await runCli(['translate', ...files.flatMap((f) => ['-f', f]), '--to', 'calico'])
    // Kubernetes policies at 1000 as Calico places them; the user's Calico policy keeps its order 10, before them
    const orders = YAML.parseAllDocuments(calico.stdout).map((d) => {
      const o = d.toJS() as { metadata: { name: string }; spec: { order?: number } }
      return [o.metadata.name, o.spec.order]
    })
    expect(orders).toEqual([
      ['web', 10],
      ['api', 1000],
      ['db', 1000],
      ['web-2', 1000]
    ])
  })
})
