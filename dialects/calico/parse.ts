/**
 * Calico resources (projectcalico.org/v3 and crd.projectcalico.org/v1) → IR, with Calico's implicit
 * rules made explicit:
 *
 * - absent `types` defaulted as the Calico client does for v3 (research notes §1.6), and as Felix
 *   does for raw v1 CRs (both directions);
 * - a NetworkPolicy's selector confined to its namespace (the policy's scope), a GNP's subject
 *   covering pods and host endpoints;
 * - rule selectors scoped as `getEndpointSelector` does (§2's scoping table), matching only known
 *   entities (pods, network sets, host endpoints), and `notSelector` left unscoped;
 * - Calico's special labels (`projectcalico.org/namespace`, `…/orchestrator`, `…/serviceaccount`,
 *   and `projectcalico.org/name` in namespace and service-account selectors) rewritten into the
 *   IR's own atoms, so the IR carries no Calico quirks.
 *
 * Encodings chosen where the IR has no direct atom:
 *
 * - "the entity is namespaced" is `exists(namespace: kubernetes.io/metadata.name)`: the API server
 *   (and the inventory) put that label on every namespace, and non-namespaced entities have no
 *   namespace labels at all. So `namespaceSelector: all()` is that atom and `global()` is
 *   `kind(host, networkSet) ∧ ¬namespaced`.
 * - "known entity" (what a Calico selector can match: it matches the IPs of endpoints and network
 *   sets) is `kind(pod, host, networkSet)`; a NetworkPolicy's namespace scope excludes host
 *   endpoints by itself.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../../src/diagnostics.js'
import { decode, pathText } from '../../src/io/decode.js'
import type { Path, SourceDoc } from '../../src/io/source.js'
import { at } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Action, DirectionRules, HttpRule, L7, NetworkSet, Origin, Policy, PolicySet, Rule, Tier } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { ParseOutput } from '../dialect.js'
import * as K from './codec.js'
import * as S from './selector.js'

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

/** The namespace a namespaced object without `metadata.namespace` lands in. */
export const defaultNamespace = 'default'

/** The label every namespace carries; its presence on the namespace owner means "the entity is namespaced". */
export const namespaceNameLabel = 'kubernetes.io/metadata.name'

const namespaced: F.Formula = F.exists('namespace', namespaceNameLabel)

/** What a Calico selector can match: the IPs of workload endpoints, host endpoints and network sets. */
const known: F.Formula = F.kind(['pod', 'host', 'networkSet'])

/** `global()` in a rule's namespaceSelector: non-namespaced entities (host endpoints and GlobalNetworkSets). */
const globalScope: F.Formula = F.and(F.kind(['host', 'networkSet']), F.not(namespaced))

const labelNamespace = 'projectcalico.org/namespace'
const labelOrchestrator = 'projectcalico.org/orchestrator'
const labelServiceAccount = 'projectcalico.org/serviceaccount'
const labelName = 'projectcalico.org/name'

const emptySet: PolicySet = { policies: [], tiers: [], networkSets: [] }

// -------------------------------------------------------------------------------------
// special labels
// -------------------------------------------------------------------------------------

type Warn = (message: string) => void

/**
 * Rewrites Calico's special labels into IR atoms (research notes §4.5): on endpoints,
 * `projectcalico.org/namespace` is the namespace name, `projectcalico.org/orchestrator` is `k8s` on
 * pods only, `projectcalico.org/serviceaccount` is the service account name; on namespaces and
 * service accounts (`pcns.` / `pcsa.` profiles), `projectcalico.org/name` is the name.
 */
