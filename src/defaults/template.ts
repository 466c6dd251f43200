/**
 * Parameter substitution in profile policy templates.
 *
 * A string that is exactly `${name}` is replaced by the parameter's value, whatever its type (a
 * list, a mapping, a number, a string): `namespaces: ${fromNamespaces}` becomes a list. Inside a
 * longer string, `${name}` is replaced by the text of a scalar value (`allow-${dnsPort}`); a list
 * or mapping there is an error. `$${` writes a literal `${`. Mapping keys are not substituted.
 *
 * The structure of the template is otherwise kept, so a later decoding error inside a substituted
 * value still resolves to the position of the `${…}` that put it there. A reference to a parameter
 * the profile does not declare is an error at its position. Nothing here throws.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import { pathText } from '../io/decode.js'
import type { Path, SourceDoc } from '../io/source.js'
import type { Value } from './params.js'

const whole = /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/
const token = /\$\$\{|\$\{([^}]*)\}?/g
const validName = /^[A-Za-z][A-Za-z0-9]*$/

const isScalar = (v: Value): v is string | number => typeof v === 'string' || typeof v === 'number'

/** The names a template refers to (for checking that a profile uses what it declares). */
export const references = (u: unknown): ReadonlySet<string> => {
  const out = new Set<string>()
  const go = (x: unknown): void => {
    if (typeof x === 'string') {
      for (const m of x.matchAll(token)) if (m[1] !== undefined && validName.test(m[1])) out.add(m[1])
    } else if (Array.isArray(x)) x.forEach(go)
    else if (typeof x === 'object' && x !== null) Object.values(x).forEach(go)
  }
  go(u)
  return out
}

/**
 * `template` (found at `base` in `doc`) with every reference replaced by its value from `values`;
 * every problem is an error at the string that holds it.
 */
export const substitute = (
  template: unknown,
  values: ReadonlyMap<string, Value>,
  doc: SourceDoc,
  base: Path
): E.Either<ReadonlyArray<D.Diagnostic>, unknown> => {
  const errors: Array<D.Diagnostic> = []
  const fail = (path: Path, message: string): void => void errors.push(D.error('invalid-template', `${pathText(path)}: ${message}`, doc.locate(path)))
  const go = (x: unknown, path: Path): unknown => {
    if (typeof x === 'string') {
      const w = whole.exec(x)
      if (w?.[1] !== undefined) {
        const v = values.get(w[1])
        if (v === undefined) fail(path, `\${${w[1]}} names no parameter of this profile`)
        return v ?? x
      }
      return x.replace(token, (m: string, name: string | undefined) => {
        if (m === '$${') return '${'
        if (name === undefined || !m.endsWith('}') || !validName.test(name)) {
          fail(path, `invalid reference ${JSON.stringify(m)}: expected \${name} (write $\${ for a literal \${)`)
          return m
        }
        const v = values.get(name)
        if (v === undefined) {
          fail(path, `\${${name}} names no parameter of this profile`)
          return m
        }
        if (!isScalar(v)) {
          fail(path, `\${${name}} is a list or mapping and cannot be part of a longer string`)
          return m
        }
        return String(v)
      })
    }
    if (Array.isArray(x)) return x.map((y, i) => go(y, [...path, i]))
    if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, go(y, [...path, k])]))
    return x
  }
  const out = go(template, base)
  return errors.length > 0 ? E.left(errors) : E.right(out)
}
