import { describe, it, expect } from 'vitest'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as P from '../../src/ir/ports.js'
import { params } from '../property.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const get = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const unions = (...xs: ReadonlyArray<P.PortSet>): P.PortSet => xs.reduce(P.union, P.empty)

const not = (s: P.PortSet): P.PortSet => get(P.complement(s))

const GRE = 47

const params_ = params(200)

// -------------------------------------------------------------------------------------
// arbitraries: numeric port sets over a few protocols, biased to overlap
// -------------------------------------------------------------------------------------

const proto = fc.constantFrom(P.TCP, P.UDP, P.SCTP, P.ICMP, GRE)

const portNumber = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 65528, max: 65535 }), fc.integer({ min: 0, max: 65535 }))

const atom: fc.Arbitrary<P.PortSet> = fc.oneof(
  proto.map(P.protocol),
  fc.tuple(proto, portNumber).map(([p, n]) => P.port(p, n)),
  fc.tuple(proto, portNumber, fc.integer({ min: 0, max: 10 })).map(([p, lo, w]) => P.range(p, lo, lo + w)),
  fc.tuple(proto, portNumber, portNumber).map(([p, a, b]) => P.range(p, Math.min(a, b), Math.max(a, b))),
  fc.constantFrom(P.all, P.empty, P.icmp(P.ICMP, 8), P.icmp(P.ICMP, 0, 0))
)

type Op = 'union' | 'difference' | 'complement'

const portSet: fc.Arbitrary<P.PortSet> = fc
  .array(fc.tuple(fc.constantFrom<Op>('union', 'union', 'difference', 'complement'), atom), { maxLength: 5 })
  .map((steps) =>
    steps.reduce(
      (acc, [op, x]) => (op === 'union' ? P.union(acc, x) : op === 'difference' ? get(P.difference(acc, x)) : P.union(not(acc), x)),
      P.empty
    )
  )

/** Probe points within each protocol's universe, around the sets' boundaries. */
const probes = (...sets: ReadonlyArray<P.PortSet>): ReadonlyArray<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = [
    [P.TCP, 1],
    [P.TCP, 65535],
    [P.UDP, 53],
    [P.ICMP, 0],
    [P.ICMP, 2048],
    [GRE, 0],
    [99, 0],
    [P.ICMPV6, 65535]
  ]
  for (const s of sets)
    for (const l of s.listed)
      for (const [lo, hi] of l.ports)
        for (const n of [lo - 1, lo, hi, hi + 1]) {
          const [min, max] = P.universeOf(l.protocol)
          if (n >= min && n <= max) out.push([l.protocol, n])
        }
  return out
}

const member = (s: P.PortSet, [p, n]: readonly [number, number]): boolean => P.matches(s, p, n, [])

// -------------------------------------------------------------------------------------
// examples
// -------------------------------------------------------------------------------------

