/**
 * The findings of `golden check` for CI reports: one check per case and target, failing when
 * the target's expected file or its entry of `expected/report.json` differs (the failure body
 * holds the unified diffs); a case that could not run is one check named `input` in error.
 * Each mismatch is also a `golden-mismatch` (or `golden-missing`) diagnostic located at the first
 * differing line of the expected file, so SARIF and annotations point at it.
 */
import * as path from 'node:path'
import * as D from '../diagnostics.js'
import type { CaseCheck, FileCheck } from '../golden/check.js'
import { diffOf, matches } from '../golden/check.js'
import { inputFile, reportFile } from '../golden/cases.js'
import type { Check, Findings } from './findings.js'

/** The 1-based line of the first difference between two texts. */
export const firstDifference = (expected: string, actual: string): number => {
  const a = expected.split('\n')
  const b = actual.split('\n')
  const i = a.findIndex((l, k) => l !== b[k])
  return (i === -1 ? a.length : i) + 1
}

const entries = (text: string | undefined): ReadonlyMap<string, string> => {
  try {
    const v: unknown = text === undefined ? undefined : JSON.parse(text)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? new Map(Object.entries(v).map(([k, e]) => [k, JSON.stringify(e)])) : new Map()
  } catch {
    return new Map()
  }
}

/** The line of `"target":` in a report.json text, else 1. */
const entryLine = (text: string | undefined, target: string): number => {
  const i = (text ?? '').split('\n').findIndex((l) => l.startsWith(`  ${JSON.stringify(target)}:`))
  return i === -1 ? 1 : i + 1
}

const mismatch = (f: FileCheck, line: number, what: string): D.Diagnostic =>
  f.expected === undefined
    ? D.error('golden-missing', `${what} does not exist; run netpolx golden update to write it`, { file: f.file, line: 1, col: 1 })
    : D.error('golden-mismatch', `${what} differs from the translation of the case's input (see the diff; run netpolx golden update if the change is intended)`, {
        file: f.file,
        line,
        col: 1
      })

const ofCase = (r: CaseCheck): { readonly checks: ReadonlyArray<Check>; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const suite = r.case.dir
  if (r.errors.length > 0) {
    const first = D.sort(r.errors)[0]
    return {
      diagnostics: r.errors,
      checks: [
        {
          suite,
          classname: suite,
          name: 'input',
          outcome: {
            kind: 'error',
            message: first === undefined ? 'the case could not run' : `${first.code}: ${first.message}`,
            type: first?.code ?? 'golden-error',
            body: D.sort(r.errors).map(D.render).join('\n')
          }
        }
      ]
    }
  }
  const report = r.files.find((f) => path.basename(f.file) === reportFile)
  const expectedEntries = entries(report?.expected)
  const actualEntries = entries(report?.actual)
  const targets = r.files.filter((f) => f !== report)
  const reportDiffers = report !== undefined && !matches(report)
  const entryDiffers = (t: string): boolean => expectedEntries.get(t) !== actualEntries.get(t)
  // a report.json that differs in no checked target's entry (key order, spacing) fails every target
  const textOnly = reportDiffers && !targets.some((f) => entryDiffers(path.basename(f.file, '.yaml')))
  const perTarget = targets.map((f) => {
    const target = path.basename(f.file, '.yaml')
    const yamlDiffers = !matches(f)
    const reportFails = reportDiffers && (textOnly || entryDiffers(target))
    const ds = [
      ...(yamlDiffers ? [mismatch(f, firstDifference(f.expected ?? '', f.actual), path.basename(f.file))] : []),
      ...(reportFails && report !== undefined
        ? [mismatch(report, textOnly ? firstDifference(report.expected ?? '', report.actual) : entryLine(report.expected, target), textOnly ? reportFile : `the ${target} entry of ${reportFile}`)]
        : [])
    ]
    const first = ds[0]
    const check: Check = {
      suite,
      classname: suite,
      name: target,
      outcome:
        first === undefined
          ? undefined
          : {
              kind: 'failure',
              message: ds.map((d) => d.message).join('; '),
              type: first.code,
              body: [...(yamlDiffers ? [diffOf(f)] : []), ...(reportFails && report !== undefined ? [diffOf(report)] : [])].join('')
            }
    }
    return { check, ds }
  })
  const ds = perTarget.flatMap((t) => t.ds)
  return {
    checks: perTarget.map((t) => t.check),
    // a text-only report.json difference is one finding, however many targets it fails
    diagnostics: [...r.notes, ...ds.filter((d, i) => ds.findIndex((e) => D.render(e) === D.render(d)) === i)]
  }
}

export const goldenFindings = (results: ReadonlyArray<CaseCheck>): Findings => {
  const each = results.map(ofCase)
  const first = results[0]
  return {
    command: 'golden check',
    checks: each.flatMap((e) => e.checks),
    diagnostics: each.flatMap((e) => e.diagnostics),
    ...(first === undefined ? {} : { anchor: path.join(first.case.dir, inputFile) })
  }
}
