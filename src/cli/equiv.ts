/**
 * `netpolx equiv` (DESIGN.md §6): compares the truth tables of two policy sets, each under its own
 * enforcement model, on one cluster inventory. Exit 0 when they agree, 1 with the differing flows
 * otherwise, 2 on bad input or invocation.
 */
import { Command, Option } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import type { External } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import { defaultCni, mixedCniNote, parseDocs } from '../pipeline.js'
import type { Difference, Equivalence } from '../semantics/equiv.js'
import { equiv } from '../semantics/equiv.js'
import { modelByName } from '../semantics/models.js'
import { prove } from '../semantics/prove.js'
import { writeFileAtomic } from '../io/write.js'
import type { Reproduce } from './prove-output.js'
import { proofHeader, proofJson, proofText } from './prove-output.js'
import type { Probe } from '../semantics/table.js'
import { probeKey, probeText } from '../semantics/probes.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit, usageError } from './common.js'
import { parseProbe } from './reach.js'
import { loadCluster } from './translate.js'
import { equivJsonChunks } from './output/equiv-json.js'
import { writeStreamed } from './output/sink.js'
import { equivFindings } from '../report/equiv.js'
import { chooseReport, ciFormats, emitReport, fileFindings, reportFileOption, reportOption, takesStdout } from './report.js'
import type { PolicySet } from '../ir/policy.js'
import type { Model } from '../semantics/model.js'
import { reach } from '../semantics/table.js'
import { equivHtml } from '../view/html-reach.js'
import { explainCmd } from './reach.js'

interface Options {
  readonly left: ReadonlyArray<string>
  readonly right: ReadonlyArray<string>
  readonly cluster: ReadonlyArray<string> | undefined
  readonly allClusters: boolean
  readonly counterexample: string | undefined
  readonly leftCni: string | undefined
  readonly rightCni: string | undefined
  readonly port: ReadonlyArray<string> | undefined
  readonly external: ReadonlyArray<string> | undefined
  readonly output: 'text' | 'json' | 'html'
  readonly verbose: boolean
  readonly report?: string
  readonly reportFile?: string
}

/** How many differing flows are printed; the summary counts them all. */
export const printedDifferences = 1000


const verdict = (allowed: boolean): string => (allowed ? 'allows' : 'denies')

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

export const differenceLine = (d: Difference): string =>
  `${d.from} -> ${d.to} ${probeText(d.probe)}: left ${verdict(d.left)} (${d.leftReason}), right ${verdict(d.right)} (${d.rightReason})`

/** One line per differing flow shown, a line for those left out, and the summary. */
export const equivText = (r: Equivalence): string => {
  if (r.equivalent) return `equivalent: the truth tables agree on ${plural(r.probes.length, 'port', 'ports')} over ${plural(r.endpoints.length, 'endpoint', 'endpoints')}\n`
  const omitted = r.total - r.differences.length
  return [
    ...r.differences.map(differenceLine),
    ...(omitted > 0 ? [`... ${plural(omitted, 'more differing flow', 'more differing flows')} not shown`] : []),
    `${plural(r.total, 'differing flow', 'differing flows')} (left allows ${r.leftOnly} the right denies, right allows ${r.rightOnly} the left denies)`,
    ''
  ].join('\n')
}

const cniOption = (flag: string, side: string): Option =>
  new Option(`${flag} <cni>`, `enforcement model of the ${side} side (default: the dialect of its documents; k8s for Kubernetes-only sets)`).choices(['k8s', 'calico', 'cilium'])

