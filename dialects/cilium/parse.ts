/**
 * cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy → IR, following
 * `dialects/cilium/ir-mapping.md` and research/cilium.md, with Cilium's implicit rules made explicit:
 *
 * - every rule of `spec` and of `specs` is its own IR policy (their union, §1.1); a CNP is scoped
 *   to its namespace (default `default`), a CCNP to the cluster; no ordering;
 * - the subject is `kind(pod) ∧ endpointSelector` (a CNP's namespace replaces any
 *   `k8s:io.kubernetes.pod.namespace` match, §2.3), or for a host policy (CCNP `nodeSelector`)
 *   `kind(host) ∧ node labels`;
 * - a direction is governed iff its allow + deny lists have an element (§4.1); it is default-deny
 *   unless `enableDefaultDeny` says false; `ingress`/`egress` elements are allow rules,
 *   `ingressDeny`/`egressDeny` deny rules;
 * - the `{}` meanings of §1.10 (`pkg/policy/utils/parserules.go`, `pkg/policy/rule.go`
 *   `mergeL4Filter`): an element with no peer and no ports allows nothing (no rule); ports
 *   without a peer apply to every peer; a present but empty `from/toEndpoints`, `…Nodes`,
 *   `…Entities`, `…CIDR`, `…CIDRSet` selects nothing, whatever the ports; no `toPorts` and no
 *   `icmps` means every port of every protocol (ICMP included);
 * - peers (§2.4, §3, §4.4, §4.9): endpoint selectors with Cilium's namespace and cluster
 *   additions (`labels.ts`); CIDRs as address sets (except subtracted per CIDRRule); entities as
 *   entity atoms (`all` = any peer, `none` = no peer); from/toNodes as remote nodes by node labels;
 *   toServices as service atoms (namespace omitted = any namespace); toFQDNs as FQDN atoms;
 * - ports (§1.4, §4.3): `ANY`/no protocol = TCP ∪ UDP ∪ SCTP; port `0` = the whole protocol;
 *   `endPort` a range; named ports lower-cased; ICMP types by family; every PortRule with L7
 *   rules (§1.4) becomes its own IR rule carrying `Rule.l7`.
 *
 * What the IR cannot say is reported, never dropped in silence: CIDR groups and AWS groups
 * (no IR, selects nothing), HTTP header matches, SNI lists, listeners and proxylib parsers without
 * rules (kept at L4, broader), authentication (ignored, §1.9). Any decoding or validation error
 * (`codec.ts`: the CRD schema and Cilium's `Rule.Sanitize`) yields positioned errors and no IR
 * for the document, as Cilium rejects the whole resource.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../../src/diagnostics.js'
import { decode, pathText } from '../../src/io/decode.js'
import type { Path, SourceDoc } from '../../src/io/source.js'
import { at } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Action, Direction, DirectionRules, HttpRule, L7, Origin, Policy, PolicySet, Rule } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { ParseContext, ParseOutput } from '../dialect.js'
import * as G from './cidr-group.js'
import * as Cil from './codec.js'
import * as L from './labels.js'

// -------------------------------------------------------------------------------------
// context
// -------------------------------------------------------------------------------------

/** The namespace a CNP without `metadata.namespace` lands in. */
export const defaultNamespace = 'default'

const emptySet: PolicySet = { policies: [], tiers: [], networkSets: [] }

interface Ctx {
  readonly doc: SourceDoc
  /** The CNP's namespace; undefined for a CCNP. */
  readonly namespace: string | undefined
  readonly diagnostics: Array<D.Diagnostic>
  /** The CiliumCIDRGroups of the input, by name (cidr-group.ts). */
  readonly groups?: ReadonlyMap<string, G.CidrGroup> | undefined
}

const report = (ctx: Ctx, findings: ReadonlyArray<L.Finding>, base: Path): void =>
  findings.forEach((f) => {
    const path = [...base, ...f.path]
    const message = `${pathText(path)}: ${f.message}`
    const where = at(ctx.doc, path)
    ctx.diagnostics.push(
      f.fidelity !== undefined ? D.loss(f.fidelity, f.code, message, where) : f.severity === 'info' ? D.info(f.code, message, where) : D.warning(f.code, message, where)
    )
  })

