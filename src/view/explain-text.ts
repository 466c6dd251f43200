/**
 * Flow traces (`semantics/explain.ts`) as text and as JSON: the `explain` command's output, the
 * reasons of `equiv`'s counterexamples, and the explanations an HTML report embeds. Pure: strings
 * in, strings out; deterministic.
 */
import type { Location } from '../diagnostics.js'
import { formatLocation } from '../diagnostics.js'
import * as P from '../ir/ports.js'
import type { Decision, DirectionTrace, FlowTrace, PolicyRef, RuleRef, TierStep } from '../semantics/explain.js'
import type { Probe } from '../semantics/table.js'
import { probeText as flowProbeText } from '../semantics/probes.js'

export const probeText = (p: Probe): string => flowProbeText(p)

const at = (l: Location | undefined): string => (l === undefined ? '' : ` at ${formatLocation(l)}`)

const verb = (a: RuleRef['action']): string => (a === 'allow' ? 'allows' : a === 'deny' ? 'denies' : a === 'pass' ? 'passes' : 'logs')

/** `rule 2 of x/allow-a (allow from namespace y, ports TCP/81) at policies.yaml:17:7` */
export const ruleText = (r: RuleRef): string => `rule ${r.index} of ${r.policy.name} (${r.action} ${r.peer}, ports ${r.ports})${at(r.location)}`

const policyList = (ps: ReadonlyArray<PolicyRef>): string => ps.map((p) => `${p.name}${at(p.location)}`).join(', ')

/** Why one direction decided as it did, in one phrase. */
export const decisionText = (d: Decision): string => {
  switch (d._tag) {
    case 'notIsolated':
      return 'no policy selects it: not isolated'
    case 'notDefaultDeny':
      return 'no rule matches, and no selecting policy makes it default-deny'
    case 'unconditional':
      return d.why
    case 'rule':
      return `${ruleText(d.rule)} ${verb(d.rule.action)}`
    case 'defaultDeny':
      return `no rule matches; default deny: isolated by ${policyList(d.by)}`
    case 'tierDefault':
      return `no rule of tier "${d.tier}" matches; the tier's default action denies`
    case 'profile':
      return 'every tier that applies passed; the namespace profile allows'
    case 'clusterDefault':
      return 'no admin/baseline rule decided and no policy isolates it: allowed'
  }
}

/** What a cluster tier (Admin, Baseline) did, in one phrase. */
export const tierStepText = (tier: 'admin' | 'baseline', s: TierStep): string => {
  switch (s._tag) {
    case 'noMatch':
      return `no ${tier} rule matched`
    case 'passed':
      return `passed by ${tier} ${ruleText(s.rule)}`
    case 'decided':
      return `${tier} ${ruleText(s.rule)} ${verb(s.rule.action)}`
    case 'skipped':
      return `not reached: ${s.why}`
  }
}

const allowedText = (a: boolean): string => (a ? 'allowed' : 'denied')

/** One line per direction: `ingress of x/a: denied — …`. */
export const directionLine = (t: DirectionTrace): string =>
  `${t.direction} of ${t.endpoint}: ${allowedText(t.allowed)}, ${decisionText(t.decision)}${t.consistent ? '' : ' [INCONSISTENT with the truth table: please report this bug]'}`

/** A short reason for a verdict: the deciding direction(s). */
export const flowReason = (f: FlowTrace): string => {
  const deciding = [f.egress, f.ingress].filter((t) => (f.allowed ? t.decision._tag !== 'notIsolated' : !t.allowed))
  if (deciding.length === 0) return 'no policy selects either endpoint: not isolated'
  return deciding.map((t) => `${t.direction} of ${t.endpoint}: ${decisionText(t.decision)}`).join('; ')
}

const policyLine = (p: PolicyRef, i: number): string =>
  `      ${i + 1}. ${p.name} (${p.kind}${p.tier === undefined ? '' : `, tier ${p.tier}, ${p.tier === 'Admin' || p.tier === 'Baseline' ? 'priority' : 'order'} ${p.order ?? 'none'}`})${at(p.location)}`

/** The cluster tiers' steps of a direction as one clause (`; admin tier: …; baseline tier: …`), or '' without them. */
export const tierSummary = (t: DirectionTrace): string =>
  `${t.admin === undefined ? '' : `; admin tier: ${tierStepText('admin', t.admin)}`}${t.baseline === undefined ? '' : `; baseline tier: ${tierStepText('baseline', t.baseline)}`}`

