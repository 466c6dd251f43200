/**
 * IR → networking.k8s.io/v1 NetworkPolicy.
 *
 * A subject that is a disjunction becomes one NetworkPolicy per disjunct (the same meaning under
 * Kubernetes' union semantics); a peer formula becomes one NetworkPolicyPeer per DNF conjunction.
 * Whatever a NetworkPolicy cannot say (deny and pass rules, non-pod peers, string-prefix
 * selectors, ICMP, L7, …) yields a diagnostic with its fidelity and, in the output, a comment.
 */
import * as D from '../../src/diagnostics.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Direction, DirectionRules, PolicySet, Rule } from '../../src/ir/policy.js'
import { qualifiedName } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import { fitName, nameKey, namer } from '../names.js'
import type { Comment, EmitOptions, EmitOutput, Emitted, KubeObject } from '../dialect.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

interface Requirement {
  readonly key: string
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  readonly values?: ReadonlyArray<string>
}

type Selector = {
  readonly matchLabels?: Readonly<Record<string, string>>
  readonly matchExpressions?: ReadonlyArray<Requirement>
}

/** A construct that could not be written exactly. */
interface Problem {
  readonly fidelity: D.Fidelity
  readonly code: string
  readonly message: string
}

/** The namespace-name label the API server sets on every namespace (Kubernetes ≥ 1.21). */
export const namespaceNameLabel = 'kubernetes.io/metadata.name'

// -------------------------------------------------------------------------------------
// selectors
// -------------------------------------------------------------------------------------

const requirementOf = (l: F.Literal): Requirement | Problem => {
  const a = l.atom
  if (a._tag !== 'label') return { fidelity: 'unsupported', code: 'unsupported-selector', message: `cannot write ${F.show(a)} as a label selector` }
  switch (a.test._tag) {
    case 'exists':
      return { key: a.key, operator: l.positive ? 'Exists' : 'DoesNotExist' }
    case 'in':
      return { key: a.key, operator: l.positive ? 'In' : 'NotIn', values: a.test.values }
    default:
      return {
        fidelity: 'unsupported',
        code: 'unsupported-selector',
        message: `a Kubernetes label selector cannot test "${F.show(l.positive ? a : F.not(a))}" (no string-prefix, suffix or substring operators)`
      }
  }
}

const isProblem = (x: object): x is Problem => 'fidelity' in x

const selectorOf = (reqs: ReadonlyArray<Requirement>): Selector => {
  const matchLabels: Record<string, string> = {}
  const exprs: Array<Requirement> = []
  for (const r of [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.operator < b.operator ? -1 : 1))) {
    const only = r.values?.[0]
    if (r.operator === 'In' && r.values?.length === 1 && only !== undefined && !(r.key in matchLabels)) matchLabels[r.key] = only
    else exprs.push(r)
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(exprs.length > 0 ? { matchExpressions: exprs.map((r) => (r.values === undefined ? { key: r.key, operator: r.operator } : { key: r.key, operator: r.operator, values: r.values })) } : {})
  }
}

// -------------------------------------------------------------------------------------
// subjects
// -------------------------------------------------------------------------------------

/** A subject conjunction as a podSelector within `namespace`; undefined when it selects nothing there. */
const podSelectorOf = (lits: ReadonlyArray<F.Literal>, namespace: string): Selector | Problem | undefined => {
  const reqs: Array<Requirement> = []
  for (const l of lits) {
    const a = l.atom
    if (a._tag === 'kind') {
      if (a.kinds.includes('pod') !== l.positive) return undefined
      continue
    }
    if (a._tag === 'namespace') {
      if (a.names.includes(namespace) !== l.positive) return undefined
      continue
    }
    if (a._tag === 'label' && a.owner === 'endpoint') {
      const r = requirementOf(l)
      if (isProblem(r)) return r
      reqs.push(r)
      continue
    }
    return { fidelity: 'unsupported', code: 'unsupported-subject', message: `a NetworkPolicy podSelector cannot express "${F.show(F.literal(l))}"` }
  }
  return selectorOf(reqs)
}

// -------------------------------------------------------------------------------------
// peers
// -------------------------------------------------------------------------------------

type Peer = Readonly<Record<string, unknown>>

