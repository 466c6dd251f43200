/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) and AdminNetworkPolicy /
 * BaselineAdminNetworkPolicy (v1alpha1) → IR, the mapping `ir-mapping.md` documents:
 *
 * - one cluster-scoped policy in tier `kube-admin` (Admin, ANP) or `kube-baseline` (Baseline,
 *   BANP) at order = `priority` (BANP: 0, it is the only one); `defaultDeny` false in both
 *   directions (no implicit isolation); a direction without rules is not governed;
 * - subjects and `namespaces`/`pods` peers select pods only (`kind(pod)`: never host-network pods);
 * - `networks` → `ipIn` (pod and node addresses included), `nodes` → host endpoints (`kind(host)`)
 *   whose node matches the selector, `domainNames` → `fqdn` atoms;
 * - actions Accept/Allow → allow, Deny → deny, Pass → pass, rules in list order;
 * - `protocols` (v1alpha1 `ports`) absent → every protocol and port; a named port resolves on the
 *   destination pod and matches no address peer (`networks`, `nodes`, `domainNames`): a rule mixing
 *   both becomes two consecutive rules of the same action (pods × all its ports, then addresses ×
 *   its numbered ports), which first-match evaluation treats as their union.
 *
 * Checks beyond the codec: the experimental-channel fields (`nodes`, `domainNames`) and the
 * experimental CEL rule forbidding a named port with address peers are reported as warnings (a
 * standard-channel API server prunes the former and does not check the latter); `domainNames` in a
 * Deny/Pass rule is reported (the API documents it for Accept only); the BANP name must be
 * `default` (CEL); label selectors are validated as the API server does.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../../src/diagnostics.js'
