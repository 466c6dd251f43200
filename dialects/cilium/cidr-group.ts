/**
 * CiliumCIDRGroup (cilium.io/v2alpha1 and cilium.io/v2): a cluster-scoped, labelled list of
 * external CIDRs that CiliumNetworkPolicy CIDR rules reference by name (`cidrGroupRef`) or by label
 * (`cidrGroupSelector`).
 *
 * Authority: cilium/cilium `pkg/k8s/apis/cilium.io/v2alpha1/cidrgroups_types.go` and
 * `pkg/k8s/apis/cilium.io/v2/cidrgroups_types.go` (`spec.externalCIDRs`, required, items of the
 * CRD's `format: cidr`), and `CIDRRuleSlice.GetAsEndpointSelectors` in `pkg/policy/api/cidr.go`:
 * a `cidrGroupRef: N` selects the prefixes carrying the label
 * `cidrgroup:io.cilium.policy.cidrgroupname/N` (those of group N), a `cidrGroupSelector` is a label
 * selector over the groups' own labels (source `cidrgroup`), and `except` prefixes are carved out
 * of either.
 *
 * Groups are read from the same input as the policies (`ParseContext.docs`): a reference resolves
 * to the addresses of the groups given, and a group the input does not hold is reported where it
 * is referenced (the rule then selects nothing, in the direction that errs).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as D from '../../src/diagnostics.js'
import { decode, struct } from '../../src/io/decode.js'
import type { SourceDoc } from '../../src/io/source.js'
import { at } from '../../src/io/source.js'
import * as C from '../../src/ir/cidr.js'
import * as F from '../../src/ir/formula.js'
import * as K from '../kube.js'
import { Cidr } from './codec.js'

// -------------------------------------------------------------------------------------
// codec
// -------------------------------------------------------------------------------------

export const apiVersions = ['cilium.io/v2alpha1', 'cilium.io/v2'] as const

export const kind = 'CiliumCIDRGroup'

export const CiliumCIDRGroup = struct(
  'CiliumCIDRGroup',
  {
    apiVersion: t.union([t.literal('cilium.io/v2alpha1'), t.literal('cilium.io/v2')]),
    kind: t.literal(kind),
    metadata: K.ObjectMeta,
    spec: struct('CiliumCIDRGroupSpec', { externalCIDRs: t.readonlyArray(Cidr) }, {})
  },
  { status: t.unknown }
)
export type CiliumCIDRGroup = t.TypeOf<typeof CiliumCIDRGroup>

export const isCidrGroup = (apiVersion: string, k: string): boolean => k === kind && (apiVersions as ReadonlyArray<string>).includes(apiVersion)

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One group as policies see it. */
export interface CidrGroup {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly cidrs: C.CidrSet
}

const groupOf = (g: CiliumCIDRGroup): CidrGroup => ({
  name: g.metadata.name,
  labels: g.metadata.labels ?? {},
  cidrs: g.spec.externalCIDRs.reduce((acc, s) => E.match<string, C.CidrSet, C.CidrSet>(() => acc, (x) => C.union(acc, x))(C.parseCidr(s)), C.empty)
})

/** Decodes a CiliumCIDRGroup document: nothing for the IR, its problems as diagnostics. */
export const parseGroup = (doc: SourceDoc): ReadonlyArray<D.Diagnostic> => {
  const r = decode(CiliumCIDRGroup, doc, doc.value)
  if (E.isLeft(r)) return r.left
  const diagnostics: Array<D.Diagnostic> = [
    D.info(
      'cidr-group-inlined',
      `${kind} ${r.right.metadata.name}: its CIDRs are written into the rules that reference it; the group itself is not part of the output`,
      at(doc, [])
    )
  ]
  if (r.right.metadata.namespace !== undefined)
    diagnostics.push(D.info('namespace-ignored', `metadata.namespace: a ${kind} is cluster-scoped; its namespace "${r.right.metadata.namespace}" is ignored`, at(doc, ['metadata', 'namespace'])))
  return diagnostics
}

const field = (v: unknown, k: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined)

const cache = new WeakMap<ReadonlyArray<SourceDoc>, ReadonlyMap<string, CidrGroup>>()

/** The valid groups among `docs`, by name (an invalid one is reported by `parseGroup` and left out). */
export const groupsIn = (docs: ReadonlyArray<SourceDoc>): ReadonlyMap<string, CidrGroup> => {
  const hit = cache.get(docs)
  if (hit !== undefined) return hit
  const out = new Map<string, CidrGroup>()
  for (const d of docs) {
    const a = field(d.value, 'apiVersion')
    const k = field(d.value, 'kind')
    if (typeof a !== 'string' || typeof k !== 'string' || !isCidrGroup(a, k)) continue
    const r = CiliumCIDRGroup.decode(d.value)
    if (E.isRight(r) && !out.has(r.right.metadata.name)) out.set(r.right.metadata.name, groupOf(r.right))
  }
  cache.set(docs, out)
  return out
}

/** Whether a group's labels satisfy a Kubernetes label selector. */
export const selects = (sel: K.LabelSelector, g: CidrGroup): boolean =>
  F.evaluate(
    F.and(
      ...Object.entries(sel.matchLabels ?? {}).map(([k, v]) => F.labelEquals('endpoint', k, v)),
      ...(sel.matchExpressions ?? []).map((r) =>
        r.operator === 'In'
          ? F.labelIn('endpoint', r.key, r.values ?? [])
          : r.operator === 'NotIn'
            ? F.not(F.labelIn('endpoint', r.key, r.values ?? []))
            : r.operator === 'Exists'
              ? F.exists('endpoint', r.key)
              : F.not(F.exists('endpoint', r.key))
      )
    ),
    (a) => a._tag === 'label' && F.testLabel(g.labels, a.key, a.test)
  )
