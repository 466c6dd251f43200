/** IR → cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (being written). */
import * as D from '../../src/diagnostics.js'
import type { PolicySet } from '../../src/ir/policy.js'
import { qualifiedName } from '../../src/ir/policy.js'
import type { EmitOptions, EmitOutput } from '../dialect.js'

export const emit = (set: PolicySet, _options: EmitOptions): EmitOutput => ({
  objects: [],
  diagnostics: set.policies.map((p) =>
    D.loss('unsupported', 'unsupported-dialect', `${p.origin.kind} ${qualifiedName(p.origin)}: the Cilium emitter is not written yet`, p.origin.location)
  )
})
