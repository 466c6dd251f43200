/**
 * `translate --prove` (issue 19 item 2): after translating, proves the output against the input
 * with `prove.ts`, each side under its model (the input under `--from-cni`, the output under the
 * target's). An `exact` claim is proven ("equivalent on every cluster", with the bounds) or refuted
 * (a finding, with the counterexample flow); an `exact-for-inventory` claim is checked on the given
 * inventory with `equiv`, and the report says whether it also holds on every cluster. The
 * direction of `broader` / `narrower` claims is not checked yet: the report says so.
 */
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import type { Dialect } from '../../dialects/dialect.js'
import type { Emitted } from '../../dialects/dialect.js'
import { serialise } from '../io/serialise.js'
import { parseText } from '../io/source.js'
import type { Parsed } from '../pipeline.js'
import { parseDocs } from '../pipeline.js'
import { equiv } from '../semantics/equiv.js'
import type { CniName } from '../semantics/model.js'
import { modelByName } from '../semantics/models.js'
import { prove } from '../semantics/prove.js'
import { probeText } from '../semantics/probes.js'

export interface ProveOutcome {
  /** Lines for standard error. */
  readonly lines: ReadonlyArray<string>
  /** Whether a claim was refuted (exit 1). */
  readonly refuted: boolean
}

const flow = (d: { readonly from: string; readonly to: string; readonly probe: Parameters<typeof probeText>[0]; readonly left: boolean; readonly right: boolean }): string =>
  `${d.from} -> ${d.to} ${probeText(d.probe)}: the input ${d.left ? 'allows' : 'denies'} it, the translation ${d.right ? 'allows' : 'denies'} it`

export const proveTranslation = (parsed: Parsed, fromCni: CniName, target: Dialect, objects: ReadonlyArray<Emitted>, fidelity: D.RunFidelity, inventory: Inventory | undefined): ProveOutcome => {
  const lm = modelByName(fromCni)
  const rm = modelByName(target.name)
  if (lm === undefined || rm === undefined) return { lines: [`netpolx: warning prove: no enforcement model for ${lm === undefined ? fromCni : target.name}; nothing proven`], refuted: false }
  const out = parseDocs(parseText('translation', serialise(objects, 'yaml')).docs)
  const left = { set: parsed.set, model: lm }
  const right = { set: out.set, model: rm }
  const p = prove(left, right)
  const bounds = p.bounds.length === 0 ? '' : `, under these bounds: ${p.bounds.join('; ')}`
  if (fidelity === 'exact') {
    if (p._tag === 'equivalent') return { lines: [`netpolx: proved: the translation is equivalent to its input on every cluster${bounds}`], refuted: false }
    if (p._tag === 'undecided') return { lines: [`netpolx: warning prove: undecided (${p.reason})`], refuted: false }
    return { lines: [`netpolx: error refuted: the translation claims exact, but on a two-endpoint cluster ${flow(p.counterexample.difference)} (netpolx equiv --left INPUT --right OUTPUT prints the cluster)`], refuted: true }
  }
  if (fidelity === 'exact-for-inventory') {
    const everywhere = p._tag === 'equivalent' ? `; it holds on every cluster too${bounds}` : p._tag === 'different' ? `; on other clusters it does not: e.g. ${flow(p.counterexample.difference)}` : ''
    if (inventory === undefined) return { lines: [`netpolx: warning prove: exact-for-inventory without --cluster${everywhere}`], refuted: false }
    const r = equiv(left, right, inventory, undefined, 1)
    const first = r.differences[0]
    if (!r.equivalent && first !== undefined) return { lines: [`netpolx: error refuted: the translation claims exact-for-inventory, but on the given inventory ${flow(first)}`], refuted: true }
    return { lines: [`netpolx: proved: the translation is equivalent to its input on the given inventory${everywhere}`], refuted: false }
  }
  return { lines: [`netpolx: note prove: the translation is ${fidelity}; checking that it errs only in that direction is not implemented yet${p._tag === 'different' ? `; one difference: ${flow(p.counterexample.difference)}` : ''}`], refuted: false }
}