import { decode } from '../../src/io/decode.js'
import type { Path, SourceDoc } from '../../src/io/source.js'
import { at } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import type { ClusterTier } from '../../src/ir/cluster-tiers.js'
import { clusterTier, clusterTierName } from '../../src/ir/cluster-tiers.js'
import * as F from '../../src/ir/formula.js'
import type { Action, DirectionRules, Origin, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { ParseOutput } from '../dialect.js'
import { selectorProblems } from '../kube.js'
import * as K from './codec.js'

// -------------------------------------------------------------------------------------
// selectors
// -------------------------------------------------------------------------------------

/** A LabelSelector as a formula over the labels of `owner`; `{}` is true. */
export const selectorFormula = (sel: K.LabelSelector, owner: F.LabelOwner): F.Formula =>
  F.and(
    ...Object.entries(sel.matchLabels ?? {}).map(([k, v]) => F.labelEquals(owner, k, v)),
    ...(sel.matchExpressions ?? []).map((r) => {
      switch (r.operator) {
        case 'In':
          return F.labelIn(owner, r.key, r.values ?? [])
        case 'NotIn':
          return F.not(F.labelIn(owner, r.key, r.values ?? []))
        case 'Exists':
          return F.exists(owner, r.key)
        case 'DoesNotExist':
          return F.not(F.exists(owner, r.key))
      }
    })
  )

/** Pods (never host-network ones) in namespaces matching `ns` (absent: every namespace) with labels matching `pod`. */
export const podsFormula = (ns: K.LabelSelector | undefined, pod: K.LabelSelector | undefined): F.Formula =>
  F.and(F.kind(['pod']), ns === undefined ? F.tt : selectorFormula(ns, 'namespace'), pod === undefined ? F.tt : selectorFormula(pod, 'endpoint'))

/** Host endpoints (nodes, and the host-network pods that share their addresses) on nodes matching `sel`. */
export const nodesFormula = (sel: K.LabelSelector): F.Formula => F.and(F.kind(['host']), selectorFormula(sel, 'node'))

/**
 * A domain name as an `fqdn` atom: an exact name, or for `*.suffix` (one or more leading labels,
 * never the apex) the pattern `**.suffix` (Cilium's multi-label wildcard, which is how Cilium 1.20
 * converts it: cilium/cilium `pkg/k8s/cluster_network_policy.go`). A trailing dot is dropped.
 */
export const domainFormula = (name: string): F.Formula => {
  const n = name.endsWith('.') ? name.slice(0, -1) : name
  return n.startsWith('*.') ? F.fqdn('pattern', `*${n}`) : F.fqdn('name', n)
}

// -------------------------------------------------------------------------------------
// a version-neutral rule
// -------------------------------------------------------------------------------------

/** One wire peer, either version. */
type Peer = K.EgressPeer

/** One port entry, either version, as a port set with its path. */
interface PortEntry {
  readonly ports: P.PortSet
  readonly named: boolean
}

interface NeutralRule {
  readonly action: Action
  readonly peers: ReadonlyArray<Peer>
  /** undefined: every protocol and port */
  readonly ports: ReadonlyArray<PortEntry> | undefined
  readonly path: Path
  readonly peersKey: 'from' | 'to'
  readonly portsKey: 'protocols' | 'ports'
}

const protocolNumber = { tcp: P.TCP, udp: P.UDP, sctp: P.SCTP } as const

const portOf = (proto: number, p: K.Port): P.PortSet => (p.number !== undefined ? P.port(proto, p.number) : p.range !== undefined ? P.range(proto, p.range.start, p.range.end) : P.empty)

/** A v1alpha2 protocol entry. */
export const protocolEntry = (e: K.Protocol): PortEntry => {
  if (e.destinationNamedPort !== undefined) return { ports: P.named(e.destinationNamedPort), named: true }
  for (const k of ['tcp', 'udp', 'sctp'] as const) {
    const v = e[k]
    if (v !== undefined) return { ports: portOf(protocolNumber[k], v.destinationPort), named: false }
  }
  return { ports: P.empty, named: false }
}

const v1Protocol = (p: 'TCP' | 'UDP' | 'SCTP' | undefined): number => (p === 'UDP' ? P.UDP : p === 'SCTP' ? P.SCTP : P.TCP)

/** A v1alpha1 port entry (absent `protocol`: TCP, the CRD default); a reversed range is an error. */
const portEntryV1 = (doc: SourceDoc, e: K.PortV1, path: Path): E.Either<D.Diagnostic, PortEntry> => {
  if (e.namedPort !== undefined) return E.right({ ports: P.named(e.namedPort), named: true })
  if (e.portNumber !== undefined) return E.right({ ports: P.port(v1Protocol(e.portNumber.protocol), e.portNumber.port), named: false })
  if (e.portRange !== undefined) {
    const r = e.portRange
    if (r.start > r.end) return E.left(D.error('invalid-port', `portRange start ${r.start} must not be greater than end ${r.end}`, at(doc, [...path, 'portRange'])))
    return E.right({ ports: P.range(v1Protocol(r.protocol), r.start, r.end), named: false })
  }
  return E.right({ ports: P.empty, named: false })
}

const isAddressPeer = (p: Peer): boolean => p.networks !== undefined || p.nodes !== undefined || p.domainNames !== undefined

const peerFormula = (p: Peer): F.Formula => {
  if (p.namespaces !== undefined) return podsFormula(p.namespaces, undefined)
  if (p.pods !== undefined) return podsFormula(p.pods.namespaceSelector, p.pods.podSelector)
  if (p.networks !== undefined) {
    let cidrs = C.empty
    for (const n of p.networks) {
      const c = C.parseCidr(n)
      if (E.isRight(c)) cidrs = C.union(cidrs, c.right)
    }
    return F.ipIn(cidrs)
  }
  if (p.nodes !== undefined) return nodesFormula(p.nodes)
  if (p.domainNames !== undefined) return F.or(...p.domainNames.map(domainFormula))
  return F.ff
}

/** The IR rules of one wire rule (one, or two when a named port meets address peers). */
const irRules = (r: NeutralRule, location: D.Location | undefined): ReadonlyArray<Rule> => {
  const rule = (peers: ReadonlyArray<Peer>, entries: ReadonlyArray<PortEntry> | undefined): Rule => ({
    action: r.action,
    peer: F.or(...peers.map(peerFormula)),
    ports: entries === undefined ? P.all : entries.reduce((acc, e) => P.union(acc, e.ports), P.empty),
    l7: undefined,
    location
  })
  const named = r.ports?.some((e) => e.named) ?? false
  const addresses = r.peers.filter(isAddressPeer)
  if (!named || addresses.length === 0) return [rule(r.peers, r.ports)]
  const pods = r.peers.filter((p) => !isAddressPeer(p))
  const numbered = (r.ports ?? []).filter((e) => !e.named)
  return [...(pods.length > 0 ? [rule(pods, r.ports)] : []), ...(numbered.length > 0 ? [rule(addresses, numbered)] : [])]
}

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

const checkRule = (doc: SourceDoc, r: NeutralRule, kind: string, diagnostics: Array<D.Diagnostic>): void => {
  r.peers.forEach((p, i) => {
    const where = [...r.path, r.peersKey, i]
    const sel = (s: K.LabelSelector | undefined, path: Path): void => {
      if (s !== undefined) for (const x of selectorProblems(s)) diagnostics.push(D.error('invalid-selector', x.message, at(doc, [...path, ...x.path])))
    }
    sel(p.namespaces, [...where, 'namespaces'])
    sel(p.pods?.namespaceSelector, [...where, 'pods', 'namespaceSelector'])
    sel(p.pods?.podSelector, [...where, 'pods', 'podSelector'])
    sel(p.nodes, [...where, 'nodes'])
    if (p.nodes !== undefined)
      diagnostics.push(
        D.info('experimental-field', `${kind}: the nodes peer is in the experimental channel of the CRD only; a standard-channel API server prunes it and rejects the then empty peer`, at(doc, [...where, 'nodes']))
      )
    if (p.domainNames !== undefined) {
      diagnostics.push(
        D.info('experimental-field', `${kind}: the domainNames peer is in the experimental channel of the CRD only; a standard-channel API server prunes it and rejects the then empty peer`, at(doc, [...where, 'domainNames']))
      )
      if (r.action !== 'allow')
        diagnostics.push(
          D.warning(
            'domain-names-action',
            `${kind}: domainNames is only supported in Accept rules (network-policy-api DomainName documentation); implementations reject or ignore it in a ${r.action === 'deny' ? 'Deny' : 'Pass'} rule`,
            at(doc, [...where, 'domainNames'])
          )
        )
    }
  })
  if ((r.ports?.some((e) => e.named) ?? false) && r.peers.some(isAddressPeer))
    diagnostics.push(
      D.warning(
        'named-port-with-addresses',
        `${kind}: a named port matches pod destinations only; it matches none of this rule's networks, nodes or domainNames peers (the experimental CRD rejects the combination)`,
        at(doc, [...r.path, r.portsKey])
      )
    )
}

// -------------------------------------------------------------------------------------
// policy
// -------------------------------------------------------------------------------------

interface Neutral {
  readonly kind: 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy'
  readonly metadata: K.ObjectMeta
  readonly tier: ClusterTier
  readonly priority: number
  readonly subject: K.Subject
  readonly ingress: ReadonlyArray<NeutralRule>
  readonly egress: ReadonlyArray<NeutralRule>
}

const withoutLastApplied = (a: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined => {
  if (a === undefined) return undefined
  const { 'kubectl.kubernetes.io/last-applied-configuration': _dropped, ...rest } = a
  return Object.keys(rest).length === 0 ? undefined : rest
}

const actionOf = (a: 'Accept' | 'Allow' | 'Deny' | 'Pass'): Action => (a === 'Deny' ? 'deny' : a === 'Pass' ? 'pass' : 'allow')

const toIr = (doc: SourceDoc, n: Neutral, diagnostics: Array<D.Diagnostic>): PolicySet => {
  const origin: Origin = {
    dialect: 'cnp',
    kind: n.kind,
    namespace: undefined,
    name: n.metadata.name,
    location: at(doc, []),
    labels: n.metadata.labels,
    annotations: withoutLastApplied(n.metadata.annotations)
  }
  if (n.metadata.namespace !== undefined)
    diagnostics.push(D.warning('cluster-scoped', `${n.kind} is cluster-scoped; metadata.namespace "${n.metadata.namespace}" is ignored`, at(doc, ['metadata', 'namespace'])))
  const subjectPath: Path = ['spec', 'subject']
  const s = n.subject
  for (const [sel, path] of [
    [s.namespaces, [...subjectPath, 'namespaces']],
    [s.pods?.namespaceSelector, [...subjectPath, 'pods', 'namespaceSelector']],
    [s.pods?.podSelector, [...subjectPath, 'pods', 'podSelector']]
  ] as const)
    if (sel !== undefined) for (const x of selectorProblems(sel)) diagnostics.push(D.error('invalid-selector', x.message, at(doc, [...path, ...x.path])))
  const direction = (rules: ReadonlyArray<NeutralRule>): DirectionRules | undefined => {
    if (rules.length === 0) return undefined
    for (const r of rules) checkRule(doc, r, n.kind, diagnostics)
    return { defaultDeny: false, rules: rules.flatMap((r) => irRules(r, at(doc, r.path))) }
  }
  const ingress = direction(n.ingress)
  const egress = direction(n.egress)
  if (ingress === undefined && egress === undefined)
    diagnostics.push(D.info('no-rules', `${n.kind} ${n.metadata.name} has no ingress or egress rules; it has no effect`, at(doc, ['spec'])))
  const policy: Policy = {
    _tag: 'Policy',
    origin,
    scope: { _tag: 'cluster' },
    ordering: { tier: clusterTierName[n.tier], order: n.priority },
    subject: s.namespaces !== undefined ? podsFormula(s.namespaces, undefined) : podsFormula(s.pods?.namespaceSelector, s.pods?.podSelector),
    ingress,
    egress
  }
  return { policies: [policy], tiers: [clusterTier(n.tier, origin)], networkSets: [] }
}

const empty: PolicySet = { policies: [], tiers: [], networkSets: [] }

const finish = (doc: SourceDoc, n: Neutral | undefined, diagnostics: Array<D.Diagnostic>): ParseOutput => {
  if (n === undefined || D.hasErrors(diagnostics)) return { set: empty, diagnostics }
  const set = toIr(doc, n, diagnostics)
  return D.hasErrors(diagnostics) ? { set: empty, diagnostics } : { set, diagnostics }
}

const protocolEntries = (ps: ReadonlyArray<K.Protocol> | undefined): ReadonlyArray<PortEntry> | undefined => ps?.map(protocolEntry)

/** policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy. */
export const parseCnp = (doc: SourceDoc): ParseOutput => {
  const decoded = decode(K.ClusterNetworkPolicy, doc, doc.value)
  if (E.isLeft(decoded)) return { set: empty, diagnostics: decoded.left }
  const { metadata, spec } = decoded.right
  const rules = (rs: ReadonlyArray<K.IngressRule | K.EgressRule> | undefined, key: 'ingress' | 'egress'): ReadonlyArray<NeutralRule> =>
    (rs ?? []).map((r, i) => ({
      action: actionOf(r.action),
      peers: 'from' in r ? r.from : r.to,
      ports: protocolEntries(r.protocols),
      path: ['spec', key, i],
      peersKey: key === 'ingress' ? 'from' : 'to',
      portsKey: 'protocols'
    }))
  return finish(
    doc,
    { kind: 'ClusterNetworkPolicy', metadata, tier: spec.tier, priority: spec.priority, subject: spec.subject, ingress: rules(spec.ingress, 'ingress'), egress: rules(spec.egress, 'egress') },
    []
  )
}

/** policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
export const parseV1 = (doc: SourceDoc, kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy'): ParseOutput => {
  const decoded = kind === 'AdminNetworkPolicy' ? decode(K.AdminNetworkPolicy, doc, doc.value) : decode(K.BaselineAdminNetworkPolicy, doc, doc.value)
  if (E.isLeft(decoded)) return { set: empty, diagnostics: decoded.left }
  const v: K.AdminPolicyV1 = decoded.right
  const diagnostics: Array<D.Diagnostic> = []
  if (kind === 'BaselineAdminNetworkPolicy' && v.metadata.name !== 'default')
    diagnostics.push(D.error('invalid-name', `only one BaselineAdminNetworkPolicy may exist, and its name must be "default", not "${v.metadata.name}"`, at(doc, ['metadata', 'name'])))
  const rules = (rs: ReadonlyArray<K.RuleV1> | undefined, key: 'ingress' | 'egress'): ReadonlyArray<NeutralRule> =>
    (rs ?? []).map((r, i) => {
      const path: Path = ['spec', key, i]
      let ports: Array<PortEntry> | undefined
      if (r.ports !== undefined) {
        ports = []
        r.ports.forEach((p, j) => {
          const e = portEntryV1(doc, p, [...path, 'ports', j])
          if (E.isLeft(e)) diagnostics.push(e.left)
          else ports?.push(e.right)
        })
      }
      return { action: actionOf(r.action), peers: (key === 'ingress' ? r.from : r.to) ?? [], ports, path, peersKey: key === 'ingress' ? 'from' : 'to', portsKey: 'ports' }
    })
  return finish(
    doc,
    {
      kind,
      metadata: v.metadata,
      tier: kind === 'AdminNetworkPolicy' ? 'Admin' : 'Baseline',
      priority: v.spec.priority ?? 0,
      subject: v.spec.subject,
      ingress: rules(v.spec.ingress, 'ingress'),
      egress: rules(v.spec.egress, 'egress')
    },
    diagnostics
  )
}
