/**
 * The class-level forms of `reach` (README "Class-level output"): endpoints in groups that behave
 * alike (`behaviour.ts`), each group once, then the allowed flows between groups with their ports.
 * Its size grows with the number of distinct behaviours, not with endpoints², so it stays small on
 * any cluster; expanding it (every member of `from` to every member of `to` on the listed ports)
 * gives back the pod-by-pod table exactly.
 *
 * - `-o classes`: text. One line per group (`G1: 40 endpoints in ns-0 with app=web: ns-0/a, …`; at
 *   most `sampleSize` members named), a blank line, one line per flow (`G1 -> G2, G3 : TCP 80, 443`).
 * - `-o classes-json`: the same with every member listed:
 *   `{"cni", "ports": [{"port", "protocol"}], "groups": [{"id", "size", "namespaces", "labels",
 *   "members"}], "flows": [{"from", "to": [ids], "ports": [{"port", "protocol"}]}]}`.
 * Deterministic: groups by their first endpoint, flows by source group then first destination group.
 */
import * as P from '../../ir/ports.js'
import type { Behaviours } from '../../semantics/behaviour.js'
import { commonTraits } from '../../semantics/behaviour.js'
import { isIcmp, probeFields } from '../../semantics/probes.js'
import type { Probe, Reach } from '../../semantics/table.js'

/** Members named per group in the text form. */
export const sampleSize = 3

const groupId = (g: number): string => `G${g + 1}`

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/** `TCP 80, 8080; UDP 53`: probes grouped by protocol, in probe order. */
export const portsText = (probes: ReadonlyArray<Probe>): string => {
  const byProtocol = new Map<string, Array<string>>()
  for (const p of probes) {
    const name = P.protocolName(p.protocol)
    const one = isIcmp(p.protocol) ? `${p.port >> 8}/${p.port & 255}` : `${p.port}${p.sourcePort === undefined ? '' : ` from port ${p.sourcePort}`}`
    byProtocol.set(name, [...(byProtocol.get(name) ?? []), one])
  }
  return [...byProtocol].map(([name, ports]) => `${name} ${ports.join(', ')}`).join('; ')
}

const listed = (xs: ReadonlyArray<string>, max: number): string => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')}, …`)

/** The text form, in chunks. */
export function* classesTextChunks(r: Reach, b: Behaviours): Generator<string> {
  const { endpoints, representatives } = r.classes
  yield `# ${r.cni}: ${plural(endpoints.length, 'endpoint', 'endpoints')} in ${plural(b.groups.length, 'group', 'groups')} that behave alike, on ${portsText(b.probes) || 'no ports'}\n`
  yield `# each group's endpoints are allowed to and from the same endpoints; flows: sources -> destinations : ports\n`
  for (let g = 0; g < b.groups.length; g++) {
    const group = b.groups[g]
    if (group === undefined) continue
    const traits = commonTraits(representatives, group)
    const where =
      traits.namespaces.length === 0
        ? ''
        : traits.namespaces.length === 1
          ? ` in ${traits.namespaces[0] ?? ''}`
          : ` in ${traits.namespaces.length} namespaces (${listed(traits.namespaces, sampleSize)})`
    const labels = traits.labels.length === 0 ? '' : ` with ${traits.labels.map(([k, v]) => `${k}=${v}`).join(', ')}`
    const sample = group.members.slice(0, sampleSize).map((i) => endpoints[i]?.id ?? '')
    const more = group.members.length - sample.length
    yield `${groupId(g)}: ${plural(group.members.length, 'endpoint', 'endpoints')}${where}${labels}: ${sample.join(', ')}${more > 0 ? ` and ${more.toLocaleString('en-US')} more` : ''}\n`
  }
  yield '\n'
  if (b.flows.length === 0) yield 'no connection is allowed\n'
  for (const f of b.flows) yield `${groupId(f.from)} -> ${f.to.map(groupId).join(', ')} : ${portsText(f.probes.flatMap((k) => b.probes[k] ?? []))}\n`
}

const portJson = (p: Probe): string => `{${probeFields(p).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`

/** The JSON form, in chunks (one group or flow per line). */
export function* classesJsonChunks(r: Reach, b: Behaviours): Generator<string> {
  const { endpoints, representatives } = r.classes
  yield `{\n  "cni": ${JSON.stringify(r.cni)},\n  "ports": [${b.probes.map(portJson).join(', ')}],\n  "groups": [`
  for (let g = 0; g < b.groups.length; g++) {
    const group = b.groups[g]
    if (group === undefined) continue
    const traits = commonTraits(representatives, group)
    yield `${g > 0 ? ',' : ''}\n    {"id": ${JSON.stringify(groupId(g))}, "size": ${group.members.length}, "namespaces": ${JSON.stringify(traits.namespaces)}, "labels": ${JSON.stringify(Object.fromEntries(traits.labels))}, "members": [`
    for (let m = 0; m < group.members.length; m++) yield `${m > 0 ? ', ' : ''}${JSON.stringify(endpoints[group.members[m] ?? 0]?.id ?? '')}`
    yield ']}'
  }
  yield `${b.groups.length > 0 ? '\n  ' : ''}],\n  "flows": [`
  for (let k = 0; k < b.flows.length; k++) {
    const f = b.flows[k]
    if (f === undefined) continue
    yield `${k > 0 ? ',' : ''}\n    {"from": ${JSON.stringify(groupId(f.from))}, "to": ${JSON.stringify(f.to.map(groupId))}, "ports": [${f.probes.flatMap((p) => b.probes[p] ?? []).map(portJson).join(', ')}]}`
  }
  yield `${b.flows.length > 0 ? '\n  ' : ''}]\n}\n`
}
