/**
 * Shared helpers of the reference interpreters (oracles) in this folder, which read policies as
 * raw decoded YAML (plain JS values) and import nothing from `src/` but the inventory's types:
 *
 * - the endpoints of a truth table: pods sorted by `namespace/name`, then external addresses in
 *   inventory order (DESIGN.md §6, the order of `reach -o json`);
 * - `Peer`, `Probe`, and `tableOf`, which turns an oracle's `allowed` into truth tables;
 * - untyped-value accessors that keep "absent" apart from "empty" (`list` is undefined when absent);
 * - addresses: an own IPv4/IPv6 parser and CIDR test over the inventory's `{family, value}` IPs;
 * - the Kubernetes LabelSelector (matchLabels ∧ matchExpressions; `{}` selects everything;
 *   `NotIn` and `DoesNotExist` hold when the label is missing).
 *
 * ICMP probes: `port` is `type * 256 + code`, the encoding the engine's port sets use.
 */
import type { External, Inventory, Pod } from '../../src/cluster/inventory.js'

// -------------------------------------------------------------------------------------
// endpoints and tables
// -------------------------------------------------------------------------------------

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP'

/** A pod of the inventory (host-network pods included) or an external address. */
export type Peer = { readonly _tag: 'pod'; readonly pod: Pod } | { readonly _tag: 'external'; readonly external: External }

export interface Probe {
  readonly protocol: Protocol
  /** ICMP: `type * 256 + code`. */
  readonly port: number
  /** The connection's source port (only Calico rules can test it); absent: source ports are not probed. */
  readonly sourcePort?: number
}

export type Allowed = (policies: ReadonlyArray<unknown>, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number, sourcePort?: number) => boolean

export type Matrix = ReadonlyArray<ReadonlyArray<boolean>>

export const protocolNumbers: Readonly<Record<Protocol, number>> = { ICMP: 1, TCP: 6, UDP: 17, SCTP: 132 }

export const podPeer = (pod: Pod): Peer => ({ _tag: 'pod', pod })

export const peerId = (p: Peer): string => (p._tag === 'pod' ? `${p.pod.namespace}/${p.pod.name}` : p.external.text)

