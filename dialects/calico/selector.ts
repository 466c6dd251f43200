/**
 * Calico selector expressions: parser, canonical printer and IR meaning.
 *
 * The accepted language is Calico's (`libcalico-go/lib/selector/tokenizer` and `parser`):
 *
 * - whitespace is only space and tab; any other character outside a string literal that the
 *   grammar has no use for (newline included) is an error;
 * - a label key is one or more of `[A-Za-z0-9_./-]`, at most 512 characters;
 * - string literals use `'…'` or `"…"` and have no escapes: a literal runs to the next quote of
 *   the same kind, so `"a'b"` and `'a"b'` are fine; numbers must be quoted;
 * - right after a label come the operators `==`, `!=`, `in`, `not in` (or `notin`), `contains`,
 *   `starts with` (or `startswith`), `ends with` (or `endswith`); word operators need a word
 *   boundary after them (`a in{}` is fine, `a inx` is not);
 * - `has(k)`, `all()` and `global()` are written without a space before the parenthesis; spaces
 *   inside are fine (`has( a )`);
 * - precedence: `!` binds to a single primary (any number of leading `!` collapse by parity), then
 *   `&&`, then `||`; set literals may be empty and may end with a comma;
 * - an empty (or blank) selector is `all()`.
 *
 * Parsed selectors are normalised (see {@link normalize}): nested `&&`/`||` are flattened, double
 * negation is removed and set literals are sorted and de-duplicated. Only the structure changes,
 * never the meaning.
 *
 * Errors carry the offset of the offending character as a JavaScript string index (UTF-16 code
 * units; the same as a byte offset for ASCII text), or the length of the text when the text ends
 * too early. When Calico would reject a selector for several reasons, the one reported here is the
 * leftmost.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as F from '../../src/ir/formula.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Selector =
  | { readonly _tag: 'all' }
  | { readonly _tag: 'global' }
  | { readonly _tag: 'has'; readonly key: string }
  | {
      readonly _tag: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'
      readonly key: string
      readonly value: string
    }
  /** `values` sorted and de-duplicated (after {@link normalize}; `parse` always produces that). */
  | { readonly _tag: 'in' | 'notIn'; readonly key: string; readonly values: ReadonlyArray<string> }
  | { readonly _tag: 'not'; readonly arg: Selector }
  | { readonly _tag: 'and' | 'or'; readonly args: ReadonlyArray<Selector> }

/** `offset`: 0-based index in the text of the offending character (the text's length at an unexpected end). */
export interface SelectorError {
  readonly offset: number
  readonly message: string
}

/** Calico's limit on the length of a label key. */
export const maxKeyLength = 512

// -------------------------------------------------------------------------------------
// normalisation
// -------------------------------------------------------------------------------------

const all: Selector = { _tag: 'all' }

const sortedUnique = (xs: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(xs)].sort()

const mkNot = (s: Selector): Selector => (s._tag === 'not' ? s.arg : { _tag: 'not', arg: s })

const mkJunction = (tag: 'and' | 'or', parts: ReadonlyArray<Selector>): Selector => {
  const args = parts.flatMap((p) => (p._tag === tag ? p.args : [p]))
  const [first] = args
  if (first === undefined) return tag === 'and' ? all : mkNot(all)
  return args.length === 1 ? first : { _tag: tag, args }
}

/**
 * The canonical form of a selector, with the same meaning: `&&` inside `&&` and `||` inside `||`
 * flattened, a one-operand `&&`/`||` replaced by its operand, an empty `&&` by `all()` and an empty
 * `||` by `!all()`, `!!s` by `s`, and set literals sorted and de-duplicated. `parse` returns
 * normalised selectors and `parse(print(s))` equals `normalize(s)` for every printable `s`.
 */
export const normalize = (s: Selector): Selector => {
  switch (s._tag) {
    case 'in':
    case 'notIn':
      return { _tag: s._tag, key: s.key, values: sortedUnique(s.values) }
    case 'not':
      return mkNot(normalize(s.arg))
    case 'and':
    case 'or':
      return mkJunction(s._tag, s.args.map(normalize))
    default:
      return s
  }
}

