/**
 * io-ts shapes of Calico's policy resources, in both API groups that show up in practice:
 *
 * - `projectcalico.org/v3`: what users write and what calicoctl / the Calico API server return;
 * - `crd.projectcalico.org/v1`: the CRDs Calico stores them in, as seen in `kubectl get -o yaml`
 *   dumps. The spec is the same Go struct (`libcalico-go/lib/apis/crd.projectcalico.org/v1/*_types.go`
 *   embed the v3 specs); only the metadata differs (see {@link v1Metadata}).
 *
 * Kinds: NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy, StagedGlobalNetworkPolicy,
 * StagedKubernetesNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier.
 *
 * The field-level checks are Calico's: the Go types and kubebuilder markers in
 * `api/pkg/apis/projectcalico/v3/*.go`, the JSON decoding of `api/pkg/lib/numorstring/*.go` and
 * the field validators of `libcalico-go/lib/validator/v3/validator.go`. Ports and protocols
 * decode to small ADTs. Rules Calico checks across fields (CEL rules on the types and the struct
 * validators) are not expressible field by field; {@link ruleProblems} and {@link policyProblems}
 * check them on decoded values.
 *
 * Selectors are kept as strings (length-checked only); their syntax is checked where they are
 * parsed (`selector.ts`).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as C from '../../src/ir/cidr.js'
import * as D from '../../src/diagnostics.js'
import { describe, intRange, oneOf, pathText, refinedString, stringMap, struct } from '../../src/io/decode.js'
import type { Path, SourceDoc } from '../../src/io/source.js'
import { LabelSelectorRequirement, ObjectMeta, ValidLabelSelector, ianaServiceNameProblem } from '../kube.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

/**
 * A list of `codec` values: at most `max` items (kubebuilder `MaxItems`), and, when `key` is
 * given, no two items with the same key (`duplicate` gives the message).
 */
const list = <C extends t.Mixed>(
  what: string,
  codec: C,
  options: { readonly max?: number; readonly key?: (a: t.TypeOf<C>) => string; readonly duplicate?: (a: t.TypeOf<C>) => string } = {}
): t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown> => {
  const inner = t.readonlyArray(codec)
  return new t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown>(
    `list of ${what}`,
    inner.is,
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, `expected a list of ${what}, got ${describe(u)}`)
      if (options.max !== undefined && u.length > options.max)
        return t.failure(u, c, `at most ${options.max} ${what} are allowed, got ${u.length}`)
      const r = inner.validate(u, c)
      const key = options.key
      if (E.isLeft(r) || key === undefined) return r
      const seen = new Set<string>()
      const errors: Array<t.ValidationError> = []
      r.right.forEach((a, i) => {
        const k = key(a)
        if (seen.has(k))
          errors.push({
            value: u[i],
            context: [...c, { key: String(i), type: codec, actual: u[i] }],
            message: options.duplicate?.(a) ?? `duplicate ${what} ${describe(u[i])}`
          })
        seen.add(k)
      })
      return errors.length > 0 ? t.failures(errors) : r
    },
    inner.encode
  )
}

/** A string of at most `max` characters (kubebuilder `MaxLength`). */
const boundedString = (name: string, max: number): t.Type<string, string, unknown> =>
  refinedString(name, (s) => (s.length > max ? `${name} must be at most ${max} characters, got ${s.length}` : undefined))

const dns1123Label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const dns1123Subdomain = new RegExp(`^${dns1123Label}(\\.${dns1123Label})*$`)

/** Calico's `name` field validator: a DNS-1123 subdomain (`validateName`), at most 253 characters. */
const resourceName = (name: string): t.Type<string, string, unknown> =>
  refinedString(name, (s) =>
    s.length > 253
      ? `${name} must be at most 253 characters, got ${s.length}`
      : dns1123Subdomain.test(s)
        ? undefined
        : `invalid ${name} ${describe(s)}: must consist of lower case alphanumeric characters, "-" or "." and start and end with an alphanumeric character`
  )

/** A selector expression: kept as text, at most 1024 characters (the `MaxLength` of every selector field). */
export const SelectorText = boundedString('selector', 1024)

// -------------------------------------------------------------------------------------
// protocols (numorstring.Protocol)
// -------------------------------------------------------------------------------------

export const protocolNames = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'] as const
export type ProtocolName = (typeof protocolNames)[number]

/** IANA numbers of the named protocols. */
export const protocolNumbers: Readonly<Record<ProtocolName, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136 }

export type Protocol = { readonly _tag: 'number'; readonly n: number } | { readonly _tag: 'name'; readonly name: ProtocolName }

const protocolExpected = `expected an integer from 1 to 255 or one of ${protocolNames.join(', ')}`

/**
 * `protocol` / `notProtocol`: an integer 1-255 or one of the case-sensitive names. A string of
 * digits is the number (`Uint8OrString.UnmarshalJSON` tries `ParseUint(s, 10, 8)` first); 0 is
 * rejected (`validateProtocol`), and so is any other name (`protocolRegex`).
 */
export const Protocol = new t.Type<Protocol, number | string, unknown>(
  'protocol',
  (u): u is Protocol =>
    typeof u === 'object' &&
    u !== null &&
    '_tag' in u &&
    ((u._tag === 'number' && 'n' in u && typeof u.n === 'number') ||
      (u._tag === 'name' && 'name' in u && (protocolNames as ReadonlyArray<unknown>).includes(u.name))),
  (u, c) => {
    const fail = (why: string = protocolExpected) => t.failure<Protocol>(u, c, `invalid protocol ${describe(u)}: ${why}`)
    const number = (n: number) => (Number.isInteger(n) && n >= 1 && n <= 255 ? t.success<Protocol>({ _tag: 'number', n }) : fail())
    if (typeof u === 'number') return number(u)
    if (typeof u !== 'string') return fail()
    if (/^[0-9]+$/.test(u)) return number(Number(u))
    const name = protocolNames.find((p) => p === u)
    if (name !== undefined) return t.success({ _tag: 'name', name })
    const folded = protocolNames.find((p) => p.toLowerCase() === u.toLowerCase())
    return fail(folded === undefined ? protocolExpected : `names are case-sensitive (did you mean ${folded}?)`)
  },
  (p) => (p._tag === 'number' ? p.n : p.name)
)

