/**
 * The netpolx command line. Only this folder prints or sets the exit code.
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import type { Io } from './common.js'
import { Exit, exitCodes, nodeIo } from './common.js'
import { defaultsCommand } from './defaults.js'
import { equivCommand } from './equiv.js'
import { explainCommand } from './explain.js'
import { goldenCommand } from './golden.js'
import { reachCommand } from './reach.js'
import { translateCommand } from './translate.js'
import { validateCommand } from './validate.js'

/** The version in netpolx's package.json: the nearest one above this file (src/cli or dist/src/cli). */
const version = (): string => {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8'))
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'netpolx' && 'version' in pkg && typeof pkg.version === 'string')
        return pkg.version
    } catch {
      // not there: try the next candidate
    }
  }
  return 'unknown'
}

export const program = (io: Io): Command => {
  const root = new Command('netpolx')
    .description('Translate Kubernetes network policies between native NetworkPolicy, Calico and Cilium, and check that a translation keeps reachability.')
    .addHelpText('after', '\nExit codes: 0 success; 1 a finding (lossy translation, equiv differs, golden mismatch, invalid policies); 2 bad invocation or unreadable input.')
    .version(version(), '--version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
  for (const c of [validateCommand(io), translateCommand(io), reachCommand(io), equivCommand(io)]) root.addCommand(c)
  root.addCommand(goldenCommand(io))
  root.addCommand(defaultsCommand(io))
  root.addCommand(explainCommand(io))
  root.commands.forEach((c) => c.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)'))
  root.exitOverride()
  root.commands.forEach((c) => c.exitOverride())
  return root
}

/** Runs the CLI and returns the exit code; never throws. */
export const run = async (argv: ReadonlyArray<string>, io: Io = nodeIo): Promise<number> => {
  try {
    await program(io).parseAsync([...argv], { from: 'user' })
    return exitCodes.ok
  } catch (e) {
    if (e instanceof Exit) return e.code
    if (e instanceof CommanderError)
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? exitCodes.ok : exitCodes.usage
    io.stderr(`netpolx: error internal: ${e instanceof Error ? e.message : String(e)}\nThis is a bug in netpolx; please report it with the input that caused it.\n`)
    return 70
  }
}
