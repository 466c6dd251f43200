/**
 * Ordered and deny-bearing policy sets → allow-only, unordered ones (DESIGN.md §2 step 5).
 *
 * Kubernetes NetworkPolicy has one way to combine policies: an endpoint selected by some policy in
 * a direction is isolated there, and a connection is allowed iff some allow rule of such a policy
 * matches (the union). Calico evaluates tiers and policies in order with first-match Allow, Deny and
 * Pass (research/calico.md §4, the `calico` model); Cilium lets any matching deny override every
 * allow (research/cilium.md §4.2, the `cilium` model). This pass compiles either into the union
 * form, exactly:
 *
 * 1. Endpoints are split into *regions* by which policies select them: every combination of
 *    subjects that can hold at once, `s₁ ∧ ¬s₂ ∧ …` (per namespace; cluster-scoped policies join
 *    every namespace's combinations). Within a region the same policies apply in the same order,
 *    so the allowed flows are a fixed set. Regions are split further by every local-endpoint
 *    constraint of a rule (`Rule.local`), so that within a region each rule applies everywhere
 *    or nowhere.
 * 2. For each region the source model's verdict is computed symbolically over flows (peer formula ×
 *    port set): under Calico, in each tier, an allow rule contributes what it matches minus what
 *    earlier Deny and Pass rules of the tier matched, restricted to the flows still undecided when
 *    the tier starts; a tier whose default action is Deny lets only its passed flows on, a tier
 *    whose default is Pass lets on everything its Deny rules did not take; flows left after the last
 *    tier are allowed by the namespace profile. Under Cilium the region allows the union of its
 *    allows minus the union of its denies (everything minus the denies when no applying policy
 *    turns on default deny).
 * 3. Each region with a restricted verdict becomes one allow-only policy whose subject is the
 *    region's formula and whose rules are the allowed flows; a region that allows everything needs
 *    no policy.
 *
 * Towards Cilium, which can deny with precedence over every allow, a region whose one tier lists all
 * its Deny rules before its Allow rules is written as those allows and denies, without complements.
 *
 * Set differences go through the formula and port algebra (`a×p ∖ b×q = (a∧¬b)×p ∪ (a∧b)×(p∖q)`;
 * with source ports `s`, `t` — absent meaning all — also `∪ (a∧b)×(p∩q)×(s∖t)`, intersections
 * intersecting them too);
 * the one difference the algebra cannot take, named ports against numeric ones, leaves the overlap
 * out (`narrower`). Whether the target can write the resulting peers (e.g. "every address but the
 * pods labelled x" in a NetworkPolicy) is the emitter's business; it reports what it cannot.
 * Sets too large to enumerate are left as they are and reported `unsupported`.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import type { Location } from '../diagnostics.js'
import * as F from '../ir/formula.js'
import type { Dnf, Formula } from '../ir/formula.js'
import type { DialectName, Direction, L7, Policy, PolicySet, Rule } from '../ir/policy.js'
import { directions, qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import type { PortSet } from '../ir/ports.js'
import { evaluationOrder } from '../semantics/calico.js'
import type { CniName } from '../semantics/model.js'
import type { Lowered } from './addresses.js'
import { canMatchNodes } from './addresses.js'

// -------------------------------------------------------------------------------------
// limits
// -------------------------------------------------------------------------------------

/** Most policies governing one direction in one namespace (2^n regions in the worst case). */
export const maxPoliciesPerGroup = 14
/** Most regions and most flow pieces per region before the pass gives up on a group. */
export const maxRegions = 4096
export const maxPieces = 2000

// -------------------------------------------------------------------------------------
// when
// -------------------------------------------------------------------------------------

const allRules = (p: Policy): ReadonlyArray<Rule> => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])]

/**
 * Whether ordered evaluation means the same as the union of the allow rules: every policy in one
 * tier with default action Deny (unordered policies count as tier `default`), and every rule an
 * allow or a log. Then first match over allows is their union and the end-of-tier drop is isolation.
 */
