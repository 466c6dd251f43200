/**
 * `explain` on the upstream ClusterNetworkPolicy conformance tables (test/fixtures/conformance/cnp):
 * under k8s, cilium and calico, for every flow between the case's endpoints on every probe of the
 * case, the trace's verdict equals `reach`'s and each direction agrees with the model's truth table
 * (never INCONSISTENT); under k8s the verdict also equals every asserted cell of the upstream table.
 * Under k8s and cilium each case's traces go through the Admin → policies → Baseline chain (some
 * direction reports an admin and a baseline step), a rule a trace names as deciding lies in the
 * tier it is reported in, and every cluster rule a k8s trace names (deciding or passing) matches the
 * flow under the independent CNP oracle (test/oracle/cnp.ts) on the raw policy cut down to that rule,
 * made a Deny.
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
import { loadCnpCases } from '../conformance/cnp-cases.js'
import * as Cnp from '../oracle/cnp.js'
import type { Peer, Protocol } from '../oracle/inventory.js'
import { endpoints as oracleEndpoints, peerId } from '../oracle/inventory.js'

type Raw = { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string }; readonly spec: Readonly<Record<string, unknown>> }

const rawPolicies = (yaml: string): ReadonlyArray<Raw> =>
  YAML.parseAllDocuments(yaml)
    .map((d) => d.toJS() as Raw | null)
    .filter((o): o is Raw => o !== null)

/** Whether rule `index` (1-based) of raw cluster policy `name` in direction `d`, alone and made a Deny, blocks the flow under the oracle. */
const oracleMatches = (raws: ReadonlyArray<Raw>, name: string, d: 'ingress' | 'egress', index: number, inv: Inventory, from: Peer, to: Peer, protocol: Protocol, port: number): boolean => {
  const raw = raws.find((r) => r.metadata.name === name)
  const rules = raw?.spec[d]
  const rule: unknown = Array.isArray(rules) ? rules[index - 1] : undefined
  if (raw === undefined || typeof rule !== 'object' || rule === null) return false
  const cut = { ...raw, spec: { tier: 'Admin', priority: 1, subject: raw.spec.subject, [d]: [{ ...rule, action: 'Deny' }] } }
  return !Cnp.allowed([cut], inv, from, to, protocol, port)
}

const cases = loadCnpCases()

const protocolOf = (p: string): number => (p === 'UDP' ? P.UDP : p === 'SCTP' ? P.SCTP : P.TCP)

/** A deciding or passing rule reported by a cluster tier must be a rule of a policy of that tier. */
const tierProblems = (t: DirectionTrace): ReadonlyArray<string> =>
  (
    [
      ['Admin', t.admin],
      ['Baseline', t.baseline]
    ] as const
  ).flatMap(([tier, s]) =>
    s !== undefined && (s._tag === 'passed' || s._tag === 'decided') && s.rule.policy.tier !== tier ? [`${t.direction}: ${tier} step names ${s.rule.policy.name} of tier ${String(s.rule.policy.tier)}`] : []
  )

describe('explain on the upstream ClusterNetworkPolicy conformance tables', () => {
  it('has every case', () => expect(cases.length).toBe(48))
  for (const cni of ['k8s', 'cilium', 'calico'] as const)
    for (const c of cases)
      it(`${cni}: ${c.file}`, () => {
        const model = modelByName(cni)
        if (model === undefined) throw new Error(cni)
        const inv = load(parseText('cluster.yaml', c.cluster).docs).inventory
        const parsed = parseDocs(parseText('policies.yaml', c.policies).docs)
        expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
        const probes = c.expect.map((e) => ({ protocol: protocolOf(e.protocol), port: e.port }))
        const { reach, explainer } = explainReach(parsed.set, inv, model, probes)
        const ids = reach.classes.endpoints.map((e) => e.id)
        const peers = oracleEndpoints(inv)
        expect(peers.map(peerId)).toEqual(ids)
        const raws = rawPolicies(c.policies)
        const problems: Array<string> = []
        let tiered = 0
        reach.tables.forEach((t, k) => {
          const m = matrix(reach, t)
          const exp = c.expect[k]
          ids.forEach((from, i) =>
            ids.forEach((to, j) => {
              const f = explainer.flow(i, j, t.probe)
              const where = `${from} -> ${to} ${t.probe.port}/${exp?.protocol ?? '?'}`
              if (f.allowed !== m[i]?.[j]) problems.push(`${where}: explain ${f.allowed}, reach ${String(m[i]?.[j])}`)
              if (!f.egress.consistent || !f.ingress.consistent) problems.push(`${where}: INCONSISTENT`)
              problems.push(...[f.egress, f.ingress].flatMap(tierProblems).map((s) => `${where}: ${s}`))
              for (const d of [f.egress, f.ingress]) if (d.admin !== undefined && d.baseline !== undefined) tiered++
              if (cni !== 'k8s') return
              const a0 = peers[i]
              const b0 = peers[j]
              const protocol = (exp?.protocol ?? 'TCP') as Protocol
              for (const d of [f.egress, f.ingress])
                for (const s of [d.admin, d.baseline])
                  if (a0 !== undefined && b0 !== undefined && s !== undefined && (s._tag === 'passed' || s._tag === 'decided'))
                    if (!oracleMatches(raws, s.rule.policy.name, d.direction, s.rule.index, inv, a0, b0, protocol, t.probe.port))
                      problems.push(`${where}: ${d.direction}: rule ${s.rule.index} of ${s.rule.policy.name} named, but it does not match the flow`)
              if (exp === undefined || i === j) return
              const a = exp.endpoints.indexOf(from)
              const b = exp.endpoints.indexOf(to)
              const cell = a < 0 || b < 0 ? undefined : exp.allowed[a]?.[b]
              if (cell !== undefined && cell !== f.allowed) problems.push(`${where}: explain ${f.allowed}, upstream ${cell}`)
            })
          )
        })
        expect(problems).toEqual([])
        if (cni === 'calico') expect(tiered).toBe(0)
        else expect(tiered).toBeGreaterThan(0)
      })
})
