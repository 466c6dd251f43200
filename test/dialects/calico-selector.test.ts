import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as S from '../../dialects/calico/selector.js'
import type { Selector } from '../../dialects/calico/selector.js'
import * as F from '../../src/ir/formula.js'
import { params } from '../property.js'

type Labels = Readonly<Record<string, string>>

const ok = (text: string): Selector => {
  const r = S.parse(text)
  if (E.isLeft(r)) expect.fail(`${JSON.stringify(text)}: ${r.left.offset}: ${r.left.message}`)
  return r.right
}

const err = (text: string): S.SelectorError => {
  const r = S.parse(text)
  if (E.isRight(r)) expect.fail(`${JSON.stringify(text)} parsed as ${S.print(r.right)}`)
  return r.left
}

const has = (key: string): Selector => ({ _tag: 'has', key })
const eq = (key: string, value: string): Selector => ({ _tag: 'eq', key, value })
const ne = (key: string, value: string): Selector => ({ _tag: 'ne', key, value })
const not = (arg: Selector): Selector => ({ _tag: 'not', arg })
const and = (...args: ReadonlyArray<Selector>): Selector => ({ _tag: 'and', args })
const or = (...args: ReadonlyArray<Selector>): Selector => ({ _tag: 'or', args })
const all: Selector = { _tag: 'all' }
const global: Selector = { _tag: 'global' }

/** Calico's evaluator (`ast.go`), written independently of `toFormula`. */
const evaluate = (s: Selector, labels: Labels): boolean => {
  const v = 'key' in s && Object.prototype.hasOwnProperty.call(labels, s.key) ? labels[s.key] : undefined
  switch (s._tag) {
    case 'all':
    case 'global':
      return true
    case 'has':
      return v !== undefined
    case 'eq':
      return v === s.value
    case 'ne':
      return v !== s.value
    case 'contains':
      return v !== undefined && v.includes(s.value)
    case 'startsWith':
      return v !== undefined && v.startsWith(s.value)
    case 'endsWith':
      return v !== undefined && v.endsWith(s.value)
    case 'in':
      return v !== undefined && s.values.includes(v)
    case 'notIn':
      return v === undefined || !s.values.includes(v)
    case 'not':
      return !evaluate(s.arg, labels)
    case 'and':
      return s.args.every((a) => evaluate(a, labels))
    case 'or':
      return s.args.some((a) => evaluate(a, labels))
  }
}

/** The IR formula of a selector decided on one label map (every atom is an endpoint label). */
const holds = (f: F.Formula, labels: Labels): boolean =>
  F.evaluate(f, (a) => (a._tag === 'label' ? F.testLabel(labels, a.key, a.test) : expect.fail(`unexpected atom ${F.key(a)}`)))

const matches = (text: string, labels: Labels): boolean => holds(S.toFormula(ok(text), 'endpoint'), labels)

// -------------------------------------------------------------------------------------
// parsing: one case per operator and lexical rule
// -------------------------------------------------------------------------------------

describe('parse: operators', () => {
  it.each<readonly [string, Selector]>([
    [`app == 'web'`, eq('app', 'web')],
    [`app != "web"`, ne('app', 'web')],
    [`tier in { 'fe', 'be' }`, { _tag: 'in', key: 'tier', values: ['be', 'fe'] }],
    [`tier not in {'fe'}`, { _tag: 'notIn', key: 'tier', values: ['fe'] }],
    [`img contains 'nginx'`, { _tag: 'contains', key: 'img', value: 'nginx' }],
    [`version starts with 'v2'`, { _tag: 'startsWith', key: 'version', value: 'v2' }],
    [`name ends with '-db'`, { _tag: 'endsWith', key: 'name', value: '-db' }],
    ['has(role)', has('role')],
    ['all()', all],
    ['global()', global],
    [`a == 'x' && b == 'y'`, and(eq('a', 'x'), eq('b', 'y'))],
    [`a == 'x' || b == 'y'`, or(eq('a', 'x'), eq('b', 'y'))],
    ['!has(a)', not(has('a'))],
    [`(a == 'x')`, eq('a', 'x')]
  ])('%s', (text, expected) => {
    expect(ok(text)).toEqual(expected)
  })
})

