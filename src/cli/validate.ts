import { Command } from 'commander'
import * as D from '../diagnostics.js'
import { parseDocs } from '../pipeline.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, readOrExit } from './common.js'
import { namespaceFlags, namespaceHelp, namespaceOrExit } from './namespace.js'
import { chooseReport, ciFormats, emitReport, fileFindings, onReadError, reportFileOption, reportOption, takesStdout } from './report.js'

export const validateCommand = (io: Io): Command =>
  new Command('validate')
    .description('Decode and check network policies; report every problem with its file:line:col.')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid, 1 some policy is invalid, 2 unreadable input, no policy document in the input, or bad invocation.'
    )
    .requiredOption('-f, --filename <path>', 'a file, a directory (walked recursively) or - for standard input; repeatable', collect)
    .option(namespaceFlags, namespaceHelp)
    .option('-v, --verbose', 'also print info-level notes', false)
    .addOption(reportOption(['text', ...ciFormats]))
    .addOption(reportFileOption())
    .action(async (opts: { filename: ReadonlyArray<string>; namespace: string | undefined; verbose: boolean; report?: string; reportFile?: string }) => {
      const report = chooseReport(io, opts.report, opts.reportFile)
      const docs = namespaceOrExit(io, await readOrExit(io, opts.filename, opts.verbose, onReadError(io, report, 'validate', opts.verbose)), opts.namespace, opts.verbose)
      const parsed = parseDocs(docs)
      await emitReport(io, report, fileFindings('validate', docs.map((d) => d.file), parsed.diagnostics, (d) => d.severity === 'error'), opts.verbose)
      const policies = parsed.set.policies.length
      if (D.hasErrors(parsed.diagnostics)) {
        const n = parsed.diagnostics.filter((d) => d.severity === 'error').length
        io.stderr(`${n} error${n === 1 ? '' : 's'}\n`)
        throw new Exit(exitCodes.finding)
      }
      if (parsed.dialects.length === 0) {
        // kubectl's "no objects passed to apply": an input without a single policy is not a valid policy set
        const n = docs.length
        io.stderr(
          `netpolx: error no-policies: no network policy in the input (${n} document${n === 1 ? '' : 's'}, none a NetworkPolicy, Calico or Cilium policy resource)\n`
        )
        throw new Exit(exitCodes.usage)
      }
      if (!takesStdout(report)) io.stdout(`${policies} polic${policies === 1 ? 'y' : 'ies'} valid\n`)
    })
