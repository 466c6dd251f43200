import { describe, it, expect } from 'vitest'
import * as fc from 'fast-check'
import * as I from '../../src/ir/interval.js'
import { params } from '../property.js'

const N = I.numberDomain
const B = I.bigintDomain
const union = I.union(N)
const intersect = I.intersect(N)
const difference = I.difference(N)
const complement = I.complement(N)
const equals = I.equals(N)
const isSubset = I.isSubset(N)
const contains = I.contains(N)
const range = I.range(N)
const fromIntervals = I.fromIntervals(N)

// -------------------------------------------------------------------------------------
// arbitraries: sets within [0, 63], checked against a bitmask model
// -------------------------------------------------------------------------------------

const MAX = 63

const interval: fc.Arbitrary<I.Interval<number>> = fc
  .tuple(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: 8 }))
  .map(([lo, w]) => [lo, Math.min(MAX, lo + w)] as const)

const set: fc.Arbitrary<I.IntervalSet<number>> = fc.array(interval, { maxLength: 6 }).map(fromIntervals)

const points = (s: I.IntervalSet<number>): ReadonlyArray<boolean> => Array.from({ length: MAX + 1 }, (_, x) => s.some(([lo, hi]) => lo <= x && x <= hi))

const isNormal = <T>(D: I.Domain<T>, s: I.IntervalSet<T>): boolean =>
  s.every(([lo, hi], k) => {
    const prev = s[k - 1]
    return D.compare(lo, hi) <= 0 && (prev === undefined || D.compare(D.succ(prev[1]), lo) < 0)
  })

const P = params(200)

// -------------------------------------------------------------------------------------
// examples
// -------------------------------------------------------------------------------------

describe('interval', () => {
  it('range', () => {
    expect(range(3, 5)).toEqual([[3, 5]])
    expect(range(5, 3)).toEqual([])
    expect(I.isEmpty(I.empty)).toBe(true)
  })

  it('fromIntervals merges overlapping and adjacent ranges', () => {
    expect(
      fromIntervals([
        [10, 12],
        [1, 3],
        [4, 5],
        [11, 20],
        [30, 29]
      ])
    ).toEqual([
      [1, 5],
      [10, 20]
    ])
  })

  it('union', () => {
    expect(union([[1, 3]], [[4, 6]])).toEqual([[1, 6]])
    expect(union([[1, 3]], [[5, 6]])).toEqual([
      [1, 3],
      [5, 6]
    ])
    expect(
      union(
        [
          [1, 2],
          [8, 9]
        ],
        [[2, 8]]
      )
    ).toEqual([[1, 9]])
  })

  it('intersect', () => {
    expect(
      intersect(
        [
          [1, 5],
          [8, 12]
        ],
        [[4, 9]]
      )
    ).toEqual([
      [4, 5],
      [8, 9]
    ])
    expect(intersect([[1, 5]], [[6, 9]])).toEqual([])
  })

  it('difference', () => {
    expect(difference([[1, 10]], [[4, 5]])).toEqual([
      [1, 3],
      [6, 10]
    ])
    expect(difference([[1, 10]], [[0, 11]])).toEqual([])
    expect(
      difference(
        [[1, 10]],
        [
          [1, 1],
          [10, 10]
        ]
      )
    ).toEqual([[2, 9]])
  })

  it('complement', () => {
    expect(complement([[3, 4]], 0, 9)).toEqual([
      [0, 2],
      [5, 9]
    ])
    expect(complement([], 0, 9)).toEqual([[0, 9]])
    expect(complement([[0, 9]], 0, 9)).toEqual([])
  })

  it('isSubset, contains, equals', () => {
    expect(isSubset([[2, 3]], [[1, 5]])).toBe(true)
    expect(
      isSubset(
        [[2, 7]],
        [
          [1, 5],
          [7, 9]
        ]
      )
    ).toBe(false)
    expect(isSubset([], [])).toBe(true)
    expect(contains([[1, 5]], 5)).toBe(true)
    expect(contains([[1, 5]], 6)).toBe(false)
    expect(
      contains(
        [
          [1, 2],
          [4, 5]
        ],
        3
      )
    ).toBe(false)
    expect(equals([[1, 2]], [[1, 2]])).toBe(true)
    expect(equals([[1, 2]], [[1, 3]])).toBe(false)
  })

  it('works on bigints', () => {
    const max = (1n << 128n) - 1n
    const s = I.difference(B)([[0n, max]], [[1n, max - 1n]])
    expect(s).toEqual([
      [0n, 0n],
      [max, max]
    ])
    expect(I.complement(B)(s, 0n, max)).toEqual([[1n, max - 1n]])
    expect(I.contains(B)(s, max)).toBe(true)
    expect(I.union(B)(s, [[1n, max - 1n]])).toEqual([[0n, max]])
  })

  // -----------------------------------------------------------------------------------
  // laws
  // -----------------------------------------------------------------------------------

  it('operations agree with the bitmask model and stay normalised', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        const pa = points(a)
        const pb = points(b)
        const u = union(a, b)
        const n = intersect(a, b)
        const d = difference(a, b)
        const c = complement(a, 0, MAX)
        expect(points(u)).toEqual(pa.map((x, k) => x || pb[k] === true))
        expect(points(n)).toEqual(pa.map((x, k) => x && pb[k] === true))
        expect(points(d)).toEqual(pa.map((x, k) => x && pb[k] !== true))
        expect(points(c)).toEqual(pa.map((x) => !x))
        for (const s of [u, n, d, c]) expect(isNormal(N, s)).toBe(true)
        expect(isSubset(a, b)).toBe(pa.every((x, k) => !x || pb[k] === true))
        expect(equals(a, b)).toBe(pa.every((x, k) => x === pb[k]))
        pa.forEach((x, k) => expect(contains(a, k)).toBe(x))
      }),
      P
    )
  })

  it('laws: double complement, De Morgan, commutativity, associativity, difference', () => {
    const not = (s: I.IntervalSet<number>): I.IntervalSet<number> => complement(s, 0, MAX)
    fc.assert(
      fc.property(set, set, set, (a, b, c) => {
        expect(not(not(a))).toEqual(a)
        expect(not(union(a, b))).toEqual(intersect(not(a), not(b)))
        expect(not(intersect(a, b))).toEqual(union(not(a), not(b)))
        expect(union(a, b)).toEqual(union(b, a))
        expect(intersect(a, b)).toEqual(intersect(b, a))
        expect(union(union(a, b), c)).toEqual(union(a, union(b, c)))
        expect(intersect(intersect(a, b), c)).toEqual(intersect(a, intersect(b, c)))
        expect(difference(a, b)).toEqual(intersect(a, not(b)))
        expect(I.compare(N)(a, b) === 0).toBe(equals(a, b))
        expect(Math.sign(I.compare(N)(a, b)) + Math.sign(I.compare(N)(b, a))).toBe(0)
      }),
      P
    )
  })
})