describe('parse: lexical rules', () => {
  it('the empty and the blank selector are all()', () => {
    expect(ok('')).toEqual(all)
    expect(ok(' \t ')).toEqual(all)
  })
  it('strings in single or double quotes, without escapes', () => {
    expect(ok(`a == 'x'`)).toEqual(eq('a', 'x'))
    expect(ok(`a == "x"`)).toEqual(eq('a', 'x'))
    expect(ok(`a == "it's"`)).toEqual(eq('a', "it's"))
    expect(ok(`a == 'say "hi"'`)).toEqual(eq('a', 'say "hi"'))
    expect(ok(`a == 'back\\slash'`)).toEqual(eq('a', 'back\\slash'))
    expect(ok(`a == ''`)).toEqual(eq('a', ''))
    expect(ok(`a in {"'", '"', "c"}`)).toEqual({ _tag: 'in', key: 'a', values: ['"', "'", 'c'] })
  })
  it('spaces and tabs are whitespace, and operators need none around them', () => {
    expect(ok(`\ta\t==\t'x'\t`)).toEqual(eq('a', 'x'))
    expect(ok(`a=='x'&&b!='y'||has(c)`)).toEqual(or(and(eq('a', 'x'), ne('b', 'y')), has('c')))
  })
  it('label keys use [A-Za-z0-9_./-], up to 512 characters', () => {
    expect(ok(`k8s.io/app-name_1 == 'x'`)).toEqual(eq('k8s.io/app-name_1', 'x'))
    expect(ok(`-.1/ == 'x'`)).toEqual(eq('-.1/', 'x'))
    const k = 'k'.repeat(512)
    expect(ok(`${k} == 'x'`)).toEqual(eq(k, 'x'))
    expect(ok(`has(${k})`)).toEqual(has(k))
  })
  it('"not in" and "notin"', () => {
    const expected: Selector = { _tag: 'notIn', key: 'a', values: ['x'] }
    expect(ok(`a not in {'x'}`)).toEqual(expected)
    expect(ok(`a notin {'x'}`)).toEqual(expected)
    expect(ok(`a not \t in{'x'}`)).toEqual(expected)
  })
  it('"starts with"/"startswith" and "ends with"/"endswith"', () => {
    expect(ok(`a startswith 'x'`)).toEqual(ok(`a starts with 'x'`))
    expect(ok(`a endswith 'x'`)).toEqual(ok(`a ends  with 'x'`))
    expect(ok(`a endswith 'x'`)).toEqual({ _tag: 'endsWith', key: 'a', value: 'x' })
  })
  it('word operators need a word boundary after them, which a quote or brace gives', () => {
    expect(ok(`a in{'x'}`)).toEqual({ _tag: 'in', key: 'a', values: ['x'] })
    expect(ok(`a contains'x'`)).toEqual({ _tag: 'contains', key: 'a', value: 'x' })
    expect(err(`a inx {'x'}`)).toEqual({ offset: 2, message: 'expected an operator after label "a", found "inx"' })
    expect(err(`a containsx 'x'`).offset).toBe(2)
  })
  it('keywords are ordinary label keys at the start of a term', () => {
    expect(ok(`in in {'x'}`)).toEqual({ _tag: 'in', key: 'in', values: ['x'] })
    expect(ok(`not not in {}`)).toEqual({ _tag: 'notIn', key: 'not', values: [] })
    expect(ok(`has == 'x' || all != 'y' || contains == 'z'`)).toEqual(or(eq('has', 'x'), ne('all', 'y'), eq('contains', 'z')))
  })
  it('empty set literals and trailing commas', () => {
    expect(ok('a in {}')).toEqual({ _tag: 'in', key: 'a', values: [] })
    expect(ok('a not in { }')).toEqual({ _tag: 'notIn', key: 'a', values: [] })
    expect(ok(`a in {'x',}`)).toEqual({ _tag: 'in', key: 'a', values: ['x'] })
  })
  it('set literals are sorted and de-duplicated', () => {
    expect(ok(`a in {"z", "z", "x", "y", "x", "a"}`)).toEqual({ _tag: 'in', key: 'a', values: ['a', 'x', 'y', 'z'] })
  })
  it('leading "!" collapse by parity', () => {
    expect(ok('!!has(a)')).toEqual(has('a'))
    expect(ok('!!!has(a)')).toEqual(not(has('a')))
    expect(ok('!! ! has(a)')).toEqual(not(has('a')))
    expect(ok('! !!has(a)')).toEqual(not(has('a')))
    expect(ok(`!(!a == 'x')`)).toEqual(eq('a', 'x'))
  })
  it('"!" binds to one primary, then "&&", then "||"', () => {
    expect(ok(`!a == 'x' && b == 'y'`)).toEqual(and(not(eq('a', 'x')), eq('b', 'y')))
    expect(ok(`a == 'x' || b == 'y' && c == 'z'`)).toEqual(or(eq('a', 'x'), and(eq('b', 'y'), eq('c', 'z'))))
    expect(ok(`(a == 'x' || b == 'y') && c == 'z'`)).toEqual(and(or(eq('a', 'x'), eq('b', 'y')), eq('c', 'z')))
    expect(ok(`!(a == 'x' || b == 'y')`)).toEqual(not(or(eq('a', 'x'), eq('b', 'y'))))
  })
  it('nested "&&" and "||" are flattened', () => {
    expect(ok('(has(a) && has(b)) && (has(c) && has(d))')).toEqual(and(has('a'), has('b'), has('c'), has('d')))
    expect(ok('has(a) || (has(b) || has(c))')).toEqual(or(has('a'), has('b'), has('c')))
  })
  it('spaces inside has(), all() and global(), none before the parenthesis', () => {
    expect(ok('has( a )')).toEqual(has('a'))
    expect(ok('has(\ta)')).toEqual(has('a'))
    expect(ok('all( )')).toEqual(all)
    expect(ok('global(  )')).toEqual(global)
    expect(ok(' (all() )')).toEqual(all)
    // `has (a)` is the label "has" followed by a parenthesis
    expect(err('has (a)')).toEqual({ offset: 4, message: 'expected an operator after label "has", found "("' })
    expect(err('all ()').offset).toBe(4)
  })
})

