/**
 * Profile parameters: their types, how a value of each type is read from a profile file (a YAML
 * value) or from the command line (a string), and how the values of a run are resolved.
 *
 * A parameter's value is plain data that `template.ts` puts into the profile's policies:
 *
 * | type         | YAML default                | command line                         | value           |
 * |--------------|-----------------------------|--------------------------------------|-----------------|
 * | `direction`  | `ingress`, `egress`, `both` | the same word                        | string          |
 * | `namespace`  | a namespace name            | a namespace name                     | string          |
 * | `namespaces` | a list of names             | repeatable, or comma-separated       | list of strings |
 * | `labels`     | a mapping                   | `key=value,key2=value2`              | mapping         |
 * | `port`       | an integer 1–65535          | the same number                      | number          |
 * | `cidrs`      | a list of CIDRs             | repeatable, or comma-separated       | list of strings |
 * | `string`     | a string                    | the string                           | string          |
 *
 * Names and labels are checked with the API server's rules (namespace names are DNS-1123 labels,
 * label keys an optional DNS-1123 subdomain prefix and a name of at most 63 characters), so a bad
 * value is reported where it was given instead of producing policies the API server rejects.
 * A parameter without a default is required. Nothing here throws.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as C from '../ir/cidr.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export const parameterTypes = ['direction', 'namespace', 'namespaces', 'labels', 'port', 'cidrs', 'string'] as const

export type ParameterType = (typeof parameterTypes)[number]

export type Value = string | number | ReadonlyArray<string> | Readonly<Record<string, string>>

/** Whether values given several times on the command line accumulate (lists) or the last one wins. */
export const isList = (t: ParameterType): boolean => t === 'namespaces' || t === 'cidrs' || t === 'labels'

/**
 * The command-line flag that fills a parameter of this name, for the parameters the built-in
 * profiles use; any parameter can also be given as `--param NAME=VALUE`.
 */
export const standardFlags: Readonly<Record<string, string>> = {
  direction: '--direction',
  excludeNamespaces: '--exclude-namespace',
  dnsSelector: '--dns-selector',
  dnsNamespace: '--dns-namespace',
  dnsPort: '--dns-port',
  cidrs: '--cidr',
  fromNamespaces: '--from-namespace'
}

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/

/** Why `s` is not a namespace name (a DNS-1123 label), or undefined. */
export const namespaceProblem = (s: string): string | undefined =>
  s.length > 63 || !dnsLabel.test(s) ? `invalid namespace name ${JSON.stringify(s)}: expected a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)` : undefined

/** Why `s` is not a label key, or undefined. */
export const labelKeyProblem = (s: string): string | undefined => {
  const slash = s.lastIndexOf('/')
  const prefix = slash < 0 ? undefined : s.slice(0, slash)
  const name = slash < 0 ? s : s.slice(slash + 1)
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix))) return `invalid label key ${JSON.stringify(s)}: the prefix must be a DNS-1123 subdomain`
  if (name.length > 63 || !labelName.test(name)) return `invalid label key ${JSON.stringify(s)}: the name must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`
  return undefined
}

/** Why `s` is not a label value, or undefined. */
export const labelValueProblem = (s: string): string | undefined =>
  s === '' || (s.length <= 63 && labelName.test(s)) ? undefined : `invalid label value ${JSON.stringify(s)}: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`

const firstProblem = (xs: ReadonlyArray<string | undefined>): string | undefined => xs.find((x) => x !== undefined)

/** Why a mapping is not a set of labels, or undefined. */
export const labelsProblem = (m: Readonly<Record<string, string>>): string | undefined =>
  firstProblem(Object.entries(m).flatMap(([k, v]) => [labelKeyProblem(k), labelValueProblem(v)]))

const cidrProblem = (s: string): string | undefined => E.match<string, C.CidrSet, string | undefined>((e) => e, () => undefined)(C.parseCidr(s))

