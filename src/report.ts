/**
 * The machine-readable fidelity report of a translation (`translate --report json`, and each
 * target's entry of a golden case's `expected/report.json`): the run's fidelity (DESIGN.md §5) and
 * every finding, sorted by location, code and message so that the text is deterministic.
 */
import * as D from './diagnostics.js'

export interface Finding {
  readonly severity: D.Severity
  readonly code: string
  readonly message: string
  readonly fidelity?: D.Fidelity
  readonly file?: string
  readonly line?: number
  readonly col?: number
}

export interface Report {
  /** `broader-and-narrower` when findings err both ways (D.runFidelity) */
  readonly fidelity: D.RunFidelity
  readonly findings: ReadonlyArray<Finding>
}

/** The report as data, keys in their written order. */
export const reportOf = (ds: ReadonlyArray<D.Diagnostic>, fidelity: D.RunFidelity): Report => ({
  fidelity,
  findings: D.sort(ds).map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.fidelity === undefined ? {} : { fidelity: d.fidelity }),
    ...(d.location === undefined ? {} : { file: d.location.file, line: d.location.line, col: d.location.col })
  }))
})

/** Two-space indented JSON with a final newline. */
export const reportJson = (ds: ReadonlyArray<D.Diagnostic>, fidelity: D.RunFidelity): string => `${JSON.stringify(reportOf(ds, fidelity), null, 2)}\n`
