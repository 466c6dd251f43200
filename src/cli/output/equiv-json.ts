/**
 * `equiv -o json`, produced line by line (see `sink.ts`): one port or difference per line; `total`
 * and the per-side counts cover the differences left out. The bytes are those `equiv` always wrote.
 */
import type { Equivalence } from '../../semantics/equiv.js'
import { probeFields } from '../../semantics/probes.js'

const jsonObject = (entries: ReadonlyArray<readonly [string, unknown]>): string => `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`

export function* equivJsonChunks(r: Equivalence): Generator<string> {
  const ports = r.probes.map((p) => jsonObject(probeFields(p)))
  yield `{\n  "equivalent": ${r.equivalent},\n  "leftCni": ${JSON.stringify(r.leftCni)},\n  "rightCni": ${JSON.stringify(r.rightCni)},\n  "ports": [${ports.join(', ')}],\n`
  if (r.differences.length === 0) yield '  "differences": [],\n'
  else {
    yield '  "differences": [\n'
    for (let i = 0; i < r.differences.length; i++) {
      const d = r.differences[i]
      if (d === undefined) continue
      yield `${i > 0 ? ',\n' : ''}    ${jsonObject([
        ['from', d.from],
        ['to', d.to],
        ...probeFields(d.probe),
        ['left', d.left],
        ['right', d.right],
        ['leftReason', d.leftReason],
        ['rightReason', d.rightReason]
      ])}`
    }
    yield '\n  ],\n'
  }
  yield `  "endpoints": ${r.endpoints.length},\n  "total": ${r.total},\n  "leftAllowsOnly": ${r.leftOnly},\n  "rightAllowsOnly": ${r.rightOnly},\n  "omitted": ${r.total - r.differences.length}\n}\n`
}
