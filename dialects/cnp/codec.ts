/**
 * io-ts shapes of the cluster-scoped Kubernetes network policies, with the CRDs' validation:
 *
 * - policy.networking.k8s.io/v1alpha2 `ClusterNetworkPolicy` (kubernetes-sigs/network-policy-api
 *   `apis/v1alpha2/clusternetworkpolicy_types.go`, generated CRDs
 *   `config/crd/{standard,experimental}/policy.networking.k8s.io_clusternetworkpolicies.yaml`);
 * - policy.networking.k8s.io/v1alpha1 `AdminNetworkPolicy` and `BaselineAdminNetworkPolicy`
 *   (`apis/v1alpha1/{adminnetworkpolicy_types,baselineadminnetworkpolicy_types,shared_types}.go` at
 *   v0.1.7, the last v1alpha1 release).
 *
 * What the OpenAPI schema says is checked here: enums, integer ranges, `minItems`/`maxItems`,
 * `maxLength`, the CIDR and domain-name formats, the port range CEL rule `self.start < self.end`
 * and the "exactly one field" (`minProperties`/`maxProperties: 1`) of subjects, peers, protocols
 * and ports. Fields only the experimental channel has (`nodes`, `domainNames`) decode here and are
 * reported by `parse.ts`, which also checks the cross-field CEL rules.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as C from '../../src/ir/cidr.js'
import { describe, intRange, oneOf, refinedString, struct } from '../../src/io/decode.js'
import { LabelSelector, ObjectMeta } from '../kube.js'

export { LabelSelector, LabelSelectorRequirement, ObjectMeta } from '../kube.js'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** A list with `min`..`max` items (CRD `minItems`/`maxItems`). */
export const bounded = <A>(name: string, codec: t.Type<A, unknown, unknown>, min: number, max: number): t.Type<ReadonlyArray<A>, unknown, unknown> => {
  const inner = t.readonlyArray(codec)
  return new t.Type<ReadonlyArray<A>, unknown, unknown>(
    inner.name,
    (u): u is ReadonlyArray<A> => inner.is(u) && u.length >= min && u.length <= max,
    (u, c) =>
      Array.isArray(u) && u.length < min
        ? t.failure(u, c, `${name} must have at least ${min} item${min === 1 ? '' : 's'}`)
        : Array.isArray(u) && u.length > max
          ? t.failure(u, c, `${name} must have at most ${max} items, has ${u.length}`)
          : inner.validate(u, c),
    inner.encode
  )
}

/** A list whose items are distinct (CRD `x-kubernetes-list-type: set`). */
const setOf = (name: string, codec: t.Type<string, string, unknown>, min: number, max: number): t.Type<ReadonlyArray<string>, unknown, unknown> => {
  const inner = bounded(name, codec, min, max)
  return new t.Type<ReadonlyArray<string>, unknown, unknown>(
    inner.name,
    (u): u is ReadonlyArray<string> => inner.is(u) && new Set(u).size === u.length,
    (u, c) => {
      const r = inner.validate(u, c)
      if (E.isLeft(r)) return r
      const dup = r.right.findIndex((x, i) => r.right.indexOf(x) !== i)
      return dup < 0 ? r : t.failure(u, [...c, { key: String(dup), type: codec, actual: r.right[dup] }], `duplicate entry ${describe(r.right[dup])} in ${name}`)
    },
    inner.encode
  )
}

/** A mapping that sets exactly one of its fields (CRD `minProperties: 1`, `maxProperties: 1`). */
const exactlyOne = <A extends object>(codec: t.Type<A, unknown, unknown>, fields: ReadonlyArray<string>): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(
    codec.name,
    (u): u is A => codec.is(u),
    (u, c) => {
      const r = codec.validate(u, c)
      if (E.isLeft(r)) return r
      const set = fields.filter((f) => (r.right as Record<string, unknown>)[f] !== undefined)
      return set.length === 1
        ? r
        : t.failure(u, c, set.length === 0 ? `${codec.name} must set exactly one of ${fields.join(', ')}` : `${codec.name} must set exactly one of ${fields.join(', ')}, not ${set.join(' and ')}`)
    },
    codec.encode
  )

/** Length in Unicode code points, as Kubernetes' `maxLength` counts. */
const runeLength = (s: string): number => [...s].length

const maxLength = (name: string, max: number): t.Type<string, string, unknown> =>
  refinedString(name, (s) => (runeLength(s) > max ? `${name} must be at most ${max} characters` : undefined))

// -------------------------------------------------------------------------------------
// primitives
// -------------------------------------------------------------------------------------

/** `CIDR`: `maxLength: 43` and CEL `isCIDR(self)` (an IPv4 or IPv6 prefix). */
export const Cidr = refinedString('CIDR', (s) =>
  runeLength(s) > 43
    ? 'CIDR must be at most 43 characters'
    : E.match<string, C.CidrSet, string | undefined>(
        (why) => why,
        () => undefined
      )(C.parseCidr(s))
)

