/** The Calico dialect (projectcalico.org/v3 and the crd.projectcalico.org/v1 CRs of kubectl dumps). */
import * as D from '../../src/diagnostics.js'
import { qualifiedName } from '../../src/ir/policy.js'
import type { Dialect } from '../dialect.js'
import * as K from './codec.js'
import { parse } from './parse.js'

export const calico: Dialect = {
  name: 'calico',
  accepts: (apiVersion, kind) => K.isCalicoApiVersion(apiVersion) && (K.calicoKinds as ReadonlyArray<string>).includes(kind),
  parse,
  emit: (set) => ({
    objects: [],
    diagnostics: set.policies.map((p) =>
      D.loss('unsupported', 'unsupported-dialect', `${p.origin.kind} ${qualifiedName(p.origin)}: the Calico emitter is not written yet`, p.origin.location)
    )
  })
}