// -------------------------------------------------------------------------------------
// lexing
// -------------------------------------------------------------------------------------

type Simple =
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eq'
  | 'ne'
  | 'not'
  | 'and'
  | 'or'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'all'
  | 'global'

type Token =
  | { readonly kind: Simple; readonly start: number; readonly end: number }
  | { readonly kind: 'label' | 'string' | 'has'; readonly start: number; readonly end: number; readonly value: string }
  | { readonly kind: 'eof'; readonly start: number; readonly end: number }
  /** A lexical error: the token stream stops here, and the parser reports it when it gets this far. */
  | { readonly kind: 'error'; readonly start: number; readonly end: number; readonly error: SelectorError }

const isKeyChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_./-]$/.test(c)

const isValidKey = (k: string): boolean => k.length > 0 && k.length <= maxKeyLength && /^[A-Za-z0-9_./-]+$/.test(k)

const skipBlanks = (text: string, i: number): number => {
  let j = i
  while (text[j] === ' ' || text[j] === '\t') j++
  return j
}

const keyEnd = (text: string, i: number): number => {
  let j = i
  while (isKeyChar(text[j])) j++
  return j
}

/** A short quotation of some source text for a message. */
const show = (s: string): string =>
  /[\u0000-\u001f\u007f]/.test(s) || (s.includes('"') && s.includes("'")) ? JSON.stringify(s) : s.includes('"') ? `'${s}'` : `"${s}"`

/** What stands at `i`, for "found …": a key-like word, one character, or the end of the text. */
const foundAt = (text: string, i: number): string => {
  if (i >= text.length) return 'end of text'
  const end = keyEnd(text, i)
  if (end > i) return show(text.slice(i, end))
  return show(String.fromCodePoint(text.codePointAt(i) ?? 0))
}

const errorAt = (text: string, offset: number, expected: string): Token => ({
  kind: 'error',
  start: offset,
  end: offset,
  error: { offset, message: `expected ${expected}, found ${foundAt(text, offset)}` }
})

/** A label key starting at `i`, or an error token. */
const lexKey = (text: string, i: number, expected: string): { readonly end: number; readonly key: string } | Token => {
  const end = keyEnd(text, i)
  if (end === i) return errorAt(text, i, expected)
  if (end - i > maxKeyLength)
    return {
      kind: 'error',
      start: i,
      end,
      error: {
        offset: i + maxKeyLength,
        message: `expected a label key of at most ${maxKeyLength} characters, found one of ${end - i}`
      }
    }
  return { end, key: text.slice(i, end) }
}

/** `words` separated by optional blanks, with a word boundary after the last: the end, or -1. */
const matchWords = (text: string, i: number, words: ReadonlyArray<string>): number => {
  let j = i
  for (const [n, w] of words.entries()) {
    if (n > 0) j = skipBlanks(text, j)
    if (!text.startsWith(w, j)) return -1
    j += w.length
  }
  return isKeyChar(text[j]) ? -1 : j
}

const wordOperators: ReadonlyArray<readonly [Simple, ReadonlyArray<string>]> = [
  ['contains', ['contains']],
  ['startsWith', ['starts', 'with']],
  ['endsWith', ['ends', 'with']],
  ['notIn', ['not', 'in']],
  ['in', ['in']]
]

const punctuation: Readonly<Record<string, Simple>> = {
  '(': 'lparen',
  ')': 'rparen',
  '{': 'lbrace',
  '}': 'rbrace',
  ',': 'comma'
}

const pairs: Readonly<Record<string, Simple>> = { '=': 'eq', '&': 'and', '|': 'or' }

/** `name(` … `)` with only blanks inside (`all()`, `global()`). */
const lexNullary = (text: string, i: number, name: 'all' | 'global'): Token => {
  const j = skipBlanks(text, i + name.length + 1)
  return text[j] === ')' ? { kind: name, start: i, end: j + 1 } : errorAt(text, j, `")" after "${name}("`)
}

