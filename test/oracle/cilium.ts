/**
 * Oracle: Cilium (cilium.io/v2 CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) plus
 * Kubernetes NetworkPolicies as Cilium reads them, evaluated on the raw YAML objects with the
 * agent's defaults (research/cilium.md; `enable-policy=default`, `enable-non-default-deny-policies`,
 * `allow-localhost` always, `policy-default-local-cluster` on, cluster name `default`).
 *
 * - Identities (§2.1, §3): a pod carries its labels (source `k8s`; `io.cilium.k8s*` keys and the
 *   identity-irrelevant prefixes of §2.1 dropped), `io.kubernetes.pod.namespace`,
 *   `io.cilium.k8s.namespace.labels.<k>`, `io.cilium.k8s.policy.serviceaccount` and
 *   `io.cilium.k8s.policy.cluster=default`. A host-network pod is its node: `reserved:host` seen
 *   from a subject on the same node, else `reserved:remote-node`. An external address is
 *   `reserved:world`. Selector keys (§2.2): `src:key`, `$key` / `reserved.key` (reserved), else
 *   any source.
 * - Subjects (§2.3): CNP `endpointSelector` with its namespace injected (a user `k8s:` namespace
 *   requirement is overwritten); CCNP as written; both select pods only. CCNP `nodeSelector`
 *   (host policy) selects the host-network pods of matching nodes.
 * - Peers (§1.10, §2.4): `fromEndpoints` selectors get the policy's namespace (CNP; not when a
 *   namespace or namespace-label key is mentioned) or "namespace exists" (CCNP), and the local
 *   cluster, unless they mention a `reserved:` key. CIDR rules match external addresses only
 *   (§4.4); entities per §3; `fromNodes` = remote nodes by node labels; `toServices` (allow only,
 *   §4.9) = backend pods of matching Services; `toFQDNs`, `toGroups` match nothing
 *   (addresses learnt at run time / outside the inventory). `cidrGroupRef` / `cidrGroupSelector`
 *   stand for the `externalCIDRs` of the CiliumCIDRGroups (cilium.io/v2alpha1, v2) of the input
 *   with that name / whose labels the selector matches (`except` carved out); none: nothing. A peer field present but empty
 *   selects nothing; no peer field with toPorts/icmps = every peer; `{}` allows nothing.
 * - Ports (§4.3): no toPorts/icmps = every protocol (ICMP too); protocol ANY/absent = TCP, UDP,
 *   SCTP; port "0" = all ports; endPort = range; ICMP fields match the type (`port >> 8`), type 0
 *   every type (it becomes port 0, pkg/policy/api/icmp.go). Named
 *   ports (§4.10): ingress on the subject's container ports; egress on the node-wide map of every
 *   pod's named ports — a name with more than one (port, protocol) in the inventory, or none,
 *   resolves to nothing (source at the research snapshot; per-destination resolution of newer
 *   releases is UNCONFIRMED). L7 rules allow at L4 (§4.6).
 * - Verdict (§4.1–4.2): per direction, the rules selecting the subject with entries there; none ⇒
 *   allow. Default-deny iff some such rule has `enableDefaultDeny.<dir>` unset or true (deny-only
 *   rules count). A matching deny drops; else a matching allow or (ingress) the local host
 *   (allow-localhost, §4.7; a deny still wins, UNCONFIRMED) allows; else default-deny drops.
 * - Kubernetes NetworkPolicies (§5): pods matching podSelector in the namespace; each `from`/`to`
 *   element is an entry with the rule's ports (`k8s:` keys; podSelector alone pinned to the
 *   namespace; namespaceSelector keys as namespace labels, `{}` = every namespace; ipBlock → a
 *   CIDR rule, never pods); no peers = every identity; `policyTypes` only adds an empty
 *   default-deny entry for a direction without rules (non-empty lists always count). The
 *   UNCONFIRMED ingress-ipBlock local-cluster quirk of §5 is not modelled.
 */
