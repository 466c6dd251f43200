import { describe, it, expect } from 'vitest'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as C from '../../src/ir/cidr.js'
import { params } from '../property.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const get = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const cidr = (text: string): C.CidrSet => get(C.parseIpOrCidr(text))

const ip = (text: string): C.Ip => get(C.parseIp(text))

const set = (...texts: ReadonlyArray<string>): C.CidrSet => texts.map(cidr).reduce(C.union, C.empty)

const ofBlocks = (blocks: ReadonlyArray<C.Block>): C.CidrSet =>
  blocks.map((b) => C.difference(cidr(b.cidr), set(...b.except))).reduce(C.union, C.empty)

/** CIDR strings written by `toBlocks`. */
const cost = (blocks: ReadonlyArray<C.Block>): number => blocks.reduce((n, b) => n + 1 + b.except.length, 0)

const P = params(150)

// -------------------------------------------------------------------------------------
// arbitraries: a few prefixes, biased to overlap, combined with unions and differences
// -------------------------------------------------------------------------------------

const v4Prefix: fc.Arbitrary<C.CidrSet> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(0x0a000000n, 0x0a010000n, 0x0a010100n, 0xc0a80000n, 0xc0a80180n, 0n, 0xffffffffn),
      fc.bigInt({ min: 0n, max: (1n << 32n) - 1n })
    ),
    fc.oneof(fc.constantFrom(0, 1, 8, 16, 24, 25, 30, 32), fc.integer({ min: 0, max: 32 }))
  )
  .map(([v, len]) => cidr(`${C.formatIp({ family: 4, value: v })}/${len}`))

const v6Prefix: fc.Arbitrary<C.CidrSet> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(0n, 0x20010db8n << 96n, (0x20010db8n << 96n) | (1n << 64n), (1n << 128n) - 1n, 0xffffn << 32n),
      fc.bigInt({ min: 0n, max: (1n << 128n) - 1n })
    ),
    fc.oneof(fc.constantFrom(0, 1, 32, 48, 64, 96, 127, 128), fc.integer({ min: 0, max: 128 }))
  )
  .map(([v, len]) => cidr(`${C.formatIp({ family: 6, value: v })}/${len}`))

const prefix: fc.Arbitrary<C.CidrSet> = fc.oneof({ arbitrary: v4Prefix, weight: 3 }, { arbitrary: v6Prefix, weight: 1 })

const cidrSet: fc.Arbitrary<C.CidrSet> = fc
  .array(fc.tuple(fc.boolean(), prefix), { maxLength: 6 })
  .map((steps) => steps.reduce((acc, [add, p]) => (add || C.isEmpty(acc) ? C.union(acc, p) : C.difference(acc, p)), C.empty))

/** Points at and around the boundaries of the sets' intervals, and random ones. */
const probes = (...sets: ReadonlyArray<C.CidrSet>): ReadonlyArray<C.Ip> => {
  const out: Array<C.Ip> = [
    { family: 4, value: 0n },
    { family: 4, value: (1n << 32n) - 1n },
    { family: 6, value: 0n },
    { family: 6, value: (1n << 128n) - 1n }
  ]
  for (const s of sets)
    for (const [family, xs, max] of [
      [4, s.v4, (1n << 32n) - 1n],
      [6, s.v6, (1n << 128n) - 1n]
    ] as const)
      for (const [lo, hi] of xs)
        for (const v of [lo - 1n, lo, hi, hi + 1n]) if (v >= 0n && v <= max) out.push({ family, value: v })
  return out
}

const isNormal = (xs: ReadonlyArray<readonly [bigint, bigint]>): boolean =>
  xs.every(([lo, hi], k) => {
    const prev = xs[k - 1]
    return lo <= hi && (prev === undefined || prev[1] + 1n < lo)
  })

// -------------------------------------------------------------------------------------
// examples
// -------------------------------------------------------------------------------------

