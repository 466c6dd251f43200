/**
 * io-ts shapes of cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, with the
 * checks of the CRD's OpenAPI schema (enums, patterns, ranges), and — in `validateRule` /
 * `validatePolicy` — the checks Cilium performs beyond the shape (`Rule.Sanitize` and friends).
 *
 * Authority: `cilium/cilium` (read from the fork `devodev/cilium` at 26d721f0fe, VERSION
 * 1.20.0-dev): `pkg/policy/api/*.go`, `pkg/policy/api/rule_validation.go`,
 * `pkg/k8s/apis/cilium.io/v2/{cnp_types.go,ccnp_types.go,validator/validator.go}` and the generated
 * CRD `pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml` (the CCNP CRD has the
 * same rule schema).
 *
 * Normalisations made while decoding (as Cilium does before using a value):
 * - a named `port` is lower-cased (`PortProtocol.sanitize`); a numeric one becomes its canonical
 *   decimal text, read as Go's `strconv.ParseUint(port, 0, 16)` reads it (`"010"` is 8);
 * - an ICMP `type` given as a decimal string becomes a number; a type name stays a string.
 *
 * Agent flags: `enable-extended-ip-protocols` is an option of `validateRule` (default off, as in
 * Cilium). Not checked (documented gaps): the flags that can turn features off
 * (`enable-icmp-rules`, `enable-l7-proxy`; `enable-node-selector-labels`, which from/toNodes
 * need); the Go RE2 syntax of HTTP `path`/`method`; the label-key syntax of selectors.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { describe, intRange, oneOf, refinedString, stringMap, struct } from '../../src/io/decode.js'
import type { Path, PathKey } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as K from '../kube.js'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/** A codec whose decoded value must also pass `check`; each problem is reported at a child key of the value. */
const refine = <A>(
  codec: t.Type<A, unknown, unknown>,
  check: (a: A) => ReadonlyArray<readonly [PathKey, string]>
): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(
    codec.name,
    (u): u is A => codec.is(u) && check(u).length === 0,
    (u, c) => {
      const r = codec.validate(u, c)
      if (E.isLeft(r)) return r
      const problems = check(r.right)
      return problems.length === 0
        ? r
        : t.failures(problems.map(([key, message]) => ({ value: u, context: [...c, { key: String(key), type: t.unknown, actual: u }], message })))
    },
    codec.encode
  )

/** A mapping kept as it is (its contents are not interpreted). */
const opaque = (name: string): t.Type<Readonly<Record<string, unknown>>, unknown, unknown> =>
  new t.Type<Readonly<Record<string, unknown>>, unknown, unknown>(
    name,
    (u): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u),
    (u, c) =>
      typeof u === 'object' && u !== null && !Array.isArray(u)
        ? t.success(u as Readonly<Record<string, unknown>>)
        : t.failure(u, c, `expected ${name} (a mapping), got ${describe(u)}`),
    (a) => a
  )

const list = <A>(codec: t.Type<A, unknown, unknown>): t.Type<ReadonlyArray<A>, unknown, unknown> => t.readonlyArray(codec)

/** A list with at least one item (CRD `minItems: 1`). */
const nonEmptyList = <A>(name: string, codec: t.Type<A, unknown, unknown>): t.Type<ReadonlyArray<A>, unknown, unknown> => {
  const inner = list(codec)
  return new t.Type<ReadonlyArray<A>, unknown, unknown>(
    inner.name,
    (u): u is ReadonlyArray<A> => inner.is(u) && u.length > 0,
    (u, c) => (Array.isArray(u) && u.length === 0 ? t.failure(u, c, `${name} must have at least 1 item`) : inner.validate(u, c)),
    inner.encode
  )
}

/** Length in Unicode code points, as Kubernetes' `maxLength` counts. */
const runeLength = (s: string): number => [...s].length

/** A string no longer than `max` (CRD `maxLength`) matching `ok`. */
const patterned = (name: string, max: number, ok: (s: string) => boolean, expected: string): t.Type<string, string, unknown> =>
  refinedString(name, (s) =>
    runeLength(s) > max ? `invalid ${name} ${describe(s)}: must be at most ${max} characters` : ok(s) ? undefined : `invalid ${name} ${describe(s)}: ${expected}`
  )

const nonEmpty = (name: string): t.Type<string, string, unknown> => refinedString(name, (s) => (s.length === 0 ? `${name} must not be empty` : undefined))

// -------------------------------------------------------------------------------------
// primitives
// -------------------------------------------------------------------------------------

/** `CIDRRule.cidr` and `except`: prefix notation only (`netip.ParsePrefix` in `CIDRRule.sanitize`; CRD `format: cidr`). */
export const Cidr = refinedString('CIDR', (s) =>
  E.match<string, C.CidrSet, string | undefined>(
    (why) => why,
    () => undefined
  )(C.parseCidr(s))
)

/**
 * `fromCIDR`/`toCIDR` items: a prefix or a bare address (`CIDR.sanitize` falls back to
 * `netip.ParseAddr`). Note: the CRD declares these `format: cidr`, which the API server checks
 * with `net.ParseCIDR`, so a bare address only passes where the CRD schema is not applied.
 */
export const CidrOrIp = refinedString('CIDR', (s) =>
  E.match<string, C.CidrSet, string | undefined>(
    (why) => why,
    () => undefined
  )(C.parseIpOrCidr(s))
)

/** `iana.IsSvcName` (`pkg/iana/svcname.go`): 1-15 characters, letters, digits and single inner '-', at least one letter. */
export const isServiceName = (s: string): boolean =>
  s.length >= 1 && s.length <= 15 && /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/.test(s) && /[a-zA-Z]/.test(s)

/** Go's `underscoreOK` (strconv): underscores only between digits or after a base prefix. */
const underscoreOk = (s: string): boolean => {
  let saw = '^'
  let i = 0
  let hex = false
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1] ?? '')) {
    i = 2
    saw = '0'
    hex = s[1] === 'x' || s[1] === 'X'
  }
  for (; i < s.length; i++) {
    const ch = s[i] ?? ''
    if (/[0-9]/.test(ch) || (hex && /[a-fA-F]/.test(ch))) {
      saw = '0'
      continue
    }
    if (ch === '_') {
      if (saw !== '0') return false
      saw = '_'
      continue
    }
    if (saw === '_') return false
    saw = '!'
  }
  return saw !== '_'
}