export const orderIsUnion = (set: PolicySet): boolean => {
  const tiers = new Set(set.policies.map((p) => p.ordering?.tier ?? 'default'))
  const [only] = [...tiers]
  if (tiers.size > 1 || only === undefined) return tiers.size === 0
  if (set.tiers.some((t) => t.name === only && t.defaultAction !== 'deny')) return false
  return set.policies.every((p) => allRules(p).every((r) => r.action === 'allow' || r.action === 'log'))
}

/** Whether the set must be compiled before the target can express it. */
export const needsFlattening = (set: PolicySet, from: CniName, to: DialectName): boolean => {
  if (to === 'calico') return false
  if (from === 'calico') return !orderIsUnion(set)
  if (from === 'cilium' && to === 'k8s') return set.policies.some((p) => allRules(p).some((r) => r.action === 'deny'))
  return false
}

// -------------------------------------------------------------------------------------
// flows: unions of (peer × ports) products
// -------------------------------------------------------------------------------------

interface Piece {
  readonly peer: Formula
  readonly ports: PortSet
  /** (protocol, source port) pairs; undefined: any source port (`Rule.sourcePorts`). */
  readonly sourcePorts: PortSet | undefined
  readonly l7: L7 | undefined
  readonly location: Location | undefined
}

const satisfiable = (f: Formula): boolean => f._tag !== 'false' && F.dnf(f).length > 0

interface Ctx {
  readonly report: (fidelity: D.Fidelity, code: string, message: string, location: Location | undefined) => void
}

/** `a ∖ b` for one product each. */
/**
 * `a ∖ b` for one product each. When the port algebra cannot take the difference, the overlap is
 * left out of the result and reported with `dropped`: the direction of the error that makes for the
 * caller (allowed flows: `narrower`; flows to deny: `broader`).
 */
const minusOne = (ctx: Ctx, a: Piece, b: Piece, dropped: D.Fidelity): ReadonlyArray<Piece> => {
  const out: Array<Piece> = []
  const outside = F.and(a.peer, F.not(b.peer))
  if (satisfiable(outside)) out.push({ ...a, peer: outside })
  const inside = F.and(a.peer, b.peer)
  if (!satisfiable(inside)) return out
  const ports = P.difference(a.ports, b.ports)
  if (E.isLeft(ports)) {
    ctx.report(dropped, 'named-port-overlap', `${ports.left}; the overlap with the earlier rule is left out`, a.location)
    return out
  }
  if (!P.isEmpty(ports.right)) out.push({ ...a, peer: inside, ports: ports.right })
  if (b.sourcePorts === undefined) return out
  // b takes only some source ports: on the ports both match, a keeps its other source ports
  // (flows are (protocol, port, source port): a×p×s ∖ b×q×t = …∪ (a∧b)×(p∩q)×(s∖t))
  const both = P.intersect(a.ports, b.ports)
  const rest = P.difference(a.sourcePorts ?? P.all, b.sourcePorts)
  if (E.isLeft(both) || E.isLeft(rest)) {
    const why = E.isLeft(both) ? both.left : E.isLeft(rest) ? rest.left : ''
    ctx.report(dropped, 'named-port-overlap', `${why}; the overlap with the earlier rule is left out`, a.location)
    return out
  }
  if (!P.isEmpty(both.right) && !P.isEmpty(rest.right)) out.push({ ...a, peer: inside, ports: both.right, sourcePorts: anySourcePort(rest.right) })
  return out
}

/** Source ports as a piece keeps them: undefined when every source port is in. */
const anySourcePort = (s: PortSet): PortSet | undefined => (P.isAll(s) ? undefined : s)

/** `s ∩ t` of source ports (undefined: any). */
const intersectSourcePorts = (s: PortSet | undefined, t: PortSet | undefined): E.Either<string, PortSet | undefined> =>
  s === undefined ? E.right(t) : t === undefined ? E.right(s) : E.map(anySourcePort)(P.intersect(s, t))

const minus = (ctx: Ctx, as: ReadonlyArray<Piece>, bs: ReadonlyArray<Piece>, dropped: D.Fidelity): ReadonlyArray<Piece> =>
  bs.reduce<ReadonlyArray<Piece>>((acc, b) => acc.flatMap((a) => minusOne(ctx, a, b, dropped)), as)

