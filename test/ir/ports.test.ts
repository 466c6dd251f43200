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

// -------------------------------------------------------------------------------------
// canonical forms and the exact named-port algebra
// -------------------------------------------------------------------------------------

describe('ports: canonical forms and exact named-port algebra', () => {
  const right = <A>(r: E.Either<string, A>): A => {
    if (E.isLeft(r)) throw new Error(r.left)
    return r.right
  }

  const unionAll = (xs: ReadonlyArray<P.PortSet>): P.PortSet => xs.reduce(P.union, P.empty)

  const GRE = 47

  // -------------------------------------------------------------------------------------
  // examples
  // -------------------------------------------------------------------------------------

  describe('protocols', () => {
    it('protocolName', () => {
      expect([P.TCP, P.UDP, P.SCTP, P.ICMP, P.ICMPV6, GRE, P.UDPLITE].map(P.protocolName)).toEqual(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', '47', '136'])
    })

    it('parseProtocol', () => {
      expect(P.parseProtocol('TCP')).toEqual(E.right(6))
      expect(P.parseProtocol('udp')).toEqual(E.right(17))
      expect(P.parseProtocol('Sctp')).toEqual(E.right(132))
      expect(P.parseProtocol('ICMP')).toEqual(E.right(1))
      expect(P.parseProtocol('icmpv6')).toEqual(E.right(58))
      expect(P.parseProtocol('UDPLite')).toEqual(E.right(136))
      expect(P.parseProtocol('47')).toEqual(E.right(47))
      expect(P.parseProtocol('255')).toEqual(E.right(255))
      for (const bad of ['0', '256', '-1', '1.5', '', 'gre', 'constructor', '0x6'])
        expect(P.parseProtocol(bad)).toEqual(
          E.left(`invalid protocol ${JSON.stringify(bad)}: expected TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a number 1-255`)
        )
    })

    it('universes', () => {
      expect(P.universeOf(P.TCP)).toEqual([1, 65535])
      expect(P.universeOf(P.UDPLITE)).toEqual([1, 65535])
      expect(P.universeOf(P.ICMPV6)).toEqual([0, 65535])
      expect(P.universeOf(GRE)).toEqual([0, 0])
    })
  })

  describe('PortSet (examples)', () => {
    it('constructors clip and normalise', () => {
      expect(P.port(P.TCP, 80)).toEqual({ _tag: 'PortSet', listed: [{ protocol: 6, ports: [[80, 80]] }], rest: false, named: [] })
      expect(P.range(P.TCP, 0, 10)).toEqual(P.range(P.TCP, 1, 10))
      expect(P.range(P.TCP, 10, 1)).toEqual(P.empty)
      expect(P.range(P.TCP, 1, 65535)).toEqual(P.protocol(P.TCP))
      expect(P.range(GRE, 0, 100)).toEqual(P.protocol(GRE))
      expect(P.range(GRE, 1, 100)).toEqual(P.empty)
      expect(P.protocol(256)).toEqual(P.empty)
      expect(P.port(P.TCP, 0)).toEqual(P.empty)
      expect(P.icmp(P.ICMP, 8)).toEqual(P.range(P.ICMP, 2048, 2303))
      expect(P.icmp(P.ICMP, 8, 0)).toEqual(P.port(P.ICMP, 2048))
      expect(P.icmp(P.ICMPV6)).toEqual(P.protocol(P.ICMPV6))
      expect(P.icmp(P.ICMP, 256)).toEqual(P.empty)
      expect(P.named('http')).toEqual({ _tag: 'PortSet', listed: [], rest: false, named: [{ name: 'http', protocol: undefined }] })
      expect(P.union(P.port(P.TCP, 80), P.port(P.TCP, 81))).toEqual(P.range(P.TCP, 80, 81))
      expect(P.union(P.range(P.TCP, 1, 100), P.range(P.TCP, 101, 65535))).toEqual(P.protocol(P.TCP))
    })

    it('isEmpty, isAll, rangesOf, isWholeProtocol', () => {
      expect(P.isEmpty(P.empty)).toBe(true)
      expect(P.isEmpty(P.named('x'))).toBe(false)
      expect(P.isAll(P.all)).toBe(true)
      expect(P.isAll(right(P.complement(P.empty)))).toBe(true)
      const s = P.union(P.range(P.TCP, 8000, 8080), P.protocol(P.UDP))
      expect(P.rangesOf(s, P.TCP)).toEqual([[8000, 8080]])
      expect(P.rangesOf(s, P.UDP)).toEqual([[1, 65535]])
      expect(P.rangesOf(s, P.SCTP)).toEqual([])
      expect(P.isWholeProtocol(s, P.UDP)).toBe(true)
      expect(P.isWholeProtocol(s, P.TCP)).toBe(false)
      expect(P.rangesOf(P.all, GRE)).toEqual([[0, 0]])
      expect(P.isWholeProtocol(P.all, GRE)).toBe(true)
    })

    it('complement', () => {
      const notTcp80 = right(P.complement(P.port(P.TCP, 80)))
      expect(notTcp80).toEqual({
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
      expect(P.complement(P.all)).toEqual(E.right(P.empty))
      expect(P.complement(P.union(P.port(P.TCP, 80), P.named('http')))).toEqual(
        E.left('cannot complement a port set with named ports (named http)')
      )
    })

    it('intersect: named ports against numeric sets', () => {
      const http = P.named('http')
      expect(P.intersect(http, P.all)).toEqual(E.right(http))
      expect(P.intersect(http, P.protocol(P.TCP))).toEqual(E.right(P.named('http', P.TCP)))
      expect(P.intersect(P.named('http', P.TCP), P.protocol(P.TCP))).toEqual(E.right(P.named('http', P.TCP)))
      expect(P.intersect(P.named('http', P.TCP), P.protocol(P.UDP))).toEqual(E.right(P.empty))
      expect(P.intersect(http, http)).toEqual(E.right(http))
      expect(P.intersect(P.named('http', P.TCP), http)).toEqual(E.right(P.named('http', P.TCP)))
      expect(P.intersect(http, P.empty)).toEqual(E.right(P.empty))
      expect(P.intersect(P.named('http', P.TCP), P.named('dns', P.UDP))).toEqual(E.right(P.empty))
      expect(P.intersect(http, P.union(P.protocol(P.TCP), P.protocol(P.UDP)))).toEqual(E.right(P.union(P.named('http', P.TCP), P.named('http', P.UDP))))
    })

    it('intersect: Left where the result depends on what a name resolves to', () => {
      expect(P.intersect(P.named('http'), P.port(P.TCP, 80))).toEqual(
        E.left('cannot intersect named port "http" and some of the numeric ports of TCP: the result depends on the port it resolves to')
      )
      expect(P.intersect(P.named('http', P.TCP), P.named('web', P.TCP))).toEqual(
        E.left('cannot intersect named ports "http" and "web" on TCP: they may resolve to the same port')
      )
      // …but not where the name is on both sides
      expect(P.intersect(P.union(P.named('http'), P.port(P.TCP, 80)), P.union(P.named('http'), P.port(P.TCP, 443)))).toEqual(E.right(P.named('http')))
    })

    it('difference', () => {
      expect(P.difference(P.protocol(P.TCP), P.port(P.TCP, 80))).toEqual(E.right(P.union(P.range(P.TCP, 1, 79), P.range(P.TCP, 81, 65535))))
      expect(P.difference(P.union(P.named('http'), P.port(P.UDP, 53)), P.protocol(P.UDP))).toEqual(E.right(right(P.difference(P.named('http'), P.protocol(P.UDP)))))
      expect(P.difference(P.named('http', P.TCP), P.protocol(P.TCP))).toEqual(E.right(P.empty))
      expect(P.difference(P.named('http'), P.named('http'))).toEqual(E.right(P.empty))
      expect(P.difference(P.named('http', P.TCP), P.named('http'))).toEqual(E.right(P.empty))
      expect(P.difference(P.named('http', P.TCP), P.protocol(P.UDP))).toEqual(E.right(P.named('http', P.TCP)))
      expect(E.isLeft(P.difference(P.protocol(P.TCP), P.named('http')))).toBe(true)
      expect(E.isLeft(P.difference(P.named('http'), P.port(P.TCP, 80)))).toBe(true)
      expect(E.isLeft(P.difference(P.named('http', P.TCP), P.named('web')))).toBe(true)
      // removing a name from where there are no numeric ports of its protocol is fine
      expect(P.difference(P.port(P.UDP, 53), P.named('http', P.TCP))).toEqual(E.right(P.port(P.UDP, 53)))
    })

    it('named ports are dropped where their protocol is whole, and cover what is not', () => {
      expect(P.union(P.named('http', P.TCP), P.protocol(P.TCP))).toEqual(P.protocol(P.TCP))
      expect(P.union(P.named('http'), P.all)).toEqual(P.all)
      expect(P.union(P.named('http', P.TCP), P.named('http'))).toEqual(P.named('http'))
      expect(P.union(P.named('b'), P.union(P.named('a', P.UDP), P.named('a', P.TCP)))).toEqual({
        _tag: 'PortSet',
        listed: [],
        rest: false,
        named: [
          { name: 'a', protocol: 6 },
          { name: 'a', protocol: 17 },
          { name: 'b', protocol: undefined }
        ]
      })
      // everything but TCP/80, plus "http" on TCP, the only protocol not wholly included: "http" on any protocol
      const s = P.union(right(P.complement(P.port(P.TCP, 80))), P.named('http', P.TCP))
      expect(s).toEqual(P.union(right(P.complement(P.port(P.TCP, 80))), P.named('http')))
      expect(s.named).toEqual([{ name: 'http', protocol: undefined }])
    })

    it('normalize', () => {
      const messy: P.PortSet = {
        _tag: 'PortSet',
        listed: [
          { protocol: P.UDP, ports: [[1, 65535]] },
          { protocol: P.TCP, ports: [[90, 100]] },
          { protocol: P.TCP, ports: [[0, 80]] }
        ],
        rest: false,
        named: [
          { name: 'x', protocol: P.UDP },
          { name: 'x', protocol: undefined }
        ]
      }
      expect(P.normalize(messy)).toEqual(unionAll([P.range(P.TCP, 1, 80), P.range(P.TCP, 90, 100), P.protocol(P.UDP), P.named('x')]))
    })

    it('matches', () => {
      const dest = [
        { name: 'http', protocol: P.TCP, port: 8080 },
        { name: 'dns', protocol: P.UDP, port: 53 },
        { name: undefined, protocol: P.TCP, port: 22 }
      ]
      const s = unionAll([P.port(P.TCP, 80), P.named('http'), P.named('dns', P.TCP), P.protocol(GRE)])
      expect(P.matches(s, P.TCP, 80, dest)).toBe(true)
      expect(P.matches(s, P.TCP, 8080, dest)).toBe(true)
      expect(P.matches(s, P.TCP, 8080, [])).toBe(false)
      expect(P.matches(s, P.UDP, 8080, dest)).toBe(false)
      expect(P.matches(s, P.UDP, 53, dest)).toBe(false)
      expect(P.matches(s, P.TCP, 22, dest)).toBe(false)
      expect(P.matches(s, GRE, 0, [])).toBe(true)
      expect(P.matches(P.icmp(P.ICMP, 8), P.ICMP, 8 * 256 + 3, [])).toBe(true)
      expect(P.matches(P.icmp(P.ICMP, 8), P.ICMPV6, 8 * 256 + 3, [])).toBe(false)
      // outside the universe only names match
      expect(P.matches(P.all, P.TCP, 0, [])).toBe(false)
      expect(P.matches(P.named('http'), P.TCP, 0, [{ name: 'http', protocol: P.TCP, port: 0 }])).toBe(true)
    })

    it('show', () => {
      expect(P.show(P.all)).toBe('any')
      expect(P.show(P.empty)).toBe('∅')
      expect(P.show(unionAll([P.port(P.TCP, 80), P.range(P.TCP, 8000, 8080), P.protocol(P.UDP), P.named('http')]))).toBe(
        'TCP/80, TCP/8000-8080, UDP/*, named http'
      )
      expect(P.show(unionAll([P.icmp(P.ICMP, 8), P.icmp(P.ICMP, 0, 0), P.icmp(P.ICMPV6, 1, 2), P.range(P.ICMPV6, 3 * 256 + 5, 6 * 256 + 1), P.protocol(GRE)]))).toBe(
        'ICMP/type 0 code 0, ICMP/type 8, 47/*, ICMPv6/type 1 code 2, ICMPv6/type 3 code 5-255, ICMPv6/type 4-5, ICMPv6/type 6 code 0-1'
      )
      expect(P.show(P.named('dns', P.UDP))).toBe('named dns/UDP')
      expect(P.show(right(P.complement(P.union(P.port(P.TCP, 22), P.protocol(P.UDP)))))).toBe('TCP/1-21, TCP/23-65535, no UDP, any other protocol')
      expect(P.show(P.union(right(P.complement(P.protocol(P.TCP))), P.named('http')))).toBe('no TCP, any other protocol, named http')
    })

    it('one representation however many protocols are wholly included', () => {
      const protocols = (lo: number, hi: number): P.PortSet => unionAll(Array.from({ length: hi - lo + 1 }, (_, k) => P.protocol(lo + k)))
      const not = (s: P.PortSet): P.PortSet => right(P.complement(s))
      expect(protocols(0, 255)).toEqual(P.all)
      expect(protocols(0, 128)).toEqual(not(protocols(129, 255)))
      expect(protocols(0, 128).rest).toBe(true)
      expect(protocols(0, 128).listed).toHaveLength(127)
      expect(protocols(0, 127)).toEqual(not(protocols(128, 255)))
      expect(protocols(0, 127).rest).toBe(false)
      expect(right(P.difference(protocols(0, 128), P.protocol(0)))).toEqual(protocols(1, 128))
      expect(P.union(protocols(0, 254), P.named('x'))).toEqual(P.union(right(P.complement(P.protocol(255))), P.named('x', 255)))
    })

    it('compare is a total order consistent with equals', () => {
      const sets = [P.all, P.empty, P.port(P.TCP, 80), P.protocol(P.TCP), P.named('a'), P.named('a', P.TCP), right(P.complement(P.port(P.TCP, 80)))]
      for (const a of sets)
        for (const b of sets) {
          expect(P.compare(a, b) === 0).toBe(a === b)
          expect(P.equals(a, b)).toBe(a === b)
        }
      expect([...sets].sort(P.compare)[0]).toBe(P.empty)
    })
  })

  // -------------------------------------------------------------------------------------
  // laws
  // -------------------------------------------------------------------------------------

  const portPool = fc.oneof(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 65528, max: 65535 }))
  const icmpPool = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })).map(([t, c]) => t * 256 + c)

  const pieceArb: fc.Arbitrary<P.PortSet> = fc.oneof(
    fc.constantFrom(P.TCP, P.UDP, P.ICMP, GRE).map(P.protocol),
    fc.tuple(fc.constantFrom(P.TCP, P.UDP), portPool, portPool).map(([p, a, b]) => P.range(p, Math.min(a, b), Math.max(a, b))),
    fc.tuple(fc.constantFrom(P.TCP, P.UDP, P.SCTP), portPool).map(([p, n]) => P.port(p, n)),
    fc.tuple(fc.constantFrom<1 | 58>(P.ICMP, P.ICMPV6), fc.integer({ min: 0, max: 4 }), fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined })).map(([p, t, c]) => P.icmp(p, t, c))
  )

  /** Numeric sets: pieces combined with union, difference and complement. */
  const numericArb: fc.Arbitrary<P.PortSet> = fc
    .tuple(fc.boolean(), fc.array(fc.tuple(fc.constantFrom('union', 'difference', 'complement'), pieceArb), { maxLength: 5 }))
    .map(([fromAll, ops]) =>
      ops.reduce(
        (s, [op, x]) => (op === 'union' ? P.union(s, x) : op === 'difference' ? right(P.difference(s, x)) : P.union(right(P.complement(s)), x)),
        fromAll ? P.all : P.empty
      )
    )

  const nameArb = fc.constantFrom('http', 'dns', 'metrics')

  const namedArb: fc.Arbitrary<P.PortSet> = fc
    .array(fc.tuple(nameArb, fc.constantFrom(undefined, P.TCP, P.UDP, GRE)), { maxLength: 3 })
    .map((xs) => unionAll(xs.map(([n, p]) => P.named(n, p))))

  const setArb: fc.Arbitrary<P.PortSet> = fc.oneof(
    numericArb,
    namedArb,
    fc.tuple(numericArb, namedArb).map(([a, b]) => P.union(a, b))
  )

  interface Point {
    readonly protocol: number
    readonly port: number
  }

  const pointArb: fc.Arbitrary<Point> = fc.oneof(
    fc.tuple(fc.constantFrom(P.TCP, P.UDP, P.SCTP), fc.integer({ min: 1, max: 65535 })).map(([protocol, port]) => ({ protocol, port })),
    fc.tuple(fc.constantFrom(P.TCP, P.UDP, P.SCTP), portPool.filter((n) => n > 0)).map(([protocol, port]) => ({ protocol, port })),
    fc.tuple(fc.constantFrom(P.TCP, P.UDP, P.SCTP), portPool.filter((n) => n > 0)).map(([protocol, port]) => ({ protocol, port })),
    fc.tuple(fc.constantFrom(P.ICMP, P.ICMPV6), icmpPool).map(([protocol, port]) => ({ protocol, port })),
    fc.constantFrom(GRE, 0, 255).map((protocol) => ({ protocol, port: 0 }))
  )

  /** A destination's ports: a few numbers, each with one or two names (different names may share a port). */
  const destArb = fc
    .array(fc.tuple(pointArb.filter((p) => p.protocol !== 0 && p.protocol !== 255), fc.subarray(['http', 'dns', 'metrics', undefined], { minLength: 1, maxLength: 2 })), { maxLength: 3 })
    .map((xs) => xs.flatMap(([p, names]) => names.map((name) => ({ name, protocol: p.protocol, port: p.port }))))

  /** Destinations and points probed there, half of them at the destination's named ports. */
  const probesArb = fc.tuple(destArb, fc.array(pointArb, { minLength: 1, maxLength: 6 })).map(([dest, points]) => ({ dest, points: [...points, ...dest] }))

  const isCanonical = (s: P.PortSet): boolean => {
    const listedOk = s.listed.every((e, i) => {
      const prev = s.listed[i - 1]
      const [lo, hi] = P.universeOf(e.protocol)
      const inUniverse = e.ports.every(([a, b]) => a >= lo && b <= hi)
      const implied = s.rest ? e.ports.length === 1 && e.ports[0]?.[0] === lo && e.ports[0]?.[1] === hi : e.ports.length === 0
      return (prev === undefined || prev.protocol < e.protocol) && inUniverse && !implied
    })
    const namedOk = s.named.every((n, i) => {
      const prev = s.named[i - 1]
      const sorted = prev === undefined || prev.name < n.name || (prev.name === n.name && prev.protocol !== undefined && n.protocol !== undefined && prev.protocol < n.protocol)
      return sorted && (n.protocol === undefined || !P.isWholeProtocol(s, n.protocol))
    })
    let whole = 0
    let none = 0
    for (let p = 0; p <= 255; p++) {
      const [lo, hi] = P.universeOf(p)
      const r = P.rangesOf(s, p)
      if (r.length === 0) none++
      else if (r.length === 1 && r[0]?.[0] === lo && r[0]?.[1] === hi) whole++
    }
    return listedOk && namedOk && s.rest === whole > none
  }

  describe('PortSet (laws)', () => {
    it('every result is canonical', () => {
      fc.assert(
        fc.property(setArb, setArb, (a, b) => {
          expect(isCanonical(a)).toBe(true)
          expect(isCanonical(P.union(a, b))).toBe(true)
          const i = P.intersect(a, b)
          if (E.isRight(i)) expect(isCanonical(i.right)).toBe(true)
          const d = P.difference(a, b)
          if (E.isRight(d)) expect(isCanonical(d.right)).toBe(true)
        }),
        params(200)
      )
    })

    it('matches agrees with union, intersect, difference and complement', () => {
      fc.assert(
        fc.property(setArb, setArb, probesArb, (a, b, { dest, points }) => {
          const u = P.union(a, b)
          const i = P.intersect(a, b)
          const d = P.difference(a, b)
          const c = P.complement(a)
          for (const { protocol, port } of points) {
            const inA = P.matches(a, protocol, port, dest)
            const inB = P.matches(b, protocol, port, dest)
            expect(P.matches(u, protocol, port, dest)).toBe(inA || inB)
            if (E.isRight(i)) expect(P.matches(i.right, protocol, port, dest)).toBe(inA && inB)
            if (E.isRight(d)) expect(P.matches(d.right, protocol, port, dest)).toBe(inA && !inB)
            if (E.isRight(c)) expect(P.matches(c.right, protocol, port, dest)).toBe(!inA)
          }
        }),
        params(200)
      )
    })

    it('matches agrees with the operations, densely: two names, two protocols, four ports', () => {
      const tiny = fc.integer({ min: 1, max: 4 })
      const proto = fc.constantFrom(P.TCP, P.UDP)
      const numeric = fc
        .array(
          fc.oneof(
            fc.tuple(proto, tiny, tiny).map(([p, x, y]) => P.range(p, Math.min(x, y), Math.max(x, y))),
            proto.map(P.protocol),
            fc.constant(right(P.complement(P.range(P.TCP, 1, 2))))
          ),
          { maxLength: 2 }
        )
        .map(unionAll)
      const names = fc
        .array(fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom(undefined, P.TCP, P.UDP)), { maxLength: 2 })
        .map((xs) => unionAll(xs.map(([n, p]) => P.named(n, p))))
      const set = fc.tuple(numeric, names).map(([x, y]) => P.union(x, y))
      const dest = fc
        .tuple(fc.option(fc.tuple(proto, tiny), { nil: undefined }), fc.option(fc.tuple(proto, tiny), { nil: undefined }))
        .map(([a, b]) => [
          ...(a === undefined ? [] : [{ name: 'a', protocol: a[0], port: a[1] }]),
          ...(b === undefined ? [] : [{ name: 'b', protocol: b[0], port: b[1] }])
        ])
      const points: ReadonlyArray<Point> = [P.TCP, P.UDP].flatMap((protocol) => [1, 2, 3, 4, 5].map((port) => ({ protocol, port })))
      fc.assert(
        fc.property(set, set, dest, (a, b, d) => {
          const i = P.intersect(a, b)
          const r = P.difference(a, b)
          for (const { protocol, port } of points) {
            const inA = P.matches(a, protocol, port, d)
            const inB = P.matches(b, protocol, port, d)
            if (E.isRight(i)) expect(P.matches(i.right, protocol, port, d)).toBe(inA && inB)
            if (E.isRight(r)) expect(P.matches(r.right, protocol, port, d)).toBe(inA && !inB)
          }
        }),
        params(300)
      )
    })

    it('numeric sets: complement is an involution; De Morgan; difference is a ∩ ¬b; nothing fails', () => {
      fc.assert(
        fc.property(numericArb, numericArb, (a, b) => {
          const not = (s: P.PortSet): P.PortSet => right(P.complement(s))
          expect(not(not(a))).toStrictEqual(a)
          expect(not(P.union(a, b))).toStrictEqual(right(P.intersect(not(a), not(b))))
          expect(not(right(P.intersect(a, b)))).toStrictEqual(P.union(not(a), not(b)))
          expect(right(P.difference(a, b))).toStrictEqual(right(P.intersect(a, not(b))))
        }),
        params(200)
      )
    })

    it('union and intersection are commutative and associative', () => {
      fc.assert(
        fc.property(setArb, setArb, setArb, (a, b, c) => {
          expect(P.union(a, b)).toStrictEqual(P.union(b, a))
          expect(P.union(P.union(a, b), c)).toStrictEqual(P.union(a, P.union(b, c)))
          const ab = P.intersect(a, b)
          const ba = P.intersect(b, a)
          expect(E.isRight(ab)).toBe(E.isRight(ba))
          if (E.isRight(ab) && E.isRight(ba)) expect(ab.right).toStrictEqual(ba.right)
          const l = E.flatMap(ab, (x) => P.intersect(x, c))
          const r = E.flatMap(P.intersect(b, c), (x) => P.intersect(a, x))
          if (E.isRight(l) && E.isRight(r)) expect(l.right).toStrictEqual(r.right)
        }),
        params(150)
      )
    })

    it('normalisation: sets built differently but equal are deepEqual', () => {
      fc.assert(
        fc.property(setArb, setArb, (a, b) => {
          // a = (a ∩ b) ∪ (a ∖ b)
          const i = P.intersect(a, b)
          const d = P.difference(a, b)
          if (E.isRight(i) && E.isRight(d)) expect(P.union(i.right, d.right)).toStrictEqual(a)
          // a ∪ b = (a ∖ b) ∪ b
          if (E.isRight(d)) expect(P.union(d.right, b)).toStrictEqual(P.union(a, b))
          // a ∪ a = a, a ∩ a = a, a ∖ a = ∅
          expect(P.union(a, a)).toStrictEqual(a)
          expect(P.intersect(a, a)).toStrictEqual(E.right(a))
          expect(P.difference(a, a)).toStrictEqual(E.right(P.empty))
          expect(P.normalize(a)).toStrictEqual(a)
          // equality is structural
          expect(P.equals(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b))
          expect(Math.sign(P.compare(a, b)) + Math.sign(P.compare(b, a))).toBe(0)
        }),
        params(200)
      )
    })

    it('normalisation: a range is the union of its ports', () => {
      fc.assert(
        fc.property(fc.constantFrom(P.TCP, P.UDP, P.ICMP, GRE), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), (p, x, y) => {
          const [lo, hi] = [Math.min(x, y), Math.max(x, y)]
          const ports: Array<P.PortSet> = []
          for (let n = hi; n >= lo; n--) ports.push(P.port(p, n))
          expect(unionAll(ports)).toStrictEqual(P.range(p, lo, hi))
        }),
        params(100)
      )
    })
  })
})
