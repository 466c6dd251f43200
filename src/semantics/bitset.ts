/**
 * Fixed-size bit sets over class indices: the truth-table engine combines rule matches with
 * word-wide boolean operations instead of evaluating every pair.
 */

export type Bitset = Uint32Array

export const make = (n: number): Bitset => new Uint32Array((n + 31) >>> 5)

export const full = (n: number): Bitset => {
  const b = make(n)
  b.fill(0xffffffff)
  const tail = n & 31
  if (tail !== 0 && b.length > 0) b[b.length - 1] = (1 << tail) - 1
  return b
}

export const has = (b: Bitset, i: number): boolean => ((b[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0

export const set = (b: Bitset, i: number): void => {
  b[i >>> 5] = (b[i >>> 5] ?? 0) | (1 << (i & 31))
}

/** a |= b */
export const orInto = (a: Bitset, b: Bitset): void => {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) | (b[i] ?? 0)
}

export const and = (a: Bitset, b: Bitset): Bitset => a.map((w, i) => w & (b[i] ?? 0))

export const or = (a: Bitset, b: Bitset): Bitset => a.map((w, i) => w | (b[i] ?? 0))

/** The complement within n elements. */
export const not = (a: Bitset, n: number): Bitset => {
  const f = full(n)
  return a.map((w, i) => ~w & (f[i] ?? 0))
}

export const isEmpty = (a: Bitset): boolean => a.every((w) => w === 0)

/** Calls `f` with every index set in `b`, ascending. */
export const forEach = (b: Bitset, f: (i: number) => void): void => {
  for (let w = 0; w < b.length; w++) {
    let word = b[w] ?? 0
    while (word !== 0) {
      const low = word & -word
      f((w << 5) + (31 - Math.clz32(low)))
      word ^= low
    }
  }
}
