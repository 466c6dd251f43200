/**
 * The findings of `equiv` for CI reports: one `equiv-differs` error per differing flow listed
 * (the flows the command prints; a last one counts those left out), and one check, "left vs
 * right", failing with the command's text output as its body. The flows have no file: SARIF
 * shows them at `anchor`, the first left input file.
 */
import * as D from '../diagnostics.js'
import type { Difference, Equivalence } from '../semantics/equiv.js'
import type { Findings } from './findings.js'

export const equivFindings = (
  r: Equivalence,
  left: ReadonlyArray<string>,
  right: ReadonlyArray<string>,
  line: (d: Difference) => string,
  text: string,
  anchor: string | undefined
): Findings => {
  const omitted = r.total - r.differences.length
  const name = `${left.join(',')} vs ${right.join(',')}`
  return {
    command: 'equiv',
    ...(anchor === undefined || anchor === '<stdin>' ? {} : { anchor }),
    diagnostics: [
      ...r.diagnostics,
      ...r.differences.map((d) => D.error('equiv-differs', line(d))),
      ...(omitted > 0 ? [D.error('equiv-differs', `${omitted} more differing flow${omitted === 1 ? '' : 's'} not listed (of ${r.total})`)] : [])
    ],
    checks: [
      {
        suite: 'netpolx equiv',
        classname: 'netpolx.equiv',
        name,
        outcome: r.equivalent
          ? undefined
          : {
              kind: 'failure',
              message: `${r.total} differing flow${r.total === 1 ? '' : 's'} (left allows ${r.leftOnly} the right denies, right allows ${r.rightOnly} the left denies)`,
              type: 'equiv-differs',
              body: text
            }
      }
    ]
  }
}