/** Pods sorted by `namespace/name`, then externals in inventory order. */
export const endpoints = (inv: Inventory): ReadonlyArray<Peer> => [
  ...[...inv.pods].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`)).map(podPeer),
  ...inv.externals.map((external): Peer => ({ _tag: 'external', external }))
]

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** `tables[k][i][j]`: on probe k, whether endpoint i may open a connection to endpoint j. */
export const tableOf =
  (allowed: Allowed) =>
  (policies: ReadonlyArray<unknown>, inv: Inventory, probes: ReadonlyArray<Probe>): ReadonlyArray<Matrix> => {
    const eps = endpoints(inv)
    return probes.map((pr) => eps.map((from) => eps.map((to) => allowed(policies, inv, from, to, pr.protocol, pr.port, pr.sourcePort))))
  }

export const peerIp = (p: Peer): Pod['ip'] => (p._tag === 'pod' ? p.pod.ip : p.external.ip)

/** The protocol number a container port uses, as a probe protocol. */
export const sameProtocol = (containerProtocol: number, probe: Protocol): boolean => protocolNumbers[probe] === containerProtocol

// -------------------------------------------------------------------------------------
// raw values
// -------------------------------------------------------------------------------------

export type Obj = Readonly<Record<string, unknown>>

export const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})

/** The array, or undefined when the value is absent (or not an array). */
export const list = (v: unknown): ReadonlyArray<unknown> | undefined => (Array.isArray(v) ? (v as ReadonlyArray<unknown>) : undefined)

export const items = (v: unknown): ReadonlyArray<unknown> => list(v) ?? []

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export const strings = (v: unknown): ReadonlyArray<string> => items(v).flatMap((x) => (typeof x === 'string' ? [x] : []))

export const strMap = (v: unknown): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(obj(v)).flatMap(([k, x]) => (typeof x === 'string' ? [[k, x]] : [])))

export const kindOf = (v: unknown): { readonly apiVersion: string; readonly kind: string } => ({
  apiVersion: str(obj(v).apiVersion) ?? '',
  kind: str(obj(v).kind) ?? ''
})

export const isKnp = (v: unknown): boolean => kindOf(v).apiVersion === 'networking.k8s.io/v1' && kindOf(v).kind === 'NetworkPolicy'

export const meta = (v: unknown): Obj => obj(obj(v).metadata)

/** `metadata.namespace`, `default` when absent. */
export const namespaceOf = (v: unknown): string => str(meta(v).namespace) ?? 'default'

/** A Kubernetes NetworkPolicy's `spec.policyTypes`, or the API server's default (Ingress, plus Egress when `egress` has rules). */
export const knpPolicyTypes = (spec: Obj): ReadonlyArray<string> =>
  list(spec.policyTypes) !== undefined ? strings(spec.policyTypes) : items(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress']

export const nsLabels = (inv: Inventory, ns: string): Readonly<Record<string, string>> | undefined => inv.namespaces.find((n) => n.name === ns)?.labels

// -------------------------------------------------------------------------------------
// addresses
// -------------------------------------------------------------------------------------

export interface Ip {
  readonly family: 4 | 6
  readonly value: bigint
}

const v4 = (text: string): bigint | undefined => {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n)
}

const v6 = (text: string): bigint | undefined => {
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (s: string): Array<bigint> | undefined => {
    if (s === '') return []
    const out: Array<bigint> = []
    for (const g of s.split(':')) {
      const four = g.includes('.') ? v4(g) : undefined
      if (four !== undefined) out.push(four >> 16n, four & 0xffffn)
      else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(BigInt(`0x${g}`))
      else return undefined
    }
    return out
  }
  const head = groups(halves[0] ?? '')
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : []
  if (head === undefined || tail === undefined) return undefined
  const fill = 8 - head.length - tail.length
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined
  return [...head, ...Array.from({ length: halves.length === 2 ? fill : 0 }, () => 0n), ...tail].reduce((acc, g) => acc * 65536n + g, 0n)
}

export const parseIp = (text: string): Ip | undefined => {
  const a = v4(text)
  if (a !== undefined) return { family: 4, value: a }
  const b = text.includes(':') ? v6(text) : undefined
  return b === undefined ? undefined : { family: 6, value: b }
}

/** Whether `ip` lies in `cidr` (`a.b.c.d/n`, `x::/n`, or a bare address). */
export const inCidr = (ip: Ip | undefined, cidr: string): boolean => {
  if (ip === undefined) return false
  const [addr = '', len] = cidr.split('/')
  const base = parseIp(addr)
  if (base === undefined || base.family !== ip.family) return false
  const bits = ip.family === 4 ? 32n : 128n
  const shift = bits - BigInt(len === undefined ? Number(bits) : Number(len))
  return ip.value >> shift === base.value >> shift
}

/** An external endpoint for tests (`--external IP`). */
export const external = (text: string): External => {
  const ip = parseIp(text)
  if (ip === undefined) throw new Error(`bad test address ${text}`)
  return { text, ip }
}

// -------------------------------------------------------------------------------------
// Kubernetes LabelSelector
// -------------------------------------------------------------------------------------

/** Looks a (selector) key up on a subject; undefined when the label is missing. */
export type Lookup = (key: string) => string | undefined

/** One requirement `{key, operator, values}`; matchLabels entries are `In [value]`. */
export interface Requirement {
  readonly key: string
  readonly operator: string
  readonly values: ReadonlyArray<string>
}

export const requirements = (selector: unknown): ReadonlyArray<Requirement> => [
  ...Object.entries(strMap(obj(selector).matchLabels)).map(([key, v]) => ({ key, operator: 'In', values: [v] })),
  ...items(obj(selector).matchExpressions).map((e) => ({ key: str(obj(e).key) ?? '', operator: str(obj(e).operator) ?? '', values: strings(obj(e).values) }))
]

export const requirementHolds = (r: Requirement, lookup: Lookup): boolean => {
  const v = lookup(r.key)
  switch (r.operator) {
    case 'In':
      return v !== undefined && r.values.includes(v)
    case 'NotIn':
      return v === undefined || !r.values.includes(v)
    case 'Exists':
      return v !== undefined
    case 'DoesNotExist':
      return v === undefined
    default:
      return false
  }
}

export const selectorMatches = (selector: unknown, lookup: Lookup): boolean => requirements(selector).every((r) => requirementHolds(r, lookup))

export const fromLabels =
  (labels: Readonly<Record<string, string>> | undefined): Lookup =>
  (k) =>
    labels !== undefined && Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined
