import { Command, Option } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import type { External } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as P from '../ir/ports.js'
import { defaultCni, parseDocs } from '../pipeline.js'
import { modelByName } from '../semantics/models.js'
import type { Probe, Reach } from '../semantics/table.js'
import { defaultProbes, matrix, reach } from '../semantics/table.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit, usageError } from './common.js'
import { loadCluster } from './translate.js'
import { reachHtml } from '../view/html-reach.js'
import { reachCsvChunks, reachCutJson, reachText } from '../view/reach-text.js'
import type { Selector } from '../view/select.js'
import { parseSelector, selectIndices } from '../view/select.js'

/** The `netpolx explain` command line a report offers for flows it has no embedded explanation of. */
export const explainCmd = (files: ReadonlyArray<string>, cluster: ReadonlyArray<string>, cni: string): string =>
  ['netpolx explain', ...files.map((f) => `-f ${f}`), ...cluster.map((c) => `--cluster ${c}`), `--cni ${cni}`].join(' ')

const selectorsOrExit = (io: Io, flag: string, texts: ReadonlyArray<string> | undefined): ReadonlyArray<Selector> =>
  (texts ?? []).map((t) => {
    const s = parseSelector(t)
    if (E.isLeft(s)) throw usageError(io, `${flag}: ${s.left}`)
    return s.right
  })

interface Options {
  readonly filename: ReadonlyArray<string>
  readonly cluster: ReadonlyArray<string>
  readonly cni: string | undefined
  readonly port: ReadonlyArray<string> | undefined
  readonly external: ReadonlyArray<string> | undefined
  readonly output: 'table' | 'json' | 'csv' | 'html'
  readonly from: ReadonlyArray<string> | undefined
  readonly to: ReadonlyArray<string> | undefined
  readonly verbose: boolean
}

/** `80`, `80/TCP`, `53/udp` */
export const parseProbe = (s: string): E.Either<string, Probe> => {
  const m = /^(\d{1,5})(?:\/([A-Za-z]+))?$/.exec(s)
  if (m === null) return E.left(`invalid --port "${s}": expected PORT or PORT/PROTOCOL, e.g. 80/TCP`)
  const port = Number(m[1])
  if (port < 1 || port > 65535) return E.left(`invalid --port "${s}": port must be 1-65535`)
  const proto = (m[2] ?? 'TCP').toUpperCase()
  const protocol = proto === 'TCP' ? P.TCP : proto === 'UDP' ? P.UDP : proto === 'SCTP' ? P.SCTP : undefined
  return protocol === undefined ? E.left(`invalid --port "${s}": protocol must be TCP, UDP or SCTP`) : E.right({ protocol, port })
}

/** The JSON contract of DESIGN.md §6. */
export const reachJson = (r: Reach): string => {
  const endpoints = r.classes.endpoints.map((e) => e.id)
  const tables = r.tables.map((t) => ({ port: t.probe.port, protocol: P.protocolName(t.probe.protocol), allowed: matrix(r, t) }))
  const rows = tables.map(
    (t) =>
      `    {"port": ${t.port}, "protocol": ${JSON.stringify(t.protocol)}, "allowed": [\n${t.allowed.map((row) => `      [${row.join(', ')}]`).join(',\n')}\n    ]}`
  )
  return `{\n  "cni": ${JSON.stringify(r.cni)},\n  "endpoints": ${JSON.stringify(endpoints)},\n  "tables": [\n${rows.join(',\n')}\n  ]\n}\n`
}

/** Upstream's truth-table printout: rows are sources, columns destinations, `.` allowed, `X` denied. */
export const reachTable = (r: Reach): string => {
  const ids = r.classes.endpoints.map((e) => e.id)
  const width = Math.max(1, ...ids.map((s) => s.length))
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - s.length))
  return r.tables
    .map((t) => {
      const m = matrix(r, t)
      const header = `${pad('-', width)}  ${ids.join(' ')}`
      const lines = m.map((row, i) => `${pad(ids[i] ?? '', width)}  ${row.map((ok, j) => pad(ok ? '.' : 'X', (ids[j] ?? '').length)).join(' ')}`.trimEnd())
      return `${t.probe.port}/${P.protocolName(t.probe.protocol)}\n${header}\n${lines.join('\n')}\n`
    })
    .join('\n')
}

