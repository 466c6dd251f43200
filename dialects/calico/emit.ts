/**
 * IR → projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy, NetworkSet, GlobalNetworkSet, Tier.
 *
 * Every form is chosen so that reading the output back with `parse.ts` gives the same meaning
 * under the `calico` model (research/calico.md §2 scoping, §4 evaluation, §4.5 special labels):
 *
 * - a namespaced policy becomes a NetworkPolicy, a cluster-scoped one a GlobalNetworkPolicy; the
 *   subject is one selector (`||`, `!` and parentheses as needed) plus, for a GNP, the
 *   `namespaceSelector` and `serviceAccountSelector` fields when it tests namespace or service
 *   account labels (one policy per DNF conjunction when the parts do not factor);
 * - `kind(pod)` is `projectcalico.org/orchestrator == 'k8s'`, as Calico's own converter writes
 *   every Kubernetes pod selector (§5.1); namespace names are `projectcalico.org/namespace` in
 *   selectors and `projectcalico.org/name` in namespace selectors, service accounts
 *   `projectcalico.org/serviceaccount` or `serviceAccounts.names` (§4.5);
 * - a rule's peer becomes one Calico rule per DNF conjunction, per protocol (a Calico rule has one
 *   protocol, §1.5), per address family (one family per rule) and per HTTP match: consecutive
 *   rules with the same action, so first-match gives what the IR rule gave. A conjunction is
 *   written with the scoping of §2: `nets`/`notNets` alone match any address; a selector part
 *   adds "known entity" and, in a NetworkPolicy, the policy's namespace unless a
 *   `namespaceSelector` replaces it (`all()` any namespace, `global()` non-namespaced entities);
 *   negated tests that must also match external addresses use an unscoped `notSelector` (GNP only);
 *   a Service named in a namespace is `services` (alone in its EntityRule, no egress ports, §1.5;
 *   in egress it matches only the Service's endpoint ports, §2, which is a loss for a policy not
 *   read from Calico); addresses are written with `nets`, one family per rule, since `notNets`
 *   alone applies to its own family only (§2, `FilterRuleToIPVersion`);
 * - ordered policies keep tier and order. Unordered ones (Kubernetes, Cilium) go to tier
 *   `default` at order 1000 (where Calico puts Kubernetes policies, §5.1, §6; `ordersFor`):
 *   allow-only sets keep one policy each (first match over allows is their union). Sets with deny
 *   rules or directions without default deny (Cilium, where a deny overrides every allow and
 *   isolation needs a default-deny policy) are laid out as: every policy's denies first, then the
 *   allows, then a final allow-all for the subjects no default-deny policy isolates; a policy
 *   that shares its endpoints with no other keeps one object (denies, allows, trailing allow);
 * - whatever Calico cannot say (entities, FQDNs, services by selector or in any namespace, node
 *   labels, addresses outside the cluster in a namespaced policy, L7 other than exact HTTP, …) is
 *   left out with a diagnostic: a left-out match in an allow rule is `narrower`, in a deny rule
 *   `broader`, in a pass rule `unsupported`, in a log rule `exact`; a comment marks the rule.
 *
 * Names are kept, prefixed `<tier>.` in non-default tiers (required up to Calico v3.31, allowed
 * since, §1.7) and made unique per kind and namespace with `-2`, `-3`, … in the canonical order of
 * the set (never input position), at most 253 characters (dialects/names.ts).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../../src/diagnostics.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import type { Action, Direction, DirectionRules, HttpRule, L7, NetworkSet, Policy, PolicySet, Rule, Tier } from '../../src/ir/policy.js'
import { directions, qualifiedName, rulesOf } from '../../src/ir/policy.js'
import * as P from '../../src/ir/ports.js'
import type { Comment, EmitOptions, EmitOutput, Emitted, KubeObject } from '../dialect.js'
import { ianaServiceNameProblem } from '../kube.js'
import type { Namer } from '../names.js'
import { nameKey, fitName, namer } from '../names.js'
import * as S from './selector.js'

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

const apiVersion = 'projectcalico.org/v3'

/** Calico's special labels (research/calico.md §4.5). */
const labelNamespace = 'projectcalico.org/namespace'
const labelOrchestrator = 'projectcalico.org/orchestrator'
const labelServiceAccount = 'projectcalico.org/serviceaccount'
const labelName = 'projectcalico.org/name'
/** The label the API server puts on every namespace; its presence means "the entity is namespaced" (see parse.ts). */
const namespaceNameLabel = 'kubernetes.io/metadata.name'

export const defaultTierName = 'default'
/** The first order given to unordered policies: where Calico puts Kubernetes NetworkPolicies (§5.1). */
export const firstOrder = 1000

/** What a Calico selector can match: workload endpoints, host endpoints, network sets (§2). */
const knownKinds: ReadonlyArray<F.EndpointKind> = ['host', 'networkSet', 'pod']

const maxPorts = 50
const maxNets = 256

// -------------------------------------------------------------------------------------
// problems
// -------------------------------------------------------------------------------------

/** The emitted rule matches fewer / more than the IR rule (its fidelity then depends on the action). */
type Effect = 'fewer' | 'more'

interface Problem {
  readonly effect: Effect | D.Fidelity
  readonly code: string
  readonly message: string
}

const problem = (effect: Effect | D.Fidelity, code: string, message: string): Problem => ({ effect, code, message })

/** Leaving out matches of an allow rule allows less; of a deny rule denies less; of a pass rule either; of a log rule nothing. */
const fidelityFor = (effect: Effect | D.Fidelity, action: Action): D.Fidelity => {
  if (effect !== 'fewer' && effect !== 'more') return effect
  if (action === 'log') return 'exact'
  if (action === 'pass') return 'unsupported'
  return (effect === 'fewer') === (action === 'allow') ? 'narrower' : 'broader'
}

type Result<A> = E.Either<Problem, A>

const sequence = <A>(xs: ReadonlyArray<Result<A>>): Result<ReadonlyArray<A>> => {
  const out: Array<A> = []
  for (const x of xs) {
    if (E.isLeft(x)) return x
    out.push(x.right)
  }
  return E.right(out)
}

// -------------------------------------------------------------------------------------
// selectors
// -------------------------------------------------------------------------------------

const all: S.Selector = { _tag: 'all' }
const none: S.Selector = { _tag: 'not', arg: all }
const isPod: S.Selector = { _tag: 'eq', key: labelOrchestrator, value: 'k8s' }
const notPod: S.Selector = { _tag: 'not', arg: { _tag: 'has', key: labelOrchestrator } }

const sAnd = (xs: ReadonlyArray<S.Selector>): S.Selector => {
  if (xs.some((x) => x._tag === 'not' && x.arg._tag === 'all')) return none
  const args = xs.filter((x) => x._tag !== 'all')
  const [first] = args
  return first === undefined ? all : args.length === 1 ? first : { _tag: 'and', args }
}

const sOr = (xs: ReadonlyArray<S.Selector>): S.Selector => {
  if (xs.some((x) => x._tag === 'all')) return all
  const args = xs.filter((x) => !(x._tag === 'not' && x.arg._tag === 'all'))
  const [first] = args
  return first === undefined ? none : args.length === 1 ? first : { _tag: 'or', args }
}

/** Negation, written with `!=` / `not in` where it can be. */
const sNot = (s: S.Selector): S.Selector => {
  switch (s._tag) {
    case 'eq':
      return { _tag: 'ne', key: s.key, value: s.value }
    case 'ne':
      return { _tag: 'eq', key: s.key, value: s.value }
    case 'in':
      return { _tag: 'notIn', key: s.key, values: s.values }
    case 'notIn':
      return { _tag: 'in', key: s.key, values: s.values }
    case 'not':
      return s.arg
    default:
      return { _tag: 'not', arg: s }
  }
}

/** `k == 'v'` for one value, `k in { … }` for several. */
const valuesSelector = (key: string, values: ReadonlyArray<string>): S.Selector => {
  const [only] = values
  return values.length === 1 && only !== undefined ? { _tag: 'eq', key, value: only } : { _tag: 'in', key, values }
}

/** Keys Calico gives a meaning of its own (§4.5): a label test on them would be read back as something else. */
const reservedKeys: Readonly<Record<F.LabelOwner, ReadonlyArray<string>>> = {
  endpoint: [labelNamespace, labelOrchestrator, labelServiceAccount],
  namespace: [labelName],
  serviceAccount: [labelName],
  node: []
}

const ownerText: Readonly<Record<F.LabelOwner, string>> = {
  endpoint: 'endpoint',
  namespace: 'namespace',
  serviceAccount: 'service account',
  node: 'node'
}

