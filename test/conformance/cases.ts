/**
 * The upstream Kubernetes NetworkPolicy e2e truth tables (test/fixtures/conformance/k8s-e2e), as
 * data: each case's policies, its cluster (the standard cluster with the case's patch applied),
 * and the expected matrices.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as YAML from 'yaml'
import { expect } from 'vitest'
import { runCli } from '../cli/harness.js'

export const conformanceDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'conformance', 'k8s-e2e')

export interface Expectation {
  readonly protocol: string
  readonly port: number
  readonly endpoints: ReadonlyArray<string>
  /** allowed[i][j]: endpoints[i] may connect to endpoints[j] */
  readonly allowed: ReadonlyArray<ReadonlyArray<boolean>>
}

/** The empty policy set as `kubectl get networkpolicies -A -o yaml` prints it after every policy was deleted. */
export const emptyPolicies = 'apiVersion: v1\nkind: List\nitems: []\n'

export interface Case {
  readonly file: string
  readonly name: string
  /** The case's policies; a case without policies (all deleted) holds `emptyPolicies`. */
  readonly policies: string
  readonly cluster: string
  readonly expect: ReadonlyArray<Expectation>
}

const parseMatrix = (text: string): { endpoints: ReadonlyArray<string>; allowed: ReadonlyArray<ReadonlyArray<boolean>> } => {
  const lines = text.trim().split('\n').map((l) => l.trim().split(/\s+/))
  const endpoints = (lines[0] ?? []).slice(1)
  const allowed = lines.slice(1).map((cells) => cells.slice(1).map((c) => c === '.'))
  return { endpoints, allowed }
}

const keyOf = (o: unknown): string => {
  const m = (o as { kind?: string; metadata?: { name?: string; namespace?: string } }) ?? {}
  return `${m.kind ?? ''}/${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`
}

/** The standard cluster with the patch's objects replacing those of the same kind, namespace and name. */
/** The base cluster with the documents of `patch` replacing those of the same kind/namespace/name. */
export const patchCluster = (base: string, patch: string | undefined): string => {
  if (patch === undefined || patch.trim() === '') return base
  const replacements = new Map(YAML.parseAllDocuments(patch).map((d) => [keyOf(d.toJS()), d.toJS() as unknown]))
  return YAML.parseAllDocuments(base)
    .map((d) => {
      const v: unknown = d.toJS()
      return YAML.stringify(replacements.get(keyOf(v)) ?? v)
    })
    .join('---\n')
}

export const loadCases = (): ReadonlyArray<Case> => {
  const base = fs.readFileSync(path.join(conformanceDir, '_cluster.yaml'), 'utf8')
  return fs
    .readdirSync(conformanceDir)
    .filter((f) => /^\d{3}-.*\.yaml$/.test(f))
    .sort()
    .map((file) => {
      const raw = YAML.parse(fs.readFileSync(path.join(conformanceDir, file), 'utf8')) as {
        name: string
        policies: string
        cluster_patch?: string
        expect: ReadonlyArray<{ protocol: string; port: number; matrix: string }>
      }
      return {
        file,
        name: raw.name,
        policies: raw.policies.trim() === '' ? emptyPolicies : raw.policies,
        cluster: patchCluster(base, raw.cluster_patch),
        expect: raw.expect.map((e) => ({ protocol: e.protocol, port: e.port, ...parseMatrix(e.matrix) }))
      }
    })
}

/** Cells (off the diagonal) where `actual` differs from the expectation, as readable lines. */
export const differences = (
  exp: Expectation,
  endpoints: ReadonlyArray<string>,
  allowed: ReadonlyArray<ReadonlyArray<boolean>>
): ReadonlyArray<string> => {
  const out: Array<string> = []
  exp.endpoints.forEach((src, i) =>
    exp.endpoints.forEach((dst, j) => {
      if (i === j) return
      const a = allowed[endpoints.indexOf(src)]?.[endpoints.indexOf(dst)]
      const e = exp.allowed[i]?.[j]
      if (a !== e) out.push(`${src} -> ${dst} ${exp.port}/${exp.protocol}: expected ${e === true ? 'allowed' : 'denied'}, got ${a === undefined ? 'missing' : a ? 'allowed' : 'denied'}`)
    })
  )
  return out
}

interface ReachJson {
  readonly cni: string
  readonly endpoints: ReadonlyArray<string>
  readonly tables: ReadonlyArray<{ readonly port: number; readonly protocol: string; readonly allowed: ReadonlyArray<ReadonlyArray<boolean>> }>
}

/** `netpolx reach -o json --cni CNI` of a policy file on the case's cluster (in `dir`), as differences from the case's tables. */
export const reachDifferences = async (cni: string, dir: string, policyFile: string, c: Case): Promise<ReadonlyArray<string>> => {
  const ports = c.expect.flatMap((e) => ['--port', `${e.port}/${e.protocol}`])
  const r = await runCli(['reach', '-f', policyFile, '--cluster', path.join(dir, 'cluster.yaml'), '--cni', cni, '-o', 'json', ...ports])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const out = JSON.parse(r.stdout) as ReachJson
  expect(out.cni).toBe(cni)
  return c.expect.flatMap((e, k) => {
    const t = out.tables[k]
    expect(t?.port).toBe(e.port)
    expect(t?.protocol).toBe(e.protocol)
    return differences(e, out.endpoints, t?.allowed ?? [])
  })
}
