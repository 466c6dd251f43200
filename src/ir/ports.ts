/**
 * Port sets: which (IP protocol, destination port) pairs a rule matches, plus named ports.
 *
 * Every protocol (0–255) has a universe of "ports": TCP, UDP, SCTP and UDP-Lite `1..65535`;
 * ICMP and ICMPv6 `type * 256 + code` in `0..65535`; every other protocol the single point `0`
 * (all or nothing). A set lists the protocols whose ports differ from `rest` (every other
 * protocol is wholly in the set, or wholly out of it).
 *
 * A named port `(name, protocol)` stands for whatever port the destination gives that name, so
 * it is redundant exactly when its protocol is wholly in the set: constructors drop it then, and
 * write a name that covers every protocol the set does not wholly include as `protocol: undefined`.
 * So equal sets are structurally equal.
 *
 * Intersection and difference are exact or fail: a named port against part of a protocol's
 * numeric ports (or against another name on the same protocol) depends on the port number the
 * name resolves to, which this representation cannot say.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as I from './interval.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A port name, resolved on the destination; `protocol: undefined` means any protocol. */
export interface NamedPort {
  readonly name: string
  readonly protocol: number | undefined
}

/** The ports of one protocol. */
export interface ProtocolPorts {
  readonly protocol: number
  readonly ports: I.IntervalSet<number>
}

export interface PortSet {
  readonly _tag: 'PortSet'
  /** protocols whose set differs from `rest`, ascending by protocol; never an entry equal to what `rest` implies */
  readonly listed: ReadonlyArray<ProtocolPorts>
  /** true: every protocol not listed is wholly included; false: not included */
  readonly rest: boolean
  /** named ports (resolved per destination endpoint), sorted by (name, protocol), deduplicated */
  readonly named: ReadonlyArray<NamedPort>
}

/** A port of a destination endpoint, as `matches` looks up named ports (unnamed ports never match a name). */
export interface DestinationPort {
  readonly name: string | undefined
  readonly protocol: number
  readonly port: number
}

// -------------------------------------------------------------------------------------
// protocols
// -------------------------------------------------------------------------------------

export const ICMP = 1
export const TCP = 6
export const UDP = 17
export const ICMPV6 = 58
export const SCTP = 132
export const UDPLITE = 136

/** `TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPv6`, else the number. */
export const protocolName = (n: number): string => {
  switch (n) {
    case TCP:
      return 'TCP'
    case UDP:
      return 'UDP'
    case SCTP:
      return 'SCTP'
    case ICMP:
      return 'ICMP'
    case ICMPV6:
      return 'ICMPv6'
    default:
      return String(n)
  }
}

const protocolNames: ReadonlyArray<readonly [string, number]> = [
  ['tcp', TCP],
  ['udp', UDP],
  ['sctp', SCTP],
  ['icmp', ICMP],
  ['icmpv6', ICMPV6],
  ['udplite', UDPLITE]
]

/** `TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPv6`, `UDPLite` (any case) or a protocol number `1-255`. */
export const parseProtocol = (text: string): E.Either<string, number> => {
  const lower = text.toLowerCase()
  const byName = protocolNames.find(([name]) => name === lower)
  if (byName !== undefined) return E.right(byName[1])
  const n = /^[0-9]{1,3}$/.test(text) ? Number(text) : NaN
  return n >= 1 && n <= MAX_PROTOCOL
    ? E.right(n)
    : E.left(`invalid protocol ${JSON.stringify(text)}: expected TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a number 1-255`)
}

const N = I.numberDomain
const MAX_PROTOCOL = 255
const PROTOCOLS = MAX_PROTOCOL + 1
const isProtocol = (p: number): boolean => Number.isInteger(p) && p >= 0 && p <= MAX_PROTOCOL

const portUniverse: I.IntervalSet<number> = [[1, 65535]]
const icmpUniverse: I.IntervalSet<number> = [[0, 65535]]
const pointUniverse: I.IntervalSet<number> = [[0, 0]]
const allProtocols: I.IntervalSet<number> = [[0, MAX_PROTOCOL]]

const universe = (p: number): I.IntervalSet<number> =>
  p === TCP || p === UDP || p === SCTP || p === UDPLITE ? portUniverse : p === ICMP || p === ICMPV6 ? icmpUniverse : pointUniverse

/** The ports protocol `p` has (see the module comment). */
export const universeOf = (p: number): readonly [number, number] => universe(p)[0] ?? [0, 0]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

export const empty: PortSet = { _tag: 'PortSet', listed: [], rest: false, named: [] }

