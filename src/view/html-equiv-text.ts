/** One counterexample of `equiv` as the cells of a report row: the flow, and each side's verdict with its reason. */
import type { Difference } from '../semantics/equiv.js'
import { probeText } from '../semantics/probes.js'

export const differenceText = (d: Difference): { readonly flow: string; readonly left: string; readonly right: string } => ({
  flow: `${d.from} -> ${d.to} ${probeText(d.probe)}`,
  left: `${d.left ? 'allows' : 'denies'}: ${d.leftReason}`,
  right: `${d.right ? 'allows' : 'denies'}: ${d.rightReason}`
})
