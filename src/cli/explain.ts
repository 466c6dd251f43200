/**
 * `netpolx explain` (DESIGN.md §6): why one flow is allowed or denied under a CNI's enforcement
 * model — for the source's egress and the destination's ingress, the policies that select each
 * endpoint in evaluation order, the deciding rule with its `file:line`, and the verdict (the same
 * verdict `reach` gives: both come from the same model). With `--left/--right`, two policy sets
 * (each with its CNI) next to each other. Exit 0 when explained, 2 on bad input or invocation.
 */
import { Command, Option } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import type { External, Inventory } from '../cluster/inventory.js'
import { emptyInventory } from '../cluster/inventory.js'
import * as C from '../ir/cidr.js'
import type { PolicySet } from '../ir/policy.js'
import { defaultCni, parseDocs } from '../pipeline.js'
import type { FlowTrace } from '../semantics/explain.js'
import { explainReach } from '../semantics/explain.js'
import { modelByName } from '../semantics/models.js'
import type { Probe } from '../semantics/table.js'
import { flowJsonValue, flowText, sidesText } from '../view/explain-text.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit, usageError } from './common.js'
import { parseProbe } from './reach.js'
import { loadCluster } from './translate.js'

interface Options {
  readonly filename: ReadonlyArray<string> | undefined
  readonly left: ReadonlyArray<string> | undefined
  readonly right: ReadonlyArray<string> | undefined
  readonly cluster: ReadonlyArray<string>
  readonly from: string
  readonly to: string
  readonly port: string
  readonly cni: string | undefined
  readonly leftCni: string | undefined
  readonly rightCni: string | undefined
  readonly output: 'text' | 'json'
  readonly verbose: boolean
}

/**
 * An endpoint argument: `namespace/pod` names a pod of the inventory; an address names the pod
 * with that address, else an address outside the cluster (added as an external endpoint).
 */
export const resolveEndpoint = (inv: Inventory, arg: string): E.Either<string, { readonly id: string; readonly external: External | undefined }> => {
  const ip = C.parseIp(arg)
  if (E.isRight(ip)) {
    const pod = inv.pods.find((p) => !p.hostNetwork && p.ip !== undefined && C.contains(C.ofIp(p.ip), ip.right))
    return E.right(pod === undefined ? { id: arg, external: { text: arg, ip: ip.right } } : { id: `${pod.namespace}/${pod.name}`, external: undefined })
  }
  if (!arg.includes('/')) return E.left(`"${arg}" is neither NAMESPACE/POD nor an IP address`)
  if (!inv.pods.some((p) => `${p.namespace}/${p.name}` === arg)) return E.left(`no pod ${arg} in the cluster inventory`)
  return E.right({ id: arg, external: undefined })
}

/** Traces one flow of a set under a model; `undefined` with the diagnostics when the model refuses the set. */
const traceOf = (
  set: PolicySet,
  inv: Inventory,
  cni: string,
  from: string,
  to: string,
  probe: Probe
): E.Either<string | ReadonlyArray<D.Diagnostic>, { readonly trace: FlowTrace; readonly diagnostics: ReadonlyArray<D.Diagnostic> }> => {
  const model = modelByName(cni)
  if (model === undefined) return E.left(`the ${cni} enforcement model is not available yet`)
  const { reach, explainer } = explainReach(set, inv, model, [probe])
  if (D.hasErrors(reach.diagnostics)) return E.left(reach.diagnostics)
  const ids = reach.classes.endpoints.map((e) => e.id)
  const i = ids.indexOf(from)
  const k = ids.indexOf(to)
  if (i < 0 || k < 0) return E.left(`endpoint ${i < 0 ? from : to} not found`)
  return E.right({ trace: explainer.flow(i, k, probe), diagnostics: reach.diagnostics })
}