import type { Inventory, Pod } from '../../src/cluster/inventory.js'
import type { Obj, Peer, Protocol, Requirement } from './inventory.js'
import { inCidr, isKnp, items, kindOf, knpPolicyTypes, list, namespaceOf, nsLabels, obj, peerIp, protocolNumbers, requirementHolds, requirements, sameProtocol, str, strMap, strings, tableOf } from './inventory.js'

// -------------------------------------------------------------------------------------
// identities and selectors (§2, §3)
// -------------------------------------------------------------------------------------

interface Label {
  readonly source: string
  readonly key: string
  readonly value: string
}

const NS = 'io.kubernetes.pod.namespace'
const NS_LABELS = 'io.cilium.k8s.namespace.labels.'
const CLUSTER = 'io.cilium.k8s.policy.cluster'

/** Pod-label prefixes the default identity-relevant label filter drops (§2.1). */
const irrelevant = [
  'io.kubernetes', 'kubernetes.io', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'batch.kubernetes.io/job-completion-index',
  'batch.kubernetes.io/controller-uid', 'beta.kubernetes.io', 'k8s.io', 'pod-template-generation', 'pod-template-hash', 'controller-revision-hash',
  'annotation', 'controller-uid', 'etcd_node', 'io.cilium.k8s'
]

const k8s = (key: string, value: string): Label => ({ source: 'k8s', key, value })

/** Whether host-network pod `p` is the local host of an endpoint on node `here`. */
const isLocal = (p: Pod, here: string | undefined): boolean => here !== undefined && p.node === here

/** The identity labels of an endpoint, seen from a subject on node `here`. */
const identity = (inv: Inventory, p: Peer, here: string | undefined): ReadonlyArray<Label> => {
  if (p._tag === 'external') return [{ source: 'reserved', key: 'world', value: '' }]
  const pod = p.pod
  if (pod.hostNetwork) return [{ source: 'reserved', key: isLocal(pod, here) ? 'host' : 'remote-node', value: '' }]
  return [
    ...Object.entries(pod.labels).filter(([k]) => !irrelevant.some((x) => k.startsWith(x))).map(([k, v]) => k8s(k, v)),
    k8s(NS, pod.namespace),
    ...Object.entries(nsLabels(inv, pod.namespace) ?? {}).map(([k, v]) => k8s(NS_LABELS + k, v)),
    k8s('io.cilium.k8s.policy.serviceaccount', pod.serviceAccount),
    k8s(CLUSTER, 'default')
  ]
}

/** Cilium's `parseSource` (§2.2). */
const parseKey = (raw: string): { readonly source: string; readonly key: string } => {
  if (raw.startsWith('$')) return { source: 'reserved', key: raw.slice(1) }
  const colon = raw.indexOf(':')
  if (colon >= 0) return { source: raw.slice(0, colon), key: raw.slice(colon + 1) }
  return raw.startsWith('reserved.') ? { source: 'reserved', key: raw.slice('reserved.'.length) } : { source: 'any', key: raw }
}

const matches = (reqs: ReadonlyArray<Requirement>, labels: ReadonlyArray<Label>): boolean =>
  reqs.every((r) => {
    const k = parseKey(r.key)
    return requirementHolds(r, () => labels.find((l) => l.key === k.key && (k.source === 'any' || l.source === k.source))?.value)
  })

const podKey = (r: Requirement, test: (key: string) => boolean): boolean => {
  const k = parseKey(r.key)
  return (k.source === 'k8s' || k.source === 'any') && test(k.key)
}