/**
 * `DomainName`, the CRD pattern copied verbatim (its `A-z` class also admits `[`, `\`, `]`, `^`,
 * `_` and the backtick, as the API server does).
 */
export const domainNamePattern = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/

export const DomainName = refinedString('domain name', (s) =>
  domainNamePattern.test(s) ? undefined : `invalid domain name ${describe(s)}: expected DNS labels separated by ".", optionally starting with "*."`
)

const PortNumber = intRange('port', 1, 65535)

export const PortRange = new t.Type<{ readonly start: number; readonly end: number }, unknown, unknown>(
  'PortRange',
  (u): u is { readonly start: number; readonly end: number } => typeof u === 'object' && u !== null,
  (u, c) => {
    const r = struct('PortRange', { start: PortNumber, end: PortNumber }, {}).validate(u, c)
    if (E.isLeft(r)) return r
    // CEL on PortRange: "Start port must be less than End port"
    return r.right.start < r.right.end ? r : t.failure(u, c, `Start port must be less than End port (start ${r.right.start}, end ${r.right.end})`)
  },
  (a) => a
)

/** v1alpha2 `Port`: exactly one of `number` and `range`. */
export const Port = exactlyOne(struct('Port', {}, { number: PortNumber, range: PortRange }), ['number', 'range'])
export type Port = t.TypeOf<typeof Port>

/** v1alpha2 `ProtocolPort` (`tcp`, `udp`, `sctp`): `minProperties: 1`, so `destinationPort` is required. */
const ProtocolPort = (name: string) => struct(name, { destinationPort: Port }, {})

export const Protocol = exactlyOne(
  struct('protocol', {}, { tcp: ProtocolPort('tcp'), udp: ProtocolPort('udp'), sctp: ProtocolPort('sctp'), destinationNamedPort: t.string }),
  ['tcp', 'udp', 'sctp', 'destinationNamedPort']
)
export type Protocol = t.TypeOf<typeof Protocol>

// -------------------------------------------------------------------------------------
// subjects and peers (both versions)
// -------------------------------------------------------------------------------------

/** v1alpha2 `NamespacedPod`: `namespaceSelector` optional (absent = every namespace). */
export const NamespacedPod = struct('NamespacedPod', { podSelector: LabelSelector }, { namespaceSelector: LabelSelector })
export type NamespacedPod = t.TypeOf<typeof NamespacedPod>

/** v1alpha1 `NamespacedPod`: both selectors required. */
export const NamespacedPodV1 = struct('NamespacedPod', { namespaceSelector: LabelSelector, podSelector: LabelSelector }, {})

const subjectOf = <P extends t.Mixed>(pods: P) =>
  exactlyOne(struct('subject', {}, { namespaces: LabelSelector, pods }), ['namespaces', 'pods'])

export const Subject = subjectOf(NamespacedPod)
export const SubjectV1 = subjectOf(NamespacedPodV1)
export interface Subject {
  readonly namespaces?: LabelSelector
  readonly pods?: { readonly namespaceSelector?: LabelSelector; readonly podSelector: LabelSelector }
}

export interface IngressPeer {
  readonly namespaces?: LabelSelector
  readonly pods?: { readonly namespaceSelector?: LabelSelector; readonly podSelector: LabelSelector }
}
export interface EgressPeer extends IngressPeer {
  readonly networks?: ReadonlyArray<string>
  readonly nodes?: LabelSelector
  readonly domainNames?: ReadonlyArray<string>
}

const ingressPeerOf = <P extends t.Mixed>(pods: P) => exactlyOne(struct('ingress peer', {}, { namespaces: LabelSelector, pods }), ['namespaces', 'pods'])

const egressPeerFields = ['namespaces', 'pods', 'networks', 'nodes', 'domainNames']

const egressPeerOf = <P extends t.Mixed>(pods: P, domainNames: boolean) =>
  exactlyOne(
    struct(
      'egress peer',
      {},
      {
        namespaces: LabelSelector,
        pods,
        networks: setOf('networks', Cidr, 1, 25),
        nodes: LabelSelector,
        ...(domainNames ? { domainNames: setOf('domainNames', DomainName, 1, 25) } : {})
      }
    ),
    domainNames ? egressPeerFields : egressPeerFields.filter((f) => f !== 'domainNames')
  )

// -------------------------------------------------------------------------------------
// v1alpha2 ClusterNetworkPolicy
// -------------------------------------------------------------------------------------

export const Action = oneOf('action', ['Accept', 'Deny', 'Pass'] as const)
export const Tier = oneOf('tier', ['Admin', 'Baseline'] as const)

const RuleName = maxLength('rule name', 100)

export const IngressRule = struct(
  'ClusterNetworkPolicyIngressRule',
  { action: Action, from: bounded('from', ingressPeerOf(NamespacedPod), 1, 25) },
  { name: RuleName, protocols: bounded('protocols', Protocol, 1, 25) }
)
export type IngressRule = t.TypeOf<typeof IngressRule>