/** A label test as a selector term over its owner's labels. */
const labelSelector = (a: F.Label): Result<S.Selector> => {
  if (reservedKeys[a.owner].includes(a.key))
    return E.left(problem('unsupported', 'reserved-label', `the ${ownerText[a.owner]} label ${a.key} is set by Calico itself; a test on it would mean something else`))
  const t = a.test
  const s: S.Selector =
    t._tag === 'exists' ? { _tag: 'has', key: a.key } : t._tag === 'in' ? valuesSelector(a.key, t.values) : { _tag: t._tag, key: a.key, value: t.value }
  return S.printable(s)
    ? E.right(s)
    : E.left(problem('unsupported', 'unprintable-selector', `"${F.show(a)}" cannot be written as a Calico selector (invalid label key, or a value holding both quote kinds)`))
}

/** Terms in the order Calico's converter writes them: the orchestrator term, namespaces, service accounts, then labels. */
const atomRank = (f: F.Formula): number => (f._tag === 'kind' ? 0 : f._tag === 'namespace' ? 1 : f._tag === 'serviceAccount' ? 2 : 3)

/** A formula as a selector, atoms by `atom` (which receives positive atoms only). */
const selectorOf = (f: F.Formula, atom: (a: F.Atom) => Result<S.Selector>): Result<S.Selector> => {
  switch (f._tag) {
    case 'true':
      return E.right(all)
    case 'false':
      return E.right(none)
    case 'not':
      return E.map(sNot)(selectorOf(f.arg, atom))
    case 'and':
    case 'or': {
      const parts = sequence([...f.args].sort((a, b) => atomRank(a) - atomRank(b)).map((g) => selectorOf(g, atom)))
      return E.map((xs: ReadonlyArray<S.Selector>) => (f._tag === 'and' ? sAnd(xs) : sOr(xs)))(parts)
    }
    default:
      return atom(f)
  }
}

const literalSelector = (l: F.Literal, atom: (a: F.Atom) => Result<S.Selector>): Result<S.Selector> =>
  E.map((s: S.Selector) => (l.positive ? s : sNot(s)))(atom(l.atom))

const isNamespaced = (a: F.Atom): boolean => a._tag === 'label' && a.owner === 'namespace' && a.key === namespaceNameLabel && a.test._tag === 'exists'

/** A namespace selector; `all()` when it only says "namespaced". */
const printNamespaceSelector = (parts: ReadonlyArray<S.Selector>): string =>
  parts.length === 1 && parts[0]?._tag === 'has' && parts[0].key === namespaceNameLabel ? 'all()' : S.print(sAnd(parts))

const sameSet = <A>(xs: ReadonlyArray<A>, ys: ReadonlyArray<A>): boolean => xs.length === ys.length && xs.every((x) => ys.includes(x))

const showLiterals = (lits: ReadonlyArray<F.Literal>): string => F.show(F.and(...lits.map(F.literal)))

// -------------------------------------------------------------------------------------
// rule peers
// -------------------------------------------------------------------------------------

/** The peer fields of a Calico EntityRule. */
interface Entity {
  readonly selector?: string
  readonly notSelector?: string
  readonly namespaceSelector?: string
  readonly serviceAccounts?: { readonly names?: ReadonlyArray<string>; readonly selector?: string }
  readonly nets?: ReadonlyArray<string>
  readonly notNets?: ReadonlyArray<string>
  readonly services?: { readonly name: string; readonly namespace: string }
}

/** Where a rule sits: the policy's namespace (undefined for a GNP). */
interface Scope {
  readonly namespace: string | undefined
}

/** A DNF conjunction, sorted by what writes it. */
interface Groups {
  readonly address: F.Literal | undefined
  readonly kinds: ReadonlyArray<F.EndpointKind>
  readonly nsPos: ReadonlyArray<string> | undefined
  readonly nsNeg: ReadonlyArray<string>
  readonly nsLabels: ReadonlyArray<F.Literal>
  readonly endpoint: ReadonlyArray<F.Literal>
  readonly saPos: ReadonlyArray<string> | undefined
  readonly saNeg: ReadonlyArray<string>
  readonly saLabels: ReadonlyArray<F.Literal>
}

const inexpressible = (l: F.Literal): Problem => {
  const a = l.atom
  const what =
    a._tag === 'entity'
      ? `the Cilium entity ${a.entity}`
      : a._tag === 'fqdn'
        ? `DNS name ${a.value}`
        : a._tag === 'service'
          ? `the backends of service ${F.show(a).replace(/^service /, '')}`
          : `"${F.show(F.literal(l))}"`
  return problem('fewer', 'unsupported-peer', `a Calico rule cannot match ${what}; the peer ${l.positive ? '' : 'negation '}is left out`)
}

const groupsOf = (lits: ReadonlyArray<F.Literal>): Result<Groups> => {
  let address: F.Literal | undefined
  let kinds: ReadonlyArray<F.EndpointKind> = F.endpointKinds
  let nsPos: ReadonlyArray<string> | undefined
  let nsNeg: ReadonlyArray<string> = []
  let saPos: ReadonlyArray<string> | undefined
  let saNeg: ReadonlyArray<string> = []
  const nsLabels: Array<F.Literal> = []
  const endpoint: Array<F.Literal> = []
  const saLabels: Array<F.Literal> = []
  for (const l of lits) {
    const a = l.atom
    switch (a._tag) {
      case 'ipIn':
        address = l
        break
      case 'kind':
        kinds = kinds.filter((k) => a.kinds.includes(k) === l.positive)
        break
      case 'namespace':
        if (l.positive) nsPos = nsPos === undefined ? a.names : nsPos.filter((n) => a.names.includes(n))
        else nsNeg = [...nsNeg, ...a.names]
        break
      case 'serviceAccount':
        if (l.positive) saPos = saPos === undefined ? a.names : saPos.filter((n) => a.names.includes(n))
        else saNeg = [...saNeg, ...a.names]
        break
      case 'label':
        if (a.owner === 'endpoint') endpoint.push(l)
        else if (a.owner === 'namespace') nsLabels.push(l)
        else if (a.owner === 'serviceAccount') saLabels.push(l)
        else return E.left(problem('fewer', 'unsupported-peer', `a Calico rule cannot test node labels ("${F.show(F.literal(l))}"); the peer is left out`))
        break
      default:
        return E.left(inexpressible(l))
    }
  }
  return E.right({ address, kinds, nsPos, nsNeg: [...new Set(nsNeg)].sort(), nsLabels, endpoint, saPos, saNeg: [...new Set(saNeg)].sort(), saLabels })
}

const endpointAtom = (a: F.Atom): Result<S.Selector> =>
  a._tag === 'label' ? labelSelector(a) : E.left(problem('unsupported', 'unsupported-peer', `unexpected ${F.show(a)}`))

/**
 * Peers that also match addresses no entity owns, with only negated tests: an unscoped
 * `notSelector` in a GNP (§2: `notSelector` alone matches any address but those of matching entities).
 */
const worldIdentity = (scope: Scope, g: Groups, lits: ReadonlyArray<F.Literal>): Result<ReadonlyArray<Entity>> => {
  if (scope.namespace !== undefined)
    return E.left(
      problem(
        'fewer',
        'unsupported-peer',
        `in a namespaced Calico policy every rule selector is confined to namespaces (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, "Entity rule"), so "${showLiterals(lits)}", which also matches addresses outside the cluster, cannot be written; left out`
      )
    )
  if (g.nsLabels.length > 0 || g.saLabels.length > 0)
    return E.left(problem('fewer', 'unsupported-peer', `"${showLiterals(lits)}" tests namespace or service-account labels of peers that may be outside the cluster; Calico cannot write that`))
  const parts: Array<S.Selector> = []
  for (const l of g.endpoint) {
    const s = endpointAtom(l.atom)
    if (E.isLeft(s)) return s
    parts.push(s.right)
  }
  if (g.nsNeg.length > 0) parts.push(valuesSelector(labelNamespace, g.nsNeg))
  if (g.saNeg.length > 0) parts.push(valuesSelector(labelServiceAccount, g.saNeg))
  const excluded = knownKinds.filter((k) => !g.kinds.includes(k))
  if (excluded.length === knownKinds.length) parts.push(all)
  else if (sameSet(excluded, ['pod'])) parts.push({ _tag: 'has', key: labelOrchestrator })
  else if (sameSet(excluded, ['host', 'networkSet'])) parts.push(notPod)
  else if (excluded.length > 0)
    return E.left(problem('fewer', 'unsupported-peer', `Calico labels cannot tell host endpoints from network sets ("${showLiterals(lits)}")`))
  return E.right([{ notSelector: S.print(sOr(parts)) }])
}

