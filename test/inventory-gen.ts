/**
 * A deterministic inventory that exercises a policy set: for every namespace the policies name or
 * scope, pods carrying each label value (and pairs of them) the formulas test, pods without
 * labels, addresses inside and outside every address block, and the named ports the rules use.
 * Used to compare truth tables before and after a translation.
 */
import type { ContainerPort, Inventory, Namespace, Pod } from '../src/cluster/inventory.js'
import * as C from '../src/ir/cidr.js'
import * as F from '../src/ir/formula.js'
import type { PolicySet } from '../src/ir/policy.js'
import * as P from '../src/ir/ports.js'
import { formulasOf } from '../src/semantics/table.js'

const valuesFor = (t: F.LabelTest): ReadonlyArray<string> =>
  t._tag === 'in' ? t.values : t._tag === 'exists' ? ['v'] : t._tag === 'startsWith' ? [`${t.value}x`] : t._tag === 'endsWith' ? [`x${t.value}`] : [`x${t.value}x`]

/** An address in each interval end of each address set (and just outside it). */
const addressesOf = (sets: ReadonlyArray<C.CidrSet>): ReadonlyArray<C.Ip> => {
  const out: Array<C.Ip> = []
  for (const s of sets)
    for (const [lo, hi] of s.v4) for (const v of [lo, hi, lo - 1n, hi + 1n]) if (v >= 0n && v < 2n ** 32n) out.push({ family: 4, value: v })
  return out
}

export const inventoryFor = (set: PolicySet): Inventory => {
  const atoms = new Map<string, F.Atom>()
  for (const f of formulasOf(set)) F.atoms(f, atoms)
  const podLabels: Array<readonly [string, string]> = []
  const nsLabels: Array<readonly [string, string]> = []
  const names = new Set<string>(['default', 'other'])
  const cidrs: Array<C.CidrSet> = []
  for (const a of atoms.values()) {
    if (a._tag === 'label') for (const v of valuesFor(a.test)) (a.owner === 'namespace' ? nsLabels : podLabels).push([a.key, v])
    if (a._tag === 'namespace') a.names.forEach((n) => names.add(n))
    if (a._tag === 'ipIn') cidrs.push(a.cidrs)
  }
  for (const p of set.policies) if (p.scope._tag === 'namespace') names.add(p.scope.namespace)
  const portNames = new Set<string>()
  for (const p of set.policies) for (const r of [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])]) r.ports.named.forEach((n) => portNames.add(n.name))
  const ports: ReadonlyArray<ContainerPort> = [...portNames].sort().flatMap((name, i) => [
    { name, protocol: P.TCP, port: 8000 + i },
    { name, protocol: P.UDP, port: 9000 + i }
  ])
  const uniq = (xs: ReadonlyArray<readonly [string, string]>) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()]
  const pl = uniq(podLabels)
  // the API server owns kubernetes.io/metadata.name: it always equals the namespace's name
  const nl = uniq(nsLabels).filter(([k]) => k !== 'kubernetes.io/metadata.name')
  const namespaces: Array<Namespace> = [...names].sort().map((name, i) => ({
    name,
    labels: { ...Object.fromEntries(nl.filter((_, j) => (i + j) % 2 === 0)), 'kubernetes.io/metadata.name': name }
  }))
  // one extra namespace per namespace label, carrying only that label
  nl.forEach(([k, v], i) => namespaces.push({ name: `ns-label-${i}`, labels: { 'kubernetes.io/metadata.name': `ns-label-${i}`, [k]: v } }))
  const labelSets: Array<Readonly<Record<string, string>>> = [{}, ...pl.map(([k, v]) => ({ [k]: v }))]
  for (let i = 0; i + 1 < pl.length; i++) {
    const a = pl[i]
    const b = pl[i + 1]
    if (a !== undefined && b !== undefined && a[0] !== b[0]) labelSets.push({ [a[0]]: a[1], [b[0]]: b[1] })
  }
  // each address once: a pod and an external endpoint never share one
  const extraIps = [...new Map(addressesOf(cidrs).map((ip) => [`${ip.family}/${ip.value}`, ip])).values()]
  const pods: Array<Pod> = []
  let n = 0
  const nextIp = (): C.Ip => {
    const fromCidr = extraIps[n]
    n++
    return fromCidr ?? { family: 4, value: (172n << 24n) + BigInt(n) }
  }
  for (const ns of namespaces)
    labelSets.forEach((labels, i) =>
      pods.push({ namespace: ns.name, name: `p${i}`, labels, ip: nextIp(), ports, serviceAccount: 'default', node: undefined, hostNetwork: false })
    )
  const externals = [...extraIps.slice(n), { family: 4 as const, value: (8n << 24n) + 8n }].map((ip) => ({ text: C.formatIp(ip), ip }))
  return { namespaces, pods, nodes: [], services: [], externals }
}
