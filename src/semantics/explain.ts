/**
 * Why a flow is allowed or denied (`netpolx explain`, DESIGN.md §6): for the source's egress and the
 * destination's ingress, the policies that select the endpoint in the order the model evaluates
 * them, the rule that decided, and the verdict.
 *
 * A trace walks each model's combination rule (DESIGN.md §4) over rule matches that the model
 * itself answers (`match.ts`):
 *
 * - `k8s`: isolated iff a selecting policy is default-deny; then the first allow rule (policies by
 *   namespace/name, rules in order) that matches decides; none: denied by isolation. Ingress from
 *   the destination's resident node is always allowed.
 * - `calico`: tiers in order, policies in (order, name) order (`evaluationOrder` of calico.ts); the
 *   first matching `allow`/`deny` decides, `pass` ends the tier, a tier whose policies applied and
 *   neither decided nor passed ends in its default action; after every tier: the profile allows.
 * - `cilium`: a matching `deny` rule wins, whatever its policy; else allow-localhost (ingress); else
 *   a matching `allow`; else default-deny iff a selecting policy asks for it.
 * - cluster network policies (Admin / Baseline tiers, `withClusterTiers` of cluster-tiers.ts) under
 *   `k8s` and `cilium`: the Admin tier's rules in its order (priority, then name; Cilium: rule by
 *   rule, deny first) — the first matching `allow`/`deny` decides, `pass` leaves the tier; then the
 *   model's own walk above; if that denies, or some policy of its own isolates the endpoint, it is
 *   final; else the Baseline tier: a matching `deny` denies, anything else allows. Under `calico`
 *   these are the tiers `kube-admin` / `kube-baseline`, walked as any Calico tier.
 *
 * The verdict a trace reaches is compared with the model's own truth table (`Prepared.allowedPeers`
 * on the whole set): `consistent` says they agree, so an explanation can never silently contradict
 * `reach`.
 */
import type { Inventory } from '../cluster/inventory.js'
import type { Location } from '../diagnostics.js'
import { formatLocation } from '../diagnostics.js'
import { clusterTierOf } from '../ir/cluster-tiers.js'
import * as F from '../ir/formula.js'
import type { Action, Direction, Policy, PolicySet, Rule } from '../ir/policy.js'
import { qualifiedName, rulesOf } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import * as B from './bitset.js'
import { evaluationOrder } from './calico.js'
import { ciliumClusterTiers } from './cilium-cluster-tiers.js'
import { apiClusterTiers, ordered } from './cluster-tiers.js'
import type { Classes } from './endpoint.js'
import type { Matcher } from './match.js'
import { matcher } from './match.js'
import type { CniName, Model, Prepared } from './model.js'
import type { Probe, Reach } from './table.js'
import { reach } from './table.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A policy as a trace shows it. */
export interface PolicyRef {
  readonly name: string
  readonly kind: string
  readonly location: Location | undefined
  /** Calico tier, when the model orders policies. */
  readonly tier: string | undefined
  readonly order: number | undefined
}

/** A rule as a trace shows it. */
export interface RuleRef {
  readonly policy: PolicyRef
  /** 1-based position of the rule in its policy's direction. */
  readonly index: number
  readonly action: Action
  readonly peer: string
  readonly ports: string
  readonly location: Location | undefined
}

/** What decided one direction. */
export type Decision =
  | { readonly _tag: 'notIsolated' }
  | { readonly _tag: 'notDefaultDeny' }
  | { readonly _tag: 'unconditional'; readonly why: string }
  | { readonly _tag: 'rule'; readonly rule: RuleRef }
  | { readonly _tag: 'defaultDeny'; readonly by: ReadonlyArray<PolicyRef> }
  | { readonly _tag: 'tierDefault'; readonly tier: string }
  | { readonly _tag: 'profile' }
  /** Cluster tiers: no Admin or Baseline rule decided and no policy of the model's own isolates. */
  | { readonly _tag: 'clusterDefault' }

/** What one cluster tier (Admin, Baseline) did for a direction. */
export type TierStep =
  | { readonly _tag: 'noMatch' }
  | { readonly _tag: 'passed'; readonly rule: RuleRef }
  | { readonly _tag: 'decided'; readonly rule: RuleRef }
  | { readonly _tag: 'skipped'; readonly why: string }

