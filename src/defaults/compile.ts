/**
 * Profile policies → the IR: one `PolicySet` whose meaning is the same under the three
 * enforcement models (DESIGN.md §4), so that every dialect's output can be checked against it.
 *
 * The vocabulary is chosen to be model-neutral:
 *
 * - subjects and pod peers are `kind(pod) ∧ …` over namespaces and labels, which every model reads
 *   alike;
 * - "addresses outside the cluster" is `kind(world)` (with `ipIn` / `¬ipIn` for `cidrs` / `except`),
 *   never a bare `ipIn`: a bare address block matches pod addresses under the k8s and calico
 *   models but not under cilium (research/cilium.md §4.4, research/calico.md §8.8), while an
 *   address that is also of kind `world` is outside the cluster under all three. Calico writes it as
 *   a GlobalNetworkPolicy `notSelector: all()` (research/calico.md §8.2), Cilium as the `world`
 *   entity or a CIDR rule (research/cilium.md §3, §4.4);
 * - a policy is cluster-scoped; a policy with a `sameNamespace` peer has no cluster-wide form in
 *   any dialect and is written once per namespace of the run (`exact-for-inventory`);
 * - `isolate` is the IR's `defaultDeny`; ordering is left to `target.ts`.
 *
 * Allow and deny rules that could match the same connection of the same endpoint are an error:
 * with overlaps, Calico's first match and Cilium's "a deny always wins" would give different
 * answers (research/calico.md §4.2, research/cilium.md §4.2). Without them every model agrees,
 * whatever the order. (`deny-external-egress` therefore excepts the CIDRs `allow-egress-cidr`
 * allows.) Nothing here throws.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import { at } from '../io/source.js'
import type { SourceDoc } from '../io/source.js'
import * as C from '../ir/cidr.js'
import * as F from '../ir/formula.js'
import type { DialectName, Direction, DirectionRules, Origin, Policy, PolicySet, Rule } from '../ir/policy.js'
import { directions, qualifiedName, rulesOf, scopedSubject } from '../ir/policy.js'
import * as P from '../ir/ports.js'
import type { PodsPeer, PolicySpec, Port, RuleSpec, Subject } from './policy.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One profile's decoded policies, ready to compile. */
export interface Instance {
  readonly profile: string
  readonly doc: SourceDoc
  readonly policies: ReadonlyArray<PolicySpec>
}

