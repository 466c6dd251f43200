/**
 * `translate --report html`: the translation's findings as one self-contained page — the run's
 * fidelity, then each finding with its severity, fidelity, code, message, position and the source
 * lines around it. No script; the style is inline (`html-client.ts`). Pure: the caller reads the
 * source files and passes their lines.
 */
import type * as D from '../diagnostics.js'
import type { Report } from '../report.js'
import { style } from './html-client.js'
import { escapeHtml } from './html-reach.js'

/** Lines of each input file, by the file name diagnostics carry. */
export type Sources = ReadonlyMap<string, ReadonlyArray<string>>

const context = 2

const excerpt = (sources: Sources, file: string | undefined, line: number | undefined): string => {
  const lines = file === undefined ? undefined : sources.get(file)
  if (lines === undefined || line === undefined) return ''
  const from = Math.max(1, line - context)
  const to = Math.min(lines.length, line + context)
  const width = String(to).length
  const body: Array<string> = []
  for (let n = from; n <= to; n++) {
    const text = `${String(n).padStart(width)} | ${escapeHtml(lines[n - 1] ?? '')}`
    body.push(n === line ? `<b>${text}</b>` : text)
  }
  return `<pre class="src">${body.join('\n')}</pre>`
}

export const translateHtml = (report: Report, target: string, sources: Sources): string => {
  const rows = report.findings.map((f) => {
    const where = f.file === undefined ? '' : `${f.file}:${f.line ?? 0}:${f.col ?? 0}`
    const fid: D.Fidelity | undefined = f.fidelity
    return (
      `<tr><td>${escapeHtml(f.severity)}</td><td class="fid-${fid ?? 'none'}">${escapeHtml(fid ?? '')}</td><td><code>${escapeHtml(f.code)}</code></td>` +
      `<td>${escapeHtml(f.message)}${where === '' ? '' : `<br><code>${escapeHtml(where)}</code>`}${excerpt(sources, f.file, f.line)}</td></tr>`
    )
  })
  const counts = new Map<string, number>()
  for (const f of report.findings) if (f.fidelity !== undefined) counts.set(f.fidelity, (counts.get(f.fidelity) ?? 0) + 1)
  const summary = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${v} ${k}`).join(', ')
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>netpolx translate — ${escapeHtml(target)}</title><style>${style}</style></head><body>`,
    `<header><h1>netpolx translate --to ${escapeHtml(target)}</h1><p>fidelity: <b class="fid-${report.fidelity}">${escapeHtml(report.fidelity)}</b>; ${report.findings.length} finding(s)${summary === '' ? '' : ` (${escapeHtml(summary)})`}</p></header>`,
    '<main><div id="left">',
    report.findings.length === 0
      ? '<p>Every construct translated exactly; nothing to report.</p>'
      : `<table class="list"><tr><th>severity</th><th>fidelity</th><th>code</th><th>finding</th></tr>${rows.join('')}</table>`,
    '<p>Fidelity levels: exact (same reachability on every cluster), exact-for-inventory (on the given cluster), broader (the output allows more), narrower (it allows less), unsupported (no output for the construct). See the README.</p>',
    '</div></main></body></html>',
    ''
  ].join('\n')
}