export const all: PortSet = { _tag: 'PortSet', listed: [], rest: true, named: [] }

/** Every port of protocol `p` (empty when `p` is not a protocol number 0–255). */
export const protocol = (p: number): PortSet => (isProtocol(p) ? make([{ protocol: p, ports: universe(p) }], false, []) : empty)

/** Ports `lo..hi` of protocol `p`, clipped to the protocol's universe (empty when `lo > hi`). */
export const range = (p: number, lo: number, hi: number): PortSet =>
  isProtocol(p) && Number.isInteger(lo) && Number.isInteger(hi) ? make([{ protocol: p, ports: I.range(N)(lo, hi) }], false, []) : empty

/** One port of protocol `p`. */
export const port = (p: number, n: number): PortSet => range(p, n, n)

/** ICMP or ICMPv6: every message, every code of one type, or one type and code (each 0–255). */
export const icmp = (p: 1 | 58, type?: number, code?: number): PortSet => {
  const byte = (x: number): boolean => Number.isInteger(x) && x >= 0 && x <= 255
  if (type === undefined) return protocol(p)
  if (!byte(type)) return empty
  if (code === undefined) return range(p, type * 256, type * 256 + 255)
  return byte(code) ? port(p, type * 256 + code) : empty
}

/** A named port, of one protocol or (`undefined`) any; empty when `protocol` is not 0–255. */
export const named = (name: string, protocol?: number): PortSet =>
  protocol === undefined || isProtocol(protocol) ? make([], false, [{ name, protocols: protocolsOf(protocol) }]) : empty

/** The canonical form of a hand-built value. Everything this module returns is canonical already, and its operations expect canonical arguments. */
export const normalize = (s: PortSet): PortSet =>
  make(
    s.listed,
    s.rest,
    s.named.map((n) => ({ name: n.name, protocols: n.protocol === undefined || isProtocol(n.protocol) ? protocolsOf(n.protocol) : [] }))
  )

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** `a ∪ b`. */
export const union = (a: PortSet, b: PortSet): PortSet => {
  if (isEmpty(a) || isAll(b)) return b
  if (isEmpty(b) || isAll(a)) return a
  const x = a
  const y = b
  return make(
    numeric(x, y, iUnion, (p, q) => p || q),
    x.rest || y.rest,
    namesOf(x, y).map((name) => ({ name, protocols: iUnion(effective(x, name), effective(y, name)) }))
  )
}

/**
 * `a ∩ b`; `Left` when a named port meets part (neither all nor none) of its protocol's numeric
 * ports in the other set, or another name on the same protocol, since the result would depend
 * on the port the name resolves to.
 */
export const intersect = (a: PortSet, b: PortSet): E.Either<string, PortSet> => {
  if (isEmpty(a) || isAll(b)) return E.right(a)
  if (isEmpty(b) || isAll(a)) return E.right(b)
  const x = a
  const y = b
  const wholeX = wholeProtocols(x)
  const wholeY = wholeProtocols(y)
  const partialX = iDifference(nonEmptyProtocols(x), wholeX)
  const partialY = iDifference(nonEmptyProtocols(y), wholeY)
  const names = namesOf(x, y)
  const onlyX = names.map((name) => ({ name, protocols: iDifference(effective(x, name), effective(y, name)) }))
  const onlyY = names.map((name) => ({ name, protocols: iDifference(effective(y, name), effective(x, name)) }))
  for (const [only, partial] of [
    [onlyX, partialY],
    [onlyY, partialX]
  ] as const)
    for (const n of only) {
      const bad = iIntersect(n.protocols, partial)
      if (bad.length > 0) return E.left(meetsPart('intersect', n.name, bad))
    }
  const clash = clashOf(onlyX, onlyY)
  if (clash !== undefined) return E.left(namesMeet('intersect', clash))
  return E.right(
    make(
      numeric(x, y, iIntersect, (p, q) => p && q),
      x.rest && y.rest,
      names.map((name) => {
        const ex = effective(x, name)
        const ey = effective(y, name)
        return { name, protocols: iUnion(iIntersect(ex, ey), iUnion(iIntersect(ex, wholeY), iIntersect(ey, wholeX))) }
      })
    )
  )
}

/**
 * `a ∖ b`; `Left` when a named port of `a` meets part of its protocol's numeric ports in `b`, or
 * a named port of `b` would have to be cut out of numeric ports (or another name) of `a`.
 */