/** Go's `strconv.ParseUint(s, 0, 16)`: decimal, `0` octal, `0x`/`0o`/`0b` prefixes, `_` separators; undefined when it fails. */
export const parseGoUint16 = (s: string): number | undefined => {
  if (s.length === 0 || !underscoreOk(s)) return undefined
  let base = 10
  let i = 0
  if (s[0] === '0') {
    const p = (s[1] ?? '').toLowerCase()
    if (s.length >= 3 && (p === 'x' || p === 'o' || p === 'b')) {
      base = p === 'x' ? 16 : p === 'o' ? 8 : 2
      i = 2
    } else {
      base = 8
      i = 1
    }
  }
  let n = 0
  for (; i < s.length; i++) {
    const ch = s[i] ?? ''
    if (ch === '_') continue
    const d = parseInt(ch, 36)
    if (Number.isNaN(d) || d >= base) return undefined
    n = n * base + d
    if (n > 65535) return undefined
  }
  return n
}

/**
 * `port`: a string in Cilium's API (`PortProtocol.Port string`). The CRD declares it
 * `type: string` (with a pattern), not `x-kubernetes-int-or-string`, so the API server rejects a
 * YAML integer (`must be of type string`), and so does this codec. A service name is
 * lower-cased; a number (0-65535, read as Go's `ParseUint(port, 0, 16)` reads it) becomes its
 * decimal text.
 */
export const PortString = new t.Type<string, string, unknown>(
  'port',
  (u): u is string => typeof u === 'string' && (isServiceName(u) ? u === u.toLowerCase() : parseGoUint16(u) !== undefined && String(parseGoUint16(u)) === u),
  (u, c) => {
    if (typeof u === 'number')
      return t.failure(u, c, `invalid port ${describe(u)}: Cilium's CRD declares port as a string (not int-or-string); quote it: "${String(u)}"`)
    if (typeof u !== 'string') return t.failure(u, c, `invalid port ${describe(u)}: expected a string`)
    if (isServiceName(u)) return t.success(u.toLowerCase())
    const n = parseGoUint16(u)
    return n === undefined
      ? t.failure(u, c, `invalid port ${describe(u)}: expected a number from 0 to 65535 or a port name (1-15 letters, digits and '-', with at least one letter)`)
      : t.success(String(n))
  },
  (a) => a
)

/** Entities usable in a CNP/CCNP (CRD enum, `pkg/policy/api/entity.go`; `world-ipv4`/`world-ipv6` are not in the enum). */
export const entities = ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'] as const
export const Entity = oneOf('entity', entities)
export type Entity = t.TypeOf<typeof Entity>

/** L4 protocols of `PortProtocol` (CRD enum; `VRRP`/`IGMP` since 1.19 and only with `enable-extended-ip-protocols`). */
export const protocols = ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'] as const
export const Protocol = oneOf('protocol', protocols)
export type Protocol = t.TypeOf<typeof Protocol>

/** A `matchLabels` value (CRD pattern of label values, at most 63 characters). */
const labelValueProblem = (v: string): string | undefined =>
  v.length > 63
    ? 'must be at most 63 characters'
    : /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)
      ? undefined
      : "must be empty or begin and end with a letter or digit and contain only letters, digits, '-', '_' and '.'"

const labelValueMap = new t.Type<Readonly<Record<string, string>>, unknown, unknown>(
  'matchLabels',
  (u): u is Readonly<Record<string, string>> =>
    typeof u === 'object' && u !== null && !Array.isArray(u) && Object.values(u).every((v) => typeof v === 'string' && labelValueProblem(v) === undefined),
  (u, c) => {
    const r = stringMap('matchLabels').validate(u, c)
    if (E.isLeft(r)) return r
    const errors: t.Errors = Object.entries(r.right).flatMap(([k, v]) => {
      const why = labelValueProblem(v)
      return why === undefined ? [] : [{ value: v, context: [...c, { key: k, type: t.string, actual: v }], message: `invalid label value ${describe(v)}: ${why}` }]
    })
    return errors.length === 0 ? r : t.failures(errors)
  },
  (a) => a
)

