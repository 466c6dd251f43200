/** cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy → IR (being written). */
import * as D from '../../src/diagnostics.js'
import type { SourceDoc } from '../../src/io/source.js'
import { emptySet } from '../../src/ir/policy.js'
import type { ParseOutput } from '../dialect.js'

export const parse = (doc: SourceDoc): ParseOutput => ({
  set: emptySet,
  diagnostics: [D.loss('unsupported', 'unsupported-dialect', 'Cilium policies are not parsed yet', doc.locate([]))]
})
