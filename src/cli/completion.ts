/**
 * `netpolx completion bash|zsh|fish`: shell completion scripts generated from the command tree
 * (commander has none built in), so a new command or option completes without touching this file.
 *
 * Each script completes subcommands at every level (`golden check`), the options of the command
 * typed so far, the values of options with fixed choices (`--to k8s|calico|cilium`), and file
 * names for options that take a path and for positional arguments. The tree is read once, into
 * `Spec`; the three generators are pure functions of it.
 */
import type { Command } from 'commander'

export interface OptionSpec {
  readonly short: string | undefined
  readonly long: string | undefined
  readonly description: string
  /** The option takes a value. */
  readonly value: boolean
  /** Its value is a path (`<path>`, `<dir>`, `<file>`). */
  readonly path: boolean
  readonly choices: ReadonlyArray<string>
}

export interface Spec {
  readonly name: string
  readonly description: string
  readonly options: ReadonlyArray<OptionSpec>
  readonly commands: ReadonlyArray<Spec>
  /** The values of its first positional argument, when they are fixed (`completion <shell>`); else file names complete. */
  readonly argChoices: ReadonlyArray<string>
}

export const shells = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof shells)[number]

/** The tree of `c`, with `-h, --help` on every command as commander adds it. */
export const specOf = (c: Command): Spec => ({
  name: c.name(),
  description: c.description().split('\n')[0] ?? '',
  options: [
    ...c.options.map((o) => ({
      short: o.short,
      long: o.long,
      description: o.description,
      value: o.required || o.optional,
      path: /<(path|dir|file)[.\]>]/.test(o.flags),
      choices: o.argChoices ?? []
    })),
    { short: '-h', long: '--help', description: 'display help for command', value: false, path: false, choices: [] }
  ],
  commands: c.commands.map(specOf),
  argChoices: c.registeredArguments[0]?.argChoices ?? []
})

interface Node {
  /** Space-separated subcommand path; '' for the root. */
  readonly key: string
  readonly spec: Spec
}

const nodes = (s: Spec, key = ''): ReadonlyArray<Node> => [{ key, spec: s }, ...s.commands.flatMap((c) => nodes(c, key === '' ? c.name : `${key} ${c.name}`))]

const flags = (o: OptionSpec): ReadonlyArray<string> => [o.short, o.long].filter((f): f is string => f !== undefined)

/** Single-quoted for POSIX shells and fish. */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/** The steps from one path to a subcommand: `"key:word") key=next;;` lines. */
const walkCases = (all: ReadonlyArray<Node>, indent: string): string =>
  all
    .flatMap((n) => n.spec.commands.map((c) => `${indent}${sq(`${n.key}:${c.name}`)}) key=${sq(n.key === '' ? c.name : `${n.key} ${c.name}`)} ;;`))
    .join('\n')

// -------------------------------------------------------------------------------------
// bash
// -------------------------------------------------------------------------------------

export const bash = (s: Spec): string => {
  const all = nodes(s)
  const valueCases = all.flatMap((n) =>
    n.spec.options
      .filter((o) => o.value)
      .map((o) => {
        const pattern = flags(o).map((f) => sq(`${n.key}|${f}`)).join('|')
        const action = o.choices.length > 0 ? `COMPREPLY=($(compgen -W ${sq(o.choices.join(' '))} -- "$cur"))` : o.path ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()'
        return `    ${pattern}) ${action}; return ;;`
      })
  )
  const wordCases = all.map((n) => {
    const opts = n.spec.options.flatMap(flags).join(' ')
    const cmds = [...n.spec.commands.map((c) => c.name), ...n.spec.argChoices].join(' ')
    return `    ${sq(n.key)}) opts=${sq(opts)}; cmds=${sq(cmds)} ;;`
  })
  return [
    `# bash completion for ${s.name}; load with: source <(${s.name} completion bash)`,
    `_${s.name}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" key="" i w opts cmds',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    case "$key:$w" in',
    walkCases(all, '      '),
    '    esac',
    '  done',
    '  case "$key|$prev" in',
    ...valueCases,
    '  esac',
    '  case "$key" in',
    ...wordCases,
    '  esac',
    '  if [[ "$cur" == -* ]]; then',
    '    COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
    '  elif [[ -n "$cmds" ]]; then',
    '    COMPREPLY=($(compgen -W "$cmds" -- "$cur"))',
    '  else',
    '    COMPREPLY=($(compgen -f -- "$cur"))',
    '  fi',
    '}',
    `complete -o filenames -F _${s.name} ${s.name}`,
    ''
  ].join('\n')
}

// -------------------------------------------------------------------------------------
// zsh
// -------------------------------------------------------------------------------------

/** `name:description` for `_describe`, colons in the name escaped. */
const described = (name: string, description: string): string => sq(`${name.replace(/:/g, '\\:')}:${description.replace(/\n/g, ' ')}`)

export const zsh = (s: Spec): string => {
  const all = nodes(s)
  const valueCases = all.flatMap((n) =>
    n.spec.options
      .filter((o) => o.value)
      .map((o) => {
        const pattern = flags(o).map((f) => sq(`${n.key}|${f}`)).join('|')
        const action = o.choices.length > 0 ? `compadd -- ${o.choices.map(sq).join(' ')}` : o.path ? '_files' : '_message value'
        return `    ${pattern}) ${action}; return ;;`
      })
  )
  const wordCases = all.map((n) => {
    const opts = n.spec.options.flatMap((o) => flags(o).map((f) => described(f, o.description)))
    const cmds = [...n.spec.commands.map((c) => described(c.name, c.description)), ...n.spec.argChoices.map((a) => described(a, ''))]
    return `    ${sq(n.key)}) opts=(${opts.join(' ')}); cmds=(${cmds.join(' ')}) ;;`
  })
  return [
    `#compdef ${s.name}`,
    `# zsh completion for ${s.name}; load with: source <(${s.name} completion zsh), or save as _${s.name} in a folder of $fpath`,
    `_${s.name}() {`,
    '  local key="" w i',
    '  local -a opts cmds',
    '  for ((i = 2; i < CURRENT; i++)); do',
    '    w="${words[i]}"',
    '    case "$key:$w" in',
    walkCases(all, '      '),
    '    esac',
    '  done',
    '  case "$key|${words[CURRENT-1]}" in',
    ...valueCases,
    '  esac',
    '  case "$key" in',
    ...wordCases,
    '  esac',
    '  if [[ "${words[CURRENT]}" == -* ]]; then',
    "    _describe -t options 'option' opts",
    '  elif (( ${#cmds} > 0 )); then',
    "    _describe -t commands 'command' cmds",
    '  else',
    '    _files',
    '  fi',
    '}',
    `if [[ "$funcstack[1]" == "_${s.name}" ]]; then _${s.name} "$@"; else compdef _${s.name} ${s.name}; fi`,
    ''
  ].join('\n')
}