// -------------------------------------------------------------------------------------
// errors: Calico's bad selectors, with offsets and messages
// -------------------------------------------------------------------------------------

describe('parse: errors', () => {
  const primary = 'expected a label, "has(", "all()", "global()", "!" or "("'
  it.each<readonly [string, number, string]>([
    ['b == b', 5, 'expected a quoted string after "==", found "b"'],
    ['b contains b', 11, 'expected a quoted string after "contains", found "b"'],
    ['b starts with b', 14, 'expected a quoted string after "starts with", found "b"'],
    ['b ends with b', 12, 'expected a quoted string after "ends with", found "b"'],
    [`'b1' == b`, 0, `${primary}, found "'b1'"`],
    ['b', 1, 'expected an operator after label "b", found end of text'],
    ['a ', 2, 'expected an operator after label "a", found end of text'],
    ['a b', 2, 'expected an operator after label "a", found "b"'],
    ['!', 1, `${primary}, found end of text`],
    ['foo == "bar" &', 13, 'expected "&&", found "&"'],
    ['foo == "bar" |', 13, 'expected "||", found "|"'],
    ['foo != ||', 7, 'expected a quoted string after "!=", found "||"'],
    ['foo in {"", ||', 12, 'expected a quoted string or "}" after ",", found "||"'],
    ['foo in ""', 7, `expected "{" after "in", found '""'`],
    ['foo not in "x"', 11, `expected "{" after "not in", found '"x"'`],
    ['"FOO', 4, `expected '"' to close the string that starts at offset 0, found end of text`],
    [`"FOO'`, 5, `expected '"' to close the string that starts at offset 0, found end of text`],
    [`'FOO`, 4, `expected "'" to close the string that starts at offset 0, found end of text`],
    ['(', 1, `${primary}, found end of text`],
    ['(a == "foo"', 11, 'expected "&&", "||" or ")", found end of text'],
    [')', 0, `${primary}, found ")"`],
    ['()', 1, `${primary}, found ")"`],
    ['%', 0, 'unexpected character "%"'],
    ['a == "b" && %', 12, 'unexpected character "%"'],
    ['a == "b" || %', 12, 'unexpected character "%"'],
    ['has(foo) &&', 11, `${primary}, found end of text`],
    ['a == "b"\n', 8, 'unexpected character "\\n"'],
    ['a == "b" &&\nb == "c"', 11, 'unexpected character "\\n"'],
    ['a\n== "b"', 1, 'expected an operator after label "a", found "\\n"'],
    ['a == 1', 5, 'expected a quoted string after "==", found "1"'],
    ['a = "x"', 2, 'expected "==", found "="'],
    ['a in {,}', 6, 'expected a quoted string or "}", found ","'],
    [`a in {'x' 'y'}`, 10, `expected "," or "}", found "'y'"`],
    [`a == 'x')`, 8, 'expected "&&", "||" or end of text, found ")"'],
    [`a == 'x' b == 'y'`, 9, 'expected "&&", "||" or end of text, found "b"'],
    ['has()', 4, 'expected a label key after "has(", found ")"'],
    ['has(a b)', 6, 'expected ")" to close "has(a", found "b"'],
    ['has(a', 5, 'expected ")" to close "has(a", found end of text'],
    ['all(x)', 4, 'expected ")" after "all(", found "x"'],
    ['global(', 7, 'expected ")" after "global(", found end of text'],
    ['!=a', 0, `${primary}, found "!="`],
    [`a starts 'x'`, 2, 'expected an operator after label "a", found "starts"'],
    [`${'k'.repeat(513)} == 'x'`, 512, 'expected a label key of at most 512 characters, found one of 513'],
    [`has(${'k'.repeat(600)})`, 516, 'expected a label key of at most 512 characters, found one of 600'],
    ['a == "é" && é', 12, 'unexpected character "é"']
  ])('%j', (text, offset, message) => {
    expect(err(text)).toEqual({ offset, message })
  })
  it('reports the leftmost problem', () => {
    expect(err('b == b && %').offset).toBe(5)
    expect(err('% && b == b').offset).toBe(0)
  })
})

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