export const rewriteSpecialLabels = (f: F.Formula, warn: Warn = () => undefined): F.Formula => {
  const atom = (a: F.Label): F.Formula => {
    const t = a.test
    if (a.owner === 'endpoint' && a.key === labelNamespace)
      return t._tag === 'in' ? F.inNamespace(t.values) : t._tag === 'exists' ? namespaced : F.label('namespace', namespaceNameLabel, t)
    if (a.owner === 'endpoint' && a.key === labelOrchestrator) return F.testLabel({ [a.key]: 'k8s' }, a.key, t) ? F.kind(['pod']) : F.ff
    if ((a.owner === 'endpoint' && a.key === labelServiceAccount) || (a.owner === 'serviceAccount' && a.key === labelName)) {
      if (t._tag === 'in') return F.and(F.kind(['pod']), F.serviceAccount(t.values))
      if (t._tag === 'exists') return F.kind(['pod'])
      warn(`"${a.key}" with a ${t._tag} test has no exact IR form (service account names are matched only by value); kept as a label test`)
      return a
    }
    if (a.owner === 'namespace' && a.key === labelName)
      return t._tag === 'in' ? F.inNamespace(t.values) : t._tag === 'exists' ? namespaced : F.label('namespace', namespaceNameLabel, t)
    return a
  }
  const go = (g: F.Formula): F.Formula => {
    switch (g._tag) {
      case 'and':
        return F.and(...g.args.map(go))
      case 'or':
        return F.or(...g.args.map(go))
      case 'not':
        return F.not(go(g.arg))
      case 'label':
        return atom(g)
      default:
        return g
    }
  }
  return go(f)
}

/** `all()` replaced by `replacement` (Calico rewrites `all()` in combined namespace / service-account selectors). */
const replaceAll = (s: S.Selector, replacement: S.Selector): S.Selector => {
  switch (s._tag) {
    case 'all':
      return replacement
    case 'not':
      return { _tag: 'not', arg: replaceAll(s.arg, replacement) }
    case 'and':
    case 'or':
      return { _tag: s._tag, args: s.args.map((a) => replaceAll(a, replacement)) }
    default:
      return s
  }
}

const hasNamespaceLabel: S.Selector = { _tag: 'has', key: labelNamespace }

// -------------------------------------------------------------------------------------
// context
// -------------------------------------------------------------------------------------

interface Ctx {
  readonly doc: SourceDoc
  /** The policy's namespace; undefined for a GlobalNetworkPolicy. */
  readonly namespace: string | undefined
  readonly diagnostics: Array<D.Diagnostic>
}

const nonEmpty = (s: string | undefined): s is string => s !== undefined && s.trim() !== ''

/** Parses a selector field; a syntax error is reported at the offending character inside the YAML string (and its 1-based offset in the message). */
const selectorAt = (ctx: Ctx, text: string, path: Path): S.Selector | undefined => {
  const r = S.parse(text)
  if (E.isRight(r)) return r.right
  ctx.diagnostics.push(
    D.error('invalid-selector', `${pathText(path)}: ${r.left.message} at character ${r.left.offset + 1} of ${JSON.stringify(text)}`, ctx.doc.locate(path, r.left.offset))
  )
  return undefined
}

const formulaAt = (ctx: Ctx, sel: S.Selector, owner: F.LabelOwner, path: Path, onGlobal: F.Formula = F.tt): F.Formula =>
  rewriteSpecialLabels(S.toFormula(sel, owner, onGlobal), (m) =>
    ctx.diagnostics.push(D.loss('unsupported', 'unsupported-special-label', `${pathText(path)}: ${m}`, at(ctx.doc, path)))
  )

// -------------------------------------------------------------------------------------
// entity rules
// -------------------------------------------------------------------------------------

const netsOf = (nets: ReadonlyArray<string>): C.CidrSet =>
  nets.reduce((acc, n) => E.match<string, C.CidrSet, C.CidrSet>(() => acc, (s) => C.union(acc, s))(C.parseCidr(n)), C.empty)

/**
 * The formula of an EntityRule's address, selector and service-account fields (not its ports),
 * scoped as in research notes §2: a selector part matches only known entities; the namespace scope
 * applies when any of selector, notSelector, namespaceSelector or serviceAccounts is set; the
 * notSelector itself is not scoped.
 */
