/**
 * `netpolx defaults` as a library: profiles + parameter values + target → emitted objects.
 *
 * 1. each profile's parameters get their values: given on the command line (strings, parsed by
 *    the parameter's type, `params.ts`), else the profile's default, else an error;
 * 2. the values are put into the policy templates (`template.ts`), which are then decoded
 *    (`policy.ts`), every problem at its `file:line:col`;
 * 3. the policies become one model-neutral IR set (`compile.ts`), arranged for the target
 *    (`target.ts`), and go through the ordinary `translate` with the model they are written for.
 *
 * Kubernetes output needs the namespaces to write the cluster-wide defaults into: the inventory of
 * `--cluster`, or a minimal one made of the `--namespace` names (`exact-for-inventory` either
 * way: a namespace created later is not covered until the defaults are generated again). Nothing
 * here throws or prints.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Dialect } from '../../dialects/dialect.js'
import * as D from '../diagnostics.js'
import type { Inventory } from '../cluster/inventory.js'
import { namespaceNameLabel } from '../cluster/inventory.js'
import type { PolicySet } from '../ir/policy.js'
import type { Translation } from '../pipeline.js'
import { translate } from '../pipeline.js'
import type { CniName } from '../semantics/model.js'
import type { Instance } from './compile.js'
import { compile } from './compile.js'
import type { Value } from './params.js'
import { namespaceProblem, standardFlags, valueFromCli } from './params.js'
import { decodePolicies } from './policy.js'
import type { Profile } from './profile.js'
import { substitute } from './template.js'
import { forTarget } from './target.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Request {
  readonly profiles: ReadonlyArray<Profile>
  /** Parameter values as given on the command line, by parameter name, in order. */
  readonly values: ReadonlyMap<string, ReadonlyArray<string>>
  readonly target: Dialect
  /** `--cluster`: the inventory (its namespaces are the ones written for). */
  readonly inventory: Inventory | undefined
  /** `--namespace`: the namespaces to write for, when no inventory is given. */
  readonly namespaces: ReadonlyArray<string> | undefined
}

export interface Generated {
  readonly translation: Translation
  /** The defaults' own findings (their fidelity is part of `translation.fidelity`). */
  readonly diagnostics: ReadonlyArray<D.Diagnostic>
  /** The model-neutral set: what the defaults mean under every model. */
  readonly meaning: PolicySet
  /** The set handed to `translate`, and the model it is written for. */
  readonly input: PolicySet
  readonly fromCni: CniName
  /** The inventory the output was written for (`--cluster`, or made from `--namespace`). */
  readonly inventory: Inventory | undefined
  /** The namespaces the output covers one by one, when it is written per namespace. */
  readonly namespaces: ReadonlyArray<string> | undefined
}

/** How a parameter is given on the command line, for messages. */
export const flagOf = (name: string): string => standardFlags[name] ?? `--param ${name}=…`

/** A minimal inventory of namespaces (no pods, nodes or services). */
export const namespacesInventory = (names: ReadonlyArray<string>): Inventory => ({
  namespaces: [...new Set(names)].sort().map((name) => ({ name, labels: { [namespaceNameLabel]: name } })),
  pods: [],
  nodes: [],
  services: [],
  externals: []
})

// -------------------------------------------------------------------------------------
// steps
// -------------------------------------------------------------------------------------

const resolve = (p: Profile, given: ReadonlyMap<string, ReadonlyArray<string>>): E.Either<ReadonlyArray<D.Diagnostic>, ReadonlyMap<string, Value>> => {
  const errors: Array<D.Diagnostic> = []
  const out = new Map<string, Value>()
  p.parameters.forEach((param, i) => {
    const texts = given.get(param.name)
    if (texts !== undefined && texts.length > 0) {
      const v = valueFromCli(param.type, texts)
      if (E.isLeft(v)) errors.push(D.error('invalid-parameter', `${flagOf(param.name)} (parameter ${param.name} of profile ${p.name}): ${v.left}`))
      else out.set(param.name, v.right)
    } else if (param.default !== undefined) out.set(param.name, param.default)
    else
      errors.push(
        D.error('missing-parameter', `profile ${p.name} needs ${param.name}${param.description === undefined ? '' : ` (${param.description})`}: give ${flagOf(param.name)}`, p.doc.locate(['spec', 'parameters', i]))
      )
  })
  return errors.length > 0 ? E.left(errors) : E.right(out)
}