/** A construct with no IR form, treated as selecting nothing: an allow then allows less, a deny denies less. */
const selectsNothing = (ctx: Ctx, action: Action, code: string, path: Path, what: string): void => {
  ctx.diagnostics.push(
    D.loss(
      action === 'deny' ? 'broader' : 'narrower',
      code,
      `${pathText(path)}: ${what} cannot be expressed in the IR; netpolx treats it as selecting nothing, so the rule ${action === 'deny' ? 'denies' : 'allows'} less than in Cilium`,
      at(ctx.doc, path)
    )
  )
}

// -------------------------------------------------------------------------------------
// peers
// -------------------------------------------------------------------------------------

/** The peer fields of one ingress/egress element, whichever direction. */
interface Peers {
  readonly endpoints: ReadonlyArray<Cil.EndpointSelector> | undefined
  readonly cidr: ReadonlyArray<string> | undefined
  readonly cidrSet: ReadonlyArray<Cil.CIDRRule> | undefined
  readonly entities: ReadonlyArray<Cil.Entity> | undefined
  readonly nodes: ReadonlyArray<Cil.EndpointSelector> | undefined
  readonly groups: ReadonlyArray<unknown> | undefined
  readonly services: ReadonlyArray<Cil.Service> | undefined
  readonly fqdns: ReadonlyArray<Cil.FQDNSelector> | undefined
}

const ingressPeers = (r: Cil.IngressRule | Cil.IngressDenyRule): Peers => ({
  endpoints: r.fromEndpoints,
  cidr: r.fromCIDR,
  cidrSet: r.fromCIDRSet,
  entities: r.fromEntities,
  nodes: r.fromNodes,
  groups: r.fromGroups,
  services: undefined,
  fqdns: undefined
})

const egressPeers = (r: Cil.EgressRule | Cil.EgressDenyRule): Peers => ({
  endpoints: r.toEndpoints,
  cidr: r.toCIDR,
  cidrSet: r.toCIDRSet,
  entities: r.toEntities,
  nodes: r.toNodes,
  groups: r.toGroups,
  services: r.toServices,
  fqdns: 'toFQDNs' in r ? r.toFQDNs : undefined
})

const fieldName = (direction: Direction, name: string): string => `${direction === 'ingress' ? 'from' : 'to'}${name}`

const parseOr = (text: string, parse: (s: string) => E.Either<string, C.CidrSet>): C.CidrSet =>
  E.match<string, C.CidrSet, C.CidrSet>(
    () => C.empty, // the codec has checked every CIDR
    (s) => s
  )(parse(text))

const entityFormula = (e: Cil.Entity): F.Formula => (e === 'all' ? F.tt : e === 'none' ? F.ff : F.entity(e))

interface PeerCtx {
  readonly ctx: Ctx
  readonly direction: Direction
  readonly action: Action
  readonly path: Path
  readonly subjectMatchesInit: boolean
}

const endpointsFormula = (p: PeerCtx, sels: ReadonlyArray<Cil.EndpointSelector>): F.Formula => {
  const field = fieldName(p.direction, 'Endpoints')
  return F.or(
    ...sels.map((s, i) => {
      const r = L.endpointSelector(s, { _tag: 'peer', namespace: p.ctx.namespace, subjectMatchesInit: p.subjectMatchesInit })
      report(p.ctx, r.findings, [...p.path, field, i])
      return r.formula
    })
  )
}

const nodesFormula = (p: PeerCtx, sels: ReadonlyArray<Cil.EndpointSelector>): F.Formula => {
  const field = fieldName(p.direction, 'Nodes')
  p.ctx.diagnostics.push(
    D.warning(
      'node-selector-labels',
      `${pathText([...p.path, field])}: ${field} needs the agent flag enable-node-selector-labels (default false), without which remote nodes carry no node labels; netpolx evaluates it as if the flag were on`,
      at(p.ctx.doc, [...p.path, field])
    )
  )
  return F.or(
    ...sels.map((s, i) => {
      const r = L.nodePeerSelector(s)
      report(p.ctx, r.findings, [...p.path, field, i])
      return r.formula
    })
  )
}