describe('print', () => {
  it.each<readonly [string, string]>([
    [`app == "web"`, `app == 'web'`],
    [`a!="x"`, `a != 'x'`],
    [`k in {"b", "a", "b",}`, `k in { 'a', 'b' }`],
    [`k notin {'a'}`, `k not in { 'a' }`],
    [`k in {}`, `k in {}`],
    [`has( k )`, `has(k)`],
    [`! has(k)`, `!has(k)`],
    [``, `all()`],
    [`global( )`, `global()`],
    [`k startswith "x"`, `k starts with 'x'`],
    [`k endswith "x"`, `k ends with 'x'`],
    [`k contains "x"`, `k contains 'x'`],
    [`a == "it's"`, `a == "it's"`],
    [`a == 'say "hi"'`, `a == 'say "hi"'`],
    [`k in {"it's", 'a"b'}`, `k in { 'a"b', "it's" }`],
    [`!a == 'x' && b == 'y'`, `!a == 'x' && b == 'y'`],
    [`(a == 'x' || b == 'y') && c == 'z'`, `(a == 'x' || b == 'y') && c == 'z'`],
    [`a == 'x' || (b == 'y' && c == 'z')`, `a == 'x' || b == 'y' && c == 'z'`],
    [`! (has( b)||! has(a ))`, `!(has(b) || !has(a))`],
    [`! (a == "b"&&! c != "d")`, `!(a == 'b' && !c != 'd')`],
    [`!(!(has(a)))`, `has(a)`],
    [`((has(a) && has(b)) || has(c)) && !all()`, `(has(a) && has(b) || has(c)) && !all()`]
  ])('%s → %s', (text, canonical) => {
    const printed = S.print(ok(text))
    expect(printed).toBe(canonical)
    expect(S.print(ok(printed))).toBe(printed)
    expect(ok(printed)).toEqual(ok(text))
  })

  it('normalises hand-built selectors', () => {
    expect(S.print(and())).toBe('all()')
    expect(S.print(or())).toBe('!all()')
    expect(S.print(and(has('a')))).toBe('has(a)')
    expect(S.print(and(and(has('a'), has('b')), has('c')))).toBe('has(a) && has(b) && has(c)')
    expect(S.print(not(not(has('a'))))).toBe('has(a)')
    expect(S.print(not(and(has('a'), not(or(has('b'), has('c'))))))).toBe('!(has(a) && !(has(b) || has(c)))')
    expect(S.print({ _tag: 'in', key: 'k', values: ['b', 'a', 'b'] })).toBe(`k in { 'a', 'b' }`)
  })

  it('marks what Calico cannot spell so that it never reads back as another selector', () => {
    const both = `x' || b == "y`
    const bad: ReadonlyArray<Selector> = [
      eq('a', both),
      { _tag: 'in', key: 'a', values: ['ok', both] },
      has('bad key'),
      eq('', 'x'),
      has('k'.repeat(513))
    ]
    for (const s of bad) {
      expect(S.printable(s)).toBe(false)
      const text = S.print(s)
      const e = err(text)
      expect(text[e.offset]).toBe('#')
    }
    expect(S.print(eq('a', both))).toBe(`a == #"x' || b == \\"y"`)
    expect(S.printable(and(eq('a', "it's"), has('k8s.io/x')))).toBe(true)
    expect(S.isQuotable(`'"`)).toBe(false)
    expect(S.isValidLabelKey('a/b')).toBe(true)
  })
})

