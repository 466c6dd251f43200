/**
 * reach's writers: the streamed pod-by-pod forms are byte for byte what the whole-string writers
 * wrote (the README's contract), and the class-level form expands back to the pod-by-pod table on
 * every golden case that has a cluster, under each case's own model and the others.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { load } from '../../../src/cluster/inventory.js'
import { reachChunks } from '../../../src/cli/output/reach-output.js'
import { reachJsonChunks, reachTableChunks } from '../../../src/cli/output/reach-pods.js'
import { collectChunks, writeStreamed } from '../../../src/cli/output/sink.js'
import { parseText } from '../../../src/io/source.js'
import * as P from '../../../src/ir/ports.js'
import { defaultCni, parseDocs } from '../../../src/pipeline.js'
import { behaviours, expand } from '../../../src/semantics/behaviour.js'
import { probeFields, probeText } from '../../../src/semantics/probes.js'
import { modelByName } from '../../../src/semantics/models.js'
import type { Reach } from '../../../src/semantics/table.js'
import { defaultProbes, matrix, reach } from '../../../src/semantics/table.js'
import * as C from '../../../src/ir/cidr.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const goldenDir = path.join(root, 'golden')

/** The writers as they were before streaming (whole strings), kept here as the reference. */
const oldJson = (r: Reach): string => {
  const endpoints = r.classes.endpoints.map((e) => e.id)
  const tables = r.tables.map((t) => ({ fields: probeFields(t.probe), allowed: matrix(r, t) }))
  const rows = tables.map(
    (t) =>
      `    {${t.fields.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}, "allowed": [\n${t.allowed.map((row) => `      [${row.join(', ')}]`).join(',\n')}\n    ]}`
  )
  return `{\n  "cni": ${JSON.stringify(r.cni)},\n  "endpoints": ${JSON.stringify(endpoints)},\n  "tables": [\n${rows.join(',\n')}\n  ]\n}\n`
}
const oldTable = (r: Reach): string => {
  const ids = r.classes.endpoints.map((e) => e.id)
  const width = Math.max(1, ...ids.map((s) => s.length))
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - s.length))
  return r.tables
    .map((t) => {
      const m = matrix(r, t)
      const header = `${pad('-', width)}  ${ids.join(' ')}`
      const lines = m.map((row, i) => `${pad(ids[i] ?? '', width)}  ${row.map((ok, j) => pad(ok ? '.' : 'X', (ids[j] ?? '').length)).join(' ')}`.trimEnd())
      return `${probeText(t.probe)}\n${header}\n${lines.join('\n')}\n`
    })
    .join('\n')
}

interface Case {
  readonly name: string
  readonly results: ReadonlyArray<Reach>
}

const ip = (s: string): C.Ip => {
  const r = C.parseIp(s)
  if (r._tag === 'Left') throw new Error(r.left)
  return r.right
}

/** Every golden case with a cluster, evaluated under all three models with its default probes and one external address. */
const cases: ReadonlyArray<Case> = fs
  .readdirSync(goldenDir)
  .filter((d) => fs.existsSync(path.join(goldenDir, d, 'cluster.yaml')) && fs.existsSync(path.join(goldenDir, d, 'input.yaml')))
  .sort()
  .map((d) => {
    const parsed = parseDocs(parseText('input.yaml', fs.readFileSync(path.join(goldenDir, d, 'input.yaml'), 'utf8')).docs)
    const inv = { ...load(parseText('cluster.yaml', fs.readFileSync(path.join(goldenDir, d, 'cluster.yaml'), 'utf8')).docs).inventory, externals: [{ text: '203.0.113.9', ip: ip('203.0.113.9') }] }
    const models = [defaultCni(parsed), ...(['k8s', 'calico', 'cilium'] as const).filter((m) => m !== defaultCni(parsed))]
    return {
      name: d,
      results: models.flatMap((m) => {
        const model = modelByName(m)
        return model === undefined ? [] : [reach(parsed.set, inv, model, defaultProbes(parsed.set, inv))]
      })
    }
  })

describe('pod-by-pod writers', () => {
  it('there are golden cases to check', () => {
    expect(cases.length).toBeGreaterThan(10)
  })

  it('write the JSON contract and the table byte for byte as the whole-string writers did', () => {
    for (const c of cases)
      for (const r of c.results) {
        expect(collectChunks(reachJsonChunks(r)), `${c.name} ${r.cni}`).toBe(oldJson(r))
        expect(collectChunks(reachTableChunks(r)), `${c.name} ${r.cni}`).toBe(oldTable(r))
      }
  })

  it('write the degenerate cases (no endpoints) as before', () => {
    const parsed = parseDocs([])
    const none = { namespaces: [], pods: [], nodes: [], services: [], externals: [] }
    const k8s = modelByName('k8s')
    if (k8s === undefined) throw new Error('no k8s model')
    const r = reach(parsed.set, none, k8s, [{ protocol: P.TCP, port: 80 }, { protocol: P.UDP, port: 53 }])
    expect(collectChunks(reachJsonChunks(r))).toBe(oldJson(r))
    expect(collectChunks(reachTableChunks(r))).toBe(oldTable(r))
  })
})