/** The protocol's number (names mapped to their IANA numbers). */
export const protocolNumber = (p: Protocol): number => (p._tag === 'number' ? p.n : protocolNumbers[p.name])

/** TCP, UDP or SCTP, by name or number: the protocols Calico allows ports with (`Protocol.SupportsPorts`). */
export const supportsPorts = (p: Protocol): boolean => [6, 17, 132].includes(protocolNumber(p))

// -------------------------------------------------------------------------------------
// ports (numorstring.Port)
// -------------------------------------------------------------------------------------

export type Port =
  | { readonly _tag: 'port'; readonly n: number }
  | { readonly _tag: 'range'; readonly lo: number; readonly hi: number }
  | { readonly _tag: 'named'; readonly name: string }

/** `Port.UnmarshalJSON` / `PortFromString`: the named-port syntax. */
const portNameSyntax = /^[a-zA-Z0-9_.-]{1,128}$/


const portExpected = 'expected a number from 1 to 65535, a range "lo:hi" or a port name'

/**
 * A port in `ports` / `notPorts`: an integer, a string of digits (the same port), `"lo:hi"`
 * (inclusive; `lo:lo` is the single port), or a named port. Numbers must be 1-65535
 * (`validatePort`; JSON decoding into uint16 rejects larger ones) and `lo` must not exceed `hi`
 * (`PortFromRange`). A name must match `^[a-zA-Z0-9_.-]{1,128}$` (`PortFromString`) and be a
 * valid IANA service name (`validatePortName`, the `portName` tag on `Port.PortName`).
 */
export const Port = new t.Type<Port, number | string, unknown>(
  'port',
  (u): u is Port => typeof u === 'object' && u !== null && '_tag' in u && ['port', 'range', 'named'].includes(String(u._tag)),
  (u, c) => {
    const fail = (why: string) => t.failure<Port>(u, c, why)
    const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535
    if (typeof u === 'number') return valid(u) ? t.success({ _tag: 'port', n: u }) : fail(`invalid port ${describe(u)}: ${portExpected}`)
    if (typeof u !== 'string') return fail(`invalid port ${describe(u)}: ${portExpected}`)
    if (/^[0-9]+$/.test(u)) {
      const n = Number(u)
      return valid(n) ? t.success({ _tag: 'port', n }) : fail(`invalid port ${describe(u)}: port numbers must be 1-65535`)
    }
    const range = /^([0-9]+):([0-9]+)$/.exec(u)
    if (range !== null) {
      const lo = Number(range[1])
      const hi = Number(range[2])
      if (!valid(lo) || !valid(hi)) return fail(`invalid port range ${describe(u)}: port numbers must be 1-65535`)
      if (lo > hi) return fail(`invalid port range ${describe(u)}: minimum port number (${lo}) is greater than maximum port number (${hi})`)
      return t.success(lo === hi ? { _tag: 'port', n: lo } : { _tag: 'range', lo, hi })
    }
    if (!portNameSyntax.test(u)) return fail(`invalid port ${describe(u)}: ${portExpected}`)
    const why = ianaServiceNameProblem(u)
    return why === undefined ? t.success({ _tag: 'named', name: u }) : fail(`invalid port name ${describe(u)}: ${why}`)
  },
  (p) => (p._tag === 'port' ? p.n : p._tag === 'range' ? `${p.lo}:${p.hi}` : p.name)
)

// -------------------------------------------------------------------------------------
// networks
// -------------------------------------------------------------------------------------

/**
 * A CIDR in a rule's `nets` / `notNets`: `ADDRESS/PREFIX` with no host bits set, or a bare address.
 *
 * - the `net` tag on `EntityRule.Nets` (`validateIPNetwork` in
 *   libcalico-go/lib/validator/v3/validator.go) parses with `ParseCIDROrIP`, which takes a bare
 *   address as /32 or /128, and requires a prefix to be the network's (`1.2.3.4/16` is rejected);
 * - Felix reads each entry with `ParseCIDROrIP` too (`normalizeIPNet` in
 *   libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go): a bare address is the
 *   full-length prefix;
 * - but `validateRule` (same validator.go, `scanNets`) parses every entry again with
 *   `cnet.ParseCIDR`, which rejects a bare address ("invalid CIDR"): calicoctl and the Calico API
 *   server refuse it, while objects written straight to the CRDs (crd.projectcalico.org/v1, or v3
 *   CRDs served without the API server) reach Felix with it. parse.ts reads it as Felix does and
 *   warns (`bare-ip-net`).
 */
export const ruleNetProblem = (s: string): string | undefined => {
  if (!s.includes('/')) {
    const ip = C.parseIp(s)
    return E.isRight(ip) ? undefined : `invalid CIDR ${describe(s)}: expected ADDRESS/PREFIX or an IP address`
  }
  const r = C.parseCidr(s)
  if (E.isLeft(r)) return r.left
  const slash = s.lastIndexOf('/')
  const ip = C.parseIp(s.slice(0, slash))
  const canonical = C.toCidrs(r.right)[0]
  if (E.isLeft(ip) || canonical === undefined) return `invalid CIDR ${describe(s)}`
  return `${C.formatIp(ip.right)}/${s.slice(slash + 1)}` === canonical
    ? undefined
    : `invalid CIDR ${describe(s)}: host bits are set (Calico requires the network address: "${canonical}")`
}

