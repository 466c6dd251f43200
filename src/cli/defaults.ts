/**
 * `netpolx defaults`: cluster-wide baseline policies in any dialect from named profiles
 * (DESIGN.md §6). The profiles are data (`profiles/*.yaml`, or `--profile-file`); this command
 * reads them and the options, and prints what `src/defaults/generate.ts` produces, with the exit
 * codes of `translate`: 0 faithful, 1 lossy (written only with `--allow-lossy`), 2 bad input.
 */
import { Command, Option } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import * as D from '../diagnostics.js'
import { builtinProfiles } from '../defaults/builtin.js'
import { generate, header } from '../defaults/generate.js'
import { profilesHelp } from '../defaults/help.js'
import { standardFlags } from '../defaults/params.js'
import type { Profile } from '../defaults/profile.js'
import { decodeProfile, isProfileDoc } from '../defaults/profile.js'
import type { Format } from '../io/serialise.js'
import { dialectByName } from '../pipeline.js'
import { reportJson } from '../report.js'
import type { Io } from './common.js'
import { Exit, collect, exitCodes, printDiagnostics, readOrExit, usageError, writeOutput } from './common.js'
import { loadCluster } from './translate.js'

interface Options {
  readonly profile: ReadonlyArray<string> | undefined
  readonly profileFile: ReadonlyArray<string> | undefined
  readonly to: string
  readonly clusterWide: boolean
  readonly cluster: ReadonlyArray<string> | undefined
  readonly namespace: ReadonlyArray<string> | undefined
  readonly direction: string | undefined
  readonly excludeNamespace: ReadonlyArray<string> | undefined
  readonly dnsSelector: string | undefined
  readonly dnsNamespace: string | undefined
  readonly dnsPort: string | undefined
  readonly cidr: ReadonlyArray<string> | undefined
  readonly fromNamespace: ReadonlyArray<string> | undefined
  readonly param: ReadonlyArray<string> | undefined
  readonly allowLossy: boolean
  readonly output: Format
  readonly out: string | undefined
  readonly report: 'text' | 'json'
  readonly verbose: boolean
}

/** The command-line values of every parameter, by parameter name, in the order given. */
const parameterValues = (io: Io, o: Options): ReadonlyMap<string, ReadonlyArray<string>> => {
  const values = new Map<string, Array<string>>()
  const add = (name: string, xs: ReadonlyArray<string> | string | undefined): void => {
    if (xs === undefined) return
    values.set(name, [...(values.get(name) ?? []), ...(typeof xs === 'string' ? [xs] : xs)])
  }
  const byFlag: ReadonlyArray<readonly [string, ReadonlyArray<string> | string | undefined]> = [
    ['direction', o.direction],
    ['excludeNamespaces', o.excludeNamespace],
    ['dnsSelector', o.dnsSelector],
    ['dnsNamespace', o.dnsNamespace],
    ['dnsPort', o.dnsPort],
    ['cidrs', o.cidr],
    ['fromNamespaces', o.fromNamespace]
  ]
  for (const [name, v] of byFlag) add(name, v)
  for (const p of o.param ?? []) {
    const eq = p.indexOf('=')
    const name = eq < 0 ? '' : p.slice(0, eq)
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw usageError(io, `--param ${JSON.stringify(p)}: expected NAME=VALUE`)
    add(name, p.slice(eq + 1))
  }
  return values
}

/** The profiles named by --profile and read from --profile-file; problems end the command with exit code 2. */
const profilesOf = async (io: Io, o: Options): Promise<ReadonlyArray<Profile>> => {
  const out: Array<Profile> = []
  if ((o.profile ?? []).length > 0) {
    const builtin = builtinProfiles()
    if (D.hasErrors(builtin.diagnostics)) {
      printDiagnostics(io, builtin.diagnostics, o.verbose)
      throw new Exit(exitCodes.usage)
    }
    for (const name of o.profile ?? []) {
      const p = builtin.profiles.find((x) => x.name === name)
      if (p === undefined) throw usageError(io, `no built-in profile ${JSON.stringify(name)}; the profiles are ${builtin.profiles.map((x) => x.name).join(', ')} (or give a file with --profile-file)`)
      out.push(p)
    }
  }
  if ((o.profileFile ?? []).length > 0) {
    const docs = await readOrExit(io, o.profileFile ?? [], o.verbose)
    const errors: Array<D.Diagnostic> = []
    for (const doc of docs) {
      if (!isProfileDoc(doc)) {
        errors.push(D.error('not-a-profile', `expected a netpolx.io/v1alpha1 DefaultsProfile`, doc.locate(['kind'])))
        continue
      }
      const r = decodeProfile(doc)
      if (E.isLeft(r)) errors.push(...r.left)
      else out.push(r.right)
    }
    if (errors.length > 0) {
      printDiagnostics(io, errors, o.verbose)
      throw new Exit(exitCodes.usage)
    }
  }
  if (out.length === 0) throw usageError(io, 'no profile given: use --profile NAME (see --help for the list) or --profile-file PATH')
  return out
}