/** §2.4 `getEndpointSelector`: the requirements a peer selector gets in a policy of namespace `ns` (undefined: CCNP). */
const peerRequirements = (selector: unknown, ns: string | undefined): ReadonlyArray<Requirement> => {
  const reqs = requirements(selector)
  if (reqs.some((r) => parseKey(r.key).source === 'reserved')) return reqs
  const mentionsNs = reqs.some((r) => podKey(r, (k) => k === NS))
  const nsPin: ReadonlyArray<Requirement> =
    mentionsNs ? [] : ns === undefined ? [{ key: `k8s:${NS}`, operator: 'Exists', values: [] }]
      : reqs.some((r) => podKey(r, (k) => k.startsWith(NS_LABELS))) ? [] : [{ key: `k8s:${NS}`, operator: 'In', values: [ns] }]
  const clusterPin: ReadonlyArray<Requirement> = reqs.some((r) => podKey(r, (k) => k === CLUSTER)) ? [] : [{ key: `k8s:${CLUSTER}`, operator: 'In', values: ['default'] }]
  return [...reqs, ...nsPin, ...clusterPin]
}

const entityHolds = (entity: string, p: Peer, here: string | undefined): boolean => {
  if (entity === 'all') return true
  if (entity === 'world') return p._tag === 'external'
  if (entity === 'cluster') return p._tag === 'pod'
  if (p._tag !== 'pod' || !p.pod.hostNetwork) return false
  return entity === 'host' ? isLocal(p.pod, here) : entity === 'remote-node' && !isLocal(p.pod, here) // kube-apiserver, health, …: nothing here
}

const nodeLabels = (inv: Inventory, p: Pod): ReadonlyArray<Label> =>
  Object.entries(inv.nodes.find((n) => n.name === p.node)?.labels ?? {}).map(([key, value]) => ({ source: 'k8s', key, value }))

