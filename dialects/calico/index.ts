/** The Calico dialect (projectcalico.org/v3 and the crd.projectcalico.org/v1 CRs of kubectl dumps). */
import type { Dialect } from '../dialect.js'
import * as K from './codec.js'
import { emit } from './emit.js'
import { parse } from './parse.js'

export const calico: Dialect = {
  name: 'calico',
  accepts: (apiVersion, kind) => K.isCalicoApiVersion(apiVersion) && (K.calicoKinds as ReadonlyArray<string>).includes(kind),
  parse,
  emit
}
