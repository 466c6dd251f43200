/**
 * `explain` against the upstream e2e fixtures (test/fixtures/conformance/k8s-e2e): under each CNI,
 * for every flow of every case and probe, the explanation's verdict equals `reach`'s, each direction
 * agrees with the model's truth table, and the deciding rule matches the flow — checked for the
 * k8s and calico models with the independent Kubernetes oracle (test/oracle/k8s.ts) on the raw
 * policy cut down to that one rule; a default-deny verdict is checked there by no single rule of
 * the named policies matching.
 */
import { describe, expect, it } from 'vitest'
import * as YAML from 'yaml'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import { parseText } from '../../src/io/source.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs } from '../../src/pipeline.js'
import type { DirectionTrace } from '../../src/semantics/explain.js'
import { explainReach } from '../../src/semantics/explain.js'
import { modelByName } from '../../src/semantics/models.js'
import { matrix } from '../../src/semantics/table.js'
import { loadCases } from '../conformance/cases.js'
import * as K8s from '../oracle/k8s.js'
import type { Peer, Protocol } from '../oracle/inventory.js'
import { endpoints as oracleEndpoints, peerId } from '../oracle/inventory.js'

type Raw = { readonly metadata: { readonly name: string; readonly namespace?: string }; readonly spec: Readonly<Record<string, unknown>> }

const cases = loadCases()

const rawPolicies = (yaml: string): ReadonlyArray<Raw> =>
  YAML.parseAllDocuments(yaml)
    .map((d) => d.toJS() as Raw | null)
    .filter((o): o is Raw => o !== null)

const nameOf = (r: Raw): string => `${r.metadata.namespace ?? 'default'}/${r.metadata.name}`

/** The raw policy `name` governing only direction `d` with only its rule `index` (1-based). */
const oneRule = (raws: ReadonlyArray<Raw>, name: string, d: 'ingress' | 'egress', index: number): Raw => {
  const raw = raws.find((r) => nameOf(r) === name)
  if (raw === undefined) throw new Error(`no raw policy ${name}`)
  const rules = raw.spec[d]
  if (!Array.isArray(rules) || rules[index - 1] === undefined) throw new Error(`${name} has no ${d} rule ${index}`)
  return { ...raw, spec: { podSelector: raw.spec.podSelector, policyTypes: [d === 'ingress' ? 'Ingress' : 'Egress'], [d]: [rules[index - 1]] } }
}

/** Under the k8s oracle, whether policy `p` alone lets the flow through in its one direction. */
const oracleAllows = (p: Raw, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number): boolean => K8s.allowed([p], inv, from, to, protocol, port)

const checkRule = (t: DirectionTrace, raws: ReadonlyArray<Raw>, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number): ReadonlyArray<string> => {
  const d = t.direction
  const problems: Array<string> = []
  if (t.decision._tag === 'rule') {
    const r = t.decision.rule
    if (!oracleAllows(oneRule(raws, r.policy.name, d, r.index), inv, from, to, protocol, port))
      problems.push(`${d}: rule ${r.index} of ${r.policy.name} named, but it does not match the flow`)
  }
  if (t.decision._tag === 'defaultDeny' || t.decision._tag === 'tierDefault') {
    for (const p of t.policies) {
      const raw = raws.find((r) => nameOf(r) === p.name)
      const rules = raw?.spec[d]
      for (let i = 1; Array.isArray(rules) && i <= rules.length; i++)
        if (oracleAllows(oneRule(raws, p.name, d, i), inv, from, to, protocol, port)) problems.push(`${d}: default deny named, but rule ${i} of ${p.name} matches`)
    }
  }
  return problems
}

describe('explain on the upstream e2e fixtures', () => {
  it('has every case', () => expect(cases.length).toBe(34))
  for (const cni of ['k8s', 'calico', 'cilium'] as const)
    for (const c of cases) {
      it(`${cni}: ${c.file}`, () => {
        const model = modelByName(cni)
        if (model === undefined) throw new Error(cni)
        const inv = load(parseText('cluster.yaml', c.cluster).docs).inventory
        const parsed = parseDocs(parseText('policies.yaml', c.policies.trim() === '' ? '# none\n' : c.policies).docs)
        expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
        const raws = rawPolicies(c.policies)
        // every raw rule is one IR rule, in order (so rule indices name the raw rules)
        for (const p of parsed.set.policies) {
          const raw = raws.find((r) => nameOf(r) === `${p.origin.namespace}/${p.origin.name}`)
          for (const d of ['ingress', 'egress'] as const) {
            const rr = raw?.spec[d]
            expect(p[d]?.rules.length ?? 0).toBe(Array.isArray(rr) ? rr.length : 0)
          }
        }
        const probes = c.expect.map((e) => ({ protocol: e.protocol === 'UDP' ? P.UDP : e.protocol === 'SCTP' ? P.SCTP : P.TCP, port: e.port }))
        const { reach, explainer } = explainReach(parsed.set, inv, model, probes)
        const peers = oracleEndpoints(inv)
        const ids = reach.classes.endpoints.map((e) => e.id)
        expect(peers.map(peerId)).toEqual(ids)
        const problems: Array<string> = []
        reach.tables.forEach((t, k) => {
          const m = matrix(reach, t)
          const protocol = (c.expect[k]?.protocol ?? 'TCP') as Protocol
          ids.forEach((from, i) =>
            ids.forEach((to, j) => {
              const f = explainer.flow(i, j, t.probe)
              const where = `${from} -> ${to} ${t.probe.port}/${protocol}`
              if (f.allowed !== m[i]?.[j]) problems.push(`${where}: explain ${f.allowed}, reach ${String(m[i]?.[j])}`)
              if (!f.egress.consistent || !f.ingress.consistent) problems.push(`${where}: inconsistent direction`)
              const a = peers[i]
              const b = peers[j]
              if (cni === 'cilium' || a === undefined || b === undefined) return
              problems.push(...checkRule(f.egress, raws, inv, a, b, protocol, t.probe.port).map((s) => `${where}: ${s}`))
              problems.push(...checkRule(f.ingress, raws, inv, a, b, protocol, t.probe.port).map((s) => `${where}: ${s}`))
            })
          )
        })
        expect(problems).toEqual([])
      })
    }
})