/** Peers within known entities: `selector`, `namespaceSelector`, `serviceAccounts`. */
const knownIdentity = (scope: Scope, g: Groups, lits: ReadonlyArray<F.Literal>): Result<ReadonlyArray<Entity>> => {
  const kinds = knownKinds.filter((k) => g.kinds.includes(k))
  if (kinds.length === 0) return E.right([])
  const selParts: Array<S.Selector> = []
  for (const l of g.endpoint) {
    const s = literalSelector(l, endpointAtom)
    if (E.isLeft(s)) return s
    selParts.push(s.right)
  }
  const saNames = g.saPos?.filter((n) => !g.saNeg.includes(n))
  if (saNames !== undefined && saNames.length === 0) return E.right([])
  if (saNames === undefined && g.saNeg.length > 0) selParts.push(sNot(valuesSelector(labelServiceAccount, g.saNeg)))
  const saParts: Array<S.Selector> = []
  for (const l of g.saLabels) {
    const s = literalSelector(l, (a) => (a._tag === 'label' ? labelSelector(a) : endpointAtom(a)))
    if (E.isLeft(s)) return s
    saParts.push(s.right)
  }
  const podsOnly = saNames !== undefined || g.saLabels.some((l) => l.positive)
  if (saParts.length > 0 && !podsOnly && !sameSet(kinds, ['pod']))
    return E.left(problem('fewer', 'unsupported-peer', `a negated service-account label test ("${showLiterals(lits)}") also holds on entities that are not pods; Calico's serviceAccounts match pods only`))
  const serviceAccounts =
    saNames === undefined && saParts.length === 0
      ? undefined
      : { ...(saNames === undefined ? {} : { names: saNames }), ...(saParts.length === 0 ? {} : { selector: S.print(sAnd(saParts)) }) }

  // non-namespaced entities only: `namespaceSelector: global()` (kind(host, networkSet) ∧ ¬namespaced)
  if (g.nsLabels.some((l) => !l.positive && isNamespaced(l.atom))) {
    if (g.nsPos !== undefined || g.nsLabels.some((l) => l.positive) || podsOnly) return E.right([])
    const rest = kinds.filter((k) => k !== 'pod') // pods are always namespaced
    if (rest.length === 0) return E.right([])
    if (rest.length !== 2)
      return E.left(problem('fewer', 'unsupported-peer', `Calico labels cannot tell host endpoints from network sets ("${showLiterals(lits)}")`))
    return E.right([{ ...(selParts.length === 0 ? {} : { selector: S.print(sAnd(selParts)) }), namespaceSelector: 'global()' }])
  }

  if (sameSet(kinds, ['pod'])) selParts.unshift(isPod)
  else if (sameSet(kinds, ['host', 'networkSet'])) selParts.unshift(notPod)
  else if (kinds.length !== knownKinds.length)
    return E.left(problem('fewer', 'unsupported-peer', `Calico labels cannot tell host endpoints from network sets ("${showLiterals(lits)}")`))

  const nsParts: Array<S.Selector> = []
  for (const l of g.nsLabels) {
    if (isNamespaced(l.atom)) {
      nsParts.push({ _tag: 'has', key: namespaceNameLabel })
      continue
    }
    const s = literalSelector(l, (a) => (a._tag === 'label' ? labelSelector(a) : endpointAtom(a)))
    if (E.isLeft(s)) return s
    nsParts.push(s.right)
  }
  if (g.nsPos !== undefined) nsParts.push(valuesSelector(labelName, g.nsPos))
  if (g.nsNeg.length > 0) nsParts.push(sNot(valuesSelector(labelName, g.nsNeg)))
  const own = scope.namespace
  const namespaceSelectors: ReadonlyArray<string | undefined> =
    own === undefined
      ? [nsParts.length === 0 ? undefined : printNamespaceSelector(nsParts)]
      : nsParts.length === 0
        ? // any namespace: every namespaced entity, and the non-namespaced ones when the kinds allow them
          kinds.some((k) => k !== 'pod') && !podsOnly
          ? ['all()', 'global()']
          : ['all()']
        : g.nsPos !== undefined && sameSet(g.nsPos, [own]) && g.nsNeg.length === 0 && g.nsLabels.length === 0
          ? [undefined] // the policy's own namespace is the default scope
          : [printNamespaceSelector(nsParts)]
  return E.right(
    namespaceSelectors.map((ns) => {
      // a selector makes the rule match known entities only (and scopes it); leave it out only
      // when the other fields already do both
      const selector =
        selParts.length > 0
          ? S.print(sAnd(selParts))
          : g.kinds.includes('world') && (ns !== undefined || serviceAccounts !== undefined)
            ? undefined
            : 'all()'
      return {
        ...(selector === undefined ? {} : { selector }),
        ...(ns === undefined ? {} : { namespaceSelector: ns }),
        ...(serviceAccounts === undefined ? {} : { serviceAccounts })
      }
    })
  )
}

/**
 * The address fields: one family per rule (Calico's validator, §1.5), at most 256 nets each, with
 * `nets` always written: a rule whose nets or notNets are all of one family applies to that family
 * only (§2, `FilterRuleToIPVersion`), so "every address but X" is one rule per family, the whole
 * family less X (`nets: [0.0.0.0/0]`, `notNets: X`, as Calico's converter writes an ipBlock, §5.1).
 */
const addressVariants = (l: F.Literal | undefined): Result<ReadonlyArray<Entity>> => {
  if (l === undefined || l.atom._tag !== 'ipIn') return E.right([{}])
  const cidrs = l.atom.cidrs
  const positive = l.positive ? cidrs : C.complement(cidrs)
  const out: Array<Entity> = []
  for (const family of [C.allV4, C.allV6]) {
    const blocks = C.toBlocks(C.intersect(positive, family))
    let nets: Array<string> = []
    let notNets: Array<string> = []
    const flush = () => {
      if (nets.length > 0) out.push(notNets.length === 0 ? { nets } : { nets, notNets })
      nets = []
      notNets = []
    }
    for (const b of blocks) {
      if (b.except.length > maxNets) return E.left(problem('fewer', 'too-many-nets', `${b.cidr} has ${b.except.length} exceptions; Calico allows ${maxNets} in notNets`))
      if (nets.length + 1 > maxNets || notNets.length + b.except.length > maxNets) flush()
      nets.push(b.cidr)
      notNets.push(...b.except)
    }
    flush()
  }
  return E.right(out)
}

/**
 * The EntityRules that together match exactly the peers of one DNF conjunction (an empty list
 * when no peer satisfies it), or why it cannot be written.
 */
const conjunctionEntities = (scope: Scope, lits: ReadonlyArray<F.Literal>): Result<ReadonlyArray<Entity>> => {
  const [only] = lits
  if (lits.length === 1 && only !== undefined && only.positive && only.atom._tag === 'service') {
    // `services` stands alone in its EntityRule (§1.5): a service by name, in a given namespace
    const s = only.atom
    const namespace = s.namespace ?? scope.namespace
    if (s.name !== undefined && s.selector === undefined && s.namespace !== undefined && namespace !== undefined) return E.right([{ services: { name: s.name, namespace } }])
  }
  const groups = groupsOf(lits)
  if (E.isLeft(groups)) return groups
  const g = groups.right
  const addresses = addressVariants(g.address)
  if (E.isLeft(addresses)) return addresses
  const identityFree =
    g.endpoint.length === 0 &&
    g.nsPos === undefined &&
    g.nsNeg.length === 0 &&
    g.nsLabels.length === 0 &&
    g.saPos === undefined &&
    g.saNeg.length === 0 &&
    g.saLabels.length === 0 &&
    g.kinds.length === F.endpointKinds.length
  const positive =
    g.endpoint.some((l) => l.positive) || g.nsPos !== undefined || g.nsLabels.some((l) => l.positive) || g.saPos !== undefined || g.saLabels.some((l) => l.positive)
  const identities: Result<ReadonlyArray<Entity>> = identityFree
    ? E.right([{}])
    : g.kinds.includes('world') && !positive
      ? worldIdentity(scope, g, lits)
      : knownIdentity(scope, g, lits)
  if (E.isLeft(identities)) return identities
  return E.right(identities.right.flatMap((i) => addresses.right.map((a) => ({ ...i, ...a }))))
}

const kindsOf = (c: ReadonlyArray<F.Literal>): ReadonlyArray<F.EndpointKind> =>
  c.reduce<ReadonlyArray<F.EndpointKind>>((ks, l) => (l.atom._tag === 'kind' ? ks.filter((k) => (l.atom as F.Kind).kinds.includes(k) === l.positive) : ks), F.endpointKinds)

/** Holds on every address outside the cluster: admits world, and tests only what such an address lacks. */
const holdsOnWorld = (c: ReadonlyArray<F.Literal>): boolean =>
  kindsOf(c).includes('world') && c.every((l) => l.atom._tag === 'kind' || (!l.positive && (l.atom._tag === 'label' || l.atom._tag === 'namespace' || l.atom._tag === 'serviceAccount')))

/**
 * Drops conjunctions that only admit outside addresses (`¬known`, from a `notSelector`'s
 * negation) when another conjunction holds on every outside address: `¬(known ∧ X)` has the DNF
 * `¬known ∨ ¬X`, whose first part `¬X` already covers when X never holds outside the cluster.
 */
