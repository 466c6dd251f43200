/**
 * io-ts decoding with positioned diagnostics: every validation error's key path is resolved to the
 * `file:line:col` of the offending node in the source document.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as D from '../diagnostics.js'
import type { Path, SourceDoc } from './source.js'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * A struct whose listed fields are decoded (required ones must be present) and whose unknown
 * fields are an error, as the Kubernetes API server's strict field validation reports them.
 */
export const struct = <R extends t.Props, O extends t.Props>(
  name: string,
  required: R,
  optional: O,
  options: {
    readonly allowUnknown?: boolean
    /** The message for an unknown field `key` (default: `unknown field "key" in NAME`). */
    readonly unknownMessage?: (key: string) => string
  } = {}
): t.Type<t.TypeOf<t.TypeC<R>> & t.TypeOf<t.PartialC<O>>, unknown, unknown> => {
  type A = t.TypeOf<t.TypeC<R>> & t.TypeOf<t.PartialC<O>>
  const props: Readonly<Record<string, t.Mixed>> = { ...optional, ...required }
  const requiredKeys = Object.keys(required)
  const req = t.type(required)
  const opt = t.partial(optional)
  return new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => req.is(u) && opt.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected ${name} (a mapping), got ${describe(u)}`)
      const record = u as Record<string, unknown>
      const errors: Array<t.ValidationError> = []
      let out: Record<string, unknown> | undefined
      for (const k of requiredKeys)
        if (record[k] === undefined || record[k] === null) errors.push({ value: undefined, context: [...c, { key: k, type: props[k] ?? t.never, actual: undefined }] })
      for (const k in record) {
        const v = record[k]
        const codec = Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined
        if (codec === undefined) {
          if (!options.allowUnknown)
            errors.push({ value: v, context: [...c, { key: k, type: t.never, actual: v }], message: options.unknownMessage?.(k) ?? `unknown field "${k}" in ${name}` })
          continue
        }
        if (v === null || v === undefined) {
          // Kubernetes decodes `field: null` as the zero value: the field is absent
          ;(out ??= { ...record })[k] = undefined
          delete out[k]
          continue
        }
        const r = codec.validate(v, [...c, { key: k, type: codec, actual: v }])
        if (E.isLeft(r)) errors.push(...r.left)
        else if (r.right !== v) (out ??= { ...record })[k] = r.right
      }
      return errors.length > 0 ? t.failures(errors) : t.success((out ?? record) as A)
    },
    (a) => a
  )
}

/** A string matching a predicate; `expected` describes it in the error message. */
export const refinedString = (name: string, ok: (s: string) => string | undefined): t.Type<string, string, unknown> =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && ok(u) === undefined,
    (u, c) => {
      if (u === undefined) return t.failure(u, c)
      if (typeof u !== 'string') return t.failure(u, c, `expected ${name} (a string), got ${describe(u)}`)
      const why = ok(u)
      return why === undefined ? t.success(u) : t.failure(u, c, why)
    },
    (a) => a
  )

/** A string from a fixed list, reported as `expected one of A, B, C`. */
export const oneOf = <A extends string>(name: string, values: ReadonlyArray<A>): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u),
    (u, c) =>
      typeof u === 'string' && (values as ReadonlyArray<string>).includes(u)
        ? t.success(u as A)
        : t.failure(u, c, `invalid ${name} ${describe(u)}: expected one of ${values.join(', ')}`),
    (a) => a
  )

/** An integer in [min, max]. */
export const intRange = (name: string, min: number, max: number): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) =>
      typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max
        ? t.success(u)
        : t.failure(u, c, `invalid ${name} ${describe(u)}: expected an integer from ${min} to ${max}`),
    (a) => a
  )

/** A map of strings to strings (labels, annotations). */
export const stringMap = (name: string): t.Type<Readonly<Record<string, string>>, unknown, unknown> =>
  new t.Type<Readonly<Record<string, string>>, unknown, unknown>(
    name,
    (u): u is Readonly<Record<string, string>> =>
      typeof u === 'object' && u !== null && !Array.isArray(u) && Object.values(u).every((v) => typeof v === 'string'),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected ${name} (a mapping of strings)`)
      const errors: t.Errors = Object.entries(u)
        .filter(([, v]) => typeof v !== 'string')
        .map(([k, v]) => ({
          value: v,
          context: [...c, { key: k, type: t.string, actual: v }],
          message: `expected a string value for ${name} key "${k}", got ${describe(v)}`
        }))
      return errors.length === 0 ? t.success(u as Readonly<Record<string, string>>) : t.failures(errors)
    },
    (a) => a
  )

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Characters a terminal would hide or use to reorder text: shown as `\uXXXX` escapes in messages. */
const hiddenChars = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu

