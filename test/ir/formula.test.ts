import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import { params } from '../property.js'

const cidr = (s: string): C.CidrSet => {
  const r = C.parseCidr(s)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}
const ip = (s: string): C.Ip => {
  const r = C.parseIp(s)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const app = (v: string) => F.labelEquals('endpoint', 'app', v)

describe('smart constructors', () => {
  it('flatten, sort and deduplicate', () => {
    expect(F.and(app('a'), F.and(app('b'), app('a')))).toEqual(F.and(app('b'), app('a')))
    expect(F.key(F.or(app('b'), app('a')))).toBe(F.key(F.or(app('a'), app('b'))))
  })
  it('absorb constants', () => {
    expect(F.and(F.tt, app('a'))).toEqual(app('a'))
    expect(F.and(F.ff, app('a'))).toEqual(F.ff)
    expect(F.or(F.tt, app('a'))).toEqual(F.tt)
    expect(F.or()).toEqual(F.ff)
    expect(F.and()).toEqual(F.tt)
  })
  it('x and not x is false; x or not x is true', () => {
    expect(F.and(app('a'), F.not(app('a')))).toEqual(F.ff)
    expect(F.or(app('a'), F.not(app('a')))).toEqual(F.tt)
  })
  it('double negation', () => expect(F.not(F.not(app('a')))).toEqual(app('a')))
  it('empty value sets are false', () => {
    expect(F.labelIn('endpoint', 'k', [])).toEqual(F.ff)
    expect(F.inNamespace([])).toEqual(F.ff)
    expect(F.kind(['pod', 'host', 'networkSet', 'world'])).toEqual(F.tt)
  })
})

describe('label tests', () => {
  const labels = { app: 'web', tier: 'front-end' }
  it('exists / in / string tests', () => {
    expect(F.testLabel(labels, 'app', { _tag: 'exists' })).toBe(true)
    expect(F.testLabel(labels, 'x', { _tag: 'exists' })).toBe(false)
    expect(F.testLabel(labels, 'app', { _tag: 'in', values: ['web', 'db'] })).toBe(true)
    expect(F.testLabel(labels, 'tier', { _tag: 'startsWith', value: 'front' })).toBe(true)
    expect(F.testLabel(labels, 'tier', { _tag: 'endsWith', value: 'end' })).toBe(true)
    expect(F.testLabel(labels, 'tier', { _tag: 'contains', value: 't-e' })).toBe(true)
    expect(F.testLabel(labels, 'missing', { _tag: 'startsWith', value: '' })).toBe(false)
  })
  it('NotIn (not in) matches an endpoint without the label', () => {
    const notIn = F.not(F.labelIn('endpoint', 'app', ['web']))
    expect(F.evaluate(notIn, (a) => a._tag === 'label' && F.testLabel({}, a.key, a.test))).toBe(true)
  })
})

describe('simplifyConjunction', () => {
  const lit = (atom: F.Formula, positive = true): F.Literal => ({ atom: atom as F.Atom, positive })
  it('ipIn(A) and not ipIn(B) becomes ipIn(A minus B)', () => {
    const r = F.simplifyConjunction([lit(F.ipIn(cidr('10.0.0.0/8'))), lit(F.ipIn(cidr('10.1.0.0/16')), false)])
    expect(r).toEqual([lit(F.ipIn(C.difference(cidr('10.0.0.0/8'), cidr('10.1.0.0/16'))))])
  })
  it('disjoint kinds, namespaces or values are unsatisfiable', () => {
    expect(F.simplifyConjunction([lit(F.kind(['pod'])), lit(F.kind(['world']))])).toBeUndefined()
    expect(F.simplifyConjunction([lit(F.inNamespace(['x'])), lit(F.inNamespace(['y']))])).toBeUndefined()
    expect(F.simplifyConjunction([lit(app('a')), lit(app('b'))])).toBeUndefined()
    expect(F.simplifyConjunction([lit(app('a')), lit(F.exists('endpoint', 'app'), false)])).toBeUndefined()
  })
  it('in(V) and not in(W) keeps V minus W', () => {
    const r = F.simplifyConjunction([lit(F.labelIn('endpoint', 'app', ['a', 'b'])), lit(F.labelIn('endpoint', 'app', ['b']), false)])
    expect(r).toEqual([lit(app('a'))])
  })
  it('in(V) implies exists', () => {
    expect(F.simplifyConjunction([lit(app('a')), lit(F.exists('endpoint', 'app'))])).toEqual([lit(app('a'))])
  })
})

// ---- DNF preserves meaning on random label sets --------------------------------------

const keys = ['a', 'b', 'c'] as const
const values = ['1', '2', '3'] as const
const owners: ReadonlyArray<F.LabelOwner> = ['endpoint', 'namespace']

const atomArb: fc.Arbitrary<F.Formula> = fc.oneof(
  fc.record({ o: fc.constantFrom(...owners), k: fc.constantFrom(...keys), vs: fc.subarray([...values], { minLength: 1 }) }).map(({ o, k, vs }) => F.labelIn(o, k, vs)),
  fc.record({ o: fc.constantFrom(...owners), k: fc.constantFrom(...keys) }).map(({ o, k }) => F.exists(o, k)),
  fc.record({ k: fc.constantFrom(...keys), v: fc.constantFrom('1', '2') }).map(({ k, v }) => F.label('endpoint', k, { _tag: 'startsWith', value: v })),
  fc.subarray(['x', 'y', 'z'], { minLength: 1 }).map((ns) => F.inNamespace(ns)),
  fc.subarray(['pod', 'world', 'host'] as const, { minLength: 1 }).map((ks) => F.kind(ks)),
  fc.constantFrom('10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.168.0.0/16').map((c) => F.ipIn(cidr(c)))
)

const formulaArb: fc.Arbitrary<F.Formula> = fc.letrec<{ f: F.Formula }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atomArb,
    fc.constantFrom(F.tt, F.ff),
    tie('f').map(F.not),
    fc.array(tie('f'), { minLength: 1, maxLength: 3 }).map((fs) => F.and(...fs)),
    fc.array(tie('f'), { minLength: 1, maxLength: 3 }).map((fs) => F.or(...fs))
  )
})).f

