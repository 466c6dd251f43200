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
import * as P from '../ir/ports.js'
import { defaultCni, parseDocs } from '../pipeline.js'
import type { Difference, Equivalence } from '../semantics/equiv.js'
import { equiv } from '../semantics/equiv.js'
import { modelByName } from '../semantics/models.js'
import type { Probe } from '../semantics/table.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit, usageError } from './common.js'
import { parseProbe } from './reach.js'
import { loadCluster } from './translate.js'
import type { PolicySet } from '../ir/policy.js'
import type { Model } from '../semantics/model.js'
import { reach } from '../semantics/table.js'
import { equivHtml } from '../view/html-reach.js'
import { explainCmd } from './reach.js'

interface Options {
  readonly left: ReadonlyArray<string>
  readonly right: ReadonlyArray<string>
  readonly cluster: ReadonlyArray<string>
  readonly leftCni: string | undefined
  readonly rightCni: string | undefined
  readonly port: ReadonlyArray<string> | undefined
  readonly external: ReadonlyArray<string> | undefined
  readonly output: 'text' | 'json' | 'html'
  readonly verbose: boolean
}

/** How many differing flows are printed; the summary counts them all. */
export const printedDifferences = 1000

const probeText = (p: Probe): string => `${p.port}/${P.protocolName(p.protocol)}`

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

const jsonObject = (entries: ReadonlyArray<readonly [string, unknown]>): string => `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`

/** The JSON form: one port or difference per line; `total` and the per-side counts cover differences left out. */
export const equivJson = (r: Equivalence): string => {
  const ports = r.probes.map((p) => jsonObject([['port', p.port], ['protocol', P.protocolName(p.protocol)]]))
  const diffs = r.differences.map(
    (d) =>
      `    ${jsonObject([
        ['from', d.from],
        ['to', d.to],
        ['port', d.probe.port],
        ['protocol', P.protocolName(d.probe.protocol)],
        ['left', d.left],
        ['right', d.right],
        ['leftReason', d.leftReason],
        ['rightReason', d.rightReason]
      ])}`
  )
  return [
    '{',
    `  "equivalent": ${r.equivalent},`,
    `  "leftCni": ${JSON.stringify(r.leftCni)},`,
    `  "rightCni": ${JSON.stringify(r.rightCni)},`,
    `  "ports": [${ports.join(', ')}],`,
    diffs.length === 0 ? '  "differences": [],' : `  "differences": [\n${diffs.join(',\n')}\n  ],`,
    `  "endpoints": ${r.endpoints.length},`,
    `  "total": ${r.total},`,
    `  "leftAllowsOnly": ${r.leftOnly},`,
    `  "rightAllowsOnly": ${r.rightOnly},`,
    `  "omitted": ${r.total - r.differences.length}`,
    '}',
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
      '\nWithout --port, the ports compared are every port either side singles out, plus, per protocol\n(TCP, UDP, SCTP), the lowest port no policy of either side mentions, standing for all such ports.\n' +
        `At most ${printedDifferences} differing flows are listed; the summary counts them all.\n\n` +
        'Exit codes: 0 the truth tables agree, 1 they differ, 2 unreadable or invalid input, bad invocation.\n\n' +
        'Example:\n  netpolx equiv --left k8s/ --right calico/ --cluster cluster.yaml --left-cni k8s --right-cni calico'
    )
    .requiredOption('--left <path>', 'the left policies: a file, a directory or - for standard input; repeatable', collect)
    .requiredOption('--right <path>', 'the right policies: a file, a directory or - for standard input; repeatable', collect)
    .requiredOption('--cluster <path>', 'the cluster inventory: Namespace, Pod, Node, Service manifests or kubectl get -o yaml dumps; repeatable', collect)
    .addOption(cniOption('--left-cni', 'left'))
    .addOption(cniOption('--right-cni', 'right'))
    .option('--port <port>', 'compare only PORT[/PROTOCOL] (default protocol TCP); repeatable', collect)
    .option('--external <ip>', 'an address outside the cluster to include as an endpoint; repeatable', collect)
    .addOption(new Option('-o, --output <format>', 'output format (html: a self-contained page with both truth tables, differing cells coloured)').choices(['text', 'json', 'html']).default('text'))
    .option('-v, --verbose', 'also print info-level notes', false)
    .action(async (opts: Options) => {
      const stdinUsers = [...opts.left, ...opts.right, ...opts.cluster].filter((p) => p === '-').length
      if (stdinUsers > 1) throw usageError(io, 'standard input can be read once: give - to at most one of --left, --right, --cluster')
      const probes: Array<Probe> = []
      for (const p of opts.port ?? []) {
        const r = parseProbe(p)
        if (E.isLeft(r)) throw usageError(io, r.left)
        if (!probes.some((q) => q.protocol === r.right.protocol && q.port === r.right.port)) probes.push(r.right)
      }
      const externals: Array<External> = []
      for (const x of opts.external ?? []) {
        const ip = C.parseIp(x)
        if (E.isLeft(ip)) throw usageError(io, `invalid --external "${x}": ${ip.left}`)
        externals.push({ text: x, ip: ip.right })
      }
      const leftDocs = await readOrExit(io, opts.left, opts.verbose)
      const rightDocs = await readOrExit(io, opts.right, opts.verbose)
      const inventory = await loadCluster(io, opts.cluster, opts.verbose)
      const left = parseDocs(leftDocs)
      const right = parseDocs(rightDocs)
      printDiagnostics(io, [...left.diagnostics, ...right.diagnostics], opts.verbose)
      if (D.hasErrors(left.diagnostics) || D.hasErrors(right.diagnostics)) throw new Exit(exitCodes.usage)
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
      if (opts.output === 'html') {
        const side = (label: string, files: ReadonlyArray<string>, set: PolicySet, model: Model) => ({
          label,
          set,
          model,
          reach: reach(set, inv, model, r.probes),
          cmd: explainCmd(files, opts.cluster, model.name)
        })
        io.stdout(equivHtml({ left: side('left', opts.left, left.set, leftModel), right: side('right', opts.right, right.set, rightModel) }, inv, r))
      } else io.stdout(opts.output === 'json' ? equivJson(r) : equivText(r))
      if (!r.equivalent) throw new Exit(exitCodes.finding)
    })