// -------------------------------------------------------------------------------------
// property: parse ∘ print is the normalisation
// -------------------------------------------------------------------------------------

const keyArb = fc.constantFrom('a', 'app', 'k8s.io/name', 'x-y_z.1', '1', 'in', 'not', 'has', 'all', 'global', 'contains', 'starts')
const valueArb = fc.constantFrom('', 'a', 'web', 'b c', "it's", 'say "hi"', '&& x', ')', '{', ',')

const selectorArb: fc.Arbitrary<Selector> = fc.letrec<{ sel: Selector }>((tie) => ({
  sel: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Selector>(all),
    fc.constant<Selector>(global),
    keyArb.map(has),
    fc
      .tuple(fc.constantFrom<'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'>('eq', 'ne', 'contains', 'startsWith', 'endsWith'), keyArb, valueArb)
      .map(([_tag, key, value]): Selector => ({ _tag, key, value })),
    fc
      .tuple(fc.constantFrom<'in' | 'notIn'>('in', 'notIn'), keyArb, fc.array(valueArb, { maxLength: 4 }))
      .map(([_tag, key, values]): Selector => ({ _tag, key, values })),
    tie('sel').map(not),
    fc.array(tie('sel'), { maxLength: 3 }).map((args) => and(...args)),
    fc.array(tie('sel'), { maxLength: 3 }).map((args) => or(...args))
  )
})).sel

const labelsArb: fc.Arbitrary<Labels> = fc.dictionary(fc.constantFrom('a', 'app', 'in', 'not', 'has'), valueArb, { maxKeys: 4 })

describe('properties', () => {
  it('parse(print(s)) equals normalize(s)', () => {
    fc.assert(
      fc.property(selectorArb, (s) => {
        const text = S.print(s)
        expect(S.printable(s)).toBe(true)
        expect(S.parse(text)).toEqual(E.right(S.normalize(s)))
        expect(S.print(S.normalize(s))).toBe(text)
      }),
      params(200)
    )
  })

  it('normalize keeps the meaning', () => {
    fc.assert(
      fc.property(selectorArb, labelsArb, (s, labels) => {
        expect(evaluate(S.normalize(s), labels)).toBe(evaluate(s, labels))
      }),
      params(200)
    )
  })

  it('toFormula agrees with Calico’s evaluator', () => {
    fc.assert(
      fc.property(selectorArb, labelsArb, (s, labels) => {
        expect(holds(S.toFormula(s, 'endpoint'), labels)).toBe(evaluate(s, labels))
      }),
      params(200)
    )
  })
})

