/** The block transpose of bit matrices agrees with the definition on generated matrices of every size around word boundaries. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as B from '../../src/semantics/bitset.js'
import { transpose } from '../../src/semantics/behaviour.js'

const runs = Number(process.env.NETPOLX_PROPERTY_RUNS ?? 200)

describe('transpose', () => {
  it('out[c] has r iff rows[r] has c', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.array(fc.tuple(fc.nat(69), fc.nat(69)), { maxLength: 300 }), (m, n, cells) => {
        const rows = Array.from({ length: m }, () => B.make(n))
        for (const [r, c] of cells) if (r < m && c < n) B.set(rows[r] ?? B.make(0), c)
        const t = transpose(rows, n)
        expect(t.length).toBe(n)
        for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) expect(B.has(t[c] ?? B.make(0), r)).toBe(B.has(rows[r] ?? B.make(0), c))
      }),
      { numRuns: runs }
    )
  })

  it('a full 33×33 matrix stays full, its diagonal stays put', () => {
    const full = Array.from({ length: 33 }, () => B.full(33))
    expect(transpose(full, 33)).toEqual(full)
    const diag = Array.from({ length: 33 }, (_, i) => {
      const b = B.make(33)
      B.set(b, i)
      return b
    })
    expect(transpose(diag, 33)).toEqual(diag)
  })
})