const instanceOf = (p: Profile, given: ReadonlyMap<string, ReadonlyArray<string>>): E.Either<ReadonlyArray<D.Diagnostic>, Instance> => {
  const values = resolve(p, given)
  if (E.isLeft(values)) return values
  const base = ['spec', 'policies']
  const filled = substitute(p.policies, values.right, p.doc, base)
  if (E.isLeft(filled)) return filled
  const policies = decodePolicies(p.doc, filled.right, base)
  if (E.isLeft(policies)) return policies
  return E.right({ profile: p.name, doc: p.doc, policies: policies.right })
}

/** Profiles given more than once: the same one is used once; two different ones with one name are an error. */
const distinct = (ps: ReadonlyArray<Profile>): E.Either<ReadonlyArray<D.Diagnostic>, ReadonlyArray<Profile>> => {
  const byName = new Map<string, Profile>()
  const errors: Array<D.Diagnostic> = []
  for (const p of ps) {
    const first = byName.get(p.name)
    if (first === undefined) byName.set(p.name, p)
    else if (first.doc.file !== p.doc.file || first.doc.index !== p.doc.index)
      errors.push(D.error('duplicate-profile', `profile ${p.name} is also defined at ${D.formatLocation(first.doc.locate([]))}`, p.doc.locate(['metadata', 'name'])))
  }
  return errors.length > 0 ? E.left(errors) : E.right([...byName.values()])
}

// -------------------------------------------------------------------------------------
// generate
// -------------------------------------------------------------------------------------

/** Generates the defaults (module comment); Left: errors in the request or the profiles (bad input). */
export const generate = (req: Request): E.Either<ReadonlyArray<D.Diagnostic>, Generated> => {
  if (req.profiles.length === 0) return E.left([D.error('usage', 'no profile given: use --profile NAME or --profile-file PATH')])
  if (req.inventory !== undefined && req.namespaces !== undefined)
    return E.left([D.error('usage', '--cluster and --namespace are alternatives: the namespaces come from one or the other')])
  const badNs = (req.namespaces ?? []).map(namespaceProblem).find((x) => x !== undefined)
  if (badNs !== undefined) return E.left([D.error('usage', `--namespace: ${badNs}`)])
  const profiles = distinct(req.profiles)
  if (E.isLeft(profiles)) return profiles
  const declared = new Set(profiles.right.flatMap((p) => p.parameters.map((x) => x.name)))
  const unused = [...req.values.entries()].filter(([name, texts]) => texts.length > 0 && !declared.has(name)).map(([name]) => name)
  if (unused.length > 0)
    return E.left(
      unused.map((name) =>
        D.error('unused-parameter', `${flagOf(name)} is given, but no chosen profile (${profiles.right.map((p) => p.name).join(', ')}) has a parameter ${name}`)
      )
    )
  const errors: Array<D.Diagnostic> = []
  const instances: Array<Instance> = []
  for (const p of profiles.right) {
    const r = instanceOf(p, req.values)
    if (E.isLeft(r)) errors.push(...r.left)
    else instances.push(r.right)
  }
  if (errors.length > 0) return E.left(errors)
  const inventory = req.inventory ?? (req.namespaces === undefined ? undefined : namespacesInventory(req.namespaces))
  const runNamespaces = inventory?.namespaces.map((n) => n.name)
  const compiled = compile(instances, req.target.name, runNamespaces)
  if (E.isLeft(compiled)) return compiled
  const targeted = forTarget(compiled.right.set, req.target.name, inventory, req.inventory !== undefined)
  if (D.hasErrors(targeted.diagnostics)) return E.left(targeted.diagnostics.filter((d) => d.severity === 'error'))
  const diagnostics = [...compiled.right.diagnostics, ...targeted.diagnostics]
  const translation = translate({ set: targeted.set, dialects: [req.target.name], passthrough: [], diagnostics }, req.target, inventory, targeted.fromCni)
  const perNamespace = compiled.right.perNamespace || req.target.name === 'k8s'
  return E.right({
    translation,
    diagnostics,
    meaning: compiled.right.set,
    input: targeted.set,
    fromCni: targeted.fromCni,
    inventory,
    namespaces: perNamespace ? runNamespaces : undefined
  })
}

/**
 * The comment that opens the output: where it came from and, when it is written per namespace,
 * that namespaces created later need another run.
 */
export const header = (profiles: ReadonlyArray<string>, g: Generated): string => {
  const lines = [` Generated by netpolx defaults from profiles: ${profiles.join(', ')}.`]
  if (g.namespaces !== undefined)
    lines.push(
      ` Written for the namespaces ${g.namespaces.length === 0 ? '(none)' : g.namespaces.join(', ')}:`,
      ' namespaces created later are not covered; run netpolx defaults again after creating one.'
    )
  return lines.join('\n')
}
