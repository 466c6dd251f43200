/**
 * Kubernetes core API shapes that every dialect embeds: object metadata, label selectors, IANA
 * service names. Dialects import these instead of each other.
 */
import * as t from 'io-ts'
import { oneOf, refinedString, stringMap, struct } from '../src/io/decode.js'

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

export const LabelSelectorRequirement = struct(
  'LabelSelectorRequirement',
  { key: t.string, operator: oneOf('operator', ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const) },
  { values: t.readonlyArray(t.string) }
)
export type LabelSelectorRequirement = t.TypeOf<typeof LabelSelectorRequirement>

export const LabelSelector = struct(
  'LabelSelector',
  {},
  { matchLabels: stringMap('matchLabels'), matchExpressions: t.readonlyArray(LabelSelectorRequirement) }
)
export type LabelSelector = t.TypeOf<typeof LabelSelector>

/** Object metadata: only what translation needs is checked; everything else (uid, managedFields, …) is allowed. */
export const ObjectMeta = struct(
  'ObjectMeta',
  { name: refinedString('name', (s) => (s.length === 0 ? 'metadata.name must not be empty' : undefined)) },
  { namespace: t.string, labels: stringMap('labels'), annotations: stringMap('annotations') },
  { allowUnknown: true }
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
