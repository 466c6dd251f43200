/**
 * Bench case for `equiv` without `--cluster` (issue 19 budget: prove a 1,000-policy set against
 * its translation, in each direction, ≤ 10 s on the 2-core machine), and how the time grows with
 * the number of policies and with the number of distinct label keys.
 */
import type { Dialect } from '../../../dialects/dialect.js'
import { calico as calicoDialect } from '../../../dialects/calico/index.js'
import { cilium as ciliumDialect } from '../../../dialects/cilium/index.js'
import { k8s as k8sDialect } from '../../../dialects/k8s/index.js'
import { parseText } from '../../../src/io/source.js'
import { serialise } from '../../../src/io/serialise.js'
import { parseDocs, translate } from '../../../src/pipeline.js'
import { modelByName } from '../../../src/semantics/models.js'
import { prove } from '../../../src/semantics/prove.js'
import { policiesYaml } from '../generate.js'
import { bestOf, fmt } from '../measure.js'

const targets: Readonly<Record<string, Dialect>> = { k8s: k8sDialect, calico: calicoDialect, cilium: ciliumDialect }

/** `policiesYaml` with the `tier` label key spread over `keys` distinct keys (`tier0`, `tier1`, …). */
const withKeys = (count: number, keys: number): string =>
  policiesYaml(count, Math.max(1, Math.floor(count / 10)))
    .split('---\n')
    .map((p, k) => (keys <= 1 ? p : p.replace(/\btier\b/g, `tier${k % keys}`)))
    .join('---\n')

/** Proves `count` Kubernetes policies against their translation to `target`, each way round. */
export const proveTranslation = async (target: string, count: number, keys = 1): Promise<ReadonlyArray<string>> => {
  const dialect = targets[target]
  const k8s = modelByName('k8s')
  const tm = modelByName(target)
  if (dialect === undefined || k8s === undefined || tm === undefined) return [`unknown target ${target}`]
  const parsed = parseDocs(parseText('policies.yaml', withKeys(count, keys)).docs)
  const t = translate(parsed, dialect, undefined, 'k8s')
  const right = parseDocs(parseText('output.yaml', serialise(t.objects, 'yaml')).docs)
  const there = await bestOf(1, () => prove({ set: parsed.set, model: k8s }, { set: right.set, model: tm }))
  const back = await bestOf(1, () => prove({ set: right.set, model: tm }, { set: parsed.set, model: k8s }))
  const label = `prove k8s<->${target} ${count} policies, ${keys} tier key(s)`
  return [
    `${label}: k8s vs ${target} ${fmt(there.cpu)} CPU (${there.value._tag}; fidelity ${t.fidelity}), ${target} vs k8s ${fmt(back.cpu)} CPU (${back.value._tag})`
  ]
}