export interface DirectionTrace {
  readonly direction: Direction
  /** The endpoint whose policies apply: the source for egress, the destination for ingress. */
  readonly endpoint: string
  readonly peer: string
  /** Selecting policies in evaluation order. */
  readonly policies: ReadonlyArray<PolicyRef>
  /** Rules that matched the flow on the way (Calico: the passes before the decision; Cilium: every match). */
  readonly matched: ReadonlyArray<RuleRef>
  readonly decision: Decision
  readonly allowed: boolean
  /** k8s and cilium with cluster network policies selecting the endpoint: what each cluster tier did; else undefined. */
  readonly admin: TierStep | undefined
  readonly baseline: TierStep | undefined
  /** Whether the model's truth table gives the same verdict. */
  readonly consistent: boolean
}

export interface FlowTrace {
  readonly cni: CniName
  readonly from: string
  readonly to: string
  readonly probe: Probe
  readonly egress: DirectionTrace
  readonly ingress: DirectionTrace
  readonly allowed: boolean
}

// -------------------------------------------------------------------------------------
// references
// -------------------------------------------------------------------------------------

const policyRef = (p: Policy, cni: CniName): PolicyRef => {
  const cluster = cni === 'calico' ? undefined : clusterTierOf(p)
  return {
    name: qualifiedName(p.origin),
    kind: p.origin.kind,
    location: p.origin.location,
    tier: cni === 'calico' ? (p.ordering?.tier ?? 'default') : cluster,
    order: cni === 'calico' ? (p.ordering === undefined ? 1000 : p.ordering.order) : cluster === undefined ? undefined : p.ordering?.order
  }
}

const ruleRef = (p: Policy, cni: CniName, r: Rule, index: number): RuleRef => ({
  policy: policyRef(p, cni),
  index: index + 1,
  action: r.action,
  peer: F.show(r.peer),
  ports: P.show(r.ports),
  location: r.location
})

// -------------------------------------------------------------------------------------
// traces per model
// -------------------------------------------------------------------------------------

interface Ctx {
  readonly set: PolicySet
  readonly cni: CniName
  readonly m: Matcher
  readonly d: Direction
  readonly c: number
  readonly j: number
  readonly probe: Probe
  /** Indices of the policies that govern d and select c, in input order. */
  readonly selecting: ReadonlyArray<number>
}

type Walk = Omit<DirectionTrace, 'direction' | 'endpoint' | 'peer' | 'consistent' | 'admin' | 'baseline'> & {
  readonly admin?: TierStep
  readonly baseline?: TierStep
}

const rulesIn = (ctx: Ctx, pi: number): ReadonlyArray<Rule> => {
  const p = ctx.set.policies[pi]
  return p === undefined ? [] : (rulesOf(p, ctx.d)?.rules ?? [])
}

const refOf = (ctx: Ctx, pi: number, ri: number): RuleRef | undefined => {
  const p = ctx.set.policies[pi]
  const r = rulesIn(ctx, pi)[ri]
  return p === undefined || r === undefined ? undefined : ruleRef(p, ctx.cni, r, ri)
}

const refsOf = (ctx: Ctx, pis: ReadonlyArray<number>): ReadonlyArray<PolicyRef> =>
  pis.flatMap((pi) => {
    const p = ctx.set.policies[pi]
    return p === undefined ? [] : [policyRef(p, ctx.cni)]
  })

const unconditionalWhy = (ctx: Ctx): string =>
  ctx.cni === 'cilium' ? 'allow-localhost: the local host may always connect to its endpoints' : 'a pod cannot block connections from its resident node'

const isUnconditional = (ctx: Ctx): boolean => ctx.selecting.some((pi) => B.has(ctx.m.unconditional(pi, ctx.d, ctx.c, ctx.probe), ctx.j))

const nameOf = (ctx: Ctx, pi: number): string => {
  const p = ctx.set.policies[pi]
  return p === undefined ? '' : qualifiedName(p.origin)
}

/** Unordered models: policies by namespace/name, then input order (the order plays no part in the verdict). */
const byName = (ctx: Ctx) => (a: number, b: number): number => {
  const x = nameOf(ctx, a)
  const y = nameOf(ctx, b)
  return x < y ? -1 : x > y ? 1 : a - b
}

const isolatingOf = (ctx: Ctx, pis: ReadonlyArray<number>): ReadonlyArray<number> =>
  pis.filter((pi) => {
    const p = ctx.set.policies[pi]
    return p !== undefined && rulesOf(p, ctx.d)?.defaultDeny === true
  })

