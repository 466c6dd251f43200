/**
 * Self-contained HTML reports of truth tables (`reach -o html`) and of comparisons (`equiv -o
 * html`): one file with its data, style and script inline (`html-client.ts`), nothing fetched.
 *
 * Data per side: endpoint classes, and per port a bit matrix over class pairs (so 5,000 pods cost
 * classes², not pods²). Explanations (`semantics/explain.ts`, the same traces as `netpolx explain`)
 * are embedded per direction, subject class and peer class — deduplicated texts, run-length
 * encoded over peer classes — while classes × classes × ports stays within `explainBudget`; above
 * it the page gives the `netpolx explain` command to run for a clicked flow instead.
 */
import type { Inventory } from '../cluster/inventory.js'
import type { Direction, PolicySet } from '../ir/policy.js'
import type { Equivalence } from '../semantics/equiv.js'
import type { DirectionTrace, Explainer } from '../semantics/explain.js'
import { explainer } from '../semantics/explain.js'
import type { Model } from '../semantics/model.js'
import type { Reach } from '../semantics/table.js'
import { allowedBetween } from '../semantics/table.js'
import { decisionText, tierSummary } from './explain-text.js'
import { script, style } from './html-client.js'
import type { Cut } from './reach-text.js'
import { differenceText } from './html-equiv-text.js'
import { probeText } from '../semantics/probes.js'

/** Explanations are embedded while classes² × ports is at most this. */
export const explainBudget = 250_000

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

/** JSON that is safe inside a `<script>` element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')

interface SideInput {
  readonly label: string
  readonly set: PolicySet
  readonly model: Model
  readonly reach: Reach
  /** The command line that explains a flow of this side, without --from/--to/--port. */
  readonly cmd: string
}

const base64Bits = (r: Reach, k: number): string => {
  const n = r.classes.representatives.length
  const t = r.tables[k]
  const bytes = new Uint8Array(Math.ceil((n * n) / 8))
  if (t !== undefined)
    for (let s = 0; s < n; s++)
      for (let d = 0; d < n; d++) {
        const bit = s * n + d
        if (allowedBetween(t, s, d)) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (1 << (bit & 7))
      }
  return Buffer.from(bytes).toString('base64')
}

const policyLine = (p: DirectionTrace['policies'][number]): string =>
  `${p.name} (${p.kind}${p.tier === undefined ? '' : `, tier ${p.tier}, order ${p.order ?? 'none'}`})${p.location === undefined ? '' : ` at ${p.location.file}:${p.location.line}`}`

const explanations = (side: SideInput, inventory: Inventory) => {
  const r = side.reach
  const n = r.classes.representatives.length
  if (n * n * r.tables.length > explainBudget) return null
  const ex: Explainer = explainer(side.set, r.classes, inventory, side.model, side.model.prepare(side.set, r.classes, inventory).prepared)
  const texts: Array<{ readonly a: boolean; readonly t: string; readonly p: ReadonlyArray<string> }> = []
  const index = new Map<string, number>()
  const rle = r.tables.map((t) =>
    (['egress', 'ingress'] as ReadonlyArray<Direction>).map((d) =>
      Array.from({ length: n }, (_, c) => {
        const runs: Array<number> = []
        for (let j = 0; j < n; j++) {
          const tr = ex.direction(d, c, j, t.probe)
          const entry = { a: tr.allowed, t: `${decisionText(tr.decision)}${tierSummary(tr)}${tr.consistent ? '' : ' [inconsistent with the truth table: please report this bug]'}`, p: tr.policies.map(policyLine) }
          const key = JSON.stringify(entry)
          let k = index.get(key)
          if (k === undefined) {
            k = texts.length
            texts.push(entry)
            index.set(key, k)
          }
          if (runs.length > 0 && runs[runs.length - 1] === k) runs[runs.length - 2] = (runs[runs.length - 2] ?? 0) + 1
          else runs.push(1, k)
        }
        return runs
      })
    )
  )
  return { texts, rle }
}

const sideData = (side: SideInput, inventory: Inventory) => ({
  label: side.label,
  cni: side.reach.cni,
  cmd: side.cmd,
  n: side.reach.classes.representatives.length,
  classOf: Array.from(side.reach.classes.classOf),
  allowed: side.reach.tables.map((_, k) => base64Bits(side.reach, k)),
  expl: explanations(side, inventory)
})