const peersOf = (lits: ReadonlyArray<F.Literal>, namespace: string): ReadonlyArray<Peer> | Problem => {
  const ip = lits.find((l) => l.atom._tag === 'ipIn')
  if (ip !== undefined) {
    if (lits.length > 1)
      return {
        fidelity: 'narrower',
        code: 'unsupported-peer',
        message: `a NetworkPolicy peer cannot combine an address range with other conditions: "${F.show(F.and(...lits.map(F.literal)))}"`
      }
    const atom = ip.atom as F.IpIn
    const set = ip.positive ? atom.cidrs : C.complement(atom.cidrs)
    return C.toBlocks(set).map((b) => ({ ipBlock: b.except.length === 0 ? { cidr: b.cidr } : { cidr: b.cidr, except: b.except } }))
  }
  const podReqs: Array<Requirement> = []
  const nsReqs: Array<Requirement> = []
  let names: ReadonlyArray<string> | undefined
  let notNames: ReadonlyArray<string> = []
  let kinds: ReadonlyArray<F.EndpointKind> | undefined
  for (const l of lits) {
    const a = l.atom
    if (a._tag === 'kind') kinds = l.positive ? a.kinds : F.endpointKinds.filter((k) => !a.kinds.includes(k))
    else if (a._tag === 'namespace') {
      if (l.positive) names = a.names
      else notNames = a.names
    } else if (a._tag === 'label' && (a.owner === 'endpoint' || a.owner === 'namespace')) {
      const r = requirementOf(l)
      if (isProblem(r)) return { ...r, fidelity: 'narrower' }
      ;(a.owner === 'endpoint' ? podReqs : nsReqs).push(r)
    } else
      return {
        fidelity: 'narrower',
        code: 'unsupported-peer',
        message: `a NetworkPolicy peer cannot express "${F.show(F.literal(l))}"`
      }
  }
  if (kinds === undefined || kinds.length !== 1 || kinds[0] !== 'pod')
    return {
      fidelity: 'narrower',
      code: 'unsupported-peer',
      message: `peer "${F.show(F.and(...lits.map(F.literal)))}" is not limited to pods; a NetworkPolicy podSelector/namespaceSelector peer selects pods only`
    }
  const podSelector = selectorOf(podReqs)
  if (names !== undefined && names.length === 1 && names[0] === namespace && nsReqs.length === 0 && notNames.length === 0)
    return [{ podSelector }]
  const nameReqs: ReadonlyArray<Requirement> = [
    ...(names === undefined ? [] : [{ key: namespaceNameLabel, operator: 'In' as const, values: names }]),
    ...(notNames.length === 0 ? [] : [{ key: namespaceNameLabel, operator: 'NotIn' as const, values: notNames }])
  ]
  const namespaceSelector = selectorOf([...nameReqs, ...nsReqs])
  return [podReqs.length === 0 ? { namespaceSelector } : { podSelector, namespaceSelector }]
}

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

const protocols: ReadonlyArray<readonly [number, string]> = [
  [P.TCP, 'TCP'],
  [P.UDP, 'UDP'],
  [P.SCTP, 'SCTP']
]

const portsOf = (ps: P.PortSet): { readonly ports: ReadonlyArray<Peer> | undefined; readonly problem: Problem | undefined } => {
  if (P.isAll(ps)) return { ports: undefined, problem: undefined }
  const out: Array<Peer> = []
  for (const [proto, name] of protocols) {
    if (P.isWholeProtocol(ps, proto)) out.push({ protocol: name })
    else for (const [lo, hi] of P.rangesOf(ps, proto)) out.push(lo === hi ? { protocol: name, port: lo } : { protocol: name, port: lo, endPort: hi })
  }
  let problem: Problem | undefined
  for (const n of ps.named) {
    if (n.protocol === undefined) out.push(...protocols.map(([, name]) => ({ protocol: name, port: n.name })))
    else {
      const name = protocols.find(([p]) => p === n.protocol)?.[1]
      if (name !== undefined) out.push({ protocol: name, port: n.name })
      else problem = { fidelity: 'narrower', code: 'unsupported-protocol', message: `named port ${n.name} on protocol ${P.protocolName(n.protocol)} cannot be written in a NetworkPolicy` }
    }
  }
  const isPortProtocol = (p: number) => protocols.some(([q]) => q === p)
  if (ps.rest || ps.listed.some((e) => !isPortProtocol(e.protocol) && e.ports.length > 0)) {
    const numericOnly = { ...ps, named: [] }
    const others = P.difference(numericOnly, P.union(P.union(P.protocol(P.TCP), P.protocol(P.UDP)), P.protocol(P.SCTP)))
    problem = {
      fidelity: 'narrower',
      code: 'unsupported-protocol',
      message: `a NetworkPolicy matches only TCP, UDP and SCTP; ${others._tag === 'Right' && !others.right.rest ? `${P.show(others.right)} is` : 'ICMP and every other IP protocol are'} not carried over`
    }
  }
  return { ports: out, problem }
}

