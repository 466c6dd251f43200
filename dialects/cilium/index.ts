/** The Cilium dialect (cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy; the CiliumCIDRGroups they reference). */
import type { Dialect } from '../dialect.js'
import { isCidrGroup } from './cidr-group.js'
import { emit } from './emit.js'
import { parse } from './parse.js'

export const cilium: Dialect = {
  name: 'cilium',
  accepts: (apiVersion, kind) =>
    (apiVersion === 'cilium.io/v2' && (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy')) || isCidrGroup(apiVersion, kind),
  parse,
  emit
}
