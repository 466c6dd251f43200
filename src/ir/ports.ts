/**
 * Port sets: sets of `(IP protocol, port)` pairs, plus named ports.
 *
 * Every protocol `0 .. 255` has a universe of "ports": `1 .. 65535` for TCP, UDP, SCTP and
 * UDP-Lite; `type * 256 + code` (`0 .. 65535`) for ICMP and ICMPv6; the single point `0` for every
 * other protocol. A set lists the protocols whose ports differ from what `rest` says about all the
 * others (`rest` is `true` exactly when more protocols are wholly included than wholly excluded,
 * so each set has one representation). Named ports are kept symbolically: they resolve on each destination endpoint.
 *
 * Every constructor and operation normalises, so equal sets are structurally equal.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as I from './interval.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A reference to a named container port; `protocol: undefined` means any protocol. */
export interface NamedPort {
  readonly name: string
  readonly protocol: number | undefined
}

/** The ports of one protocol, as a normalised interval set. */
export interface ProtocolPorts {
  readonly protocol: number
  readonly ports: ReadonlyArray<readonly [number, number]>
}

export interface PortSet {
  readonly _tag: 'PortSet'
  /** protocols whose set differs from what `rest` implies, ascending by protocol */
  readonly listed: ReadonlyArray<ProtocolPorts>
  /** true: every protocol not listed is wholly included (chosen when more protocols are wholly included than excluded) */
  readonly rest: boolean
  /** named ports (resolved per destination endpoint), sorted by (name, protocol), deduplicated */
  readonly named: ReadonlyArray<NamedPort>
}

/** A port of a destination endpoint, as `matches` probes it. */
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

