/**
 * Address sets: any set of IPv4 and IPv6 addresses, as two interval sets of integers.
 *
 * Sets are normalised, so equal sets are structurally equal. They convert back to the fewest
 * CIDR prefixes (`toCidrs`) or to the fewest Kubernetes `ipBlock`s (`toBlocks`).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as I from './interval.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface CidrSet {
  readonly _tag: 'CidrSet'
  /** IPv4 addresses as integers in `0 .. 2^32-1`. */
  readonly v4: I.IntervalSet<bigint>
  /** IPv6 addresses as integers in `0 .. 2^128-1`. */
  readonly v6: I.IntervalSet<bigint>
}

export interface Ip {
  readonly family: 4 | 6
  readonly value: bigint
}

/** A Kubernetes `ipBlock`: the addresses of `cidr` outside every prefix of `except`. */
export interface Block {
  readonly cidr: string
  readonly except: ReadonlyArray<string>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const D = I.bigintDomain
const MAX4 = (1n << 32n) - 1n
const MAX6 = (1n << 128n) - 1n

const make = (v4: I.IntervalSet<bigint>, v6: I.IntervalSet<bigint>): CidrSet => ({ _tag: 'CidrSet', v4, v6 })

export const empty: CidrSet = make([], [])

/** Every IPv4 address. */
export const allV4: CidrSet = make([[0n, MAX4]], [])

/** Every IPv6 address. */
export const allV6: CidrSet = make([], [[0n, MAX6]])

/** Every address of both families. */
export const all: CidrSet = make([[0n, MAX4]], [[0n, MAX6]])

/** The set of one address (empty when the value is out of its family's range). */
export const ofIp = (ip: Ip): CidrSet => {
  const max = ip.family === 4 ? MAX4 : MAX6
  if (ip.value < 0n || ip.value > max) return empty
  return ip.family === 4 ? make([[ip.value, ip.value]], []) : make([], [[ip.value, ip.value]])
}

const ofPrefix = (family: 4 | 6, value: bigint, length: number): CidrSet => {
  const bits = family === 4 ? 32 : 128
  const size = 1n << BigInt(bits - length)
  const lo = value & ~(size - 1n)
  const r: I.IntervalSet<bigint> = [[lo, lo + size - 1n]]
  return family === 4 ? make(r, []) : make([], r)
}

/** Parses an IPv4 (`10.0.0.1`) or IPv6 (`::1`, `fe80::1`, `::ffff:1.2.3.4`) address. */
export const parseIp = (text: string): E.Either<string, Ip> => {
  const r = parseAddress(text)
  return typeof r === 'string' ? E.left(`invalid IP address ${JSON.stringify(text)}: ${r}`) : E.right(r)
}

/**
 * Parses a CIDR prefix (`10.0.0.0/8`, `2001:db8::/32`). Host bits are masked off (`10.0.0.1/8`
 * is `10.0.0.0/8`), as Kubernetes does for `ipBlock`; a bare address is an error.
 */
export const parseCidr = (text: string): E.Either<string, CidrSet> => {
  const fail = (why: string): E.Either<string, CidrSet> => E.left(`invalid CIDR ${JSON.stringify(text)}: ${why}`)
  const slash = text.indexOf('/')
  if (slash < 0) return fail('expected ADDRESS/PREFIX')
  const addr = parseAddress(text.slice(0, slash))
  if (typeof addr === 'string') return fail(addr)
  const bits = addr.family === 4 ? 32 : 128
  const lenText = text.slice(slash + 1)
  const len = /^(0|[1-9][0-9]{0,2})$/.test(lenText) ? Number(lenText) : NaN
  if (!(len >= 0 && len <= bits)) return fail(`prefix length must be 0-${bits}`)
  return E.right(ofPrefix(addr.family, addr.value, len))
}

/** Parses a CIDR prefix or a bare address (as a `/32` or `/128`). */
export const parseIpOrCidr = (text: string): E.Either<string, CidrSet> =>
  text.includes('/') ? parseCidr(text) : E.map(ofIp)(parseIp(text))

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const iUnion = I.union(D)
const iIntersect = I.intersect(D)
const iDifference = I.difference(D)
const iCompare = I.compare(D)
const iSubset = I.isSubset(D)
const iContains = I.contains(D)

export const union = (a: CidrSet, b: CidrSet): CidrSet => make(iUnion(a.v4, b.v4), iUnion(a.v6, b.v6))

export const intersect = (a: CidrSet, b: CidrSet): CidrSet => make(iIntersect(a.v4, b.v4), iIntersect(a.v6, b.v6))

/** `a ∖ b`. */
export const difference = (a: CidrSet, b: CidrSet): CidrSet => make(iDifference(a.v4, b.v4), iDifference(a.v6, b.v6))

/** Every address (of both families) not in `a`. */
export const complement = (a: CidrSet): CidrSet => difference(all, a)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

export const isEmpty = (s: CidrSet): boolean => s.v4.length === 0 && s.v6.length === 0

export const isAll = (s: CidrSet): boolean => equals(s, all)

export const equals = (a: CidrSet, b: CidrSet): boolean => compare(a, b) === 0

/** `a ⊆ b`. */
export const isSubset = (a: CidrSet, b: CidrSet): boolean => iSubset(a.v4, b.v4) && iSubset(a.v6, b.v6)

export const contains = (s: CidrSet, ip: Ip): boolean => iContains(ip.family === 4 ? s.v4 : s.v6, ip.value)

/** A total order (IPv4 part first, then IPv6, each lexicographic on its intervals). */
export const compare = (a: CidrSet, b: CidrSet): number => iCompare(a.v4, b.v4) || iCompare(a.v6, b.v6)

/** Canonical text: dotted quad, or RFC 5952 (lower case, longest zero run compressed, `::ffff:a.b.c.d`). */
export const formatIp = (ip: Ip): string => (ip.family === 4 ? formatV4(ip.value & MAX4) : formatV6(ip.value & MAX6))

/** The fewest prefixes whose union is exactly `s`: IPv4 first, ascending, canonical text. */
export const toCidrs = (s: CidrSet): ReadonlyArray<string> => [
  ...s.v4.flatMap(([lo, hi]) => prefixesOf(32, lo, hi)).map((p) => showPrefix(4, p)),
  ...s.v6.flatMap(([lo, hi]) => prefixesOf(128, lo, hi)).map((p) => showPrefix(6, p))
]

/**
 * The set as Kubernetes `ipBlock`s (`cidr` minus `except`, every except strictly inside its cidr,
 * one family per block), writing the fewest CIDR strings in all, then the fewest blocks.
 *
 * A dynamic program over the binary prefix trie. For a prefix `Q`, `inside(Q)` is the cheapest way
 * to write `s ∩ Q` with blocks within `Q`: nothing when they are disjoint, else either the best for
 * each half, or one block with cidr `Q` whose excepts, chosen by `holes` in each half, cover `Q ∖ s`.
 * `holes(Q)` is the cheapest way to cover `Q ∖ s` with disjoint except prefixes within `Q`: nothing
 * when `Q ⊆ s`, else either the best for each half, or the except `Q` itself plus `inside(Q)` (the
 * addresses of `s` inside an except are written back as blocks of their own). Only prefixes that
 * straddle a boundary of `s` need the recursion, so the work is O(intervals × address bits).
 * Blocks come sorted by family, address, then prefix length.
 */
export const toBlocks = (s: CidrSet): ReadonlyArray<Block> => [...blocksOf(4, s.v4), ...blocksOf(6, s.v6)]

/** The prefixes of `toCidrs` joined by `, `, or `∅`. */
export const show = (s: CidrSet): string => (isEmpty(s) ? '∅' : toCidrs(s).join(', '))

/**
 * A short description for messages: the fewest `cidr except …` blocks, the first `max` prefixes
 * written out and the rest counted (`0.0.0.0/0 except 10.0.0.0/8, ::/0`).
 */
export const describe = (s: CidrSet, max = 6): string => {
  if (isEmpty(s)) return '∅'
  let left = max
  let hidden = 0
  const parts = toBlocks(s).flatMap((b) => {
    if (left <= 0) {
      hidden += 1 + b.except.length
      return []
    }
    left--
    const shown = b.except.slice(0, Math.max(0, left))
    left -= shown.length
    hidden += b.except.length - shown.length
    return [b.except.length === 0 ? b.cidr : `${b.cidr} except ${shown.join(', ')}${shown.length < b.except.length ? ', …' : ''}`]
  })
  return `${parts.join(', ')}${hidden > 0 ? ` (and ${hidden} more prefixes)` : ''}`
}

// -------------------------------------------------------------------------------------
// internal: parsing
// -------------------------------------------------------------------------------------

/** An address, or why the text is not one. */
const parseAddress = (text: string): Ip | string => {
  if (text.length === 0) return 'empty address'
  if (text.includes('%')) return 'zone identifiers are not supported'
  if (text.includes(':')) {
    const v = parseV6(text)
    return typeof v === 'string' ? v : { family: 6, value: v }
  }
  const v = parseV4(text)
  return typeof v === 'string' ? v : { family: 4, value: v }
}

const parseV4 = (text: string): bigint | string => {
  const parts = text.split('.')
  if (parts.length !== 4) return 'an IPv4 address has four dot-separated octets'
  let value = 0n
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part)) return `IPv4 octet ${JSON.stringify(part)} is not a decimal number`
    if (part.length > 1 && part.startsWith('0')) return `IPv4 octet ${JSON.stringify(part)} has a leading zero`
    const n = part.length > 3 ? 256 : Number(part)
    if (n > 255) return `IPv4 octet ${JSON.stringify(part)} is out of range 0-255`
    value = (value << 8n) | BigInt(n)
  }
  return value
}