/** `as ∩ bs`; the L7 constraint and location of `as` are kept (an allow restricted to still-undecided flows). */
const intersect = (ctx: Ctx, as: ReadonlyArray<Piece>, bs: ReadonlyArray<Piece>, dropped: D.Fidelity): ReadonlyArray<Piece> =>
  as.flatMap((a) =>
    bs.flatMap((b) => {
      const peer = F.and(a.peer, b.peer)
      if (!satisfiable(peer)) return []
      const ports = P.intersect(a.ports, b.ports)
      const sourcePorts = intersectSourcePorts(a.sourcePorts, b.sourcePorts)
      if (E.isLeft(ports) || E.isLeft(sourcePorts)) {
        ctx.report(dropped, 'named-port-overlap', `${E.isLeft(ports) ? ports.left : E.isLeft(sourcePorts) ? sourcePorts.left : ''}; the overlap is left out`, a.location)
        return []
      }
      if (sourcePorts.right !== undefined && P.isEmpty(sourcePorts.right)) return []
      return P.isEmpty(ports.right) ? [] : [{ ...a, peer, ports: ports.right, sourcePorts: sourcePorts.right }]
    })
  )

const pieceOf = (r: Rule): Piece => ({ peer: r.peer, ports: r.ports, sourcePorts: r.sourcePorts, l7: r.l7, location: r.location })

const everything: Piece = { peer: F.tt, ports: P.all, sourcePorts: undefined, l7: undefined, location: undefined }

/** The rule a piece becomes. */
const ruleOf = (action: 'allow' | 'deny', pc: Piece): Rule => ({
  action,
  peer: pc.peer,
  ports: pc.ports,
  l7: action === 'allow' ? pc.l7 : undefined,
  location: pc.location,
  ...(pc.sourcePorts === undefined ? {} : { sourcePorts: pc.sourcePorts })
})

// -------------------------------------------------------------------------------------
// verdicts
// -------------------------------------------------------------------------------------

/** The flows a region allows; `all` when it is not restricted at all. */
type Verdict = 'all' | ReadonlyArray<Piece>

interface OrderedTier {
  readonly defaultAction: 'deny' | 'pass'
  readonly policies: ReadonlyArray<Policy>
}

/** Calico's first-match evaluation over the region's policies (module comment, step 2). */
const calicoVerdict = (ctx: Ctx, tiers: ReadonlyArray<OrderedTier>, members: ReadonlySet<Policy>, d: Direction, apply: (r: Rule) => boolean = () => true): Verdict => {
  let live: Verdict = 'all'
  const allowed: Array<Piece> = []
  for (const t of tiers) {
    const applying = t.policies.filter((p) => members.has(p))
    if (applying.length === 0) continue
    // allowed and passed-on flows: what is dropped is allowed no more
    const restrict = (ps: ReadonlyArray<Piece>): ReadonlyArray<Piece> => (live === 'all' ? ps : intersect(ctx, ps, live, 'narrower'))
    let denyOrPass: Array<Piece> = []
    let passes: Array<Piece> = []
    let denies: Array<Piece> = []
    let earlierPass: Array<Piece> = []
    let earlierDeny: Array<Piece> = []
    for (const p of applying)
      for (const r of (rulesOf(p, d)?.rules ?? []).filter(apply)) {
        const m = pieceOf(r)
        if (r.action === 'allow') allowed.push(...restrict(minus(ctx, [m], denyOrPass, 'narrower')))
        else if (r.action === 'deny') {
          denies = [...denies, ...minus(ctx, [m], earlierPass, 'broader')]
          denyOrPass = [...denyOrPass, m]
          earlierDeny = [...earlierDeny, m]
        } else if (r.action === 'pass') {
          passes = [...passes, ...minus(ctx, [m], earlierDeny, 'narrower')]
          denyOrPass = [...denyOrPass, m]
          earlierPass = [...earlierPass, m]
        }
      }
    if (t.defaultAction === 'deny') live = restrict(passes)
    else if (denies.length > 0) live = minus(ctx, live === 'all' ? [everything] : live, denies, 'narrower')
  }
  return live === 'all' ? 'all' : [...allowed, ...live]
}