// -------------------------------------------------------------------------------------
// policies
// -------------------------------------------------------------------------------------

interface RuleOut {
  readonly object: Peer | undefined
  readonly problems: ReadonlyArray<Problem>
}

const ruleOf = (r: Rule, d: Direction, namespace: string): RuleOut => {
  const problems: Array<Problem> = []
  if (r.action === 'log')
    return { object: undefined, problems: [{ fidelity: 'exact', code: 'log-dropped', message: 'a Log rule does not change reachability and has no NetworkPolicy equivalent; it is left out' }] }
  if (r.action !== 'allow')
    return {
      object: undefined,
      problems: [
        {
          fidelity: r.action === 'deny' ? 'broader' : 'unsupported',
          code: 'unsupported-action',
          message: `a NetworkPolicy has only allow rules; this ${r.action} rule is left out (compile ordered policies first)`
        }
      ]
    }
  if (r.l7 !== undefined)
    problems.push({ fidelity: 'broader', code: 'l7-dropped', message: `the ${r.l7._tag} constraint is dropped: the rule allows every request on its ports` })
  const { ports, problem } = portsOf(r.ports)
  if (problem !== undefined) problems.push(problem)
  if (ports !== undefined && ports.length === 0) return { object: undefined, problems }
  const peers: Array<Peer> = []
  let everyone = false
  for (const c of F.dnf(r.peer)) {
    if (c.length === 0) {
      everyone = true
      break
    }
    const p = peersOf(c, namespace)
    if (isProblem(p)) problems.push(p)
    else peers.push(...p)
  }
  if (!everyone && peers.length === 0) return { object: undefined, problems }
  const key = d === 'ingress' ? 'from' : 'to'
  return {
    object: { ...(everyone ? {} : { [key]: dedupe(peers) }), ...(ports === undefined ? {} : { ports }) },
    problems
  }
}

const dedupe = (xs: ReadonlyArray<Peer>): ReadonlyArray<Peer> => {
  const seen = new Set<string>()
  return xs.filter((x) => {
    const k = JSON.stringify(x)
    return seen.has(k) ? false : (seen.add(k), true)
  })
}

const directionOf = (
  dr: DirectionRules,
  d: Direction,
  namespace: string
): { readonly rules: ReadonlyArray<Peer>; readonly problems: ReadonlyArray<{ readonly index: number | undefined; readonly problem: Problem; readonly rule: Rule | undefined }> } => {
  const rules: Array<Peer> = []
  const problems: Array<{ index: number | undefined; problem: Problem; rule: Rule | undefined }> = []
  for (const r of dr.rules) {
    const out = ruleOf(r, d, namespace)
    if (out.object !== undefined) rules.push(out.object)
    for (const p of out.problems) problems.push({ index: out.object === undefined ? undefined : rules.length - 1, problem: p, rule: r })
  }
  return { rules, problems }
}

/**
 * Whether ordered (Calico) policies in the set mean the same as the union of their allow rules:
 * true when every policy sits in one tier whose default action is deny (unordered policies count
 * as tier `default`) and every rule is an allow (or a log, which decides nothing). Then first-match
 * over allows is their union and the end-of-tier drop is Kubernetes' isolation.
 */
const orderIsUnion = (set: PolicySet): boolean => {
  const tiers = new Set(set.policies.map((p) => p.ordering?.tier ?? 'default'))
  const [only] = [...tiers]
  if (tiers.size > 1 || only === undefined) return tiers.size === 0
  if (set.tiers.some((t) => t.name === only && t.defaultAction !== 'deny')) return false
  return set.policies.every((p) => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])].every((r) => r.action === 'allow' || r.action === 'log'))
}

