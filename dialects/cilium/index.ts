/** The Cilium dialect (cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy). */
import type { Dialect } from '../dialect.js'
import { emit } from './emit.js'
import { parse } from './parse.js'

export const cilium: Dialect = {
  name: 'cilium',
  accepts: (apiVersion, kind) => apiVersion === 'cilium.io/v2' && (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy'),
  parse,
  emit
}
