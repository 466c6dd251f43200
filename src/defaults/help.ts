/**
 * The profile list of `netpolx defaults --help`, rendered from the profiles themselves (name,
 * description, parameters with their flag, type and default, example), so the help never
 * disagrees with the shipped files.
 */
import { standardFlags, showValue } from './params.js'
import type { Parameter, Profile } from './profile.js'

const typeHint: Readonly<Record<Parameter['type'], string>> = {
  direction: 'ingress|egress|both',
  namespace: 'NAMESPACE',
  namespaces: 'NAMESPACE',
  labels: 'KEY=VALUE[,KEY=VALUE…]',
  port: 'PORT',
  cidrs: 'CIDR',
  string: 'TEXT'
}

const repeatable = (p: Parameter): boolean => p.type === 'namespaces' || p.type === 'cidrs'

/** `--dns-port PORT` or `--param name=PORT`, with `(repeatable)` for lists. */
export const usageOf = (p: Parameter): string => {
  const flag = standardFlags[p.name]
  const base = flag === undefined ? `--param ${p.name}=${typeHint[p.type]}` : `${flag} ${typeHint[p.type]}`
  return repeatable(p) ? `${base} (repeatable)` : base
}

/** Wraps `text` at `width` columns, every line indented by `indent`. */
const wrap = (text: string, indent: string, width = 100): ReadonlyArray<string> => {
  const out: Array<string> = []
  let line = ''
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      out.push(indent + line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') out.push(indent + line)
  return out
}

export const profileHelp = (p: Profile): string => {
  const lines: Array<string> = [`  ${p.name}`]
  if (p.description !== undefined) lines.push(...wrap(p.description, '      '))
  if (p.parameters.length > 0) {
    lines.push('      parameters:')
    for (const param of p.parameters) {
      const dflt = param.default === undefined ? 'required' : `default: ${showValue(param.default)}`
      lines.push(`        ${usageOf(param)}  [${dflt}]`)
      if (param.description !== undefined) lines.push(...wrap(param.description, '            '))
    }
  }
  if (p.example !== undefined) lines.push(`      example: ${p.example.trim()}`)
  return lines.join('\n')
}

/** Every profile's help, in order. */
export const profilesHelp = (ps: ReadonlyArray<Profile>): string => ps.map(profileHelp).join('\n\n')