export interface Compiled {
  readonly set: PolicySet
  /** Whether some policy is written once per namespace (the output then covers only the run's namespaces). */
  readonly perNamespace: boolean
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

/** The kind recorded in the origin of every generated policy. */
export const originKind = 'DefaultsProfile'

/** Labels on every generated object, so that they can be found and replaced together. */
export const managedBy: Readonly<Record<string, string>> = { 'app.kubernetes.io/managed-by': 'netpolx' }
export const profileLabel = 'netpolx.io/profile'

// -------------------------------------------------------------------------------------
// formulas
// -------------------------------------------------------------------------------------

const labelsFormula = (owner: F.LabelOwner, labels: Readonly<Record<string, string>> | undefined): F.Formula =>
  F.and(...Object.entries(labels ?? {}).map(([k, v]) => F.labelEquals(owner, k, v)))

const namespacesFormula = (names: ReadonlyArray<string> | undefined, except: ReadonlyArray<string> | undefined): F.Formula =>
  F.and(names === undefined ? F.tt : F.inNamespace(names), F.not(F.inNamespace(except ?? [])))

export const subjectFormula = (s: Subject | undefined): F.Formula =>
  F.and(F.kind(['pod']), namespacesFormula(s?.namespaces, s?.exceptNamespaces), labelsFormula('endpoint', s?.labels))

const cidrsOf = (xs: ReadonlyArray<string>): C.CidrSet =>
  xs.reduce((acc, x) => E.match<string, C.CidrSet, C.CidrSet>(() => acc, (s) => C.union(acc, s))(C.parseCidr(x)), C.empty)

const podsFormula = (p: PodsPeer, namespace: string | undefined): F.Formula =>
  F.and(
    F.kind(['pod']),
    namespacesFormula(p.namespaces, p.exceptNamespaces),
    p.sameNamespace === true ? (namespace === undefined ? F.ff : F.inNamespace([namespace])) : F.tt,
    labelsFormula('endpoint', p.labels),
    labelsFormula('namespace', p.namespaceLabels)
  )

const peerFormula = (r: RuleSpec, namespace: string | undefined): F.Formula =>
  r.peers === undefined
    ? F.tt
    : F.or(
        ...r.peers.map((p) =>
          p._tag === 'pods'
            ? podsFormula(p.pods, namespace)
            : F.and(F.kind(['world']), p.external.cidrs === undefined ? F.tt : F.ipIn(cidrsOf(p.external.cidrs)), F.not(F.ipIn(cidrsOf(p.external.except ?? []))))
        )
      )

const protocolNumber = (p: Port['protocol']): number => (p === 'UDP' ? P.UDP : p === 'SCTP' ? P.SCTP : P.TCP)

const portsOf = (ps: ReadonlyArray<Port> | undefined): P.PortSet =>
  ps === undefined
    ? P.all
    : ps.reduce(
        (acc, p) =>
          P.union(
            acc,
            typeof p.port === 'string' ? P.named(p.port, protocolNumber(p.protocol)) : P.range(protocolNumber(p.protocol), p.port, p.endPort ?? p.port)
          ),
        P.empty
      )

const usesSameNamespace = (p: PolicySpec): boolean => (p.rules ?? []).some((r) => (r.peers ?? []).some((x) => x._tag === 'pods' && x.pods.sameNamespace === true))

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const satisfiable = (f: F.Formula): boolean => f._tag !== 'false' && F.dnf(f).length > 0

// -------------------------------------------------------------------------------------
// compile
// -------------------------------------------------------------------------------------

const governs = (p: PolicySpec, d: Direction): boolean => p.directions === 'both' || p.directions === d

/**
 * Compiles the instances into one policy set for `target` (recorded in the origins).
 * `namespaces`: the namespaces of the run (`--cluster` or `--namespace`), needed by per-namespace
 * policies; undefined when none were given.
 */
export const compile = (instances: ReadonlyArray<Instance>, target: DialectName, namespaces: ReadonlyArray<string> | undefined): E.Either<ReadonlyArray<D.Diagnostic>, Compiled> => {
  const errors: Array<D.Diagnostic> = []
  const diagnostics: Array<D.Diagnostic> = []
  const policies: Array<Policy> = []
  let perNamespace = false
  for (const inst of instances) {
    inst.policies.forEach((spec, i) => {
      const path = ['spec', 'policies', i]
      const location = at(inst.doc, path)
      const subject = subjectFormula(spec.subject)
      const isolate = spec.isolate ?? true
      ;(spec.rules ?? []).forEach((r, j) => {
        // a sample namespace stands for the subject's own, so that a sameNamespace peer counts as something
        if (peerFormula(r, 'default')._tag === 'false')
          diagnostics.push(
            D.warning('empty-peer', `spec.policies[${i}].rules[${j}].peers: the rule matches no peer (an empty list of peers or of CIDRs); it ${r.action === 'allow' ? 'allows' : 'denies'} nothing`, inst.doc.locate([...path, 'rules', j, 'peers']))
          )
        if (r.direction !== undefined && !governs(spec, r.direction))
          errors.push(
            D.error(
              'invalid-field',
              `spec.policies[${i}].rules[${j}].direction: policy ${spec.name} governs ${spec.directions} only, not ${r.direction}`,
              inst.doc.locate([...path, 'rules', j, 'direction'])
            )
          )
      })
      const make = (namespace: string | undefined): Policy => {
        const dir = (d: Direction): DirectionRules | undefined => {
          if (!governs(spec, d)) return undefined
          const rules: ReadonlyArray<Rule> = (spec.rules ?? []).flatMap((r, j): ReadonlyArray<Rule> =>
            r.direction !== undefined && r.direction !== d
              ? []
              : [{ action: r.action, peer: peerFormula(r, namespace), ports: portsOf(r.ports), l7: undefined, location: at(inst.doc, [...path, 'rules', j]) }]
          )
          return { defaultDeny: isolate, rules }
        }
        const origin: Origin = {
          dialect: target,
          kind: originKind,
          namespace,
          name: spec.name,
          location,
          labels: { ...managedBy, [profileLabel]: inst.profile },
          annotations: undefined
        }
        return {
          _tag: 'Policy',
          origin,
          scope: namespace === undefined ? { _tag: 'cluster' } : { _tag: 'namespace', namespace },
          ordering: undefined,
          subject,
          ingress: dir('ingress'),
          egress: dir('egress')
        }
      }
      if (!usesSameNamespace(spec)) {
        policies.push(make(undefined))
        return
      }
      perNamespace = true
      if (namespaces === undefined) {
        errors.push(
          D.error(
            'needs-namespaces',
            `policy ${spec.name} (profile ${inst.profile}) allows traffic within each pod's own namespace, which no dialect can say cluster-wide: it is written once per namespace, so give the namespaces with --cluster or --namespace`,
            location
          )
        )
        return
      }
      const ns = [...new Set(namespaces)].sort().filter((n) => satisfiable(F.and(subject, F.inNamespace([n]))))
      ns.forEach((n) => policies.push(make(n)))
      diagnostics.push(
        D.loss(
          'exact-for-inventory',
          'per-namespace-defaults',
          `policy ${spec.name} (profile ${inst.profile}) is written once per namespace (${ns.length}: ${ns.join(', ')}); namespaces created later are not covered until netpolx defaults is run again`,
          location
        )
      )
    })
  }
  errors.push(...duplicates(policies), ...overlaps(policies))
  if (errors.length > 0) return E.left(errors)
  // sorted, so that the output does not depend on the order the profiles were given in
  const sorted = [...policies].sort((a, b) => cmp(a.origin.name, b.origin.name) || cmp(a.origin.namespace ?? '', b.origin.namespace ?? ''))
  return E.right({ set: { policies: sorted, tiers: [], networkSets: [] }, perNamespace, diagnostics })
}

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

const duplicates = (ps: ReadonlyArray<Policy>): ReadonlyArray<D.Diagnostic> => {
  const seen = new Map<string, Policy>()
  const out: Array<D.Diagnostic> = []
  for (const p of ps) {
    const k = qualifiedName(p.origin)
    const first = seen.get(k)
    if (first === undefined) seen.set(k, p)
    else
      out.push(
        D.error(
          'duplicate-policy',
          `policy ${k} (profile ${p.origin.labels?.[profileLabel] ?? '?'}) has the same name as a policy of profile ${first.origin.labels?.[profileLabel] ?? '?'}; every generated object needs its own name`,
          p.origin.location
        )
      )
  }
  return out
}

const portsOverlap = (a: P.PortSet, b: P.PortSet): boolean =>
  E.match<string, P.PortSet, boolean>(
    () => true, // named against numeric ports: cannot be decided without the pods, so counted as overlapping
    (s) => !P.isEmpty(s)
  )(P.intersect(a, b))

/** Allow and deny rules that can match one connection of one endpoint (module comment). */
const overlaps = (ps: ReadonlyArray<Policy>): ReadonlyArray<D.Diagnostic> => {
  const out: Array<D.Diagnostic> = []
  for (const d of directions) {
    const rules = ps.flatMap((p) => (rulesOf(p, d)?.rules ?? []).map((r) => ({ p, r })))
    const allows = rules.filter((x) => x.r.action === 'allow')
    const denies = rules.filter((x) => x.r.action === 'deny')
    for (const deny of denies)
      for (const allow of allows) {
        if (!satisfiable(F.and(scopedSubject(deny.p), scopedSubject(allow.p)))) continue
        if (!satisfiable(F.and(deny.r.peer, allow.r.peer)) || !portsOverlap(deny.r.ports, allow.r.ports)) continue
        out.push(
          D.error(
            'defaults-overlap',
            `the ${d} deny rule of ${qualifiedName(deny.p.origin)} and an allow rule of ${qualifiedName(allow.p.origin)}${allow.r.location === undefined ? '' : ` (${D.formatLocation(allow.r.location)})`} can match the same connection (${F.show(F.and(deny.r.peer, allow.r.peer))}); Calico (first match) and Cilium (a deny always wins) would disagree on it, so defaults must keep allows and denies apart`,
            deny.r.location
          )
        )
      }
  }
  return out
}
