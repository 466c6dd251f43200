/**
 * Oracle: Calico (projectcalico.org/v3 and crd.projectcalico.org/v1 NetworkPolicy,
 * GlobalNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier) plus Kubernetes NetworkPolicies as
 * Calico converts them, evaluated on the raw YAML objects (research/calico.md).
 *
 * - Endpoints (§4.5): a pod not on the host network is a workload endpoint with its labels plus
 *   `projectcalico.org/{namespace,orchestrator=k8s,serviceaccount}` and, from its profiles,
 *   `pcns.<namespace label>`, `pcns.projectcalico.org/name`, `pcsa.projectcalico.org/name`. A
 *   NetworkSet carries its labels, `projectcalico.org/namespace` and the `pcns.` labels; a
 *   GlobalNetworkSet only its labels. Host-network pods are no endpoint: never subjects, matched
 *   by no selector (the inventory has no HostEndpoints), only by nets and network sets.
 * - Selectors match addresses (§2): a selector matches a side iff some entity at its address (its
 *   workload endpoint, any network set containing it) matches; `notSelector: X` iff none does.
 * - Scoping (§2 `getEndpointSelector`): a rule `namespaceSelector` is `pcns.`-prefixed (`all()` →
 *   namespaced, `global()` → not namespaced), else a NetworkPolicy scopes to its namespace; the
 *   scope is ANDed with the positive selectors iff any selector field is set; `notSelector` is
 *   unscoped; nets/ports-only rules match any address.
 * - Policy subject (§1.1–1.2): selector ∧ namespace (NetworkPolicy) or ∧ `pcns.` namespaceSelector
 *   (GNP); serviceAccountSelector `pcsa.`-prefixed. `types` absent: from non-empty rule lists (v3,
 *   §1.6), both directions for crd.projectcalico.org/v1 (Felix's fallback). doNotTrack / preDNAT
 *   GNPs and staged kinds never act on pods (§1.2, §4.2).
 * - Evaluation (§4.2–4.4): per direction, tiers by (declared first, order, absent last, name);
 *   only tiers with a selecting policy for the direction apply; policies by order (absent = ∞),
 *   ties by `name/namespace/kind` (HEAD, §4.3; version-dependent, never rely on it); first matching
 *   rule: Log continues, Allow/Deny final, Pass leaves the tier; a tier that applied and neither
 *   decided nor passed ends in its default action; afterwards the `kns.` profile allows.
 *   Ingress from the local host (a host-network pod on the subject's node) is always allowed (§4.1).
 *   Built-in tiers: default (1,000,000, Deny), kube-admin (1000, Pass), kube-baseline (10^7, Pass).
 * - Kubernetes NetworkPolicies (§5): tier default, order 1000, kind KubernetesNetworkPolicy;
 *   selector `orchestrator == 'k8s'` ∧ podSelector ∧ namespace; one Allow rule per port × peer;
 *   pod peers carry the orchestrator term; ipBlock → nets/notNets (pod addresses too); a port
 *   without protocol is TCP; no ports = every protocol.
 * - Ports: named ports match when an endpoint at the destination address that matches the
 *   destination's positive selector declares the name on the probed protocol and port (§2). HTTP
 *   matches do not restrict (§1.5, UNCONFIRMED end to end: Felix ignores them, as recommended).
 *   Source ports (`source.ports` / `source.notPorts`, §1.5, in either direction) match the
 *   probe's source port as destination ports match its port, named ones on the source's workload
 *   endpoint; a probe without a source port ignores them.
 *   Services (§2): backends are the pods the Service's selector picks; the inventory has no
 *   EndpointSlice ports, so any destination port matches.
 */
import type { Inventory, Pod } from '../../src/cluster/inventory.js'
import type { Obj, Peer, Protocol, Requirement } from './inventory.js'
import { inCidr, isKnp, items, kindOf, knpPolicyTypes, meta, namespaceOf, nsLabels, obj, peerIp, protocolNumbers, requirements, sameProtocol, str, strMap, strings, tableOf } from './inventory.js'