const withoutRedundantWorld = (conjs: ReadonlyArray<ReadonlyArray<F.Literal>>): ReadonlyArray<ReadonlyArray<F.Literal>> => {
  const worldOnly = (c: ReadonlyArray<F.Literal>): boolean => kindsOf(c).every((k) => k === 'world') && c.every((l) => l.atom._tag !== 'ipIn')
  return conjs.filter((c) => !worldOnly(c) || !conjs.some((d) => d !== c && holdsOnWorld(d)))
}

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

/** One protocol's part of a rule: Calico rules have a single protocol (§1.5). */
interface PortClause {
  readonly protocol?: number
  readonly notProtocol?: number
  readonly icmp?: { readonly type: number; readonly code?: number }
  readonly notICMP?: { readonly type: number; readonly code?: number }
  readonly ports?: ReadonlyArray<number | string>
}

const protocolNames: ReadonlyArray<readonly [number, string]> = [
  [P.TCP, 'TCP'],
  [P.UDP, 'UDP'],
  [P.ICMP, 'ICMP'],
  [P.ICMPV6, 'ICMPv6'],
  [P.SCTP, 'SCTP'],
  [P.UDPLITE, 'UDPLite']
]

/** Calico's protocol field: a name for the named protocols, else the number (1–255). */
const protocolText = (p: number): number | string => protocolNames.find(([n]) => n === p)?.[1] ?? p

const supportsPorts = (p: number): boolean => p === P.TCP || p === P.UDP || p === P.SCTP
const isIcmp = (p: number): boolean => p === P.ICMP || p === P.ICMPV6

const chunks = <A>(xs: ReadonlyArray<A>, n: number): ReadonlyArray<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n))

/** ICMP `type*256+code` ranges as Calico `icmp` matches (types 0–254). */
const icmpItems = (ranges: ReadonlyArray<readonly [number, number]>): ReadonlyArray<{ readonly type: number; readonly code?: number }> => {
  const out: Array<{ readonly type: number; readonly code?: number }> = []
  for (const [lo, hi] of ranges) {
    let v = lo
    while (v <= hi) {
      const type = v >> 8
      if ((v & 255) === 0 && v + 255 <= hi) {
        out.push({ type })
        v += 256
      } else {
        out.push({ type, code: v & 255 })
        v++
      }
    }
  }
  return out
}

interface Clauses {
  readonly clauses: ReadonlyArray<PortClause>
  readonly problems: ReadonlyArray<Problem>
}

const clausesOnly = (clauses: ReadonlyArray<PortClause>, ...problems: ReadonlyArray<Problem>): Clauses => ({ clauses, problems })

/** The clauses of one protocol: what Calico can write, and a problem for the rest. */
const protocolClauses = (p: number, ranges: ReadonlyArray<readonly [number, number]>, names: ReadonlyArray<string>, whole: boolean): Clauses => {
  if (p < 1 || p > 255) return clausesOnly([], problem('fewer', 'unsupported-protocol', `IP protocol ${p} cannot be written in a Calico rule (protocols are 1-255)`))
  if (whole) return clausesOnly([{ protocol: p }])
  if (supportsPorts(p)) {
    const ports: ReadonlyArray<number | string> = [...names, ...ranges.map(([lo, hi]) => (lo === hi ? lo : `${lo}:${hi}`))]
    return clausesOnly(chunks(ports, maxPorts).map((ps) => ({ protocol: p, ports: ps })))
  }
  const namesLost =
    names.length > 0 ? [problem('fewer', 'unsupported-ports', `named ports on ${P.protocolName(p)} cannot be written: Calico allows ports only with TCP, UDP and SCTP`)] : []
  if (isIcmp(p)) {
    const missing = icmpItems(complementOf(ranges, P.universeOf(p)))
    const [gap] = missing
    if (missing.length === 1 && gap !== undefined && gap.type <= 254) return clausesOnly([{ protocol: p, notICMP: gap }], ...namesLost)
    const items = icmpItems(ranges)
    const lost = items.some((i) => i.type > 254) ? [problem('fewer', 'unsupported-icmp', `ICMP type 255 cannot be written: Calico accepts types 0-254`)] : []
    return clausesOnly(
      items.filter((i) => i.type <= 254).map((icmp) => ({ protocol: p, icmp })),
      ...namesLost,
      ...lost
    )
  }
  return clausesOnly([], ...namesLost, ...(ranges.length > 0 ? [problem('fewer', 'unsupported-ports', `ports of ${P.protocolName(p)} cannot be written: Calico allows ports only with TCP, UDP and SCTP`)] : []))
}

/** The complement of sorted disjoint ranges within `[lo, hi]`. */
const complementOf = (ranges: ReadonlyArray<readonly [number, number]>, [lo, hi]: readonly [number, number]): ReadonlyArray<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  let next = lo
  for (const [a, b] of ranges) {
    if (a > next) out.push([next, a - 1])
    next = Math.max(next, b + 1)
  }
  if (next <= hi) out.push([next, hi])
  return out
}

const clauseKey = (c: PortClause): string => (c.protocol === undefined ? '' : String(protocolText(c.protocol)))

/**
 * A port set as Calico rule parts whose union is the set: protocols sorted by name as Calico's
 * converter does (§5.1), named ports first within a protocol, numeric ports as `n` or `"lo:hi"`.
 */
const portClauses = (ps: P.PortSet): { readonly clauses: ReadonlyArray<PortClause>; readonly problems: ReadonlyArray<Problem> } => {
  if (P.isAll(ps)) return { clauses: [{}], problems: [] }
  const problems: Array<Problem> = []
  const clauses: Array<PortClause> = []
  const push = (r: Clauses) => {
    clauses.push(...r.clauses)
    problems.push(...r.problems)
  }
  if (ps.rest) {
    const [only, ...more] = ps.listed
    if (only === undefined || more.length > 0 || only.protocol < 1) {
      problems.push(
        problem('fewer', 'unsupported-protocol', `"${P.show(ps)}": a Calico rule can exclude one protocol (notProtocol), not several; only the listed protocols are written`)
      )
      for (const e of ps.listed) push(protocolClauses(e.protocol, e.ports, ps.named.map((n) => n.name), false))
    } else {
      clauses.push({ notProtocol: only.protocol })
      // a name without protocol stands for the protocols not wholly in the set: here, `only`
      const names = ps.named.map((n) => n.name)
      if (only.ports.length > 0 || names.length > 0) push(protocolClauses(only.protocol, only.ports, names, false))
    }
  } else {
    const anyNames = ps.named.filter((n) => n.protocol === undefined).map((n) => n.name)
    if (anyNames.length > 0) clauses.push(...chunks(anyNames, maxPorts).map((ports) => ({ ports })))
    const protocols = [...new Set([...ps.listed.map((e) => e.protocol), ...ps.named.flatMap((n) => (n.protocol === undefined ? [] : [n.protocol]))])].sort((a, b) => a - b)
    for (const p of protocols) {
      const names = ps.named.filter((n) => n.protocol === p).map((n) => n.name)
      push(protocolClauses(p, P.rangesOf(ps, p), names, P.isWholeProtocol(ps, p)))
    }
  }
  const named = ps.named.map((n) => n.name).filter((n) => ianaServiceNameProblem(n) !== undefined)
  if (named.length > 0) problems.push(problem('unsupported', 'invalid-port-name', `port names ${named.join(', ')} are not valid IANA service names, which Calico requires`))
  return { clauses: clauses.map((c, i) => ({ c, i })).sort((a, b) => (clauseKey(a.c) < clauseKey(b.c) ? -1 : clauseKey(a.c) > clauseKey(b.c) ? 1 : a.i - b.i)).map((x) => x.c), problems }
}

// -------------------------------------------------------------------------------------
// L7
// -------------------------------------------------------------------------------------

type Http = { readonly methods?: ReadonlyArray<string>; readonly paths?: ReadonlyArray<{ readonly exact: string } | { readonly prefix: string }> }

const httpOf = (h: HttpRule): Http | undefined => {
  if (h.methodRegex !== undefined || h.host !== undefined || h.headers.length > 0 || h.paths.some((p) => p._tag === 'regex')) return undefined
  return {
    ...(h.methods.length === 0 ? {} : { methods: h.methods }),
    ...(h.paths.length === 0 ? {} : { paths: h.paths.map((p) => (p._tag === 'exact' ? { exact: p.value } : { prefix: p.value })) })
  }
}

