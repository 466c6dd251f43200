import { Command, Option } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import type { External } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import * as P from '../ir/ports.js'
import { defaultCni, mixedCniNote, parseDocs } from '../pipeline.js'
import { modelByName } from '../semantics/models.js'
import type { Probe } from '../semantics/table.js'
import { defaultProbes, reach } from '../semantics/table.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit, usageError } from './common.js'
import { loadCluster } from './translate.js'
import { namespaceFlags, namespaceHelp, namespaceOrExit } from './namespace.js'
import { classDefaultCells, reachFormats, writeReach } from './output/reach-output.js'
import { podLevelCells } from './output/reach-pods.js'
import { writeStreamed } from './output/sink.js'
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

const reachOutputs = [...reachFormats, 'csv', 'html'] as const
type ReachOutput = (typeof reachOutputs)[number]

interface Options {
  readonly filename: ReadonlyArray<string>
  readonly cluster: ReadonlyArray<string>
  readonly cni: string | undefined
  readonly port: ReadonlyArray<string> | undefined
  readonly external: ReadonlyArray<string> | undefined
  readonly output: ReachOutput
  readonly from: ReadonlyArray<string> | undefined
  readonly to: ReadonlyArray<string> | undefined
  readonly verbose: boolean
  readonly namespace: string | undefined
}

/** `ICMP/8`, `ICMP/3/1`, `ICMPv6/128`: type and optional code (default 0) of ICMP or ICMPv6. */
const parseIcmpProbe = (s: string): E.Either<string, Probe> | undefined => {
  const m = /^(icmp|icmpv6)\/(\d{1,3})(?:\/(\d{1,3}))?$/i.exec(s)
  if (m === null) return undefined
  const protocol = (m[1] ?? '').toLowerCase() === 'icmp' ? P.ICMP : P.ICMPV6
  const type = Number(m[2])
  const code = m[3] === undefined ? 0 : Number(m[3])
  if (type > 255 || code > 255) return E.left(`invalid --port "${s}": ICMP type and code must be 0-255`)
  return E.right({ protocol, port: type * 256 + code })
}

/** `80`, `80/TCP`, `53/udp`; `ICMP/TYPE[/CODE]`, `ICMPv6/TYPE[/CODE]` */
export const parseProbe = (s: string): E.Either<string, Probe> => {
  const icmp = parseIcmpProbe(s)
  if (icmp !== undefined) return icmp
  const m = /^(\d{1,5})(?:\/([A-Za-z]+))?$/.exec(s)
  if (m === null) return E.left(`invalid --port "${s}": expected PORT, PORT/PROTOCOL or ICMP/TYPE[/CODE], e.g. 80/TCP or ICMP/8`)
  const port = Number(m[1])
  if (port < 1 || port > 65535) return E.left(`invalid --port "${s}": port must be 1-65535`)
  const proto = (m[2] ?? 'TCP').toUpperCase()
  const protocol = proto === 'TCP' ? P.TCP : proto === 'UDP' ? P.UDP : proto === 'SCTP' ? P.SCTP : undefined
  return protocol === undefined
    ? E.left(`invalid --port "${s}": protocol must be TCP, UDP or SCTP (ICMP and ICMPv6 probes are written ICMP/TYPE[/CODE])`)
    : E.right({ protocol, port })
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
    .option(namespaceFlags, namespaceHelp)
    .requiredOption('--cluster <path>', 'the cluster inventory: Namespace, Pod, Node, Service manifests or kubectl get -o yaml dumps; repeatable', collect)
    .addOption(new Option('--cni <cni>', 'enforcement model (default: the dialect of the documents; k8s for Kubernetes-only sets)').choices(['k8s', 'calico', 'cilium']))
    .option('--port <port>', 'probe PORT[/PROTOCOL] (default protocol TCP) or ICMP/TYPE[/CODE], ICMPv6/TYPE[/CODE]; repeatable (default: every port and ICMP type the policies single out)', collect)
    .option('--external <ip>', 'an address outside the cluster to include as an endpoint; repeatable', collect)
    .option('--from <selector>', "only these sources: NAMESPACE/NAME (globs * and ?; a bare name is a namespace) or a label selector like app=web,tier!=db; repeatable", collect)
    .option('--to <selector>', 'only these destinations (as --from); repeatable', collect)
    .addOption(
      new Option(
        '-o, --output <format>',
        `output format: table or json pod by pod (json with --from/--to: "from" and "to" replace "endpoints"); csv, one line per flow; html, a self-contained page; classes or classes-json for endpoints in groups that behave alike (the default above ${classDefaultCells.toLocaleString('en-US')} table cells)`
      )
        .choices(reachOutputs)
        .default('table')
    )
    .option('-v, --verbose', 'also print info-level notes', false)
    .action(async (opts: Options, cmd: Command) => {
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
      const docs = namespaceOrExit(io, await readOrExit(io, opts.filename, opts.verbose), opts.namespace, opts.verbose)
      const inventory = await loadCluster(io, opts.cluster, opts.verbose)
      const parsed = parseDocs(docs)
      printDiagnostics(io, parsed.diagnostics, opts.verbose)
      if (D.hasErrors(parsed.diagnostics)) throw new Exit(exitCodes.usage)
      const note = opts.cni === undefined ? mixedCniNote(parsed, '--cni') : undefined
      if (note !== undefined) printDiagnostics(io, [note], opts.verbose, [note])
      const cni = opts.cni ?? defaultCni(parsed)
      const model = modelByName(cni)
      if (model === undefined) throw usageError(io, `the ${cni} enforcement model is not available yet`)
      const inv = { ...(inventory ?? { namespaces: [], pods: [], nodes: [], services: [] }), externals }
      const r = reach(parsed.set, inv, model, probes.length > 0 ? probes : defaultProbes(parsed.set, inv))
      printDiagnostics(io, r.diagnostics, opts.verbose)
      if (D.hasErrors(r.diagnostics)) throw new Exit(exitCodes.usage)
      const cut = { rows: selectIndices(r.classes.endpoints, from), cols: selectIndices(r.classes.endpoints, to) }
      const whole = from.length === 0 && to.length === 0
      const explicit = cmd.getOptionValueSource('output') !== 'default'
      if (opts.output === 'html') io.stdout(reachHtml(parsed.set, inv, model, r, cut, explainCmd(opts.filename, opts.cluster, cni)))
      else if (opts.output === 'csv') await writeStreamed(io, reachCsvChunks(r, cut))
      else if (opts.output === 'classes' || opts.output === 'classes-json') {
        if (!whole) throw usageError(io, '--from/--to cut the pod-by-pod forms (table, json, csv, html), not the class-level ones')
        await writeReach(io, r, opts.output, explicit)
      } else if (!whole) io.stdout(opts.output === 'json' ? reachCutJson(r, cut) : reachText(r, cut))
      // the whole table: streamed pod by pod (json; an explicit -o table), or the class-level form when
      // large, else the readable table (column keys when wide, a summary when long)
      else if (opts.output === 'json' || explicit || podLevelCells(r) > classDefaultCells) await writeReach(io, r, opts.output, explicit)
      else io.stdout(reachText(r, cut))
    })