export const reachCommand = (io: Io): Command =>
  new Command('reach')
    .description(
      "Compute who can connect to whom: a truth table of the policies on a cluster inventory under a CNI's enforcement model. Rows are sources, columns destinations; '.' allowed, 'X' denied."
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 computed, 2 unreadable or invalid input, bad invocation.\n\nExample:\n  netpolx reach -f policies/ --cluster cluster.yaml --port 80/TCP --external 8.8.8.8'
    )
    .requiredOption('-f, --filename <path>', 'policies: a file, a directory or - for standard input; repeatable', collect)
    .requiredOption('--cluster <path>', 'the cluster inventory: Namespace, Pod, Node, Service manifests or kubectl get -o yaml dumps; repeatable', collect)
    .addOption(new Option('--cni <cni>', 'enforcement model (default: the dialect of the documents; k8s for Kubernetes-only sets)').choices(['k8s', 'calico', 'cilium']))
    .option('--port <port>', 'probe PORT[/PROTOCOL] (default protocol TCP); repeatable (default: every port the policies single out)', collect)
    .option('--external <ip>', 'an address outside the cluster to include as an endpoint; repeatable', collect)
    .option('--from <selector>', "only these sources: NAMESPACE/NAME (globs * and ?; a bare name is a namespace) or a label selector like app=web,tier!=db; repeatable", collect)
    .option('--to <selector>', 'only these destinations (as --from); repeatable', collect)
    .addOption(new Option('-o, --output <format>', 'output format (json: with --from/--to, "from" and "to" replace "endpoints")').choices(['table', 'json', 'csv', 'html']).default('table'))
    .option('-v, --verbose', 'also print info-level notes', false)
    .action(async (opts: Options) => {
      const from = selectorsOrExit(io, '--from', opts.from)
      const to = selectorsOrExit(io, '--to', opts.to)
      const probes: Array<Probe> = []
      for (const p of opts.port ?? []) {
        const r = parseProbe(p)
        if (E.isLeft(r)) throw usageError(io, r.left)
        probes.push(r.right)
      }
      const externals: Array<External> = []
      for (const x of opts.external ?? []) {
        const ip = C.parseIp(x)
        if (E.isLeft(ip)) throw usageError(io, `invalid --external "${x}": ${ip.left}`)
        externals.push({ text: x, ip: ip.right })
      }
      const docs = await readOrExit(io, opts.filename, opts.verbose)
      const inventory = await loadCluster(io, opts.cluster, opts.verbose)
      const parsed = parseDocs(docs)
      printDiagnostics(io, parsed.diagnostics, opts.verbose)
      if (D.hasErrors(parsed.diagnostics)) throw new Exit(exitCodes.usage)
      const cni = opts.cni ?? defaultCni(parsed)
      const model = modelByName(cni)
      if (model === undefined) throw usageError(io, `the ${cni} enforcement model is not available yet`)
      const inv = { ...(inventory ?? { namespaces: [], pods: [], nodes: [], services: [] }), externals }
      const r = reach(parsed.set, inv, model, probes.length > 0 ? probes : defaultProbes(parsed.set, inv))
      printDiagnostics(io, r.diagnostics, opts.verbose)
      if (D.hasErrors(r.diagnostics)) throw new Exit(exitCodes.usage)
      const cut = { rows: selectIndices(r.classes.endpoints, from), cols: selectIndices(r.classes.endpoints, to) }
      const whole = from.length === 0 && to.length === 0
      if (opts.output === 'html') io.stdout(reachHtml(parsed.set, inv, model, r, cut, explainCmd(opts.filename, opts.cluster, cni)))
      else if (opts.output === 'csv') for (const chunk of reachCsvChunks(r, cut)) io.stdout(chunk)
      else if (opts.output === 'json') io.stdout(whole ? reachJson(r) : reachCutJson(r, cut))
      else io.stdout(reachText(r, cut))
    })