const k8sWalk = (ctx: Ctx): Walk => {
  const order = [...ctx.selecting].sort(byName(ctx))
  const policies = refsOf(ctx, order)
  const isolating = isolatingOf(ctx, order)
  if (order.length === 0) return { policies, matched: [], decision: { _tag: 'notIsolated' }, allowed: true }
  if (isolating.length === 0) return { policies, matched: [], decision: { _tag: 'notDefaultDeny' }, allowed: true }
  if (isUnconditional(ctx)) return { policies, matched: [], decision: { _tag: 'unconditional', why: unconditionalWhy(ctx) }, allowed: true }
  for (const pi of order)
    for (let ri = 0; ri < rulesIn(ctx, pi).length; ri++) {
      const r = rulesIn(ctx, pi)[ri]
      if (r?.action !== 'allow' || !ctx.m.matches(pi, ctx.d, ri, ctx.c, ctx.j, ctx.probe)) continue
      const ref = refOf(ctx, pi, ri)
      if (ref !== undefined) return { policies, matched: [ref], decision: { _tag: 'rule', rule: ref }, allowed: true }
    }
  return { policies, matched: [], decision: { _tag: 'defaultDeny', by: refsOf(ctx, isolating) }, allowed: false }
}

const calicoWalk = (ctx: Ctx): Walk => {
  const index = new Map(ctx.set.policies.map((p, i) => [p, i]))
  const selected = new Set(ctx.selecting)
  const tiers = evaluationOrder(ctx.set).tiers.map((t) => ({
    ...t,
    members: t.policies.flatMap((p) => {
      const pi = index.get(p)
      return pi !== undefined && selected.has(pi) ? [pi] : []
    })
  }))
  const policies = refsOf(ctx, tiers.flatMap((t) => t.members))
  if (policies.length === 0) return { policies, matched: [], decision: { _tag: 'notIsolated' }, allowed: true }
  if (isUnconditional(ctx)) return { policies, matched: [], decision: { _tag: 'unconditional', why: unconditionalWhy(ctx) }, allowed: true }
  const matched: Array<RuleRef> = []
  for (const t of tiers) {
    if (t.members.length === 0) continue
    let passed = false
    tier: for (const pi of t.members)
      for (let ri = 0; ri < rulesIn(ctx, pi).length; ri++) {
        const r = rulesIn(ctx, pi)[ri]
        if (r === undefined || r.action === 'log' || !ctx.m.matches(pi, ctx.d, ri, ctx.c, ctx.j, ctx.probe)) continue
        const ref = refOf(ctx, pi, ri)
        if (ref === undefined) continue
        matched.push(ref)
        if (r.action === 'pass') {
          passed = true
          break tier
        }
        return { policies, matched, decision: { _tag: 'rule', rule: ref }, allowed: r.action === 'allow' }
      }
    if (!passed && t.defaultAction === 'deny') return { policies, matched, decision: { _tag: 'tierDefault', tier: t.name }, allowed: false }
  }
  return { policies, matched, decision: { _tag: 'profile' }, allowed: true }
}

const ciliumWalk = (ctx: Ctx): Walk => {
  const order = [...ctx.selecting].sort(byName(ctx))
  const policies = refsOf(ctx, order)
  if (order.length === 0) return { policies, matched: [], decision: { _tag: 'notIsolated' }, allowed: true }
  const matched: Array<{ readonly ref: RuleRef; readonly action: Action }> = []
  for (const pi of order)
    rulesIn(ctx, pi).forEach((r, ri) => {
      if (r.action !== 'allow' && r.action !== 'deny') return // log: no verdict; pass: no Cilium meaning
      if (!ctx.m.matches(pi, ctx.d, ri, ctx.c, ctx.j, ctx.probe)) return
      const ref = refOf(ctx, pi, ri)
      if (ref !== undefined) matched.push({ ref, action: r.action })
    })
  const refs = matched.map((x) => x.ref)
  const deny = matched.find((x) => x.action === 'deny')
  if (deny !== undefined) return { policies, matched: refs, decision: { _tag: 'rule', rule: deny.ref }, allowed: false }
  if (ctx.d === 'ingress' && isUnconditional(ctx)) return { policies, matched: refs, decision: { _tag: 'unconditional', why: unconditionalWhy(ctx) }, allowed: true }
  const allow = matched.find((x) => x.action === 'allow')
  if (allow !== undefined) return { policies, matched: refs, decision: { _tag: 'rule', rule: allow.ref }, allowed: true }
  const isolating = isolatingOf(ctx, order)
  if (isolating.length > 0) return { policies, matched: refs, decision: { _tag: 'defaultDeny', by: refsOf(ctx, isolating) }, allowed: false }
  return { policies, matched: refs, decision: { _tag: 'notDefaultDeny' }, allowed: true }
}

