/** equiv -o json written line by line gives the bytes the whole-string writer gave. */
import { describe, expect, it } from 'vitest'
import { equivJsonChunks } from '../../../src/cli/output/equiv-json.js'
import { collectChunks } from '../../../src/cli/output/sink.js'
import * as P from '../../../src/ir/ports.js'
import type { Equivalence } from '../../../src/semantics/equiv.js'

/** The writer as it was before streaming, kept as the reference. */
const jsonObject = (entries: ReadonlyArray<readonly [string, unknown]>): string => `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`
const oldJson = (r: Equivalence): string => {
  const ports = r.probes.map((p) => jsonObject([['port', p.port], ['protocol', P.protocolName(p.protocol)]]))
  const diffs = r.differences.map(
    (d) =>
      `    ${jsonObject([['from', d.from], ['to', d.to], ['port', d.probe.port], ['protocol', P.protocolName(d.probe.protocol)], ['left', d.left], ['right', d.right], ['leftReason', d.leftReason], ['rightReason', d.rightReason]])}`
  )
  return [
    '{',
    `  "equivalent": ${r.equivalent},`,
    `  "leftCni": ${JSON.stringify(r.leftCni)},`,
    `  "rightCni": ${JSON.stringify(r.rightCni)},`,
    `  "ports": [${ports.join(', ')}],`,
    diffs.length === 0 ? '  "differences": [],' : `  "differences": [\n${diffs.join(',\n')}\n  ],`,
    `  "endpoints": ${r.endpoints.length},`,
    `  "total": ${r.total},`,
    `  "leftAllowsOnly": ${r.leftOnly},`,
    `  "rightAllowsOnly": ${r.rightOnly},`,
    `  "omitted": ${r.total - r.differences.length}`,
    '}',
    ''
  ].join('\n')
}

const base: Equivalence = {
  equivalent: true,
  leftCni: 'k8s',
  rightCni: 'cilium',
  endpoints: ['a/x', 'b/"y"'],
  probes: [{ protocol: P.TCP, port: 80 }, { protocol: P.UDP, port: 53 }],
  differences: [],
  total: 0,
  leftOnly: 0,
  rightOnly: 0,
  diagnostics: []
}

describe('equiv -o json', () => {
  it('equivalent sets: same bytes as before', () => {
    expect(collectChunks(equivJsonChunks(base))).toBe(oldJson(base))
  })

  it('differing sets, some differences left out: same bytes as before', () => {
    const d = (from: string, left: boolean) => ({ from, to: 'b/"y"', probe: { protocol: P.UDP, port: 53 }, left, right: !left, leftReason: 'ingress of b/"y" by b/p', rightReason: 'not isolated' })
    const r: Equivalence = { ...base, equivalent: false, differences: [d('a/x', true), d('b/"y"', false), d('a/x', false)], total: 7, leftOnly: 4, rightOnly: 3 }
    expect(collectChunks(equivJsonChunks(r))).toBe(oldJson(r))
    expect(JSON.parse(collectChunks(equivJsonChunks(r)))).toMatchObject({ omitted: 4, differences: [{ from: 'a/x' }, { from: 'b/"y"' }, { from: 'a/x' }] })
  })
})