const endpointData = (r: Reach, cut: Cut) => {
  const namespaces: Array<string> = []
  const nsIndex = new Map<string, number>()
  const ns = r.classes.endpoints.map((e) => {
    const name = e.namespace ?? '(outside the cluster)'
    let k = nsIndex.get(name)
    if (k === undefined) {
      k = namespaces.length
      namespaces.push(name)
      nsIndex.set(name, k)
    }
    return k
  })
  return { ids: r.classes.endpoints.map((e) => e.id), ns, namespaces, rows: cut.rows, cols: cut.cols, probes: r.tables.map((t) => probeText(t.probe)) }
}

const page = (title: string, subtitle: string, data: unknown, extra: string): string =>
  [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    // nothing may be fetched: inline style and script only
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style></head><body>`,
    `<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>`,
    '<main><div id="left">',
    '<div class="bar" id="ports"></div>',
    '<div class="bar"><button id="expand">expand all</button><button id="collapse">collapse all</button><span class="legend">' +
      (extra === '' ? '<span style="background:#2e7d32"></span>allowed<span style="background:#c62828"></span>denied<span style="background:#f9a825"></span>some of each' : '<span style="background:#7b1fa2"></span>sides differ<span style="background:#ce93d8"></span>some differ<span style="background:#c8e6c9"></span>both allow<span style="background:#ffcdd2"></span>both deny') +
      '</span></div>',
    '<div id="wrap"><canvas id="map" role="img" aria-label="truth table heat map: rows are sources, columns destinations"></canvas></div>',
    '<p>Rows are sources, columns destinations. Click a namespace label to expand or collapse it; click a cell for the explanation.</p>',
    extra,
    '</div><div id="side"><div id="explain"><p>Click a cell to see why the flow is allowed or denied.</p></div></div></main>',
    '<div id="tip"></div>',
    `<script type="application/json" id="data">${scriptJson(data)}</script>`,
    `<script>${script}</script>`,
    '</body></html>',
    ''
  ].join('\n')

/** `reach -o html`. */
export const reachHtml = (set: PolicySet, inventory: Inventory, model: Model, r: Reach, cut: Cut, cmd = 'netpolx explain'): string => {
  const data = { ...endpointData(r, cut), sides: [sideData({ label: r.cni, set, model, reach: r, cmd }, inventory)] }
  return page(
    `netpolx reach — ${r.cni}`,
    `${cut.rows.length} sources × ${cut.cols.length} destinations, ${r.classes.representatives.length} endpoint classes, ${r.tables.length} port(s), under the ${r.cni} model`,
    data,
    ''
  )
}

export interface EquivSides {
  readonly left: SideInput
  readonly right: SideInput
}

/** `equiv -o html`: both sides' tables, differing cells coloured, the counterexamples listed. */
export const equivHtml = (sides: EquivSides, inventory: Inventory, e: Equivalence): string => {
  const all = sides.left.reach.classes.endpoints.map((_, i) => i)
  const data = { ...endpointData(sides.left.reach, { rows: all, cols: all }), sides: [sideData(sides.left, inventory), sideData(sides.right, inventory)] }
  const omitted = e.total - e.differences.length
  const list =
    e.differences.length === 0
      ? '<h2>Equivalent</h2><p>The truth tables agree on every flow.</p>'
      : `<h2>${e.total} differing flow(s)</h2><p>left allows ${e.leftOnly} the right denies; right allows ${e.rightOnly} the left denies.</p><table class="list"><tr><th>flow</th><th>left</th><th>right</th></tr>${e.differences
          .map((d) => differenceText(d))
          .map((d) => `<tr><td><code>${escapeHtml(d.flow)}</code></td><td>${escapeHtml(d.left)}</td><td>${escapeHtml(d.right)}</td></tr>`)
          .join('')}</table>${omitted > 0 ? `<p>… ${omitted} more not listed.</p>` : ''}`
  return page(
    `netpolx equiv — ${sides.left.label} (${e.leftCni}) vs ${sides.right.label} (${e.rightCni})`,
    `${e.endpoints.length} endpoints, ${e.probes.length} port(s): ${e.equivalent ? 'equivalent' : `${e.total} differing flow(s)`}`,
    data,
    `<section id="counterexamples">${list}</section>`
  )
}
