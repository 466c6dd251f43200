/**
 * `npm run bench`: measured figures for DESIGN.md §8's budgets, printed as a table. Nothing here is
 * asserted: budgets are read by people, not by timed tests.
 */
import { performance } from 'node:perf_hooks'
import * as YAML from 'yaml'
import { k8s as k8sDialect } from '../../dialects/k8s/index.js'
import { load } from '../../src/cluster/inventory.js'
import { parseText } from '../../src/io/source.js'
import { serialise } from '../../src/io/serialise.js'
import * as P from '../../src/ir/ports.js'
import { parseDocs, translate } from '../../src/pipeline.js'
import { k8s } from '../../src/semantics/k8s.js'
import { matrix, reach } from '../../src/semantics/table.js'
import { clusterYaml, policiesYaml } from './generate.js'
import { readingBench } from './reading.js'

/** Collects garbage before a timed run when node runs with --expose-gc, so runs do not pay for each other's garbage. */
const collect = (): void => {
  const gc: unknown = (globalThis as Record<string, unknown>).gc
  if (typeof gc === 'function') gc()
}

const time = <A>(f: () => A): { readonly ms: number; readonly value: A } => {
  collect()
  const t0 = performance.now()
  const value = f()
  return { ms: performance.now() - t0, value }
}

/** Best of `n` runs (the first run also warms the JIT). */
const best = <A>(n: number, f: () => A): { readonly ms: number; readonly value: A } => {
  let r = time(f)
  for (let i = 1; i < n; i++) {
    const s = time(f)
    if (s.ms < r.ms) r = s
  }
  return r
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
const mib = (): string => {
  collect()
  const m = process.memoryUsage()
  return `${(m.heapUsed / 2 ** 20).toFixed(0)} MiB live heap, ${(m.rss / 2 ** 20).toFixed(0)} MiB resident`
}

const lines: Array<string> = []
const say = (s: string) => {
  lines.push(s)
  process.stdout.write(`${s}\n`)
}

// ---- translate ----------------------------------------------------------------------------

/** Runs `a` and `b` alternately `n` times and keeps each one's best time, so drift in the machine's speed hits both alike. */
const interleaved = (n: number, a: () => unknown, b: () => unknown): readonly [number, number] => {
  let ba = Infinity
  let bb = Infinity
  for (let i = 0; i < n; i++) {
    ba = Math.min(ba, time(a).ms)
    bb = Math.min(bb, time(b).ms)
  }
  return [ba, bb]
}

const translateBench = (count: number) => {
  const text = policiesYaml(count, Math.max(1, Math.floor(count / 4)))
  const [yamlOnly, ours] = interleaved(
    5,
    () => YAML.parseAllDocuments(text).map((d) => YAML.stringify(d.toJS() as unknown)).join('---\n'),
    () => {
      const { docs } = parseText('bench.yaml', text)
      const parsed = parseDocs(docs)
      const t = translate(parsed, k8sDialect, undefined)
      return serialise(t.objects, 'yaml')
    }
  )
  const items = YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown)
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items })
  const [jsonOnly, jsonPath] = interleaved(
    5,
    () => JSON.stringify((JSON.parse(json) as { items: ReadonlyArray<unknown> }).items),
    () => {
      const { docs } = parseText('bench.json', json)
      const parsed = parseDocs(docs)
      return serialise(translate(parsed, k8sDialect, undefined).objects, 'json')
    }
  )
  say(`translate ${count} policies, YAML in and out: ${fmt(ours)}; yaml alone parse+stringify: ${fmt(yamlOnly)}; ratio ${(ours / yamlOnly).toFixed(2)} (budget 1.25)`)
  say(`translate ${count} policies, JSON in and out: ${fmt(jsonPath)}; JSON.parse+stringify alone: ${fmt(jsonOnly)}`)
}

// ---- reach --------------------------------------------------------------------------------

const reachBench = (pods: number, namespaces: number, policies: number, withMatrix: boolean) => {
  collect()
  const inv = load(parseText('cluster.yaml', clusterYaml(pods, namespaces)).docs).inventory
  const set = parseDocs(parseText('policies.yaml', policiesYaml(policies, namespaces)).docs).set
  const probe = [{ protocol: P.TCP, port: 8080 }]
  const r = best(2, () => reach(set, { ...inv, externals: [] }, k8s, probe))
  const classes = r.value.classes.representatives.length
  let extra = ''
  if (withMatrix) {
    const m = time(() => {
      const t = r.value.tables[0]
      return t === undefined ? 0 : matrix(r.value, t).length
    })
    extra = `; endpoint matrix (${pods}×${pods}) ${fmt(m.ms)}`
  }
  say(`reach ${pods} pods / ${namespaces} namespaces / ${policies} policies, 1 port: ${fmt(r.ms)} (${classes} label classes)${extra}; memory after: ${mib()}`)
}

say(`netpolx bench — node ${process.version}, ${new Date().toISOString().slice(0, 10)}`)
translateBench(10_000)
reachBench(1_000, 100, 200, true)
reachBench(5_000, 500, 1_000, true)
reachBench(20_000, 2_000, 2_000, false)
reachBench(100_000, 2_000, 1_000, false)
readingBench(say)
