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
 *   IR's own atoms, so the IR carries no Calico quirks;
 * - a rule restricted to the address families Felix renders it in (§2, `FilterRuleToIPVersion`):
 *   `ipVersion`, and any `nets` / `notNets` list (source or destination) of one family only;
 * - ports computed part by part (§1.5, §2); where a named port meets part of a protocol's numeric
 *   ports the set depends on what the name resolves to, so the rule keeps the bound that errs
 *   safely for its action, with a diagnostic;
 * - a GNP's `preDNAT`, `doNotTrack` and `applyOnForward` (§1.2, §4.6), which have no IR form,
 *   reported `unsupported` (the policy stays an ordinary host endpoint policy).
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

/** A rule's nets; a bare address is its full-length prefix, as Felix reads it (codec.ts `ruleNetProblem`). */
const netsOf = (nets: ReadonlyArray<string>): C.CidrSet =>
  nets.reduce((acc, n) => E.match<string, C.CidrSet, C.CidrSet>(() => acc, (s) => C.union(acc, s))(C.parseIpOrCidr(n)), C.empty)

/** A warning at each bare address in a rule's nets / notNets: Felix reads it, calicoctl and the API server refuse it. */
const bareIpWarnings = (ctx: Ctx, rule: K.Rule, path: Path): void => {
  for (const side of ['source', 'destination'] as const)
    for (const field of ['nets', 'notNets'] as const)
      (rule[side]?.[field] ?? []).forEach((n, i) => {
        if (n.includes('/')) return
        const where = [...path, side, field, i]
        ctx.diagnostics.push(
          D.warning(
            'bare-ip-net',
            `${pathText(where)}: "${n}" is read as ${n}/${n.includes(':') ? 128 : 32}, as Felix reads it; calicoctl and the Calico API server reject an address without a prefix length in rule nets (write "${n}/${n.includes(':') ? 128 : 32}")`,
            at(ctx.doc, where)
          )
        )
      })
}

/**
 * The address part of a peer: in any of `nets`, in none of `notNets`; when the rule applies to
 * one family only (`familiesOf`), folded into one atom within that family (so the family adds
 * no separate test).
 */
const addressFormula = (er: K.EntityRule | undefined, families: C.CidrSet): F.Formula => {
  const nets = er?.nets ?? []
  const notNets = er?.notNets ?? []
  if (C.isAll(families)) return F.and(nets.length === 0 ? F.tt : F.ipIn(netsOf(nets)), notNets.length === 0 ? F.tt : F.not(F.ipIn(netsOf(notNets))))
  return F.ipIn(C.difference(C.intersect(nets.length === 0 ? C.all : netsOf(nets), families), netsOf(notNets)))
}

/**
 * The formula of an EntityRule's address, selector and service-account fields (not its ports),
 * scoped as in research notes §2: a selector part matches only known entities; the namespace scope
 * applies when any of selector, notSelector, namespaceSelector or serviceAccounts is set; the
 * notSelector itself is not scoped.
 */
