/** The Kubernetes NetworkPolicy dialect (networking.k8s.io/v1). */
import type { Dialect } from '../dialect.js'
import { emit } from './emit.js'
import { parse } from './parse.js'

export const k8s: Dialect = {
  name: 'k8s',
  accepts: (apiVersion, kind) => kind === 'NetworkPolicy' && apiVersion.startsWith('networking.k8s.io/'),
  parse,
  emit
}