export const EgressRule = struct(
  'ClusterNetworkPolicyEgressRule',
  { action: Action, to: bounded('to', egressPeerOf(NamespacedPod, true), 1, 25) },
  { name: RuleName, protocols: bounded('protocols', Protocol, 1, 25) }
)
export type EgressRule = t.TypeOf<typeof EgressRule>

export const ClusterNetworkPolicySpec = struct(
  'ClusterNetworkPolicySpec',
  { tier: Tier, priority: intRange('priority', 0, 1000), subject: Subject },
  { ingress: bounded('ingress', IngressRule, 0, 25), egress: bounded('egress', EgressRule, 0, 25) }
)
export type ClusterNetworkPolicySpec = t.TypeOf<typeof ClusterNetworkPolicySpec>

/** `status` (conditions written by implementations) and other top-level fields of a `kubectl get` dump are allowed. */
export const ClusterNetworkPolicy = struct(
  'ClusterNetworkPolicy',
  {
    apiVersion: t.literal('policy.networking.k8s.io/v1alpha2'),
    kind: t.literal('ClusterNetworkPolicy'),
    metadata: ObjectMeta,
    spec: ClusterNetworkPolicySpec
  },
  {},
  { allowUnknown: true }
)
export type ClusterNetworkPolicy = t.TypeOf<typeof ClusterNetworkPolicy>

// -------------------------------------------------------------------------------------
// v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy
// -------------------------------------------------------------------------------------

/** `protocol` of a v1alpha1 port: core `v1.Protocol`, defaulted to TCP by the CRD. */
const ProtocolV1 = oneOf('protocol', ['TCP', 'UDP', 'SCTP'] as const)

export const PortV1 = exactlyOne(
  struct(
    'AdminNetworkPolicyPort',
    {},
    {
      portNumber: struct('portNumber', { port: PortNumber }, { protocol: ProtocolV1 }),
      portRange: struct('portRange', { start: PortNumber, end: PortNumber }, { protocol: ProtocolV1 }),
      namedPort: t.string
    }
  ),
  ['portNumber', 'portRange', 'namedPort']
)
export type PortV1 = t.TypeOf<typeof PortV1>

const ruleV1 = <P>(name: string, actions: ReadonlyArray<'Allow' | 'Deny' | 'Pass'>, peersKey: 'from' | 'to', peer: t.Type<P, unknown, unknown>) =>
  struct(
    name,
    { action: oneOf('action', actions), [peersKey]: bounded(peersKey, peer, 1, 100) },
    { name: RuleName, ports: bounded('ports', PortV1, 1, 100) }
  )

export interface RuleV1 {
  readonly name?: string
  readonly action: 'Allow' | 'Deny' | 'Pass'
  readonly from?: ReadonlyArray<IngressPeer>
  readonly to?: ReadonlyArray<EgressPeer>
  readonly ports?: ReadonlyArray<PortV1>
}

const anpIngress = ruleV1('AdminNetworkPolicyIngressRule', ['Allow', 'Deny', 'Pass'], 'from', ingressPeerOf(NamespacedPodV1))
const anpEgress = ruleV1('AdminNetworkPolicyEgressRule', ['Allow', 'Deny', 'Pass'], 'to', egressPeerOf(NamespacedPodV1, true))
const banpIngress = ruleV1('BaselineAdminNetworkPolicyIngressRule', ['Allow', 'Deny'], 'from', ingressPeerOf(NamespacedPodV1))
const banpEgress = ruleV1('BaselineAdminNetworkPolicyEgressRule', ['Allow', 'Deny'], 'to', egressPeerOf(NamespacedPodV1, false))

export const AdminNetworkPolicy = struct(
  'AdminNetworkPolicy',
  {
    apiVersion: t.literal('policy.networking.k8s.io/v1alpha1'),
    kind: t.literal('AdminNetworkPolicy'),
    metadata: ObjectMeta,
    spec: struct(
      'AdminNetworkPolicySpec',
      { priority: intRange('priority', 0, 1000), subject: SubjectV1 },
      { ingress: bounded('ingress', anpIngress, 0, 100), egress: bounded('egress', anpEgress, 0, 100) }
    )
  },
  {},
  { allowUnknown: true }
)

export const BaselineAdminNetworkPolicy = struct(
  'BaselineAdminNetworkPolicy',
  {
    apiVersion: t.literal('policy.networking.k8s.io/v1alpha1'),
    kind: t.literal('BaselineAdminNetworkPolicy'),
    metadata: ObjectMeta,
    spec: struct(
      'BaselineAdminNetworkPolicySpec',
      { subject: SubjectV1 },
      { ingress: bounded('ingress', banpIngress, 0, 100), egress: bounded('egress', banpEgress, 0, 100) }
    )
  },
  {},
  { allowUnknown: true }
)

/** Either v1alpha1 kind, decoded into one shape (BANP has no priority). */
export interface AdminPolicyV1 {
  readonly metadata: ObjectMeta
  readonly spec: {
    readonly priority?: number
    readonly subject: Subject
    readonly ingress?: ReadonlyArray<RuleV1>
    readonly egress?: ReadonlyArray<RuleV1>
  }
}