/** The `http` matches of an IR rule (undefined: no L7 constraint), with what cannot be kept. */
const httpVariants = (l7: L7 | undefined, action: Action, d: Direction): { readonly http: ReadonlyArray<Http> | undefined; readonly problem: Problem | undefined } => {
  if (l7 === undefined) return { http: undefined, problem: undefined }
  const dropped = (why: string) => ({ http: undefined, problem: problem('more', 'l7-dropped', `${why}; the rule is written at L4 and matches every request on its ports`) })
  if (l7._tag !== 'http') return dropped(`Calico has no ${l7._tag} rules`)
  if (action !== 'allow') return dropped('Calico allows HTTP matches on Allow rules only')
  if (d !== 'ingress') return dropped('Calico allows HTTP matches in ingress rules only')
  const hs = l7.rules.map(httpOf)
  if (hs.some((h) => h === undefined)) return dropped('Calico HTTP matches have exact methods and exact or prefix paths only (no regular expressions, hosts or headers)')
  const http = hs.flatMap((h) => (h === undefined ? [] : [h]))
  // a match without methods and paths takes every request
  return http.some((h) => h.methods === undefined && h.paths === undefined) ? { http: undefined, problem: undefined } : { http, problem: undefined }
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

const actionNames: Readonly<Record<Action, string>> = { allow: 'Allow', deny: 'Deny', pass: 'Pass', log: 'Log' }

/** Fresh arrays and maps everywhere: the YAML writer would turn shared ones into anchors and aliases. */
const entityObject = (e: Entity, ports: ReadonlyArray<number | string> | undefined): Record<string, unknown> => ({
  ...(e.selector === undefined ? {} : { selector: e.selector }),
  ...(e.notSelector === undefined ? {} : { notSelector: e.notSelector }),
  ...(e.namespaceSelector === undefined ? {} : { namespaceSelector: e.namespaceSelector }),
  ...(e.serviceAccounts === undefined
    ? {}
    : {
        serviceAccounts: {
          ...(e.serviceAccounts.names === undefined ? {} : { names: [...e.serviceAccounts.names] }),
          ...(e.serviceAccounts.selector === undefined ? {} : { selector: e.serviceAccounts.selector })
        }
      }),
  ...(e.nets === undefined ? {} : { nets: [...e.nets] }),
  ...(e.notNets === undefined ? {} : { notNets: [...e.notNets] }),
  ...(e.services === undefined ? {} : { services: { ...e.services } }),
  ...(ports === undefined ? {} : { ports: [...ports] })
})

const httpObject = (h: Http): Record<string, unknown> => ({
  ...(h.methods === undefined ? {} : { methods: [...h.methods] }),
  ...(h.paths === undefined ? {} : { paths: h.paths.map((p) => ({ ...p })) })
})

const nonEmptyObject = (o: Record<string, unknown>): boolean => Object.keys(o).length > 0

/** The address families of an entity's nets and notNets (an entry is IPv6 when it has a colon, as Felix tests). */
const netFamilies = (e: Entity): ReadonlyArray<4 | 6> => [...(e.nets ?? []), ...(e.notNets ?? [])].map((n) => (n.includes(':') ? 6 : 4))

/**
 * The destination ports of a rule restricted by source ports, on the protocols its source ports
 * admit any port of: a flow of another protocol has no source port the rule accepts.
 */
const onSourcePortProtocols = (ports: P.PortSet, sourcePorts: P.PortSet): P.PortSet =>
  E.getOrElse(() => ports)(P.intersect(ports, P.wholeProtocolsOf(sourcePorts)))

/**
 * The `source.ports` lists of one clause (Calico ORs the entries; at most 50 per rule, so longer
 * lists become several rules): `[undefined]` when the rule admits every source port of the
 * clause's protocol, `[]` when it admits none. Named source ports first, then numbers and ranges.
 */
const sourcePortLists = (sourcePorts: P.PortSet | undefined, protocol: number | undefined): ReadonlyArray<ReadonlyArray<number | string> | undefined> => {
  if (sourcePorts === undefined) return [undefined]
  const anyNames = sourcePorts.named.filter((n) => n.protocol === undefined).map((n) => n.name)
  if (protocol === undefined) return anyNames.length > 0 ? chunks(anyNames, maxPorts) : P.isAll(sourcePorts) ? [undefined] : []
  if (P.isWholeProtocol(sourcePorts, protocol)) return [undefined]
  const names = [...anyNames, ...sourcePorts.named.filter((n) => n.protocol === protocol).map((n) => n.name)]
  const items: ReadonlyArray<number | string> = [...names, ...P.rangesOf(sourcePorts, protocol).map(([lo, hi]) => (lo === hi ? lo : `${lo}:${hi}`))]
  return items.length === 0 ? [] : chunks(items, maxPorts)
}

/**
 * One IR rule as consecutive Calico rules of its action (protocols outer, peers inner, as Calico's
 * converter). `fromCalico`: the policy was read from Calico, so a `service` peer already means
 * what Calico's `services` matches.
 */
const calicoRules = (r: Rule, d: Direction, scope: Scope, fromCalico: boolean): { readonly rules: ReadonlyArray<KubeObject>; readonly problems: ReadonlyArray<Problem> } => {
  const problems: Array<Problem> = []
  const { clauses, problems: portProblems } = portClauses(r.sourcePorts === undefined ? r.ports : onSourcePortProtocols(r.ports, r.sourcePorts))
  problems.push(...portProblems)
  const entities: Array<Entity> = []
  for (const conj of withoutRedundantWorld(F.dnf(r.peer))) {
    const es = conjunctionEntities(scope, conj)
    if (E.isLeft(es)) problems.push(es.left)
    else entities.push(...es.right)
  }
  // the local-endpoint constraint (Rule.local) goes on the other side: an ingress rule's
  // destination, an egress rule's source (parse.ts `localOf`); one rule per local entity
  const locals: Array<Entity> = []
  for (const conj of r.local === undefined ? [[]] : withoutRedundantWorld(F.dnf(r.local))) {
    const es = conjunctionEntities(scope, conj)
    if (E.isLeft(es)) problems.push(es.left)
    else locals.push(...es.right)
  }
  const { http, problem: l7Problem } = httpVariants(r.l7, r.action, d)
  if (l7Problem !== undefined) problems.push(l7Problem)
  let httpOnOtherProtocol = false
  let servicePorts = false
  let serviceWritten = false
  const out: Array<KubeObject> = []
  const seen = new Set<string>()
  // a packet's addresses are of one family: a peer and a local side whose nets are of different
  // families match nothing together (and Calico rejects the mix)
  const pairs = entities.flatMap((e) => locals.map((le) => [e, le] as const)).filter(([e, le]) => netFamilies(le).length === 0 || new Set([...netFamilies(e), ...netFamilies(le)]).size <= 1)
  for (const c of clauses) {
    const lists = sourcePortLists(r.sourcePorts, c.protocol)
    if (lists.length === 0 && c.protocol === undefined && r.sourcePorts !== undefined)
      // Calico allows source ports only beside a protocol with ports (libcalico-go validateRule)
      problems.push(problem('fewer', 'unsupported-source-ports', `source ports ${P.show(r.sourcePorts)} on every protocol cannot be written: Calico matches source ports only with protocol TCP, UDP or SCTP; left out`))
    for (const sourcePorts of lists)
    for (const [e, le] of pairs) {
      const httpFits = c.protocol === undefined || c.protocol === P.TCP
      if (http !== undefined && !httpFits) httpOnOtherProtocol = true
      for (const h of http !== undefined && httpFits ? http : [undefined]) {
        const rule: Record<string, unknown> = { action: actionNames[r.action] }
        if (c.protocol !== undefined) rule.protocol = protocolText(c.protocol)
        if (c.notProtocol !== undefined) rule.notProtocol = protocolText(c.notProtocol)
        if (c.icmp !== undefined) rule.icmp = { ...c.icmp }
        if (c.notICMP !== undefined) rule.notICMP = { ...c.notICMP }
        if (d === 'egress' && e.services !== undefined && c.ports !== undefined) {
          // Calico rejects ports beside services in a destination (§1.5)
          servicePorts = true
          continue
        }
        if (d === 'egress' && e.services !== undefined) serviceWritten = true
        if (d === 'ingress') {
          const source = entityObject(e, sourcePorts)
          if (nonEmptyObject(source)) rule.source = source
          const destination = entityObject(le, c.ports)
          if (nonEmptyObject(destination)) rule.destination = destination
        } else {
          const source = entityObject(le, sourcePorts)
          if (nonEmptyObject(source)) rule.source = source
          const destination = entityObject(e, c.ports)
          if (nonEmptyObject(destination)) rule.destination = destination
        }
        if (h !== undefined) rule.http = httpObject(h)
        const k = JSON.stringify(rule)
        if (seen.has(k)) continue
        seen.add(k)
        out.push(rule)
      }
    }
  }
  if (serviceWritten && !fromCalico)
    problems.push(
      problem(
        'fewer',
        'service-ports',
        "Calico's services in an egress rule match only the ports of the Service's endpoints (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, 'Entity rule'), where the source rule matches its backends on every port it lists; other ports are left out"
      )
    )
  if (servicePorts)
    problems.push(problem('fewer', 'unsupported-peer', 'Calico cannot limit the ports of an egress rule to a service (a destination with services has no ports); those ports are left out'))
  if (httpOnOtherProtocol) problems.push(problem('more', 'l7-dropped', 'Calico HTTP matches need protocol TCP; on the other protocols the rule is written at L4'))
  return { rules: out, problems }
}

// -------------------------------------------------------------------------------------
// subjects
// -------------------------------------------------------------------------------------

interface SubjectFields {
  readonly selector: string
  readonly namespaceSelector?: string
  readonly serviceAccountSelector?: string
}

type AtomClass = 'endpoint' | 'namespace' | 'serviceAccount' | 'other'

const atomClass = (a: F.Atom): AtomClass =>
  a._tag === 'label' ? (a.owner === 'node' ? 'other' : a.owner) : a._tag === 'namespace' || a._tag === 'serviceAccount' || a._tag === 'kind' ? 'endpoint' : 'other'

const classesOf = (f: F.Formula): ReadonlySet<AtomClass> => new Set([...F.atoms(f).values()].map(atomClass))

interface SubjectCtx {
  readonly namespace: string | undefined
  /** What the policy kind can select: pods for a NetworkPolicy, pods and host endpoints for a GNP (parse.ts). */
  readonly base: ReadonlyArray<F.EndpointKind>
  readonly where: string
}

const subjectAtom = (ctx: SubjectCtx) => (a: F.Atom): Result<S.Selector> => {
  switch (a._tag) {
    case 'label':
      return a.owner === 'endpoint' ? labelSelector(a) : E.left(problem('unsupported', 'unsupported-subject', `${ctx.where}: unexpected ${F.show(a)}`))
    case 'namespace':
      return E.right(ctx.namespace === undefined ? valuesSelector(labelNamespace, a.names) : a.names.includes(ctx.namespace) ? all : none)
    case 'serviceAccount':
      return E.right(valuesSelector(labelServiceAccount, a.names))
    case 'kind': {
      const ks = ctx.base.filter((k) => a.kinds.includes(k))
      if (ks.length === ctx.base.length) return E.right(all)
      if (ks.length === 0) return E.right(none)
      if (sameSet(ks, ['pod'])) return E.right(isPod)
      if (sameSet(ks, ['host'])) return E.right(notPod)
      return E.left(problem('unsupported', 'unsupported-subject', `${ctx.where}: cannot select ${F.show(a)}`))
    }
    default:
      return E.left(problem('unsupported', 'unsupported-subject', `${ctx.where}: a Calico policy cannot select its endpoints by ${F.show(a)}`))
  }
}

const namespaceAtom = (a: F.Atom): Result<S.Selector> =>
  isNamespaced(a) ? E.right({ _tag: 'has', key: namespaceNameLabel }) : a._tag === 'label' ? labelSelector(a) : E.left(problem('unsupported', 'unsupported-subject', `unexpected ${F.show(a)}`))

const serviceAccountAtom = (a: F.Atom): Result<S.Selector> => (a._tag === 'label' ? labelSelector(a) : E.left(problem('unsupported', 'unsupported-subject', `unexpected ${F.show(a)}`)))

/**
 * One subject's fields from its endpoint, namespace and service-account parts, and a note when a
 * GNP namespaceSelector leaves out host endpoints the subject covers (§1.2: with a
 * namespaceSelector, `all()` in the combined selector becomes "namespaced").
 */
const fieldsOf = (
  ctx: SubjectCtx,
  ep: ReadonlyArray<F.Formula>,
  ns: ReadonlyArray<F.Formula>,
  sa: ReadonlyArray<F.Formula>,
  prefix: boolean
): Result<{ readonly fields: SubjectFields; readonly note: Problem | undefined }> => {
  const sel = selectorOf(F.and(...ep), subjectAtom(ctx))
  if (E.isLeft(sel)) return sel
  const nsSel = ns.length === 0 ? undefined : selectorOf(F.and(...ns), namespaceAtom)
  if (nsSel !== undefined && E.isLeft(nsSel)) return nsSel
  const saSel = sa.length === 0 ? undefined : selectorOf(F.and(...sa), serviceAccountAtom)
  if (saSel !== undefined && E.isLeft(saSel)) return saSel
  const selector = prefix ? sAnd([isPod, sel.right]) : sel.right
  // a GNP selector all() (pods and host endpoints) becomes "namespaced" beside a namespaceSelector
  const namespacedOnly = (): boolean => F.dnf(F.and(...ns)).every((c) => c.some((l) => l.positive && l.atom._tag === 'label' && l.atom.owner === 'namespace'))
  const note =
    nsSel !== undefined && ctx.namespace === undefined && selector._tag === 'all' && !namespacedOnly()
      ? problem(
          'exact-for-inventory',
          'namespaced-subject',
          `${ctx.where}: with a namespaceSelector, all() in a GlobalNetworkPolicy's selector selects namespaced endpoints only (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy), so the host endpoints its subject covers are left out (netpolx inventories have none)`
        )
      : undefined
  return E.right({
    fields: {
      selector: S.print(selector),
      ...(nsSel === undefined ? {} : { namespaceSelector: printNamespaceSelector([nsSel.right]) }),
      ...(saSel === undefined ? {} : { serviceAccountSelector: S.print(saSel.right) })
    },
    note
  })
}

/** A NetworkPolicy's subject with its namespace tests decided on its own namespace (it has no namespaceSelector). */
const decideNamespace = (ctx: SubjectCtx, subject: F.Formula, inventory: EmitOptions['inventory']): Result<{ readonly subject: F.Formula; readonly note: Problem | undefined }> => {
  const own = ctx.namespace
  if (own === undefined || !classesOf(subject).has('namespace')) return E.right({ subject, note: undefined })
  const labels = inventory?.namespaces.find((n) => n.name === own)?.labels
  let unknown = false
  const decided = F.mapAtoms(subject, (a) => {
    if (a._tag !== 'label' || a.owner !== 'namespace') return a
    if (labels === undefined && a.key !== namespaceNameLabel) {
      unknown = true
      return a
    }
    return F.testLabel(labels ?? { [namespaceNameLabel]: own }, a.key, a.test) ? F.tt : F.ff
  })
  if (unknown)
    return E.left(
      problem('unsupported', 'unsupported-subject', `${ctx.where}: a NetworkPolicy cannot test the labels of its namespace (give --cluster to decide them on namespace ${own})`)
    )
  return E.right({
    subject: decided,
    note:
      labels === undefined
        ? undefined
        : problem('exact-for-inventory', 'namespace-labels-decided', `${ctx.where}: the subject's namespace label tests are decided on the labels of namespace ${own} in the inventory`)
  })
}

/**
 * The subject as policy fields: one set when it factors into endpoint, namespace and
 * service-account parts, else one per DNF conjunction (the same rules under several subjects
 * select the union of them).
 */
const subjectFields = (p: Policy, subject: F.Formula, inventory: EmitOptions['inventory']): { readonly fields: ReadonlyArray<SubjectFields>; readonly problems: ReadonlyArray<Problem> } => {
  const own = p.scope._tag === 'namespace' ? p.scope.namespace : undefined
  const ctx: SubjectCtx = { namespace: own, base: own === undefined ? ['host', 'pod'] : ['pod'], where: `${p.origin.kind} ${qualifiedName(p.origin)}` }
  const decided = decideNamespace(ctx, subject, inventory)
  if (E.isLeft(decided)) return { fields: [], problems: [decided.left] }
  const f = decided.right.subject
  const problems: Array<Problem> = decided.right.note === undefined ? [] : [decided.right.note]
  const other = [...F.atoms(f).values()].find((a) => atomClass(a) === 'other')
  if (other !== undefined)
    return { fields: [], problems: [...problems, problem('unsupported', 'unsupported-subject', `${ctx.where}: a Calico policy cannot select its endpoints by ${F.show(other)}`)] }
  // Calico's converter writes the orchestrator term on every Kubernetes pod selector (§5.1)
  const topLevel = f._tag === 'and' ? f.args : [f]
  const prefix = own !== undefined && p.origin.dialect !== 'calico' && topLevel.some((a) => a._tag === 'kind' && sameSet(a.kinds, ['pod']))
  const group = (parts: ReadonlyArray<F.Formula>) => {
    const of = (c: AtomClass) => parts.filter((x) => (classesOf(x).size === 0 ? c === 'endpoint' : classesOf(x).has(c)))
    return fieldsOf(ctx, of('endpoint'), of('namespace'), of('serviceAccount'), prefix)
  }
  const results =
    [...classesOf(f)].every((c) => c === 'endpoint') ? [fieldsOf(ctx, [f], [], [], prefix)] : topLevel.every((x) => classesOf(x).size <= 1) ? [group(topLevel)] : F.dnf(f).map((c) => group(c.map(F.literal)))
  const fields: Array<SubjectFields> = []
  for (const r of results) {
    if (E.isLeft(r)) problems.push(r.left)
    else {
      if (r.right.note !== undefined) problems.push(r.right.note)
      if (r.right.fields.selector !== '!all()') fields.push(r.right.fields)
    }
  }
  return { fields, problems }
}

// -------------------------------------------------------------------------------------
// layout of unordered policies
// -------------------------------------------------------------------------------------

/** One Calico policy (before subject splitting) and where it goes. */
interface Part {
  readonly policy: Policy
  /** Position of the source policy in the set, and of this part among its parts (for output order). */
  readonly index: number
  readonly rank: number
  readonly suffix: string
  readonly subject: F.Formula
  readonly ingress: DirectionRules | undefined
  readonly egress: DirectionRules | undefined
  readonly tier: string
  readonly order: number | undefined
}

/** A direction's rules of anything with `ingress` and `egress`. */
const rulesIn = (x: { readonly ingress: DirectionRules | undefined; readonly egress: DirectionRules | undefined }, d: Direction): DirectionRules | undefined =>
  d === 'ingress' ? x.ingress : x.egress

const allowAll = (location: Rule['location']): Rule => ({ action: 'allow', peer: F.tt, ports: P.all, l7: undefined, location })

const hasDeny = (dr: DirectionRules | undefined): boolean => dr !== undefined && dr.rules.some((r) => r.action === 'deny')

const overlaps = (p: Policy, q: Policy): boolean => p.scope._tag === 'cluster' || q.scope._tag === 'cluster' || p.scope.namespace === q.scope.namespace

type Draft = Omit<Part, 'order' | 'tier'>

const withDirections = (p: Policy, f: (d: Direction, dr: DirectionRules) => DirectionRules | undefined): { readonly ingress: DirectionRules | undefined; readonly egress: DirectionRules | undefined } => ({
  ingress: p.ingress === undefined ? undefined : f('ingress', p.ingress),
  egress: p.egress === undefined ? undefined : f('egress', p.egress)
})

/**
 * Unordered policies as parts in evaluation order. Allow-only, default-deny sets: one part per
 * policy. Otherwise (deny rules override allows, a direction without default deny leaves its
 * endpoints open unless another policy isolates them: research/cilium.md §4, dialects/cilium/ir-mapping.md)
 * a policy sharing no endpoints with another keeps one part — denies, allows, and a final
 * allow-all for a direction without default deny — and the others are split into a deny part
 * (all of them first), an allow part, and an open part per direction without default deny whose
 * subject leaves out every endpoint a default-deny policy isolates (all of them last).
 */
const layoutUnordered = (
  ps: ReadonlyArray<{ readonly p: Policy; readonly index: number }>,
  report: (p: Policy, pr: Problem) => void
): { readonly drafts: ReadonlyArray<Draft>; readonly layout: boolean } => {
  const whole = (p: Policy, index: number): Draft => ({ policy: p, index, rank: 1, suffix: '', subject: p.subject, ingress: p.ingress, egress: p.egress })
  for (const { p } of ps)
    for (const d of directions)
      if (rulesOf(p, d)?.rules.some((r) => r.action === 'pass'))
        report(p, problem('unsupported', 'pass-unordered', `a pass rule has no meaning in an unordered policy; it is written as is`))
  const needsLayout = ps.some(({ p }) => directions.some((d) => {
    const dr = rulesOf(p, d)
    return dr !== undefined && (!dr.defaultDeny || hasDeny(dr))
  }))
  if (!needsLayout) return { drafts: ps.map(({ p, index }) => whole(p, index)), layout: false }
  const drafts: Array<Draft> = []
  for (const { p, index } of ps) {
    const standalone = ps.every(({ p: q }) => q === p || !overlaps(p, q) || !directions.some((d) => rulesOf(p, d) !== undefined && rulesOf(q, d) !== undefined))
    const denies = (dr: DirectionRules) => dr.rules.filter((r) => r.action === 'deny')
    const others = (dr: DirectionRules) => dr.rules.filter((r) => r.action !== 'deny')
    if (standalone) {
      const dirs = withDirections(p, (d, dr) => {
        if (dr.defaultDeny) return { defaultDeny: true, rules: [...denies(dr), ...others(dr)] }
        if (!hasDeny(dr)) {
          if (dr.rules.length > 0)
            report(p, problem('exact', 'no-default-deny', `${d} rules that do not make their subjects default-deny allow nothing extra; ${d} is left ungoverned`))
          return undefined
        }
        return { defaultDeny: true, rules: [...denies(dr), ...others(dr), allowAll(p.origin.location)] }
      })
      drafts.push({ policy: p, index, rank: 1, suffix: '', subject: p.subject, ...dirs })
      continue
    }
    const deny = withDirections(p, (_, dr) => (hasDeny(dr) ? { defaultDeny: true, rules: denies(dr) } : undefined))
    if (deny.ingress !== undefined || deny.egress !== undefined) drafts.push({ policy: p, index, rank: 0, suffix: '-deny', subject: p.subject, ...deny })
    const allow = withDirections(p, (_, dr) => (others(dr).length > 0 || (dr.defaultDeny && !hasDeny(dr)) ? { defaultDeny: true, rules: others(dr) } : undefined))
    if (allow.ingress !== undefined || allow.egress !== undefined) drafts.push({ policy: p, index, rank: 1, suffix: '', subject: p.subject, ...allow })
    for (const d of directions) {
      const dr = rulesOf(p, d)
      if (dr === undefined || dr.defaultDeny || (rulesIn(deny, d) === undefined && rulesIn(allow, d) === undefined)) continue
      const isolating = ps
        .filter(({ p: q }) => q !== p && overlaps(p, q) && rulesOf(q, d)?.defaultDeny === true)
        .map(({ p: q }) => (p.scope._tag === 'cluster' && q.scope._tag === 'namespace' ? F.and(F.inNamespace([q.scope.namespace]), q.subject) : q.subject))
      const open: DirectionRules = { defaultDeny: true, rules: [allowAll(p.origin.location)] }
      drafts.push({
        policy: p,
        index,
        rank: 2,
        suffix: '-default-allow',
        subject: F.and(p.subject, F.not(F.or(...isolating))),
        ingress: d === 'ingress' ? open : undefined,
        egress: d === 'egress' ? open : undefined
      })
    }
  }
  return { drafts, layout: true }
}

/** Section order for evaluation: every deny part, then allow parts, then open parts. */
const sectionOrder = (a: Draft, b: Draft): number => a.rank - b.rank || a.index - b.index

/**
 * Orders for unordered parts. Calico places every Kubernetes NetworkPolicy in tier `default` at
 * order 1000 (projectcalico/calico libcalico-go/lib/backend/k8s/conversion/conversion.go,
 * `K8sNetworkPolicyToCalico`) and Felix breaks ties by name (felix/calc/policy_sorter.go,
 * `PolKVLess`); netpolx does the same: without the deny-first layout every unordered part sits at
 * 1000, whatever the input order, and a tie among them cannot change a verdict (their rules are
 * allows: first match over them is their union). So the result interleaves with the user's own
 * default-tier Calico policies exactly as the Kubernetes policies did under Calico: those below
 * 1000 before, those above after, those at exactly 1000 by name (reported `order-tie`, since
 * Calico's tie-break differs across versions). The deny-first layout needs its sections in order:
 * every deny part at 1000, the allow parts, then the open parts, at orders above 1000 and below
 * the first ordered default-tier policy after 1000; within a section the order again cannot
 * matter (all denies, or all allows).
 */
const ordersFor = (drafts: ReadonlyArray<Draft>, set: PolicySet, layout: boolean): { readonly orders: ReadonlyArray<number>; readonly tie: boolean } => {
  const defaults = set.policies.flatMap((p) => (p.ordering !== undefined && p.ordering.tier === defaultTierName && p.ordering.order !== undefined ? [p.ordering.order] : []))
  const tie = defaults.includes(firstOrder)
  if (!layout) return { orders: drafts.map(() => firstOrder), tie }
  const above = defaults.filter((o) => o > firstOrder)
  const hi = above.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...above)
  const step = Number.isFinite(hi) ? Math.min(1, (hi - firstOrder) / 3) : 1
  return { orders: drafts.map((d) => firstOrder + d.rank * step), tie }
}

