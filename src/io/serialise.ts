/**
 * One serialisation for everything netpolx writes: YAML (kubectl style, sequences not indented,
 * no line folding) or JSON, keys in the order the emitters built them, so output is byte-for-byte
 * deterministic. Comments attach to the node at their path.
 *
 * YAML is written with the YAML 1.1 schema: kubectl and most Kubernetes tooling read YAML 1.1, where
 * plain `on`, `yes`, `y`, `off`, `no`, `1:30` are booleans or numbers, so such strings are quoted.
 * An object shared between two places is written twice, never as an anchor and alias.
 */
import * as YAML from 'yaml'
import type { Path } from './source.js'
import { fastYaml } from './yaml-fast.js'

export interface Commented {
  readonly object: unknown
  readonly comments: ReadonlyArray<{ readonly path: Path; readonly text: string }>
}

export type Format = 'yaml' | 'json'

const yamlOptions = { indentSeq: false, lineWidth: 0, minContentWidth: 0 } as const

/** One document as the `yaml` package writes it (the reference; `fastYaml` gives the same bytes where it applies). */
export const yamlDocument = (d: Commented): string => {
  const doc = new YAML.Document(d.object, { aliasDuplicateObjects: false, version: '1.1' })
  for (const c of d.comments) {
    const node = doc.getIn(c.path, true)
    if (YAML.isNode(node)) node.commentBefore = node.commentBefore === undefined || node.commentBefore === null ? c.text : `${node.commentBefore}\n${c.text}`
  }
  return doc.toString(yamlOptions)
}

/** Documents without comments take the fast writer (src/io/yaml-fast.ts) when it applies. */
export const toYaml = (docs: ReadonlyArray<Commented>): string =>
  docs.map((d) => (d.comments.length === 0 ? (fastYaml(d.object) ?? yamlDocument(d)) : yamlDocument(d))).join('---\n')

/** One object as itself; several as a `kind: List`, as `kubectl get -o json` writes them. */
export const toJson = (objects: ReadonlyArray<unknown>): string =>
  `${JSON.stringify(objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`

export const serialise = (docs: ReadonlyArray<Commented>, format: Format): string =>
  format === 'json' ? toJson(docs.map((d) => d.object)) : toYaml(docs)
