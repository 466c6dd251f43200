/**
 * Policies, rules, tiers and network sets: what a set of network policies means, in any dialect.
 *
 * The IR says what a policy means with every implicit rule of its dialect made explicit; how the
 * policies combine is the business of an enforcement model (`src/semantics`), because the same
 * policy is enforced differently by different CNIs (DESIGN.md §4).
 */
import type { Location } from '../diagnostics.js'
import type * as C from './cidr.js'
import * as F from './formula.js'
import type { Formula } from './formula.js'
import type { PortSet } from './ports.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** `cnp`: Kubernetes cluster-scoped network policy (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy). */
export type DialectName = 'k8s' | 'calico' | 'cilium' | 'cnp'

export const dialectNames: ReadonlyArray<DialectName> = ['k8s', 'calico', 'cilium', 'cnp']

/** Where an IR object came from: the resource and its position in the input. */
export interface Origin {
  readonly dialect: DialectName
  /** The resource kind, e.g. `NetworkPolicy`, `GlobalNetworkPolicy`, `CiliumNetworkPolicy`. */
  readonly kind: string
  readonly namespace: string | undefined
  readonly name: string
  readonly location: Location | undefined
  /** The resource's own metadata labels and annotations, carried over to what is emitted from it. */
  readonly labels: Readonly<Record<string, string>> | undefined
  readonly annotations: Readonly<Record<string, string>> | undefined
}

export type Scope = { readonly _tag: 'namespace'; readonly namespace: string } | { readonly _tag: 'cluster' }

export type Action = 'allow' | 'deny' | 'pass' | 'log'

export type Direction = 'ingress' | 'egress'

export const directions: ReadonlyArray<Direction> = ['ingress', 'egress']

/** A path match of an HTTP rule. */
export interface HttpPath {
  readonly _tag: 'exact' | 'prefix' | 'regex'
  readonly value: string
}

/**
 * One HTTP match; every field that is set must match. Calico lists methods and paths (each an OR);
 * Cilium gives one method and one path as POSIX regular expressions, a host and required headers.
 */
export interface HttpRule {
  readonly methods: ReadonlyArray<string>
  readonly methodRegex: string | undefined
  readonly paths: ReadonlyArray<HttpPath>
  readonly host: string | undefined
  readonly headers: ReadonlyArray<string>
}

/** An application-layer constraint on an allow rule: the request must match one of `rules`. */
export type L7 =
  | { readonly _tag: 'http'; readonly rules: ReadonlyArray<HttpRule> }
  | { readonly _tag: 'dns'; readonly rules: ReadonlyArray<{ readonly match: 'name' | 'pattern'; readonly value: string }> }
  | { readonly _tag: 'kafka'; readonly rules: ReadonlyArray<Readonly<Record<string, string>>> }
  | { readonly _tag: 'generic'; readonly protocol: string; readonly rules: ReadonlyArray<Readonly<Record<string, string>>> }

/**
 * A rule matches a connection when the peer (the source for ingress, the destination for egress)
 * satisfies `peer` and the destination port is in `ports` (named ports resolve on the destination),
 * and, when `sourcePorts` is set, the connection's (protocol, source port) is in it (named ports
 * resolve on the source: the peer for ingress, the policy's own endpoint for egress). Absent
 * `sourcePorts` means any source port; only Calico can say it (`source.ports` / `source.notPorts`).
 */
export interface Rule {
  readonly action: Action
  readonly peer: Formula
  readonly ports: PortSet
  readonly l7: L7 | undefined
  readonly location: Location | undefined
  /** The (protocol, source port) pairs the rule matches; undefined: any source port. */
  readonly sourcePorts?: PortSet | undefined
  /**
   * Which of the policy's own endpoints the rule applies to (the subject side of the connection:
   * the destination of an ingress rule, the source of an egress rule), as a formula over that
   * endpoint (its labels, namespace, service account, address); undefined: every subject. Calico
   * writes it as an ingress rule's `destination` or an egress rule's `source` (selector,
   * namespaceSelector, serviceAccounts, nets, notNets). Models skip the rule on subjects where it
   * does not hold; lowering for targets that cannot write it narrows the rule's subject instead
   * (`src/lower/local.ts`).
   */
  readonly local?: Formula | undefined
}

/**
 * How a policy governs one direction of its subjects.
 * `defaultDeny`: selecting an endpoint makes that direction deny-by-default (Kubernetes always;
 * Cilium unless `enableDefaultDeny` says otherwise; Calico through its tier's default action).
 * `rules` are ordered; order matters only under ordered models (Calico).
 */
export interface DirectionRules {
  readonly defaultDeny: boolean
  readonly rules: ReadonlyArray<Rule>
}

/** A position in Calico's ordered evaluation; unordered policies (Kubernetes, Cilium) have none. */
export interface Ordering {
  readonly tier: string
  /** Lower first; undefined sorts last. */
  readonly order: number | undefined
}

export interface Policy {
  readonly _tag: 'Policy'
  readonly origin: Origin
  readonly scope: Scope
  readonly ordering: Ordering | undefined
  /** Which endpoints the policy applies to, within its scope. */
  readonly subject: Formula
  /** undefined: the policy does not govern that direction. */
  readonly ingress: DirectionRules | undefined
  readonly egress: DirectionRules | undefined
}

export interface Tier {
  readonly name: string
  readonly order: number | undefined
  readonly defaultAction: 'deny' | 'pass'
  readonly origin: Origin
}

/** Calico's NetworkSet / GlobalNetworkSet: labelled address sets that selectors can match. */
export interface NetworkSet {
  readonly name: string
  readonly namespace: string | undefined
  readonly labels: Readonly<Record<string, string>>
  readonly cidrs: C.CidrSet
  readonly origin: Origin
}

export interface PolicySet {
  readonly policies: ReadonlyArray<Policy>
  readonly tiers: ReadonlyArray<Tier>
  readonly networkSets: ReadonlyArray<NetworkSet>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

export const emptySet: PolicySet = { policies: [], tiers: [], networkSets: [] }

export const concat = (sets: ReadonlyArray<PolicySet>): PolicySet => ({
  policies: sets.flatMap((s) => s.policies),
  tiers: sets.flatMap((s) => s.tiers),
  networkSets: sets.flatMap((s) => s.networkSets)
})

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

export const rulesOf = (p: Policy, d: Direction): DirectionRules | undefined => (d === 'ingress' ? p.ingress : p.egress)

/** The policy with every rule of both directions replaced by `f(rule, policy)`. */
export const mapRules = (p: Policy, f: (r: Rule, p: Policy) => Rule): Policy => {
  const dir = (dr: DirectionRules | undefined): DirectionRules | undefined => (dr === undefined ? undefined : { ...dr, rules: dr.rules.map((r) => f(r, p)) })
  return { ...p, ingress: dir(p.ingress), egress: dir(p.egress) }
}

/** The endpoints a policy applies to: its subject within its scope. */
export const scopedSubject = (p: Policy): Formula => (p.scope._tag === 'namespace' ? F.and(F.inNamespace([p.scope.namespace]), p.subject) : p.subject)

/** `namespace/name` or `name` for cluster-scoped resources. */
export const qualifiedName = (o: Origin): string => (o.namespace === undefined ? o.name : `${o.namespace}/${o.name}`)

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Deterministic order for output: by kind, namespace, name. */
export const comparePolicies = (a: Policy, b: Policy): number =>
  cmp(a.origin.kind, b.origin.kind) || cmp(a.origin.namespace ?? '', b.origin.namespace ?? '') || cmp(a.origin.name, b.origin.name)
