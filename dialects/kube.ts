/**
 * Kubernetes core API shapes that every dialect embeds: object metadata, label selectors, IANA
 * service names. Dialects import these instead of each other.
 */
import * as t from 'io-ts'
import { describe, oneOf, refinedString, stringMap, struct } from '../src/io/decode.js'
import { labelKeyProblem, labelNameProblem, labelValueProblem, subdomainProblem } from './validation.js'

/** An IANA_SVC_NAME (Kubernetes `IsValidPortName`): 1-15 lower-case letters, digits and '-', at least one letter, no '--', no leading or trailing '-'. */
export const ianaServiceNameProblem = (s: string): string | undefined =>
  s.length === 0 || s.length > 15
    ? 'must be 1-15 characters'
    : !/^[a-z0-9-]+$/.test(s)
      ? 'must contain only lower-case letters, digits and "-"'
      : !/[a-z]/.test(s)
        ? 'must contain at least one letter'
        : s.includes('--') || s.startsWith('-') || s.endsWith('-')
          ? 'must not begin or end with "-" or contain "--"'
          : undefined

/**
 * A map of label keys to label values, both checked as the API server does (`ValidateLabels`:
 * keys are qualified names, values label values; apimachinery's validation.go).
 */
export const Labels = (name: string): t.Type<Readonly<Record<string, string>>, unknown, unknown> => {
  const base = stringMap(name)
  return new t.Type<Readonly<Record<string, string>>, unknown, unknown>(
    name,
    (u): u is Readonly<Record<string, string>> => base.is(u) && Object.entries(u).every(([k, v]) => labelKeyProblem(k) === undefined && labelValueProblem(v) === undefined),
    (u, c) => {
      const r = base.validate(u, c)
      if (r._tag === 'Left') return r
      const errors: Array<t.ValidationError> = []
      for (const [k, v] of Object.entries(r.right)) {
        const keyWhy = labelKeyProblem(k)
        const why = keyWhy === undefined ? labelValueProblem(v) : undefined
        if (keyWhy !== undefined) errors.push({ value: k, context: [...c, { key: k, type: t.string, actual: v }], message: `invalid label key ${describe(k)}: ${keyWhy}` })
        else if (why !== undefined) errors.push({ value: v, context: [...c, { key: k, type: t.string, actual: v }], message: `invalid label value ${describe(v)}: ${why}` })
      }
      return errors.length === 0 ? r : t.failures(errors)
    },
    (a) => a
  )
}

/** A label key (`ValidateLabelName`). */
export const LabelKey = refinedString('label key', (s) => {
  const why = labelKeyProblem(s)
  return why === undefined ? undefined : `invalid label key ${describe(s)}: ${why}`
})

/** A label value (`IsValidLabelValue`), as selector values are checked for new objects. */
export const LabelValue = refinedString('label value', (s) => {
  const why = labelValueProblem(s)
  return why === undefined ? undefined : `invalid label value ${describe(s)}: ${why}`
})

export const LabelSelectorRequirement = struct(
  'LabelSelectorRequirement',
  { key: t.string, operator: oneOf('operator', ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const) },
  { values: t.readonlyArray(t.string) }
)
export type LabelSelectorRequirement = t.TypeOf<typeof LabelSelectorRequirement>

/** A LabelSelector's shape, keys and values unchecked (Cilium's EndpointSelector keys carry source prefixes such as `k8s:`). */
export const LabelSelector = struct(
  'LabelSelector',
  {},
  { matchLabels: stringMap('matchLabels'), matchExpressions: t.readonlyArray(LabelSelectorRequirement) }
)
export type LabelSelector = t.TypeOf<typeof LabelSelector>

/**
 * A Kubernetes LabelSelector with keys and values checked as `ValidateLabelSelector` does for a
 * new object (k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go, with
 * `AllowInvalidLabelValueInSelector` false): keys are qualified names, values label values.
 */
export const ValidLabelSelector: t.Type<LabelSelector, unknown, unknown> = struct(
  'LabelSelector',
  {},
  {
    matchLabels: Labels('matchLabels'),
    matchExpressions: t.readonlyArray(
      struct(
        'LabelSelectorRequirement',
        { key: LabelKey, operator: oneOf('operator', ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const) },
        { values: t.readonlyArray(LabelValue) }
      )
    )
  }
)

/** Spec fields that tutorials indent under `metadata` by mistake. */
const specFields = new Set([
  'podSelector',
  'policyTypes',
  'ingress',
  'egress',
  'ingressDeny',
  'egressDeny',
  'endpointSelector',
  'nodeSelector',
  'selector',
  'namespaceSelector',
  'types',
  'order',
  'tier',
  'nets',
  'spec'
])

/**
 * ObjectMeta (k8s.io/apimachinery/pkg/apis/meta/v1/types.go), decoded strictly as `kubectl apply`
 * does: its fields and no others (`unknown field "metadata.podSelector"`). The name must be a
 * DNS-1123 subdomain (`NameIsDNSSubdomain`, which NetworkPolicy and every custom resource use), the
 * namespace a DNS-1123 label (`ValidateNamespaceName`), labels valid keys and values. What
 * `kubectl get` adds (uid, resourceVersion, managedFields, …) is accepted and ignored.
 */
export const ObjectMeta = struct(
  'ObjectMeta',
  {
    name: refinedString('name', (s) => {
      const why = subdomainProblem(s)
      return why === undefined ? undefined : `invalid name ${describe(s)}: ${why}`
    })
  },
  {
    namespace: refinedString('namespace', (s) => {
      const why = labelNameProblem(s)
      return why === undefined ? undefined : `invalid namespace ${describe(s)}: ${why}`
    }),
    labels: Labels('labels'),
    annotations: stringMap('annotations'),
    generateName: t.unknown,
    selfLink: t.unknown,
    uid: t.unknown,
    resourceVersion: t.unknown,
    generation: t.unknown,
    creationTimestamp: t.unknown,
    deletionTimestamp: t.unknown,
    deletionGracePeriodSeconds: t.unknown,
    ownerReferences: t.unknown,
    finalizers: t.unknown,
    managedFields: t.unknown
  },
  {
    unknownMessage: (k) =>
      `unknown field "metadata.${k}": ${specFields.has(k) ? `${k} belongs under spec; check the indentation` : 'metadata holds name, namespace, labels, annotations and the fields the API server sets'}`
  }
)
export type ObjectMeta = t.TypeOf<typeof ObjectMeta>

/** A problem found in a decoded value, at a path relative to it. */
export interface Problem {
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

/** The API server's `ValidateLabelSelector`: In/NotIn need at least one value, Exists/DoesNotExist take none. */
export const selectorProblems = (sel: LabelSelector): ReadonlyArray<Problem> =>
  (sel.matchExpressions ?? []).flatMap((r, i) => {
    const n = r.values?.length ?? 0
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) return [{ path: ['matchExpressions', i], message: `operator ${r.operator} needs at least one value` }]
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) return [{ path: ['matchExpressions', i], message: `operator ${r.operator} takes no values` }]
    return []
  })