/** Parses colon-separated hexadecimal groups, the last possibly a dotted quad; `''` gives none. */
const parseGroups = (text: string, last: boolean): ReadonlyArray<number> | string => {
  if (text === '') return []
  const parts = text.split(':')
  const groups: Array<number> = []
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? ''
    if (last && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part)
      if (typeof v4 === 'string') return v4
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
    } else if (!/^[0-9a-fA-F]{1,4}$/.test(part))
      return part === '' ? 'empty group (a single ":" where "::" or a group was expected)' : `bad IPv6 group ${JSON.stringify(part)}`
    else groups.push(parseInt(part, 16))
  }
  return groups
}

const parseV6 = (text: string): bigint | string => {
  const halves = text.split('::')
  if (halves.length > 2) return 'more than one "::"'
  const head = parseGroups(halves[0] ?? '', halves.length === 1)
  if (typeof head === 'string') return head
  let groups: ReadonlyArray<number> = head
  if (halves.length === 2) {
    const tail = parseGroups(halves[1] ?? '', true)
    if (typeof tail === 'string') return tail
    if (head.length + tail.length > 7) return 'too many groups for "::"'
    groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  } else if (groups.length !== 8) return 'an IPv6 address has eight groups (or "::")'
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)
}

// -------------------------------------------------------------------------------------
// internal: formatting
// -------------------------------------------------------------------------------------