/**
 * For a target that can deny with precedence over every allow (Cilium): when the region's policies
 * sit in one tier with default action Deny, hold no Pass, and every Deny rule comes before every
 * Allow rule, first match is "the allows minus the denies" — written as they are, with no
 * complements. Undefined otherwise.
 */
const denyFirst = (
  tiers: ReadonlyArray<OrderedTier>,
  members: ReadonlySet<Policy>,
  d: Direction,
  apply: (r: Rule) => boolean = () => true
): { readonly isolated: boolean; readonly allows: ReadonlyArray<Piece>; readonly denies: ReadonlyArray<Piece> } | undefined => {
  const applying = tiers.filter((t) => t.policies.some((p) => members.has(p)))
  const [only] = applying
  if (applying.length !== 1 || only === undefined) return undefined
  const rules = only.policies.filter((p) => members.has(p)).flatMap((p) => (rulesOf(p, d)?.rules ?? []).filter((r) => r.action !== 'log' && apply(r)))
  const firstOther = rules.findIndex((r) => r.action !== 'deny')
  if (firstOther >= 0 && rules.slice(firstOther).some((r) => r.action === 'deny')) return undefined
  const denies = rules.filter((r) => r.action === 'deny').map(pieceOf)
  // a Cilium ingress deny also shuts out the pod's own node, which Calico always lets in
  if (d === 'ingress' && denies.some((pc) => canMatchNodes(pc.peer, true))) return undefined
  // what no deny takes goes on to the (empty) rest of the tiers, then the profile allows it: when
  // the tier's default is Pass and it has no Allow or Pass before a catch-all, or when a catch-all
  // Pass follows the denies with nothing but Pass rules before it
  const rest = rules.slice(firstOther < 0 ? rules.length : firstOther)
  const catchAll = rest.findIndex((r) => r.action === 'pass' && r.peer._tag === 'true' && P.isAll(r.ports) && r.sourcePorts === undefined)
  const passesOn = (catchAll >= 0 && rest.slice(0, catchAll).every((r) => r.action === 'pass')) || (only.defaultAction === 'pass' && rest.every((r) => r.action === 'pass'))
  if (passesOn) return { isolated: false, allows: [], denies }
  if (only.defaultAction !== 'deny' || rules.some((r) => r.action === 'pass')) return undefined
  return { isolated: true, allows: rules.filter((r) => r.action === 'allow').map(pieceOf), denies }
}

/** Cilium's deny-overrides evaluation over the region's policies. */
const ciliumVerdict = (ctx: Ctx, members: ReadonlyArray<Policy>, d: Direction, apply: (r: Rule) => boolean = () => true): Verdict => {
  const drs = members.flatMap((p) => {
    const dr = rulesOf(p, d)
    return dr === undefined ? [] : [dr]
  })
  const isolated = drs.some((dr) => dr.defaultDeny)
  const rules = drs.flatMap((dr) => dr.rules).filter(apply)
  const denies = rules.filter((r) => r.action === 'deny').map(pieceOf)
  if (!isolated && denies.length === 0) return 'all'
  const allows = isolated ? rules.filter((r) => r.action === 'allow').map(pieceOf) : [everything]
  return minus(ctx, allows, denies, 'narrower')
}

// -------------------------------------------------------------------------------------
// regions
// -------------------------------------------------------------------------------------

interface Region {
  readonly dnf: Dnf
  readonly members: ReadonlyArray<Policy>
  /** The keys of the local-endpoint constraints (`Rule.local`) that hold throughout the region. */
  readonly locals: ReadonlySet<string>
}

/** Whether a rule applies in a region: unconstrained, or its local-endpoint constraint holds there. */
const applies = (region: Region) => (r: Rule): boolean => r.local === undefined || region.locals.has(F.key(r.local))

/** The distinct local-endpoint constraints of the policies' rules in direction `d`. */
const localsOf = (policies: ReadonlyArray<Policy>, d: Direction): ReadonlyArray<Formula> => {
  const m = new Map<string, Formula>()
  for (const p of policies) for (const r of rulesOf(p, d)?.rules ?? []) if (r.local !== undefined) m.set(F.key(r.local), r.local)
  return [...m.values()]
}

