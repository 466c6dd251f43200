/**
 * `--report github`: findings as GitHub Actions workflow commands, which the runner turns into
 * annotations on the pull request's files: `::error file=F,line=L,col=C,title=CODE::MESSAGE`
 * (`warning` for warnings, `notice` for info-level notes, which are written only when verbose).
 * Escaping follows the runner's rules: `%`, CR and LF in the message; also `:` and `,` in
 * property values. Paths are written as the user gave them (the runner resolves them from the
 * workspace). Sorted like the text diagnostics, so the output is deterministic.
 */
import * as D from '../diagnostics.js'
import type { Findings } from './findings.js'

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

const command = (s: D.Severity): string => (s === 'info' ? 'notice' : s)

/** One workflow command for a diagnostic. */
export const annotation = (d: D.Diagnostic): string => {
  const where =
    d.location === undefined || d.location.file === '<stdin>'
      ? []
      : [`file=${escapeProperty(d.location.file)}`, `line=${d.location.line}`, `col=${d.location.col}`]
  const props = [...where, `title=${escapeProperty(`netpolx ${d.code}${d.fidelity === undefined ? '' : ` (${d.fidelity})`}`)}`]
  const stdin = d.location?.file === '<stdin>' ? `${D.formatLocation(d.location)}: ` : ''
  return `::${command(d.severity)} ${props.join(',')}::${escapeData(stdin + d.message)}`
}

/** Every diagnostic (info-level ones only when `verbose`), one command a line. */
export const github = (f: Findings, verbose: boolean): string => {
  const shown = D.sort(f.diagnostics.filter((d) => verbose || d.severity !== 'info'))
  return shown.map((d) => `${annotation(d)}\n`).join('')
}