const helpText = (): string => {
  const builtin = builtinProfiles()
  const problems = builtin.diagnostics.map(D.render).join('\n')
  return [
    '',
    'Profiles combine: each one contributes cluster-wide policies, and together they form the baseline.',
    'Allow profiles make the directions they allow default-deny for the pods they select, as any',
    'NetworkPolicy does; default-deny decides that explicitly. Allow and deny rules of the defaults never',
    'overlap, so Calico (first match) and Cilium (a deny always wins) give the same result.',
    '',
    'Built-in profiles (--profile NAME; their files are in the profiles/ folder of netpolx):',
    '',
    profilesHelp(builtin.profiles),
    ...(problems === '' ? [] : ['', problems]),
    '',
    `Parameters without a flag of their own are given as --param NAME=VALUE (the flags: ${Object.values(standardFlags).join(', ')}).`,
    '',
    'Targets: calico writes GlobalNetworkPolicies in tier default at order 10000 and up (after Kubernetes',
    'policies at 1000), and denies that make nothing default-deny in tier netpolx-guardrails (order 900000,',
    'default action Pass); cilium writes CiliumClusterwideNetworkPolicies; k8s writes one NetworkPolicy per',
    'namespace of --cluster or --namespace (exact for those namespaces: rerun after creating a namespace);',
    'cnp (or k8s --cluster-wide) writes ClusterNetworkPolicies: denies in tier Admin, allows and isolation in',
    'tier Baseline, which applies to pods no NetworkPolicy selects and to namespaces created later.',
    '',
    'Exit codes: 0 written faithfully, 1 lossy (refused, or written with --allow-lossy), 2 bad input.'
  ].join('\n')
}

export const defaultsCommand = (io: Io): Command =>
  new Command('defaults')
    .description('Generate cluster-wide baseline policies (default deny, DNS, …) in any dialect from profiles.')
    .addHelpText('after', helpText)
    .option('--profile <name>', 'a built-in profile; repeatable', collect)
    .option('--profile-file <path>', 'a profile file (or a directory of them) written by you; repeatable', collect)
    .addOption(new Option('--to <dialect>', 'target dialect (cnp: ClusterNetworkPolicies, cluster-wide)').choices(['k8s', 'calico', 'cilium', 'cnp']).makeOptionMandatory())
    .option('--cluster-wide', 'with --to k8s: write ClusterNetworkPolicies (Admin denies, Baseline allows and isolation) that hold for namespaces created later, instead of one NetworkPolicy per namespace (same as --to cnp)', false)
    .option('--cluster <path>', 'cluster inventory manifests: the namespaces to write per-namespace policies for; repeatable', collect)
    .option('--namespace <ns>', 'a namespace to write per-namespace policies for (instead of --cluster); repeatable', collect)
    .option('--direction <direction>', 'ingress, egress or both (default-deny, allow-same-namespace)')
    .option('--exclude-namespace <ns>', 'a namespace the defaults leave alone (default kube-system); repeatable', collect)
    .option('--dns-selector <labels>', 'labels of the DNS pods, KEY=VALUE[,KEY=VALUE] (allow-dns; default k8s-app=kube-dns)')
    .option('--dns-namespace <ns>', 'namespace of the DNS pods (allow-dns; default kube-system)')
    .option('--dns-port <port>', 'port of the DNS pods (allow-dns; default 53)')
    .option('--cidr <cidr>', 'an external address block (allow-egress-cidr; excepted by deny-external-egress); repeatable', collect)
    .option('--from-namespace <ns>', 'a namespace whose pods may connect (allow-from-namespace); repeatable', collect)
    .option('--param <name=value>', 'any profile parameter; repeatable', collect)
    .option('--allow-lossy', 'write the output even when some construct is approximated (exit code 1 all the same)', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--out <path>', 'write to this file (or, if it is a directory or ends with /, one file per object) instead of standard output; written atomically')
    .addOption(new Option('--report <format>', 'how to print findings on standard error').choices(['text', 'json']).default('text'))
    .option('-v, --verbose', 'also print info-level notes', false)
    .action(async (opts: Options) => {
      if (opts.clusterWide && opts.to !== 'k8s' && opts.to !== 'cnp') throw usageError(io, '--cluster-wide goes with --to k8s (ClusterNetworkPolicies)')
      const target = dialectByName(opts.clusterWide ? 'cnp' : opts.to)
      if (target === undefined) throw usageError(io, `unknown target dialect ${opts.to}`)
      if (opts.cluster !== undefined && opts.namespace !== undefined) throw usageError(io, '--cluster and --namespace are alternatives: give one of them')
      const values = parameterValues(io, opts)
      const profiles = await profilesOf(io, opts)
      const inventory = await loadCluster(io, opts.cluster, opts.verbose)
      const g = generate({ profiles, values, target, inventory, namespaces: opts.namespace })
      if (E.isLeft(g)) {
        printDiagnostics(io, g.left, opts.verbose)
        throw new Exit(exitCodes.usage)
      }
      const t = g.right.translation
      const all = [...g.right.diagnostics, ...t.diagnostics]
      if (opts.report === 'json') io.stderr(reportJson(all, t.fidelity))
      else printDiagnostics(io, all, opts.verbose)
      const faithful = D.isFaithful(t.fidelity)
      if (!faithful && !opts.allowLossy) {
        if (opts.report !== 'json') io.stderr(`netpolx: error lossy: the defaults are ${t.fidelity} in ${target.name}; nothing written (use --allow-lossy to write them with comments)\n`)
        throw new Exit(exitCodes.finding)
      }
      if (t.objects.length === 0)
        io.stderr('netpolx: warning empty-output: the defaults select no pod to write a policy for (are all the namespaces excluded?)\n')
      const names = [...new Set(profiles.map((p) => p.name))].sort()
      const top = header(names, g.right)
      const withHeader = t.objects.map((o, i) => (i === 0 ? { ...o, comments: [{ path: [], text: top }, ...o.comments] } : o))
      if (opts.output === 'json' && g.right.namespaces !== undefined && opts.report !== 'json')
        io.stderr('netpolx: note per-namespace: the output covers the namespaces it was generated for; run netpolx defaults again after creating a namespace\n')
      await writeOutput(io, withHeader, opts.output, opts.out, (d) => (d === withHeader[0] ? d : { ...d, comments: [{ path: [], text: top }, ...d.comments] }))
      if (!faithful) throw new Exit(exitCodes.finding)
    })