const lexHas = (text: string, i: number): Token => {
  const j = skipBlanks(text, i + 'has('.length)
  const k = lexKey(text, j, 'a label key after "has("')
  if ('kind' in k) return k
  const close = skipBlanks(text, k.end)
  return text[close] === ')'
    ? { kind: 'has', start: i, end: close + 1, value: k.key }
    : errorAt(text, close, `")" to close "has(${k.key}"`)
}

/**
 * The tokens of `text`, ending with `eof` or with an `error` token. Like Calico's tokenizer, it
 * reads operator words only right after a label and labels everywhere else, so keys such as `in`
 * or `has` are ordinary labels at the start of a term.
 */
const tokenize = (text: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  for (;;) {
    i = skipBlanks(text, i)
    if (i >= text.length) {
      tokens.push({ kind: 'eof', start: text.length, end: text.length })
      return tokens
    }
    const c = text[i] ?? ''
    const last = tokens[tokens.length - 1]
    const afterLabel = last !== undefined && last.kind === 'label' ? last.value : undefined
    let tok: Token
    const punct = punctuation[c]
    const pair = pairs[c]
    if (punct !== undefined) tok = { kind: punct, start: i, end: i + 1 }
    else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1)
      tok =
        close < 0
          ? {
              kind: 'error',
              start: i,
              end: text.length,
              error: { offset: text.length, message: `expected ${show(c)} to close the string that starts at offset ${i}, found end of text` }
            }
          : { kind: 'string', start: i, end: close + 1, value: text.slice(i + 1, close) }
    } else if (pair !== undefined) {
      tok =
        text[i + 1] === c
          ? { kind: pair, start: i, end: i + 2 }
          : { kind: 'error', start: i, end: i + 1, error: { offset: i, message: `expected ${show(c + c)}, found ${show(c)}` } }
    } else if (c === '!') tok = text[i + 1] === '=' ? { kind: 'ne', start: i, end: i + 2 } : { kind: 'not', start: i, end: i + 1 }
    else if (afterLabel !== undefined) {
      const op = wordOperators.map(([kind, words]) => ({ kind, end: matchWords(text, i, words) })).find((m) => m.end >= 0)
      tok = op === undefined ? errorAt(text, i, `an operator after label ${show(afterLabel)}`) : { kind: op.kind, start: i, end: op.end }
    } else if (text.startsWith('has(', i)) tok = lexHas(text, i)
    else if (text.startsWith('all(', i)) tok = lexNullary(text, i, 'all')
    else if (text.startsWith('global(', i)) tok = lexNullary(text, i, 'global')
    else if (isKeyChar(c)) {
      const k = lexKey(text, i, 'a label key')
      tok = 'kind' in k ? k : { kind: 'label', start: i, end: k.end, value: k.key }
    } else
      tok = {
        kind: 'error',
        start: i,
        end: i + 1,
        error: { offset: i, message: `unexpected character ${show(String.fromCodePoint(text.codePointAt(i) ?? 0))}` }
      }
    tokens.push(tok)
    if (tok.kind === 'error') return tokens
    i = tok.end
  }
}

// -------------------------------------------------------------------------------------
// parsing
// -------------------------------------------------------------------------------------

type Result = E.Either<SelectorError, Selector>

const comparisons: Readonly<Partial<Record<Token['kind'], 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'>>> = {
  eq: 'eq',
  ne: 'ne',
  contains: 'contains',
  startsWith: 'startsWith',
  endsWith: 'endsWith'
}

const term = 'a label, "has(", "all()", "global()", "!" or "("'