/** A short description of a value for error messages: `"abc"`, `70000`, `a sequence`, `null`; never NaN or Infinity. */
export const describe = (u: unknown): string => {
  if (u === null || u === undefined) return 'null'
  if (typeof u === 'string')
    return visible(JSON.stringify(u.length > 60 ? `${u.slice(0, 57)}...` : u))
  if (typeof u === 'number') return Number.isNaN(u) ? '.nan (not a number)' : !Number.isFinite(u) ? (u > 0 ? '.inf (infinity)' : '-.inf (minus infinity)') : String(u)
  if (typeof u === 'boolean') return String(u)
  if (Array.isArray(u)) return 'a sequence'
  return 'a mapping'
}

/** A value template placeholder: `${VAR}`, `{{ .Values.x }}`, `<name>`, `$VAR`. */
export const looksLikePlaceholder = (s: string): boolean => /\$\{[^}]*\}|\{\{.*\}\}|<[^<>]*>|^\$[A-Z_][A-Z0-9_]*$/.test(s)

/**
 * What a codec expects, in Kubernetes terms rather than io-ts type names
 * (`ReadonlyArray<EgressRule>` → `a list of EgressRule`, `string` → `a string`).
 */
export const expectedText = (name: string): string => {
  const list = /^(?:Readonly)?Array<(.*)>$/.exec(name)
  if (list !== null) return `a list${list[1] === undefined || list[1] === 'unknown' ? '' : ` of ${expectedText(list[1]).replace(/^an? /, '')}`}`
  if (name === 'string') return 'a string'
  if (name === 'number') return 'a number'
  if (name === 'boolean') return 'true or false'
  if (name === 'Int' || name === 'Integer') return 'an integer'
  if (name === 'unknown' || name === 'never') return 'a value'
  if (/^\{.*\}$/s.test(name) || /^Partial</.test(name) || /^Readonly</.test(name) || /^\(.*&.*\)$/s.test(name)) return 'a mapping'
  if (/\|/.test(name)) return `one of ${name.split(/\s*\|\s*/).map(expectedText).join(', ')}`
  return name
}

/** The key path of an io-ts error, relative to the decoded value (the root entry is dropped; union and intersection members are skipped). */
const pathOf = (e: t.ValidationError): Path => {
  const out: Array<string | number> = []
  let parent: t.Decoder<unknown, unknown> | undefined
  e.context.forEach((entry, i) => {
    if (i === 0) {
      parent = entry.type
      return
    }
    const skip = parent instanceof t.UnionType || parent instanceof t.IntersectionType
    parent = entry.type
    if (skip) return
    out.push(/^\d+$/.test(entry.key) ? Number(entry.key) : entry.key)
  })
  return out
}

const placeholderHint = 'it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'

const messageOf = (e: t.ValidationError): string => {
  const last = e.context[e.context.length - 1]
  const base =
    e.message !== undefined
      ? e.message
      : e.value === undefined
        ? `missing required field "${last?.key ?? ''}"`
        : `expected ${expectedText(last?.type.name ?? 'unknown')}, got ${describe(e.value)}`
  return typeof e.value === 'string' && looksLikePlaceholder(e.value) && !base.includes('template placeholder') ? `${base}; ${placeholderHint}` : base
}

/**
 * Decodes `value` (found at `base` inside `doc`) and turns every error into a diagnostic with
 * code `invalid-field` positioned at the offending node. The first error per path is kept.
 */
export const decode = <A>(codec: t.Decoder<unknown, A>, doc: SourceDoc, value: unknown, base: Path = []): E.Either<ReadonlyArray<D.Diagnostic>, A> => {
  const r = codec.decode(value)
  if (E.isRight(r)) return E.right(r.right)
  const seen = new Set<string>()
  const ds: Array<D.Diagnostic> = []
  for (const e of r.left) {
    const path = [...base, ...pathOf(e)]
    const k = JSON.stringify(path)
    if (seen.has(k)) continue
    seen.add(k)
    ds.push(D.error('invalid-field', `${pathText(path)}: ${messageOf(e)}`, doc.locate(path)))
  }
  return E.left(ds)
}

/**
 * Map entries whose value is null are dropped, recursively: Kubernetes decodes `field: null` (and
 * a key with no value in YAML) as the field's zero value, i.e. as if it were absent. (`struct`
 * does this itself; this is for plain io-ts codecs.)
 */
export const withoutNulls = (u: unknown): unknown => {
  if (typeof u !== 'object' || u === null) return u
  if (Array.isArray(u)) {
    let out: Array<unknown> | undefined
    u.forEach((x, i) => {
      const y = withoutNulls(x)
      if (y !== x) (out ??= [...u])[i] = y
    })
    return out ?? u
  }
  let out: Record<string, unknown> | undefined
  for (const k in u) {
    const v = (u as Record<string, unknown>)[k]
    if (v === null) {
      out ??= { ...u }
      delete out[k]
    } else if (typeof v === 'object') {
      const w = withoutNulls(v)
      if (w !== v) (out ??= { ...u })[k] = w
    }
  }
  return out ?? u
}

/** `spec.ingress[0].ports[1].port` */
export const pathText = (path: Path): string =>
  path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? visible(k) : `${acc}.${visible(k)}`), '')

/** `s` with the characters a terminal would hide or reorder text with written as `\uXXXX`. */
export const visible = (s: string): string => s.replace(hiddenChars, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