/**
 * The addresses of the CiliumCIDRGroups a CIDR rule references (cidr-group.ts): by name, the group
 * of that name (exact: names are unique); by selector, every group of the input whose labels it
 * selects (`exact-for-inventory`: the cluster may hold more). A reference the input has no group
 * for selects nothing, reported in the direction that errs (an allow allows less, a deny denies
 * less).
 */
const groupAddresses = (p: PeerCtx, r: Cil.CIDRRule, path: Path): C.CidrSet | undefined => {
  const groups = p.ctx.groups ?? new Map<string, G.CidrGroup>()
  const none = (where: Path, what: string): undefined => {
    p.ctx.diagnostics.push(
      D.loss(
        p.action === 'deny' ? 'broader' : 'narrower',
        'unsupported-cidr-group',
        `${pathText(where)}: ${what}; netpolx treats it as selecting nothing, so the rule ${p.action === 'deny' ? 'denies' : 'allows'} less than in Cilium`,
        at(p.ctx.doc, where)
      )
    )
    return undefined
  }
  if (r.cidrGroupRef !== undefined) {
    const g = groups.get(r.cidrGroupRef)
    return g !== undefined ? g.cidrs : none([...path, 'cidrGroupRef'], `cidrGroupRef "${r.cidrGroupRef}" names no CiliumCIDRGroup in the input (pass the group with -f)`)
  }
  const sel = r.cidrGroupSelector
  if (sel === undefined) return undefined
  const chosen = [...groups.values()].filter((g) => G.selects(sel, g))
  if (chosen.length === 0) return none([...path, 'cidrGroupSelector'], 'cidrGroupSelector selects no CiliumCIDRGroup in the input (pass the groups with -f)')
  p.ctx.diagnostics.push(
    D.loss(
      'exact-for-inventory',
      'cidr-group-selector',
      `${pathText([...path, 'cidrGroupSelector'])}: resolved to the CiliumCIDRGroups of the input it selects (${chosen.map((g) => g.name).join(', ')}); groups in the cluster but not in the input would be selected too`,
      at(p.ctx.doc, [...path, 'cidrGroupSelector'])
    )
  )
  return chosen.reduce((acc, g) => C.union(acc, g.cidrs), C.empty)
}

const cidrSetFormula = (p: PeerCtx, rules: ReadonlyArray<Cil.CIDRRule>): F.Formula => {
  const field = fieldName(p.direction, 'CIDRSet')
  const set = rules.reduce<C.CidrSet>((acc, r, i) => {
    const except = (r.except ?? []).reduce((e, x) => C.union(e, parseOr(x, C.parseCidr)), C.empty)
    if (r.cidr === undefined) {
      const addresses = groupAddresses(p, r, [...p.path, field, i])
      return addresses === undefined ? acc : C.union(acc, C.difference(addresses, except))
    }
    return C.union(acc, C.difference(parseOr(r.cidr, C.parseCidr), except))
  }, C.empty)
  return F.ipIn(set)
}

const servicesFormula = (p: PeerCtx, services: ReadonlyArray<Cil.Service>): F.Formula => {
  const field = fieldName(p.direction, 'Services')
  if (p.action === 'deny')
    p.ctx.diagnostics.push(
      D.loss(
        'unsupported',
        'deny-to-services',
        `${pathText([...p.path, field])}: Cilium expands toServices only in allow rules (https://docs.cilium.io/en/stable/security/policy/language/, "Services based"), so what this egressDeny rule denies is unconfirmed; netpolx keeps it as a deny of the services' backends`,
        at(p.ctx.doc, [...p.path, field])
      )
    )
  return F.or(
    ...services.map((s, i) => {
      if (s.k8sService !== undefined) {
        if (s.k8sService.serviceName === undefined || s.k8sService.serviceName === '') {
          p.ctx.diagnostics.push(
            D.warning('service-without-name', `${pathText([...p.path, field, i, 'k8sService'])}: k8sService without serviceName matches no service`, at(p.ctx.doc, [...p.path, field, i, 'k8sService']))
          )
          return F.ff
        }
        return F.service(nonEmpty(s.k8sService.namespace), s.k8sService.serviceName)
      }
      if (s.k8sServiceSelector !== undefined)
        return F.service(nonEmpty(s.k8sServiceSelector.namespace), undefined, L.serviceSelector(s.k8sServiceSelector.selector))
      p.ctx.diagnostics.push(
        D.warning('service-without-reference', `${pathText([...p.path, field, i])}: an item with neither k8sService nor k8sServiceSelector matches no service`, at(p.ctx.doc, [...p.path, field, i]))
      )
      return F.ff
    })
  )
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s)

