/**
 * Names of emitted objects: valid and unique, whatever the order of the input.
 *
 * - `fitName(base, suffix)`: a DNS-1123 subdomain of at most 253 characters (the limit of
 *   `metadata.name` for NetworkPolicy, Calico and Cilium resources: k8s.io/apimachinery
 *   `IsDNS1123Subdomain`). A name that would be longer keeps its first part and ends with `-` and 8
 *   hex digits of the SHA-256 of the whole name, then the suffix: stable across runs, and two long
 *   names that share their first 240 characters stay distinct.
 * - `namer(reserved)`: the first object asking for a name gets it; a later object of the same
 *   kind and namespace asking for the same name gets `-2`, `-3`, … skipping every name in
 *   `reserved` (the names other objects of the run will ask for), so a policy really named
 *   `web-2` keeps its name whether or not a second `web` exists. Callers ask in canonical order
 *   (the pipeline sorts the input), so the numbering never follows input position.
 */
import { createHash } from 'node:crypto'

export const maxNameLength = 253

const hashLength = 8

export const fitName = (base: string, suffix = ''): string => {
  const whole = `${base}${suffix}`
  if (whole.length <= maxNameLength) return whole
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, hashLength)
  const room = maxNameLength - suffix.length - hashLength - 1
  return `${base.slice(0, room).replace(/[-.]+$/, '')}-${hash}${suffix}`
}

export const nameKey = (kind: string, namespace: string | undefined, name: string): string => `${kind}\u0000${namespace ?? ''}\u0000${name}`

export type Namer = (kind: string, namespace: string | undefined, base: string) => string

export const namer = (reserved: ReadonlySet<string> = new Set()): Namer => {
  const used = new Set<string>()
  return (kind, namespace, base) => {
    for (let i = 1; ; i++) {
      const name = fitName(base, i === 1 ? '' : `-${i}`)
      const k = nameKey(kind, namespace, name)
      if (used.has(k) || (i > 1 && reserved.has(k))) continue
      used.add(k)
      return name
    }
  }
}