export const RuleNet = refinedString('CIDR', ruleNetProblem)

/**
 * A CIDR in a (Global)NetworkSet's `nets`: the `cidr` tag (`validateCIDR`, `ParseCIDROrIP`)
 * accepts a bare address (as /32 or /128) and host bits.
 */
export const SetNet = refinedString('CIDR', (s) =>
  E.match<string, C.CidrSet, string | undefined>(
    (why) => why,
    () => undefined
  )(C.parseIpOrCidr(s))
)

// -------------------------------------------------------------------------------------
// rules (policy_common.go)
// -------------------------------------------------------------------------------------

export const Action = oneOf('action', ['Allow', 'Deny', 'Log', 'Pass'] as const)
export type Action = t.TypeOf<typeof Action>

export const IpVersion = new t.Type<4 | 6, number, unknown>(
  'ipVersion',
  (u): u is 4 | 6 => u === 4 || u === 6,
  (u, c) => (u === 4 || u === 6 ? t.success(u) : t.failure(u, c, `invalid ipVersion ${describe(u)}: expected 4 or 6`)),
  (a) => a
)

export const IcmpFields = struct(
  'ICMPFields',
  {},
  { type: intRange('ICMP type', 0, 254), code: intRange('ICMP code', 0, 255) }
)
export type IcmpFields = t.TypeOf<typeof IcmpFields>

export type HttpPath = { readonly exact: string } | { readonly prefix: string }

const httpPathValue = (name: string) =>
  refinedString(name, (s) =>
    s.length > 1024
      ? `HTTP path must be at most 1024 characters, got ${s.length}`
      : s !== '' && (!s.startsWith('/') || /[? #]/.test(s))
        ? `invalid HTTP path ${describe(s)}: must start with "/" and not contain "?", "#" or spaces`
        : undefined
  )

const HttpPathFields = struct('HTTPPath', {}, { exact: httpPathValue('exact'), prefix: httpPathValue('prefix') })

/** `{exact: "/p"}` or `{prefix: "/p"}`: exactly one of them, not empty (`validateHTTPPaths`). */
export const HttpPath = new t.Type<HttpPath, unknown, unknown>(
  'HTTPPath',
  (u): u is HttpPath =>
    typeof u === 'object' && u !== null && (('exact' in u && typeof u.exact === 'string') !== ('prefix' in u && typeof u.prefix === 'string')),
  (u, c) => {
    const r = HttpPathFields.validate(u, c)
    if (E.isLeft(r)) return r
    const exact = r.right.exact ?? ''
    const prefix = r.right.prefix ?? ''
    if (exact !== '' && prefix !== '') return t.failure(u, c, `invalid HTTP path match: both "exact" and "prefix" are set`)
    if (exact !== '') return t.success({ exact })
    if (prefix !== '') return t.success({ prefix })
    return t.failure(u, c, `invalid HTTP path match: either "exact" or "prefix" must be set`)
  },
  (a) => a
)

export const HttpMatch = struct(
  'HTTPMatch',
  {},
  {
    methods: list('HTTP methods', t.string, { max: 20, key: (m) => m, duplicate: (m) => `duplicate HTTP method ${describe(m)}` }),
    paths: list('HTTP paths', HttpPath, { max: 20 })
  }
)
export type HttpMatch = t.TypeOf<typeof HttpMatch>

export const ServiceMatch = struct('ServiceMatch', { name: resourceName('service name') }, { namespace: resourceName('namespace') })
export type ServiceMatch = t.TypeOf<typeof ServiceMatch>

export const ServiceAccountMatch = struct('ServiceAccountMatch', {}, { names: list('service account names', t.string), selector: SelectorText })
export type ServiceAccountMatch = t.TypeOf<typeof ServiceAccountMatch>

/**
 * Fields that only Calico Enterprise and Calico Cloud define (DNS-based egress policy:
 * `EntityRule.domains`, `(Global)NetworkSet.allowedEgressDomains`); Calico Open Source's API
 * (projectcalico/calico api/pkg/apis/projectcalico/v3) has neither, and its API server rejects them.
 */
const enterpriseOnly = (where: string, field: string): string =>
  `${field} is a Calico Enterprise / Calico Cloud field of ${where}; it is not in Calico Open Source, whose policies netpolx reads (https://docs.tigera.io/calico/latest/reference/resources/)`

export const EntityRule = struct(
  'EntityRule',
  {},
  {
    nets: list('nets', RuleNet, { max: 256 }),
    notNets: list('notNets', RuleNet, { max: 256 }),
    selector: SelectorText,
    notSelector: SelectorText,
    namespaceSelector: SelectorText,
    ports: list('ports', Port, { max: 50 }),
    notPorts: list('notPorts', Port, { max: 50 }),
    serviceAccounts: ServiceAccountMatch,
    services: ServiceMatch
  },
  { unknownMessage: (k) => (k === 'domains' ? enterpriseOnly('EntityRule', k) : `unknown field "${k}" in EntityRule`) }
)
export type EntityRule = t.TypeOf<typeof EntityRule>

export const RuleMetadata = struct('RuleMetadata', {}, { annotations: stringMap('annotations') })
export type RuleMetadata = t.TypeOf<typeof RuleMetadata>

export const Rule = struct(
  'Rule',
  { action: Action },
  {
    ipVersion: IpVersion,
    protocol: Protocol,
    notProtocol: Protocol,
    icmp: IcmpFields,
    notICMP: IcmpFields,
    source: EntityRule,
    destination: EntityRule,
    http: HttpMatch,
    metadata: RuleMetadata
  }
)
export type Rule = t.TypeOf<typeof Rule>

// -------------------------------------------------------------------------------------
// policy specs
// -------------------------------------------------------------------------------------

/** `order`: any finite number (a float64; absent means last). */
export const Order = new t.Type<number, number, unknown>(
  'order',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c, `invalid order ${describe(u)}: expected a number`)),
  (a) => a
)