const entityFormula = (ctx: Ctx, er: K.EntityRule, path: Path): F.Formula => {
  const parts: Array<F.Formula> = []
  if (er.nets !== undefined && er.nets.length > 0) parts.push(F.ipIn(netsOf(er.nets)))
  if (er.notNets !== undefined && er.notNets.length > 0) parts.push(F.not(F.ipIn(netsOf(er.notNets))))
  const sa = er.serviceAccounts
  const hasSa = sa !== undefined && ((sa.names?.length ?? 0) > 0 || nonEmpty(sa.selector))
  const scoped = nonEmpty(er.selector) || nonEmpty(er.notSelector) || nonEmpty(er.namespaceSelector) || hasSa
  if (scoped) {
    let scope: F.Formula = ctx.namespace === undefined ? F.tt : F.inNamespace([ctx.namespace])
    if (nonEmpty(er.namespaceSelector)) {
      const ns = selectorAt(ctx, er.namespaceSelector, [...path, 'namespaceSelector'])
      scope = ns === undefined ? F.tt : formulaAt(ctx, replaceAll(ns, { _tag: 'has', key: labelName }), 'namespace', [...path, 'namespaceSelector'], globalScope)
      // the namespace scope is itself a selector: it matches only known entities (§2, step 3)
      scope = F.and(known, scope)
    }
    parts.push(scope)
    if (nonEmpty(er.selector)) {
      const s = selectorAt(ctx, er.selector, [...path, 'selector'])
      if (s !== undefined) parts.push(known, formulaAt(ctx, s, 'endpoint', [...path, 'selector']))
    }
    if (hasSa) {
      parts.push(F.kind(['pod']))
      if ((sa.names?.length ?? 0) > 0) parts.push(F.serviceAccount(sa.names ?? []))
      if (nonEmpty(sa.selector)) {
        const s = selectorAt(ctx, sa.selector, [...path, 'serviceAccounts', 'selector'])
        if (s !== undefined) parts.push(formulaAt(ctx, s, 'serviceAccount', [...path, 'serviceAccounts', 'selector']))
      }
    }
    if (nonEmpty(er.notSelector)) {
      const x = selectorAt(ctx, er.notSelector, [...path, 'notSelector'])
      if (x !== undefined) parts.push(F.not(F.and(known, formulaAt(ctx, x, 'endpoint', [...path, 'notSelector']))))
    }
  }
  if (er.services !== undefined) {
    const ns = nonEmpty(er.services.namespace) ? er.services.namespace : ctx.namespace
    parts.push(F.service(ns, er.services.name))
  }
  return F.and(...parts)
}

/** Whether an EntityRule constrains the address or identity of its endpoint (anything but ports). */
const constrainsEndpoint = (er: K.EntityRule | undefined): boolean =>
  er !== undefined &&
  ((er.nets?.length ?? 0) > 0 ||
    (er.notNets?.length ?? 0) > 0 ||
    nonEmpty(er.selector) ||
    nonEmpty(er.notSelector) ||
    nonEmpty(er.namespaceSelector) ||
    er.serviceAccounts !== undefined ||
    er.services !== undefined)

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

const portEntry = (p: K.Port, proto: number | undefined): P.PortSet =>
  p._tag === 'named'
    ? P.named(p.name, proto)
    : proto === undefined
      ? P.empty // rejected by ruleProblems (numeric ports need a protocol)
      : p._tag === 'port'
        ? P.port(proto, p.n)
        : P.range(proto, p.lo, p.hi)

const isIcmpProto = (n: number | undefined): n is 1 | 58 => n === 1 || n === 58

