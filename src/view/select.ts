/**
 * Endpoint selectors that cut a truth table (`reach --from SEL --to SEL`): which endpoints a user
 * means by a short text. A selector is one of
 *
 * - a label selector, kubectl style: comma-separated `key=value`, `key==value`, `key!=value`,
 *   `key` (has the label), `!key` (has not); all must hold on the pod's labels. Chosen when the
 *   text contains `=` or starts with `!`;
 * - a glob over endpoint ids (`namespace/name` for pods, the address for external endpoints):
 *   `*` any run of characters, `?` one character; a text without `/` that is not an address names
 *   a namespace (`shop` means `shop/*`).
 *
 * Several selectors are a union. Parsing never throws: a malformed selector is an error value.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Endpoint } from '../semantics/endpoint.js'

export type Selector =
  | { readonly _tag: 'glob'; readonly text: string; readonly re: RegExp }
  | { readonly _tag: 'labels'; readonly text: string; readonly tests: ReadonlyArray<LabelTest> }

interface LabelTest {
  readonly key: string
  readonly op: 'eq' | 'ne' | 'exists' | 'absent'
  readonly value: string
}

const labelKey = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/

const globRe = (glob: string): RegExp => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)

const looksLikeAddress = (s: string): boolean => /^[0-9.]+$/.test(s) || s.includes(':')

export const parseSelector = (text: string): E.Either<string, Selector> => {
  const t = text.trim()
  if (t === '') return E.left('an empty selector selects nothing; give NAMESPACE/NAME (globs * and ?) or a label selector like app=web')
  if (t.includes('=') || t.startsWith('!')) {
    const tests: Array<LabelTest> = []
    for (const part of t.split(',').map((s) => s.trim())) {
      const m = /^(!)?([^=!]+)(?:(==|=|!=)(.*))?$/.exec(part)
      const key = m?.[2]?.trim() ?? ''
      const value = m?.[4]?.trim() ?? ''
      if (m === null || !labelKey.test(key) || (m[1] !== undefined && m[3] !== undefined) || !labelValue.test(value))
        return E.left(`invalid label selector "${text}": expected key=value, key!=value, key or !key, separated by commas`)
      tests.push({ key, value, op: m[1] !== undefined ? 'absent' : m[3] === undefined ? 'exists' : m[3] === '!=' ? 'ne' : 'eq' })
    }
    return E.right({ _tag: 'labels', text: t, tests })
  }
  const glob = t.includes('/') || looksLikeAddress(t) ? t : `${t}/*`
  return E.right({ _tag: 'glob', text: t, re: globRe(glob) })
}

const testHolds = (l: LabelTest, labels: Readonly<Record<string, string>>): boolean => {
  const v = labels[l.key]
  switch (l.op) {
    case 'eq':
      return v === l.value
    case 'ne':
      return v !== l.value
    case 'exists':
      return v !== undefined
    case 'absent':
      return v === undefined
  }
}

export const selects = (s: Selector, e: Endpoint): boolean =>
  s._tag === 'glob' ? s.re.test(e.id) : e.kind !== 'world' && s.tests.every((t) => testHolds(t, e.labels))

/** Indices of the endpoints that some selector selects (all of them when no selector is given). */
export const selectIndices = (endpoints: ReadonlyArray<Endpoint>, sels: ReadonlyArray<Selector>): ReadonlyArray<number> =>
  endpoints.flatMap((e, i) => (sels.length === 0 || sels.some((s) => selects(s, e)) ? [i] : []))