/**
 * Every satisfiable combination of the policies' subjects within `base`, each split further by
 * every local-endpoint constraint (so that within a region each rule applies everywhere or
 * nowhere); undefined past the limit.
 */
const regionsOf = (base: Dnf, policies: ReadonlyArray<Policy>, locals: ReadonlyArray<Formula> = []): ReadonlyArray<Region> | undefined => {
  let regions: ReadonlyArray<Region> = [{ dnf: base, members: [], locals: new Set() }]
  for (const p of policies) {
    const s = F.dnf(scopedSubject(p))
    const notS = F.dnf(F.not(scopedSubject(p)))
    const next: Array<Region> = []
    for (const r of regions) {
      const inside = F.andDnf(r.dnf, s)
      if (inside.length > 0) next.push({ dnf: inside, members: [...r.members, p], locals: r.locals })
      const outside = F.andDnf(r.dnf, notS)
      if (outside.length > 0) next.push({ dnf: outside, members: r.members, locals: r.locals })
    }
    if (next.length > maxRegions) return undefined
    regions = next
  }
  regions = regions.filter((r) => r.members.length > 0)
  for (const l of locals) {
    const yes = F.dnf(l)
    const no = F.dnf(F.not(l))
    const next: Array<Region> = []
    for (const r of regions) {
      const inside = F.andDnf(r.dnf, yes)
      if (inside.length > 0) next.push({ ...r, dnf: inside, locals: new Set([...r.locals, F.key(l)]) })
      const outside = F.andDnf(r.dnf, no)
      if (outside.length > 0) next.push({ ...r, dnf: outside })
    }
    if (next.length > maxRegions) return undefined
    regions = next
  }
  return regions
}

// -------------------------------------------------------------------------------------
// pass
// -------------------------------------------------------------------------------------

interface Group {
  /** Undefined: the group is cluster-scoped. */
  readonly namespace: string | undefined
  readonly base: Formula
  readonly policies: ReadonlyArray<Policy>
}

/** Per namespace: its policies plus the cluster-scoped ones; and the cluster-scoped ones everywhere else. */
const groupsOf = (policies: ReadonlyArray<Policy>): ReadonlyArray<Group> => {
  const cluster = policies.filter((p) => p.scope._tag === 'cluster')
  const byNs = new Map<string, Array<Policy>>()
  for (const p of policies) if (p.scope._tag === 'namespace') byNs.set(p.scope.namespace, [...(byNs.get(p.scope.namespace) ?? []), p])
  const names = [...byNs.keys()].sort()
  const groups: Array<Group> = names.map((ns) => ({
    namespace: ns,
    base: F.inNamespace([ns]),
    policies: policies.filter((p) => p.scope._tag === 'cluster' || (p.scope._tag === 'namespace' && p.scope.namespace === ns))
  }))
  if (cluster.length > 0) groups.push({ namespace: undefined, base: names.length === 0 ? F.tt : F.not(F.inNamespace(names)), policies: cluster })
  return groups
}

const originOf = (members: ReadonlyArray<Policy>, namespace: string | undefined, d: Direction, index: number, single: boolean): Policy['origin'] => {
  const first = members[0]
  const name = first === undefined ? 'compiled' : first.origin.name
  return {
    dialect: first?.origin.dialect ?? 'k8s',
    kind: first?.origin.kind ?? 'NetworkPolicy',
    namespace,
    name: single ? `${name}-${d}` : `${name}-${d}-${index}`,
    location: first?.origin.location,
    labels: members.length === 1 ? first?.origin.labels : undefined,
    annotations: members.length === 1 ? first?.origin.annotations : undefined
  }
}

/**
 * Compiles `set`, enforced by the `from` model, into allow-only unordered policies with the same
 * reachability under union semantics (module comment).
 */
