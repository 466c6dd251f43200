/**
 * Bench cases for reach with its output written (to /dev/null, through the CLI's streamed writer):
 * the class-level form at 5k, 20k and 100k pods, the pod-by-pod JSON at 5k pods, each against the
 * computation alone (issue 15: class-level ≤ 2× the computation, < 1 GiB; pod-level JSON of 5,000
 * pods × 8 ports completes, < 1 GiB).
 */
import * as fs from 'node:fs'
import { once } from 'node:events'
import type { Io } from '../../../src/cli/common.js'
import type { ReachFormat } from '../../../src/cli/output/reach-output.js'
import { reachChunks } from '../../../src/cli/output/reach-output.js'
import { writeStreamed } from '../../../src/cli/output/sink.js'
import { load } from '../../../src/cluster/inventory.js'
import { parseText } from '../../../src/io/source.js'
import * as P from '../../../src/ir/ports.js'
import { parseDocs } from '../../../src/pipeline.js'
import { modelByName } from '../../../src/semantics/models.js'
import type { Probe } from '../../../src/semantics/table.js'
import { reach } from '../../../src/semantics/table.js'
import { calicoPoliciesYaml, ciliumPoliciesYaml, clusterYaml, policiesYaml } from '../generate.js'
import { bestOf, fmt, ratio, timeAsync } from '../measure.js'

/** Eight probes: six TCP ports the generated policies single out or not, two UDP. */
export const eightPorts: ReadonlyArray<Probe> = [
  { protocol: P.TCP, port: 80 },
  { protocol: P.TCP, port: 443 },
  { protocol: P.TCP, port: 5432 },
  { protocol: P.TCP, port: 8080 },
  { protocol: P.TCP, port: 8085 },
  { protocol: P.TCP, port: 9005 },
  { protocol: P.UDP, port: 53 },
  { protocol: P.UDP, port: 5353 }
]

type Source = 'k8s' | 'calico' | 'cilium'
const generators: Readonly<Record<Source, (count: number, namespaces: number) => string>> = { k8s: policiesYaml, calico: calicoPoliciesYaml, cilium: ciliumPoliciesYaml }

const devNull = async (): Promise<{ readonly io: Io; readonly close: () => Promise<void> }> => {
  const stream = fs.createWriteStream('/dev/null')
  await once(stream, 'open')
  return {
    io: { stdout: () => undefined, stderr: (s) => void process.stderr.write(s), stdin: async () => Buffer.from(''), stdoutStream: stream },
    close: async () => {
      stream.end()
      await once(stream, 'finish')
    }
  }
}

/** reach of `policies` `source` policies on `pods` pods, 8 ports, written as `format` to /dev/null. */
export const reachWritten = async (source: Source, pods: number, namespaces: number, policies: number, format: ReachFormat): Promise<ReadonlyArray<string>> => {
  const inv = { ...load(parseText('cluster.yaml', clusterYaml(pods, namespaces)).docs).inventory, externals: [] }
  const set = parseDocs(parseText('policies.yaml', generators[source](policies, namespaces)).docs).set
  const model = modelByName(source)
  if (model === undefined) return [`no ${source} model`]
  const compute = await bestOf(2, () => reach(set, inv, model, eightPorts))
  const classes = compute.value.classes.representatives.length
  const out = await devNull()
  const written = await timeAsync(async () => {
    const r = reach(set, inv, model, eightPorts)
    await writeStreamed(out.io, reachChunks(r, format))
  })
  await out.close()
  return [
    `reach ${pods} pods / ${namespaces} namespaces / ${policies} ${source} policies × 8 ports, -o ${format} to /dev/null: ${fmt(written.cpu)} (computation alone ${fmt(compute.cpu)}, ${classes} label classes); ratio ${ratio(written, compute)}${format === 'classes' ? ' (budget 2)' : ''}`
  ]
}
