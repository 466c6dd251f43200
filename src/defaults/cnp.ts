/**
 * The defaults as Baseline-tier ClusterNetworkPolicies (`netpolx defaults --to cnp`): see `forCnp`.
 */
import * as D from '../diagnostics.js'
import type { PolicySet } from '../ir/policy.js'
import type { Targeted } from './target.js'

export const forCnp = (set: PolicySet): Targeted => ({
  set,
  fromCni: 'cilium',
  diagnostics: [D.error('not-implemented', 'defaults --to cnp is not available yet')]
})