export const flatten = (set: PolicySet, from: CniName, to: DialectName = 'k8s'): Lowered => {
  const diagnostics: Array<D.Diagnostic> = []
  const seen = new Set<string>()
  const ctx: Ctx = {
    report: (fidelity, code, message, location) => {
      const k = `${fidelity}\u0000${code}\u0000${message}\u0000${location === undefined ? '' : D.formatLocation(location)}`
      if (seen.has(k)) return
      seen.add(k)
      diagnostics.push(D.loss(fidelity, code, message, location))
    }
  }
  const order = evaluationOrder(set)
  diagnostics.push(...order.diagnostics)
  const tiers: ReadonlyArray<OrderedTier> = order.tiers
  const rank = new Map(order.tiers.flatMap((t) => t.policies).map((p, i) => [p, i]))
  const out: Array<Policy> = []
  const kept: Array<Policy> = []
  for (const d of directions) {
    const governing = set.policies.filter((p) => rulesOf(p, d) !== undefined).sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0))
    for (const g of groupsOf(governing)) {
      const regions = g.policies.length > maxPoliciesPerGroup ? undefined : regionsOf(F.dnf(g.base), g.policies, localsOf(g.policies, d))
      if (regions === undefined) {
        for (const p of g.policies) {
          if (kept.includes(p)) continue
          kept.push(p)
          ctx.report(
            'unsupported',
            'too-many-policies',
            `${qualifiedName(p.origin)}: ${g.policies.length} policies govern ${d} ${g.namespace === undefined ? 'cluster-wide' : `in namespace ${g.namespace}`}; compiling their order into allow-only policies would take too many combinations, so they are written as if unordered`,
            p.origin.location
          )
        }
        continue
      }
      let index = 0
      for (const r of regions) {
        const direct = from === 'calico' && to === 'cilium' ? denyFirst(tiers, new Set(r.members), d, applies(r)) : undefined
        if (direct !== undefined && !direct.isolated && direct.denies.length === 0) continue
        if (direct !== undefined && direct.allows.length + direct.denies.length > 0) {
          index++
          const rules: ReadonlyArray<Rule> = [
            ...direct.allows.map((pc) => ruleOf('allow', pc)),
            ...direct.denies.map((pc) => ruleOf('deny', pc))
          ]
          out.push({
            _tag: 'Policy',
            origin: originOf(r.members, g.namespace, d, index, regions.length === 1 && r.members.length === 1),
            scope: g.namespace === undefined ? { _tag: 'cluster' } : { _tag: 'namespace', namespace: g.namespace },
            ordering: undefined,
            subject: F.fromDnf(r.dnf),
            ingress: d === 'ingress' ? { defaultDeny: direct.isolated, rules } : undefined,
            egress: d === 'egress' ? { defaultDeny: direct.isolated, rules } : undefined
          })
          continue
        }
        const verdict = from === 'cilium' ? ciliumVerdict(ctx, r.members, d, applies(r)) : calicoVerdict(ctx, tiers, new Set(r.members), d, applies(r))
        if (verdict === 'all') continue
        if (verdict.length > maxPieces) {
          for (const p of r.members)
            ctx.report('unsupported', 'too-many-pieces', `${qualifiedName(p.origin)}: the ${d} rules split into more than ${maxPieces} pieces; left out`, p.origin.location)
          continue
        }
        index++
        const single = regions.length === 1 && r.members.length === 1
        const rules: ReadonlyArray<Rule> = verdict.map((pc) => ruleOf('allow', pc))
        const scope: Policy['scope'] = g.namespace === undefined ? { _tag: 'cluster' } : { _tag: 'namespace', namespace: g.namespace }
        const subject = F.fromDnf(r.dnf)
        out.push({
          _tag: 'Policy',
          origin: originOf(r.members, g.namespace, d, index, single),
          scope,
          ordering: undefined,
          subject,
          ingress: d === 'ingress' ? { defaultDeny: true, rules } : undefined,
          egress: d === 'egress' ? { defaultDeny: true, rules } : undefined
        })
      }
    }
  }
  const compiled = set.policies.filter((p) => !kept.includes(p)).length
  if (compiled > 0)
    diagnostics.push(
      D.loss(
        'exact',
        'compiled-order',
        `${compiled} ${from === 'cilium' ? 'policies with deny rules' : 'ordered policies'} compiled into ${out.length} allow-only policies, one per combination of policies selecting an endpoint`,
        undefined
      )
    )
  return { set: { policies: [...out, ...kept], tiers: [], networkSets: set.networkSets }, diagnostics }
}