export const explainCommand = (io: Io): Command =>
  new Command('explain')
    .description(
      "Explain why a connection is allowed or denied: for the source's egress and the destination's ingress, the policies that select each endpoint in the order the CNI evaluates them, the rule that decided (file:line), and the verdict."
    )
    .addHelpText(
      'after',
      '\nEndpoints are NAMESPACE/POD or an IP address (a pod\'s address names that pod; any other address is outside the cluster).\n' +
        'With --left and --right, both policy sets (each under its own --left-cni / --right-cni) are explained next to each other.\n\n' +
        'Exit codes: 0 explained, 2 unreadable or invalid input, bad invocation.\n\n' +
        'Examples:\n  netpolx explain -f policies/ --cluster cluster.yaml --from frontend/ui --to default/target --port 6379/TCP --cni calico\n' +
        '  netpolx explain --left calico/ --right cilium.yaml --cluster cluster.yaml --from x/a --to 8.8.8.8 --port 53/UDP'
    )
    .option('-f, --filename <path>', 'policies: a file, a directory or - for standard input; repeatable', collect)
    .option('--left <path>', 'the left policies (instead of -f); repeatable', collect)
    .option('--right <path>', 'the right policies (with --left); repeatable', collect)
    .requiredOption('--cluster <path>', 'the cluster inventory: Namespace, Pod, Node, Service manifests or kubectl get -o yaml dumps; repeatable', collect)
    .requiredOption('--from <endpoint>', 'the source: NAMESPACE/POD or an IP address')
    .requiredOption('--to <endpoint>', 'the destination: NAMESPACE/POD or an IP address')
    .requiredOption('--port <port>', 'the destination PORT[/PROTOCOL] (default protocol TCP)')
    .addOption(new Option('--cni <cni>', 'enforcement model (default: the dialect of the documents; k8s for Kubernetes-only sets)').choices(['k8s', 'calico', 'cilium']))
    .addOption(new Option('--left-cni <cni>', 'enforcement model of the left side').choices(['k8s', 'calico', 'cilium']))
    .addOption(new Option('--right-cni <cni>', 'enforcement model of the right side').choices(['k8s', 'calico', 'cilium']))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-v, --verbose', 'also print info-level notes', false)
    .action(async (opts: Options) => {
      const sides = opts.left !== undefined || opts.right !== undefined
      if (sides && (opts.left === undefined || opts.right === undefined)) throw usageError(io, '--left and --right go together')
      if (sides && opts.filename !== undefined) throw usageError(io, 'give either -f or --left/--right, not both')
      if (!sides && opts.filename === undefined) throw usageError(io, 'no policies given: use -f PATH (or --left PATH --right PATH)')
      const probe = parseProbe(opts.port)
      if (E.isLeft(probe)) throw usageError(io, probe.left)
      const inventory = (await loadCluster(io, opts.cluster, opts.verbose)) ?? emptyInventory
      const from = resolveEndpoint(inventory, opts.from)
      if (E.isLeft(from)) throw usageError(io, `--from: ${from.left}`)
      const to = resolveEndpoint(inventory, opts.to)
      if (E.isLeft(to)) throw usageError(io, `--to: ${to.left}`)
      const externals = [from.right.external, to.right.external].filter((x): x is External => x !== undefined)
      const inv: Inventory = { ...inventory, externals: externals.filter((x, i) => externals.findIndex((y) => y.text === x.text) === i) }
      const inputs = sides ? [opts.left ?? [], opts.right ?? []] : [opts.filename ?? []]
      const cnis = sides ? [opts.leftCni, opts.rightCni] : [opts.cni]
      const traces: Array<FlowTrace> = []
      for (const [n, paths] of inputs.entries()) {
        const parsed = parseDocs(await readOrExit(io, paths, opts.verbose))
        printDiagnostics(io, parsed.diagnostics, opts.verbose)
        if (D.hasErrors(parsed.diagnostics)) throw new Exit(exitCodes.usage)
        const t = traceOf(parsed.set, inv, cnis[n] ?? defaultCni(parsed), from.right.id, to.right.id, probe.right)
        if (E.isLeft(t)) {
          if (typeof t.left === 'string') throw usageError(io, t.left)
          printDiagnostics(io, t.left, opts.verbose)
          throw new Exit(exitCodes.usage)
        }
        printDiagnostics(io, t.right.diagnostics, opts.verbose)
        traces.push(t.right.trace)
      }
      const [left, right] = traces
      if (left === undefined) return
      if (opts.output === 'json') {
        const value = right === undefined ? flowJsonValue(left) : { left: flowJsonValue(left), right: flowJsonValue(right), agree: left.allowed === right.allowed }
        io.stdout(`${JSON.stringify(value, null, 2)}\n`)
      } else io.stdout(right === undefined ? flowText(left) : sidesText(left, right))
    })