/** The rule's destination ports and protocols; undefined (after a diagnostic) when not expressible. */
const portsOf = (ctx: Ctx, rule: K.Rule, path: Path): P.PortSet | undefined => {
  const proto = rule.protocol === undefined ? undefined : K.protocolNumber(rule.protocol)
  const dst = rule.destination
  const unsupported = (where: Path, why: string): undefined => {
    ctx.diagnostics.push(D.loss('unsupported', 'unsupported-ports', `${pathText(where)}: ${why}`, at(ctx.doc, where)))
    return undefined
  }
  let set: P.PortSet = proto === undefined ? P.all : P.protocol(proto)
  if (rule.icmp !== undefined && isIcmpProto(proto)) set = P.icmp(proto, rule.icmp.type, rule.icmp.code)
  const ports = dst?.ports ?? []
  if (ports.length > 0) {
    const listed = ports.reduce((acc, p) => P.union(acc, portEntry(p, proto)), P.empty)
    const r = P.intersect(set, listed)
    if (E.isLeft(r)) return unsupported([...path, 'destination', 'ports'], r.left)
    set = r.right
  }
  const notPorts = dst?.notPorts ?? []
  if (notPorts.length > 0) {
    const r = P.difference(
      set,
      notPorts.reduce((acc, p) => P.union(acc, portEntry(p, proto)), P.empty)
    )
    if (E.isLeft(r)) return unsupported([...path, 'destination', 'notPorts'], r.left)
    set = r.right
  }
  if (rule.notProtocol !== undefined) {
    const r = P.difference(set, P.protocol(K.protocolNumber(rule.notProtocol)))
    if (E.isLeft(r)) return unsupported([...path, 'notProtocol'], r.left)
    set = r.right
  }
  if (rule.notICMP !== undefined) {
    const n = rule.notICMP
    const cut = isIcmpProto(proto) ? P.icmp(proto, n.type, n.code) : P.union(P.icmp(1, n.type, n.code), P.icmp(58, n.type, n.code))
    const r = P.difference(set, cut)
    if (E.isLeft(r)) return unsupported([...path, 'notICMP'], r.left)
    set = r.right
  }
  return set
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

const actions: Readonly<Record<K.Action, Action>> = { Allow: 'allow', Deny: 'deny', Pass: 'pass', Log: 'log' }

const l7Of = (http: K.HttpMatch): L7 => {
  const rule: HttpRule = {
    methods: http.methods ?? [],
    methodRegex: undefined,
    paths: (http.paths ?? []).map((p) => ('exact' in p ? { _tag: 'exact', value: p.exact } : { _tag: 'prefix', value: p.prefix })),
    host: undefined,
    headers: []
  }
  return { _tag: 'http', rules: [rule] }
}

const ruleOf = (ctx: Ctx, rule: K.Rule, direction: 'ingress' | 'egress', path: Path): Rule | undefined => {
  const peerKey = direction === 'ingress' ? 'source' : 'destination'
  const localKey = direction === 'ingress' ? 'destination' : 'source'
  const local = rule[localKey]
  if (constrainsEndpoint(local))
    ctx.diagnostics.push(
      D.loss(
        'unsupported',
        'unsupported-local-match',
        `${pathText([...path, localKey])}: in an ${direction} rule, ${localKey} constrains the policy's own endpoint, which an IR rule cannot express; the rule is kept without that constraint, so it applies to more endpoints than in Calico`,
        at(ctx.doc, [...path, localKey])
      )
    )
  const src = rule.source
  if ((src?.ports?.length ?? 0) > 0 || (src?.notPorts?.length ?? 0) > 0)
    ctx.diagnostics.push(
      D.loss(
        'unsupported',
        'unsupported-source-ports',
        `${pathText([...path, 'source'])}: source ports cannot be expressed in the IR (it matches destination ports only); they are ignored`,
        at(ctx.doc, [...path, 'source'])
      )
    )
  const ports = portsOf(ctx, rule, path)
  if (ports === undefined) return undefined
  const peerRule = rule[peerKey]
  if (direction === 'egress' && peerRule?.services !== undefined)
    ctx.diagnostics.push(
      D.info(
        'calico-service-ports',
        `${pathText([...path, peerKey, 'services'])}: Felix matches only the Service's endpoint ports; the inventory carries no Service ports, so reach evaluates the rule on every port it lists`,
        at(ctx.doc, [...path, peerKey, 'services'])
      )
    )
  const peer = F.and(
    peerRule === undefined ? F.tt : entityFormula(ctx, peerRule, [...path, peerKey]),
    rule.ipVersion === undefined ? F.tt : F.ipIn(rule.ipVersion === 4 ? C.allV4 : C.allV6)
  )
  return {
    action: actions[rule.action],
    peer,
    ports,
    l7: rule.http === undefined ? undefined : l7Of(rule.http),
    location: at(ctx.doc, path)
  }
}

// -------------------------------------------------------------------------------------
// objects
// -------------------------------------------------------------------------------------

const withoutLastApplied = (a: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined => {
  if (a === undefined) return undefined
  const { 'kubectl.kubernetes.io/last-applied-configuration': _dropped, ...rest } = a
  return Object.keys(rest).length === 0 ? undefined : rest
}

const policyOf = (ctx: Ctx, o: K.NetworkPolicy | K.GlobalNetworkPolicy, meta: K.ObjectMeta, v1: boolean): Policy => {
  const { doc, diagnostics } = ctx
  const spec: K.GlobalNetworkPolicySpec = o.spec ?? {}
  const global = o.kind === 'GlobalNetworkPolicy'
  const origin: Origin = {
    dialect: 'calico',
    kind: o.kind,
    namespace: ctx.namespace,
    name: meta.name,
    location: at(doc, []),
    labels: meta.labels !== undefined && Object.keys(meta.labels).length > 0 ? meta.labels : undefined,
    annotations: withoutLastApplied(meta.annotations !== undefined && Object.keys(meta.annotations).length > 0 ? meta.annotations : undefined)
  }
  // types (research notes §1.6)
  const hasIngress = (spec.ingress?.length ?? 0) > 0
  const hasEgress = (spec.egress?.length ?? 0) > 0
  let types: ReadonlyArray<K.PolicyType>
  if (spec.types !== undefined && spec.types.length > 0) types = spec.types
  else if (v1) {
    types = ['Ingress', 'Egress']
    diagnostics.push(
      D.warning(
        'v1-types-default',
        'spec.types is not set on a crd.projectcalico.org/v1 object: nothing defaults it on that path (the Calico client and admission policy only handle projectcalico.org/v3), and Felix treats a policy without types as governing both Ingress and Egress',
        at(doc, ['spec'])
      )
    )
  } else types = hasEgress && !hasIngress ? ['Egress'] : hasEgress ? ['Ingress', 'Egress'] : ['Ingress']

  // subject
  const subjectParts: Array<F.Formula> = [F.kind(global ? ['pod', 'host'] : ['pod'])]
  const nsSelText = global ? spec.namespaceSelector : undefined
  const restrictAll = nonEmpty(nsSelText)
  const sel = nonEmpty(spec.selector) ? selectorAt(ctx, spec.selector, ['spec', 'selector']) : { _tag: 'all' as const }
  if (sel !== undefined) subjectParts.push(formulaAt(ctx, restrictAll ? replaceAll(sel, hasNamespaceLabel) : sel, 'endpoint', ['spec', 'selector']))
  if (nonEmpty(spec.serviceAccountSelector)) {
    const s = selectorAt(ctx, spec.serviceAccountSelector, ['spec', 'serviceAccountSelector'])
    if (s !== undefined)
      subjectParts.push(formulaAt(ctx, replaceAll(s, { _tag: 'has', key: labelName }), 'serviceAccount', ['spec', 'serviceAccountSelector']))
  }
  if (nonEmpty(nsSelText)) {
    const s = selectorAt(ctx, nsSelText, ['spec', 'namespaceSelector'])
    if (s !== undefined) subjectParts.push(formulaAt(ctx, replaceAll(s, { _tag: 'has', key: labelName }), 'namespace', ['spec', 'namespaceSelector']))
  }

  const direction = (key: 'ingress' | 'egress'): DirectionRules | undefined => {
    const rules = spec[key] ?? []
    const governed = types.includes(key === 'ingress' ? 'Ingress' : 'Egress')
    if (!governed) {
      if (rules.length > 0)
        diagnostics.push(
          D.warning(
            'ignored-rules',
            `spec.${key} has rules but spec.types does not list ${key === 'ingress' ? 'Ingress' : 'Egress'}, so they have no effect`,
            doc.locate(['spec', key])
          )
        )
      return undefined
    }
    const out: Array<Rule> = []
    rules.forEach((r, i) => {
      const rule = ruleOf(ctx, r, key, ['spec', key, i])
      if (rule !== undefined) out.push(rule)
    })
    return { defaultDeny: true, rules: out }
  }
  if (global && (spec.doNotTrack === true || spec.preDNAT === true))
    diagnostics.push(
      D.warning(
        'host-only-policy',
        `a ${spec.doNotTrack === true ? 'doNotTrack' : 'preDNAT'} policy is applied to host endpoints only, never to pods`,
        at(doc, ['spec', spec.doNotTrack === true ? 'doNotTrack' : 'preDNAT'])
      )
    )
  const hostOnly = global && (spec.doNotTrack === true || spec.preDNAT === true)
  return {
    _tag: 'Policy',
    origin,
    scope: global ? { _tag: 'cluster' } : { _tag: 'namespace', namespace: ctx.namespace ?? defaultNamespace },
    ordering: { tier: spec.tier ?? 'default', order: spec.order },
    subject: hostOnly ? F.and(F.kind(['host']), ...subjectParts) : F.and(...subjectParts),
    ingress: direction('ingress'),
    egress: direction('egress')
  }
}

const originOf = (doc: SourceDoc, kind: string, meta: K.ObjectMeta, namespace: string | undefined): Origin => ({
  dialect: 'calico',
  kind,
  namespace,
  name: meta.name,
  location: at(doc, []),
  labels: meta.labels !== undefined && Object.keys(meta.labels).length > 0 ? meta.labels : undefined,
  annotations: withoutLastApplied(meta.annotations !== undefined && Object.keys(meta.annotations).length > 0 ? meta.annotations : undefined)
})

const tierOf = (doc: SourceDoc, o: K.Tier, meta: K.ObjectMeta): Tier => ({
  name: meta.name,
  order: o.spec?.order,
  defaultAction: o.spec?.defaultAction === 'Pass' ? 'pass' : 'deny',
  origin: originOf(doc, 'Tier', meta, undefined)
})

const networkSetOf = (doc: SourceDoc, o: K.NetworkSet | K.GlobalNetworkSet, meta: K.ObjectMeta, namespace: string | undefined): NetworkSet => ({
  name: meta.name,
  namespace,
  labels: meta.labels ?? {},
  cidrs: (o.spec?.nets ?? []).reduce(
    (acc, n) => E.match<string, C.CidrSet, C.CidrSet>(() => acc, (s) => C.union(acc, s))(C.parseIpOrCidr(n)),
    C.empty
  ),
  origin: originOf(doc, o.kind, meta, namespace)
})

const stagedKinds: ReadonlyArray<string> = ['StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy']

export const parse = (doc: SourceDoc): ParseOutput => {
  const decoded = decode(K.CalicoObject, doc, doc.value)
  if (E.isLeft(decoded)) return { set: emptySet, diagnostics: decoded.left }
  const o = decoded.right
  const diagnostics: Array<D.Diagnostic> = [...K.toDiagnostics(doc, K.objectProblems(o))]
  const v1 = o.apiVersion === 'crd.projectcalico.org/v1'
  const tier = o.kind === 'NetworkPolicy' || o.kind === 'GlobalNetworkPolicy' ? o.spec?.tier : undefined
  let meta: K.ObjectMeta = o.metadata
  if (v1) {
    const m = K.v3MetadataOfV1(o.kind, o.metadata, tier)
    if (E.isLeft(m)) diagnostics.push(D.error('invalid-field', `metadata.annotations.${K.metadataAnnotation}: ${m.left}`, doc.locate(['metadata', 'annotations', K.metadataAnnotation])))
    else meta = m.right
  }
  if (stagedKinds.includes(o.kind)) {
    diagnostics.push(D.info('staged-policy', `${o.kind} ${meta.name} is a staged policy: it is not enforced, so it has no IR`, at(doc, ['kind'])))
    return { set: emptySet, diagnostics }
  }
  const namespaced = o.kind === 'NetworkPolicy' || o.kind === 'NetworkSet'
  const namespace = namespaced ? (meta.namespace ?? defaultNamespace) : undefined
  if (namespaced && meta.namespace === undefined)
    diagnostics.push(D.info('namespace-defaulted', `metadata.namespace is not set; using "${defaultNamespace}"`, at(doc, ['metadata'])))
  if (D.hasErrors(diagnostics)) return { set: emptySet, diagnostics }
  const ctx: Ctx = { doc, namespace, diagnostics }
  let set: PolicySet = emptySet
  switch (o.kind) {
    case 'NetworkPolicy':
    case 'GlobalNetworkPolicy':
      set = { policies: [policyOf(ctx, o, meta, v1)], tiers: [], networkSets: [] }
      break
    case 'NetworkSet':
    case 'GlobalNetworkSet':
      if (meta.labels !== undefined && labelNamespace in meta.labels)
        diagnostics.push(D.error('invalid-field', `metadata.labels: the label ${labelNamespace} is reserved by Calico`, doc.locate(['metadata', 'labels', labelNamespace])))
      set = { policies: [], tiers: [], networkSets: [networkSetOf(doc, o, meta, namespace)] }
      break
    case 'Tier':
      set = { policies: [], tiers: [tierOf(doc, o, meta)], networkSets: [] }
      break
    default:
      break
  }
  return D.hasErrors(diagnostics) ? { set: emptySet, diagnostics } : { set, diagnostics }
}
