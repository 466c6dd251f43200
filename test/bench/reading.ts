/**
 * Reading large inputs (issue 14 item 4): one file of many small policies, read and parsed into the
 * IR at growing sizes, so the figures show whether the cost is linear in the input. Printed, never
 * asserted. `NETPOLX_BENCH_READ_MB` sets the largest size (default 100, about 300,000 documents).
 */
import { performance } from 'node:perf_hooks'
import { parseBytes } from '../../src/io/read.js'
import { parseDocs } from '../../src/pipeline.js'

/** About 330 bytes of YAML per document, as in the 100 MB / 300k documents. */
const policyYaml = (i: number): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-web-${i}\n  namespace: ns-${i % 500}\n  labels: {team: team-${i % 20}}\nspec:\n  podSelector:\n    matchLabels: {app: web-${i % 7}}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {app: client}\n    ports:\n    - {protocol: TCP, port: 8080}\n`

const documents = (megabytes: number): ReadonlyArray<string> => {
  const out: Array<string> = []
  let size = 0
  for (let i = 0; size < megabytes * 2 ** 20; i++) {
    const d = policyYaml(i)
    out.push(d)
    size += d.length + 4
  }
  return out
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

/** Reads YAML and JSON inputs of growing size; `say` prints one line per measurement. */
export const readingBench = (say: (line: string) => void): void => {
  const max = Number(process.env['NETPOLX_BENCH_READ_MB'] ?? '100')
  const sizes = [...new Set([Math.max(1, Math.round(max / 10)), Math.max(1, Math.round(max / 3)), max])]
  for (const mb of sizes) {
    const docs = documents(mb)
    for (const format of ['yaml', 'json'] as const) {
      const text =
        format === 'yaml'
          ? docs.join('---\n')
          : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs.map((_, i) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `allow-web-${i}`, namespace: `ns-${i % 500}` }, spec: { podSelector: {} } })) })
      const bytes = Buffer.from(text, 'utf8')
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      const read = parseBytes(`bench.${format}`, bytes)
      const t1 = performance.now()
      const cpu = process.cpuUsage(cpu0)
      const parsed = parseDocs(read.docs)
      const t2 = performance.now()
      const rss = process.memoryUsage().rss / 2 ** 20
      say(
        `read ${(bytes.length / 2 ** 20).toFixed(1)} MB ${format.toUpperCase()}, ${read.docs.length} documents: read ${secs(t1 - t0)} (CPU ${secs((cpu.user + cpu.system) / 1000)}; ${((1000 * (t1 - t0)) / Math.max(1, read.docs.length)).toFixed(0)} µs/document), parse to IR ${secs(t2 - t1)}, ${parsed.set.policies.length} policies, ${rss.toFixed(0)} MiB resident`
      )
    }
  }
}