/** The Admin → inner → Baseline chain around an unordered model's walk (module comment). */
const clusterWalk =
  (inner: (ctx: Ctx) => Walk, ties: 'name' | 'level') =>
  (ctx: Ctx): Walk => {
    const index = new Map(ctx.set.policies.map((p, i) => [p, i]))
    const tierOf = (pi: number) => {
      const p = ctx.set.policies[pi]
      return p === undefined ? undefined : clusterTierOf(p)
    }
    const admin = ctx.selecting.filter((pi) => tierOf(pi) === 'Admin')
    const baseline = ctx.selecting.filter((pi) => tierOf(pi) === 'Baseline')
    if (admin.length === 0 && baseline.length === 0) return inner(ctx)
    const rest = ctx.selecting.filter((pi) => tierOf(pi) === undefined)
    /** A tier's selecting policies' rules in the model's order, as (policy, rule) indices. */
    const entries = (pis: ReadonlyArray<number>): ReadonlyArray<{ readonly pi: number; readonly ri: number }> => {
      const ps = pis.flatMap((pi) => ctx.set.policies[pi] ?? [])
      return ordered(ps, ctx.d, ties).flatMap((e) => {
        const pi = index.get(e.policy)
        const ri = (rulesOf(e.policy, ctx.d)?.rules ?? []).indexOf(e.rule)
        return pi === undefined || ri < 0 ? [] : [{ pi, ri }]
      })
    }
    const inOrder = (pis: ReadonlyArray<number>): ReadonlyArray<number> => [...new Set(entries(pis).map((e) => e.pi)), ...pis.filter((pi) => rulesIn(ctx, pi).length === 0)]
    const first = (pis: ReadonlyArray<number>): RuleRef | undefined => {
      for (const { pi, ri } of entries(pis)) {
        if (rulesIn(ctx, pi)[ri]?.action === 'log' || !ctx.m.matches(pi, ctx.d, ri, ctx.c, ctx.j, ctx.probe)) continue
        const ref = refOf(ctx, pi, ri)
        if (ref !== undefined) return ref
      }
      return undefined
    }
    const w = inner({ ...ctx, selecting: rest })
    const policies = [...refsOf(ctx, inOrder(admin)), ...w.policies, ...refsOf(ctx, inOrder(baseline))]
    const a = first(admin)
    if (a !== undefined && a.action !== 'pass')
      return {
        policies,
        matched: [a],
        decision: { _tag: 'rule', rule: a },
        allowed: a.action === 'allow',
        admin: { _tag: 'decided', rule: a },
        baseline: { _tag: 'skipped', why: 'the admin tier decided' }
      }
    const adminStep: TierStep = a === undefined ? { _tag: 'noMatch' } : { _tag: 'passed', rule: a }
    const matched = [...(a === undefined ? [] : [a]), ...w.matched]
    if (!w.allowed) return { ...w, policies, matched, admin: adminStep, baseline: { _tag: 'skipped', why: 'denied before the baseline tier' } }
    const isolating = isolatingOf(ctx, rest)
    if (isolating.length > 0)
      return {
        ...w,
        policies,
        matched,
        admin: adminStep,
        baseline: { _tag: 'skipped', why: `isolated by ${refsOf(ctx, isolating).map((p) => p.name).join(', ')}: the baseline tier is not consulted` }
      }
    const b = first(baseline)
    const open = w.decision._tag === 'notIsolated' || w.decision._tag === 'notDefaultDeny'
    if (b === undefined) return { ...w, policies, matched, decision: open ? { _tag: 'clusterDefault' } : w.decision, admin: adminStep, baseline: { _tag: 'noMatch' } }
    if (b.action === 'deny')
      return { policies, matched: [...matched, b], decision: { _tag: 'rule', rule: b }, allowed: false, admin: adminStep, baseline: { _tag: 'decided', rule: b } }
    if (b.action === 'allow')
      return { policies, matched: [...matched, b], decision: { _tag: 'rule', rule: b }, allowed: true, admin: adminStep, baseline: { _tag: 'decided', rule: b } }
    return { ...w, policies, matched: [...matched, b], decision: open ? { _tag: 'clusterDefault' } : w.decision, admin: adminStep, baseline: { _tag: 'passed', rule: b } }
  }

const walks: Record<CniName, (ctx: Ctx) => Walk> = {
  k8s: clusterWalk(k8sWalk, apiClusterTiers.ties),
  calico: calicoWalk,
  cilium: clusterWalk(ciliumWalk, ciliumClusterTiers.ties)
}