export const PolicyType = oneOf('policy type', ['Ingress', 'Egress'] as const)
export type PolicyType = t.TypeOf<typeof PolicyType>

/** `types`: a set (`validateNetworkPolicySpec` rejects repeats); an empty list means "not given" (defaulted). */
const PolicyTypes = list('policy types', PolicyType, { key: (p) => p, duplicate: (p) => `'${p}' type specified more than once` })

const PerformanceHints = list('performance hints', oneOf('performance hint', ['AssumeNeededOnEveryNode'] as const), {
  key: (h) => h,
  duplicate: (h) => `duplicate performance hint ${describe(h)}`
})

const Rules = list('rules', Rule, { max: 1024 })

/** The tier a policy belongs to (`validate:"omitempty,name"`); absent means `default`. */
const TierName = resourceName('tier')

export const StagedAction = oneOf('stagedAction', ['Set', 'Delete', 'Learn', 'Ignore'] as const)
export type StagedAction = t.TypeOf<typeof StagedAction>

const networkPolicyProps = {
  tier: TierName,
  order: Order,
  selector: SelectorText,
  types: PolicyTypes,
  ingress: Rules,
  egress: Rules,
  serviceAccountSelector: SelectorText,
  performanceHints: PerformanceHints
}

const globalNetworkPolicyProps = {
  ...networkPolicyProps,
  namespaceSelector: SelectorText,
  doNotTrack: t.boolean,
  preDNAT: t.boolean,
  applyOnForward: t.boolean
}

export const NetworkPolicySpec = struct('NetworkPolicySpec', {}, networkPolicyProps)
export type NetworkPolicySpec = t.TypeOf<typeof NetworkPolicySpec>

export const GlobalNetworkPolicySpec = struct('GlobalNetworkPolicySpec', {}, globalNetworkPolicyProps)
export type GlobalNetworkPolicySpec = t.TypeOf<typeof GlobalNetworkPolicySpec>

export const StagedNetworkPolicySpec = struct('StagedNetworkPolicySpec', {}, { stagedAction: StagedAction, ...networkPolicyProps })
export type StagedNetworkPolicySpec = t.TypeOf<typeof StagedNetworkPolicySpec>

export const StagedGlobalNetworkPolicySpec = struct('StagedGlobalNetworkPolicySpec', {}, { stagedAction: StagedAction, ...globalNetworkPolicyProps })
export type StagedGlobalNetworkPolicySpec = t.TypeOf<typeof StagedGlobalNetworkPolicySpec>

// -------------------------------------------------------------------------------------
// StagedKubernetesNetworkPolicy: a networking.k8s.io/v1 NetworkPolicySpec plus stagedAction
// (stagedkubernetesnetworkpolicy.go). Dialects do not import each other: label selectors come from
// dialects/kube.ts, the NetworkPolicy rule shapes are restated here.
// -------------------------------------------------------------------------------------

export const KnpLabelSelectorRequirement = LabelSelectorRequirement

export const KnpLabelSelector = ValidLabelSelector
export type KnpLabelSelector = t.TypeOf<typeof KnpLabelSelector>

const KnpCidr = refinedString('CIDR', (s) =>
  E.match<string, C.CidrSet, string | undefined>(
    (why) => why,
    () => undefined
  )(C.parseCidr(s))
)

export const KnpPeer = struct(
  'NetworkPolicyPeer',
  {},
  {
    podSelector: KnpLabelSelector,
    namespaceSelector: KnpLabelSelector,
    ipBlock: struct('IPBlock', { cidr: KnpCidr }, { except: t.readonlyArray(KnpCidr) })
  }
)
export type KnpPeer = t.TypeOf<typeof KnpPeer>

/** A Kubernetes `port`: a number 1-65535 or an IANA service name. */
const KnpPortValue = new t.Type<number | string, number | string, unknown>(
  'port',
  (u): u is number | string => typeof u === 'number' || typeof u === 'string',
  (u, c) => {
    if (typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 65535) return t.success(u)
    if (typeof u === 'string') {
      const why = ianaServiceNameProblem(u)
      return why === undefined ? t.success(u) : t.failure(u, c, `invalid port name ${describe(u)}: ${why}`)
    }
    return t.failure(u, c, `invalid port ${describe(u)}: expected a number from 1 to 65535 or a port name`)
  },
  (a) => a
)

export const KnpPort = struct(
  'NetworkPolicyPort',
  {},
  { protocol: oneOf('protocol', ['TCP', 'UDP', 'SCTP'] as const), port: KnpPortValue, endPort: intRange('endPort', 1, 65535) }
)
export type KnpPort = t.TypeOf<typeof KnpPort>

export const StagedKubernetesNetworkPolicySpec = struct(
  'StagedKubernetesNetworkPolicySpec',
  {},
  {
    stagedAction: StagedAction,
    podSelector: KnpLabelSelector,
    policyTypes: t.readonlyArray(PolicyType),
    ingress: t.readonlyArray(struct('NetworkPolicyIngressRule', {}, { from: t.readonlyArray(KnpPeer), ports: t.readonlyArray(KnpPort) })),
    egress: t.readonlyArray(struct('NetworkPolicyEgressRule', {}, { to: t.readonlyArray(KnpPeer), ports: t.readonlyArray(KnpPort) }))
  }
)
export type StagedKubernetesNetworkPolicySpec = t.TypeOf<typeof StagedKubernetesNetworkPolicySpec>

// -------------------------------------------------------------------------------------
// network sets and tiers
// -------------------------------------------------------------------------------------

