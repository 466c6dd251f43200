/**
 * Every upstream ClusterNetworkPolicy conformance truth table reproduces under `reach --cni k8s`
 * (the API's own semantics), through the CLI's JSON output.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from '../cli/harness.js'
import type { CnpCase } from './cnp-cases.js'
import { cnpDifferences, loadCnpCases } from './cnp-cases.js'

const cases = loadCnpCases()

interface ReachJson {
  readonly cni: string
  readonly endpoints: ReadonlyArray<string>
  readonly tables: ReadonlyArray<{ readonly port: number; readonly protocol: string; readonly allowed: ReadonlyArray<ReadonlyArray<boolean>> }>
}

/** `netpolx reach -o json --cni CNI` of a policy file on the case's cluster, as differences from the case's tables, and its stderr. */
export const cnpReach = async (cni: string, dir: string, policyFile: string, c: CnpCase): Promise<{ readonly differences: ReadonlyArray<string>; readonly stderr: string }> => {
  const ports = c.expect.flatMap((e) => ['--port', `${e.port}/${e.protocol}`])
  const r = await runCli(['reach', '-f', policyFile, '--cluster', path.join(dir, 'cluster.yaml'), '--cni', cni, '-o', 'json', ...ports])
  expect(r.code).toBe(0)
  const out = JSON.parse(r.stdout) as ReachJson
  expect(out.cni).toBe(cni)
  const differences = c.expect.flatMap((e, k) => {
    const t = out.tables[k]
    expect(t?.port).toBe(e.port)
    expect(t?.protocol).toBe(e.protocol)
    return cnpDifferences(e, out.endpoints, t?.allowed ?? [])
  })
  return { differences, stderr: r.stderr }
}

describe('upstream ClusterNetworkPolicy conformance under the k8s model', () => {
  it('has every case, each asserting some cell', () => {
    expect(cases.length).toBe(48)
    for (const c of cases) expect(c.expect.some((e) => e.allowed.some((row) => row.some((x) => x !== undefined)))).toBe(true)
  })

  for (const c of cases)
    it(`${c.file}: ${c.name}`, async () => {
      const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
      const r = await cnpReach('k8s', dir, path.join(dir, 'policies.yaml'), c)
      expect(r.stderr).toBe('')
      expect(r.differences).toEqual([])
    })
})

/**
 * After `translate --to T`, the output under T's model: the same table, or a lossy translation
 * (exit 1) that names the construct. Which cases are lossy is part of the expectation:
 * - calico: node peers (a Calico rule cannot select node addresses by node labels);
 * - cilium: networks peers covering pod or node addresses (Cilium's default
 *   policy-cidr-match-mode matches external addresses only).
 */
const translations: ReadonlyArray<{ readonly to: string; readonly cni: string; readonly lossy: ReadonlyMap<string, string> }> = [
  { to: 'k8s', cni: 'k8s', lossy: new Map() },
  { to: 'cnp', cni: 'k8s', lossy: new Map() },
  { to: 'anp', cni: 'k8s', lossy: new Map() },
  {
    to: 'calico',
    cni: 'calico',
    lossy: new Map([
      ['003-admin-egress-node-peers--pass-egress-node-peer.yaml', 'unsupported-peer'],
      ['063-baseline-egress-node-peers--deny-egress-node-peer.yaml', 'unsupported-peer']
    ])
  },
  {
    to: 'cilium',
    cni: 'cilium',
    lossy: new Map(
      [
        '003-admin-egress-node-peers--pass-egress-node-peer.yaml',
        '005-admin-egress-inline-cidr-peers--deny-egress-cidr-peer-step1.yaml',
        '007-admin-egress-inline-cidr-peers--deny-egress-cidr-peer-step3.yaml',
        '063-baseline-egress-node-peers--deny-egress-node-peer.yaml',
        '065-baseline-egress-inline-cidr-peers--deny-egress-cidr-peer-step1.yaml',
        '067-baseline-egress-inline-cidr-peers--deny-egress-cidr-peer-step3.yaml'
      ].map((f) => [f, 'cilium-cidr-match-mode'] as const)
    )
  }
]

for (const { to, cni, lossy } of translations)
  describe(`upstream ClusterNetworkPolicy conformance after translate --to ${to}, under the ${cni} model`, () => {
    for (const c of cases)
      it(`${c.file}`, async () => {
        const dir = tempFiles({ 'cluster.yaml': c.cluster, 'policies.yaml': c.policies })
        const t = await runCli(['translate', '-f', path.join(dir, 'policies.yaml'), '--to', to, '--allow-lossy'])
        const construct = lossy.get(c.file)
        if (construct === undefined) {
          expect(t.stderr).toBe('')
          expect(t.code).toBe(0)
        } else {
          expect(t.code).toBe(1)
          expect(t.stderr).toContain(` ${construct}: `)
        }
        fs.writeFileSync(path.join(dir, 'translated.yaml'), t.stdout)
        const r = await cnpReach(cni, dir, path.join(dir, 'translated.yaml'), c)
        if (construct === undefined) expect(r.differences).toEqual([])
      })
  })