describe('cidr: parsing and formatting', () => {
  it('parses IPv4 and IPv6 addresses', () => {
    expect(ip('10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n })
    expect(ip('::1')).toEqual({ family: 6, value: 1n })
    expect(ip('::')).toEqual({ family: 6, value: 0n })
    expect(ip('fe80::1')).toEqual({ family: 6, value: (0xfe80n << 112n) | 1n })
    expect(ip('::ffff:1.2.3.4')).toEqual({ family: 6, value: (0xffffn << 32n) | 0x01020304n })
    expect(ip('2001:DB8:0:0:0:0:0:1')).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n })
  })

  it('rejects bad addresses', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', 'a.b.c.d', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'fe80::1%eth0', '10.0.0.1/8'])
      expect(E.isLeft(C.parseIp(bad))).toBe(true)
    expect(C.parseIp('256.0.0.1')).toEqual(E.left('invalid IP address "256.0.0.1": IPv4 octet "256" is out of range 0-255'))
  })

  it('parses CIDRs, masking host bits', () => {
    expect(C.toCidrs(get(C.parseCidr('10.0.0.0/8')))).toEqual(['10.0.0.0/8'])
    expect(C.toCidrs(get(C.parseCidr('10.0.0.1/8')))).toEqual(['10.0.0.0/8'])
    expect(C.toCidrs(get(C.parseCidr('2001:db8::/32')))).toEqual(['2001:db8::/32'])
    expect(C.toCidrs(get(C.parseCidr('0.0.0.0/0')))).toEqual(['0.0.0.0/0'])
    expect(C.toCidrs(get(C.parseCidr('::/0')))).toEqual(['::/0'])
    expect(get(C.parseCidr('0.0.0.0/0'))).toEqual(C.allV4)
    expect(get(C.parseCidr('::/0'))).toEqual(C.allV6)
  })

  it('explains invalid CIDRs', () => {
    expect(C.parseCidr('10.0.0.0/33')).toEqual(E.left('invalid CIDR "10.0.0.0/33": prefix length must be 0-32'))
    expect(C.parseCidr('::/129')).toEqual(E.left('invalid CIDR "::/129": prefix length must be 0-128'))
    expect(C.parseCidr('10.0.0.1')).toEqual(E.left('invalid CIDR "10.0.0.1": expected ADDRESS/PREFIX'))
    for (const bad of ['10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/8/8', '/8', 'x/8', '10.0.0.0/ 8']) expect(E.isLeft(C.parseCidr(bad))).toBe(true)
  })

  it('parseIpOrCidr accepts bare addresses', () => {
    expect(C.toCidrs(cidr('10.0.0.1'))).toEqual(['10.0.0.1/32'])
    expect(C.toCidrs(cidr('fe80::1'))).toEqual(['fe80::1/128'])
    expect(C.toCidrs(cidr('10.0.0.0/8'))).toEqual(['10.0.0.0/8'])
    expect(E.isLeft(C.parseIpOrCidr('10.0.0'))).toBe(true)
  })

  it('formats IPv6 per RFC 5952', () => {
    const f = (text: string): string => C.formatIp(ip(text))
    expect(f('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1')
    expect(f('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1')
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1')
    expect(f('2001:db8:1:1:1:1:1:0')).toBe('2001:db8:1:1:1:1:1:0')
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1')
    expect(f('0:0:0:0:0:0:0:0')).toBe('::')
    expect(f('0:0:0:0:0:0:0:1')).toBe('::1')
    expect(f('1:0:0:0:0:0:0:0')).toBe('1::')
    expect(f('::ffff:0102:0304')).toBe('::ffff:1.2.3.4')
    expect(f('10.0.0.1')).toBe('10.0.0.1')
  })
})

describe('cidr: sets', () => {
  it('union, intersect, difference, complement', () => {
    expect(C.show(C.union(cidr('10.0.0.0/9'), cidr('10.128.0.0/9')))).toBe('10.0.0.0/8')
    expect(C.show(C.intersect(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')))).toBe('10.1.0.0/16')
    expect(C.show(C.intersect(cidr('10.0.0.0/8'), cidr('::/0')))).toBe('∅')
    expect(C.show(C.difference(cidr('10.0.0.0/8'), cidr('10.0.0.0/9')))).toBe('10.128.0.0/9')
    expect(C.show(C.complement(C.allV4))).toBe('::/0')
    expect(C.complement(C.empty)).toEqual(C.all)
    expect(C.complement(C.all)).toEqual(C.empty)
    expect(C.union(C.allV4, C.allV6)).toEqual(C.all)
  })

  it('predicates', () => {
    expect(C.isEmpty(C.empty)).toBe(true)
    expect(C.isAll(C.all)).toBe(true)
    expect(C.isAll(C.allV4)).toBe(false)
    expect(C.isSubset(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(true)
    expect(C.isSubset(cidr('10.0.0.0/8'), cidr('10.1.0.0/16'))).toBe(false)
    expect(C.equals(cidr('10.0.0.1/8'), cidr('10.0.0.0/8'))).toBe(true)
    expect(C.contains(cidr('10.0.0.0/8'), ip('10.255.255.255'))).toBe(true)
    expect(C.contains(cidr('10.0.0.0/8'), ip('11.0.0.0'))).toBe(false)
    expect(C.contains(cidr('10.0.0.0/8'), ip('::a00:1'))).toBe(false)
    expect(C.contains(C.ofIp(ip('::1')), ip('::1'))).toBe(true)
    expect(C.compare(C.empty, C.all)).toBeLessThan(0)
    expect(C.compare(C.all, C.all)).toBe(0)
  })

  it('toCidrs writes the fewest prefixes, IPv4 first', () => {
    expect(C.toCidrs(set('2001:db8::/32', '10.0.0.0/8', '10.1.0.0/16'))).toEqual(['10.0.0.0/8', '2001:db8::/32'])
    expect(C.toCidrs(C.difference(cidr('10.0.0.0/8'), cidr('10.0.0.0/10')))).toEqual(['10.64.0.0/10', '10.128.0.0/9'])
    expect(C.toCidrs(C.difference(cidr('0.0.0.0/0'), cidr('255.255.255.255')))).toHaveLength(32)
    expect(C.toCidrs(C.empty)).toEqual([])
    expect(C.show(C.empty)).toBe('∅')
    expect(C.show(set('::1', '192.168.0.0/16'))).toBe('192.168.0.0/16, ::1/128')
  })

  it('toBlocks writes ipBlocks with the fewest strings', () => {
    expect(C.toBlocks(C.difference(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')))).toEqual([{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }])
    expect(C.toBlocks(set('10.0.0.0/8', '192.168.0.0/16'))).toEqual([
      { cidr: '10.0.0.0/8', except: [] },
      { cidr: '192.168.0.0/16', except: [] }
    ])
    expect(C.toBlocks(C.all)).toEqual([
      { cidr: '0.0.0.0/0', except: [] },
      { cidr: '::/0', except: [] }
    ])
    expect(C.toBlocks(C.empty)).toEqual([])
    expect(C.toBlocks(C.complement(set('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16')))).toEqual([
      { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
      { cidr: '::/0', except: [] }
    ])
    expect(C.toBlocks(C.difference(cidr('2001:db8::/32'), cidr('2001:db8::1')))).toEqual([{ cidr: '2001:db8::/32', except: ['2001:db8::1/128'] }])
    // two holes in one /24: one block with two excepts beats eight-odd prefixes
    expect(C.toBlocks(C.difference(cidr('10.0.0.0/24'), set('10.0.0.1', '10.0.0.200')))).toEqual([
      { cidr: '10.0.0.0/24', except: ['10.0.0.1/32', '10.0.0.200/32'] }
    ])
  })
})

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

describe('cidr: laws', () => {
  it('double complement, De Morgan, difference = a ∩ ¬b', () => {
    fc.assert(
      fc.property(cidrSet, cidrSet, (a, b) => {
        expect(C.complement(C.complement(a))).toEqual(a)
        expect(C.complement(C.union(a, b))).toEqual(C.intersect(C.complement(a), C.complement(b)))
        expect(C.complement(C.intersect(a, b))).toEqual(C.union(C.complement(a), C.complement(b)))
        expect(C.difference(a, b)).toEqual(C.intersect(a, C.complement(b)))
      }),
      P
    )
  })

  it('union and intersection are commutative and associative', () => {
    fc.assert(
      fc.property(cidrSet, cidrSet, cidrSet, (a, b, c) => {
        expect(C.union(a, b)).toEqual(C.union(b, a))
        expect(C.intersect(a, b)).toEqual(C.intersect(b, a))
        expect(C.union(C.union(a, b), c)).toEqual(C.union(a, C.union(b, c)))
        expect(C.intersect(C.intersect(a, b), c)).toEqual(C.intersect(a, C.intersect(b, c)))
      }),
      P
    )
  })

  it('operations agree with contains, and results are normalised', () => {
    fc.assert(
      fc.property(cidrSet, cidrSet, (a, b) => {
        const u = C.union(a, b)
        const n = C.intersect(a, b)
        const d = C.difference(a, b)
        const c = C.complement(a)
        for (const s of [u, n, d, c]) expect(isNormal(s.v4) && isNormal(s.v6)).toBe(true)
        for (const x of probes(a, b)) {
          const inA = C.contains(a, x)
          const inB = C.contains(b, x)
          expect(C.contains(u, x)).toBe(inA || inB)
          expect(C.contains(n, x)).toBe(inA && inB)
          expect(C.contains(d, x)).toBe(inA && !inB)
          expect(C.contains(c, x)).toBe(!inA)
        }
        expect(C.isSubset(n, a)).toBe(true)
        expect(C.isSubset(a, b)).toBe(C.isEmpty(d))
        expect(C.equals(a, b)).toBe(C.compare(a, b) === 0)
        expect(C.equals(a, b)).toBe(C.isSubset(a, b) && C.isSubset(b, a))
      }),
      P
    )
  })

  it('equal sets are structurally equal however they are built', () => {
    fc.assert(
      fc.property(cidrSet, cidrSet, (a, b) => {
        expect(C.union(C.difference(a, b), C.intersect(a, b))).toEqual(a)
        expect(C.union(C.difference(a, b), b)).toEqual(C.union(a, b))
        expect(set(...C.toCidrs(a))).toEqual(a)
      }),
      P
    )
  })

  it('toCidrs round-trips with the fewest prefixes, canonical and sorted', () => {
    fc.assert(
      fc.property(cidrSet, (a) => {
        const cidrs = C.toCidrs(a)
        expect(set(...cidrs)).toEqual(a)
        // every prefix parses back to itself (canonical text)
        for (const t of cidrs) expect(C.toCidrs(get(C.parseCidr(t)))).toEqual([t])
        // fewest: no two prefixes merge into their common parent
        const sets = cidrs.map(cidr)
        for (let k = 1; k < sets.length; k++) {
          const prev = sets[k - 1]
          const cur = sets[k]
          if (prev === undefined || cur === undefined) continue
          // IPv4 first, then ascending within a family
          expect(prev.v4.length === 0 && cur.v4.length > 0).toBe(false)
          if ((prev.v4.length > 0) === (cur.v4.length > 0)) expect(C.compare(prev, cur)).toBeLessThan(0)
          expect(C.toCidrs(C.union(prev, cur))).toHaveLength(2)
        }
      }),
      P
    )
  })

  it('toBlocks round-trips, never writes more strings than toCidrs, and keeps excepts inside', () => {
    fc.assert(
      fc.property(cidrSet, (a) => {
        const blocks = C.toBlocks(a)
        expect(ofBlocks(blocks)).toEqual(a)
        expect(cost(blocks)).toBeLessThanOrEqual(C.toCidrs(a).length)
        // the single-block alternative over a covering prefix: 1 + the prefixes of its holes
        if (a.v6.length === 0 && a.v4.length > 0) expect(cost(blocks)).toBeLessThanOrEqual(1 + C.toCidrs(C.difference(C.allV4, a)).length)
        if (a.v4.length === 0 && a.v6.length > 0) expect(cost(blocks)).toBeLessThanOrEqual(1 + C.toCidrs(C.difference(C.allV6, a)).length)
        for (const b of blocks) {
          const outer = cidr(b.cidr)
          expect(C.toCidrs(outer)).toEqual([b.cidr])
          for (const e of b.except) {
            const inner = cidr(e)
            expect(C.toCidrs(inner)).toEqual([e])
            expect(C.isSubset(inner, outer)).toBe(true)
            expect(C.equals(inner, outer)).toBe(false)
          }
        }
      }),
      P
    )
  })

  it('toBlocks is optimal against the prefix-trie program of the specification on IPv4 /24-sized sets', () => {
    // cost(P) = 0 if s ∩ P = ∅; 1 if P ⊆ s; else min(cost(P0) + cost(P1), 1 + |prefixes(P ∖ s)|)
    const spec = (s: C.CidrSet, value: bigint, len: number): number => {
      const p = cidr(`${C.formatIp({ family: 4, value })}/${len}`)
      const inside = C.intersect(s, p)
      if (C.isEmpty(inside)) return 0
      if (C.equals(inside, p)) return 1
      const half = 1n << BigInt(31 - len)
      return Math.min(spec(s, value, len + 1) + spec(s, value + half, len + 1), 1 + C.toCidrs(C.difference(p, s)).length)
    }
    const small = fc
      .array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })), { maxLength: 6 })
      .map((steps) =>
        steps.reduce((acc, [add, v, len]) => {
          const p = cidr(`10.0.0.${v}/${len}`)
          return add ? C.union(acc, p) : C.difference(acc, p)
        }, C.empty)
      )
    fc.assert(
      fc.property(small, (a) => {
        expect(cost(C.toBlocks(a))).toBeLessThanOrEqual(spec(a, 0n, 0))
      }),
      P
    )
  })
})

// -------------------------------------------------------------------------------------
// toBlocks: blocks inside excepts, and ties
// -------------------------------------------------------------------------------------

describe('cidr: toBlocks beyond a partition', () => {
  const prefix = (text: string): C.CidrSet => {
    const r = C.parseCidr(text)
    if (E.isLeft(r)) throw new Error(r.left)
    return r.right
  }

  it('writes the addresses inside an except as a block of their own when that is shorter', () => {
    // 10/8 ∖ 10.1/16 ∪ 10.1.2/24: three strings, where any partition into blocks needs nine
    const s = C.union(C.difference(prefix('10.0.0.0/8'), prefix('10.1.0.0/16')), prefix('10.1.2.0/24'))
    expect(C.toBlocks(s)).toEqual([
      { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
      { cidr: '10.1.2.0/24', except: [] }
    ])
  })

  it('on a tie in strings, writes fewer blocks', () => {
    // 10.0/9 + 10.128/10 (two strings, two blocks) against 10/8 except 10.192/10 (two strings, one block)
    expect(C.toBlocks(C.union(prefix('10.0.0.0/9'), prefix('10.128.0.0/10')))).toEqual([{ cidr: '10.0.0.0/8', except: ['10.192.0.0/10'] }])
  })
})

describe('describe (messages)', () => {
  const set = (...texts: ReadonlyArray<string>): C.CidrSet =>
    texts.reduce((acc, t) => {
      const c = C.parseCidr(t)
      if (c._tag === 'Left') throw new Error(c.left)
      return C.union(acc, c.right)
    }, C.empty)
  it('writes the fewest cidr-except blocks and counts what it leaves out', () => {
    expect(C.describe(C.empty)).toBe('∅')
    expect(C.describe(C.difference(C.allV4, set('10.0.0.0/8')))).toBe('0.0.0.0/0 except 10.0.0.0/8')
    const many = set(...Array.from({ length: 10 }, (_, i) => `10.${i * 2}.0.0/16`))
    expect(C.describe(many, 3)).toBe('10.0.0.0/16, 10.2.0.0/16, 10.4.0.0/16 (and 7 more prefixes)')
  })
})