export const NetworkSetSpec = struct(
  'NetworkSetSpec',
  {},
  { nets: list('nets', SetNet) },
  { unknownMessage: (k) => (k === 'allowedEgressDomains' ? enterpriseOnly('NetworkSet', k) : `unknown field "${k}" in NetworkSetSpec`) }
)
export type NetworkSetSpec = t.TypeOf<typeof NetworkSetSpec>

export const GlobalNetworkSetSpec = struct(
  'GlobalNetworkSetSpec',
  {},
  { nets: list('nets', SetNet) },
  { unknownMessage: (k) => (k === 'allowedEgressDomains' ? enterpriseOnly('GlobalNetworkSet', k) : `unknown field "${k}" in GlobalNetworkSetSpec`) }
)
export type GlobalNetworkSetSpec = t.TypeOf<typeof GlobalNetworkSetSpec>

export const TierSpec = struct('TierSpec', {}, { order: Order, defaultAction: oneOf('defaultAction', ['Deny', 'Pass'] as const) })
export type TierSpec = t.TypeOf<typeof TierSpec>

// -------------------------------------------------------------------------------------
// objects
// -------------------------------------------------------------------------------------

export const apiVersions = ['projectcalico.org/v3', 'crd.projectcalico.org/v1'] as const
export const ApiVersion = oneOf('apiVersion', apiVersions)
export type ApiVersion = t.TypeOf<typeof ApiVersion>

export { ObjectMeta }

/**
 * An object of one kind; `status` and other top-level fields are allowed. projectcalico.org/v3
 * objects need a `spec` (every projectcalico.org CRD lists `required: [metadata, spec]`,
 * api/config/crd/projectcalico.org_*.yaml); on the crd.projectcalico.org/v1 form, whose CRDs do
 * not require it, an absent `spec` is the zero spec (Go decoding).
 */
const resource = <K extends string, S extends t.Mixed>(kind: K, spec: S) => {
  const codec = struct(kind, { apiVersion: ApiVersion, kind: t.literal(kind), metadata: ObjectMeta }, { spec }, { allowUnknown: true })
  return new t.Type<t.TypeOf<typeof codec>, unknown, unknown>(
    kind,
    codec.is,
    (u, c) => {
      const r = codec.validate(u, c)
      const o = typeof u === 'object' && u !== null ? (u as Record<string, unknown>) : {}
      if (o['apiVersion'] !== 'projectcalico.org/v3' || (o['spec'] !== undefined && o['spec'] !== null)) return r
      const missing: t.ValidationError = {
        value: undefined,
        context: [...c, { key: 'spec', type: spec, actual: undefined }],
        message: `missing required field "spec": a projectcalico.org/v3 ${kind} needs one (its CRD requires it); without it nothing says what the ${kind} does`
      }
      return t.failures(r._tag === 'Left' ? [...r.left, missing] : [missing])
    },
    codec.encode
  )
}

export const NetworkPolicy = resource('NetworkPolicy', NetworkPolicySpec)
export type NetworkPolicy = t.TypeOf<typeof NetworkPolicy>

export const GlobalNetworkPolicy = resource('GlobalNetworkPolicy', GlobalNetworkPolicySpec)
export type GlobalNetworkPolicy = t.TypeOf<typeof GlobalNetworkPolicy>

export const StagedNetworkPolicy = resource('StagedNetworkPolicy', StagedNetworkPolicySpec)
export type StagedNetworkPolicy = t.TypeOf<typeof StagedNetworkPolicy>

export const StagedGlobalNetworkPolicy = resource('StagedGlobalNetworkPolicy', StagedGlobalNetworkPolicySpec)
export type StagedGlobalNetworkPolicy = t.TypeOf<typeof StagedGlobalNetworkPolicy>

export const StagedKubernetesNetworkPolicy = resource('StagedKubernetesNetworkPolicy', StagedKubernetesNetworkPolicySpec)
export type StagedKubernetesNetworkPolicy = t.TypeOf<typeof StagedKubernetesNetworkPolicy>

export const NetworkSet = resource('NetworkSet', NetworkSetSpec)
export type NetworkSet = t.TypeOf<typeof NetworkSet>

export const GlobalNetworkSet = resource('GlobalNetworkSet', GlobalNetworkSetSpec)
export type GlobalNetworkSet = t.TypeOf<typeof GlobalNetworkSet>

export const Tier = resource('Tier', TierSpec)
export type Tier = t.TypeOf<typeof Tier>

export type CalicoObject =
  | NetworkPolicy
  | GlobalNetworkPolicy
  | StagedNetworkPolicy
  | StagedGlobalNetworkPolicy
  | StagedKubernetesNetworkPolicy
  | NetworkSet
  | GlobalNetworkSet
  | Tier

/** The objects whose spec is a Calico policy spec (with Calico rules). */
export type CalicoPolicy = NetworkPolicy | GlobalNetworkPolicy | StagedNetworkPolicy | StagedGlobalNetworkPolicy

const codecs = {
  NetworkPolicy,
  GlobalNetworkPolicy,
  StagedNetworkPolicy,
  StagedGlobalNetworkPolicy,
  StagedKubernetesNetworkPolicy,
  NetworkSet,
  GlobalNetworkSet,
  Tier
} as const

export type CalicoKind = keyof typeof codecs
export const calicoKinds: ReadonlyArray<CalicoKind> = [
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'StagedKubernetesNetworkPolicy',
  'NetworkSet',
  'GlobalNetworkSet',
  'Tier'
]

const isCalicoKind = (k: unknown): k is CalicoKind => typeof k === 'string' && (calicoKinds as ReadonlyArray<string>).includes(k)

/** Whether an apiVersion is one of the two Calico groups. */
export const isCalicoApiVersion = (v: unknown): v is ApiVersion => typeof v === 'string' && (apiVersions as ReadonlyArray<string>).includes(v)

