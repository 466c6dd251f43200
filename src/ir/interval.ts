/**
 * Integer interval sets: a set of integers as sorted, disjoint, non-adjacent inclusive ranges.
 *
 * The algorithms are written once over a small `Domain` dictionary (order, successor,
 * predecessor), so the same code serves `number` (ports, protocols) and `bigint` (addresses).
 * Every operation is a linear merge of its (normalised) arguments, and every result is
 * normalised, so equal sets are structurally equal.
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** An inclusive range `[lo, hi]`, `lo <= hi`. */
export type Interval<T> = readonly [T, T]

/** Sorted, disjoint, non-adjacent intervals. */
export type IntervalSet<T> = ReadonlyArray<Interval<T>>

/** What the algorithms need to know about the integers they work on. */
export interface Domain<T> {
  readonly compare: (a: T, b: T) => -1 | 0 | 1
  readonly succ: (x: T) => T
  readonly pred: (x: T) => T
}

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/** Safe integers. */
export const numberDomain: Domain<number> = {
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  succ: (x) => x + 1,
  pred: (x) => x - 1
}

export const bigintDomain: Domain<bigint> = {
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  succ: (x) => x + 1n,
  pred: (x) => x - 1n
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The empty set (of any domain). */
export const empty: IntervalSet<never> = []

/** `{ x | lo <= x <= hi }`; empty when `lo > hi`. */
export const range =
  <T>(D: Domain<T>) =>
  (lo: T, hi: T): IntervalSet<T> =>
    D.compare(lo, hi) <= 0 ? [[lo, hi]] : []

/** Normalises arbitrary ranges (any order, overlapping, adjacent; reversed ranges are ignored). */
export const fromIntervals =
  <T>(D: Domain<T>) =>
  (xs: ReadonlyArray<Interval<T>>): IntervalSet<T> => {
    const sorted = xs.filter(([lo, hi]) => D.compare(lo, hi) <= 0).sort((a, b) => D.compare(a[0], b[0]))
    return coalesce(D)(sorted)
  }

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** `a ∪ b`. */
export const union =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> => {
    if (a.length === 0) return b
    if (b.length === 0) return a
    const merged: Array<Interval<T>> = []
    let i = 0
    let j = 0
    for (;;) {
      const x = a[i]
      const y = b[j]
      if (x === undefined && y === undefined) break
      if (y === undefined || (x !== undefined && D.compare(x[0], y[0]) <= 0)) {
        if (x !== undefined) merged.push(x)
        i++
      } else {
        merged.push(y)
        j++
      }
    }
    return coalesce(D)(merged)
  }

/** `a ∩ b`. */
export const intersect =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> => {
    const out: Array<Interval<T>> = []
    let i = 0
    let j = 0
    for (;;) {
      const x = a[i]
      const y = b[j]
      if (x === undefined || y === undefined) break
      const lo = max(D, x[0], y[0])
      const hi = min(D, x[1], y[1])
      if (D.compare(lo, hi) <= 0) out.push([lo, hi])
      if (D.compare(x[1], y[1]) < 0) i++
      else j++
    }
    return out
  }

/** `a ∖ b`. */
export const difference =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, b: IntervalSet<T>): IntervalSet<T> => {
    if (a.length === 0 || b.length === 0) return a
    const out: Array<Interval<T>> = []
    let j = 0
    for (const [lo, hi] of a) {
      let cur = lo
      let done = false
      for (;;) {
        const y = b[j]
        if (y === undefined || D.compare(y[0], hi) > 0) break
        if (D.compare(y[1], cur) < 0) {
          j++
          continue
        }
        if (D.compare(y[0], cur) > 0) out.push([cur, D.pred(y[0])])
        if (D.compare(y[1], hi) >= 0) {
          done = true
          break
        }
        cur = D.succ(y[1])
        j++
      }
      if (!done) out.push([cur, hi])
    }
    return out
  }

/** `[min, max] ∖ a`. */
export const complement =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, min: T, max: T): IntervalSet<T> =>
    difference(D)(range(D)(min, max), a)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

export const isEmpty = <T>(a: IntervalSet<T>): boolean => a.length === 0

/** Structural (= set) equality of normalised sets. */
export const equals =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, b: IntervalSet<T>): boolean =>
    compare(D)(a, b) === 0

/** A total order: lexicographic on the intervals (each by `lo`, then `hi`); a prefix comes first. */
export const compare =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, b: IntervalSet<T>): number => {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
      const x = a[i]
      const y = b[i]
      if (x === undefined || y === undefined) break
      const c = D.compare(x[0], y[0]) || D.compare(x[1], y[1])
      if (c !== 0) return c
    }
    return a.length - b.length
  }

/** `a ⊆ b`. */
export const isSubset =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, b: IntervalSet<T>): boolean => {
    let j = 0
    for (const [lo, hi] of a) {
      for (;;) {
        const y = b[j]
        if (y === undefined) return false
        if (D.compare(y[1], lo) < 0) j++
        else break
      }
      const y = b[j]
      // `b` is non-adjacent, so `[lo, hi]` must lie within one interval of `b`
      if (y === undefined || D.compare(y[0], lo) > 0 || D.compare(y[1], hi) < 0) return false
    }
    return true
  }

/** `x ∈ a`, by binary search. */
export const contains =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, x: T): boolean => {
    const i = indexOfFirstEndingAtOrAfter(D)(a, x)
    const y = a[i]
    return y !== undefined && D.compare(y[0], x) <= 0
  }

/** The index of the first interval whose `hi >= x` (`a.length` when none). */
export const indexOfFirstEndingAtOrAfter =
  <T>(D: Domain<T>) =>
  (a: IntervalSet<T>, x: T): number => {
    let lo = 0
    let hi = a.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const y = a[mid]
      if (y !== undefined && D.compare(y[1], x) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const max = <T>(D: Domain<T>, a: T, b: T): T => (D.compare(a, b) >= 0 ? a : b)

const min = <T>(D: Domain<T>, a: T, b: T): T => (D.compare(a, b) <= 0 ? a : b)

/** Merges overlapping and adjacent neighbours of intervals sorted by `lo`. */
const coalesce =
  <T>(D: Domain<T>) =>
  (sorted: ReadonlyArray<Interval<T>>): IntervalSet<T> => {
    const out: Array<Interval<T>> = []
    let last: Interval<T> | undefined
    for (const x of sorted) {
      if (last !== undefined && D.compare(x[0], D.succ(last[1])) <= 0) {
        last = [last[0], max(D, last[1], x[1])]
        out[out.length - 1] = last
      } else {
        last = x
        out.push(x)
      }
    }
    return out
  }