// -------------------------------------------------------------------------------------
// objects
// -------------------------------------------------------------------------------------

const metadataOf = (name: string, namespace: string | undefined, labels: Readonly<Record<string, string>> | undefined, annotations: Readonly<Record<string, string>> | undefined): Record<string, unknown> => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  ...(labels !== undefined && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
  ...(annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {})
})

const tierObject = (t: Tier): KubeObject => ({
  apiVersion,
  kind: 'Tier',
  metadata: metadataOf(t.name, undefined, t.origin.labels, t.origin.annotations),
  spec: { ...(t.order === undefined ? {} : { order: t.order }), defaultAction: t.defaultAction === 'pass' ? 'Pass' : 'Deny' }
})

const networkSetObject = (ns: NetworkSet, name: string): KubeObject => ({
  apiVersion,
  kind: ns.namespace === undefined ? 'GlobalNetworkSet' : 'NetworkSet',
  metadata: metadataOf(name, ns.namespace, ns.labels, ns.origin.annotations),
  spec: { nets: C.toCidrs(ns.cidrs) }
})

interface DirectionOut {
  readonly rules: ReadonlyArray<KubeObject>
  readonly comments: ReadonlyArray<Comment>
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
}

const directionOut = (p: Policy, dr: DirectionRules, d: Direction, scope: Scope): DirectionOut => {
  const rules: Array<KubeObject> = []
  const comments: Array<Comment> = []
  const diagnostics: Array<D.Diagnostic> = []
  for (const r of dr.rules) {
    const out = calicoRules(r, d, scope, p.origin.dialect === 'calico')
    const first = rules.length
    rules.push(...out.rules)
    for (const pr of out.problems) {
      const fidelity = fidelityFor(pr.effect, r.action)
      diagnostics.push(D.loss(fidelity, pr.code, pr.message, r.location ?? p.origin.location))
      if (fidelity === 'exact') continue
      comments.push(
        out.rules.length > 0
          ? { path: ['spec', d, first], text: ` netpolx: ${fidelity}: ${pr.message}` }
          : { path: ['spec', 'types'], text: ` netpolx: ${fidelity}: ${d} rule left out: ${pr.message}` }
      )
    }
  }
  return { rules, comments, diagnostics }
}