/** DNS names: `([-a-zA-Z0-9_]+[.]?)+` written without nested quantifiers (same language, no catastrophic backtracking). */
const fqdnName = /^[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$/
const fqdnPattern = /^[-a-zA-Z0-9_*]+(\.[-a-zA-Z0-9_*]+)*\.?$/
const serverName = /^(\*?\*\.)?[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$/

/** `matchName` (CRD pattern `^([-a-zA-Z0-9_]+[.]?)+$`, max 255; `fqdn.go`). */
export const MatchName = patterned('matchName', 255, (s) => fqdnName.test(s), "only letters, digits, '-', '_' and single '.' between labels are allowed")
/** `matchPattern` (CRD pattern `^([-a-zA-Z0-9_*]+[.]?)+$`, max 255; `fqdn.go`, `pkg/fqdn/matchpattern`). */
export const MatchPattern = patterned(
  'matchPattern',
  255,
  (s) => fqdnPattern.test(s),
  "only letters, digits, '-', '_', '*' and single '.' between labels are allowed"
)

// -------------------------------------------------------------------------------------
// selectors, CIDRs, services, FQDNs
// -------------------------------------------------------------------------------------

/**
 * An EndpointSelector (`selector.go`): a Kubernetes LabelSelector. Keys may carry a source prefix
 * (`k8s:`, `any:`, `reserved:`, …) and are kept as written. Same type as the k8s dialect's.
 */
export const EndpointSelector: t.Type<K.LabelSelector, unknown, unknown> = struct(
  'EndpointSelector',
  {},
  { matchLabels: labelValueMap, matchExpressions: list(K.LabelSelectorRequirement) }
)
export type EndpointSelector = K.LabelSelector

/** `CIDRRule` (`cidr.go`): one of `cidr`, `cidrGroupRef`, `cidrGroupSelector` (checked by `validateRule`), plus `except`. */
export const CIDRRule = struct(
  'CIDRRule',
  {},
  {
    cidr: Cidr,
    cidrGroupRef: patterned(
      'cidrGroupRef',
      253,
      (s) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s),
      "expected a lower-case DNS subdomain name (letters, digits, '-' and '.')"
    ),
    cidrGroupSelector: EndpointSelector,
    except: list(Cidr)
  }
)
export type CIDRRule = t.TypeOf<typeof CIDRRule>

/** `toServices` items (`service.go`): `k8sService` or `k8sServiceSelector`; an omitted namespace matches every namespace. */
export const K8sServiceNamespace = struct('K8sServiceNamespace', {}, { serviceName: t.string, namespace: t.string })
export type K8sServiceNamespace = t.TypeOf<typeof K8sServiceNamespace>

export const K8sServiceSelectorNamespace = struct('K8sServiceSelectorNamespace', { selector: EndpointSelector }, { namespace: t.string })
export type K8sServiceSelectorNamespace = t.TypeOf<typeof K8sServiceSelectorNamespace>

export const Service = struct('Service', {}, { k8sService: K8sServiceNamespace, k8sServiceSelector: K8sServiceSelectorNamespace })
export type Service = t.TypeOf<typeof Service>

/** `toFQDNs` items (`fqdn.go`): exactly one of `matchName`, `matchPattern` (checked by `validateRule`). */
export const FQDNSelector = struct('FQDNSelector', {}, { matchName: MatchName, matchPattern: MatchPattern })
export type FQDNSelector = t.TypeOf<typeof FQDNSelector>

/** `fromGroups`/`toGroups` items (`groups.go`, AWS security groups): kept opaque. */
export const Groups = opaque('Groups')

// -------------------------------------------------------------------------------------
// ICMP
// -------------------------------------------------------------------------------------

/** ICMP type names → numbers, per family (`icmpIpv4TypeNameToCode` / `icmpIpv6TypeNameToCode` in `pkg/policy/api/icmp.go`). */
export const icmpTypeNames: {
  readonly IPv4: Readonly<Record<string, number>>
  readonly IPv6: Readonly<Record<string, number>>
} = {
  IPv4: {
    EchoReply: 0,
    DestinationUnreachable: 3,
    Redirect: 5,
    Echo: 8,
    EchoRequest: 8,
    RouterAdvertisement: 9,
    RouterSelection: 10,
    TimeExceeded: 11,
    ParameterProblem: 12,
    Timestamp: 13,
    TimestampReply: 14,
    Photuris: 40,
    ExtendedEchoRequest: 42,
    ExtendedEchoReply: 43
  },
  IPv6: {
    DestinationUnreachable: 1,
    PacketTooBig: 2,
    TimeExceeded: 3,
    ParameterProblem: 4,
    EchoRequest: 128,
    EchoReply: 129,
    MulticastListenerQuery: 130,
    MulticastListenerReport: 131,
    MulticastListenerDone: 132,
    RouterSolicitation: 133,
    RouterAdvertisement: 134,
    NeighborSolicitation: 135,
    NeighborAdvertisement: 136,
    RedirectMessage: 137,
    RouterRenumbering: 138,
    ICMPNodeInformationQuery: 139,
    ICMPNodeInformationResponse: 140,
    InverseNeighborDiscoverySolicitation: 141,
    InverseNeighborDiscoveryAdvertisement: 142,
    HomeAgentAddressDiscoveryRequest: 144,
    HomeAgentAddressDiscoveryReply: 145,
    MobilePrefixSolicitation: 146,
    MobilePrefixAdvertisement: 147,
    DuplicateAddressRequestCodeSuffix: 157,
    DuplicateAddressConfirmationCodeSuffix: 158,
    ExtendedEchoRequest: 160,
    ExtendedEchoReply: 161
  }
}

export type IcmpFamily = keyof typeof icmpTypeNames

/**
 * ICMP `type`: int-or-string in the CRD. An integer 0-255 or a decimal string (decoded to a
 * number), or a CamelCase type name (kept; checked against the family by `ICMPField`).
 */
export const IcmpType = new t.Type<number | string, number | string, unknown>(
  'ICMP type',
  (u): u is number | string => (typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 255) || (typeof u === 'string' && /^[A-Za-z]+$/.test(u)),
  (u, c) => {
    const bad = `invalid ICMP type ${describe(u)}: expected an integer from 0 to 255 or an ICMP type name`
    if (typeof u === 'number') return Number.isInteger(u) && u >= 0 && u <= 255 ? t.success(u) : t.failure(u, c, bad)
    if (typeof u !== 'string') return t.failure(u, c, bad)
    if (/^(0|[1-9][0-9]{0,2})$/.test(u) && Number(u) <= 255) return t.success(Number(u))
    return /^[A-Za-z]+$/.test(u) ? t.success(u) : t.failure(u, c, bad)
  },
  (a) => a
)

/** Names the CRD's `type` pattern cannot match although icmp.go knows them: the pattern spells it "ExtendedEcho Reply". */
const icmpNamesRejectedByCrd: ReadonlySet<string> = new Set(['ExtendedEchoReply'])

/** `ICMPField` (`icmp.go`): `family` defaults to IPv4; a type name must exist in that family (`ICMPField.UnmarshalJSON`). */
export const ICMPField = refine(
  struct('ICMPField', { type: IcmpType }, { family: oneOf('family', ['IPv4', 'IPv6'] as const) }),
  (f): ReadonlyArray<readonly [PathKey, string]> => {
    if (typeof f.type === 'number') return []
    const family = f.family ?? 'IPv4'
    const n = icmpTypeNames[family][f.type]
    if (n === undefined) return [['type', `ICMP type ${f.type} not found in ${family}`]]
    if (icmpNamesRejectedByCrd.has(f.type))
      return [['type', `ICMP type name ${f.type} is rejected by Cilium's CRD (its pattern misspells it "ExtendedEcho Reply"); use the number ${n}`]]
    return []
  }
)
export type ICMPField = t.TypeOf<typeof ICMPField>

/** The ICMP type number of a field (undefined only for a name that is not in its family's table). */
export const icmpTypeNumber = (f: ICMPField): number | undefined => (typeof f.type === 'number' ? f.type : icmpTypeNames[f.family ?? 'IPv4'][f.type])

export const ICMPRule = struct('ICMPRule', {}, { fields: list(ICMPField) })
export type ICMPRule = t.TypeOf<typeof ICMPRule>

// -------------------------------------------------------------------------------------
// ports and L7
// -------------------------------------------------------------------------------------

/** `PortProtocol` (`l4.go`). `port` is required by `validateRule` (use "0" for every port); `endPort` is inclusive. */
export const PortProtocol = struct('PortProtocol', {}, { port: PortString, endPort: intRange('endPort', 0, 65535), protocol: Protocol })
export type PortProtocol = t.TypeOf<typeof PortProtocol>

export const Secret = struct('Secret', { name: t.string }, { namespace: t.string })
export type Secret = t.TypeOf<typeof Secret>

/** `TLSContext` (`l4.go`): `terminatingTLS` / `originatingTLS`. */
export const TLSContext = struct('TLSContext', { secret: Secret }, { trustedCA: t.string, certificate: t.string, privateKey: t.string })
export type TLSContext = t.TypeOf<typeof TLSContext>

export const EnvoyConfig = struct(
  'EnvoyConfig',
  { name: nonEmpty('envoyConfig.name') },
  { kind: oneOf('kind', ['CiliumEnvoyConfig', 'CiliumClusterwideEnvoyConfig'] as const) }
)
export type EnvoyConfig = t.TypeOf<typeof EnvoyConfig>

/** `Listener` (`l4.go`): redirect to a custom Envoy listener. */
export const Listener = struct('Listener', { envoyConfig: EnvoyConfig, name: nonEmpty('listener name') }, { priority: intRange('priority', 1, 100) })
export type Listener = t.TypeOf<typeof Listener>

export const HeaderMatch = struct(
  'HeaderMatch',
  { name: nonEmpty('header name') },
  { value: t.string, secret: Secret, mismatch: oneOf('mismatch action', ['LOG', 'ADD', 'DELETE', 'REPLACE'] as const) }
)
export type HeaderMatch = t.TypeOf<typeof HeaderMatch>

/** `PortRuleHTTP` (`http.go`): `path`, `method`, `host` are POSIX extended regexes; `headers` require presence. */
export const PortRuleHTTP = struct(
  'PortRuleHTTP',
  {},
  { path: t.string, method: t.string, host: t.string, headers: list(t.string), headerMatches: list(HeaderMatch) }
)
export type PortRuleHTTP = t.TypeOf<typeof PortRuleHTTP>

/** Kafka rule (`github.com/cilium/proxy/pkg/policy/api/kafka`; deprecated). */
export const PortRuleKafka = struct(
  'PortRuleKafka',
  {},
  {
    role: oneOf('Kafka role', ['produce', 'consume'] as const),
    apiKey: t.string,
    apiVersion: t.string,
    clientID: t.string,
    topic: refinedString('topic', (s) => (runeLength(s) > 255 ? 'Kafka topic must be at most 255 characters' : undefined))
  }
)
export type PortRuleKafka = t.TypeOf<typeof PortRuleKafka>

/** `PortRuleDNS` (`fqdn.go`): exactly one of `matchName`, `matchPattern` (checked by `validateRule`). */
export const PortRuleDNS = struct('PortRuleDNS', {}, { matchName: MatchName, matchPattern: MatchPattern })
export type PortRuleDNS = t.TypeOf<typeof PortRuleDNS>

/** `L7Rules` (`l4.go`): one of `http`, `kafka`, `dns`, or `l7proto` with `l7` (checked by `validateRule`). */
export const L7Rules = struct(
  'L7Rules',
  {},
  { http: list(PortRuleHTTP), kafka: list(PortRuleKafka), dns: list(PortRuleDNS), l7proto: t.string, l7: list(stringMap('l7')) }
)
export type L7Rules = t.TypeOf<typeof L7Rules>

const ServerName = patterned('server name', 255, (s) => serverName.test(s), "expected a DNS name, optionally prefixed by '*.' or '**.'")

/** `PortRule` (`l4.go`) of allow rules. */
export const PortRule = struct(
  'PortRule',
  {},
  {
    ports: list(PortProtocol),
    terminatingTLS: TLSContext,
    originatingTLS: TLSContext,
    serverNames: nonEmptyList('serverNames', ServerName),
    listener: Listener,
    rules: L7Rules
  }
)
export type PortRule = t.TypeOf<typeof PortRule>

/** `PortDenyRule` (`l4.go`) of deny rules: ports only (no L7, TLS, SNI or listener). */
export const PortDenyRule = struct('PortDenyRule', {}, { ports: list(PortProtocol) })
export type PortDenyRule = t.TypeOf<typeof PortDenyRule>

export const authenticationModes = ['disabled', 'required', 'test-always-fail'] as const
export const Authentication = struct('Authentication', { mode: oneOf('authentication mode', authenticationModes) }, {})
export type Authentication = t.TypeOf<typeof Authentication>

// -------------------------------------------------------------------------------------
// ingress and egress rules
// -------------------------------------------------------------------------------------

/**
 * `fromRequires`/`toRequires`: deprecated in 1.17 and removed in 1.19 (the CRD keeps the field
 * with `maxItems: 0`). Decoded opaquely (pre-1.19 items were EndpointSelectors, the current CRD
 * says strings) so that `validateRule` can reject it with a position; see `requiresPaths`.
 */
const Requires = list(t.unknown)

/** `IngressCommonRule` (`ingress.go`). */
const ingressCommon = {
  fromEndpoints: list(EndpointSelector),
  fromRequires: Requires,
  fromCIDR: list(CidrOrIp),
  fromCIDRSet: list(CIDRRule),
  fromEntities: list(Entity),
  fromGroups: list(Groups),
  fromNodes: list(EndpointSelector)
}

/** `EgressCommonRule` (`egress.go`). */
const egressCommon = {
  toEndpoints: list(EndpointSelector),
  toRequires: Requires,
  toCIDR: list(CidrOrIp),
  toCIDRSet: list(CIDRRule),
  toEntities: list(Entity),
  toServices: list(Service),
  toGroups: list(Groups),
  toNodes: list(EndpointSelector)
}

export const IngressRule = struct(
  'IngressRule',
  {},
  { ...ingressCommon, toPorts: list(PortRule), icmps: list(ICMPRule), authentication: Authentication }
)
export type IngressRule = t.TypeOf<typeof IngressRule>

export const IngressDenyRule = struct('IngressDenyRule', {}, { ...ingressCommon, toPorts: list(PortDenyRule), icmps: list(ICMPRule) })
export type IngressDenyRule = t.TypeOf<typeof IngressDenyRule>

export const EgressRule = struct(
  'EgressRule',
  {},
  { ...egressCommon, toPorts: list(PortRule), toFQDNs: list(FQDNSelector), icmps: list(ICMPRule), authentication: Authentication }
)
export type EgressRule = t.TypeOf<typeof EgressRule>

export const EgressDenyRule = struct('EgressDenyRule', {}, { ...egressCommon, toPorts: list(PortDenyRule), icmps: list(ICMPRule) })
export type EgressDenyRule = t.TypeOf<typeof EgressDenyRule>

// -------------------------------------------------------------------------------------
// rule and resources
// -------------------------------------------------------------------------------------

/** `LabelArray` items (`pkg/labels`): metadata only. */
export const RuleLabel = struct('Label', { key: t.string }, { value: t.string, source: t.string })
export type RuleLabel = t.TypeOf<typeof RuleLabel>

/** `DefaultDenyConfig` (`rule.go`, 1.16+). */
export const DefaultDenyConfig = struct('DefaultDenyConfig', {}, { ingress: t.boolean, egress: t.boolean })
export type DefaultDenyConfig = t.TypeOf<typeof DefaultDenyConfig>

/** `LogConfig` (`rule.go`, 1.18+): `value` at most 32 printable characters (CRD pattern `^\PC*$`). */
export const LogConfig = struct(
  'LogConfig',
  {},
  { value: patterned('log value', 32, (s) => /^\P{C}*$/u.test(s), 'must contain only printable characters') }
)
export type LogConfig = t.TypeOf<typeof LogConfig>

/** `Rule` (`rule.go`). */
export const Rule = struct(
  'Rule',
  {},
  {
    endpointSelector: EndpointSelector,
    nodeSelector: EndpointSelector,
    ingress: list(IngressRule),
    ingressDeny: list(IngressDenyRule),
    egress: list(EgressRule),
    egressDeny: list(EgressDenyRule),
    enableDefaultDeny: DefaultDenyConfig,
    labels: list(RuleLabel),
    description: t.string,
    log: LogConfig
  }
)
export type Rule = t.TypeOf<typeof Rule>

const resource = <Kind extends string>(kind: Kind) =>
  struct(
    kind,
    { apiVersion: t.literal('cilium.io/v2'), kind: t.literal(kind), metadata: K.ObjectMeta },
    { spec: Rule, specs: list(Rule), status: t.unknown }
  )

/** A CiliumNetworkPolicy (`cnp_types.go`): `spec` and/or `specs`; `status` is allowed and ignored. */
export const CiliumNetworkPolicy = resource('CiliumNetworkPolicy')
export type CiliumNetworkPolicy = t.TypeOf<typeof CiliumNetworkPolicy>

/** A CiliumClusterwideNetworkPolicy (`ccnp_types.go`): as a CNP, without namespace, and `nodeSelector` allowed. */
export const CiliumClusterwideNetworkPolicy = resource('CiliumClusterwideNetworkPolicy')
export type CiliumClusterwideNetworkPolicy = t.TypeOf<typeof CiliumClusterwideNetworkPolicy>

export type CiliumPolicy = CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy
export type CiliumPolicyKind = CiliumPolicy['kind']

/** Either kind, chosen by `kind` (anything else is decoded, and reported, as a CiliumNetworkPolicy). */
export const CiliumPolicy = new t.Type<CiliumPolicy, unknown, unknown>(
  'CiliumPolicy',
  (u): u is CiliumPolicy => CiliumNetworkPolicy.is(u) || CiliumClusterwideNetworkPolicy.is(u),
  (u, c) =>
    typeof u === 'object' && u !== null && (u as Record<string, unknown>)['kind'] === 'CiliumClusterwideNetworkPolicy'
      ? CiliumClusterwideNetworkPolicy.validate(u, c)
      : CiliumNetworkPolicy.validate(u, c),
  (a) => a
)

/** True for a document this module decodes: apiVersion `cilium.io/v2` and one of the two policy kinds. */
export const isCiliumPolicyDocument = (u: unknown): u is { readonly apiVersion: 'cilium.io/v2'; readonly kind: CiliumPolicyKind } =>
  typeof u === 'object' &&
  u !== null &&
  (u as Record<string, unknown>)['apiVersion'] === 'cilium.io/v2' &&
  ((u as Record<string, unknown>)['kind'] === 'CiliumNetworkPolicy' || (u as Record<string, unknown>)['kind'] === 'CiliumClusterwideNetworkPolicy')

// -------------------------------------------------------------------------------------
// validation beyond the shape
// -------------------------------------------------------------------------------------

/** A problem found by `validateRule` / `validatePolicy`, at a key path (relative to the value given, prefixed by `base`). */
export interface Problem {
  readonly path: Path
  readonly message: string
}

export interface ValidateOptions {
  /** The rule belongs to a CiliumClusterwideNetworkPolicy (true) or a CiliumNetworkPolicy (false). */
  readonly clusterwide: boolean
  /**
   * The agent flag `enable-extended-ip-protocols` (default false, as in Cilium): with it, a port
   * entry may omit `port` (e.g. `protocol: VRRP`).
   */
  readonly extendedIPProtocols?: boolean
}

/** Max ports per PortRule and ICMP fields per ICMPRule (`maxPorts`, `maxICMPFields` in rule_validation.go). */
export const maxPorts = 40
export const maxICMPFields = 40

const len = (xs: ReadonlyArray<unknown> | undefined): number => xs?.length ?? 0

/** `L7Rules.Len()` (`l4.go`): the number of L7 rule entries; 0 means "no L7" even when `rules` is present. */
export const l7RuleCount = (rules: L7Rules | undefined): number =>
  rules === undefined ? 0 : len(rules.http) + len(rules.kafka) + len(rules.dns) + len(rules.l7)

/** Paths of every non-empty `fromRequires` / `toRequires` in a rule (the field Cilium ≥ 1.19 rejects). */
export const requiresPaths = (rule: Rule, base: Path = []): ReadonlyArray<Path> => [
  ...(rule.ingress ?? []).flatMap((r, i) => (len(r.fromRequires) > 0 ? [[...base, 'ingress', i, 'fromRequires']] : [])),
  ...(rule.ingressDeny ?? []).flatMap((r, i) => (len(r.fromRequires) > 0 ? [[...base, 'ingressDeny', i, 'fromRequires']] : [])),
  ...(rule.egress ?? []).flatMap((r, i) => (len(r.toRequires) > 0 ? [[...base, 'egress', i, 'toRequires']] : [])),
  ...(rule.egressDeny ?? []).flatMap((r, i) => (len(r.toRequires) > 0 ? [[...base, 'egressDeny', i, 'toRequires']] : []))
]

type Add = (path: Path, message: string) => void

/** `EndpointSelector.Sanitize` → `ValidateLabelSelector` (selector.go): In/NotIn need values, Exists/DoesNotExist take none. */
const checkSelector = (add: Add, sel: EndpointSelector, path: Path): void =>
  K.selectorProblems(sel).forEach((p) => add([...path, ...p.path], `invalid label selector: ${p.message}`))

const checkSelectors = (add: Add, sels: ReadonlyArray<EndpointSelector> | undefined, path: Path): void =>
  (sels ?? []).forEach((s, i) => checkSelector(add, s, [...path, i]))

/** "combining X and Y is not supported yet" (rule_validation.go `IngressCommonRule.sanitize` / `EgressCommonRule.sanitize`): reported at Y. */
const checkOnePeerKind = (add: Add, path: Path, members: ReadonlyArray<readonly [goName: string, field: string, count: number]>): void => {
  const present = members.filter(([, , n]) => n > 0)
  const [a, b] = present
  if (a !== undefined && b !== undefined) add([...path, b[1]], `combining ${a[0]} and ${b[0]} is not supported yet`)
}

/** `CIDRRule.sanitize` (rule_validation.go): one of cidr/cidrGroupRef/cidrGroupSelector; except addresses inside cidr. */
const checkCidrRules = (add: Add, rules: ReadonlyArray<CIDRRule> | undefined, path: Path): void =>
  (rules ?? []).forEach((r, i) => {
    const p = [...path, i]
    const set = [r.cidr !== undefined, r.cidrGroupRef !== undefined, r.cidrGroupSelector !== undefined].filter((b) => b).length
    if (set === 0) return add(p, 'one of cidr, cidrGroupRef, or cidrGroupSelector is required')
    if (set > 1) return add(p, 'more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set')
    if (r.cidrGroupSelector !== undefined) checkSelector(add, r.cidrGroupSelector, [...p, 'cidrGroupSelector'])
    if (r.cidr === undefined) return
    const allow = C.parseCidr(r.cidr)
    if (E.isLeft(allow)) return
    // `prefix.Contains(except.Addr())`: the except's address (as written) must be inside cidr, same family
    ;(r.except ?? []).forEach((x, j) => {
      const addr = C.parseIp(x.split('/')[0] ?? '')
      if (E.isRight(addr) && !C.contains(allow.right, addr.right))
        add([...p, 'except', j], `allow CIDR prefix ${r.cidr ?? ''} does not contain exclude CIDR prefix ${x}`)
    })
  })

/** "fromRequires" / "toRequires": CRD `maxItems: 0` since 1.19 (`c98e572b9f`; upgrade notes of 1.19). */
const checkRequires = (add: Add, field: 'fromRequires' | 'toRequires', xs: ReadonlyArray<unknown> | undefined, path: Path): void => {
  if (len(xs) > 0) add([...path, field], `${field} is not supported: it was deprecated in Cilium 1.17 and removed in 1.19 (the CRD allows no items)`)
}

const checkIngressCommon = (add: Add, r: IngressRule | IngressDenyRule, p: Path): void => {
  // rule_validation.go IngressCommonRule.sanitize (l3Members, in the order of its map literal)
  checkOnePeerKind(add, p, [
    ['FromEndpoints', 'fromEndpoints', len(r.fromEndpoints)],
    ['FromCIDR', 'fromCIDR', len(r.fromCIDR)],
    ['FromCIDRSet', 'fromCIDRSet', len(r.fromCIDRSet)],
    ['FromEntities', 'fromEntities', len(r.fromEntities)],
    ['FromNodes', 'fromNodes', len(r.fromNodes)],
    ['FromGroups', 'fromGroups', len(r.fromGroups)]
  ])
  checkRequires(add, 'fromRequires', r.fromRequires, p)
  checkSelectors(add, r.fromEndpoints, [...p, 'fromEndpoints'])
  checkSelectors(add, r.fromNodes, [...p, 'fromNodes'])
  checkCidrRules(add, r.fromCIDRSet, [...p, 'fromCIDRSet'])
}

const checkEgressCommon = (add: Add, r: EgressRule | EgressDenyRule, fqdns: number, p: Path): void => {
  // rule_validation.go EgressCommonRule.l3Members + EgressRule.l3Members (ToFQDNs), in map-literal order
  checkOnePeerKind(add, p, [
    ['ToCIDR', 'toCIDR', len(r.toCIDR)],
    ['ToCIDRSet', 'toCIDRSet', len(r.toCIDRSet)],
    ['ToEndpoints', 'toEndpoints', len(r.toEndpoints)],
    ['ToEntities', 'toEntities', len(r.toEntities)],
    ['ToServices', 'toServices', len(r.toServices)],
    ['ToGroups', 'toGroups', len(r.toGroups)],
    ['ToNodes', 'toNodes', len(r.toNodes)],
    ['ToFQDNs', 'toFQDNs', fqdns]
  ])
  checkRequires(add, 'toRequires', r.toRequires, p)
  checkSelectors(add, r.toEndpoints, [...p, 'toEndpoints'])
  checkSelectors(add, r.toNodes, [...p, 'toNodes'])
  checkCidrRules(add, r.toCIDRSet, [...p, 'toCIDRSet'])
}

/** `errUnsupportedICMPWithToPorts` (rule_validation.go): icmps and toPorts may not share a rule. */
const checkIcmpsWithPorts = (add: Add, r: { readonly icmps?: ReadonlyArray<ICMPRule>; readonly toPorts?: ReadonlyArray<unknown> }, p: Path): void => {
  if (len(r.icmps) > 0 && len(r.toPorts) > 0)
    add([...p, 'icmps'], 'the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts')
}

/** `ICMPRule.verify` (rule_validation.go): at most 40 fields. */
const checkIcmps = (add: Add, icmps: ReadonlyArray<ICMPRule> | undefined, p: Path): void =>
  (icmps ?? []).forEach((r, i) => {
    if (len(r.fields) > maxICMPFields) add([...p, 'icmps', i, 'fields'], `too many types, the max is ${maxICMPFields}`)
  })

/** `FQDNSelector.sanitize` (fqdn.go) and the CRD's oneOf: exactly one of matchName, matchPattern. */
const checkFqdn = (add: Add, s: FQDNSelector | PortRuleDNS, p: Path): void => {
  if (s.matchName !== undefined && s.matchPattern !== undefined) add(p, 'only one of MatchName or MatchPattern is allowed in an FQDNSelector')
  else if (s.matchName === undefined && s.matchPattern === undefined) add(p, 'one of matchName or matchPattern is required')
}

/** `PortProtocol.sanitize` (rule_validation.go); returns whether the port is 0. */
const checkPortProtocol = (add: Add, options: ValidateOptions, pp: PortProtocol, hasDNSRules: boolean, p: Path): boolean => {
  if (pp.port === undefined) {
    if (options.extendedIPProtocols === true) return false
    add(
      p,
      pp.protocol === 'VRRP' || pp.protocol === 'IGMP'
        ? `port must be specified (a ${pp.protocol} entry may omit it only with the agent flag enable-extended-ip-protocols)`
        : 'port must be specified'
    )
    return false
  }
  if (isServiceName(pp.port)) return false
  if (pp.port !== '0' && (pp.protocol === 'VRRP' || pp.protocol === 'IGMP')) add([...p, 'port'], 'port must be empty or 0')
  const n = Number(pp.port)
  if (hasDNSRules && pp.endPort !== undefined && pp.endPort > n) add([...p, 'endPort'], 'DNS rules do not support port ranges')
  return n === 0
}

/** `PortRule.sanitize` + `L7Rules.sanitize` (rule_validation.go), plus the CRD's oneOf over `rules`. */
const checkPortRule = (add: Add, options: ValidateOptions, pr: PortRule, ingress: boolean, p: Path): void => {
  const rules = pr.rules
  const l7 = l7RuleCount(rules)
  const hasDNSRules = len(rules?.dns) > 0
  if (rules !== undefined) {
    const kinds = (['http', 'kafka', 'dns', 'l7proto'] as const).filter((k) => rules[k] !== undefined)
    if (kinds.length > 1) add([...p, 'rules'], 'multiple L7 protocol rule types specified in single rule')
    else if (kinds.length === 0)
      add([...p, 'rules'], rules.l7 !== undefined ? "'l7' may only be specified when a 'l7proto' is also specified" : 'rules must set one of http, kafka, dns or l7proto')
  }
  if (len(pr.serverNames) > 0 && l7 > 0 && pr.terminatingTLS === undefined)
    add([...p, 'serverNames'], 'ServerNames are not allowed with L7 rules without TLS termination')
  const ports = pr.ports ?? []
  if (ports.length > maxPorts) add([...p, 'ports'], `too many ports, the max is ${maxPorts}`)
  let zeroPort: number | undefined
  ports.forEach((pp, i) => {
    const where = [...p, 'ports', i]
    if (checkPortProtocol(add, options, pp, hasDNSRules, where)) zeroPort ??= i
    // DNS L7 rules can be TCP, UDP or ANY, all others are TCP only
    if (l7 > 0 && !hasDNSRules && pp.protocol !== 'TCP')
      add(pp.protocol === undefined ? where : [...where, 'protocol'], `L7 rules can only apply to TCP (not ${pp.protocol ?? 'ANY'}) except for DNS rules`)
  })
  if (pr.listener !== undefined) {
    if (ingress) add([...p, 'listener'], `Listener is not allowed on ingress (${pr.listener.name})`)
    if (l7 > 0) add([...p, 'listener'], `Listener is not allowed with L7 rules (${pr.listener.name})`)
  }
  if (l7 === 0 || rules === undefined) return
  if (zeroPort !== undefined) add([...p, 'ports', zeroPort, 'port'], 'L7 rules can not be used when a port is 0')
  if (rules.dns !== undefined && ports.length === 0) add([...p, 'rules', 'dns'], 'port 53 must be specified for DNS rules')
  ;(rules.dns ?? []).forEach((d, i) => checkFqdn(add, d, [...p, 'rules', 'dns', i]))
  ;(rules.http ?? []).forEach((h, i) =>
    (h.headerMatches ?? []).forEach((m, j) => {
      // PortRuleHTTP.Sanitize (http.go)
      if (m.secret !== undefined && m.secret.name === '') add([...p, 'rules', 'http', i, 'headerMatches', j, 'secret'], 'Secret name missing')
    })
  )
  ;(rules.kafka ?? []).forEach((k, i) => checkKafka(add, k, [...p, 'rules', 'kafka', i]))
  ;(rules.l7 ?? []).forEach((m, i) => {
    // PortRuleL7.Sanitize (l7.go)
    if (Object.keys(m).includes('')) add([...p, 'rules', 'l7', i], 'Empty key not allowed')
  })
}

/** Kafka API keys (`APIKeyMap` in github.com/cilium/proxy/pkg/policy/api/kafka/kafka.go). */
const kafkaApiKeys: ReadonlySet<string> = new Set([
  'produce',
  'fetch',
  'offsets',
  'metadata',
  'leaderandisr',
  'stopreplica',
  'updatemetadata',
  'controlledshutdown',
  'offsetcommit',
  'offsetfetch',
  'findcoordinator',
  'joingroup',
  'heartbeat',
  'leavegroup',
  'syncgroup',
  'describegroups',
  'listgroups',
  'saslhandshake',
  'apiversions',
  'createtopics',
  'deletetopics',
  'deleterecords',
  'initproducerid',
  'offsetforleaderepoch',
  'addpartitionstotxn',
  'addoffsetstotxn',
  'endtxn',
  'writetxnmarkers',
  'txnoffsetcommit',
  'describeacls',
  'createacls',
  'deleteacls',
  'describeconfigs',
  'alterconfigs'
])

/** `kafka.PortRule.Sanitize` (github.com/cilium/proxy/pkg/policy/api/kafka/kafka.go). */
const checkKafka = (add: Add, k: PortRuleKafka, p: Path): void => {
  if (k.apiKey !== undefined && k.apiKey !== '' && k.role !== undefined)
    add(p, `cannot set both Role ${JSON.stringify(k.role)} and APIKey ${JSON.stringify(k.apiKey)} together`)
  if (k.apiKey !== undefined && k.apiKey !== '' && !kafkaApiKeys.has(k.apiKey.toLowerCase()))
    add([...p, 'apiKey'], `invalid Kafka APIKey ${JSON.stringify(k.apiKey)}`)
  if (k.apiVersion !== undefined && k.apiVersion !== '' && !(/^[+-]?[0-9]+$/.test(k.apiVersion) && Number(k.apiVersion) >= 0 && Number(k.apiVersion) <= 32767))
    add([...p, 'apiVersion'], `invalid Kafka APIVersion ${JSON.stringify(k.apiVersion)}`)
  if (k.topic !== undefined && k.topic !== '' && !/^[a-zA-Z0-9\\._\\-]+$/.test(k.topic)) add([...p, 'topic'], `invalid Kafka Topic name ${JSON.stringify(k.topic)}`)
}

/** `PortDenyRule.sanitize` (rule_validation.go). */
const checkPortDenyRule = (add: Add, options: ValidateOptions, pr: PortDenyRule, p: Path): void => {
  const ports = pr.ports ?? []
  if (ports.length > maxPorts) add([...p, 'ports'], `too many ports, the max is ${maxPorts}`)
  ports.forEach((pp, i) => checkPortProtocol(add, options, pp, false, [...p, 'ports', i]))
}

/** Where the first rule of an L7 kind is, among a rule's toPorts. */
const firstL7 = (ports: ReadonlyArray<PortRule> | undefined, kind: 'dns' | 'http' | 'kafka', p: Path): Path | undefined => {
  const j = (ports ?? []).findIndex((pr) => l7RuleCount(pr.rules) > 0 && len(pr.rules?.[kind]) > 0)
  return j < 0 ? undefined : [...p, 'toPorts', j, 'rules', kind]
}

/** Selector keys naming the reserved:init label (`checkInitLabelsPolicy`, validator/validator.go). */
const mentionsInit = (sel: EndpointSelector): boolean =>
  Object.keys(sel.matchLabels ?? {}).includes('reserved:init') || (sel.matchExpressions ?? []).some((r) => r.key === 'reserved:init')

/**
 * The checks Cilium performs on a decoded rule beyond the CRD's shape, with Cilium's messages:
 * `Rule.Sanitize` and friends (`pkg/policy/api/rule_validation.go`), the CNP/CCNP `Parse`
 * (`pkg/k8s/apis/cilium.io/v2/{cnp,ccnp}_types.go`), the CRD's `oneOf`/`maxItems` constraints
 * that the codecs leave to this stage, and `checkInitLabelsPolicy`
 * (`pkg/k8s/apis/cilium.io/v2/validator/validator.go`). Where Cilium stops at the first error,
 * every problem is reported. Paths are `base` + the path inside the rule.
 */
export const validateRule = (rule: Rule, options: ValidateOptions, base: Path = []): ReadonlyArray<Problem> => {
  const out: Array<Problem> = []
  const add: Add = (path, message) => {
    out.push({ path, message })
  }

  // rule_validation.go Rule.Sanitize (1.18+, commit 4af386d181); the CRD's anyOf requires one of the keys
  if (len(rule.ingress) + len(rule.ingressDeny) + len(rule.egress) + len(rule.egressDeny) === 0)
    add(base, 'rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny')

  // rule_validation.go Rule.Sanitize; CRD oneOf [endpointSelector, nodeSelector]
  if (rule.endpointSelector === undefined && rule.nodeSelector === undefined) add(base, 'rule must have one of EndpointSelector or NodeSelector')
  else if (rule.endpointSelector !== undefined && rule.nodeSelector !== undefined)
    add([...base, 'nodeSelector'], 'rule cannot have both EndpointSelector and NodeSelector')
  // cnp_types.go CiliumNetworkPolicy.Parse: node selectors (host policies) exist only in CCNPs
  else if (!options.clusterwide && rule.nodeSelector !== undefined) add([...base, 'nodeSelector'], 'rule cannot have NodeSelector')

  if (rule.endpointSelector !== undefined) {
    checkSelector(add, rule.endpointSelector, [...base, 'endpointSelector'])
    // validator/validator.go checkInitLabelsPolicy (errInitPolicyCNP)
    if (!options.clusterwide && mentionsInit(rule.endpointSelector))
      add([...base, 'endpointSelector'], 'CiliumNetworkPolicy incorrectly matches reserved:init label')
  }
  if (rule.nodeSelector !== undefined) checkSelector(add, rule.nodeSelector, [...base, 'nodeSelector'])
  const hostPolicy = rule.nodeSelector !== undefined

  ;(rule.ingress ?? []).forEach((r, i) => {
    const p = [...base, 'ingress', i]
    checkIngressCommon(add, r, p)
    // rule_validation.go IngressRule.sanitize: countL7Rules has entries as soon as one PortRule has L7 rules
    if (hostPolicy && (r.toPorts ?? []).some((pr) => l7RuleCount(pr.rules) > 0))
      add([...p, 'toPorts'], 'L7 policy is not supported on host ingress yet')
    // rule_validation.go IngressRule.sanitize (l7IngressSupport: DNS false)
    const dns = firstL7(r.toPorts, 'dns', p)
    if (dns !== undefined) add(dns, 'L7 protocol DNS is not supported on ingress yet')
    checkIcmpsWithPorts(add, r, p)
    ;(r.toPorts ?? []).forEach((pr, j) => checkPortRule(add, options, pr, true, [...p, 'toPorts', j]))
    checkIcmps(add, r.icmps, p)
  })

  ;(rule.ingressDeny ?? []).forEach((r, i) => {
    // rule_validation.go IngressDenyRule.sanitize
    const p = [...base, 'ingressDeny', i]
    checkIngressCommon(add, r, p)
    checkIcmpsWithPorts(add, r, p)
    ;(r.toPorts ?? []).forEach((pr, j) => checkPortDenyRule(add, options, pr, [...p, 'toPorts', j]))
    checkIcmps(add, r.icmps, p)
  })

  ;(rule.egress ?? []).forEach((r, i) => {
    // rule_validation.go EgressRule.sanitize
    const p = [...base, 'egress', i]
    checkEgressCommon(add, r, len(r.toFQDNs), p)
    if (hostPolicy)
      for (const [kind, name] of [
        ['http', 'HTTP'],
        ['kafka', 'Kafka']
      ] as const) {
        const at = firstL7(r.toPorts, kind, p)
        if (at !== undefined) add(at, `L7 protocol ${name} is not supported on host egress yet`)
      }
    checkIcmpsWithPorts(add, r, p)
    ;(r.toPorts ?? []).forEach((pr, j) => checkPortRule(add, options, pr, false, [...p, 'toPorts', j]))
    checkIcmps(add, r.icmps, p)
    ;(r.toFQDNs ?? []).forEach((f, j) => checkFqdn(add, f, [...p, 'toFQDNs', j]))
  })

  ;(rule.egressDeny ?? []).forEach((r, i) => {
    // rule_validation.go EgressDenyRule.sanitize
    const p = [...base, 'egressDeny', i]
    checkEgressCommon(add, r, 0, p)
    checkIcmpsWithPorts(add, r, p)
    ;(r.toPorts ?? []).forEach((pr, j) => checkPortDenyRule(add, options, pr, [...p, 'toPorts', j]))
    checkIcmps(add, r.icmps, p)
  })

  return out
}

/**
 * `validateRule` over every rule of a policy (`spec` at `['spec']`, `specs[i]` at
 * `['specs', i]`), plus the empty-policy check of `Parse` (`ErrEmptyCNP` / `ErrEmptyCCNP`,
 * `pkg/k8s/apis/cilium.io/v2/errors.go`).
 */
export const validatePolicy = (policy: CiliumPolicy, flags: Omit<ValidateOptions, 'clusterwide'> = {}): ReadonlyArray<Problem> => {
  if (policy.spec === undefined && policy.specs === undefined) return [{ path: [], message: `Invalid ${policy.kind} spec(s): empty policy` }]
  const options: ValidateOptions = { ...flags, clusterwide: policy.kind === 'CiliumClusterwideNetworkPolicy' }
  return [
    ...(policy.spec === undefined ? [] : validateRule(policy.spec, options, ['spec'])),
    ...(policy.specs ?? []).flatMap((r, i) => validateRule(r, options, ['specs', i]))
  ]
}