const serviceBackend = (inv: Inventory, ref: unknown, p: Peer): boolean => {
  const byName = obj(obj(ref).k8sService)
  const bySel = obj(obj(ref).k8sServiceSelector)
  const ns = str(byName.namespace) ?? str(bySel.namespace)
  return (
    p._tag === 'pod' && !p.pod.hostNetwork &&
    inv.services.some(
      (s) =>
        (ns === undefined || s.namespace === ns) &&
        (obj(ref).k8sService !== undefined ? s.name === str(byName.serviceName) : matches(requirements(bySel.selector), Object.entries(s.labels).map(([k, v]) => k8s(k, v)))) &&
        s.namespace === p.pod.namespace && Object.keys(s.selector ?? {}).length > 0 && Object.entries(s.selector ?? {}).every(([k, v]) => p.pod.labels[k] === v)
    )
  )
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

type Dir = 'ingress' | 'egress'

interface Rule {
  readonly ns: string | undefined
  readonly selects: (inv: Inventory, p: Peer) => boolean
  readonly entries: Readonly<Record<'ingress' | 'ingressDeny' | 'egress' | 'egressDeny', ReadonlyArray<unknown>>>
  readonly defaultDeny: Readonly<Record<Dir, boolean>>
}

interface Flow {
  readonly inv: Inventory
  readonly subject: Peer
  readonly peer: Peer
  readonly here: string | undefined
  readonly protocol: Protocol
  readonly port: number
}

/** Which peers one element selects (§1.10). */
const peerMatches = (el: Obj, d: Dir, allow: boolean, ns: string | undefined, f: Flow): boolean => {
  const pre = d === 'ingress' ? 'from' : 'to'
  const kinds = ['Endpoints', 'CIDR', 'CIDRSet', 'Entities', 'Nodes']
  const field = (k: string): ReadonlyArray<unknown> | undefined => list(el[pre + k])
  if (kinds.some((k) => field(k)?.length === 0)) return false // present but empty: nothing
  const others = [...items(el[`${pre}Groups`]), ...items(el.toServices), ...items(el.toFQDNs)]
  if (kinds.every((k) => field(k) === undefined) && others.length === 0) return items(el.toPorts).length + items(el.icmps).length > 0 // no peer: wildcard with L4, else nothing
  const ip = peerIp(f.peer)
  const external = f.peer._tag === 'external'
  return (
    (field('Endpoints') ?? []).some((s) => matches(peerRequirements(s, ns), identity(f.inv, f.peer, f.here))) ||
    (field('CIDR') ?? []).some((c) => external && inCidr(ip, str(c) ?? '')) ||
    (field('CIDRSet') ?? []).some((c) => external && inCidr(ip, str(obj(c).cidr) ?? '') && !strings(obj(c).except).some((x) => inCidr(ip, x))) ||
    (field('Entities') ?? []).some((e) => entityHolds(str(e) ?? '', f.peer, f.here)) ||
    (field('Nodes') ?? []).some((s) => f.peer._tag === 'pod' && f.peer.pod.hostNetwork && !isLocal(f.peer.pod, f.here) && matches(requirements(s), nodeLabels(f.inv, f.peer.pod))) ||
    (allow && items(el.toServices).some((s) => serviceBackend(f.inv, s, f.peer)))
  )
}

/** Resolves a named port on the destination: ingress on the subject, egress through the node-wide map (§4.10). */
const namedPortMatches = (name: string, d: Dir, f: Flow): boolean => {
  const declared = (p: Pod) => p.ports.filter((cp) => cp.name === name)
  if (d === 'ingress') return f.subject._tag === 'pod' && declared(f.subject.pod).some((cp) => cp.port === f.port && sameProtocol(cp.protocol, f.protocol))
  const all = new Set(f.inv.pods.filter((p) => !p.hostNetwork).flatMap((p) => declared(p).map((cp) => `${cp.port}/${cp.protocol}`)))
  return all.size === 1 && all.has(`${f.port}/${protocolNumbers[f.protocol]}`)
}

const icmpTypes: Readonly<Record<string, number>> = { EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, Echo: 8, EchoRequest: 8, RouterAdvertisement: 9, RouterSelection: 10, TimeExceeded: 11, ParameterProblem: 12, Timestamp: 13, TimestampReply: 14 }

const portsMatch = (el: Obj, d: Dir, f: Flow): boolean => {
  const toPorts = items(el.toPorts)
  const icmps = items(el.icmps)
  if (toPorts.length === 0 && icmps.length === 0) return true // L3 only: every protocol, ICMP included
  const portMatches = (pp: Obj): boolean => {
    const proto = (str(pp.protocol) ?? 'ANY').toUpperCase()
    if (f.protocol === 'ICMP' || !(proto === f.protocol || proto === 'ANY' || proto === '')) return false
    const text = String(pp.port ?? '0')
    if (!/^[0-9]+$/.test(text)) return namedPortMatches(text.toLowerCase(), d, f)
    const [lo, end] = [Number(text), typeof pp.endPort === 'number' ? pp.endPort : 0]
    return lo === 0 ? end === 0 || end === 65535 || f.port <= end : f.port >= lo && f.port <= Math.max(lo, end)
  }
  // an ICMP field becomes a port of that number (cilium pkg/policy/api/icmp.go `PortProtocol`), and
  // port 0 is every port: type 0 (EchoReply) stands for every type of its family
  const icmpMatches = (x: Obj): boolean => {
    const t = typeof x.type === 'number' ? x.type : icmpTypes[str(x.type) ?? '']
    return f.protocol === 'ICMP' && (str(x.family) ?? 'IPv4') === 'IPv4' && (t === 0 || t === Math.floor(f.port / 256))
  }
  return toPorts.some((pr) => (list(obj(pr).ports) ?? [{}]).some((pp) => portMatches(obj(pp)))) || icmps.some((i) => items(obj(i).fields).some((x) => icmpMatches(obj(x))))
}

const ciliumRules = (o: unknown): ReadonlyArray<Rule> => {
  const ns = kindOf(o).kind === 'CiliumClusterwideNetworkPolicy' ? undefined : namespaceOf(o)
  const specs = [...(obj(o).spec === undefined ? [] : [obj(o).spec]), ...items(obj(o).specs)].map(obj)
  return specs.map((r): Rule => {
    const dd = obj(r.enableDefaultDeny)
    const own = requirements(r.endpointSelector)
    // CNP: the policy's namespace is injected, overwriting a user `k8s:` namespace requirement (§2.3)
    const subject = ns === undefined ? own : [...own.filter((q) => parseKey(q.key).source !== 'k8s' || parseKey(q.key).key !== NS), { key: `k8s:${NS}`, operator: 'In', values: [ns] }]
    return {
      ns,
      selects: (inv, p) =>
        p._tag === 'pod' &&
        (r.nodeSelector !== undefined ? p.pod.hostNetwork && matches(requirements(r.nodeSelector), nodeLabels(inv, p.pod)) : !p.pod.hostNetwork && matches(subject, identity(inv, p, p.pod.node))),
      entries: { ingress: items(r.ingress), ingressDeny: items(r.ingressDeny), egress: items(r.egress), egressDeny: items(r.egressDeny) },
      defaultDeny: { ingress: dd.ingress !== false, egress: dd.egress !== false }
    }
  })
}

/** §5: a Kubernetes NetworkPolicy as Cilium's `ParseNetworkPolicy` reads it, written as CNP elements. */
const knpRule = (o: unknown): Rule => {
  const spec = obj(obj(o).spec)
  const ns = namespaceOf(o)
  const types = knpPolicyTypes(spec)
  const prefixed = (sel: unknown, prefix: string): ReadonlyArray<Requirement> => requirements(sel).map((r) => ({ ...r, key: `k8s:${prefix}${r.key}` }))
  const peer = (p: Obj, d: Dir): Obj => {
    const pre = d === 'ingress' ? 'from' : 'to'
    if (p.ipBlock !== undefined) return { [`${pre}CIDRSet`]: [p.ipBlock] }
    const nsReqs: ReadonlyArray<Requirement> =
      p.namespaceSelector === undefined ? [{ key: `k8s:${NS}`, operator: 'In', values: [ns] }]
        : requirements(p.namespaceSelector).length === 0 ? [{ key: `k8s:${NS}`, operator: 'Exists', values: [] }] : prefixed(p.namespaceSelector, NS_LABELS)
    return { [`${pre}Endpoints`]: [{ matchExpressions: [...prefixed(p.podSelector, ''), ...nsReqs] }] }
  }
  const elements = (d: Dir): ReadonlyArray<unknown> => {
    const rules = items(spec[d]).map(obj)
    const wanted = d === 'ingress' ? types.includes('Ingress') || !types.includes('Egress') : types.includes('Egress')
    if (rules.length === 0) return wanted ? [{}] : [] // an entry with no peer: default deny, allows nothing
    return rules.flatMap((r) => {
      const ports = items(r.ports).map(obj)
      const toPorts = ports.length === 0 ? {} : { toPorts: [{ ports: ports.map((p) => ({ port: String(p.port ?? '0'), endPort: p.endPort, protocol: str(p.protocol) ?? 'TCP' })) }] }
      const peers = items(r[d === 'ingress' ? 'from' : 'to']).map(obj)
      return (peers.length === 0 ? [{ [d === 'ingress' ? 'fromEntities' : 'toEntities']: ['all'] }] : peers.map((p) => peer(p, d))).map((x) => ({ ...x, ...toPorts }))
    })
  }
  const subject: ReadonlyArray<Requirement> = [...prefixed(spec.podSelector, ''), { key: `k8s:${NS}`, operator: 'In', values: [ns] }]
  return {
    ns,
    selects: (inv, p) => p._tag === 'pod' && !p.pod.hostNetwork && matches(subject, identity(inv, p, p.pod.node)),
    entries: { ingress: elements('ingress'), ingressDeny: [], egress: elements('egress'), egressDeny: [] },
    defaultDeny: { ingress: true, egress: true }
  }
}

// -------------------------------------------------------------------------------------
// evaluation (§4.1, §4.2, §4.7)
// -------------------------------------------------------------------------------------

const cache = new WeakMap<ReadonlyArray<unknown>, ReadonlyArray<Rule>>()

const rulesOf = (docs: ReadonlyArray<unknown>): ReadonlyArray<Rule> => {
  const hit = cache.get(docs)
  if (hit !== undefined) return hit
  const isCilium = (o: unknown): boolean =>
    kindOf(o).apiVersion === 'cilium.io/v2' && (kindOf(o).kind === 'CiliumNetworkPolicy' || kindOf(o).kind === 'CiliumClusterwideNetworkPolicy')
  const groups = docs.filter((o) => kindOf(o).kind === 'CiliumCIDRGroup' && (kindOf(o).apiVersion === 'cilium.io/v2alpha1' || kindOf(o).apiVersion === 'cilium.io/v2'))
  const rules = docs.flatMap((o) => (isKnp(o) ? [knpRule(o)] : isCilium(o) ? ciliumRules(withGroups(o, groups)) : []))
  cache.set(docs, rules)
  return rules
}

/** The policy with every CIDRSet item that references CiliumCIDRGroups replaced by their CIDRs (module comment). */
const withGroups = (o: unknown, groups: ReadonlyArray<unknown>): unknown => {
  if (groups.length === 0) return o
  const cidrsOf = (g: unknown): ReadonlyArray<string> => strings(obj(obj(g).spec).externalCIDRs)
  const item = (c: unknown): ReadonlyArray<unknown> => {
    const x = obj(c)
    const ref = str(x.cidrGroupRef)
    const sel = x.cidrGroupSelector
    if (ref === undefined && sel === undefined) return [c]
    const chosen = groups.filter((g) =>
      ref !== undefined ? str(obj(obj(g).metadata).name) === ref : requirements(sel).every((q) => requirementHolds(q, (k) => strMap(obj(obj(g).metadata).labels)[k]))
    )
    return chosen.flatMap(cidrsOf).map((cidr) => ({ cidr, except: strings(x.except) }))
  }
  const element = (el: unknown): unknown => {
    const e = obj(el)
    return { ...e, ...(e.fromCIDRSet === undefined ? {} : { fromCIDRSet: items(e.fromCIDRSet).flatMap(item) }), ...(e.toCIDRSet === undefined ? {} : { toCIDRSet: items(e.toCIDRSet).flatMap(item) }) }
  }
  const rule = (r: unknown): unknown => {
    const x = obj(r)
    const out: Record<string, unknown> = { ...x }
    for (const k of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) if (x[k] !== undefined) out[k] = items(x[k]).map(element)
    return out
  }
  const p = obj(o)
  return { ...p, ...(p.spec === undefined ? {} : { spec: rule(p.spec) }), ...(p.specs === undefined ? {} : { specs: items(p.specs).map(rule) }) }
}

const verdict = (rules: ReadonlyArray<Rule>, d: Dir, f: Flow): boolean => {
  const deny = d === 'ingress' ? 'ingressDeny' : 'egressDeny'
  const applying = rules.filter((r) => r.selects(f.inv, f.subject) && r.entries[d].length + r.entries[deny].length > 0)
  if (applying.length === 0) return true
  const hit = (r: Rule, el: unknown, allow: boolean): boolean => peerMatches(obj(el), d, allow, r.ns, f) && portsMatch(obj(el), d, f)
  if (applying.some((r) => r.entries[deny].some((el) => hit(r, el, false)))) return false
  if (applying.some((r) => r.entries[d].some((el) => hit(r, el, true)))) return true
  const localHost = d === 'ingress' && f.peer._tag === 'pod' && f.peer.pod.hostNetwork && f.subject._tag === 'pod' && !f.subject.pod.hostNetwork && isLocal(f.peer.pod, f.here)
  return localHost || !applying.some((r) => r.defaultDeny[d])
}

const nodeOf = (p: Peer): string | undefined => (p._tag === 'pod' ? p.pod.node : undefined)

export const allowed = (policies: ReadonlyArray<unknown>, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number): boolean => {
  const rules = rulesOf(policies)
  return (
    verdict(rules, 'egress', { inv, subject: from, peer: to, here: nodeOf(from), protocol, port }) &&
    verdict(rules, 'ingress', { inv, subject: to, peer: from, here: nodeOf(to), protocol, port })
  )
}

export const table = tableOf(allowed)
