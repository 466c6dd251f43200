/**
 * The netpolx command line. Only this folder prints or sets the exit code.
 *
 * Shell conventions (as kubectl): `netpolx` alone prints the help on standard output and exits 0;
 * `--version` and `version` print the version; `-v/--verbose` is accepted before the command too;
 * `completion bash|zsh|fish` prints a completion script; every command's help ends with examples.
 */
import { Argument, Command, CommanderError } from 'commander'
import type { Io } from './common.js'
import { Exit, exitCodes, nodeIo } from './common.js'
import type { Shell } from './completion.js'
import { completion, shells, specOf } from './completion.js'
import { defaultsCommand } from './defaults.js'
import { equivCommand } from './equiv.js'
import { explainCommand } from './explain.js'
import { goldenCommand } from './golden.js'
import { reachCommand } from './reach.js'
import { translateCommand } from './translate.js'
import { validateCommand } from './validate.js'
import { version } from './version.js'

/** Examples for the commands whose own help has none, by command path. */
const examples: Readonly<Record<string, ReadonlyArray<string>>> = {
  '': [
    'netpolx validate -f policies/',
    'netpolx translate -f calico/ --to cilium --cluster cluster.yaml --out cilium/',
    'netpolx golden check golden/ --report sarif --report-file netpolx.sarif',
    'netpolx completion bash > /etc/bash_completion.d/netpolx'
  ],
  validate: ['netpolx validate -f policies/', 'kubectl get networkpolicies -A -o yaml | netpolx validate -f -', 'netpolx validate -f policies/ --report junit > validate.xml'],
  golden: ['netpolx golden check golden/', 'netpolx golden update golden/ --to k8s'],
  defaults: ['netpolx defaults --profile default-deny --to k8s --namespace shop'],
  version: ['netpolx version'],
  completion: ['source <(netpolx completion bash)', 'netpolx completion zsh > "${fpath[1]}/_netpolx"', 'netpolx completion fish > ~/.config/fish/completions/netpolx.fish']
}

const exampleText = (lines: ReadonlyArray<string>, name: string): string =>
  `\nExample${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  ${l.replace(/^netpolx\b/, name)}`).join('\n')}`

const versionCommand = (io: Io): Command =>
  new Command('version').description('Print the version of netpolx.').action(() => {
    io.stdout(`${version()}\n`)
  })

const completionCommand = (io: Io, root: () => Command): Command =>
  new Command('completion')
    .description('Print a shell completion script for bash, zsh or fish.')
    .addArgument(new Argument('<shell>', 'the shell').choices(shells))
    .addHelpText('after', '\nThe script completes commands, options, option values (e.g. --to k8s) and file names.')
    .action((shell: Shell) => {
      io.stdout(completion(shell, specOf(root())))
    })

/** Every command below `c`, with its path (`golden check`). */
const tree = (c: Command, key = ''): ReadonlyArray<readonly [string, Command]> => [
  [key, c],
  ...c.commands.flatMap((s) => tree(s, key === '' ? s.name() : `${key} ${s.name()}`))
]

export const program = (io: Io, name = 'netpolx'): Command => {
  const root = new Command(name)
    .description('Translate Kubernetes network policies between native NetworkPolicy, Calico and Cilium, and check that a translation keeps reachability.')
    .addHelpText('after', '\nExit codes: 0 success; 1 a finding (lossy translation, equiv differs, golden mismatch, invalid policies); 2 bad invocation or unreadable input.')
    .version(version(), '--version', 'print the version')
    .option('-v, --verbose', 'also print info-level notes (before or after the command)')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
  for (const c of [validateCommand(io), translateCommand(io), reachCommand(io), equivCommand(io)]) root.addCommand(c)
  root.addCommand(goldenCommand(io))
  root.addCommand(defaultsCommand(io))
  root.addCommand(versionCommand(io))
  root.addCommand(completionCommand(io, () => root))
  root.addCommand(explainCommand(io))
  root.commands.forEach((c) => c.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)'))
  root.exitOverride()
  root.commands.forEach((c) => c.exitOverride())
  for (const [key, c] of tree(root)) {
    const lines = examples[key]
    if (lines !== undefined) c.addHelpText('after', exampleText(lines, name))
  }
  // `netpolx -v CMD`: the root's --verbose reaches the command that runs
  root.hook('preAction', (self, action) => {
    if (self.opts<{ verbose?: boolean }>().verbose === true && action.options.some((o) => o.attributeName() === 'verbose')) action.setOptionValue('verbose', true)
  })
  return root
}

/** Runs the CLI and returns the exit code; never throws. `name` is how the help spells the command (`kubectl netpolx`). */
export const run = async (argv: ReadonlyArray<string>, io: Io = nodeIo, name = 'netpolx'): Promise<number> => {
  try {
    const p = program(io, name)
    if (argv.every((a) => a === '-v' || a === '--verbose')) {
      p.outputHelp()
      return exitCodes.ok
    }
    await p.parseAsync([...argv], { from: 'user' })
    return exitCodes.ok
  } catch (e) {
    if (e instanceof Exit) return e.code
    if (e instanceof CommanderError)
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? exitCodes.ok : exitCodes.usage
    io.stderr(`netpolx: error internal: ${e instanceof Error ? e.message : String(e)}\nThis is a bug in netpolx; please report it with the input that caused it.\n`)
    return 70
  }
}