/** The kind a part is written as. */
const partKind = (part: Part): string => (part.policy.scope._tag === 'namespace' ? 'NetworkPolicy' : 'GlobalNetworkPolicy')

/** The name a part asks for: the policy's, prefixed `<tier>.` outside the default tier (unless it already is), with the part's suffix. */
const partName = (part: Part): string => {
  const p = part.policy
  const tierPrefix = part.tier === defaultTierName || p.origin.name.startsWith(`${part.tier}.`) ? '' : `${part.tier}.`
  return `${tierPrefix}${p.origin.name}${part.suffix}`
}

const emitPart = (part: Part, options: EmitOptions, name: Namer): { readonly objects: ReadonlyArray<Emitted>; readonly diagnostics: ReadonlyArray<D.Diagnostic> } => {
  const p = part.policy
  const loc = p.origin.location
  const diagnostics: Array<D.Diagnostic> = []
  const namespace = p.scope._tag === 'namespace' ? p.scope.namespace : undefined
  const kind = partKind(part)
  if (part.ingress === undefined && part.egress === undefined) {
    diagnostics.push(D.loss('exact', 'no-direction', `${p.origin.kind} ${qualifiedName(p.origin)} governs no direction and is left out`, loc))
    return { objects: [], diagnostics }
  }
  const subjects = subjectFields(p, part.subject, options.inventory)
  for (const pr of subjects.problems) diagnostics.push(D.loss(pr.effect === 'fewer' || pr.effect === 'more' ? 'unsupported' : pr.effect, pr.code, pr.message, loc))
  if (subjects.fields.length === 0) {
    if (subjects.problems.length === 0) diagnostics.push(D.loss('exact', 'empty-subject', `${qualifiedName(p.origin)}${part.suffix === '' ? '' : ` (${part.suffix.slice(1)} part)`} selects no endpoint and is left out`, loc))
    return { objects: [], diagnostics }
  }
  const scope: Scope = { namespace }
  const body: Record<string, unknown> = {}
  const comments: Array<Comment> = []
  const types: Array<string> = []
  for (const d of directions) {
    const dr = rulesIn(part, d)
    if (dr === undefined) continue
    types.push(d === 'ingress' ? 'Ingress' : 'Egress')
    const out = directionOut(p, dr, d, scope)
    if (out.rules.length > 0) body[d] = out.rules
    comments.push(...out.comments)
    diagnostics.push(...out.diagnostics)
  }
  const objects = subjects.fields.map((f): Emitted => {
    const spec: Record<string, unknown> = {
      tier: part.tier,
      ...(part.order === undefined ? {} : { order: part.order }),
      selector: f.selector,
      ...(f.namespaceSelector === undefined ? {} : { namespaceSelector: f.namespaceSelector }),
      ...(f.serviceAccountSelector === undefined ? {} : { serviceAccountSelector: f.serviceAccountSelector }),
      types: [...types],
      ...structuredClone(body)
    }
    const object: KubeObject = {
      apiVersion,
      kind,
      metadata: metadataOf(name(kind, namespace, partName(part)), namespace, p.origin.labels, p.origin.annotations),
      spec
    }
    return { object, comments }
  })
  return { objects, diagnostics }
}