/**
 * The peer formula of one element, or undefined when it has no peer (`mergeEndpointSelectors`:
 * a present but empty endpoints/nodes/entities/CIDR/CIDRSet list selects nothing; empty
 * toFQDNs/toServices/toGroups lists are as if absent).
 */
const peerOf = (p: PeerCtx, peers: Peers): F.Formula | undefined => {
  const presentEmpty = (xs: ReadonlyArray<unknown> | undefined): boolean => xs !== undefined && xs.length === 0
  if ([peers.endpoints, peers.nodes, peers.entities, peers.cidr, peers.cidrSet].some(presentEmpty)) return F.ff
  const has = <A>(xs: ReadonlyArray<A> | undefined): xs is ReadonlyArray<A> => xs !== undefined && xs.length > 0
  const parts: Array<F.Formula> = []
  if (has(peers.endpoints)) parts.push(endpointsFormula(p, peers.endpoints))
  if (has(peers.cidr)) parts.push(F.ipIn(peers.cidr.reduce((acc, c) => C.union(acc, parseOr(c, C.parseIpOrCidr)), C.empty)))
  if (has(peers.cidrSet)) parts.push(cidrSetFormula(p, peers.cidrSet))
  if (has(peers.entities)) parts.push(F.or(...peers.entities.map(entityFormula)))
  if (has(peers.nodes)) parts.push(nodesFormula(p, peers.nodes))
  if (has(peers.services)) parts.push(servicesFormula(p, peers.services))
  if (has(peers.fqdns)) parts.push(F.or(...peers.fqdns.map((f) => (f.matchName !== undefined ? F.fqdn('name', f.matchName) : F.fqdn('pattern', f.matchPattern ?? '')))))
  if (has(peers.groups)) {
    selectsNothing(p.ctx, p.action, 'unsupported-groups', [...p.path, fieldName(p.direction, 'Groups')], `${fieldName(p.direction, 'Groups')} (cloud provider security groups)`)
    parts.push(F.ff)
  }
  return parts.length === 0 ? undefined : F.or(...parts)
}

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

const protocolNumbers: Readonly<Record<Cil.Protocol, ReadonlyArray<number>>> = {
  TCP: [P.TCP],
  UDP: [P.UDP],
  SCTP: [P.SCTP],
  VRRP: [112],
  IGMP: [2],
  ANY: [P.TCP, P.UDP, P.SCTP]
}

const unionAll = (sets: ReadonlyArray<P.PortSet>): P.PortSet => sets.reduce(P.union, P.empty)

/** One `ports` entry (`PortProtocol`; port ranges as `PortRangeToMaskedPorts` reads them). */
const portProtocolSet = (pp: Cil.PortProtocol): P.PortSet => {
  const protos = protocolNumbers[pp.protocol ?? 'ANY']
  const port = pp.port
  if (port === undefined) return unionAll(protos.map(P.protocol)) // only with enable-extended-ip-protocols
  if (Cil.isServiceName(port)) return pp.protocol === undefined || pp.protocol === 'ANY' ? P.named(port.toLowerCase()) : unionAll(protos.map((n) => P.named(port.toLowerCase(), n)))
  const n = Number(port)
  const end = pp.endPort ?? 0
  return unionAll(
    protos.map((proto) =>
      proto !== P.TCP && proto !== P.UDP && proto !== P.SCTP
        ? P.protocol(proto)
        : n === 0 && (end === 0 || end === 65535)
          ? P.protocol(proto)
          : end <= n
            ? P.port(proto, n)
            : P.range(proto, n, end)
    )
  )
}