interface World {
  readonly labels: Readonly<Record<string, string>>
  readonly nsLabels: Readonly<Record<string, string>>
  readonly ns: string
  readonly kind: F.EndpointKind
  readonly ip: C.Ip
}

const labelsArb = fc.dictionary(fc.constantFrom(...keys), fc.constantFrom('1', '2', '3', '12'), { maxKeys: 3 })
const worldArb: fc.Arbitrary<World> = fc.record({
  labels: labelsArb,
  nsLabels: labelsArb,
  ns: fc.constantFrom('x', 'y', 'z'),
  kind: fc.constantFrom<F.EndpointKind>('pod', 'world', 'host', 'networkSet'),
  ip: fc.constantFrom('10.1.2.3', '10.1.3.1', '10.2.0.1', '192.168.1.1', '8.8.8.8').map(ip)
})

const holds =
  (w: World) =>
  (a: F.Atom): boolean => {
    switch (a._tag) {
      case 'label':
        return F.testLabel(a.owner === 'endpoint' ? w.labels : w.nsLabels, a.key, a.test)
      case 'namespace':
        return a.names.includes(w.ns)
      case 'kind':
        return a.kinds.includes(w.kind)
      case 'ipIn':
        return C.contains(a.cidrs, w.ip)
      default:
        return false
    }
  }

describe('laws', () => {
  it('DNF preserves meaning', () => {
    fc.assert(
      fc.property(formulaArb, worldArb, (f, w) => F.evaluate(F.fromDnf(F.dnf(f)), holds(w)) === F.evaluate(f, holds(w))),
      params(300)
    )
  })
  it('De Morgan', () => {
    fc.assert(
      fc.property(formulaArb, formulaArb, worldArb, (a, b, w) => {
        const h = holds(w)
        return F.evaluate(F.not(F.and(a, b)), h) === F.evaluate(F.or(F.not(a), F.not(b)), h)
      }),
      params(200)
    )
  })
  it('smart constructors preserve meaning', () => {
    fc.assert(
      fc.property(fc.array(formulaArb, { maxLength: 4 }), worldArb, (fs, w) => {
        const h = holds(w)
        return F.evaluate(F.and(...fs), h) === fs.every((f) => F.evaluate(f, h)) && F.evaluate(F.or(...fs), h) === fs.some((f) => F.evaluate(f, h))
      }),
      params(200)
    )
  })
  it('equal formulas have equal keys', () => {
    fc.assert(fc.property(formulaArb, formulaArb, (a, b) => F.key(F.and(a, b)) === F.key(F.and(b, a))), params(200))
  })
})
