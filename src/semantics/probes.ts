/**
 * Probes: the flows a truth table asks about, and the partition of the flow space the policies
 * induce beyond the destination port.
 *
 * A probe is (protocol, destination port) and, when the policies restrict source ports on that
 * protocol, a source port. ICMP and ICMPv6 probes carry `type * 256 + code` as their port, as port
 * sets do (`src/ir/ports.ts`).
 *
 * - Source ports (Calico `source.ports` / `source.notPorts`, the IR's `Rule.sourcePorts`): on TCP,
 *   UDP and SCTP, every rule's source-port set splits the source-port space into stretches that
 *   every rule treats alike; one source port per stretch (its lowest) stands for all of them
 *   (`sourcePortPoints`), and a probe without a source port is expanded into one probe per stretch
 *   (`expandSourcePorts`). Named source ports add the ports they resolve to on the inventory's pods.
 *   A flow whose source port is not given (`undefined`) matches a rule's source ports only when
 *   they hold the whole protocol (`sourcePortMatches`): the probe then says nothing a rule could
 *   tell apart, since expansion gives a source port wherever some rule does tell.
 * - ICMP (`icmpProbes`): a protocol is probed when some rule's port set singles it out (the IR
 *   lists it apart from the other protocols); one (type, code) per stretch of the `type*256+code`
 *   space that the rules treat alike.
 */
import type { Inventory } from '../cluster/inventory.js'
import type { Direction, PolicySet, Rule } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import type { DestinationPort, PortSet } from '../ir/ports.js'
import * as B from './bitset.js'
import type { Endpoint } from './endpoint.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Probe {
  readonly protocol: number
  /** The destination port; for ICMP and ICMPv6 `type * 256 + code`. */
  readonly port: number
  /** The source port, when the policies tell source ports apart on this protocol. */
  readonly sourcePort?: number | undefined
}

/** Protocols on which source ports are probed (those with ports; Calico allows source ports on these only). */
export const sourcePortProtocols: ReadonlyArray<number> = [P.TCP, P.UDP, P.SCTP]

/** The ICMP protocols whose types and codes are probed. */
export const icmpProtocols: ReadonlyArray<number> = [P.ICMP, P.ICMPV6]

// -------------------------------------------------------------------------------------
// matching
// -------------------------------------------------------------------------------------

/**
 * Whether a rule's source ports admit a flow's (protocol, source port), named source ports
 * resolving on `source` (the source endpoint's ports). Undefined source ports: any; an unknown
 * source port: only a set that holds the whole protocol (module comment).
 */
export const sourcePortMatches = (
  sourcePorts: PortSet | undefined,
  protocol: number,
  sourcePort: number | undefined,
  source: ReadonlyArray<DestinationPort>
): boolean =>
  sourcePorts === undefined || (sourcePort === undefined ? P.isWholeProtocol(sourcePorts, protocol) : P.matches(sourcePorts, protocol, sourcePort, source))

/**
 * The peers a rule's source ports `sp` admit on a flow, for subject `subject` in direction `d`: `true`
 * every peer, `false` none, or the peers (by class) when named source ports resolve on each peer
 * (ingress: the peer is the source). `portsOf` gives the ports a model resolves names on.
 */
export const sourcePeers = (
  sp: PortSet | undefined,
  d: Direction,
  protocol: number,
  sourcePort: number | undefined,
  subject: Endpoint | undefined,
  peers: ReadonlyArray<Endpoint>,
  portsOf: (e: Endpoint) => ReadonlyArray<DestinationPort> = (e) => e.ports
): boolean | B.Bitset => {
  if (sp === undefined) return true
  if (sp.named.length === 0 || sourcePort === undefined) return sourcePortMatches(sp, protocol, sourcePort, [])
  if (d === 'egress') return sourcePortMatches(sp, protocol, sourcePort, subject === undefined ? [] : portsOf(subject))
  const b = B.make(peers.length)
  peers.forEach((e, j) => {
    if (sourcePortMatches(sp, protocol, sourcePort, portsOf(e))) B.set(b, j)
  })
  return b
}

// -------------------------------------------------------------------------------------
// partitions
// -------------------------------------------------------------------------------------

const rulesOfSet = (set: PolicySet): ReadonlyArray<Rule> => set.policies.flatMap((p) => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])])

/** The lowest point of every stretch of `[lo, hi]` that the ranges do not split. */
const cellPoints = (ranges: ReadonlyArray<readonly [number, number]>, lo: number, hi: number): ReadonlyArray<number> => {
  const pts = new Set<number>([lo])
  for (const [a, b] of ranges) {
    if (a > lo && a <= hi) pts.add(a)
    if (b + 1 > lo && b + 1 <= hi) pts.add(b + 1)
  }
  return [...pts].sort((x, y) => x - y)
}