export const equivCommand = (io: Io): Command =>
  new Command('equiv')
    .description(
      "Check that two policy sets allow the same connections: compute the truth table of each, under each side's enforcement model, on one cluster inventory, and list every flow (source, destination, port) on which they differ."
    )
    .addHelpText(
      'after',
      '\nWithout --port, the ports compared are every port either side singles out, plus, per protocol\n(TCP, UDP, SCTP), the lowest port no policy of either side mentions, standing for all such ports; the ICMP and\nICMPv6 types either side singles out; and, where a rule restricts source ports, one source port\nper stretch the rules treat alike.\n' +
        `At most ${printedDifferences} differing flows are listed; the summary counts them all.\n\n` +
        'Without --cluster (or with --all-clusters), equiv decides whether the sets allow the same flows on every\ncluster, and prints the bounds it proved under; when they differ, a counterexample cluster inventory that\n`equiv --cluster` on it shows the same difference (README: "equiv on every cluster").\n\n' +
        'Exit codes: 0 the truth tables agree, 1 they differ, 2 unreadable or invalid input, bad invocation.\n\n' +
        'Example:\n  netpolx equiv --left k8s/ --right calico/ --cluster cluster.yaml --left-cni k8s --right-cni calico'
    )
    .requiredOption('--left <path>', 'the left policies: a file, a directory or - for standard input; repeatable', collect)
    .requiredOption('--right <path>', 'the right policies: a file, a directory or - for standard input; repeatable', collect)
    .option('--cluster <path>', 'the cluster inventory: Namespace, Pod, Node, Service manifests or kubectl get -o yaml dumps; repeatable (without it: decide on every cluster)', collect)
    .option('--all-clusters', 'decide whether the sets allow the same flows on every cluster (the default without --cluster)', false)
    .option('--counterexample <file>', 'without --cluster: write the counterexample inventory to FILE instead of standard output')
    .addOption(cniOption('--left-cni', 'left'))
    .addOption(cniOption('--right-cni', 'right'))
    .option('--port <port>', 'compare only PORT[/PROTOCOL] (default protocol TCP) or ICMP/TYPE[/CODE], ICMPv6/TYPE[/CODE]; repeatable', collect)
    .option('--external <ip>', 'an address outside the cluster to include as an endpoint; repeatable', collect)
    .addOption(new Option('-o, --output <format>', 'output format (html: a self-contained page with both truth tables, differing cells coloured)').choices(['text', 'json', 'html']).default('text'))
    .option('-v, --verbose', 'also print info-level notes', false)
    .addOption(reportOption(['text', ...ciFormats]))
    .addOption(reportFileOption())
    .action(async (opts: Options) => {
      const proving = opts.allClusters || opts.cluster === undefined
      if (proving) return proveCommand(io, opts)
      if (opts.counterexample !== undefined) throw usageError(io, '--counterexample applies without --cluster, where equiv decides over every cluster')
      const report = chooseReport(io, opts.report, opts.reportFile)
      const stdinUsers = [...opts.left, ...opts.right, ...(opts.cluster ?? [])].filter((p) => p === '-').length
      if (stdinUsers > 1) throw usageError(io, 'standard input can be read once: give - to at most one of --left, --right, --cluster')
      const probes: Array<Probe> = []
      for (const p of opts.port ?? []) {
        const r = parseProbe(p)
        if (E.isLeft(r)) throw usageError(io, r.left)
        if (!probes.some((q) => probeKey(q) === probeKey(r.right))) probes.push(r.right)
      }
      const externals: Array<External> = []
      for (const x of opts.external ?? []) {
        const ip = C.parseIp(x)
        if (E.isLeft(ip)) throw usageError(io, `invalid --external "${x}": ${ip.left}`)
        externals.push({ text: x, ip: ip.right })
      }
      const leftDocs = await readOrExit(io, opts.left, opts.verbose)
      const rightDocs = await readOrExit(io, opts.right, opts.verbose)
      const inventory = await loadCluster(io, opts.cluster ?? [], opts.verbose)
      const left = parseDocs(leftDocs)
      const right = parseDocs(rightDocs)
      const parseDs = [...left.diagnostics, ...right.diagnostics]
      if (D.hasErrors(parseDs)) {
        await emitReport(io, report, fileFindings('equiv', [...leftDocs, ...rightDocs].map((d) => d.file), parseDs, (d) => d.severity === 'error', 'error'), opts.verbose)
        throw new Exit(exitCodes.usage)
      }
      printDiagnostics(io, parseDs, opts.verbose)
      for (const [side, parsed, given] of [['--left-cni', left, opts.leftCni], ['--right-cni', right, opts.rightCni]] as const) {
        const note = given === undefined ? mixedCniNote(parsed, side) : undefined
        if (note !== undefined) printDiagnostics(io, [note], opts.verbose, [note])
      }
      const leftCni = opts.leftCni ?? defaultCni(left)
      const rightCni = opts.rightCni ?? defaultCni(right)
      const leftModel = modelByName(leftCni)
      if (leftModel === undefined) throw usageError(io, `the ${leftCni} enforcement model is not available yet`)
      const rightModel = modelByName(rightCni)
      if (rightModel === undefined) throw usageError(io, `the ${rightCni} enforcement model is not available yet`)
      const inv = { ...(inventory ?? { namespaces: [], pods: [], nodes: [], services: [] }), externals }
      const r = equiv({ set: left.set, model: leftModel }, { set: right.set, model: rightModel }, inv, probes.length > 0 ? probes : undefined, printedDifferences)
      printDiagnostics(io, r.diagnostics, opts.verbose)
      if (D.hasErrors(r.diagnostics)) throw new Exit(exitCodes.usage)
      await emitReport(io, report, equivFindings(r, opts.left, opts.right, differenceLine, equivText(r), leftDocs[0]?.file), opts.verbose, [])
      if (!takesStdout(report)) {
        if (opts.output === 'html') {
          const side = (label: string, files: ReadonlyArray<string>, set: PolicySet, model: Model) => ({
            label,
            set,
            model,
            reach: reach(set, inv, model, r.probes),
            cmd: explainCmd(files, opts.cluster ?? [], model.name)
          })
          io.stdout(equivHtml({ left: side('left', opts.left, left.set, leftModel), right: side('right', opts.right, right.set, rightModel) }, inv, r))
        } else if (opts.output === 'json') await writeStreamed(io, equivJsonChunks(r))
        else io.stdout(equivText(r))
      }
      if (!r.equivalent) throw new Exit(exitCodes.finding)
    })