const icmpRuleSet = (r: Cil.ICMPRule): P.PortSet =>
  unionAll(
    (r.fields ?? []).map((f) => {
      const proto = f.family === 'IPv6' ? P.ICMPV6 : P.ICMP
      const type = Cil.icmpTypeNumber(f) ?? -1
      // a type becomes the port of that number (cilium pkg/policy/api/icmp.go, ICMPField.PortProtocol),
      // and port 0 is every port: type 0 matches every type of its family, as the emitter reports
      return type === 0 ? P.protocol(proto) : P.icmp(proto, type)
    })
  )

const httpRule = (h: Cil.PortRuleHTTP): HttpRule => ({
  methods: [],
  methodRegex: nonEmpty(h.method),
  paths: nonEmpty(h.path) === undefined ? [] : [{ _tag: 'regex', value: h.path ?? '' }],
  host: nonEmpty(h.host),
  headers: h.headers ?? []
})

const kafkaRule = (k: Cil.PortRuleKafka): Readonly<Record<string, string>> =>
  Object.fromEntries(
    (['role', 'apiKey', 'apiVersion', 'clientID', 'topic'] as const).flatMap((f) => {
      const v = k[f]
      return v === undefined || v === '' ? [] : [[f, v]]
    })
  )

/** The L7 constraint of a PortRule with L7 rules (`l7RuleCount > 0`; the codec allows one kind). */
const l7Of = (rules: Cil.L7Rules): L7 => {
  if ((rules.http?.length ?? 0) > 0) return { _tag: 'http', rules: (rules.http ?? []).map(httpRule) }
  if ((rules.kafka?.length ?? 0) > 0) return { _tag: 'kafka', rules: (rules.kafka ?? []).map(kafkaRule) }
  if ((rules.dns?.length ?? 0) > 0)
    return {
      _tag: 'dns',
      rules: (rules.dns ?? []).map((d) => (d.matchName !== undefined ? { match: 'name', value: d.matchName } : { match: 'pattern', value: d.matchPattern ?? '' }))
    }
  return { _tag: 'generic', protocol: rules.l7proto ?? '', rules: rules.l7 ?? [] }
}

/** What a PortRule adds beyond ports and L7 rules that the IR cannot carry. */
const portRuleLosses = (ctx: Ctx, pr: Cil.PortRule, path: Path): void => {
  const loss = (fidelity: D.Fidelity, code: string, where: Path, message: string): void => {
    ctx.diagnostics.push(D.loss(fidelity, code, `${pathText(where)}: ${message}`, at(ctx.doc, where)))
  }
  ;(pr.rules?.http ?? []).forEach((h, i) => {
    if ((h.headerMatches?.length ?? 0) > 0)
      loss('broader', 'unsupported-header-match', [...path, 'rules', 'http', i, 'headerMatches'], 'HTTP headerMatches have no IR form; the HTTP rule is kept without them, so it matches more requests')
  })
  if (pr.rules !== undefined && Cil.l7RuleCount(pr.rules) === 0 && nonEmpty(pr.rules.l7proto) !== undefined)
    loss('broader', 'unsupported-l7proto', [...path, 'rules', 'l7proto'], `l7proto ${JSON.stringify(pr.rules.l7proto)} without l7 rules still sends the traffic through that proxylib parser, whose verdicts netpolx does not model; kept at L4`)
  if ((pr.serverNames?.length ?? 0) > 0)
    loss('broader', 'unsupported-server-names', [...path, 'serverNames'], 'the TLS SNI allow-list has no IR form; the rule is kept without it, so it matches more connections')
  if (pr.listener !== undefined)
    loss('broader', 'unsupported-listener', [...path, 'listener'], 'the redirect to a custom Envoy listener has no IR form; the rule is kept at L4, so it allows whatever the listener would reject')
  for (const k of ['terminatingTLS', 'originatingTLS'] as const)
    if (pr[k] !== undefined) ctx.diagnostics.push(D.info('tls-ignored', `${pathText([...path, k])}: TLS interception does not change which connections are allowed; ignored`, at(ctx.doc, [...path, k])))
}

interface PortPart {
  readonly ports: P.PortSet
  readonly l7: L7 | undefined
  readonly path: Path
}

/**
 * The port sets of an element: undefined when it has neither toPorts nor icmps (every port);
 * otherwise one part for the PortRules without L7 rules and the ICMP rules together, and one part
 * per PortRule with L7 rules.
 */
