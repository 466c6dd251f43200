import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { load } from '../cluster/inventory.js'
import type { Format } from '../io/serialise.js'
import { reportJson, reportOf } from '../report.js'
import type { Sources } from '../view/html-translate.js'
import { translateHtml } from '../view/html-translate.js'
import { defaultCni, dialectByName, mixedCniNote, parseDocs, translate } from '../pipeline.js'
import { proveTranslation } from './translate-prove.js'
import type { CniName } from '../semantics/model.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit, usageError, writeOutput } from './common.js'
import { namespaceFlags, namespaceHelp, namespaceOrExit } from './namespace.js'
import { chooseReport, ciFormats, emitReport, fileFindings, onReadError, reportFileOption, reportOption, takesStdout } from './report.js'

interface Options {
  readonly filename: ReadonlyArray<string>
  readonly to: string
  readonly cluster: ReadonlyArray<string> | undefined
  readonly fromCni: CniName | undefined
  readonly allowLossy: boolean
  readonly output: Format
  readonly out: string | undefined
  readonly report: string | undefined
  readonly reportFile: string | undefined
  readonly verbose: boolean
  readonly namespace: string | undefined
  readonly prove: boolean
}

/** Loads `--cluster` inventories; unreadable or invalid ones end the command with exit code 2. */
export const loadCluster = async (io: Io, paths: ReadonlyArray<string> | undefined, verbose: boolean): Promise<Inventory | undefined> => {
  if (paths === undefined || paths.length === 0) return undefined
  const docs = await readOrExit(io, paths, verbose)
  const r = load(docs)
  printDiagnostics(io, r.diagnostics, verbose)
  if (D.hasErrors(r.diagnostics)) throw new Exit(exitCodes.usage)
  return r.inventory
}

/** The lines of every file a finding points into (unreadable ones, like standard input, left out). */
const sourcesOf = (ds: ReadonlyArray<D.Diagnostic>): Sources => {
  const out = new Map<string, ReadonlyArray<string>>()
  for (const d of ds) {
    const file = d.location?.file
    if (file === undefined || out.has(file)) continue
    try {
      out.set(file, readFileSync(file, 'utf8').split(/\r?\n/))
    } catch {
      // not a readable file (standard input, gone since): no excerpt
    }
  }
  return out
}

export const translateCommand = (io: Io): Command =>
  new Command('translate')
    .description('Translate network policies into another dialect through the IR.')
    .addHelpText('after', '\nEvery construct translates exactly or is reported with its fidelity (exact, exact-for-inventory,\nbroader, narrower, unsupported). Anything below exact-for-inventory fails the run unless\n--allow-lossy is given; then the output carries a comment at each approximated rule.\n\nTargets: k8s (NetworkPolicy), calico, cilium; cnp writes cluster-wide policies as\nClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) beside NetworkPolicies, anp as\nAdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1).\n\nExit codes: 0 translated faithfully, 1 lossy translation refused (or written with --allow-lossy),\n2 unreadable or invalid input, bad invocation.\n\nExample:\n  netpolx translate -f policies/ --to k8s -o yaml --out translated.yaml')
    .requiredOption('-f, --filename <path>', 'a file, a directory (walked recursively) or - for standard input; repeatable', collect)
    .addOption(
      new Option('--to <dialect>', 'target dialect')
        .choices(['k8s', 'calico', 'cilium', 'cnp', 'anp'])
        .makeOptionMandatory()
    )
    .option(namespaceFlags, namespaceHelp)
    .option('--cluster <path>', 'cluster inventory manifests (Namespaces, Pods, …) used to expand constructs per namespace or pod; repeatable', collect)
    .addOption(new Option('--from-cni <cni>', 'the CNI enforcing the input policies (default: the dialect of the documents)').choices(['k8s', 'calico', 'cilium']))
    .option('--allow-lossy', 'write the output even when some construct is approximated (exit code 1 all the same)', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--out <path>', 'write to this file (or, if it is a directory or ends with /, one file per object) instead of standard output; written atomically')
    .addOption(reportOption(['text', 'json', 'html', ...ciFormats], '; json: the fidelity report on standard error; html: a self-contained page on standard error (redirect it, e.g. 2> report.html)'))
    .addOption(reportFileOption())
    .option('--prove', 'after translating, prove the output against the input: exact claims on every cluster, exact-for-inventory ones on --cluster (exit 1 when refuted)', false)
    .option('-v, --verbose', 'also print info-level notes', false)
    .action(async (opts: Options) => {
      const target = dialectByName(opts.to === 'anp' ? 'cnp' : opts.to)
      if (target === undefined) throw usageError(io, `unknown target dialect ${opts.to}`)
      const report = chooseReport(io, opts.report, opts.reportFile)
      if (takesStdout(report) && opts.out === undefined) throw usageError(io, `--report ${report.format} needs --report-file or --out: standard output carries the translation`)
      const docs = namespaceOrExit(io, await readOrExit(io, opts.filename, opts.verbose, onReadError(io, report, 'translate', opts.verbose)), opts.namespace, opts.verbose)
      const inventory = await loadCluster(io, opts.cluster, opts.verbose)
      const parsed = parseDocs(docs)
      const files = docs.map((d) => d.file)
      if (D.hasErrors(parsed.diagnostics)) {
        await emitReport(io, report, fileFindings('translate', files, parsed.diagnostics, (d) => d.severity === 'error', 'error'), opts.verbose)
        throw new Exit(exitCodes.usage)
      }
      const t = translate(parsed, target, inventory, opts.fromCni, opts.to === 'anp' ? 'v1alpha1' : 'v1alpha2')
      // which model the input was read under, when netpolx chose it (issue 13 §4)
      const note = opts.fromCni === undefined ? mixedCniNote(parsed, '--from-cni') : undefined
      const all = [...parsed.diagnostics, ...t.diagnostics, ...(note === undefined ? [] : [note])]
      if (report.format === 'json') io.stderr(reportJson(all, t.fidelity))
      else if (report.format === 'html') io.stderr(translateHtml(reportOf(all, t.fidelity), opts.to, sourcesOf(all)))
      else
        await emitReport(
          io,
          report,
          fileFindings('translate', files, all, (d) => d.severity === 'error' || (d.fidelity !== undefined && !D.isFaithful(d.fidelity)), 'failure', t.fidelity),
          opts.verbose,
          all,
          note === undefined ? [] : [note]
        )
      const faithful = D.isFaithful(t.fidelity)
      if (!faithful && !opts.allowLossy) {
        if (report.format !== 'json' && report.format !== 'html')
          io.stderr(`netpolx: error lossy: the translation is ${t.fidelity === 'broader-and-narrower' ? 'broader-and-narrower (the target allows more in some places and less in others)' : t.fidelity}; nothing written (use --allow-lossy to write it with comments)\n`)
        throw new Exit(exitCodes.finding)
      }
      const docsOut = [...t.objects, ...parsed.passthrough.map((d) => ({ object: d.value, comments: [] }))]
      await writeOutput(io, docsOut, opts.output, opts.out)
      if (opts.prove) {
        const proof = proveTranslation(parsed, opts.fromCni ?? defaultCni(parsed), target, t.objects, t.fidelity, inventory)
        for (const l of proof.lines) io.stderr(`${l}\n`)
        if (proof.refuted) throw new Exit(exitCodes.finding)
      }
      if (!faithful) throw new Exit(exitCodes.finding)
    })