/** `equiv` without `--cluster`: the decision over every cluster (src/semantics/prove.ts). */
const proveCommand = async (io: Io, opts: Options): Promise<void> => {
  if (opts.allClusters && opts.cluster !== undefined) throw usageError(io, '--all-clusters decides over every cluster: give it without --cluster')
  for (const [flag, given] of [['--port', opts.port], ['--external', opts.external], ['--report', opts.report], ['--report-file', opts.reportFile]] as const)
    if (given !== undefined) throw usageError(io, `${flag} applies with --cluster; without it equiv decides over every port and address`)
  if ([...opts.left, ...opts.right].filter((p) => p === '-').length > 1) throw usageError(io, 'standard input can be read once: give - to at most one of --left, --right')
  const leftDocs = await readOrExit(io, opts.left, opts.verbose)
  const rightDocs = await readOrExit(io, opts.right, opts.verbose)
  const left = parseDocs(leftDocs)
  const right = parseDocs(rightDocs)
  const parseDs = [...left.diagnostics, ...right.diagnostics]
  printDiagnostics(io, parseDs, opts.verbose)
  if (D.hasErrors(parseDs)) throw new Exit(exitCodes.usage)
  const leftCni = opts.leftCni ?? defaultCni(left)
  const rightCni = opts.rightCni ?? defaultCni(right)
  const leftModel = modelByName(leftCni)
  const rightModel = modelByName(rightCni)
  if (leftModel === undefined || rightModel === undefined) throw usageError(io, `the ${leftModel === undefined ? leftCni : rightCni} enforcement model is not available yet`)
  const p = prove({ set: left.set, model: leftModel }, { set: right.set, model: rightModel })
  const where = opts.counterexample ?? 'COUNTEREXAMPLE.yaml'
  const r: Reproduce = { left: opts.left, right: opts.right, leftCni, rightCni, cluster: where }
  if (p._tag === 'different' && opts.counterexample !== undefined) {
    const w = await writeFileAtomic(opts.counterexample, proofText(p, r))
    if (E.isLeft(w)) {
      io.stderr(`netpolx: error write-failed: ${w.left}\n`)
      throw new Exit(exitCodes.usage)
    }
  }
  if (opts.output === 'json') io.stdout(proofJson(p, r, leftCni, rightCni))
  else io.stdout(p._tag === 'different' && opts.counterexample !== undefined ? `${proofHeader(p, r).replace(/^# /gm, '')}(the counterexample inventory is in ${opts.counterexample})\n` : proofText(p, r))
  if (p._tag !== 'equivalent') throw new Exit(exitCodes.finding)
}
