/**
 * `golden check` and `golden update` on one case: compare each expected file with what the case
 * translates to now, or rewrite the expectations.
 *
 * Checked targets: those with an `expected/<dialect>.yaml`, limited by `--to`; a case with no
 * expected translation at all checks every requested target (its files are reported missing, so a
 * forgotten `update` cannot pass). `report.json` is checked on the entries of the checked targets;
 * the entries of the other targets with an expected translation are taken as they are, and a
 * target without one has no entry. `update` writes every requested target (all by
 * default) and the report, only the files whose text changed, all or none (atomic batch); it
 * refuses a case whose input or inventory does not parse and writes nothing for it.
 */
import * as path from 'node:path'
import type * as D from '../diagnostics.js'
import { writeFilesAtomic } from '../io/write.js'
import type { DialectName } from '../ir/policy.js'
import { dialectNames } from '../ir/policy.js'
import type { Report } from '../report.js'
import type { Case } from './cases.js'
import { defaultTargets, expectedDir, reportFile, targetFile } from './cases.js'
import { unifiedDiff } from './diff.js'
import type { Loaded } from './run.js'
import { loadCase, reportEntries, reportText, translateCase } from './run.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface FileCheck {
  /** The expected file, under the case folder as the user spelled it. */
  readonly file: string
  /** `undefined`: the file does not exist. */
  readonly expected: string | undefined
  readonly actual: string
}

export interface CaseCheck {
  readonly case: Case
  /** Why the case could not run (unreadable or unparsable input): non-empty means bad input. */
  readonly errors: ReadonlyArray<D.Diagnostic>
  /** Warnings that do not stop the case. */
  readonly notes: ReadonlyArray<D.Diagnostic>
  /** Every file compared, in target order then `report.json`. */
  readonly files: ReadonlyArray<FileCheck>
}

export interface CaseUpdate {
  readonly case: Case
  readonly errors: ReadonlyArray<D.Diagnostic>
  readonly notes: ReadonlyArray<D.Diagnostic>
  /** Files whose text changed (written, or — on a write failure — not written). */
  readonly changed: ReadonlyArray<string>
  /** Why the batch could not be written. */
  readonly writeError: string | undefined
}

export const matches = (f: FileCheck): boolean => f.expected === f.actual

export const mismatches = (c: CaseCheck): ReadonlyArray<FileCheck> => c.files.filter((f) => !matches(f))

/**
 * The unified diff from the expected file to the actual output; a missing file diffs from
 * `/dev/null`. When only line ends differ (a checkout that turned LF into CRLF), one line says so
 * instead of a diff in which every line looks unchanged.
 */
export const diffOf = (f: FileCheck): string => {
  const from = f.expected === undefined ? '/dev/null' : `${f.file} (expected)`
  if (f.expected !== undefined && f.expected !== f.actual && f.expected.replace(/\r\n/g, '\n') === f.actual)
    return `--- ${from}\n+++ ${f.file} (actual)\n(only line ends differ: the expected file has CRLF, netpolx writes LF; check it out with eol=lf)\n`
  return unifiedDiff(from, `${f.file} (actual)`, f.expected ?? '', f.actual)
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

const inOrder = (ts: ReadonlyArray<DialectName>): ReadonlyArray<DialectName> => dialectNames.filter((t) => ts.includes(t))

const hasExpected = (l: Loaded) => (t: DialectName): boolean => l.expected.has(targetFile(t))

const expectedPath = (c: Case, name: string): string => path.join(c.dir, expectedDir, name)

/** The files a run over `targets` produces: each target's translation, then the report merged into the existing one over `reported` targets. */
const produce = (l: Loaded, targets: ReadonlyArray<DialectName>, reported: ReadonlyArray<DialectName>): ReadonlyArray<{ readonly name: string; readonly text: string }> => {
  const outputs = targets.map((t) => ({ t, out: translateCase(l, t) }))
  const fresh = new Map<DialectName, Report>(outputs.map(({ t, out }) => [t, out.report]))
  return [
    ...outputs.map(({ t, out }) => ({ name: targetFile(t), text: out.yaml })),
    { name: reportFile, text: reportText(reported, fresh, reportEntries(l.expected.get(reportFile))) }
  ]
}

/** Checks one case over `to` (default: every dialect). */
export const checkCase = async (c: Case, to: ReadonlyArray<DialectName> = defaultTargets): Promise<CaseCheck> => {
  const r = await loadCase(c)
  if (r._tag === 'bad') return { case: c, errors: r.diagnostics, notes: [], files: [] }
  const l = r.loaded
  const present = dialectNames.filter(hasExpected(l))
  const targets = present.length === 0 ? inOrder(to) : present.filter((t) => to.includes(t) || (t === 'cnp' && to === defaultTargets))
  if (targets.length === 0) return { case: c, errors: [], notes: l.notes, files: [] }
  const files = produce(l, targets, present.length === 0 ? targets : present).map((f) => ({
    file: expectedPath(c, f.name),
    expected: l.expected.get(f.name),
    actual: f.text
  }))
  return { case: c, errors: [], notes: l.notes, files }
}

/** Rewrites the expectations of one case for `to` (default: every dialect); nothing when its input does not parse. */
export const updateCase = async (c: Case, to: ReadonlyArray<DialectName> = defaultTargets): Promise<CaseUpdate> => {
  const r = await loadCase(c)
  if (r._tag === 'bad') return { case: c, errors: r.diagnostics, notes: [], changed: [], writeError: undefined }
  const l = r.loaded
  // cnp.yaml, written only when asked for, is kept up to date once it exists
  const targets = inOrder(to === defaultTargets && hasExpected(l)('cnp') ? [...to, 'cnp'] : to)
  const reported = dialectNames.filter((t) => targets.includes(t) || hasExpected(l)(t))
  const changed = produce(l, targets, reported).filter((f) => l.expected.get(f.name) !== f.text)
  const entries = changed.map((f) => ({ path: expectedPath(c, f.name), content: f.text }))
  const written = entries.length === 0 ? undefined : await writeFilesAtomic(entries)
  return {
    case: c,
    errors: [],
    notes: l.notes,
    changed: entries.map((e) => e.path),
    writeError: written !== undefined && written._tag === 'Left' ? written.left : undefined
  }
}