const entityFormula = (ctx: Ctx, er: K.EntityRule, path: Path, families: C.CidrSet): F.Formula => {
  const parts: Array<F.Formula> = [addressFormula(er, families)]
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

/** The numeric part of a port set (its named ports left out). */
const numericPart = (s: P.PortSet): P.PortSet => P.normalize({ ...s, named: [] })

/** Every protocol a named port of `s` may resolve on, wholly: what a name could take out of numeric ports. */
const namedCover = (s: P.PortSet): P.PortSet => s.named.reduce((acc, n) => P.union(acc, n.protocol === undefined ? P.all : P.protocol(n.protocol)), P.empty)

/**
 * Bounds of one part of a rule's ports (one `ports` entry within the protocol, or the protocol's
 * whole set): a numeric-only or a single-name set, so that the exact set is the union of the
 * parts' sets (`(A ∪ B) ∖ N = (A ∖ N) ∪ (B ∖ N)`). `lower` is matched for certain, `upper` covers
 * every port that may match; they are equal while every step was exact.
 */
interface PortBounds {
  readonly lower: P.PortSet
  readonly upper: P.PortSet
}

/** `s ∖ cut` when the algebra can say it, else `fallback()`. */
const differenceOr = (s: P.PortSet, cut: P.PortSet, fallback: () => P.PortSet): P.PortSet => E.getOrElse(fallback)(P.difference(s, cut))

/**
 * What certainly remains of a part: a named part may lose anything (∅); a numeric part loses
 * its numeric cut and every protocol a name of the cut may resolve on.
 */
const lowerLess = (s: P.PortSet, cut: P.PortSet): P.PortSet =>
  differenceOr(s, cut, () => (s.named.length > 0 ? P.empty : differenceOr(s, P.union(numericPart(cut), namedCover(cut)), () => P.empty)))

/** What may remain of a part: a named part may lose nothing; a numeric part loses its numeric cut. */
const upperLess = (s: P.PortSet, cut: P.PortSet): P.PortSet =>
  differenceOr(s, cut, () => (s.named.length > 0 ? s : differenceOr(s, numericPart(cut), () => s)))

/** `b ∖ cut` exactly while the algebra can say it, else as bounds, with the reason the first time it cannot. */
const subtractBounds = (b: PortBounds, cut: P.PortSet): { readonly bounds: PortBounds; readonly why: string | undefined } => {
  const bounds = { lower: lowerLess(b.lower, cut), upper: upperLess(b.upper, cut) }
  if (!P.equals(b.lower, b.upper)) return { bounds, why: undefined }
  const r = P.difference(b.lower, cut)
  return E.isRight(r) ? { bounds: { lower: r.right, upper: r.right }, why: undefined } : { bounds, why: r.left }
}

/** A port set the algebra could not compute exactly: what is matched for certain, what may be, and why (at the first field that failed). */
interface InexactPorts {
  readonly lower: P.PortSet
  readonly upper: P.PortSet
  readonly where: Path
  readonly why: string
}

/**
 * The rule's destination ports and protocols (research notes §1.5, §2: `ports` ORed, `notPorts`
 * none of them, everything ANDed with protocol, notProtocol, icmp, notICMP), computed part by
 * part; `Left` with bounds when a named port meets part of a protocol's numeric ports (or
 * another name) and the result depends on the port the name resolves to.
 */
const portBoundsOf = (rule: K.Rule, path: Path): E.Either<InexactPorts, P.PortSet> => {
  const proto = rule.protocol === undefined ? undefined : K.protocolNumber(rule.protocol)
  const dst = rule.destination
  let base: P.PortSet = proto === undefined ? P.all : P.protocol(proto)
  if (rule.icmp !== undefined && isIcmpProto(proto)) base = P.icmp(proto, rule.icmp.type, rule.icmp.code)
  let failure: { readonly where: Path; readonly why: string } | undefined
  const fail = (where: Path, why: string | undefined): void => {
    if (failure === undefined && why !== undefined) failure = { where, why }
  }
  const ports = dst?.ports ?? []
  let parts: ReadonlyArray<PortBounds> = (ports.length > 0 ? ports.map((p) => portEntry(p, proto)) : [base]).map((c) =>
    E.match<string, P.PortSet, PortBounds>(
      (why) => {
        fail([...path, 'destination', 'ports'], why)
        return { lower: P.empty, upper: c }
      },
      (s) => ({ lower: s, upper: s })
    )(P.intersect(base, c))
  )
  const subtract = (cut: P.PortSet, where: Path): void => {
    parts = parts.map((b) => {
      const r = subtractBounds(b, cut)
      fail(where, r.why)
      return r.bounds
    })
  }
  const notPorts = dst?.notPorts ?? []
  if (notPorts.length > 0)
    subtract(
      notPorts.reduce((acc, p) => P.union(acc, portEntry(p, proto)), P.empty),
      [...path, 'destination', 'notPorts']
    )
  if (rule.notProtocol !== undefined) subtract(P.protocol(K.protocolNumber(rule.notProtocol)), [...path, 'notProtocol'])
  if (rule.notICMP !== undefined) {
    const n = rule.notICMP
    subtract(isIcmpProto(proto) ? P.icmp(proto, n.type, n.code) : P.union(P.icmp(1, n.type, n.code), P.icmp(58, n.type, n.code)), [...path, 'notICMP'])
  }
  const lower = parts.reduce((acc, b) => P.union(acc, b.lower), P.empty)
  const upper = parts.reduce((acc, b) => P.union(acc, b.upper), P.empty)
  return failure === undefined ? E.right(lower) : E.left({ lower, upper, ...failure })
}

/**
 * The rule's ports, with ports the algebra cannot compute kept on the side that errs safely for
 * the action: an Allow rule keeps what it matches for certain (`narrower`, left out when that is
 * nothing), a Deny rule what it may match (it denies more: `narrower`), a Log rule too (logging
 * never changes a verdict: `exact`); a Pass rule keeps what it matches for certain, but skipping
 * the rest of the tier for fewer packets can allow or deny them (`unsupported`).
 */
const portsOf = (ctx: Ctx, rule: K.Rule, path: Path): P.PortSet | undefined => {
  const r = portBoundsOf(rule, path)
  if (E.isRight(r)) return r.right
  const { lower, upper, where, why } = r.left
  const a = rule.action
  const keepUpper = a === 'Deny' || a === 'Log'
  const kept = keepUpper ? upper : lower
  const fidelity: D.Fidelity = a === 'Pass' ? 'unsupported' : a === 'Log' ? 'exact' : 'narrower'
  const effect = P.isEmpty(kept)
    ? `the ${a} rule matches no port for certain and is left out`
    : keepUpper
      ? `the ${a} rule keeps every port it may match (${P.show(kept)})`
      : `the ${a} rule keeps only the ports it matches for certain (${P.show(kept)})`
  const consequence =
    a === 'Allow'
      ? 'it allows less than in Calico'
      : a === 'Deny'
        ? 'it denies more than in Calico'
        : a === 'Log'
          ? 'it may log more packets, which changes no verdict'
          : 'packets it passes in Calico may reach the rest of the tier instead'
  ctx.diagnostics.push(D.loss(fidelity, 'inexact-ports', `${pathText(where)}: ${why}; ${effect}, so ${consequence}`, at(ctx.doc, where)))
  return P.isEmpty(kept) ? undefined : kept
}

/**
 * The rule's source ports: `source.ports` (any of them; the whole protocol when absent) minus
 * `source.notPorts`, within the rule's protocol, in ingress and egress rules alike (libcalico-go
 * `lib/validator/v3/validator.go` `validateRule` accepts both lists in both directions when the
 * protocol has ports; Felix matches them with the rest of the rule). Undefined when the rule
 * names no source port. Where a named port meets numeric ones the set depends on the port the
 * name resolves to: an Allow or Pass rule keeps what it matches for certain, a Deny or Log rule
 * what it may match, as `portsOf` does for destination ports.
 */
const sourcePortsOf = (ctx: Ctx, rule: K.Rule, path: Path): P.PortSet | undefined => {
  const src = rule.source
  const ports = src?.ports ?? []
  const notPorts = src?.notPorts ?? []
  if (ports.length === 0 && notPorts.length === 0) return undefined
  const proto = rule.protocol === undefined ? undefined : K.protocolNumber(rule.protocol)
  const base = ports.length > 0 ? ports.reduce((acc, p) => P.union(acc, portEntry(p, proto)), P.empty) : proto === undefined ? P.all : P.protocol(proto)
  if (notPorts.length === 0) return base
  const cut = notPorts.reduce((acc, p) => P.union(acc, portEntry(p, proto)), P.empty)
  const exact = P.difference(base, cut)
  if (E.isRight(exact)) return exact.right
  const keepUpper = rule.action === 'Deny' || rule.action === 'Log'
  const kept = keepUpper ? upperLess(base, cut) : lowerLess(base, cut)
  const where = [...path, 'source', 'notPorts']
  const fidelity: D.Fidelity = rule.action === 'Pass' ? 'unsupported' : rule.action === 'Log' ? 'exact' : 'narrower'
  ctx.diagnostics.push(
    D.loss(
      fidelity,
      'inexact-ports',
      `${pathText(where)}: ${exact.left}; the ${rule.action} rule keeps ${keepUpper ? 'every source port it may match' : 'only the source ports it matches for certain'} (${P.show(kept)})`,
      at(ctx.doc, where)
    )
  )
  return kept
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

/**
 * The address families a rule applies to, as Felix renders it (research notes §2,
 * `FilterRuleToIPVersion`): a rule with `ipVersion` only in that family's chain, and a rule whose
 * source or destination `nets` or `notNets` list has no entry of a family not in that family's
 * chain (an entry is IPv6 when it contains a colon, as Felix tests). A packet's addresses are of
 * one family, so this restricts the peer's address even when the list is on the local side.
 */
const familiesOf = (rule: K.Rule): C.CidrSet => {
  let families: ReadonlyArray<4 | 6> = rule.ipVersion === undefined ? [4, 6] : [rule.ipVersion]
  for (const er of [rule.source, rule.destination])
    for (const nets of [er?.nets ?? [], er?.notNets ?? []])
      if (nets.length > 0) families = families.filter((f) => nets.some((n) => n.includes(':') === (f === 6)))
  return families.reduce((acc, f) => C.union(acc, f === 4 ? C.allV4 : C.allV6), C.empty)
}

/**
 * The local-endpoint constraint of a rule (`Rule.local`): an ingress rule's `destination` and an
 * egress rule's `source` select which of the policy's own endpoints the rule applies to. Calico
 * converts both sides of a rule alike (`RuleAPIV3ToBackend` and `getEndpointSelector` in
 * libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go: the same namespace scoping, the
 * same nets), and Felix matches each side's selector as an IP set of the packet's address on that
 * side (felix/calc/rule_convert.go), so the local side is the same formula as a peer (address
 * families aside: the peer's formula carries them). Undefined when it holds on every endpoint the
 * policy selects (e.g. `selector: all()`), so that it costs nothing and warrants no warning. Ports
 * are not part of it: an ingress rule's `destination.ports` are the rule's destination ports, and
 * an egress rule's `source.ports` are source ports.
 */
const localOf = (ctx: Ctx, rule: K.Rule, direction: 'ingress' | 'egress', path: Path, scopedSubject: F.Formula): F.Formula | undefined => {
  const localKey = direction === 'ingress' ? 'destination' : 'source'
  const er = rule[localKey]
  if (er === undefined || !constrainsEndpoint(er)) return undefined
  const local = entityFormula(ctx, er, [...path, localKey], C.all)
  return F.dnf(F.and(scopedSubject, F.not(local))).length === 0 ? undefined : local
}

const ruleOf = (ctx: Ctx, rule: K.Rule, direction: 'ingress' | 'egress', path: Path): Rule | undefined => {
  const peerKey = direction === 'ingress' ? 'source' : 'destination'
  const sourcePorts = sourcePortsOf(ctx, rule, path)
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
  const families = familiesOf(rule)
  const peer = peerRule === undefined ? addressFormula(undefined, families) : entityFormula(ctx, peerRule, [...path, peerKey], families)
  return {
    action: actions[rule.action],
    peer,
    ports,
    l7: rule.http === undefined ? undefined : l7Of(rule.http),
    location: at(ctx.doc, path),
    ...(sourcePorts === undefined ? {} : { sourcePorts })
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

/**
 * Could `subject` select a host endpoint? A host endpoint has no namespace and no service
 * account, so their tests fail on it; its own labels may be anything.
 */
const maySelectHost = (subject: F.Formula): boolean =>
  F.dnf(
    F.mapAtoms(subject, (a) =>
      a._tag === 'kind'
        ? a.kinds.includes('host')
          ? F.tt
          : F.ff
        : a._tag === 'namespace' || a._tag === 'serviceAccount' || (a._tag === 'label' && (a.owner === 'namespace' || a.owner === 'serviceAccount'))
          ? F.ff
          : a
    )
  ).length > 0

/**
 * A GlobalNetworkPolicy's host-endpoint flags (research notes §1.2, §4.6), which have no IR form:
 * `preDNAT` and `doNotTrack` put the policy only into the pre-DNAT or untracked stage of host
 * endpoints (never applied to workload endpoints: the subject is already limited to host
 * endpoints), `applyOnForward` also applies it to traffic forwarded through the host endpoints it
 * selects. The IR keeps the policy as an ordinary (tracked, post-DNAT, local-traffic) host
 * endpoint policy, so each flag is `unsupported` for every target, a calico one included; an
 * `applyOnForward` policy that cannot select a host endpoint is unaffected by it.
 */
const hostEndpointFlags = (doc: SourceDoc, spec: K.GlobalNetworkPolicySpec, subject: F.Formula): ReadonlyArray<D.Diagnostic> => {
  const out: Array<D.Diagnostic> = []
  const kept = 'the IR keeps the policy as an ordinary host endpoint policy, which every target writes without the flag (or leaves out)'
  if (spec.preDNAT === true)
    out.push(
      D.loss(
        'unsupported',
        'calico-pre-dnat',
        `spec.preDNAT: the policy applies to host endpoints only, to incoming traffic before DNAT (so it sees NodePort and other pre-translation addresses), and never to pods; ${kept}`,
        at(doc, ['spec', 'preDNAT'])
      )
    )
  if (spec.doNotTrack === true)
    out.push(
      D.loss(
        'unsupported',
        'calico-do-not-track',
        `spec.doNotTrack: the policy applies to host endpoints only, to untracked traffic ahead of every tracked policy (replies are not let through by connection tracking), and never to pods; ${kept}`,
        at(doc, ['spec', 'doNotTrack'])
      )
    )
  if (spec.applyOnForward === true)
    out.push(
      maySelectHost(subject)
        ? D.loss(
            'unsupported',
            'calico-apply-on-forward',
            `spec.applyOnForward: the policy also applies to traffic forwarded through the host endpoints it selects; ${kept}, so that traffic is no longer filtered (on pods the policy applies as before)`,
            at(doc, ['spec', 'applyOnForward'])
          )
        : D.loss('exact', 'calico-apply-on-forward', 'spec.applyOnForward: the policy selects no host endpoint, and the flag changes nothing on pods', at(doc, ['spec', 'applyOnForward']))
    )
  return out
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
    const scoped = ctx.namespace === undefined ? subject : F.and(F.inNamespace([ctx.namespace]), subject)
    rules.forEach((r, i) => {
      const rule = ruleOf(ctx, r, key, ['spec', key, i])
      bareIpWarnings(ctx, r, ['spec', key, i])
      const local = rule === undefined ? undefined : localOf(ctx, r, key, ['spec', key, i], scoped)
      if (rule !== undefined) out.push(local === undefined ? rule : { ...rule, local })
    })
    return { defaultDeny: true, rules: out }
  }
  const hostOnly = global && (spec.doNotTrack === true || spec.preDNAT === true)
  const subject = hostOnly ? F.and(F.kind(['host']), ...subjectParts) : F.and(...subjectParts)
  if (global) diagnostics.push(...hostEndpointFlags(doc, spec, subject))
  return {
    _tag: 'Policy',
    origin,
    scope: global ? { _tag: 'cluster' } : { _tag: 'namespace', namespace: ctx.namespace ?? defaultNamespace },
    ordering: { tier: spec.tier ?? 'default', order: spec.order },
    subject,
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
    diagnostics.push(D.warning('namespace-defaulted', `metadata.namespace is not set; using "${defaultNamespace}" (give -n NAMESPACE to choose)`, at(doc, ['metadata'])))
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
