/**
 * `-n/--namespace NS` as kubectl applies it: namespaced documents without `metadata.namespace` go
 * to NS, and a document whose namespace differs from NS is an error (kubectl: "the namespace from
 * the provided object ... does not match the namespace ..."). Cluster-scoped kinds and kinds
 * netpolx does not know are left alone.
 *
 * Pure: returns new documents (the value gets the namespace, positions are unchanged) and
 * diagnostics; never throws.
 */
import * as D from '../diagnostics.js'
import type { SourceDoc } from './source.js'

/** The namespaced kinds netpolx reads, by apiVersion. */
const namespacedKinds: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ['networking.k8s.io/v1', ['NetworkPolicy']],
  ['projectcalico.org/v3', ['NetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'NetworkSet']],
  ['crd.projectcalico.org/v1', ['NetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'NetworkSet']],
  ['cilium.io/v2', ['CiliumNetworkPolicy']],
  ['v1', ['Pod', 'Service']]
]

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** Whether a document is of a namespaced kind netpolx knows. */
export const isNamespacedKind = (value: unknown): boolean => {
  if (!isRecord(value)) return false
  const { apiVersion, kind } = value
  return namespacedKinds.some(([v, kinds]) => v === apiVersion && typeof kind === 'string' && kinds.includes(kind))
}

export interface Namespaced {
  readonly docs: ReadonlyArray<SourceDoc>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

/** Puts every namespaced document without a namespace into `namespace`; a different namespace is an error. */
export const applyNamespace = (docs: ReadonlyArray<SourceDoc>, namespace: string): Namespaced => {
  const diagnostics: Array<D.Diagnostic> = []
  const out: Array<SourceDoc> = []
  for (const doc of docs) {
    const value = doc.value
    if (!isNamespacedKind(value) || !isRecord(value)) {
      out.push(doc)
      continue
    }
    const meta = value['metadata']
    const own = isRecord(meta) ? meta['namespace'] : undefined
    if (own === undefined || own === null || own === '') {
      out.push({ ...doc, value: { ...value, metadata: { ...(isRecord(meta) ? meta : {}), namespace } } })
      continue
    }
    if (own !== namespace)
      diagnostics.push(
        D.error(
          'namespace-mismatch',
          `the namespace from the provided object ${JSON.stringify(own)} does not match the namespace ${JSON.stringify(namespace)} given with -n (as kubectl refuses it); remove -n or the object's metadata.namespace`,
          doc.locate(['metadata', 'namespace'])
        )
      )
    out.push(doc)
  }
  return { docs: out, diagnostics }
}
