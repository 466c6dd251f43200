/**
 * Diagnostics: every problem, loss or note the core finds, as a value with a source location.
 *
 * Rendered as `file:line:col: severity code: message` (the CLI prints them on stderr); the
 * rendering is part of the command-line contract and is tested as text.
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A position in an input file; `line` and `col` count from 1. */
export interface Location {
  readonly file: string
  readonly line: number
  readonly col: number
}

export type Severity = 'error' | 'warning' | 'info'

/**
 * How faithfully a construct survived a translation (DESIGN.md §5), from best to worst.
 * `broader`: the target allows more; `narrower`: the target allows less.
 */
export type Fidelity = 'exact' | 'exact-for-inventory' | 'broader' | 'narrower' | 'unsupported'

export interface Diagnostic {
  readonly severity: Severity
  /** A stable kebab-case identifier, e.g. `yaml-syntax`, `invalid-cidr`, `unsupported-action`. */
  readonly code: string
  readonly message: string
  readonly location: Location | undefined
  /** Set on translation findings: how the construct was carried over. */
  readonly fidelity?: Fidelity
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

export const error = (code: string, message: string, location?: Location): Diagnostic => ({
  severity: 'error',
  code,
  message,
  location
})

export const warning = (code: string, message: string, location?: Location): Diagnostic => ({
  severity: 'warning',
  code,
  message,
  location
})

export const info = (code: string, message: string, location?: Location): Diagnostic => ({
  severity: 'info',
  code,
  message,
  location
})

/** A translation finding: severity follows from the fidelity (losses are warnings). */
export const loss = (fidelity: Fidelity, code: string, message: string, location?: Location): Diagnostic => ({
  severity: fidelity === 'exact' || fidelity === 'exact-for-inventory' ? 'info' : 'warning',
  code,
  message,
  location,
  fidelity
})

// -------------------------------------------------------------------------------------
// fidelity
// -------------------------------------------------------------------------------------

const fidelityRank: Readonly<Record<Fidelity, number>> = {
  exact: 0,
  'exact-for-inventory': 1,
  broader: 2,
  narrower: 2,
  unsupported: 3
}

/** The fidelity of a whole run: the worst of its parts (`broader` and `narrower` together are reported as the first seen). */
export const worstFidelity = (fs: ReadonlyArray<Fidelity>): Fidelity =>
  fs.reduce<Fidelity>((acc, f) => (fidelityRank[f] > fidelityRank[acc] ? f : acc), 'exact')

/**
 * The fidelity of a whole run (a translation, its report, its exit message): the worst of its
 * parts, except that a run with both `broader` and `narrower` findings (and nothing
 * `unsupported`) is `broader-and-narrower`: the target allows more somewhere and less elsewhere,
 * which neither word alone says (and `equiv` would contradict either).
 */
export type RunFidelity = Fidelity | 'broader-and-narrower'

export const runFidelity = (fs: ReadonlyArray<Fidelity>): RunFidelity => {
  const worst = worstFidelity(fs)
  return (worst === 'broader' || worst === 'narrower') && fs.includes('broader') && fs.includes('narrower') ? 'broader-and-narrower' : worst
}

/** True when a fidelity is at least `exact-for-inventory`, i.e. `translate` succeeds without `--allow-lossy`. */
export const isFaithful = (f: RunFidelity): boolean => f === 'exact' || f === 'exact-for-inventory'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

export const hasErrors = (ds: ReadonlyArray<Diagnostic>): boolean => ds.some((d) => d.severity === 'error')

export const formatLocation = (l: Location): string => `${l.file}:${l.line}:${l.col}`

/** `file:line:col: severity code: message`, or `netpolx: severity code: message` when there is no location. */
export const render = (d: Diagnostic): string =>
  `${d.location === undefined ? 'netpolx' : formatLocation(d.location)}: ${d.severity} ${d.code}: ${d.message}`

const compareLocation = (a: Location | undefined, b: Location | undefined): number => {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col
}

/** Sorted by file, line, column, then code and message: output order never depends on traversal order. */
export const sort = (ds: ReadonlyArray<Diagnostic>): ReadonlyArray<Diagnostic> =>
  [...ds].sort(
    (a, b) =>
      compareLocation(a.location, b.location) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  )
