import { describe, expect, it } from 'vitest'
import { parseText } from '../../src/io/source.js'
import { toJson, toYaml } from '../../src/io/serialise.js'

describe('serialise', () => {
  it('quotes strings that YAML 1.1 tools (kubectl) would read as booleans or numbers', () => {
    const text = toYaml([{ object: { metadata: { labels: { enabled: 'on', ok: 'yes', y: 'n', time: '1:30', range: '80:90', mode: '0755' } } }, comments: [] }])
    expect(text).toBe('metadata:\n  labels:\n    enabled: "on"\n    ok: "yes"\n    "y": "n"\n    time: "1:30"\n    range: 80:90\n    mode: "0755"\n')
    // and reads back as the same strings
    expect(parseText('x.yaml', text).docs[0]?.value).toEqual({ metadata: { labels: { enabled: 'on', ok: 'yes', y: 'n', time: '1:30', range: '80:90', mode: '0755' } } })
  })
  it('writes an object shared between two places twice, never as an anchor and alias', () => {
    const ports = [{ port: 80 }]
    const text = toYaml([{ object: { a: ports, b: ports }, comments: [] }])
    expect(text).toBe('a:\n- port: 80\nb:\n- port: 80\n')
  })
  it('attaches comments at their path; JSON wraps several objects in a List', () => {
    expect(toYaml([{ object: { spec: { ingress: [{ from: [] }] } }, comments: [{ path: ['spec', 'ingress', 0], text: ' netpolx: note' }] }])).toBe(
      'spec:\n  ingress:\n  # netpolx: note\n  - from: []\n'
    )
    expect(JSON.parse(toJson([{ a: 1 }, { b: 2 }]))).toEqual({ apiVersion: 'v1', kind: 'List', items: [{ a: 1 }, { b: 2 }] })
  })
})