export const emit = (set: PolicySet, _options: EmitOptions): EmitOutput => {
  const objects: Array<Emitted> = []
  const diagnostics: Array<D.Diagnostic> = []
  const ordered = !orderIsUnion(set)
  // a policy split into several NetworkPolicies, or two source kinds sharing a name, get `-2`, … (dialects/names.ts)
  const name = namer(new Set(set.policies.flatMap((p) => (p.scope._tag === 'namespace' ? [nameKey('NetworkPolicy', p.scope.namespace, fitName(p.origin.name))] : []))))
  const uniqueName = (namespace: string, base: string): string => name('NetworkPolicy', namespace, base)
  for (const p of set.policies) {
    const loc = p.origin.location
    const report = (pr: Problem, where = loc) => diagnostics.push(D.loss(pr.fidelity, pr.code, pr.message, where))
    if (p.scope._tag !== 'namespace') {
      report({
        fidelity: 'unsupported',
        code: 'cluster-scope',
        message: `${p.origin.kind} ${qualifiedName(p.origin)} is cluster-scoped; a NetworkPolicy is namespaced (give --cluster to expand it per namespace)`
      })
      continue
    }
    const namespace = p.scope.namespace
    if (ordered && p.ordering !== undefined)
      report({
        fidelity: 'unsupported',
        code: 'ordered-policy',
        message: `${p.origin.kind} ${qualifiedName(p.origin)} is evaluated in tier order (tier ${p.ordering.tier}, order ${p.ordering.order ?? 'none'}) alongside Deny, Pass or other tiers, and its order could not be compiled into allow-only policies; it is written as if unordered`
      })
    const subjects = F.dnf(p.subject)
    if (subjects.length === 0) {
      diagnostics.push(D.loss('exact', 'empty-subject', `${qualifiedName(p.origin)} selects no endpoint and is left out`, loc))
      continue
    }
    for (const conj of subjects) {
      const sel = podSelectorOf(conj, namespace)
      if (sel === undefined) continue
      if (isProblem(sel)) {
        report(sel)
        continue
      }
      const comments: Array<Comment> = []
      const spec: Record<string, unknown> = { podSelector: sel }
      const types: Array<string> = []
      const body: Record<string, unknown> = {}
      for (const d of ['ingress', 'egress'] as const) {
        const dr = d === 'ingress' ? p.ingress : p.egress
        if (dr === undefined) continue
        if (!dr.defaultDeny) {
          if (dr.rules.every((r) => r.action === 'allow' || r.action === 'log')) {
            diagnostics.push(
              D.loss('exact', 'no-default-deny', `${d} rules that do not make their subjects default-deny allow nothing extra; ${d} is left ungoverned`, loc)
            )
            continue
          }
          report({ fidelity: 'unsupported', code: 'no-default-deny', message: `${d} deny rules without default deny cannot be written as a NetworkPolicy` })
          continue
        }
        types.push(d === 'ingress' ? 'Ingress' : 'Egress')
        const out = directionOf(dr, d, namespace)
        if (out.rules.length > 0) body[d] = out.rules
        for (const { index, problem, rule } of out.problems) {
          report(problem, rule?.location ?? loc)
          if (index !== undefined) comments.push({ path: ['spec', d, index], text: ` netpolx: ${problem.fidelity}: ${problem.message}` })
          else comments.push({ path: ['spec', 'policyTypes'], text: ` netpolx: ${problem.fidelity}: ${d} rule left out: ${problem.message}` })
        }
      }
      spec.policyTypes = types
      Object.assign(spec, body)
      const name = uniqueName(namespace, p.origin.name)
      const metadata: Record<string, unknown> = { name, namespace }
      if (p.origin.labels !== undefined && Object.keys(p.origin.labels).length > 0) metadata.labels = p.origin.labels
      if (p.origin.annotations !== undefined && Object.keys(p.origin.annotations).length > 0) metadata.annotations = p.origin.annotations
      const object: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec }
      objects.push({ object, comments })
    }
  }
  return { objects, diagnostics }
}