// -------------------------------------------------------------------------------------
// selectors (§3)
// -------------------------------------------------------------------------------------

export type Sel =
  | { readonly t: 'all' | 'global' }
  | { readonly t: 'has'; readonly k: string }
  | { readonly t: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; readonly k: string; readonly v: string }
  | { readonly t: 'in' | 'not in'; readonly k: string; readonly vs: ReadonlyArray<string> }
  | { readonly t: 'not'; readonly a: Sel }
  | { readonly t: 'and' | 'or'; readonly a: Sel; readonly b: Sel }

const all: Sel = { t: 'all' }
const has = (k: string): Sel => ({ t: 'has', k })
const eq = (k: string, v: string): Sel => ({ t: '==', k, v })
const not = (a: Sel): Sel => ({ t: 'not', a })
const and = (...ss: ReadonlyArray<Sel | undefined>): Sel | undefined =>
  ss.reduce<Sel | undefined>((acc, s) => (s === undefined ? acc : acc === undefined ? s : { t: 'and', a: acc, b: s }), undefined)

/** Recursive descent: `expr := and ("||" and)*; and := unary ("&&" unary)*; unary := "!"* primary`. Throws on bad input. */
export const parseSelector = (text: string): Sel => {
  let rest = text
  const fail = (): never => {
    throw new Error(`bad selector: ${text} (at: ${rest})`)
  }
  const take = (re: RegExp): RegExpExecArray | undefined => {
    const m = new RegExp(`^[ \\t]*(?:${re.source})`).exec(rest) ?? undefined
    if (m !== undefined) rest = rest.slice(m[0].length)
    return m
  }
  const label = (): string => take(/([A-Za-z0-9_./-]+)/)?.[1] ?? fail()
  const string = (): string => {
    const m = take(/"([^"]*)"|'([^']*)'/) ?? fail()
    return m[1] ?? m[2] ?? ''
  }
  const set = (): ReadonlyArray<string> => {
    const vs: Array<string> = []
    if (take(/\{/) === undefined) fail()
    while (take(/\}/) === undefined) {
      vs.push(string())
      take(/,/)
    }
    return vs
  }
  const close = <A>(a: A): A => (take(/\)/) === undefined ? fail() : a)
  const primary = (): Sel => {
    if (take(/has\(/)) return close(has(label()))
    if (take(/all\(/)) return close(all)
    if (take(/global\(/)) return close({ t: 'global' })
    if (take(/\(/)) return close(expr())
    const k = label()
    const op = (take(/(==|!=|contains|starts[ \t]*with|ends[ \t]*with|not[ \t]*in|in)(?![A-Za-z0-9_./-])/)?.[1] ?? fail()).replace(/[ \t]+/g, '')
    if (op === 'in' || op === 'notin') return { t: op === 'in' ? 'in' : 'not in', k, vs: set() }
    return { t: op === 'startswith' ? 'starts with' : op === 'endswith' ? 'ends with' : op === '==' || op === '!=' ? op : 'contains', k, v: string() }
  }
  const unary = (): Sel => (take(/!/) ? not(unary()) : primary())
  const conj = (): Sel => {
    let s = unary()
    while (take(/&&/)) s = { t: 'and', a: s, b: unary() }
    return s
  }
  const expr = (): Sel => {
    let s = conj()
    while (take(/\|\|/)) s = { t: 'or', a: s, b: conj() }
    return s
  }
  if (text.trim() === '') return all
  const s = expr()
  return rest.trim() === '' ? s : fail()
}

type Labels = Readonly<Record<string, string>>

type Atom = Exclude<Sel, { readonly t: 'all' | 'global' | 'not' | 'and' | 'or' }>

/** §3 semantics: `!=` and `not in` hold when the label is missing. */
const atomHolds = (s: Atom, v: string | undefined): boolean => {
  switch (s.t) {
    case 'has': return v !== undefined
    case 'in': return v !== undefined && s.vs.includes(v)
    case 'not in': return v === undefined || !s.vs.includes(v)
    case '==': return v === s.v
    case '!=': return v !== s.v
    case 'contains': return v?.includes(s.v) === true
    case 'starts with': return v?.startsWith(s.v) === true
    case 'ends with': return v?.endsWith(s.v) === true
  }
}

export const holds = (s: Sel, l: Labels): boolean => {
  switch (s.t) {
    case 'not': return !holds(s.a, l)
    case 'and': return holds(s.a, l) && holds(s.b, l)
    case 'or': return holds(s.a, l) || holds(s.b, l)
    case 'all': case 'global': return true
    default: return atomHolds(s, Object.prototype.hasOwnProperty.call(l, s.k) ? l[s.k] : undefined)
  }
}

const NS = 'projectcalico.org/namespace'
const SA = 'projectcalico.org/serviceaccount'

/** Keys prefixed (`pcns.` / `pcsa.`), `all()` → `allTo`, `global()` → not namespaced (§2 step 1, §1.2). */
const prefixed = (s: Sel, p: string, allTo: Sel): Sel => {
  switch (s.t) {
    case 'all': return allTo
    case 'global': return not(has(NS))
    case 'not': return not(prefixed(s.a, p, allTo))
    case 'and': case 'or': return { t: s.t, a: prefixed(s.a, p, allTo), b: prefixed(s.b, p, allTo) }
    default: return { ...s, k: p + s.k }
  }
}

const fromKube = (selector: unknown): Sel =>
  and(
    ...requirements(selector).map((r: Requirement): Sel => {
      if (r.operator === 'In') return { t: 'in', k: r.key, vs: r.values }
      if (r.operator === 'NotIn') return { t: 'not in', k: r.key, vs: r.values }
      return r.operator === 'Exists' ? has(r.key) : not(has(r.key))
    })
  ) ?? all

// -------------------------------------------------------------------------------------
// entities (§1.3, §4.5)
// -------------------------------------------------------------------------------------

const pcns = (inv: Inventory, ns: string): Labels => ({
  ...Object.fromEntries(Object.entries(nsLabels(inv, ns) ?? {}).map(([k, v]) => [`pcns.${k}`, v])),
  'pcns.projectcalico.org/name': ns
})

const wepLabels = (inv: Inventory, p: Pod): Labels => ({
  ...pcns(inv, p.namespace),
  'pcsa.projectcalico.org/name': p.serviceAccount,
  ...p.labels,
  [NS]: p.namespace,
  'projectcalico.org/orchestrator': 'k8s',
  ...(p.serviceAccount.length < 63 ? { [SA]: p.serviceAccount } : {})
})

interface NetSet { readonly labels: Labels; readonly nets: ReadonlyArray<string> }

const isV1 = (o: unknown): boolean => kindOf(o).apiVersion === 'crd.projectcalico.org/v1'
const isCalico = (o: unknown): boolean => isV1(o) || kindOf(o).apiVersion === 'projectcalico.org/v3'

/** The real labels and annotation-stored name of a v1 CR (§1.7); a v3 object's own. */
const v3Meta = (o: unknown): { readonly name: string; readonly labels: Labels } => {
  const m = meta(o)
  const stored = isV1(o) ? obj(JSON.parse(strMap(m.annotations)['projectcalico.org/metadata'] ?? '{}') as unknown) : {}
  const name = str(m.name) ?? ''
  const tier = str(obj(obj(o).spec).tier) ?? 'default'
  return {
    name: str(stored.name) ?? (isV1(o) && tier === 'default' && name.startsWith('default.') ? name.slice('default.'.length) : name),
    labels: { ...strMap(m.labels), ...strMap(stored.labels) }
  }
}

const netSets = (docs: ReadonlyArray<unknown>, inv: Inventory): ReadonlyArray<NetSet> =>
  docs.filter(isCalico).flatMap((o) => {
    const { kind } = kindOf(o)
    const nets = strings(obj(obj(o).spec).nets)
    const labels = v3Meta(o).labels
    if (kind === 'GlobalNetworkSet') return [{ labels, nets }]
    if (kind !== 'NetworkSet') return []
    const ns = namespaceOf(o)
    return [{ labels: { ...pcns(inv, ns), ...labels, [NS]: ns }, nets }]
  })

/** One side of a connection: the peer and the label sets of the entities at its address. */
interface Side { readonly peer: Peer; readonly entities: ReadonlyArray<Labels> }

const sideOf = (peer: Peer, inv: Inventory, sets: ReadonlyArray<NetSet>): Side => ({
  peer,
  entities: [
    ...(peer._tag === 'pod' && !peer.pod.hostNetwork ? [wepLabels(inv, peer.pod)] : []),
    ...sets.filter((s) => s.nets.some((n) => inCidr(peerIp(peer), n))).map((s) => s.labels)
  ]
})

// -------------------------------------------------------------------------------------
// policies
// -------------------------------------------------------------------------------------

type Port = { readonly lo: number; readonly hi: number } | { readonly name: string }

const portOf = (v: unknown): Port => {
  if (typeof v === 'number') return { lo: v, hi: v }
  const s = str(v) ?? ''
  const m = /^([0-9]+)(?::([0-9]+))?$/.exec(s)
  return m === null ? { name: s } : { lo: Number(m[1]), hi: Number(m[2] ?? m[1]) }
}

/** An EntityRule; after `scoped`, `selector` is the effective positive selector (scope included). */
interface ER {
  readonly nets?: ReadonlyArray<string> | undefined; readonly notNets?: ReadonlyArray<string> | undefined
  readonly selector?: Sel | undefined; readonly notSelector?: Sel | undefined; readonly namespaceSelector?: Sel | undefined
  readonly saNames?: ReadonlyArray<string> | undefined; readonly saSelector?: Sel | undefined
  readonly ports?: ReadonlyArray<Port> | undefined; readonly notPorts?: ReadonlyArray<Port> | undefined
  readonly service?: { readonly name: string; readonly namespace: string } | undefined
}

interface Rule {
  readonly action: string; readonly protocol?: number | undefined; readonly notProtocol?: number | undefined; readonly ipVersion?: number | undefined
  readonly icmp?: Obj | undefined; readonly notICMP?: Obj | undefined; readonly source: ER; readonly destination: ER
}

interface Policy {
  readonly tier: string; readonly order: number; readonly key: string; readonly selector: Sel; readonly types: ReadonlyArray<string>
  readonly Ingress: ReadonlyArray<Rule>; readonly Egress: ReadonlyArray<Rule>
}

const protocolNames: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136 }
const protocolNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' ? (protocolNames[v] ?? Number(v)) : undefined)

const sel = (v: unknown): Sel | undefined => (str(v)?.trim() ? parseSelector(str(v) ?? '') : undefined)
const nonEmpty = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> | undefined => (xs.length > 0 ? xs : undefined)

/** §2 scoping of an EntityRule in a policy of namespace `ns` (undefined: global). */
const scoped = (e: ER, ns: string | undefined): ER => {
  const scope = e.namespaceSelector !== undefined ? prefixed(e.namespaceSelector, 'pcns.', has(NS)) : ns !== undefined ? eq(NS, ns) : undefined
  const sa = e.saSelector === undefined && e.saNames === undefined ? undefined : (and(e.saSelector && prefixed(e.saSelector, 'pcsa.', all), e.saNames && { t: 'in', k: SA, vs: e.saNames }) ?? all)
  const isScoped = e.selector !== undefined || sa !== undefined || e.notSelector !== undefined || e.namespaceSelector !== undefined
  return { ...e, selector: isScoped ? and(scope, e.selector, sa) : undefined }
}

const entityRule = (v: unknown, ns: string | undefined): ER => {
  const o = obj(v)
  const sa = obj(o.serviceAccounts)
  const service = o.services === undefined ? undefined : { name: str(obj(o.services).name) ?? '', namespace: str(obj(o.services).namespace) ?? ns ?? '' }
  const [nets, notNets, ports, notPorts] = [nonEmpty(strings(o.nets)), nonEmpty(strings(o.notNets)), nonEmpty(items(o.ports).map(portOf)), nonEmpty(items(o.notPorts).map(portOf))]
  const [selector, notSelector, namespaceSelector] = [sel(o.selector), sel(o.notSelector), sel(o.namespaceSelector)]
  return scoped({ nets, notNets, selector, notSelector, namespaceSelector, saNames: nonEmpty(strings(sa.names)), saSelector: sel(sa.selector), ports, notPorts, service }, ns)
}

const calicoPolicy = (o: unknown): Policy | undefined => {
  const { kind } = kindOf(o)
  const spec = obj(obj(o).spec)
  if ((kind !== 'NetworkPolicy' && kind !== 'GlobalNetworkPolicy') || spec.doNotTrack === true || spec.preDNAT === true) return undefined
  const ns = kind === 'NetworkPolicy' ? namespaceOf(o) : undefined
  const rules = (key: string): ReadonlyArray<Rule> =>
    items(spec[key]).map((r) => {
      const x = obj(r)
      const [protocol, notProtocol, ipVersion] = [protocolNumber(x.protocol), protocolNumber(x.notProtocol), protocolNumber(x.ipVersion)]
      const [icmp, notICMP] = [x.icmp === undefined ? undefined : obj(x.icmp), x.notICMP === undefined ? undefined : obj(x.notICMP)]
      return { action: str(x.action) ?? '', protocol, notProtocol, ipVersion, icmp, notICMP, source: entityRule(x.source, ns), destination: entityRule(x.destination, ns) }
    })
  const Ingress = rules('ingress')
  const Egress = rules('egress')
  const given = strings(spec.types)
  const types =
    given.length > 0 ? given : isV1(o) ? ['Ingress', 'Egress'] : Egress.length === 0 ? ['Ingress'] : Ingress.length === 0 ? ['Egress'] : ['Ingress', 'Egress']
  const nsSel = sel(spec.namespaceSelector)
  const saSel = sel(spec.serviceAccountSelector)
  const { name } = v3Meta(o)
  return {
    tier: str(spec.tier) ?? 'default',
    order: typeof spec.order === 'number' ? spec.order : Infinity,
    key: `${name}/${ns ?? ''}/${kind}`,
    selector: and(sel(spec.selector), ns === undefined ? undefined : eq(NS, ns), nsSel && prefixed(nsSel, 'pcns.', has(NS)), saSel && prefixed(saSel, 'pcsa.', has(SA))) ?? all,
    types,
    Ingress,
    Egress
  }
}

/** §5: a Kubernetes NetworkPolicy as Calico converts it. */
const knpPolicy = (o: unknown): Policy => {
  const spec = obj(obj(o).spec)
  const ns = namespaceOf(o)
  const k8s = eq('projectcalico.org/orchestrator', 'k8s')
  const peerRule = (p: unknown): ER => {
    const x = obj(p)
    if (x.ipBlock !== undefined) return { nets: [str(obj(x.ipBlock).cidr) ?? ''], notNets: nonEmpty(strings(obj(x.ipBlock).except)) }
    return scoped({ selector: and(k8s, fromKube(x.podSelector)), namespaceSelector: x.namespaceSelector === undefined ? undefined : fromKube(x.namespaceSelector) }, ns)
  }
  const rules = (key: 'ingress' | 'egress'): ReadonlyArray<Rule> =>
    items(spec[key]).flatMap((r) => {
      const ports = items(obj(r).ports).map(obj)
      const peers = items(obj(r)[key === 'ingress' ? 'from' : 'to'])
      return (ports.length > 0 ? ports : [undefined]).flatMap((pt) =>
        (peers.length > 0 ? peers : [{}]).map((peer): Rule => {
          const portRule: ER = { ports: pt?.port === undefined ? undefined : [typeof pt.port === 'number' ? { lo: pt.port, hi: typeof pt.endPort === 'number' ? pt.endPort : pt.port } : { name: str(pt.port) ?? '' }] }
          const peerER = Object.keys(obj(peer)).length === 0 ? {} : peerRule(peer)
          return {
            action: 'Allow',
            protocol: pt === undefined ? undefined : protocolNumber(pt.protocol ?? 'TCP'),
            source: key === 'ingress' ? peerER : {},
            destination: key === 'ingress' ? portRule : { ...peerER, ...portRule }
          }
        })
      )
    })
  return {
    tier: 'default',
    order: 1000,
    key: `${str(meta(o).name) ?? ''}/${ns}/KubernetesNetworkPolicy`,
    selector: and(k8s, fromKube(spec.podSelector), eq(NS, ns)) ?? all,
    types: knpPolicyTypes(spec),
    Ingress: rules('ingress'),
    Egress: rules('egress')
  }
}

// -------------------------------------------------------------------------------------
// evaluation (§4)
// -------------------------------------------------------------------------------------

interface Tier { readonly name: string; readonly known: boolean; readonly order: number; readonly defaultAction: string }

const builtinTiers: ReadonlyArray<Tier> = [
  { name: 'kube-admin', known: true, order: 1000, defaultAction: 'Pass' },
  { name: 'default', known: true, order: 1_000_000, defaultAction: 'Deny' },
  { name: 'kube-baseline', known: true, order: 10_000_000, defaultAction: 'Pass' }
]

const tiersOf = (docs: ReadonlyArray<unknown>, policies: ReadonlyArray<Policy>): ReadonlyArray<Tier> => {
  const declared = docs.filter((o) => isCalico(o) && kindOf(o).kind === 'Tier').map((o): Tier => {
    const spec = obj(obj(o).spec)
    return { name: v3Meta(o).name, known: true, order: typeof spec.order === 'number' ? spec.order : Infinity, defaultAction: str(spec.defaultAction) ?? 'Deny' }
  })
  const byName = new Map([...builtinTiers, ...declared].map((t) => [t.name, t]))
  for (const p of policies) if (!byName.has(p.tier)) byName.set(p.tier, { name: p.tier, known: false, order: Infinity, defaultAction: 'Deny' })
  return [...byName.values()].sort((a, b) => Number(b.known) - Number(a.known) || a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

interface Compiled { readonly policies: ReadonlyArray<Policy>; readonly tiers: ReadonlyArray<Tier> }

const cache = new WeakMap<ReadonlyArray<unknown>, Compiled>()

const compile = (docs: ReadonlyArray<unknown>): Compiled => {
  const hit = cache.get(docs)
  if (hit !== undefined) return hit
  const policies = docs
    .flatMap((o) => (isKnp(o) ? [knpPolicy(o)] : isCalico(o) ? [calicoPolicy(o)].flatMap((p) => (p === undefined ? [] : [p])) : []))
    .sort((a, b) => (a.order === b.order ? 0 : a.order < b.order ? -1 : 1) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const c = { policies, tiers: tiersOf(docs, policies) }
  cache.set(docs, c)
  return c
}

const podOf = (p: Peer): Pod | undefined => (p._tag === 'pod' && !p.pod.hostNetwork ? p.pod : undefined)

/** A named port: declared on the probed protocol and port by the workload endpoint at the address, if it matches the side's positive selector (§2). */
const portMatches = (p: Port, side: Side, e: ER, inv: Inventory, protocol: Protocol, port: number): boolean => {
  if ('lo' in p) return protocol !== 'ICMP' && port >= p.lo && port <= p.hi
  const pod = podOf(side.peer)
  return pod !== undefined && (e.selector === undefined || holds(e.selector, wepLabels(inv, pod))) && pod.ports.some((cp) => cp.name === p.name && cp.port === port && sameProtocol(cp.protocol, protocol))
}

/** A pod behind the Service: in its namespace and picked by its (non-empty) selector. */
const isBackend = (inv: Inventory, svc: { readonly name: string; readonly namespace: string }, pod: Pod | undefined): boolean =>
  pod !== undefined &&
  inv.services.some(
    (s) => s.namespace === svc.namespace && s.name === svc.name && s.namespace === pod.namespace && Object.keys(s.selector ?? {}).length > 0 && Object.entries(s.selector ?? {}).every(([k, v]) => pod.labels[k] === v)
  )

const sideMatches = (e: ER, side: Side, inv: Inventory, probe: { readonly protocol: Protocol; readonly port: number } | undefined): boolean => {
  const ip = peerIp(side.peer)
  const { selector, notSelector } = e
  if (e.nets !== undefined && !e.nets.some((n) => inCidr(ip, n))) return false
  if (e.notNets?.some((n) => inCidr(ip, n)) === true) return false
  if (selector !== undefined && !side.entities.some((l) => holds(selector, l))) return false
  if (notSelector !== undefined && side.entities.some((l) => holds(notSelector, l))) return false
  if (e.service !== undefined && !isBackend(inv, e.service, podOf(side.peer))) return false
  if (probe === undefined) return true // a probe without a source port: source ports are not probed
  if (e.ports !== undefined && !e.ports.some((p) => portMatches(p, side, e, inv, probe.protocol, probe.port))) return false
  return e.notPorts?.some((p) => portMatches(p, side, e, inv, probe.protocol, probe.port)) !== true
}

const icmpMatches = (m: Obj, protocol: Protocol, port: number): boolean =>
  protocol === 'ICMP' && m.type === Math.floor(port / 256) && (m.code === undefined || m.code === port % 256)

const ruleMatches = (r: Rule, src: Side, dst: Side, inv: Inventory, protocol: Protocol, port: number, sourcePort: number | undefined): boolean => {
  const n = protocolNumbers[protocol]
  const family = (peerIp(src.peer) ?? peerIp(dst.peer))?.family
  return (
    (r.protocol === undefined || r.protocol === n) &&
    r.notProtocol !== n &&
    (r.icmp === undefined || icmpMatches(r.icmp, protocol, port)) &&
    (r.notICMP === undefined || !icmpMatches(r.notICMP, protocol, port)) &&
    (r.ipVersion === undefined || r.ipVersion === family) &&
    sideMatches(r.source, src, inv, sourcePort === undefined ? undefined : { protocol, port: sourcePort }) &&
    sideMatches(r.destination, dst, inv, { protocol, port })
  )
}

const verdict = (c: Compiled, inv: Inventory, d: 'Ingress' | 'Egress', src: Side, dst: Side, protocol: Protocol, port: number, sourcePort: number | undefined): boolean => {
  const subject = podOf(d === 'Ingress' ? dst.peer : src.peer)
  if (subject === undefined) return true
  // §4.1: traffic from a host to its own local workloads is always allowed (kubelet probes)
  if (d === 'Ingress' && src.peer._tag === 'pod' && src.peer.pod.hostNetwork && src.peer.pod.node !== undefined && src.peer.pod.node === subject.node) return true
  const labels = wepLabels(inv, subject)
  const applying = c.policies.filter((p) => p.types.includes(d) && holds(p.selector, labels))
  for (const tier of c.tiers) {
    const inTier = applying.filter((p) => p.tier === tier.name)
    if (inTier.length === 0) continue
    let passed = false
    policies: for (const p of inTier)
      for (const r of p[d]) {
        if (!ruleMatches(r, src, dst, inv, protocol, port, sourcePort)) continue
        if (r.action === 'Allow') return true
        if (r.action === 'Deny') return false
        if (r.action === 'Pass') {
          passed = true
          break policies
        }
        // Log: no verdict, the next rule
      }
    if (!passed && tier.defaultAction !== 'Pass') return false
  }
  return true // the namespace profile allows (§4.4)
}

export const allowed = (policies: ReadonlyArray<unknown>, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number, sourcePort?: number): boolean => {
  const c = compile(policies)
  const sets = netSets(policies, inv)
  const src = sideOf(from, inv, sets)
  const dst = sideOf(to, inv, sets)
  return verdict(c, inv, 'Egress', src, dst, protocol, port, sourcePort) && verdict(c, inv, 'Ingress', src, dst, protocol, port, sourcePort)
}

export const table = tableOf(allowed)