/** Whether a source-port set tells source ports of `protocol` apart (neither all nor none of them, or a name). */
const splitsSourcePorts = (sp: PortSet, protocol: number): boolean =>
  !P.isWholeProtocol(sp, protocol) && (P.rangesOf(sp, protocol).length > 0 || sp.named.some((n) => n.protocol === undefined || n.protocol === protocol))

/**
 * One source port per stretch of `protocol`'s source ports that every rule of the sets treats
 * alike; undefined when no rule tells source ports of that protocol apart.
 */
export const sourcePortPoints = (sets: ReadonlyArray<PolicySet>, inventory: Inventory, protocol: number): ReadonlyArray<number> | undefined => {
  const ranges: Array<readonly [number, number]> = []
  let any = false
  for (const r of sets.flatMap(rulesOfSet)) {
    const sp = r.sourcePorts
    if (sp === undefined || !splitsSourcePorts(sp, protocol)) continue
    any = true
    ranges.push(...P.rangesOf(sp, protocol))
    for (const n of sp.named)
      if (n.protocol === undefined || n.protocol === protocol)
        for (const pod of inventory.pods) for (const cp of pod.ports) if (cp.name === n.name && cp.protocol === protocol) ranges.push([cp.port, cp.port])
  }
  if (!any) return undefined
  const [lo, hi] = P.universeOf(protocol)
  return cellPoints(ranges, lo, hi)
}

/**
 * Every probe without a source port, on a protocol whose source ports some rule of the sets tells
 * apart, replaced by one probe per source-port stretch; order kept, duplicates dropped.
 */
export const expandSourcePorts = (probes: ReadonlyArray<Probe>, sets: ReadonlyArray<PolicySet>, inventory: Inventory): ReadonlyArray<Probe> => {
  const points = new Map<number, ReadonlyArray<number> | undefined>()
  const pointsOf = (protocol: number): ReadonlyArray<number> | undefined => {
    if (!sourcePortProtocols.includes(protocol)) return undefined
    if (!points.has(protocol)) points.set(protocol, sourcePortPoints(sets, inventory, protocol))
    return points.get(protocol)
  }
  const out: Array<Probe> = []
  const seen = new Set<string>()
  const push = (p: Probe): void => {
    const k = probeKey(p)
    if (seen.has(k)) return
    seen.add(k)
    out.push(p)
  }
  for (const p of probes) {
    const pts = p.sourcePort === undefined ? pointsOf(p.protocol) : undefined
    if (pts === undefined) push(p)
    else for (const sourcePort of pts) push({ protocol: p.protocol, port: p.port, sourcePort })
  }
  return out
}

/** Whether a rule's port set singles out `protocol` (lists it apart from the other protocols). */
const singlesOut = (r: Rule, protocol: number): boolean => r.ports.listed.some((e) => e.protocol === protocol)

/**
 * ICMP and ICMPv6 probes: for each of them that some rule of the sets singles out, one
 * (type, code) per stretch of `type*256+code` that every rule treats alike. ICMP first.
 */
export const icmpProbes = (sets: ReadonlyArray<PolicySet>): ReadonlyArray<Probe> =>
  icmpProtocols.flatMap((protocol) => {
    const rules = sets.flatMap(rulesOfSet).filter((r) => singlesOut(r, protocol))
    if (rules.length === 0) return []
    const ranges = rules.flatMap((r) => (P.isWholeProtocol(r.ports, protocol) ? [] : P.rangesOf(r.ports, protocol)))
    const [lo, hi] = P.universeOf(protocol)
    return cellPoints(ranges, lo, hi).map((port) => ({ protocol, port }))
  })

// -------------------------------------------------------------------------------------
// text
// -------------------------------------------------------------------------------------

export const isIcmp = (protocol: number): boolean => protocol === P.ICMP || protocol === P.ICMPV6

/** `80/TCP`, `80/TCP from port 151`, `ICMP/8/0` (type 8, code 0). */
export const probeText = (p: Probe): string => {
  const base = isIcmp(p.protocol) ? `${P.protocolName(p.protocol)}/${p.port >> 8}/${p.port & 255}` : `${p.port}/${P.protocolName(p.protocol)}`
  return p.sourcePort === undefined ? base : `${base} from port ${p.sourcePort}`
}

/** A key that tells probes apart (for deduplication and comparison). */
export const probeKey = (p: Probe): string => `${p.protocol}/${p.port}/${p.sourcePort ?? ''}`

/**
 * The JSON fields of a probe, in order: `port` and `protocol` as before for TCP, UDP and SCTP, then
 * `sourcePort` only when the probe has one; ICMP probes give `protocol`, `type` and `code`.
 */
export const probeFields = (p: Probe): ReadonlyArray<readonly [string, number | string]> =>
  isIcmp(p.protocol)
    ? [
        ['protocol', P.protocolName(p.protocol)],
        ['type', p.port >> 8],
        ['code', p.port & 255]
      ]
    : [
        ['port', p.port],
        ['protocol', P.protocolName(p.protocol)],
        ...(p.sourcePort === undefined ? [] : ([['sourcePort', p.sourcePort]] as const))
      ]