// -------------------------------------------------------------------------------------
// entry points
// -------------------------------------------------------------------------------------

/** Explains flows of one policy set on one classification, reusing the model's answers across calls. */
export interface Explainer {
  /** The trace of one direction: subject class `c`, peer class `j`. */
  readonly direction: (d: Direction, c: number, j: number, probe: Probe) => DirectionTrace
  /** The trace of a flow from endpoint index `i` to endpoint index `k` (in `classes.endpoints`). */
  readonly flow: (i: number, k: number, probe: Probe) => FlowTrace
}

export const explainer = (set: PolicySet, classes: Classes, inventory: Inventory, model: Model, prepared: Prepared): Explainer => {
  const m = matcher(set, classes, inventory, model)
  const cni = model.name
  const selectingMemo = new Map<string, ReadonlyArray<number>>()
  const selecting = (d: Direction, c: number, probe: Probe): ReadonlyArray<number> => {
    const k = `${d}/${c}/${probe.protocol}/${probe.port}`
    const hit = selectingMemo.get(k)
    if (hit !== undefined) return hit
    const out = set.policies.flatMap((_, pi) => (m.selects(pi, d, c, probe) ? [pi] : []))
    selectingMemo.set(k, out)
    return out
  }
  const verdicts = new Map<string, B.Bitset>()
  const modelVerdict = (d: Direction, c: number, j: number, probe: Probe): boolean => {
    const k = `${d}/${c}/${probe.protocol}/${probe.port}`
    let b = verdicts.get(k)
    if (b === undefined) {
      b = prepared.allowedPeers(d, c, probe.protocol, probe.port)
      verdicts.set(k, b)
    }
    return B.has(b, j)
  }
  const reps = classes.representatives
  const direction = (d: Direction, c: number, j: number, probe: Probe): DirectionTrace => {
    const w = walks[cni]({ set, cni, m, d, c, j, probe, selecting: selecting(d, c, probe) })
    return {
      direction: d,
      endpoint: reps[c]?.id ?? '',
      peer: reps[j]?.id ?? '',
      policies: w.policies,
      matched: w.matched,
      decision: w.decision,
      allowed: w.allowed,
      admin: w.admin,
      baseline: w.baseline,
      consistent: w.allowed === modelVerdict(d, c, j, probe)
    }
  }
  const flow = (i: number, k: number, probe: Probe): FlowTrace => {
    const s = classes.classOf[i] ?? 0
    const t = classes.classOf[k] ?? 0
    const from = classes.endpoints[i]?.id ?? ''
    const to = classes.endpoints[k]?.id ?? ''
    const egress = { ...direction('egress', s, t, probe), endpoint: from, peer: to }
    const ingress = { ...direction('ingress', t, s, probe), endpoint: to, peer: from }
    return { cni, from, to, probe, egress, ingress, allowed: egress.allowed && ingress.allowed }
  }
  return { direction, flow }
}

/**
 * The truth tables of a set (`reach`, on its classification) and an explainer over the same
 * classes: what `explain`, `equiv` and the HTML reports share.
 */
export const explainReach = (set: PolicySet, inventory: Inventory, model: Model, probes: ReadonlyArray<Probe>): { readonly reach: Reach; readonly explainer: Explainer } => {
  const r = reach(set, inventory, model, probes)
  const { prepared } = model.prepare(set, r.classes, inventory)
  return { reach: r, explainer: explainer(set, r.classes, inventory, model, prepared) }
}

/** What decided a direction in a few words, with the deciding rule's position (for `equiv`'s counterexamples). */
export const briefDecision = (t: DirectionTrace): string => {
  const d = t.decision
  const text =
    d._tag === 'rule'
      ? `rule ${d.rule.index} of ${d.rule.policy.name}${d.rule.location === undefined ? '' : ` at ${formatLocation(d.rule.location)}`} ${d.rule.action === 'allow' ? 'allows' : d.rule.action === 'deny' ? 'denies' : d.rule.action}`
      : d._tag === 'defaultDeny'
        ? 'no rule matches: default deny'
        : d._tag === 'tierDefault'
          ? `no rule matches: end of tier "${d.tier}" denies`
          : d._tag === 'profile'
            ? 'every tier passed: the profile allows'
            : d._tag === 'notDefaultDeny'
              ? 'no rule matches, not default-deny'
              : d._tag === 'clusterDefault'
                ? 'no admin/baseline rule matched, not isolated'
              : d._tag === 'unconditional'
                ? d.why
                : 'not isolated'
  return t.consistent ? text : `${text} [inconsistent with the truth table: please report this bug]`
}