describe('class-level form', () => {
  it('expands back to the pod-by-pod matrix of every probe', () => {
    let merged = 0
    for (const c of cases)
      for (const r of c.results) {
        const b = behaviours(r)
        merged += r.classes.representatives.length - b.groups.length
        // every endpoint is in exactly one group
        expect(b.groups.flatMap((g) => g.members).sort((x, y) => x - y), c.name).toEqual(r.classes.endpoints.map((_, i) => i))
        r.tables.forEach((t, k) => expect(expand(b, r.classes.endpoints.length, k), `${c.name} ${r.cni} probe ${k}`).toEqual(matrix(r, t)))
      }
    // behaviour groups do merge label classes somewhere (else the check above would be about classes only)
    expect(merged).toBeGreaterThan(0)
  })

  it('the JSON form lists every member and expands to the same table', () => {
    for (const c of cases)
      for (const r of c.results) {
        const j = JSON.parse(collectChunks(reachChunks(r, 'classes-json'))) as {
          ports: ReadonlyArray<Readonly<Record<string, unknown>>>
          groups: ReadonlyArray<{ id: string; size: number; members: ReadonlyArray<string> }>
          flows: ReadonlyArray<{ from: string; to: ReadonlyArray<string>; ports: ReadonlyArray<Readonly<Record<string, unknown>>> }>
        }
        const groupOf = new Map(j.groups.flatMap((g) => g.members.map((m) => [m, g.id] as const)))
        const ids = r.classes.endpoints.map((e) => e.id)
        r.tables.forEach((t, k) => {
          const port = j.ports[k]
          const allowed = new Set(
            j.flows.filter((f) => f.ports.some((p) => JSON.stringify(p) === JSON.stringify(port))).flatMap((f) => f.to.map((to) => `${f.from}>${to}`))
          )
          const expanded = ids.map((a) => ids.map((b) => allowed.has(`${groupOf.get(a) ?? ''}>${groupOf.get(b) ?? ''}`)))
          expect(expanded, `${c.name} ${r.cni}`).toEqual(matrix(r, t))
        })
        expect(j.groups.map((g) => g.members.length)).toEqual(j.groups.map((g) => g.size))
      }
  })

  it('is deterministic and names groups, samples and ports in the text form', () => {
    const c = cases.find((x) => x.name === 'calico-tiers-deny-to-cilium')
    const r = c?.results[0]
    if (r === undefined) throw new Error('golden case calico-tiers-deny-to-cilium is missing')
    const text = collectChunks(reachChunks(r, 'classes'))
    expect(collectChunks(reachChunks(r, 'classes'))).toBe(text)
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^# calico: \d+ endpoints in \d+ groups that behave alike, on TCP /)
    expect(lines.filter((l) => /^G\d+: \d+ endpoints?[: ]/.test(l)).length).toBe(behaviours(r).groups.length)
    expect(lines.filter((l) => /^G\d+ -> G\d+(, G\d+)* : (TCP|UDP|SCTP) \d+/.test(l)).length).toBe(behaviours(r).flows.length)
  })
})

describe('streamed writing', () => {
  it('writes in pieces, waits for drain when the stream asks, and gives the same bytes', async () => {
    const written: Array<string> = []
    let drains = 0
    const listeners = new Map<string, Array<() => void>>()
    const stream = {
      write: (s: string) => {
        written.push(s)
        // ask to wait on every other write, and drain soon after
        if (written.length % 2 === 0) {
          setTimeout(() => {
            drains++
            for (const l of listeners.get('drain') ?? []) l()
          }, 0)
          return false
        }
        return true
      },
      on: (e: string, l: () => void) => listeners.set(e, [...(listeners.get(e) ?? []), l]),
      removeListener: (e: string, l: () => void) => listeners.set(e, (listeners.get(e) ?? []).filter((x) => x !== l))
    }
    const chunks = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(50)}\n`)
    await writeStreamed({ stdout: () => undefined, stderr: () => undefined, stdin: async () => Buffer.from(''), stdoutStream: stream as unknown as NodeJS.WritableStream }, chunks)
    expect(written.join('')).toBe(chunks.join(''))
    expect(written.length).toBeGreaterThan(2)
    expect(drains).toBeGreaterThan(0)
  })
})