// -------------------------------------------------------------------------------------
// values from YAML
// -------------------------------------------------------------------------------------

const isStringList = (u: unknown): u is ReadonlyArray<string> => Array.isArray(u) && u.every((x) => typeof x === 'string')

const isStringMap = (u: unknown): u is Readonly<Record<string, string>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && Object.values(u).every((v) => typeof v === 'string')

/** A value of type `t` as written in a profile file (a parameter's `default`): the value, or why not. */
export const valueFromYaml = (t: ParameterType, u: unknown): E.Either<string, Value> => {
  switch (t) {
    case 'direction':
      return u === 'ingress' || u === 'egress' || u === 'both' ? E.right(u) : E.left(`expected ingress, egress or both, got ${JSON.stringify(u)}`)
    case 'namespace':
      if (typeof u !== 'string') return E.left(`expected a namespace name, got ${JSON.stringify(u)}`)
      return checked(u, namespaceProblem(u))
    case 'namespaces':
      if (!isStringList(u)) return E.left('expected a list of namespace names')
      return checked(u, firstProblem(u.map(namespaceProblem)))
    case 'labels':
      if (!isStringMap(u)) return E.left('expected a mapping of label keys to string values')
      return checked(u, labelsProblem(u))
    case 'port':
      return typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 65535 ? E.right(u) : E.left(`expected a port number from 1 to 65535, got ${JSON.stringify(u)}`)
    case 'cidrs':
      if (!isStringList(u)) return E.left('expected a list of CIDRs')
      return checked(u, firstProblem(u.map(cidrProblem)))
    case 'string':
      return typeof u === 'string' ? E.right(u) : E.left(`expected a string, got ${JSON.stringify(u)}`)
  }
}

const checked = (v: Value, problem: string | undefined): E.Either<string, Value> => (problem === undefined ? E.right(v) : E.left(problem))

// -------------------------------------------------------------------------------------
// values from the command line
// -------------------------------------------------------------------------------------

const splitList = (texts: ReadonlyArray<string>): ReadonlyArray<string> =>
  texts.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')

/** `key=value,key2=value2` (a bare `key` means the value ""). */
const parseLabels = (texts: ReadonlyArray<string>): E.Either<string, Readonly<Record<string, string>>> => {
  const out: Record<string, string> = {}
  for (const item of splitList(texts)) {
    const eq = item.indexOf('=')
    const k = (eq < 0 ? item : item.slice(0, eq)).trim()
    const v = eq < 0 ? '' : item.slice(eq + 1).trim()
    if (k in out && out[k] !== v) return E.left(`label ${JSON.stringify(k)} given twice with different values`)
    out[k] = v
  }
  const problem = labelsProblem(out)
  return problem === undefined ? E.right(out) : E.left(problem)
}

/**
 * A value of type `t` from the strings given on the command line, in order (list types accumulate
 * and split on commas; for the others the last one wins): the value, or why not.
 */
export const valueFromCli = (t: ParameterType, texts: ReadonlyArray<string>): E.Either<string, Value> => {
  const last = texts[texts.length - 1] ?? ''
  switch (t) {
    case 'direction':
    case 'namespace':
    case 'string':
      return valueFromYaml(t, last)
    case 'port':
      return /^[0-9]+$/.test(last) ? valueFromYaml(t, Number(last)) : E.left(`expected a port number from 1 to 65535, got ${JSON.stringify(last)}`)
    case 'namespaces':
    case 'cidrs':
      return valueFromYaml(t, splitList(texts))
    case 'labels':
      return parseLabels(texts)
  }
}

/** A value as written in help texts: `a, b`, `k=v,k2=v2`, `53`. */
export const showValue = (v: Value): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? String(v)
      : Array.isArray(v)
        ? v.length === 0
          ? '(none)'
          : v.join(', ')
        : Object.keys(v).length === 0
          ? '(none)'
          : Object.entries(v)
              .map(([k, x]) => (x === '' ? k : `${k}=${x}`))
              .join(',')
