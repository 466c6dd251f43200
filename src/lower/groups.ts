/**
 * The inventory's pods as a label selector sees them: grouped by namespace and labels (host-network
 * pods left out, no selector picks them), and each group's exact selector on this inventory — its
 * namespace, every label, and the absence of every other label key seen in the namespace — so
 * passes that must name "these pods" (by address, by service account) write the same formula.
 */
import type { Inventory, Labels, Pod } from '../cluster/inventory.js'
import * as F from '../ir/formula.js'

export interface PodGroup {
  readonly namespace: string
  readonly labels: Labels
  readonly pods: ReadonlyArray<Pod>
  /** The exact selector of the group on this inventory. */
  readonly formula: F.Formula
}

const labelsKey = (l: Labels): string => JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** Label groups in namespace and label order. */
export const podGroups = (inv: Inventory): ReadonlyArray<PodGroup> => {
  const keysByNs = new Map<string, Set<string>>()
  const byKey = new Map<string, Array<Pod>>()
  for (const p of inv.pods) {
    if (p.hostNetwork) continue
    const keys = keysByNs.get(p.namespace) ?? new Set<string>()
    Object.keys(p.labels).forEach((k) => keys.add(k))
    keysByNs.set(p.namespace, keys)
    const k = `${p.namespace}\u0000${labelsKey(p.labels)}`
    byKey.set(k, [...(byKey.get(k) ?? []), p])
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, pods]) => {
      const first = pods[0]
      if (first === undefined) return []
      const others = [...(keysByNs.get(first.namespace) ?? [])].filter((k) => !(k in first.labels)).sort()
      const formula = F.and(
        F.kind(['pod']),
        F.inNamespace([first.namespace]),
        ...Object.entries(first.labels).map(([k, v]) => F.labelEquals('endpoint', k, v)),
        ...others.map((k) => F.not(F.exists('endpoint', k)))
      )
      return [{ namespace: first.namespace, labels: first.labels, pods, formula }]
    })
}

/** How a group's pods fall on a test: all pass, none, or some (then no selector tells them apart). */
export const split = (g: PodGroup, test: (p: Pod) => boolean): 'all' | 'none' | 'some' => {
  const n = g.pods.filter(test).length
  return n === 0 ? 'none' : n === g.pods.length ? 'all' : 'some'
}

/** A group's name in messages: `namespace/{k=v,…}`. */
export const groupName = (g: PodGroup): string => `${g.namespace}/{${Object.entries(g.labels).map(([k, v]) => `${k}=${v}`).join(',')}}`