const dedupe = (ds: ReadonlyArray<D.Diagnostic>): ReadonlyArray<D.Diagnostic> => {
  const seen = new Set<string>()
  return ds.filter((d) => {
    const k = `${D.render(d)}\u0000${d.fidelity ?? ''}`
    return seen.has(k) ? false : (seen.add(k), true)
  })
}

export const emit = (set: PolicySet, options: EmitOptions): EmitOutput => {
  const diagnostics: Array<D.Diagnostic> = []
  const objects: Array<Emitted> = []

  // tiers: the declared ones, first declaration wins (as in the model)
  const tiers = new Map<string, Tier>()
  for (const t of set.tiers) if (!tiers.has(t.name)) tiers.set(t.name, t)
  for (const t of tiers.values()) objects.push({ object: tierObject(t), comments: [] })
  const undeclared = new Set<string>()
  for (const p of set.policies) {
    const t = p.ordering?.tier
    if (t === undefined || t === defaultTierName || tiers.has(t) || undeclared.has(t)) continue
    undeclared.add(t)
    diagnostics.push(D.warning('undeclared-tier', `tier "${t}" (used by ${qualifiedName(p.origin)}) is not declared in the input; Calico requires it to exist before the policies in it`, p.origin.location))
  }

  // policies: ordered ones keep tier and order; unordered ones are laid out in tier default
  const report = (p: Policy, pr: Problem) => diagnostics.push(D.loss(pr.effect === 'fewer' || pr.effect === 'more' ? 'unsupported' : pr.effect, pr.code, pr.message, p.origin.location))
  const indexed = set.policies.map((p, index) => ({ p, index }))
  const unordered = indexed.filter(({ p }) => p.ordering === undefined)
  const laid = layoutUnordered(unordered, report)
  const layout = laid.layout
  const drafts = [...laid.drafts].sort(sectionOrder)
  const { orders, tie } = ordersFor(drafts, set, layout)
  if (tie && drafts.length > 0)
    diagnostics.push(
      layout
        ? D.loss('unsupported', 'order-tie', 'an ordered default-tier policy has order 1000, where unordered policies sit; they tie, and the deny-first layout cannot keep the tie-break', drafts[0]?.policy.origin.location)
        : D.info(
            'order-tie',
            'an ordered default-tier policy has order 1000, where Calico puts Kubernetes NetworkPolicies: the unordered ones stay at 1000 and ties are broken by name, which Calico does differently across versions (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, "order")',
            drafts[0]?.policy.origin.location
          )
    )
  const parts: Array<Part> = [
    ...drafts.map((d, i): Part => ({ ...d, tier: defaultTierName, order: orders[i] })),
    ...indexed
      .filter(({ p }) => p.ordering !== undefined)
      .map(({ p, index }): Part => ({ policy: p, index, rank: 1, suffix: '', subject: p.subject, ingress: p.ingress, egress: p.egress, tier: p.ordering?.tier ?? defaultTierName, order: p.ordering?.order }))
  ].sort((a, b) => a.index - b.index || a.rank - b.rank)

  // names: every object's own name is reserved first, so that a generated `-2` never takes one
  const networkSetKind = (ns: NetworkSet): string => (ns.namespace === undefined ? 'GlobalNetworkSet' : 'NetworkSet')
  const reserved = new Set([
    ...set.networkSets.map((ns) => nameKey(networkSetKind(ns), ns.namespace, fitName(ns.name))),
    ...parts.map((part) => nameKey(partKind(part), part.policy.scope._tag === 'namespace' ? part.policy.scope.namespace : undefined, fitName(partName(part))))
  ])
  const name = namer(reserved)
  for (const ns of set.networkSets) objects.push({ object: networkSetObject(ns, name(networkSetKind(ns), ns.namespace, ns.name)), comments: [] })
  for (const part of parts) {
    const out = emitPart(part, options, name)
    objects.push(...out.objects)
    diagnostics.push(...out.diagnostics)
  }
  return { objects, diagnostics: dedupe(diagnostics) }
}
