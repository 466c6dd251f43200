/**
 * What a command found, in the shape every CI report format is written from (`--report sarif`,
 * `junit`, `github`): the diagnostics (located problems and losses, golden mismatches, differing
 * flows) and the checks a test report lists (one per input file, or per golden case and target).
 *
 * Pure data and pure functions: the formatters in this folder turn a `Findings` into text, and
 * `src/cli/report.ts` decides where that text goes.
 */
import * as D from '../diagnostics.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Why a check did not pass: a `failure` is a finding (exit code 1), an `error` bad input (exit code 2). */
export interface Outcome {
  readonly kind: 'failure' | 'error'
  /** One line. */
  readonly message: string
  /** A diagnostic code, e.g. `golden-mismatch`, `yaml-syntax`. */
  readonly type: string
  /** Free text: the rendered diagnostics, or a unified diff. */
  readonly body: string
}

/** One test case of a JUnit report. */
export interface Check {
  /** Groups checks into one `<testsuite>` (an input file's command, a golden case folder). */
  readonly suite: string
  readonly classname: string
  readonly name: string
  readonly outcome: Outcome | undefined
}

export interface Findings {
  /** The command, as typed after `netpolx`: `validate`, `translate`, `golden check`, `equiv`. */
  readonly command: string
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
  readonly checks: ReadonlyArray<Check>
  /** The run's fidelity, where the command translates. */
  readonly fidelity?: D.RunFidelity
  /**
   * A file that findings without one are shown at (line 1): GitHub code scanning rejects a whole
   * SARIF upload in which one result has no location. The first input file, usually.
   */
  readonly anchor?: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const renderAll = (ds: ReadonlyArray<D.Diagnostic>): string => D.sort(ds).map(D.render).join('\n')

/**
 * One check per input file (in the order given, each file once): it fails on the diagnostics
 * located in that file that `fails` picks, or is an error when `bad` says the whole input was
 * refused. Diagnostics without a file go into one more check, named after the command, only
 * when one of them fails.
 */
export const perFile = (
  command: string,
  files: ReadonlyArray<string>,
  ds: ReadonlyArray<D.Diagnostic>,
  fails: (d: D.Diagnostic) => boolean,
  kind: Outcome['kind'] = 'failure'
): ReadonlyArray<Check> => {
  const unique = files.filter((f, i) => files.indexOf(f) === i)
  const checkOf = (name: string, mine: ReadonlyArray<D.Diagnostic>): Check => {
    const failing = D.sort(mine.filter(fails))
    const first = failing[0]
    return {
      suite: `netpolx ${command}`,
      classname: `netpolx.${command.replace(/ /g, '.')}`,
      name,
      outcome:
        first === undefined
          ? undefined
          : {
              kind,
              message: failing.length === 1 ? `${first.code}: ${first.message}` : `${failing.length} findings; the first: ${first.code}: ${first.message}`,
              type: first.code,
              body: renderAll(mine)
            }
    }
  }
  const located = unique.map((f) => checkOf(f, ds.filter((d) => d.location?.file === f)))
  const elsewhere = ds.filter((d) => d.location === undefined || !unique.includes(d.location.file))
  return elsewhere.some(fails) ? [...located, checkOf(`netpolx ${command}`, elsewhere)] : located
}
