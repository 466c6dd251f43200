/** One counterexample of `equiv` as the cells of a report row: the flow, and each side's verdict with its reason. */
import * as P from '../ir/ports.js'
import type { Difference } from '../semantics/equiv.js'

export const differenceText = (d: Difference): { readonly flow: string; readonly left: string; readonly right: string } => ({
  flow: `${d.from} -> ${d.to} ${d.probe.port}/${P.protocolName(d.probe.protocol)}`,
  left: `${d.left ? 'allows' : 'denies'}: ${d.leftReason}`,
  right: `${d.right ? 'allows' : 'denies'}: ${d.rightReason}`
})
