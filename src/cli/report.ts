/**
 * Where CI reports go (`--report sarif|junit|github`, `--report-file PATH`), shared by the
 * commands that produce findings (`validate`, `translate`, `golden check`, `equiv`).
 *
 * - No `--report`: `github` when `GITHUB_ACTIONS=true`, else `text` (the usual output).
 * - `--report-file PATH`: the report is written there (atomically); the command's usual output,
 *   text diagnostics on stderr included, is unchanged.
 * - Else `sarif` and `junit` go to standard output in place of the command's usual standard
 *   output (`translate` needs `--out` or `--report-file` then: its standard output is the
 *   translation); `github` workflow commands go to standard error in place of the text
 *   diagnostics (the Actions runner reads commands from both streams).
 * - SARIF URIs are relative to the repository root: the nearest folder above the working
 *   directory holding `.git`, else the working directory.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { Option } from 'commander'
import type * as D from '../diagnostics.js'
import { writeFileAtomic } from '../io/write.js'
import type { Findings } from '../report/findings.js'
import { perFile } from '../report/findings.js'
import { github } from '../report/github.js'
import { junit } from '../report/junit.js'
import { sarif } from '../report/sarif.js'
import type { Io } from './common.js'
import { Exit, exitCodes, printDiagnostics } from './common.js'
import { version } from './version.js'

export const ciFormats = ['sarif', 'junit', 'github'] as const
export type CiFormat = (typeof ciFormats)[number]

export interface ReportChoice {
  /** `text` (and `json`, which `translate` handles itself) leave the usual output alone. */
  readonly format: string
  readonly file: string | undefined
}

export const isCi = (f: string): f is CiFormat => (ciFormats as ReadonlyArray<string>).includes(f)

/** `--report`, without a default so that `GITHUB_ACTIONS` can pick one. */
export const reportOption = (formats: ReadonlyArray<string>, more = ''): Option =>
  new Option(
    '--report <format>',
    `how to report findings (default: github when GITHUB_ACTIONS=true, else text): sarif or junit on standard output unless --report-file, github workflow commands on standard error${more}`
  ).choices([...formats])

export const reportFileOption = (): Option => new Option('--report-file <path>', 'write the --report there (atomically) and keep the usual output')

/** The format in force and where it goes; `--report-file` with the text format is a usage error. */
export const chooseReport = (io: Io, given: string | undefined, file: string | undefined): ReportChoice => {
  const format = given ?? (io.env?.GITHUB_ACTIONS === 'true' ? 'github' : 'text')
  if (file !== undefined && !isCi(format)) {
    io.stderr('netpolx: error usage: --report-file needs --report sarif, junit or github\n')
    throw new Exit(exitCodes.usage)
  }
  return { format, file }
}

/** True when the command prints its diagnostics as text on standard error. */
export const printsText = (r: ReportChoice): boolean => !(r.format === 'github' && r.file === undefined) && r.format !== 'json'

/** True when the report takes the place of the command's usual standard output. */
export const takesStdout = (r: ReportChoice): boolean => (r.format === 'sarif' || r.format === 'junit') && r.file === undefined

/** The nearest folder at or above `dir` that holds `.git` (a folder, or a worktree's file), else `dir`. */
export const repositoryRoot = async (dir: string): Promise<string> => {
  for (let d = dir; ; d = path.dirname(d)) {
    if (await fs.stat(path.join(d, '.git')).then(() => true, () => false)) return d
    if (path.dirname(d) === d) return dir
  }
}

/** The report text in a CI format. */
export const renderReport = async (format: CiFormat, f: Findings, verbose: boolean): Promise<string> => {
  if (format === 'github') return github(f, verbose)
  if (format === 'junit') return junit(f)
  const cwd = process.cwd()
  return sarif(f, { toolVersion: version(), cwd, root: await repositoryRoot(cwd) })
}

/**
 * Prints the findings as the choice says: text diagnostics (when `printsText`), then the CI
 * report to its place. `text` and `json` print nothing here but the text diagnostics.
 */
export const emitReport = async (
  io: Io,
  r: ReportChoice,
  f: Findings,
  verbose: boolean,
  text: ReadonlyArray<D.Diagnostic> = f.diagnostics,
  always: ReadonlyArray<D.Diagnostic> = []
): Promise<void> => {
  if (printsText(r)) printDiagnostics(io, text, verbose, always)
  if (!isCi(r.format)) return
  const out = await renderReport(r.format, f, verbose)
  if (r.file !== undefined) {
    const w = await writeFileAtomic(r.file, out)
    if (w._tag === 'Left') {
      io.stderr(`netpolx: error write-failed: ${w.left}\n`)
      throw new Exit(exitCodes.usage)
    }
  } else if (r.format === 'github') io.stderr(out)
  else io.stdout(out)
}

/** The findings of a command over input files: one check per file, failing on the diagnostics `fails` picks. */
export const fileFindings = (
  command: string,
  files: ReadonlyArray<string>,
  ds: ReadonlyArray<D.Diagnostic>,
  fails: (d: D.Diagnostic) => boolean,
  kind: 'failure' | 'error' = 'failure',
  fidelity?: D.RunFidelity
): Findings => {
  const anchor = files.find((f) => f !== '<stdin>')
  return { command, diagnostics: ds, checks: perFile(command, files, ds, fails, kind), ...(fidelity === undefined ? {} : { fidelity }), ...(anchor === undefined ? {} : { anchor }) }
}

/** For `readOrExit`: unreadable input reported as errors of the files it names. */
export const onReadError =
  (io: Io, r: ReportChoice, command: string, verbose: boolean) =>
  (ds: ReadonlyArray<D.Diagnostic>): Promise<void> =>
    emitReport(io, r, fileFindings(command, ds.flatMap((d) => (d.location === undefined ? [] : [d.location.file])), ds, (d) => d.severity === 'error', 'error'), verbose)