/** `'TCP'`, `'UDP'`, `'SCTP'`, `'ICMP'`, `'ICMPv6'`, else the number. */
export const protocolName = (p: number): string => {
  switch (p) {
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
      return String(p)
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

/** Parses `TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPv6`, `UDPLite` (any case) or a number `1 .. 255`. */
export const parseProtocol = (text: string): E.Either<string, number> => {
  const lower = text.trim().toLowerCase()
  const byName = protocolNames.find(([n]) => n === lower)
  if (byName !== undefined) return E.right(byName[1])
  if (/^[0-9]{1,3}$/.test(lower)) {
    const n = Number(lower)
    if (n >= 1 && n <= 255) return E.right(n)
  }
  return E.left(`invalid protocol ${JSON.stringify(text)}: expected TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a number 1-255`)
}

const isProtocol = (p: number): boolean => Number.isInteger(p) && p >= 0 && p <= 255

/** The ports a protocol has. */
export const universeOf = (p: number): readonly [number, number] => {
  switch (p) {
    case TCP:
    case UDP:
    case SCTP:
    case UDPLITE:
      return [1, 65535]
    case ICMP:
    case ICMPV6:
      return [0, 65535]
    default:
      return [0, 0]
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const N = I.numberDomain
const iUnion = I.union(N)
const iIntersect = I.intersect(N)
const iDifference = I.difference(N)
const iCompare = I.compare(N)
const iEquals = I.equals(N)
const iContains = I.contains(N)

type Ranges = I.IntervalSet<number>

const universe = (p: number): Ranges => [universeOf(p)]

const make = (listed: ReadonlyArray<ProtocolPorts>, rest: boolean, named: ReadonlyArray<NamedPort>): PortSet =>
  normaliseNamed({ _tag: 'PortSet', listed, rest, named })

export const empty: PortSet = { _tag: 'PortSet', listed: [], rest: false, named: [] }

/** Every port of every protocol. */
export const all: PortSet = { _tag: 'PortSet', listed: [], rest: true, named: [] }

/** Every port of protocol `p` (empty when `p` is not a protocol number). */
export const protocol = (p: number): PortSet => (isProtocol(p) ? { _tag: 'PortSet', listed: [{ protocol: p, ports: universe(p) }], rest: false, named: [] } : empty)

/** Ports `lo .. hi` of protocol `p`, clipped to the protocol's universe. */
export const range = (p: number, lo: number, hi: number): PortSet => {
  if (!isProtocol(p) || !Number.isInteger(lo) || !Number.isInteger(hi)) return empty
  const ports = iIntersect([[lo, hi]], universe(p))
  return ports.length === 0 ? empty : { _tag: 'PortSet', listed: [{ protocol: p, ports }], rest: false, named: [] }
}

/** One port of protocol `p`. */
export const port = (p: number, n: number): PortSet => range(p, n, n)

/** ICMP or ICMPv6: every message, every code of one type, or one type and code. */
export const icmp = (p: 1 | 58, type?: number, code?: number): PortSet => {
  if (type === undefined) return protocol(p)
  if (!Number.isInteger(type) || type < 0 || type > 255) return empty
  if (code === undefined) return range(p, type * 256, type * 256 + 255)
  if (!Number.isInteger(code) || code < 0 || code > 255) return empty
  return port(p, type * 256 + code)
}

/** A named port, of one protocol or (`undefined`) any. */
export const named = (name: string, protocol?: number): PortSet =>
  protocol !== undefined && !isProtocol(protocol) ? empty : { _tag: 'PortSet', listed: [], rest: false, named: [{ name, protocol }] }

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** `a ∪ b`. */
export const union = (a: PortSet, b: PortSet): PortSet => {
  const numeric = combine(a, b, iUnion, a.rest || b.rest)
  return make(numeric.listed, numeric.rest, [...a.named, ...b.named])
}

/**
 * `a ∩ b`; a `Left` when named ports meet the other set in a way this representation cannot
 * express (e.g. a named port of any protocol and a port range, or two different names).
 */
export const intersect = (a: PortSet, b: PortSet): E.Either<string, PortSet> => {
  const numeric = combine(a, b, iIntersect, a.rest && b.rest)
  const out: Array<NamedPort> = []
  for (const r of a.named) {
    const x = namedMeetNumeric(r, b)
    if (E.isLeft(x)) return x
    out.push(...x.right)
    for (const q of b.named) {
      const y = namedMeetNamed(r, q)
      if (E.isLeft(y)) return y
      out.push(...y.right)
    }
  }
  for (const q of b.named) {
    const x = namedMeetNumeric(q, a)
    if (E.isLeft(x)) return x
    out.push(...x.right)
  }
  return E.right(make(numeric.listed, numeric.rest, out))
}

/** Every `(protocol, port)` not in `a`; a `Left` when `a` has named ports. */
export const complement = (a: PortSet): E.Either<string, PortSet> =>
  a.named.length > 0
    ? E.left(`cannot complement a port set with named ports (${a.named.map(showNamed).join(', ')})`)
    : E.right({ _tag: 'PortSet', ...normaliseRest(a.listed.map((x) => ({ protocol: x.protocol, ports: iDifference(universe(x.protocol), x.ports) })), !a.rest), named: [] })

/** `a ∖ b`; a `Left` when named ports on either side make the result inexpressible. */
export const difference = (a: PortSet, b: PortSet): E.Either<string, PortSet> => {
  const numeric = combine(a, b, iDifference, a.rest && !b.rest)
  // the numeric part of `a` minus `b`'s named ports
  for (const q of b.named)
    if (!disjointNumeric(q, a)) return E.left(`cannot subtract named port ${showNamed(q)} from ${show(numericPart(a))}`)
  const out: Array<NamedPort> = []
  for (const r of a.named) {
    if (coveredNumeric(r, b) || b.named.some((q) => namedSubset(r, q))) continue
    if (disjointNumeric(r, b) && b.named.every((q) => namedDisjoint(r, q))) out.push(r)
    else return E.left(`cannot subtract ${show(b)} from named port ${showNamed(r)}`)
  }
  return E.right(make(numeric.listed, numeric.rest, out))
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

export const isEmpty = (s: PortSet): boolean => !s.rest && s.listed.length === 0 && s.named.length === 0

export const isAll = (s: PortSet): boolean => s.rest && s.listed.length === 0

export const equals = (a: PortSet, b: PortSet): boolean => compare(a, b) === 0

/** A total order: `rest`, then the listed protocols, then the named ports. */
export const compare = (a: PortSet, b: PortSet): number => {
  if (a.rest !== b.rest) return a.rest ? 1 : -1
  const c = lexicographic(a.listed, b.listed, (x, y) => x.protocol - y.protocol || iCompare(x.ports, y.ports))
  return c !== 0 ? c : lexicographic(a.named, b.named, compareNamed)
}

/**
 * Does the set contain `(protocol, port)` at a destination whose named ports are `dest`? A named
 * port matches when `dest` has a port with that name (and protocol, if the reference has one)
 * whose protocol and number are the probed ones.
 */
export const matches = (s: PortSet, protocol: number, port: number, dest: ReadonlyArray<DestinationPort>): boolean =>
  iContains(rangesOf(s, protocol), port) ||
  s.named.some((r) => dest.some((d) => d.name === r.name && (r.protocol === undefined || r.protocol === d.protocol) && d.protocol === protocol && d.port === port))

/** The numeric ranges of one protocol (ignoring named ports). */
export const rangesOf = (s: PortSet, p: number): ReadonlyArray<readonly [number, number]> => {
  if (!isProtocol(p)) return []
  const x = s.listed.find((l) => l.protocol === p)
  return x !== undefined ? x.ports : s.rest ? universe(p) : []
}

/** Are all the ports of protocol `p` in the set? */
export const isWholeProtocol = (s: PortSet, p: number): boolean => isProtocol(p) && iEquals(rangesOf(s, p), universe(p))

/** E.g. `TCP/80, TCP/8000-8080, UDP/*, named http`; `any`; `∅`. */
export const show = (s: PortSet): string => {
  if (isAll(s)) return 'any'
  if (isEmpty(s)) return '∅'
  const items: Array<string> = []
  for (const l of s.listed) {
    const name = protocolName(l.protocol)
    if (iEquals(l.ports, universe(l.protocol))) items.push(`${name}/*`)
    else if (l.ports.length === 0) items.push(`no ${name}`)
    else for (const r of l.ports) items.push(`${name}/${showRange(l.protocol, r)}`)
  }
  if (s.rest) items.push(s.listed.length === 0 ? 'any' : 'any other protocol')
  for (const r of s.named) items.push(showNamed(r))
  return items.join(', ')
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const numericPart = (s: PortSet): PortSet => (s.named.length === 0 ? s : { ...s, named: [] })

/** Combines the numeric parts protocol by protocol (a linear merge of the listed protocols). */
const combine = (a: PortSet, b: PortSet, f: (x: Ranges, y: Ranges) => Ranges, rest: boolean): { readonly listed: ReadonlyArray<ProtocolPorts>; readonly rest: boolean } => {
  const listed: Array<ProtocolPorts> = []
  const emit = (p: number, x: Ranges, y: Ranges): void => {
    const u = universe(p)
    const ports = I.intersect(N)(f(x, y), u)
    if (!iEquals(ports, rest ? u : [])) listed.push({ protocol: p, ports })
  }
  let i = 0
  let j = 0
  for (;;) {
    const x = a.listed[i]
    const y = b.listed[j]
    if (x === undefined && y === undefined) break
    if (x !== undefined && (y === undefined || x.protocol < y.protocol)) {
      emit(x.protocol, x.ports, b.rest ? universe(x.protocol) : [])
      i++
    } else if (y !== undefined && (x === undefined || y.protocol < x.protocol)) {
      emit(y.protocol, a.rest ? universe(y.protocol) : [], y.ports)
      j++
    } else if (x !== undefined && y !== undefined) {
      emit(x.protocol, x.ports, y.ports)
      i++
      j++
    }
  }
  return normaliseRest(listed, rest)
}

const PROTOCOLS = 256

/**
 * Chooses `rest` from the set itself, so that equal sets are written alike: `true` exactly when
 * more protocols are wholly included than wholly excluded.
 */
const normaliseRest = (listed: ReadonlyArray<ProtocolPorts>, rest: boolean): { readonly listed: ReadonlyArray<ProtocolPorts>; readonly rest: boolean } => {
  const whole = rest ? PROTOCOLS - listed.length : listed.filter((l) => iEquals(l.ports, universe(l.protocol))).length
  const none = rest ? listed.filter((l) => l.ports.length === 0).length : PROTOCOLS - listed.length
  const want = whole > none
  if (want === rest) return { listed, rest }
  const out: Array<ProtocolPorts> = []
  let k = 0
  for (let p = 0; p < PROTOCOLS; p++) {
    const l = listed[k]
    let ports: Ranges
    if (l !== undefined && l.protocol === p) {
      ports = l.ports
      k++
    } else ports = rest ? universe(p) : []
    if (!iEquals(ports, want ? universe(p) : [])) out.push({ protocol: p, ports })
  }
  return { listed: out, rest: want }
}

const compareNamed = (x: NamedPort, y: NamedPort): number =>
  x.name < y.name ? -1 : x.name > y.name ? 1 : x.protocol === y.protocol ? 0 : x.protocol === undefined ? -1 : y.protocol === undefined ? 1 : x.protocol - y.protocol

const lexicographic = <A>(xs: ReadonlyArray<A>, ys: ReadonlyArray<A>, cmp: (x: A, y: A) => number): number => {
  const n = Math.min(xs.length, ys.length)
  for (let k = 0; k < n; k++) {
    const x = xs[k]
    const y = ys[k]
    if (x === undefined || y === undefined) break
    const c = cmp(x, y)
    if (c !== 0) return c
  }
  return xs.length - ys.length
}

/** Does every port `r` can resolve to lie in the numeric part of `s`? */
const coveredNumeric = (r: NamedPort, s: PortSet): boolean => (r.protocol === undefined ? isAll(numericPart(s)) : isWholeProtocol(s, r.protocol))

/** Can no port `r` resolves to lie in the numeric part of `s`? */
const disjointNumeric = (r: NamedPort, s: PortSet): boolean =>
  r.protocol === undefined ? !s.rest && s.listed.length === 0 : rangesOf(s, r.protocol).length === 0

/** Does `r` resolve only where `q` resolves alike? */
const namedSubset = (r: NamedPort, q: NamedPort): boolean => r.name === q.name && (q.protocol === undefined || q.protocol === r.protocol)

/** Can `r` and `q` never resolve to the same port? (Different names may share a port.) */
const namedDisjoint = (r: NamedPort, q: NamedPort): boolean => r.protocol !== undefined && q.protocol !== undefined && r.protocol !== q.protocol

/** `r ∩ numeric part of s`. */
const namedMeetNumeric = (r: NamedPort, s: PortSet): E.Either<string, ReadonlyArray<NamedPort>> => {
  if (coveredNumeric(r, s)) return E.right([r])
  if (disjointNumeric(r, s)) return E.right([])
  // a named port of any protocol meets a union of whole protocols
  if (r.protocol === undefined && !s.rest && s.listed.every((l) => iEquals(l.ports, universe(l.protocol))))
    return E.right(s.listed.map((l) => ({ name: r.name, protocol: l.protocol })))
  return E.left(`cannot intersect named port ${showNamed(r)} with ${show(numericPart(s))}`)
}

/** `r ∩ q`. */
const namedMeetNamed = (r: NamedPort, q: NamedPort): E.Either<string, ReadonlyArray<NamedPort>> => {
  if (namedSubset(r, q)) return E.right([r])
  if (namedSubset(q, r)) return E.right([q])
  if (namedDisjoint(r, q)) return E.right([])
  return E.left(`cannot intersect named ports ${showNamed(r)} and ${showNamed(q)}`)
}

/** Sorts and deduplicates the named ports, dropping those another named port or the numeric part covers. */
const normaliseNamed = (s: PortSet): PortSet => {
  if (s.named.length === 0) return s
  const sorted = [...s.named].sort(compareNamed)
  const named = sorted.filter(
    (r, k) => (k === 0 || compareNamed(sorted[k - 1] ?? r, r) !== 0) && !coveredNumeric(r, s) && !(r.protocol !== undefined && sorted.some((q) => q.protocol === undefined && q.name === r.name))
  )
  return { ...s, named }
}

const showNamed = (r: NamedPort): string => (r.protocol === undefined ? `named ${r.name}` : `named ${r.name}/${protocolName(r.protocol)}`)

const showRange = (p: number, [lo, hi]: readonly [number, number]): string => {
  if (p === ICMP || p === ICMPV6) {
    const [t1, c1, t2, c2] = [lo >> 8, lo & 255, hi >> 8, hi & 255]
    if (c1 === 0 && c2 === 255) return t1 === t2 ? `type ${t1}` : `type ${t1}-${t2}`
    if (t1 === t2) return c1 === c2 ? `type ${t1} code ${c1}` : `type ${t1} code ${c1}-${c2}`
  }
  return lo === hi ? String(lo) : `${lo}-${hi}`
}
