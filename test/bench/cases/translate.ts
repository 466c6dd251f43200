/**
 * Bench cases for translate with an inventory and equiv of its result (issue 15: each ≤ 10× the
 * time of reading and parsing the same inputs alone), per source dialect: Kubernetes, Calico (tiers,
 * GlobalNetworkPolicies, Deny/Pass) and Cilium (deny sections, entities, CIDR rules).
 */
import type { Dialect } from '../../../dialects/dialect.js'
import { calico as calicoDialect } from '../../../dialects/calico/index.js'
import { cilium as ciliumDialect } from '../../../dialects/cilium/index.js'
import { k8s as k8sDialect } from '../../../dialects/k8s/index.js'
import { load } from '../../../src/cluster/inventory.js'
import { parseText } from '../../../src/io/source.js'
import { serialise } from '../../../src/io/serialise.js'
import { defaultCni, parseDocs, translate } from '../../../src/pipeline.js'
import { equiv } from '../../../src/semantics/equiv.js'
import { modelByName } from '../../../src/semantics/models.js'
import { calicoPoliciesYaml, ciliumPoliciesYaml, clusterYaml, policiesYaml } from '../generate.js'
import { bestOf, fmt, ratio } from '../measure.js'

type Source = 'k8s' | 'calico' | 'cilium'

const generators: Readonly<Record<Source, (count: number, namespaces: number) => string>> = {
  k8s: policiesYaml,
  calico: calicoPoliciesYaml,
  cilium: ciliumPoliciesYaml
}

const targets: Readonly<Record<string, Dialect>> = { k8s: k8sDialect, calico: calicoDialect, cilium: ciliumDialect }

/** translate `count` policies of `source` to `target` with a `pods`-pod inventory, then equiv of input and output. */
export const translateWithInventory = async (source: Source, target: string, count: number, pods: number): Promise<ReadonlyArray<string>> => {
  const namespaces = Math.max(1, Math.floor(pods / 10))
  const policies = generators[source](count, namespaces)
  const cluster = clusterYaml(pods, namespaces)
  const dialect = targets[target]
  if (dialect === undefined) return [`unknown target ${target}`]
  const readAndParse = () => {
    const parsed = parseDocs(parseText('policies.yaml', policies).docs)
    const inventory = load(parseText('cluster.yaml', cluster).docs).inventory
    return { parsed, inventory }
  }
  const base = await bestOf(2, readAndParse)
  const tr = await bestOf(1, () => {
    const { parsed, inventory } = readAndParse()
    const t = translate(parsed, dialect, inventory)
    return { text: serialise(t.objects, 'yaml'), fidelity: t.fidelity }
  })
  const output = tr.value.text
  const baseBoth = await bestOf(1, () => {
    readAndParse()
    return parseDocs(parseText('output.yaml', output).docs)
  })
  const eq = await bestOf(1, () => {
    const { parsed, inventory } = readAndParse()
    const right = parseDocs(parseText('output.yaml', output).docs)
    const lm = modelByName(defaultCni(parsed))
    const rm = modelByName(target)
    if (lm === undefined || rm === undefined) return undefined
    return equiv({ set: parsed.set, model: lm }, { set: right.set, model: rm }, inventory, undefined, 10)
  })
  const e = eq.value
  const verdict = e === undefined ? 'no model' : e.equivalent ? `equivalent on ${e.probes.length} ports` : `${e.total} differing flows (fidelity ${tr.value.fidelity})`
  return [
    `translate ${count} ${source} policies → ${target}, ${pods} pods: ${fmt(tr.cpu)}; reading+parsing alone ${fmt(base.cpu)}; ratio ${ratio(tr, base)} (budget 10)`,
    `  equiv of input and output: ${fmt(eq.cpu)} (${verdict}); reading+parsing both alone ${fmt(baseBoth.cpu)}; ratio ${ratio(eq, baseBoth)} (budget 10)`
  ]
}