const formatV4 = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.')

const formatV6 = (v: bigint): string => {
  if (v >> 32n === 0xffffn) return `::ffff:${formatV4(v & MAX4)}`
  const groups: Array<number> = []
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((v >> s) & 0xffffn))
  // the first longest run of two or more zero groups
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (xs: ReadonlyArray<number>): string => xs.map((g) => g.toString(16)).join(':')
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`
}

interface Prefix {
  readonly value: bigint
  readonly length: number
}

const showPrefix = (family: 4 | 6, p: Prefix): string => `${formatIp({ family, value: p.value })}/${p.length}`

/** The fewest prefixes covering exactly `[lo, hi]` (greedy: the largest aligned block at `lo`). */
const prefixesOf = (bits: number, lo: bigint, hi: bigint): ReadonlyArray<Prefix> => {
  const out: Array<Prefix> = []
  let cur = lo
  while (cur <= hi) {
    let size = cur === 0n ? 1n << BigInt(bits) : cur & -cur
    let length = bits - bitLength(size) + 1
    while (size > hi - cur + 1n) {
      size >>= 1n
      length++
    }
    out.push({ value: cur, length })
    cur += size
  }
  return out
}

/** The number of bits of a positive integer. */
const bitLength = (n: bigint): number => n.toString(2).length

// -------------------------------------------------------------------------------------
// internal: ipBlocks
// -------------------------------------------------------------------------------------

/** Cost of a plan: CIDR strings written, then blocks. */
interface Cost {
  readonly strings: number
  readonly blocks: number
}

/** How to write `s ∩ Q` as blocks within `Q`. */
type Inside =
  | { readonly _tag: 'none'; readonly cost: Cost }
  | { readonly _tag: 'block'; readonly cost: Cost; readonly prefix: Prefix; readonly holes: readonly [Holes, Holes] }
  | { readonly _tag: 'split'; readonly cost: Cost; readonly halves: readonly [Inside, Inside] }

/** How to cover `Q ∖ s` with excepts within `Q` (and write back the addresses of `s` inside them). */
type Holes =
  | { readonly _tag: 'none'; readonly cost: Cost }
  | { readonly _tag: 'except'; readonly cost: Cost; readonly prefix: Prefix; readonly inside: Inside }
  | { readonly _tag: 'split'; readonly cost: Cost; readonly halves: readonly [Holes, Holes] }

const noCost: Cost = { strings: 0, blocks: 0 }
const insideNone: Inside = { _tag: 'none', cost: noCost }
const holesNone: Holes = { _tag: 'none', cost: noCost }

const add = (a: Cost, b: Cost, strings: number, blocks: number): Cost => ({
  strings: a.strings + b.strings + strings,
  blocks: a.blocks + b.blocks + blocks
})

const cheaper = (a: Cost, b: Cost): boolean => a.strings < b.strings || (a.strings === b.strings && a.blocks < b.blocks)

const blocksOf = (family: 4 | 6, set: I.IntervalSet<bigint>): ReadonlyArray<Block> => {
  if (set.length === 0) return []
  const bits = family === 4 ? 32 : 128
  const firstEnding = I.indexOfFirstEndingAtOrAfter(D)

  const solve = (prefix: Prefix): { readonly inside: Inside; readonly holes: Holes } => {
    const size = 1n << BigInt(bits - prefix.length)
    const lo = prefix.value
    const hi = lo + size - 1n
    const x = set[firstEnding(set, lo)]
    if (x === undefined || x[0] > hi) return { inside: insideNone, holes: { _tag: 'except', cost: { strings: 1, blocks: 0 }, prefix, inside: insideNone } }
    if (x[0] <= lo && x[1] >= hi) return { inside: { _tag: 'block', cost: { strings: 1, blocks: 1 }, prefix, holes: [holesNone, holesNone] }, holes: holesNone }
    // partial, hence at least two addresses wide
    const l = solve({ value: lo, length: prefix.length + 1 })
    const r = solve({ value: lo + (size >> 1n), length: prefix.length + 1 })
    const insideSplit: Inside = { _tag: 'split', cost: add(l.inside.cost, r.inside.cost, 0, 0), halves: [l.inside, r.inside] }
    const insideBlock: Inside = { _tag: 'block', cost: add(l.holes.cost, r.holes.cost, 1, 1), prefix, holes: [l.holes, r.holes] }
    const inside = cheaper(insideBlock.cost, insideSplit.cost) ? insideBlock : insideSplit
    const holesSplit: Holes = { _tag: 'split', cost: add(l.holes.cost, r.holes.cost, 0, 0), halves: [l.holes, r.holes] }
    const holesExcept: Holes = { _tag: 'except', cost: add(inside.cost, noCost, 1, 0), prefix, inside }
    return { inside, holes: cheaper(holesExcept.cost, holesSplit.cost) ? holesExcept : holesSplit }
  }

  const blocks: Array<{ readonly prefix: Prefix; readonly except: ReadonlyArray<Prefix> }> = []
  const walkInside = (p: Inside): void => {
    switch (p._tag) {
      case 'none':
        return
      case 'split':
        p.halves.forEach(walkInside)
        return
      case 'block': {
        const except: Array<Prefix> = []
        p.holes.forEach((h) => walkHoles(h, except))
        blocks.push({ prefix: p.prefix, except })
        return
      }
    }
  }
  const walkHoles = (h: Holes, except: Array<Prefix>): void => {
    switch (h._tag) {
      case 'none':
        return
      case 'split':
        h.halves.forEach((x) => walkHoles(x, except))
        return
      case 'except':
        except.push(h.prefix)
        walkInside(h.inside)
        return
    }
  }
  walkInside(solve({ value: 0n, length: 0 }).inside)
  return blocks
    .sort((a, b) => (a.prefix.value < b.prefix.value ? -1 : a.prefix.value > b.prefix.value ? 1 : a.prefix.length - b.prefix.length))
    .map((b) => ({ cidr: showPrefix(family, b.prefix), except: b.except.map((p) => showPrefix(family, p)) }))
}
