/** Compares the truth tables of two policy sets on one inventory; returns the differing flows. */
import type { Inventory } from '../src/cluster/inventory.js'
import type { PolicySet } from '../src/ir/policy.js'
import * as P from '../src/ir/ports.js'
import type { Model } from '../src/semantics/model.js'
import type { Probe } from '../src/semantics/table.js'
import { defaultProbes, matrix, reach } from '../src/semantics/table.js'

export const tableDifferences = (left: PolicySet, right: PolicySet, inv: Inventory, lm: Model, rm: Model): ReadonlyArray<string> => {
  const seen = new Map<string, Probe>()
  for (const p of [...defaultProbes(left, inv), ...defaultProbes(right, inv), { protocol: P.TCP, port: 1 }, { protocol: P.UDP, port: 1 }])
    seen.set(`${p.protocol}/${p.port}`, p)
  const probes = [...seen.values()]
  const a = reach(left, inv, lm, probes)
  const b = reach(right, inv, rm, probes)
  const ids = a.classes.endpoints.map((e) => e.id)
  const out: Array<string> = []
  probes.forEach((p, k) => {
    const ta = a.tables[k]
    const tb = b.tables[k]
    if (ta === undefined || tb === undefined) return
    const ma = matrix(a, ta)
    const mb = matrix(b, tb)
    ma.forEach((row, i) =>
      row.forEach((v, j) => {
        if (mb[i]?.[j] !== v && out.length < 10)
          out.push(`${ids[i] ?? i} -> ${ids[j] ?? j} ${p.port}/${P.protocolName(p.protocol)}: left ${v ? 'allows' : 'denies'}, right ${v ? 'denies' : 'allows'}`)
      })
    )
  })
  return out
}

/** How two policy sets' truth tables relate on one inventory: flows only the left allows, flows only the right allows. */
export const tableRelation = (left: PolicySet, right: PolicySet, inv: Inventory, lm: Model, rm: Model): { readonly leftOnly: number; readonly rightOnly: number } => {
  const seen = new Map<string, Probe>()
  for (const p of [...defaultProbes(left, inv), ...defaultProbes(right, inv), { protocol: P.TCP, port: 1 }, { protocol: P.UDP, port: 1 }])
    seen.set(`${p.protocol}/${p.port}`, p)
  const probes = [...seen.values()]
  const a = reach(left, inv, lm, probes)
  const b = reach(right, inv, rm, probes)
  let leftOnly = 0
  let rightOnly = 0
  probes.forEach((_, k) => {
    const ta = a.tables[k]
    const tb = b.tables[k]
    if (ta === undefined || tb === undefined) return
    const mb = matrix(b, tb)
    matrix(a, ta).forEach((row, i) =>
      row.forEach((v, j) => {
        const w = mb[i]?.[j] ?? false
        if (v && !w) leftOnly++
        if (w && !v) rightOnly++
      })
    )
  })
  return { leftOnly, rightOnly }
}