// -------------------------------------------------------------------------------------
// meaning
// -------------------------------------------------------------------------------------

describe('toFormula', () => {
  it.each<readonly [string, ReadonlyArray<Labels>, ReadonlyArray<Labels>]>([
    [`a == 'b'`, [{ a: 'b' }, { a: 'b', c: 'd' }], [{}, { a: 'c' }, { c: 'd' }]],
    [`a != 'b'`, [{}, { a: 'c' }, { c: 'b' }], [{ a: 'b' }]],
    [`a in {'b', 'c'}`, [{ a: 'b' }, { a: 'c' }], [{}, { a: 'd' }]],
    [`a not in {'b', 'c'}`, [{}, { a: 'd' }, { c: 'b' }], [{ a: 'b' }, { a: 'c' }]],
    [`a in {}`, [], [{}, { a: '' }, { a: 'b' }]],
    [`a not in {}`, [{}, { a: '' }, { a: 'b' }], []],
    [`has(a)`, [{ a: '' }, { a: 'b' }], [{}, { b: 'a' }]],
    [`!has(a)`, [{}, { b: 'a' }], [{ a: '' }]],
    [`a contains 'a'`, [{ a: 'a' }, { a: 'bab' }], [{}, { a: 'b' }, { b: 'aaa' }]],
    [`a starts with 'a'`, [{ a: 'a' }, { a: 'abb' }], [{}, { a: 'baa' }, { b: 'a' }]],
    [`a ends with 'a'`, [{ a: 'a' }, { a: 'bba' }], [{}, { a: 'aab' }, { b: 'a' }]],
    [`a contains ''`, [{ a: '' }, { a: 'x' }], [{}]],
    [`all()`, [{}, { a: 'b' }], []],
    [``, [{}, { a: 'b' }], []],
    [`!all()`, [], [{}, { a: 'b' }]],
    [`!a == 'a1' && b == 'b1'`, [{ b: 'b1' }, { a: 'x', b: 'b1' }], [{ a: 'a1', b: 'b1' }, {}]],
    [`a != 'a1' || b != 'b1'`, [{}, { a: 'a1' }], [{ a: 'a1', b: 'b1' }]],
    [`!(has(b) || !has(a))`, [{ a: 'a' }], [{}, { a: 'a', b: 'b' }]]
  ])('%s', (text, yes, no) => {
    for (const l of yes) expect(matches(text, l), JSON.stringify(l)).toBe(true)
    for (const l of no) expect(matches(text, l), JSON.stringify(l)).toBe(false)
  })

  it('builds IR atoms over the given owner', () => {
    expect(S.toFormula(ok(`a != 'x'`), 'namespace')).toEqual(F.not(F.labelEquals('namespace', 'a', 'x')))
    expect(S.toFormula(ok(`a in {}`), 'endpoint')).toEqual(F.ff)
    expect(S.toFormula(ok(`a not in {}`), 'endpoint')).toEqual(F.tt)
    expect(S.toFormula(ok(`!all()`), 'endpoint')).toEqual(F.ff)
    expect(S.toFormula(ok(`a starts with ''`), 'node')).toEqual(F.exists('node', 'a'))
    expect(S.toFormula(ok(`a ends with 'x'`), 'serviceAccount')).toEqual(F.label('serviceAccount', 'a', { _tag: 'endsWith', value: 'x' }))
  })

  it('global() means onGlobal, true by default', () => {
    expect(S.toFormula(global, 'namespace')).toEqual(F.tt)
    const onGlobal = F.kind(['host', 'networkSet'])
    expect(S.toFormula(global, 'namespace', onGlobal)).toEqual(onGlobal)
    expect(S.toFormula(ok(`global() && has(a)`), 'namespace', F.ff)).toEqual(F.ff)
    expect(S.toFormula(ok(`!global()`), 'namespace', onGlobal)).toEqual(F.not(onGlobal))
  })
})