const parseTokens = (text: string, tokens: ReadonlyArray<Token>): Result => {
  let pos = 0
  const eof: Token = { kind: 'eof', start: text.length, end: text.length }
  const peek = (): Token => tokens[pos] ?? eof
  const raw = (t: Token): string => text.slice(t.start, t.end)
  const opText = (t: Token): string => raw(t).replace(/[ \t]+/g, ' ')
  const fail = (expected: string): Result => {
    const t = peek()
    if (t.kind === 'error') return E.left(t.error)
    return E.left({ offset: t.start, message: `expected ${expected}, found ${t.kind === 'eof' ? 'end of text' : show(raw(t))}` })
  }

  const parseSet = (key: string, tag: 'in' | 'notIn', op: string): Result => {
    if (peek().kind !== 'lbrace') return fail(`"{" after ${show(op)}`)
    pos++
    const values: Array<string> = []
    for (;;) {
      const t = peek()
      if (t.kind === 'rbrace') break
      if (t.kind !== 'string') return fail(values.length === 0 ? 'a quoted string or "}"' : 'a quoted string or "}" after ","')
      values.push(t.value)
      pos++
      const sep = peek().kind
      if (sep === 'comma') pos++
      else if (sep !== 'rbrace') return fail('"," or "}"')
    }
    pos++
    return E.right({ _tag: tag, key, values: sortedUnique(values) })
  }

  const parseMatch = (key: string): Result => {
    const op = peek()
    const tag = comparisons[op.kind]
    if (tag !== undefined) {
      pos++
      const v = peek()
      if (v.kind !== 'string') return fail(`a quoted string after ${show(opText(op))}`)
      pos++
      return E.right({ _tag: tag, key, value: v.value })
    }
    if (op.kind === 'in' || op.kind === 'notIn') {
      pos++
      return parseSet(key, op.kind, opText(op))
    }
    return fail(`an operator after label ${show(key)}`)
  }

  const parsePrimary = (): Result => {
    const t = peek()
    switch (t.kind) {
      case 'has':
        pos++
        return E.right({ _tag: 'has', key: t.value })
      case 'all':
      case 'global':
        pos++
        return E.right({ _tag: t.kind })
      case 'label':
        pos++
        return parseMatch(t.value)
      case 'lparen': {
        pos++
        const inner = parseOr()
        if (E.isLeft(inner)) return inner
        if (peek().kind !== 'rparen') return fail('"&&", "||" or ")"')
        pos++
        return inner
      }
      default:
        return fail(term)
    }
  }

  const parseUnary = (): Result => {
    let negated = false
    while (peek().kind === 'not') {
      negated = !negated
      pos++
    }
    const p = parsePrimary()
    return negated && E.isRight(p) ? E.right(mkNot(p.right)) : p
  }

  const parseChain = (tag: 'and' | 'or', sep: 'and' | 'or', operand: () => Result): Result => {
    const args: Array<Selector> = []
    for (;;) {
      const r = operand()
      if (E.isLeft(r)) return r
      args.push(r.right)
      if (peek().kind !== sep) return E.right(mkJunction(tag, args))
      pos++
    }
  }

  const parseAnd = (): Result => parseChain('and', 'and', parseUnary)
  const parseOr = (): Result => parseChain('or', 'or', parseAnd)

  if (peek().kind === 'eof') return E.right(all)
  const r = parseOr()
  if (E.isLeft(r)) return r
  return peek().kind === 'eof' ? r : fail('"&&", "||" or end of text')
}

/** Parses a Calico selector; `''` and blank text mean `all()`. The result is normalised. */
export const parse = (text: string): E.Either<SelectorError, Selector> => parseTokens(text, tokenize(text))

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

/** Whether a value can be written as a Calico string literal: not when it holds both quote kinds. */
export const isQuotable = (value: string): boolean => !(value.includes("'") && value.includes('"'))

/** Whether `key` is a valid Calico label key. */
export const isValidLabelKey = isValidKey

/**
 * Whether `print` can write `s` faithfully: every key is a valid label key and no value holds
 * both quote kinds.
 */
export const printable = (s: Selector): boolean => {
  switch (s._tag) {
    case 'all':
    case 'global':
      return true
    case 'has':
      return isValidKey(s.key)
    case 'in':
    case 'notIn':
      return isValidKey(s.key) && s.values.every(isQuotable)
    case 'not':
      return printable(s.arg)
    case 'and':
    case 'or':
      return s.args.every(printable)
    default:
      return isValidKey(s.key) && isQuotable(s.value)
  }
}