export const difference = (a: PortSet, b: PortSet): E.Either<string, PortSet> => {
  if (isEmpty(a) || isEmpty(b)) return E.right(a)
  const x = a
  const y = b
  const wholeY = wholeProtocols(y)
  const partialY = iDifference(nonEmptyProtocols(y), wholeY)
  const listed = numeric(x, y, iDifference, (p, q) => p && !q)
  const rest = x.rest && !y.rest
  const leftOver = nonEmptyProtocols({ _tag: 'PortSet', listed, rest, named: [] })
  const names = namesOf(x, y)
  for (const name of names) {
    const bad = iIntersect(effective(y, name), leftOver)
    if (bad.length > 0)
      return E.left(
        `cannot subtract named port ${JSON.stringify(name)} from numeric ports of ${showProtocols(bad)}: the result depends on the port it resolves to`
      )
  }
  const onlyX = names.map((name) => ({ name, protocols: iDifference(effective(x, name), effective(y, name)) }))
  for (const n of onlyX) {
    const bad = iIntersect(n.protocols, partialY)
    if (bad.length > 0) return E.left(meetsPart('subtract', n.name, bad))
  }
  const clash = clashOf(
    onlyX,
    names.map((name) => ({ name, protocols: effective(y, name) }))
  )
  if (clash !== undefined) return E.left(namesMeet('subtract', clash))
  return E.right(
    make(
      listed,
      rest,
      onlyX.map((n) => ({ name: n.name, protocols: iDifference(n.protocols, wholeY) }))
    )
  )
}