describe('ports: protocols', () => {
  it('names', () => {
    expect([P.TCP, P.UDP, P.SCTP, P.ICMP, P.ICMPV6, 47].map(P.protocolName)).toEqual(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', '47'])
  })

  it('parses', () => {
    expect(P.parseProtocol('tcp')).toEqual(E.right(6))
    expect(P.parseProtocol('UDP')).toEqual(E.right(17))
    expect(P.parseProtocol('Sctp')).toEqual(E.right(132))
    expect(P.parseProtocol('ICMP')).toEqual(E.right(1))
    expect(P.parseProtocol('icmpv6')).toEqual(E.right(58))
    expect(P.parseProtocol('UDPLite')).toEqual(E.right(136))
    expect(P.parseProtocol('47')).toEqual(E.right(47))
    expect(P.parseProtocol('255')).toEqual(E.right(255))
    for (const bad of ['0', '256', '-1', '', 'http', '6.5', '1e2']) expect(E.isLeft(P.parseProtocol(bad))).toBe(true)
    expect(P.parseProtocol('foo')).toEqual(E.left('invalid protocol "foo": expected TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a number 1-255'))
  })
})

describe('ports: sets', () => {
  it('constructors', () => {
    expect(P.protocol(P.TCP)).toEqual({ _tag: 'PortSet', listed: [{ protocol: 6, ports: [[1, 65535]] }], rest: false, named: [] })
    expect(P.port(P.TCP, 80)).toEqual({ _tag: 'PortSet', listed: [{ protocol: 6, ports: [[80, 80]] }], rest: false, named: [] })
    expect(P.range(P.UDP, 0, 10)).toEqual(P.range(P.UDP, 1, 10))
    expect(P.port(P.TCP, 0)).toEqual(P.empty)
    expect(P.range(P.TCP, 10, 5)).toEqual(P.empty)
    expect(P.protocol(GRE)).toEqual(P.port(GRE, 0))
    expect(P.icmp(P.ICMP, 8)).toEqual(P.range(P.ICMP, 2048, 2303))
    expect(P.icmp(P.ICMP, 8, 0)).toEqual(P.port(P.ICMP, 2048))
    expect(P.icmp(P.ICMPV6)).toEqual(P.protocol(P.ICMPV6))
    expect(P.named('http')).toEqual({ _tag: 'PortSet', listed: [], rest: false, named: [{ name: 'http', protocol: undefined }] })
    expect(P.range(P.TCP, 1, 65535)).toEqual(P.protocol(P.TCP))
  })

  it('union normalises', () => {
    expect(P.union(P.range(P.TCP, 1, 80), P.range(P.TCP, 81, 65535))).toEqual(P.protocol(P.TCP))
    expect(P.union(P.named('b', P.UDP), P.named('a'))).toEqual({
      _tag: 'PortSet',
      listed: [],
      rest: false,
      named: [
        { name: 'a', protocol: undefined },
        { name: 'b', protocol: 17 }
      ]
    })
    expect(P.union(P.named('a'), P.named('a'))).toEqual(P.named('a'))
    expect(P.union(P.named('a', P.TCP), P.named('a'))).toEqual(P.named('a'))
    expect(P.union(P.named('a', P.TCP), P.protocol(P.TCP))).toEqual(P.protocol(P.TCP))
    expect(P.union(P.named('a'), P.all)).toEqual(P.all)
    expect(P.union(not(P.port(P.TCP, 80)), P.port(P.TCP, 80))).toEqual(P.all)
  })

  it('one representation per set, however many protocols it includes', () => {
    const range = (lo: number, hi: number): ReadonlyArray<P.PortSet> => Array.from({ length: hi - lo + 1 }, (_, k) => P.protocol(lo + k))
    const low = unions(...range(0, 128))
    const high = unions(...range(129, 255))
    expect(low.rest).toBe(true)
    expect(low).toEqual(not(high))
    expect(not(low)).toEqual(high)
    expect(unions(...range(0, 127))).toEqual(not(unions(...range(128, 255))))
    expect(P.union(low, high)).toEqual(P.all)
    expect(get(P.intersect(low, high))).toEqual(P.empty)
    expect(get(P.difference(low, P.protocol(0)))).toEqual(unions(...range(1, 128)))
  })

  it('complement', () => {
    expect(not(P.empty)).toEqual(P.all)
    expect(not(P.all)).toEqual(P.empty)
    expect(not(P.protocol(P.TCP))).toEqual({ _tag: 'PortSet', listed: [{ protocol: 6, ports: [] }], rest: true, named: [] })
    expect(not(P.port(P.TCP, 80))).toEqual({
      _tag: 'PortSet',
      listed: [
        {
          protocol: 6,
          ports: [
            [1, 79],
            [81, 65535]
          ]
        }
      ],
      rest: true,
      named: []
    })
    expect(E.isLeft(P.complement(P.named('http')))).toBe(true)
  })

  it('intersect with named ports', () => {
    expect(P.intersect(P.named('http'), P.all)).toEqual(E.right(P.named('http')))
    expect(P.intersect(P.named('http'), P.protocol(P.TCP))).toEqual(E.right(P.named('http', P.TCP)))
    expect(P.intersect(P.named('http', P.TCP), P.protocol(P.TCP))).toEqual(E.right(P.named('http', P.TCP)))
    expect(P.intersect(P.named('http', P.TCP), P.protocol(P.UDP))).toEqual(E.right(P.empty))
    expect(P.intersect(P.named('http'), P.named('http'))).toEqual(E.right(P.named('http')))
    expect(P.intersect(P.named('http'), P.named('http', P.UDP))).toEqual(E.right(P.named('http', P.UDP)))
    expect(P.intersect(P.named('http'), P.empty)).toEqual(E.right(P.empty))
    expect(P.intersect(P.empty, P.named('http'))).toEqual(E.right(P.empty))
    expect(P.intersect(P.named('http'), unions(P.protocol(P.TCP), P.protocol(P.UDP)))).toEqual(E.right(unions(P.named('http', P.TCP), P.named('http', P.UDP))))
    expect(P.intersect(unions(P.named('a'), P.port(P.TCP, 80)), P.protocol(P.TCP))).toEqual(E.right(unions(P.named('a', P.TCP), P.port(P.TCP, 80))))
    expect(E.isLeft(P.intersect(P.named('http'), P.port(P.TCP, 80)))).toBe(true)
    expect(E.isLeft(P.intersect(P.named('http', P.TCP), P.port(P.TCP, 80)))).toBe(true)
    expect(E.isLeft(P.intersect(P.named('a'), P.named('b')))).toBe(true)
    expect(P.intersect(P.named('a', P.TCP), P.named('b', P.UDP))).toEqual(E.right(P.empty))
  })

  it('difference', () => {
    expect(P.difference(P.protocol(P.TCP), P.port(P.TCP, 80))).toEqual(E.right(unions(P.range(P.TCP, 1, 79), P.range(P.TCP, 81, 65535))))
    expect(P.difference(P.all, P.all)).toEqual(E.right(P.empty))
    expect(P.difference(unions(P.named('a', P.TCP), P.port(P.UDP, 53)), P.protocol(P.UDP))).toEqual(E.right(P.named('a', P.TCP)))
    expect(P.difference(unions(P.named('a', P.TCP), P.port(P.UDP, 53)), P.protocol(P.TCP))).toEqual(E.right(P.port(P.UDP, 53)))
    expect(P.difference(P.named('a'), P.named('a'))).toEqual(E.right(P.empty))
    expect(P.difference(P.port(P.UDP, 53), P.named('a', P.TCP))).toEqual(E.right(P.port(P.UDP, 53)))
    expect(E.isLeft(P.difference(P.named('a'), P.port(P.TCP, 80)))).toBe(true)
    expect(E.isLeft(P.difference(P.port(P.TCP, 80), P.named('a')))).toBe(true)
  })

  it('predicates', () => {
    expect(P.isEmpty(P.empty)).toBe(true)
    expect(P.isEmpty(P.named('a'))).toBe(false)
    expect(P.isAll(P.all)).toBe(true)
    expect(P.isAll(unions(...Array.from({ length: 256 }, (_, p) => P.protocol(p))))).toBe(true)
    expect(P.equals(P.port(P.TCP, 80), P.range(P.TCP, 80, 80))).toBe(true)
    expect(P.compare(P.empty, P.all)).toBeLessThan(0)
    expect(P.isWholeProtocol(P.all, P.UDP)).toBe(true)
    expect(P.isWholeProtocol(P.port(P.UDP, 5), P.UDP)).toBe(false)
    expect(P.rangesOf(unions(P.port(P.TCP, 80), P.named('x')), P.TCP)).toEqual([[80, 80]])
    expect(P.rangesOf(P.all, GRE)).toEqual([[0, 0]])
    expect(P.rangesOf(not(P.port(P.TCP, 80)), P.UDP)).toEqual([[1, 65535]])
  })

  it('matches resolves named ports on the destination', () => {
    const dest = [
      { name: 'http', protocol: P.TCP, port: 8080 },
      { name: 'dns', protocol: P.UDP, port: 53 },
      { name: undefined, protocol: P.TCP, port: 22 }
    ]
    expect(P.matches(P.named('http'), P.TCP, 8080, dest)).toBe(true)
    expect(P.matches(P.named('http'), P.TCP, 80, dest)).toBe(false)
    expect(P.matches(P.named('http'), P.UDP, 8080, dest)).toBe(false)
    expect(P.matches(P.named('http', P.UDP), P.TCP, 8080, dest)).toBe(false)
    expect(P.matches(P.named('dns', P.UDP), P.UDP, 53, dest)).toBe(true)
    expect(P.matches(P.named('http'), P.TCP, 8080, [])).toBe(false)
    expect(P.matches(P.port(P.TCP, 22), P.TCP, 22, [])).toBe(true)
    expect(P.matches(P.all, P.ICMP, 0, [])).toBe(true)
    expect(P.matches(P.all, P.TCP, 0, [])).toBe(false)
  })

  it('show', () => {
    expect(P.show(unions(P.port(P.TCP, 80), P.range(P.TCP, 8000, 8080), P.protocol(P.UDP), P.named('http')))).toBe('TCP/80, TCP/8000-8080, UDP/*, named http')
    expect(P.show(P.all)).toBe('any')
    expect(P.show(P.empty)).toBe('∅')
    expect(P.show(P.named('dns', P.UDP))).toBe('named dns/UDP')
    expect(P.show(P.icmp(P.ICMP, 8))).toBe('ICMP/type 8')
    expect(P.show(P.icmp(P.ICMP, 3, 1))).toBe('ICMP/type 3 code 1')
    expect(P.show(not(P.protocol(P.TCP)))).toBe('no TCP, any other protocol')
  })
})

// -------------------------------------------------------------------------------------
// laws
// -------------------------------------------------------------------------------------

describe('ports: laws', () => {
  it('double complement, De Morgan, difference = a ∩ ¬b', () => {
    fc.assert(
      fc.property(portSet, portSet, (a, b) => {
        expect(not(not(a))).toEqual(a)
        expect(not(P.union(a, b))).toEqual(get(P.intersect(not(a), not(b))))
        expect(not(get(P.intersect(a, b)))).toEqual(P.union(not(a), not(b)))
        expect(get(P.difference(a, b))).toEqual(get(P.intersect(a, not(b))))
      }),
      params_
    )
  })

  it('union and intersection are commutative and associative', () => {
    fc.assert(
      fc.property(portSet, portSet, portSet, (a, b, c) => {
        expect(P.union(a, b)).toEqual(P.union(b, a))
        expect(get(P.intersect(a, b))).toEqual(get(P.intersect(b, a)))
        expect(P.union(P.union(a, b), c)).toEqual(P.union(a, P.union(b, c)))
        expect(get(P.intersect(get(P.intersect(a, b)), c))).toEqual(get(P.intersect(a, get(P.intersect(b, c)))))
      }),
      params_
    )
  })

  it('matches agrees with the set operations', () => {
    fc.assert(
      fc.property(portSet, portSet, (a, b) => {
        const u = P.union(a, b)
        const n = get(P.intersect(a, b))
        const d = get(P.difference(a, b))
        const c = not(a)
        for (const x of probes(a, b)) {
          expect(member(u, x)).toBe(member(a, x) || member(b, x))
          expect(member(n, x)).toBe(member(a, x) && member(b, x))
          expect(member(d, x)).toBe(member(a, x) && !member(b, x))
          expect(member(c, x)).toBe(!member(a, x))
        }
      }),
      params_
    )
  })

  it('normalisation: equal sets are structurally equal', () => {
    fc.assert(
      fc.property(portSet, portSet, (a, b) => {
        expect(P.union(get(P.difference(a, b)), get(P.intersect(a, b)))).toEqual(a)
        expect(P.union(get(P.difference(a, b)), b)).toEqual(P.union(a, b))
        expect(P.equals(a, b)).toBe(P.compare(a, b) === 0)
        expect(Math.sign(P.compare(a, b)) + Math.sign(P.compare(b, a))).toBe(0)
        // a listed protocol differs from what `rest` implies
        for (const l of a.listed) expect(a.rest ? !P.isWholeProtocol(a, l.protocol) : l.ports.length > 0).toBe(true)
        expect(a.listed.map((l) => l.protocol)).toEqual([...new Set(a.listed.map((l) => l.protocol))].sort((x, y) => x - y))
        // rebuilding from rangesOf gives the same structure
        if (!a.rest) expect(unions(...a.listed.flatMap((l) => P.rangesOf(a, l.protocol).map(([lo, hi]) => P.range(l.protocol, lo, hi))))).toEqual(a)
      }),
      params_
    )
  })

  it('with named ports: matches agrees with union and with intersect when it succeeds', () => {
    const name = fc.constantFrom('http', 'dns', 'metrics')
    const withNamed = fc
      .tuple(portSet, fc.array(fc.tuple(name, fc.option(fc.constantFrom(P.TCP, P.UDP), { nil: undefined })), { maxLength: 2 }))
      .map(([s, ns]) => ns.reduce((acc, [n, p]) => P.union(acc, P.named(n, p)), s))
    const dest = fc.array(
      fc.record({ name: fc.option(name, { nil: undefined }), protocol: fc.constantFrom(P.TCP, P.UDP), port: fc.constantFrom(1, 53, 80, 8080, 65535) }),
      { maxLength: 3 }
    )
    fc.assert(
      fc.property(withNamed, withNamed, dest, (a, b, d) => {
        const u = P.union(a, b)
        const n = P.intersect(a, b)
        const diff = P.difference(a, b)
        const points = [...probes(a, b), ...d.map((x) => [x.protocol, x.port] as const)]
        for (const [p, x] of points) {
          const inA = P.matches(a, p, x, d)
          const inB = P.matches(b, p, x, d)
          expect(P.matches(u, p, x, d)).toBe(inA || inB)
          if (E.isRight(n)) expect(P.matches(n.right, p, x, d)).toBe(inA && inB)
          if (E.isRight(diff)) expect(P.matches(diff.right, p, x, d)).toBe(inA && !inB)
        }
        expect(P.union(a, a)).toEqual(a)
        expect(P.intersect(a, P.all)).toEqual(E.right(a))
        expect(P.intersect(a, P.empty)).toEqual(E.right(P.empty))
      }),
      params_
    )
  })
})