// -------------------------------------------------------------------------------------
// fish
// -------------------------------------------------------------------------------------

/** The fish condition "the command line is at `key`": each path word seen, no subcommand of it yet. */
const fishAt = (n: Node): string => {
  const words = n.key === '' ? [] : n.key.split(' ')
  const seen = words.map((w) => `__fish_seen_subcommand_from ${w}`)
  const below = n.spec.commands.length === 0 ? [] : [`not __fish_seen_subcommand_from ${n.spec.commands.map((c) => c.name).join(' ')}`]
  const conds = n.key === '' ? ['__fish_use_subcommand'] : [...seen, ...below]
  return conds.join('; and ')
}

export const fish = (s: Spec): string => {
  const all = nodes(s)
  const lines = all.flatMap((n) => {
    const at = sq(fishAt(n))
    const cmds = [
      ...n.spec.commands.map((c) => `complete -c ${s.name} -n ${at} -f -a ${sq(c.name)} -d ${sq(c.description)}`),
      ...(n.spec.argChoices.length === 0 ? [] : [`complete -c ${s.name} -n ${at} -f -a ${sq(n.spec.argChoices.join(' '))}`])
    ]
    // options apply once the command is typed, also after its positional arguments
    const within = sq(n.key === '' ? 'true' : n.key.split(' ').map((w) => `__fish_seen_subcommand_from ${w}`).join('; and '))
    const opts = n.spec.options.map((o) => {
      const parts = [
        `complete -c ${s.name} -n ${within}`,
        ...(o.short === undefined ? [] : [`-s ${o.short.slice(1)}`]),
        ...(o.long === undefined ? [] : [`-l ${o.long.slice(2)}`]),
        ...(o.value ? ['-r'] : []),
        ...(o.choices.length > 0 ? [`-f -a ${sq(o.choices.join(' '))}`] : o.value && !o.path ? ['-f'] : []),
        `-d ${sq(o.description)}`
      ]
      return parts.join(' ')
    })
    return [...cmds, ...opts]
  })
  return [`# fish completion for ${s.name}; load with: ${s.name} completion fish | source`, ...lines, ''].join('\n')
}

export const completion = (shell: Shell, s: Spec): string => (shell === 'bash' ? bash(s) : shell === 'zsh' ? zsh(s) : fish(s))

// -------------------------------------------------------------------------------------
// kubectl plugin completion
// -------------------------------------------------------------------------------------

/**
 * What completes the last of `words` (the words after the command name; the last one is being
 * typed, possibly empty): candidates with descriptions, and whether file names complete too.
 * The same walk as the shell scripts: subcommands, then the value of the option just before,
 * then options (for a word starting with `-`), then subcommands or fixed argument values.
 */
export const candidates = (s: Spec, words: ReadonlyArray<string>): { readonly values: ReadonlyArray<readonly [string, string]>; readonly files: boolean } => {
  let at = s
  for (const w of words.slice(0, -1)) at = at.commands.find((c) => c.name === w) ?? at
  const cur = words[words.length - 1] ?? ''
  const prev = words.length >= 2 ? words[words.length - 2] : undefined
  const starting = (vs: ReadonlyArray<readonly [string, string]>): ReadonlyArray<readonly [string, string]> => vs.filter(([v]) => v.startsWith(cur))
  const valueOf = at.options.find((o) => o.value && prev !== undefined && flags(o).includes(prev))
  if (valueOf !== undefined) return { values: starting(valueOf.choices.map((c) => [c, valueOf.description] as const)), files: valueOf.path }
  if (cur.startsWith('-')) return { values: starting(at.options.flatMap((o) => flags(o).map((f) => [f, o.description] as const))), files: false }
  const words2 = [...at.commands.map((c) => [c.name, c.description] as const), ...at.argChoices.map((a) => [a, ''] as const)]
  return { values: starting(words2), files: words2.length === 0 }
}

/**
 * The answer of `kubectl_complete-netpolx` (kubectl ≥ 1.26 runs it for `kubectl netpolx <TAB>`):
 * Cobra's `__complete` format, one `value<TAB>description` a line, then `:4` (no file names) or
 * `:0` (file names may complete).
 */
export const cobraComplete = (s: Spec, words: ReadonlyArray<string>): string => {
  const c = candidates(s, words)
  return [...c.values.map(([v, d]) => (d === '' ? v : `${v}\t${d.split('\n')[0] ?? ''}`)), `:${c.files ? 0 : 4}`, ''].join('\n')
}
