import { Command } from 'commander'
import * as D from '../diagnostics.js'
import { parseDocs } from '../pipeline.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit } from './common.js'

export const validateCommand = (io: Io): Command =>
  new Command('validate')
    .description('Decode and check network policies; report every problem with its file:line:col.')
    .addHelpText('after', '\nExit codes: 0 valid, 1 some policy is invalid, 2 unreadable input or bad invocation.')
    .requiredOption('-f, --filename <path>', 'a file, a directory (walked recursively) or - for standard input; repeatable', collect)
    .option('-v, --verbose', 'also print info-level notes', false)
    .action(async (opts: { filename: ReadonlyArray<string>; verbose: boolean }) => {
      const docs = await readOrExit(io, opts.filename, opts.verbose)
      const parsed = parseDocs(docs)
      printDiagnostics(io, parsed.diagnostics, opts.verbose)
      const policies = parsed.set.policies.length
      if (D.hasErrors(parsed.diagnostics)) {
        const n = parsed.diagnostics.filter((d) => d.severity === 'error').length
        io.stderr(`${n} error${n === 1 ? '' : 's'}\n`)
        throw new Exit(exitCodes.finding)
      }
      io.stdout(`${policies} polic${policies === 1 ? 'y' : 'ies'} valid\n`)
    })
