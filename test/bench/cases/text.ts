/**
 * Bench cases for the text paths: translate 10,000 Kubernetes policies YAML → YAML against the
 * `yaml` package's own parse + stringify of the same documents, and JSON → JSON against
 * JSON.parse + JSON.stringify (issue 15 item 3: budgets 1.1× and 5×).
 */
import * as YAML from 'yaml'
import { k8s as k8sDialect } from '../../../dialects/k8s/index.js'
import { parseText } from '../../../src/io/source.js'
import { serialise } from '../../../src/io/serialise.js'
import { parseDocs, translate } from '../../../src/pipeline.js'
import { policiesYaml } from '../generate.js'
import { fmt, interleaved, ratio } from '../measure.js'

export const translateYaml = async (count = 10_000): Promise<ReadonlyArray<string>> => {
  const text = policiesYaml(count, Math.max(1, Math.floor(count / 4)))
  const [yamlOnly, ours] = await interleaved(
    5,
    () => YAML.parseAllDocuments(text).map((d) => YAML.stringify(d.toJS() as unknown)).join('---\n'),
    () => serialise(translate(parseDocs(parseText('bench.yaml', text).docs), k8sDialect, undefined).objects, 'yaml')
  )
  return [`translate ${count} k8s policies YAML → YAML: ${fmt(ours.cpu)}; yaml package parse+stringify: ${fmt(yamlOnly.cpu)}; ratio ${ratio(ours, yamlOnly)} (budget 1.10)`]
}

export const translateJson = async (count = 10_000): Promise<ReadonlyArray<string>> => {
  const text = policiesYaml(count, Math.max(1, Math.floor(count / 4)))
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown) })
  const [jsonOnly, ours] = await interleaved(
    5,
    () => JSON.stringify(JSON.parse(json) as unknown, null, 2),
    () => serialise(translate(parseDocs(parseText('bench.json', json).docs), k8sDialect, undefined).objects, 'json')
  )
  return [`translate ${count} k8s policies JSON → JSON: ${fmt(ours.cpu)}; JSON.parse+stringify: ${fmt(jsonOnly.cpu)}; ratio ${ratio(ours, jsonOnly)} (budget 5)`]
}