const portParts = (ctx: Ctx, toPorts: ReadonlyArray<Cil.PortRule> | undefined, icmps: ReadonlyArray<Cil.ICMPRule> | undefined, path: Path): ReadonlyArray<PortPart> | undefined => {
  const prs = toPorts ?? []
  const ics = icmps ?? []
  if (prs.length + ics.length === 0) return undefined
  const plain: Array<P.PortSet> = []
  const parts: Array<PortPart> = []
  prs.forEach((pr, j) => {
    portRuleLosses(ctx, pr, [...path, 'toPorts', j])
    const set = unionAll((pr.ports ?? []).map(portProtocolSet))
    if (pr.rules !== undefined && Cil.l7RuleCount(pr.rules) > 0) parts.push({ ports: set, l7: l7Of(pr.rules), path: [...path, 'toPorts', j] })
    else plain.push(set)
  })
  ics.forEach((r) => plain.push(icmpRuleSet(r)))
  return plain.length === 0 ? parts : [{ ports: unionAll(plain), l7: undefined, path }, ...parts]
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

type Element = Cil.IngressRule | Cil.IngressDenyRule | Cil.EgressRule | Cil.EgressDenyRule

/** The IR rules of one ingress/egress element (none for `{}`). */
const elementRules = (ctx: Ctx, el: Element, peers: Peers, direction: Direction, action: Action, subjectMatchesInit: boolean, path: Path): ReadonlyArray<Rule> => {
  const peer = peerOf({ ctx, direction, action, path, subjectMatchesInit }, peers)
  const parts = portParts(ctx, el.toPorts, el.icmps, path)
  if ('authentication' in el && el.authentication !== undefined) {
    const where = [...path, 'authentication']
    ctx.diagnostics.push(
      el.authentication.mode === 'test-always-fail'
        ? D.loss('broader', 'authentication-ignored', `${pathText(where)}: mode test-always-fail makes Cilium drop this traffic; netpolx ignores authentication, so it allows it`, at(ctx.doc, where))
        : D.info('authentication-ignored', `${pathText(where)}: mutual authentication (mode ${el.authentication.mode}) is ignored; the rule is evaluated as a plain allow (https://docs.cilium.io/en/stable/network/servicemesh/mutual-authentication/mutual-authentication/)`, at(ctx.doc, where))
    )
  }
  // `{}`: no peer and no ports selects the subject but allows nothing (§1.10)
  if (peer === undefined && parts === undefined) return []
  const p = peer ?? F.tt
  if (parts === undefined) return [{ action, peer: p, ports: P.all, l7: undefined, location: at(ctx.doc, path) }]
  return parts.map((part) => ({ action, peer: p, ports: part.ports, l7: part.l7, location: at(ctx.doc, part.path) }))
}

const directionOf = <A extends Element, B extends Element>(
  ctx: Ctx,
  direction: Direction,
  allow: ReadonlyArray<A> | undefined,
  deny: ReadonlyArray<B> | undefined,
  peersOf: (el: A | B) => Peers,
  defaultDeny: boolean | undefined,
  subjectMatchesInit: boolean,
  base: Path
): DirectionRules | undefined => {
  if ((allow?.length ?? 0) + (deny?.length ?? 0) === 0) return undefined
  const denyKey = direction === 'ingress' ? 'ingressDeny' : 'egressDeny'
  return {
    defaultDeny: defaultDeny ?? true,
    rules: [
      ...(allow ?? []).flatMap((el, i) => elementRules(ctx, el, peersOf(el), direction, 'allow', subjectMatchesInit, [...base, direction, i])),
      ...(deny ?? []).flatMap((el, i) => elementRules(ctx, el, peersOf(el), direction, 'deny', subjectMatchesInit, [...base, denyKey, i]))
    ]
  }
}

// -------------------------------------------------------------------------------------
// policy
// -------------------------------------------------------------------------------------

const withoutLastApplied = (a: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined => {
  if (a === undefined) return undefined
  const { 'kubectl.kubernetes.io/last-applied-configuration': _dropped, ...rest } = a
  return Object.keys(rest).length === 0 ? undefined : rest
}

const subjectOf = (ctx: Ctx, rule: Cil.Rule, base: Path): F.Formula => {
  if (rule.nodeSelector !== undefined) {
    const r = L.hostSelector(rule.nodeSelector)
    report(ctx, r.findings, [...base, 'nodeSelector'])
    return F.and(F.kind(['host']), r.formula)
  }
  const r = L.endpointSelector(rule.endpointSelector ?? {}, { _tag: 'subject', namespace: ctx.namespace })
  report(ctx, r.findings, [...base, 'endpointSelector'])
  return F.and(F.kind(['pod']), r.formula)
}

const policyOf = (ctx: Ctx, origin: Omit<Origin, 'location'>, rule: Cil.Rule, base: Path): Policy => {
  const subject = subjectOf(ctx, rule, base)
  const matchesInit = rule.nodeSelector === undefined && L.mentionsInit(rule.endpointSelector)
  return {
    _tag: 'Policy',
    origin: { ...origin, location: at(ctx.doc, base) },
    scope: ctx.namespace === undefined ? { _tag: 'cluster' } : { _tag: 'namespace', namespace: ctx.namespace },
    ordering: undefined,
    subject,
    ingress: directionOf(ctx, 'ingress', rule.ingress, rule.ingressDeny, ingressPeers, rule.enableDefaultDeny?.ingress, matchesInit, base),
    egress: directionOf(ctx, 'egress', rule.egress, rule.egressDeny, egressPeers, rule.enableDefaultDeny?.egress, matchesInit, base)
  }
}

export const parse = (doc: SourceDoc, context?: ParseContext): ParseOutput => {
  const v = doc.value as Readonly<Record<string, unknown>> | null
  if (typeof v === 'object' && v !== null && typeof v.apiVersion === 'string' && typeof v.kind === 'string' && G.isCidrGroup(v.apiVersion, v.kind))
    return { set: emptySet, diagnostics: G.parseGroup(doc) }
  const decoded = decode(Cil.CiliumPolicy, doc, doc.value)
  if (E.isLeft(decoded)) return { set: emptySet, diagnostics: decoded.left }
  const policy = decoded.right
  const problems = Cil.validatePolicy(policy)
  if (problems.length > 0)
    return { set: emptySet, diagnostics: problems.map((p) => D.error('invalid-policy', p.path.length === 0 ? p.message : `${pathText(p.path)}: ${p.message}`, doc.locate(p.path))) }
  const meta = policy.metadata
  const clusterwide = policy.kind === 'CiliumClusterwideNetworkPolicy'
  const diagnostics: Array<D.Diagnostic> = []
  if (!clusterwide && meta.namespace === undefined)
    diagnostics.push(D.warning('namespace-defaulted', `metadata.namespace is not set; using "${defaultNamespace}" (give -n NAMESPACE to choose)`, at(doc, ['metadata'])))
  if (clusterwide && meta.namespace !== undefined)
    diagnostics.push(
      D.info('namespace-ignored', `metadata.namespace: a ${policy.kind} is cluster-scoped; its namespace "${meta.namespace}" is ignored`, at(doc, ['metadata', 'namespace']))
    )
  const namespace = clusterwide ? undefined : (meta.namespace ?? defaultNamespace)
  const ctx: Ctx = { doc, namespace, diagnostics, groups: context === undefined ? undefined : G.groupsIn(context.docs) }
  const origin: Omit<Origin, 'location'> = {
    dialect: 'cilium',
    kind: policy.kind,
    namespace,
    name: meta.name,
    labels: meta.labels !== undefined && Object.keys(meta.labels).length > 0 ? meta.labels : undefined,
    annotations: withoutLastApplied(meta.annotations)
  }
  const rules: ReadonlyArray<readonly [Cil.Rule, Path]> = [
    ...(policy.spec === undefined ? [] : [[policy.spec, ['spec']] as const]),
    ...(policy.specs ?? []).map((r, i) => [r, ['specs', i]] as const)
  ]
  if (rules.length === 0) diagnostics.push(D.info('empty-policy', `${policy.kind} ${meta.name} has no rules (specs is empty)`, at(doc, ['specs'])))
  const policies = rules.map(([rule, base]) => policyOf(ctx, origin, rule, base))
  return { set: { policies, tiers: [], networkSets: [] }, diagnostics }
}
