/**
 * The Kubernetes cluster-scoped network policy dialect: policy.networking.k8s.io/v1alpha2
 * ClusterNetworkPolicy, and the v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy it
 * replaces (read, and written with `emitV1`).
 */
import type { Dialect } from '../dialect.js'
import { emit } from './emit.js'
import { parseCnp, parseV1 } from './parse.js'

export const cnpGroup = 'policy.networking.k8s.io'

export const cnp: Dialect = {
  name: 'cnp',
  accepts: (apiVersion, kind) =>
    apiVersion.startsWith(`${cnpGroup}/`) && (kind === 'ClusterNetworkPolicy' || kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy'),
  parse: (doc) => {
    const kind = (doc.value as { kind?: unknown }).kind
    return kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy' ? parseV1(doc, kind) : parseCnp(doc)
  },
  emit
}