/** Marks something Calico cannot spell: `#` is invalid outside a string, so the text will not parse. */
const unprintable = (s: string): string => `#${JSON.stringify(s)}`

const quote = (v: string): string => (!v.includes("'") ? `'${v}'` : !v.includes('"') ? `"${v}"` : unprintable(v))

const printKey = (k: string): string => (isValidKey(k) ? k : unprintable(k))

const operators: Readonly<Record<'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith', string>> = {
  eq: '==',
  ne: '!=',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with'
}

/** `level`: 0 any expression, 1 an operand of `&&`, 2 an operand of `!`. */
const render = (s: Selector, level: 0 | 1 | 2): string => {
  switch (s._tag) {
    case 'all':
      return 'all()'
    case 'global':
      return 'global()'
    case 'has':
      return `has(${printKey(s.key)})`
    case 'in':
    case 'notIn': {
      const set = s.values.length === 0 ? '{}' : `{ ${s.values.map(quote).join(', ')} }`
      return `${printKey(s.key)} ${s._tag === 'in' ? 'in' : 'not in'} ${set}`
    }
    case 'not':
      return `!${render(s.arg, 2)}`
    case 'and': {
      const text = s.args.map((a) => render(a, 1)).join(' && ')
      return level >= 2 ? `(${text})` : text
    }
    case 'or': {
      const text = s.args.map((a) => render(a, 0)).join(' || ')
      return level >= 1 ? `(${text})` : text
    }
    default:
      return `${printKey(s.key)} ${operators[s._tag]} ${quote(s.value)}`
  }
}

/**
 * Canonical Calico text for a selector (normalised first): `app == 'web'`, `a != 'x'`,
 * `k in { 'a', 'b' }`, `k not in {}`, `has(k)`, `!has(k)`, `all()`, `global()`,
 * `k starts with 'x'`, `&&` and `||` with parentheses only where needed.
 *
 * Values are written in single quotes, or in double quotes when they contain a single quote.
 * Calico literals have no escapes, so a value holding both quote kinds (or an invalid label key)
 * cannot be written: it is printed as `#` followed by its JSON string (`k == #"a'b\"c"`), which
 * Calico and {@link parse} reject at the `#`, so it can never be read back as a different
 * selector. Check {@link printable} first to avoid that.
 */
export const print = (s: Selector): string => render(normalize(s), 0)

// -------------------------------------------------------------------------------------
// meaning
// -------------------------------------------------------------------------------------

/**
 * The IR meaning of a selector over the labels of `owner`, with Calico's semantics: `!=` and
 * `not in` match a missing label, `==`, `in`, `contains`, `starts with` and `ends with` need the
 * label, `in {}` is false and `all()` is true.
 *
 * `global()` means `onGlobal`: as a plain expression Calico evaluates it to true (the default),
 * but as a whole rule `namespaceSelector` it selects the non-namespaced entities, which the caller
 * knows and this function does not.
 */
export const toFormula = (s: Selector, owner: F.LabelOwner, onGlobal: F.Formula = F.tt): F.Formula => {
  const go = (t: Selector): F.Formula => {
    switch (t._tag) {
      case 'all':
        return F.tt
      case 'global':
        return onGlobal
      case 'has':
        return F.exists(owner, t.key)
      case 'eq':
        return F.labelEquals(owner, t.key, t.value)
      case 'ne':
        return F.not(F.labelEquals(owner, t.key, t.value))
      case 'in':
        return F.labelIn(owner, t.key, t.values)
      case 'notIn':
        return F.not(F.labelIn(owner, t.key, t.values))
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        // the empty string is a substring, prefix and suffix of every value
        return t.value === '' ? F.exists(owner, t.key) : F.label(owner, t.key, { _tag: t._tag, value: t.value })
      case 'not':
        return F.not(go(t.arg))
      case 'and':
        return F.and(...t.args.map(go))
      case 'or':
        return F.or(...t.args.map(go))
    }
  }
  return go(s)
}