/** Every (protocol, port) not in `a`; `Left` when `a` has named ports. */
export const complement = (a: PortSet): E.Either<string, PortSet> => {
  const x = a
  return x.named.length > 0
    ? E.left(`cannot complement a port set with named ports (${x.named.map(showNamed).join(', ')})`)
    : difference(all, x)
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

export const isEmpty = (s: PortSet): boolean => !s.rest && s.listed.length === 0 && s.named.length === 0

export const isAll = (s: PortSet): boolean => s.rest && s.listed.length === 0

/** Equality of canonical sets (everything this module returns). */
export const equals = (a: PortSet, b: PortSet): boolean => compare(a, b) === 0

/** A total order on canonical sets: `rest`, then `listed`, then `named`, lexicographically. */
export const compare = (a: PortSet, b: PortSet): number => {
  if (a.rest !== b.rest) return a.rest ? 1 : -1
  const c = lexicographic(a.listed, b.listed, (x, y) => x.protocol - y.protocol || iCompare(x.ports, y.ports))
  return c !== 0 ? c : lexicographic(a.named, b.named, compareNamed)
}

/**
 * Does the set contain (protocol, port) at a destination whose named ports are `dest`? (A port
 * outside the protocol's universe, such as TCP port 0, is matched only through a name.)
 */
export const matches = (s: PortSet, protocol: number, port: number, dest: ReadonlyArray<DestinationPort>): boolean =>
  iContains(rangesOf(s, protocol), port) ||
  s.named.some(
    (n) => (n.protocol === undefined || n.protocol === protocol) && dest.some((d) => d.name === n.name && d.protocol === protocol && d.port === port)
  )

/** The numeric ranges of one protocol (ignoring named ports). */
export const rangesOf = (s: PortSet, p: number): ReadonlyArray<readonly [number, number]> => {
  if (!isProtocol(p)) return []
  const entry = s.listed.find((e) => e.protocol === p)
  return entry !== undefined ? entry.ports : s.rest ? universe(p) : []
}

/** Is every port of protocol `p` in the set? */
export const isWholeProtocol = (s: PortSet, p: number): boolean => isProtocol(p) && iEquals(rangesOf(s, p), universe(p))

/**
 * Every port of each protocol on which `s` holds some port, numeric or named (a name without
 * protocol: every protocol). E.g. the protocols a rule's source ports admit flows of.
 */
export const wholeProtocolsOf = (s: PortSet): PortSet =>
  s.named.some((n) => n.protocol === undefined)
    ? all
    : make(
        [
          ...s.listed.map((e) => ({ protocol: e.protocol, ports: e.ports.length > 0 ? universe(e.protocol) : [] })),
          ...s.named.flatMap((n) => (n.protocol === undefined ? [] : [{ protocol: n.protocol, ports: universe(n.protocol) }]))
        ],
        s.rest,
        []
      )

/**
 * E.g. `TCP/80, TCP/8000-8080, UDP/*, ICMP/type 8, ICMP/type 3 code 1, named http`; with every
 * protocol not listed included: `no TCP, UDP/1-52, UDP/54-65535, any other protocol`; `any`; `∅`.
 */
export const show = (s: PortSet): string => {
  if (isAll(s)) return 'any'
  if (isEmpty(s)) return '∅'
  const items = s.listed.flatMap((e) => (e.ports.length === 0 ? [`no ${protocolName(e.protocol)}`] : showPorts(e)))
  return [...items, ...(s.rest ? ['any other protocol'] : []), ...s.named.map(showNamed)].join(', ')
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const iUnion = I.union(N)
const iIntersect = I.intersect(N)
const iDifference = I.difference(N)
const iEquals = I.equals(N)
const iCompare = I.compare(N)
const iContains = I.contains(N)
const iFrom = I.fromIntervals(N)

/** A name with the protocols it stands for. */
interface Names {
  readonly name: string
  readonly protocols: I.IntervalSet<number>
}

const protocolsOf = (p: number | undefined): I.IntervalSet<number> => (p === undefined ? allProtocols : [[p, p]])

/**
 * Builds the canonical set: `rest` is true exactly when more protocols are wholly included than
 * wholly excluded (so the same set never has two representations), `listed` holds the others.
 */
const make = (listed: ReadonlyArray<ProtocolPorts>, rest: boolean, named: ReadonlyArray<Names>): PortSet => {
  const byProtocol = new Map<number, I.IntervalSet<number>>()
  for (const e of listed) if (isProtocol(e.protocol)) byProtocol.set(e.protocol, iUnion(byProtocol.get(e.protocol) ?? [], iFrom(e.ports)))
  const entries: Array<ProtocolPorts> = []
  let whole = rest ? PROTOCOLS - byProtocol.size : 0
  let none = rest ? 0 : PROTOCOLS - byProtocol.size
  for (const [p, ports] of [...byProtocol].sort(([x], [y]) => x - y)) {
    const clipped = iIntersect(ports, universe(p))
    if (iEquals(clipped, universe(p))) whole++
    else if (clipped.length === 0) none++
    entries.push({ protocol: p, ports: clipped })
  }
  const canonicalRest = whole > none
  let canonical: ReadonlyArray<ProtocolPorts> = entries.filter((e) => !iEquals(e.ports, canonicalRest ? universe(e.protocol) : []))
  if (canonicalRest !== rest) {
    // the protocols not listed flip from wholly excluded to wholly included, or back
    const byNumber = new Map(canonical.map((e) => [e.protocol, e]))
    const flipped: Array<ProtocolPorts> = []
    for (let p = 0; p <= MAX_PROTOCOL; p++) {
      const e = byNumber.get(p)
      if (e !== undefined) flipped.push(e)
      else if (!byProtocol.has(p)) flipped.push({ protocol: p, ports: rest ? universe(p) : [] })
    }
    canonical = flipped
  }
  const notWhole = iDifference(allProtocols, wholeProtocols({ _tag: 'PortSet', listed: canonical, rest: canonicalRest, named: [] }))
  const byName = new Map<string, I.IntervalSet<number>>()
  for (const n of named) byName.set(n.name, iUnion(byName.get(n.name) ?? [], n.protocols))
  const out: Array<NamedPort> = []
  for (const [name, protocols] of [...byName].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const eff = iIntersect(protocols, notWhole)
    if (eff.length === 0) continue
    if (iEquals(eff, notWhole)) out.push({ name, protocol: undefined })
    else for (const [lo, hi] of eff) for (let p = lo; p <= hi; p++) out.push({ name, protocol: p })
  }
  return { _tag: 'PortSet', listed: canonical, rest: canonicalRest, named: out }
}

/** Combines canonical numeric parts protocol by protocol (`f` on ports, `g` on the `rest` flags). */
const numeric = (
  a: PortSet,
  b: PortSet,
  f: (x: I.IntervalSet<number>, y: I.IntervalSet<number>) => I.IntervalSet<number>,
  g: (x: boolean, y: boolean) => boolean
): ReadonlyArray<ProtocolPorts> => {
  const rest = g(a.rest, b.rest)
  const protocols = [...new Set([...a.listed, ...b.listed].map((e) => e.protocol))].sort((x, y) => x - y)
  const out: Array<ProtocolPorts> = []
  for (const p of protocols) {
    const ports = f(rangesOf(a, p), rangesOf(b, p))
    if (!iEquals(ports, rest ? universe(p) : [])) out.push({ protocol: p, ports })
  }
  return out
}

const protocolSet = (entries: ReadonlyArray<ProtocolPorts>): I.IntervalSet<number> => iFrom(entries.map((e) => [e.protocol, e.protocol]))

/** Protocols whose every port is in a canonical set. */
const wholeProtocols = (s: PortSet): I.IntervalSet<number> =>
  s.rest ? iDifference(allProtocols, protocolSet(s.listed)) : protocolSet(s.listed.filter((e) => iEquals(e.ports, universe(e.protocol))))

/** Protocols with at least one numeric port in a canonical set. */
const nonEmptyProtocols = (s: PortSet): I.IntervalSet<number> =>
  s.rest ? iDifference(allProtocols, protocolSet(s.listed.filter((e) => e.ports.length === 0))) : protocolSet(s.listed)

/** The protocols on which a name of a canonical set is not implied by whole protocols. */
const effective = (s: PortSet, name: string): I.IntervalSet<number> => {
  let out: I.IntervalSet<number> = []
  for (const n of s.named)
    if (n.name === name) out = iUnion(out, n.protocol === undefined ? iDifference(allProtocols, wholeProtocols(s)) : protocolsOf(n.protocol))
  return out
}

const namesOf = (a: PortSet, b: PortSet): ReadonlyArray<string> => [...new Set([...a.named, ...b.named].map((n) => n.name))]

interface Clash {
  readonly a: string
  readonly b: string
  readonly protocols: I.IntervalSet<number>
}

/** Two different names sharing a protocol, if any. */
const clashOf = (xs: ReadonlyArray<Names>, ys: ReadonlyArray<Names>): Clash | undefined => {
  for (const x of xs)
    for (const y of ys)
      if (x.name !== y.name) {
        const protocols = iIntersect(x.protocols, y.protocols)
        if (protocols.length > 0) return { a: x.name, b: y.name, protocols }
      }
  return undefined
}

const meetsPart = (verb: string, name: string, protocols: I.IntervalSet<number>): string =>
  `cannot ${verb} named port ${JSON.stringify(name)} and some of the numeric ports of ${showProtocols(protocols)}: the result depends on the port it resolves to`

const namesMeet = (verb: string, clash: Clash): string =>
  `cannot ${verb} named ports ${JSON.stringify(clash.a)} and ${JSON.stringify(clash.b)} on ${showProtocols(clash.protocols)}: they may resolve to the same port`

const showProtocols = (ps: I.IntervalSet<number>): string =>
  ps.map(([lo, hi]) => (lo === hi ? protocolName(lo) : lo === 0 && hi === MAX_PROTOCOL ? 'every protocol' : `protocols ${lo}-${hi}`)).join(', ')

const compareNamed = (x: NamedPort, y: NamedPort): number =>
  x.name < y.name ? -1 : x.name > y.name ? 1 : x.protocol === y.protocol ? 0 : x.protocol === undefined ? -1 : y.protocol === undefined ? 1 : x.protocol - y.protocol

const lexicographic = <A>(xs: ReadonlyArray<A>, ys: ReadonlyArray<A>, cmp: (x: A, y: A) => number): number => {
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    const x = xs[i]
    const y = ys[i]
    if (x === undefined || y === undefined) break
    const c = cmp(x, y)
    if (c !== 0) return c
  }
  return xs.length - ys.length
}

const showNamed = (n: NamedPort): string => (n.protocol === undefined ? `named ${n.name}` : `named ${n.name}/${protocolName(n.protocol)}`)

const showPorts = (e: ProtocolPorts): ReadonlyArray<string> => {
  const name = protocolName(e.protocol)
  if (iEquals(e.ports, universe(e.protocol))) return [`${name}/*`]
  const isIcmp = e.protocol === ICMP || e.protocol === ICMPV6
  return e.ports.flatMap(([lo, hi]) => (isIcmp ? showIcmp(lo, hi) : [lo === hi ? String(lo) : `${lo}-${hi}`]).map((x) => `${name}/${x}`))
}

/** ICMP `type*256+code` ranges as `type t`, `type t1-t2`, `type t code c` or `type t code c1-c2`. */
const showIcmp = (lo: number, hi: number): ReadonlyArray<string> => {
  const codes = (t: number, c1: number, c2: number): string =>
    c1 === 0 && c2 === 255 ? `type ${t}` : c1 === c2 ? `type ${t} code ${c1}` : `type ${t} code ${c1}-${c2}`
  let t1 = lo >> 8
  let t2 = hi >> 8
  const c1 = lo & 255
  const c2 = hi & 255
  if (t1 === t2) return [codes(t1, c1, c2)]
  const out: Array<string> = []
  if (c1 !== 0) out.push(codes(t1++, c1, 255))
  const tail = c2 !== 255 ? codes(t2--, 0, c2) : undefined
  if (t1 <= t2) out.push(t1 === t2 ? `type ${t1}` : `type ${t1}-${t2}`)
  if (tail !== undefined) out.push(tail)
  return out
}
