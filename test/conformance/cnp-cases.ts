/**
 * The upstream ClusterNetworkPolicy conformance truth tables (test/fixtures/conformance/cnp), as
 * data, in the shape of `cases.ts`. A column named by an IP address (the node-peer cases) is the
 * host-network pod whose `status.podIP` it is.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as YAML from 'yaml'
import type { Case, Expectation } from './cases.js'
import { patchCluster } from './cases.js'

export const cnpConformanceDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'conformance', 'cnp')

/** `status.podIP` → `namespace/name` of every pod of a cluster file. */
const podsByIp = (cluster: string): ReadonlyMap<string, string> =>
  new Map(
    YAML.parseAllDocuments(cluster).flatMap((d) => {
      const o = d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string }; status?: { podIP?: string } } | null
      return o?.kind === 'Pod' && o.status?.podIP !== undefined ? [[o.status.podIP, `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`] as const] : []
    })
  )

/** Cells `?` are not asserted: they come out as undefined and are skipped by `cnpDifferences`. */
export interface CnpExpectation extends Omit<Expectation, 'allowed'> {
  readonly allowed: ReadonlyArray<ReadonlyArray<boolean | undefined>>
}

export interface CnpCase extends Omit<Case, 'expect'> {
  readonly expect: ReadonlyArray<CnpExpectation>
}

const parseMatrix = (text: string, ips: ReadonlyMap<string, string>): { endpoints: ReadonlyArray<string>; allowed: ReadonlyArray<ReadonlyArray<boolean | undefined>> } => {
  const lines = text.trim().split('\n').map((l) => l.trim().split(/\s+/))
  const columns = (lines[0] ?? []).slice(1).map((c) => ips.get(c) ?? c)
  const rows = lines.slice(1).map((cells) => cells[0] ?? '')
  const endpoints = [...new Set([...rows, ...columns])]
  const allowed = endpoints.map((src) => {
    const r = rows.indexOf(src)
    return endpoints.map((dst) => {
      const k = columns.indexOf(dst)
      const cell = r < 0 || k < 0 ? '?' : (lines[r + 1]?.[k + 1] ?? '?')
      return cell === '.' ? true : cell === 'X' ? false : undefined
    })
  })
  return { endpoints, allowed }
}

export const loadCnpCases = (): ReadonlyArray<CnpCase> => {
  const base = fs.readFileSync(path.join(cnpConformanceDir, '_cluster.yaml'), 'utf8')
  return fs
    .readdirSync(cnpConformanceDir)
    .filter((f) => /^\d{3}-.*\.yaml$/.test(f))
    .sort()
    .map((file) => {
      const raw = YAML.parse(fs.readFileSync(path.join(cnpConformanceDir, file), 'utf8')) as {
        name: string
        policies: string
        cluster_patch?: string
        expect: ReadonlyArray<{ protocol: string; port: number; matrix: string }>
      }
      const cluster = patchCluster(base, raw.cluster_patch)
      const ips = podsByIp(cluster)
      return {
        file,
        name: raw.name,
        policies: raw.policies,
        cluster,
        expect: raw.expect.map((e) => ({ protocol: e.protocol, port: e.port, ...parseMatrix(e.matrix, ips) }))
      }
    })
}

/** Asserted cells where `actual` differs from the expectation, as readable lines. */
export const cnpDifferences = (exp: CnpExpectation, endpoints: ReadonlyArray<string>, allowed: ReadonlyArray<ReadonlyArray<boolean>>): ReadonlyArray<string> => {
  const out: Array<string> = []
  exp.endpoints.forEach((src, i) =>
    exp.endpoints.forEach((dst, j) => {
      const e = exp.allowed[i]?.[j]
      if (i === j || e === undefined) return
      const a = allowed[endpoints.indexOf(src)]?.[endpoints.indexOf(dst)]
      if (a !== e) out.push(`${src} -> ${dst} ${exp.port}/${exp.protocol}: expected ${e ? 'allowed' : 'denied'}, got ${a === undefined ? 'missing' : a ? 'allowed' : 'denied'}`)
    })
  )
  return out
}
