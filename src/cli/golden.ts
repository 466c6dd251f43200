/**
 * `netpolx golden check|update DIR…`: golden-file checks for CI (DESIGN.md §6).
 *
 * `check` prints a unified diff per mismatching expected file on standard output, then one
 * summary line; `update` rewrites the expectations and names each file it changed. Exit codes:
 * 0 everything matches (or was updated); 1 some expected file differs (check); 2 bad invocation,
 * an unreadable folder, or a case whose input does not parse (`update` writes nothing for it).
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import * as D from '../diagnostics.js'
import { discover } from '../golden/cases.js'
import type { Case } from '../golden/cases.js'
import type { CaseCheck, CaseUpdate } from '../golden/check.js'
import { checkCase, diffOf, mismatches, updateCase } from '../golden/check.js'
import type { DialectName } from '../ir/policy.js'
import { dialectNames } from '../ir/policy.js'
import type { Io } from './common.js'
import { Exit, exitCodes, printDiagnostics, usageError } from './common.js'
import { goldenFindings } from '../report/golden.js'
import { startProgress } from './progress.js'
import { chooseReport, ciFormats, emitReport, fileFindings, printsText, reportFileOption, reportOption, takesStdout } from './report.js'

interface Options {
  readonly to: ReadonlyArray<DialectName> | undefined
  readonly verbose: boolean
  readonly report?: string
  readonly reportFile?: string
}

const isDialect = (s: string): s is DialectName => (dialectNames as ReadonlyArray<string>).includes(s)

/** `--to` values, repeatable and comma-separated, in dialect order. */
const parseTargets = (value: string, previous: ReadonlyArray<DialectName> | undefined): ReadonlyArray<DialectName> => {
  const given = value.split(',').map((s) => s.trim())
  const bad = given.filter((s) => !isDialect(s))
  if (bad.length > 0) throw new InvalidArgumentError(`unknown dialect ${bad.map((b) => `"${b}"`).join(', ')}; expected ${dialectNames.join(', ')}`)
  const all = [...(previous ?? []), ...given.filter(isDialect)]
  return dialectNames.filter((d) => all.includes(d))
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** Finds the cases; an unreadable folder or one without cases ends the command with exit code 2. */
const casesOrExit = async (io: Io, dirs: ReadonlyArray<string>, verbose: boolean, onError?: (ds: ReadonlyArray<D.Diagnostic>) => Promise<void>): Promise<ReadonlyArray<Case>> => {
  const found = await discover(dirs)
  if (D.hasErrors(found.diagnostics) && onError !== undefined) await onError(found.diagnostics)
  else printDiagnostics(io, found.diagnostics, verbose)
  if (D.hasErrors(found.diagnostics)) throw new Exit(exitCodes.usage)
  return found.cases
}

/** `N cases, M files checked: all match` or `…: K differ in J cases, I cases could not run`. */
export const checkSummary = (results: ReadonlyArray<CaseCheck>): string => {
  const files = results.reduce((n, r) => n + r.files.length, 0)
  const differ = results.reduce((n, r) => n + mismatches(r).length, 0)
  const casesDiffering = results.filter((r) => mismatches(r).length > 0).length
  const bad = results.filter((r) => r.errors.length > 0).length
  const findings = [
    ...(differ > 0 ? [`${differ} ${differ === 1 ? 'differs' : 'differ'} in ${plural(casesDiffering, 'case')}`] : []),
    ...(bad > 0 ? [`${plural(bad, 'case')} could not run`] : [])
  ]
  return `netpolx golden check: ${plural(results.length, 'case')}, ${plural(files, 'file')} checked: ${findings.length === 0 ? 'all match' : findings.join(', ')}\n`
}

export const updateSummary = (results: ReadonlyArray<CaseUpdate>): string => {
  const written = results.reduce((n, r) => n + (r.writeError === undefined ? r.changed.length : 0), 0)
  const refused = results.filter((r) => r.errors.length > 0).length
  const failed = results.filter((r) => r.writeError !== undefined).length
  const findings = [...(refused > 0 ? [`${plural(refused, 'case')} refused (input does not parse)`] : []), ...(failed > 0 ? [`${plural(failed, 'case')} not written`] : [])]
  return `netpolx golden update: ${plural(results.length, 'case')}, ${plural(written, 'file')} written${findings.length === 0 ? '' : `, ${findings.join(', ')}`}\n`
}

const targetsOption = (): Option =>
  new Option('--to <dialects>', `limit the targets: ${dialectNames.join(', ')} (comma-separated or repeated; default: all but cnp, which is checked when expected/cnp.yaml exists)`).argParser(parseTargets)

const check = (io: Io): Command =>
  new Command('check')
    .description('Translate every golden case and compare with its expected files; print a unified diff per mismatch.')
    .argument('<dir...>', 'golden folders (a case folder, or a folder of cases searched recursively)')
    .addOption(targetsOption())
    .option('-v, --verbose', 'also print info-level notes', false)
    .addOption(reportOption(['text', ...ciFormats], '; junit: one test case per case and target'))
    .addOption(reportFileOption())
    .addHelpText('after', '\nChecks the expected/<dialect>.yaml files that exist (limited by --to) and their entries of\nexpected/report.json.\n\nExit codes: 0 every file matches, 1 some expected file differs, 2 bad invocation, unreadable\nfolder or an input that does not parse.\n\nExample:\n  netpolx golden check golden/')
    .action(async (dirs: ReadonlyArray<string>, opts: Options) => {
      const report = chooseReport(io, opts.report, opts.reportFile)
      const cases = await casesOrExit(io, dirs, opts.verbose, (ds) => emitReport(io, report, fileFindings('golden check', dirs, ds, (d) => d.severity === 'error', 'error'), opts.verbose))
      const results: Array<CaseCheck> = []
      const progress = startProgress(io, 'golden check', cases.length)
      for (const c of cases) {
        const r = await checkCase(c, opts.to)
        if (printsText(report)) printDiagnostics(io, [...r.errors, ...r.notes], opts.verbose)
        if (!takesStdout(report)) for (const f of mismatches(r)) io.stdout(diffOf(f))
        results.push(r)
        progress.tick()
      }
      progress.stop()
      await emitReport(io, report, goldenFindings(results), opts.verbose, [])
      if (takesStdout(report)) io.stderr(checkSummary(results))
      else io.stdout(checkSummary(results))
      if (results.some((r) => r.errors.length > 0)) throw new Exit(exitCodes.usage)
      if (results.some((r) => mismatches(r).length > 0)) throw new Exit(exitCodes.finding)
    })

const update = (io: Io): Command =>
  new Command('update')
    .description('Rewrite the expected files of every golden case from its input.')
    .argument('<dir...>', 'golden folders (a case folder, or a folder of cases searched recursively)')
    .addOption(targetsOption())
    .option('-v, --verbose', 'also print info-level notes', false)
    .addHelpText('after', '\nWrites expected/<dialect>.yaml for each target (all three unless --to limits them) and\nexpected/report.json; only files whose text changes are written. A case whose input does not\nparse is refused: nothing is written for it.\n\nExit codes: 0 updated, 2 bad invocation, unreadable folder, an input that does not parse, or a\nfailed write.\n\nExample:\n  netpolx golden update golden/ --to k8s')
    .action(async (dirs: ReadonlyArray<string>, opts: Options) => {
      const cases = await casesOrExit(io, dirs, opts.verbose)
      const results: Array<CaseUpdate> = []
      const progress = startProgress(io, 'golden update', cases.length)
      for (const c of cases) {
        const r = await updateCase(c, opts.to)
        progress.tick()
        printDiagnostics(io, [...r.errors, ...r.notes], opts.verbose)
        if (r.errors.length > 0) io.stderr(`netpolx: error golden-refused: ${c.dir}: the input does not parse; nothing written\n`)
        if (r.writeError !== undefined) io.stderr(`netpolx: error write-failed: ${r.writeError}\n`)
        else for (const f of r.changed) io.stdout(`updated ${f}\n`)
        results.push(r)
      }
      progress.stop()
      io.stdout(updateSummary(results))
      if (results.some((r) => r.errors.length > 0 || r.writeError !== undefined)) throw new Exit(exitCodes.usage)
    })

export const goldenCommand = (io: Io): Command => {
  const subs = [check(io), update(io)]
  const golden = new Command('golden')
    .description('Golden-file checks for CI: translate committed inputs and compare with committed translations.')
    .addHelpText('after', '\nLayout: one folder per case with input.yaml, optional cluster.yaml, and expected/<dialect>.yaml\nper target plus expected/report.json.\n\nExit codes: 0 all match, 1 a mismatch, 2 bad invocation, unreadable folder or unparsable input.')
    .action(() => {
      throw usageError(io, 'golden needs a subcommand: check DIR… or update DIR… (see netpolx golden --help)')
    })
  for (const s of subs) golden.addCommand(s.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)').exitOverride())
  return golden
}