/** Any of the kinds above, chosen by `kind`; another kind is an error at `kind`. */
export const CalicoObject = new t.Type<CalicoObject, unknown, unknown>(
  'CalicoObject',
  (u): u is CalicoObject => calicoKinds.some((k) => codecs[k].is(u)),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected a Calico object (a mapping), got ${describe(u)}`)
    const kind: unknown = 'kind' in u ? u.kind : undefined
    if (isCalicoKind(kind)) {
      const r: t.Validation<CalicoObject> = codecs[kind].validate(u, c)
      return r
    }
    return t.failures([
      {
        value: kind,
        context: [...c, { key: 'kind', type: t.string, actual: kind }],
        message:
          kind === undefined || kind === null
            ? 'missing required field "kind"'
            : `unsupported kind ${describe(kind)}: expected one of ${calicoKinds.join(', ')}`
      }
    ])
  },
  (a) => a
)

// -------------------------------------------------------------------------------------
// crd.projectcalico.org/v1 metadata
// -------------------------------------------------------------------------------------

/** The annotation in which Calico keeps a v3 object's metadata on its v1 CR. */
export const metadataAnnotation = 'projectcalico.org/metadata'

/** What the `projectcalico.org/metadata` annotation holds (other ObjectMeta fields are ignored). */
export interface V1StoredMetadata {
  readonly name?: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

const isStringMap = (u: unknown): u is Readonly<Record<string, string>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && Object.values(u).every((v) => typeof v === 'string')

const parseJson = (text: string): E.Either<string, unknown> => {
  try {
    const v: unknown = JSON.parse(text)
    return E.right(v)
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e))
  }
}

/**
 * Reads the v3 metadata Calico stores on a crd.projectcalico.org/v1 object
 * (`libcalico-go/lib/backend/k8s/resources/resources.go`, `ConvertCalicoResourceToK8sResource`):
 * the real labels, annotations and, for policies, the name. No annotation: nothing stored (`{}`).
 */
export const v1Metadata = (annotations: Readonly<Record<string, string>> | undefined): E.Either<string, V1StoredMetadata> => {
  const text = annotations?.[metadataAnnotation]
  if (text === undefined) return E.right({})
  const fail = (why: string) => E.left(`invalid ${metadataAnnotation} annotation: ${why}`)
  const parsed = parseJson(text)
  if (E.isLeft(parsed)) return fail(parsed.left)
  const v = parsed.right
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`expected a JSON object, got ${describe(v)}`)
  const record = v as Readonly<Record<string, unknown>>
  const { name, labels, annotations: stored } = record
  if (name !== undefined && name !== null && typeof name !== 'string') return fail(`"name" must be a string`)
  if (labels !== undefined && labels !== null && !isStringMap(labels)) return fail(`"labels" must map strings to strings`)
  if (stored !== undefined && stored !== null && !isStringMap(stored)) return fail(`"annotations" must map strings to strings`)
  return E.right({
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
    ...(isStringMap(labels) ? { labels } : {}),
    ...(isStringMap(stored) ? { annotations: stored } : {})
  })
}

/** The kinds whose v3 name Calico keeps in the metadata annotation. */
const policyKinds: ReadonlyArray<CalicoKind> = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']

/**
 * The v3 metadata of a crd.projectcalico.org/v1 object, as Calico reads it back
 * (`ConvertK8sResourceToCalicoResource`): labels and annotations are the CR's own merged with the
 * stored ones (stored win; the metadata annotation itself is dropped). The name is the stored
 * one; without it a policy in the default tier loses a `default.` prefix (`determinePolicyName`,
 * older releases stored default-tier policies as `default.<name>`), anything else keeps the CR's.
 */
export const v3MetadataOfV1 = (kind: CalicoKind, meta: ObjectMeta, tier: string | undefined): E.Either<string, ObjectMeta> =>
  E.map((stored: V1StoredMetadata): ObjectMeta => {
    const own = Object.fromEntries(Object.entries(meta.annotations ?? {}).filter(([k]) => k !== metadataAnnotation))
    const labels = { ...(meta.labels ?? {}), ...(stored.labels ?? {}) }
    const annotations = { ...own, ...(stored.annotations ?? {}) }
    const name =
      stored.name ??
      (policyKinds.includes(kind) && (tier === undefined || tier === '' || tier === 'default') && meta.name.startsWith('default.')
        ? meta.name.slice('default.'.length)
        : meta.name)
    return {
      ...meta,
      name,
      labels,
      annotations
    }
  })(v1Metadata(meta.annotations))

// -------------------------------------------------------------------------------------
// cross-field validation
// -------------------------------------------------------------------------------------

/** A rule Calico applies across fields, broken by a decoded value; `path` is where to point. */
export interface Problem {
  readonly path: Path
  readonly message: string
}

/** Where a rule sits: its direction (for the checks that depend on it) and whether the policy is global. */
export interface RuleContext {
  readonly direction?: 'ingress' | 'egress'
  readonly global?: boolean
}

const isIcmpV4 = (p: Protocol | undefined): boolean => p !== undefined && protocolNumber(p) === 1
const isIcmpV6 = (p: Protocol | undefined): boolean => p !== undefined && protocolNumber(p) === 58

const nonEmpty = (xs: ReadonlyArray<unknown> | undefined): boolean => xs !== undefined && xs.length > 0
const nonEmptyString = (s: string | undefined): boolean => s !== undefined && s !== ''

/** `global()` alone (with spaces around or inside), as `validateEntityRule` checks with the tokenizer. */
const onlyGlobal = (s: string): boolean => /^[ \t]*global\([ \t]*\)[ \t]*$/.test(s)

const family = (net: string): 4 | 6 | undefined => {
  const r = C.parseIpOrCidr(net)
  if (E.isLeft(r)) return undefined
  return r.right.v4.length > 0 ? 4 : r.right.v6.length > 0 ? 6 : undefined
}

const prefixLength = (net: string): number | undefined => {
  const slash = net.lastIndexOf('/')
  return slash < 0 ? undefined : Number(net.slice(slash + 1))
}

const portsMessage = 'rules that specify ports must set protocol to TCP or UDP or SCTP'
const numericPortsMessage = 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP'

/**
 * The checks Calico makes on a rule across its fields. Paths are relative to the rule, under
 * `base`. Each group cites its source in projectcalico/calico (commit 87c15906): the struct
 * validators of `libcalico-go/lib/validator/v3/validator.go` and the CEL `XValidation` markers of
 * `api/pkg/apis/projectcalico/v3/policy_common.go`. The direction-dependent checks (services
 * placement, http in egress) and the global-policy check (services namespace) run only when
 * `context` says where the rule is.
 */
export const ruleProblems = (rule: Rule, context: RuleContext = {}, base: Path = []): ReadonlyArray<Problem> => {
  const out: Array<Problem> = []
  const at = (path: Path, message: string) => out.push({ path: [...base, ...path], message })
  const sides = [
    ['source', rule.source],
    ['destination', rule.destination]
  ] as const

  // Ports need a port protocol; without a protocol only named ports.
  // libcalico-go/lib/validator/v3/validator.go: validateRule; api/pkg/lib/numorstring/protocol.go: SupportsPorts
  for (const [side, er] of sides)
    for (const field of ['ports', 'notPorts'] as const) {
      const ports = er?.[field] ?? []
      if (rule.protocol === undefined) {
        const i = ports.findIndex((p) => p._tag !== 'named')
        if (i >= 0) at([side, field, i], numericPortsMessage)
      } else if (!supportsPorts(rule.protocol) && ports.length > 0) at([side, field], portsMessage)
    }

  // ICMP. Calico checks only `icmp` against the protocol, not `notICMP`.
  // api/pkg/apis/projectcalico/v3/policy_common.go: XValidation on Rule (protocol, ipVersion) and ICMPFields (code needs type)
  if (rule.icmp !== undefined && !isIcmpV4(rule.protocol) && !isIcmpV6(rule.protocol)) at(['icmp'], 'ICMP fields require protocol to be ICMP or ICMPv6')
  for (const field of ['icmp', 'notICMP'] as const) {
    const f = rule[field]
    if (f !== undefined && f.code !== undefined && f.type === undefined) at([field, 'code'], 'ICMP code specified without an ICMP type')
  }
  for (const field of ['protocol', 'notProtocol'] as const) {
    const p = rule[field]
    if (rule.ipVersion !== undefined && isIcmpV4(p) && rule.ipVersion !== 4) at(['ipVersion'], 'protocol ICMP requires ipVersion 4')
    if (rule.ipVersion !== undefined && isIcmpV6(p) && rule.ipVersion !== 6) at(['ipVersion'], 'protocol ICMPv6 requires ipVersion 6')
  }

  // Nets: one IP family per rule, agreeing with ipVersion; no catch-all in notNets.
  // libcalico-go/lib/validator/v3/validator.go: validateRule (scanNets)
  let seen4 = false
  let seen6 = false
  for (const [side, er] of sides)
    for (const field of ['nets', 'notNets'] as const) {
      const nets = er?.[field] ?? []
      const families = nets.map(family)
      const v4 = families.includes(4)
      const v6 = families.includes(6)
      if (field === 'notNets') nets.forEach((n, i) => {
        if (family(n) !== undefined && prefixLength(n) === 0)
          at([side, field, i], 'catch-all CIDR in negation creates logical contradiction (matches no traffic)')
      })
      if (rule.ipVersion !== undefined && ((v4 && rule.ipVersion !== 4) || (v6 && rule.ipVersion !== 6)))
        at([side, field], "rule IP version doesn't match CIDR version")
      if ((v4 && seen6) || (v6 && seen4) || (v4 && v6)) at([side, field], 'rule contains both IPv4 and IPv6 CIDRs')
      seen4 ||= v4
      seen6 ||= v6
    }

  // Selectors and services.
  // api/pkg/apis/projectcalico/v3/policy_common.go: XValidation on EntityRule (global() in selector, services
  // exclusions) and on Rule (destination services without ports); libcalico-go/lib/validator/v3/validator.go:
  // validateEntityRule (global() alone), validateNetworkPolicySpec / validateGlobalNetworkPolicySpec (direction, namespace)
  for (const [side, er] of sides) {
    if (er === undefined) continue
    if (er.selector?.includes('global(') === true) at([side, 'selector'], 'global() can only be used in an EntityRule namespaceSelector')
    if (er.namespaceSelector !== undefined && er.namespaceSelector.includes('global(') && !onlyGlobal(er.namespaceSelector))
      at([side, 'namespaceSelector'], 'global() cannot be combined with other selectors')
    const services = er.services
    if (services === undefined) continue
    const where = [side, 'services']
    if (nonEmptyString(er.selector) || nonEmptyString(er.notSelector)) at(where, 'cannot specify Selector/NotSelector and Services on the same rule')
    if (nonEmptyString(er.namespaceSelector)) at(where, 'cannot specify NamespaceSelector and Services on the same rule')
    if (er.serviceAccounts !== undefined) at(where, 'cannot specify ServiceAccounts and Services on the same rule')
    if (nonEmpty(er.nets) || nonEmpty(er.notNets)) at(where, 'cannot specify Nets/NotNets and Services on the same rule')
    if (side === 'destination' && (nonEmpty(er.ports) || nonEmpty(er.notPorts))) at(where, 'ports and notPorts cannot be specified with services')
    if (context.direction === 'egress' && side === 'source') at(where, 'not allowed in egress rule source')
    if (context.direction === 'ingress' && side === 'destination') at(where, 'not allowed in ingress rule destination')
    const used = (context.direction === 'egress' && side === 'destination') || (context.direction === 'ingress' && side === 'source')
    if (context.global === true && used && !nonEmptyString(services.namespace)) at(where, 'must specify a namespace')
  }

  // HTTP.
  // api/pkg/apis/projectcalico/v3/policy_common.go: XValidation on Rule (Allow only, TCP or unset);
  // libcalico-go/lib/validator/v3/validator.go: ruleUsesAppLayerPolicy in validate(Global)NetworkPolicySpec (not in egress)
  if (rule.http !== undefined) {
    if (rule.action !== 'Allow') at(['http'], 'HTTP match is only valid on Allow rules')
    if (rule.protocol !== undefined && protocolNumber(rule.protocol) !== 6) at(['http'], 'rules with HTTP match must have protocol TCP or unset')
    if (context.direction === 'egress') at(['http'], 'not allowed in egress rule')
  }
  return out
}

/**
 * The cross-field checks of a Calico policy object: every rule ({@link ruleProblems}, with its
 * direction), plus the spec-level ones. Paths are from the object root. Sources (calico commit
 * 87c15906): CEL `XValidation` markers on the spec types in `api/pkg/apis/projectcalico/v3/`
 * (`networkpolicy.go`, `globalnetworkpolicy.go`, `stagednetworkpolicy.go`,
 * `stagedglobalnetworkpolicy.go`) and `validateStaged*NetworkPolicy` in
 * `libcalico-go/lib/validator/v3/validator.go`.
 */
export const policyProblems = (policy: CalicoPolicy): ReadonlyArray<Problem> => {
  const spec = policy.spec
  if (spec === undefined) return []
  const global = policy.kind === 'GlobalNetworkPolicy' || policy.kind === 'StagedGlobalNetworkPolicy'
  const out: Array<Problem> = []
  const at = (path: Path, message: string) => out.push({ path: ['spec', ...path], message })

  const staged = 'stagedAction' in spec ? spec.stagedAction : undefined
  if (staged === 'Delete') {
    // validateStaged*NetworkPolicy: only tier (and stagedAction) may be set when deleting.
    for (const [k, v] of Object.entries(spec))
      if (k !== 'tier' && k !== 'stagedAction' && v !== undefined) at([k], 'Spec fields, except Tier, should all be zero-value if stagedAction is Delete')
    return out
  }

  const globalMessage = 'global() can only be used in an EntityRule namespaceSelector'
  if (spec.selector?.includes('global(') === true) at(['selector'], globalMessage)
  if (spec.serviceAccountSelector?.includes('global(') === true) at(['serviceAccountSelector'], globalMessage)
  if ('namespaceSelector' in spec && spec.namespaceSelector?.includes('global(') === true) at(['namespaceSelector'], globalMessage)

  if ('preDNAT' in spec || 'doNotTrack' in spec || 'applyOnForward' in spec) {
    const g = spec as GlobalNetworkPolicySpec
    if (g.doNotTrack === true && g.preDNAT === true) at(['preDNAT'], 'preDNAT and doNotTrack cannot both be true')
    if (g.preDNAT === true && nonEmpty(g.egress)) at(['egress'], 'preDNAT policy cannot have any egress rules')
    if (g.preDNAT === true && g.types?.includes('Egress') === true) at(['types'], "preDNAT policy cannot have 'Egress' type")
    if ((g.doNotTrack === true || g.preDNAT === true) && g.applyOnForward !== true)
      at(['applyOnForward'], 'applyOnForward must be true if either preDNAT or doNotTrack is true')
  }

  for (const direction of ['ingress', 'egress'] as const)
    (spec[direction] ?? []).forEach((rule, i) => out.push(...ruleProblems(rule, { direction, global }, ['spec', direction, i])))
  return out
}

/**
 * The CEL rules on Tier (`api/pkg/apis/projectcalico/v3/tier.go`): the built-in tiers' orders and
 * default actions are fixed. (Absent `defaultAction` defaults to Deny.)
 */
export const tierProblems = (tier: Tier): ReadonlyArray<Problem> => {
  const builtIn: Readonly<Record<string, { readonly order: number; readonly action: 'Deny' | 'Pass' }>> = {
    'kube-admin': { order: 1000, action: 'Pass' },
    default: { order: 1_000_000, action: 'Deny' },
    'kube-baseline': { order: 10_000_000, action: 'Pass' }
  }
  const name = tier.metadata.name
  const expected = Object.prototype.hasOwnProperty.call(builtIn, name) ? builtIn[name] : undefined
  if (expected === undefined) return []
  const out: Array<Problem> = []
  if (tier.spec?.order !== expected.order) out.push({ path: ['spec', 'order'], message: `${name} tier order must be ${expected.order}` })
  if ((tier.spec?.defaultAction ?? 'Deny') !== expected.action)
    out.push({ path: ['spec', 'defaultAction'], message: `The '${name}' tier must have default action '${expected.action}'` })
  return out
}

/** The cross-field problems of any decoded object (policies and tiers have some; the other kinds none). */
export const objectProblems = (o: CalicoObject): ReadonlyArray<Problem> => {
  switch (o.kind) {
    case 'NetworkPolicy':
    case 'GlobalNetworkPolicy':
    case 'StagedNetworkPolicy':
    case 'StagedGlobalNetworkPolicy':
      return policyProblems(o)
    case 'Tier':
      return tierProblems(o)
    default:
      return []
  }
}

/** Problems as `invalid-field` errors positioned in `doc` (paths from the document root, as `decode` reports them). */
export const toDiagnostics = (doc: SourceDoc, problems: ReadonlyArray<Problem>): ReadonlyArray<D.Diagnostic> =>
  problems.map((p) => D.error('invalid-field', `${pathText(p.path)}: ${p.message}`, doc.locate(p.path)))