const tierLines = (t: DirectionTrace): ReadonlyArray<string> => [
  ...(t.admin === undefined ? [] : [`    admin tier: ${tierStepText('admin', t.admin)}`]),
  ...(t.baseline === undefined ? [] : [`    baseline tier: ${tierStepText('baseline', t.baseline)}`])
]

const directionBlock = (t: DirectionTrace): ReadonlyArray<string> => [
  `  ${directionLine(t)}`,
  ...tierLines(t),
  ...(t.policies.length === 0 ? [] : [`    policies selecting ${t.endpoint} for ${t.direction}, in evaluation order:`, ...t.policies.map(policyLine)]),
  ...(t.matched.length === 0 || (t.matched.length === 1 && t.decision._tag === 'rule' && t.matched[0] === t.decision.rule)
    ? []
    : [`    rules matching ${t.direction === 'egress' ? `to ${t.peer}` : `from ${t.peer}`}:`, ...t.matched.map((r) => `      ${ruleText(r)}`)])
]

/** The full text of one flow's trace. */
export const flowText = (f: FlowTrace): string =>
  [`${f.from} -> ${f.to} ${probeText(f.probe)} under ${f.cni}: ${allowedText(f.allowed).toUpperCase()}`, ...directionBlock(f.egress), ...directionBlock(f.ingress), ''].join('\n')

/** Two sides of the same flow next to each other (`explain --left/--right`). */
export const sidesText = (left: FlowTrace, right: FlowTrace): string => {
  const head =
    left.allowed === right.allowed
      ? `both sides ${left.allowed ? 'allow' : 'deny'} ${left.from} -> ${left.to} ${probeText(left.probe)}`
      : `left (${left.cni}) ${left.allowed ? 'allows' : 'denies'} because ${flowReason(left)}; right (${right.cni}) ${right.allowed ? 'allows' : 'denies'} because ${flowReason(right)}`
  return [head, '', 'left:', flowText(left), 'right:', flowText(right)].join('\n')
}

// -------------------------------------------------------------------------------------
// JSON
// -------------------------------------------------------------------------------------

const locationJson = (l: Location | undefined): string | null => (l === undefined ? null : formatLocation(l))

const policyJson = (p: PolicyRef) => ({ name: p.name, kind: p.kind, tier: p.tier ?? null, order: p.order ?? null, location: locationJson(p.location) })

const ruleJson = (r: RuleRef) => ({ policy: r.policy.name, index: r.index, action: r.action, peer: r.peer, ports: r.ports, location: locationJson(r.location) })

const decisionJson = (d: Decision) =>
  d._tag === 'rule'
    ? { kind: 'rule', rule: ruleJson(d.rule), text: decisionText(d) }
    : d._tag === 'defaultDeny'
      ? { kind: d._tag, by: d.by.map(policyJson), text: decisionText(d) }
      : d._tag === 'tierDefault'
        ? { kind: d._tag, tier: d.tier, text: decisionText(d) }
        : { kind: d._tag, text: decisionText(d) }

const tierStepJson = (tier: 'admin' | 'baseline', s: TierStep) =>
  s._tag === 'passed' || s._tag === 'decided'
    ? { kind: s._tag, rule: ruleJson(s.rule), text: tierStepText(tier, s) }
    : s._tag === 'skipped'
      ? { kind: s._tag, why: s.why, text: tierStepText(tier, s) }
      : { kind: s._tag, text: tierStepText(tier, s) }

/** The JSON of a direction; `admin` and `baseline` only where cluster tiers took part (k8s, cilium). */
export const directionJson = (t: DirectionTrace) => ({
  endpoint: t.endpoint,
  allowed: t.allowed,
  consistent: t.consistent,
  policies: t.policies.map(policyJson),
  matched: t.matched.map(ruleJson),
  decision: decisionJson(t.decision),
  ...(t.admin === undefined ? {} : { admin: tierStepJson('admin', t.admin) }),
  ...(t.baseline === undefined ? {} : { baseline: tierStepJson('baseline', t.baseline) })
})

export const flowJsonValue = (f: FlowTrace) => ({
  cni: f.cni,
  from: f.from,
  to: f.to,
  port: f.probe.port,
  protocol: P.protocolName(f.probe.protocol),
  allowed: f.allowed,
  egress: directionJson(f.egress),
  ingress: directionJson(f.ingress)
})
