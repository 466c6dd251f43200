/**
 * Peer and subject formulas: a boolean formula over atoms that describe an endpoint.
 *
 * Every dialect's selectors become formulas with the dialect's implicit rules made explicit
 * (the namespace a Kubernetes `podSelector` peer is pinned to, Calico's `!=` matching a missing
 * label, Cilium's injected namespace, …). Atoms are positive; negation is `not`, so Kubernetes
 * `NotIn` is `not(in)` and `DoesNotExist` is `not(exists)`.
 *
 * Smart constructors normalise (flatten, sort, deduplicate, absorb constants), so formulas with
 * the same structure up to ordering are structurally equal.
 */
import * as C from './cidr.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Whose labels a label atom tests. `endpoint`: the pod's (or network set's) own labels. */
export type LabelOwner = 'endpoint' | 'namespace' | 'serviceAccount' | 'node'

export type LabelTest =
  | { readonly _tag: 'exists' }
  | { readonly _tag: 'in'; readonly values: ReadonlyArray<string> }
  | { readonly _tag: 'startsWith'; readonly value: string }
  | { readonly _tag: 'endsWith'; readonly value: string }
  | { readonly _tag: 'contains'; readonly value: string }

/** What an endpoint is. `world`: an address that belongs to nothing the cluster knows. */
export type EndpointKind = 'pod' | 'host' | 'networkSet' | 'world'

export const endpointKinds: ReadonlyArray<EndpointKind> = ['host', 'networkSet', 'pod', 'world']

export interface Label {
  readonly _tag: 'label'
  readonly owner: LabelOwner
  readonly key: string
  readonly test: LabelTest
}
/** The endpoint lives in one of these namespaces (by name). Non-namespaced endpoints never match. */
export interface InNamespace {
  readonly _tag: 'namespace'
  readonly names: ReadonlyArray<string>
}
/** The endpoint runs as one of these service accounts (names within its own namespace). */
export interface ServiceAccount {
  readonly _tag: 'serviceAccount'
  readonly names: ReadonlyArray<string>
}
export interface Kind {
  readonly _tag: 'kind'
  readonly kinds: ReadonlyArray<EndpointKind>
}
/** The endpoint's address is in the set. */
export interface IpIn {
  readonly _tag: 'ipIn'
  readonly cidrs: C.CidrSet
}
/** A Cilium entity (`world`, `cluster`, `host`, `remote-node`, `kube-apiserver`, …), with Cilium's meaning. */
export interface Entity {
  readonly _tag: 'entity'
  readonly entity: string
}
/** Addresses a DNS name resolves to: `name` is a literal name, `pattern` a Cilium wildcard pattern. */
export interface Fqdn {
  readonly _tag: 'fqdn'
  readonly match: 'name' | 'pattern'
  readonly value: string
}
/**
 * The backends of a Kubernetes Service, by name or by a formula over the Service's labels
 * (`selector`, whose label atoms use owner `endpoint`); `namespace` undefined means any namespace.
 */
export interface Service {
  readonly _tag: 'service'
  readonly namespace: string | undefined
  readonly name: string | undefined
  readonly selector: Formula | undefined
}

export type Atom = Label | InNamespace | ServiceAccount | Kind | IpIn | Entity | Fqdn | Service

export interface True {
  readonly _tag: 'true'
}
export interface False {
  readonly _tag: 'false'
}
export interface And {
  readonly _tag: 'and'
  readonly args: ReadonlyArray<Formula>
}
export interface Or {
  readonly _tag: 'or'
  readonly args: ReadonlyArray<Formula>
}
export interface Not {
  readonly _tag: 'not'
  readonly arg: Formula
}

export type Formula = True | False | And | Or | Not | Atom

/** An atom or its negation: the building block of a DNF conjunction. */
export interface Literal {
  readonly atom: Atom
  readonly positive: boolean
}
/** Disjunctive normal form: an OR of ANDs of literals. `[]` is false, `[[]]` is true. */
export type Dnf = ReadonlyArray<ReadonlyArray<Literal>>

// -------------------------------------------------------------------------------------
// ordering (canonical keys)
// -------------------------------------------------------------------------------------

const keys = new WeakMap<object, string>()

const testKey = (t: LabelTest): string =>
  t._tag === 'exists' ? 'exists' : t._tag === 'in' ? `in${JSON.stringify(t.values)}` : `${t._tag}${JSON.stringify(t.value)}`

/** A canonical string for a formula: equal keys ⇔ structurally equal formulas. */
export const key = (f: Formula): string => {
  const cached = keys.get(f)
  if (cached !== undefined) return cached
  let k: string
  switch (f._tag) {
    case 'true':
    case 'false':
      k = f._tag
      break
    case 'and':
    case 'or':
      k = `${f._tag}(${f.args.map(key).join(',')})`
      break
    case 'not':
      k = `not(${key(f.arg)})`
      break
    case 'label':
      k = `label:${f.owner}:${JSON.stringify(f.key)}:${testKey(f.test)}`
      break
    case 'namespace':
    case 'serviceAccount':
      k = `${f._tag}${JSON.stringify(f.names)}`
      break
    case 'kind':
      k = `kind${JSON.stringify(f.kinds)}`
      break
    case 'ipIn':
      k = `ipIn(${f.cidrs.v4.map(([lo, hi]) => `${lo}-${hi}`).join(',')}|${f.cidrs.v6.map(([lo, hi]) => `${lo}-${hi}`).join(',')})`
      break
    case 'entity':
      k = `entity:${f.entity}`
      break
    case 'fqdn':
      k = `fqdn:${f.match}:${f.value}`
      break
    case 'service':
      k = `service:${JSON.stringify([f.namespace ?? null, f.name ?? null])}:${f.selector === undefined ? '' : key(f.selector)}`
      break
  }
  keys.set(f, k)
  return k
}

export const compare = (a: Formula, b: Formula): number => {
  const ka = key(a)
  const kb = key(b)
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

export const equals = (a: Formula, b: Formula): boolean => a === b || key(a) === key(b)

const sortedUnique = (xs: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(xs)].sort()

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

export const tt: True = { _tag: 'true' }
export const ff: False = { _tag: 'false' }

/**
 * The most common atoms (one label value, label presence, one namespace) are interned, so that
 * parsing thousands of policies reuses their objects and their canonical keys.
 */
const interned = new Map<string, Atom>()
const intern = <A extends Atom>(id: string, make: () => A): A => {
  const hit = interned.get(id)
  if (hit !== undefined) return hit as A
  const a = make()
  interned.set(id, a)
  return a
}

export const label = (owner: LabelOwner, k: string, test: LabelTest): Label => {
  if (test._tag === 'exists') return intern(`e\u0000${owner}\u0000${k}`, () => ({ _tag: 'label', owner, key: k, test }))
  if (test._tag === 'in' && test.values.length === 1)
    return intern(`i\u0000${owner}\u0000${k}\u0000${test.values[0] ?? ''}`, () => ({ _tag: 'label', owner, key: k, test: { _tag: 'in', values: [...test.values] } }))
  return { _tag: 'label', owner, key: k, test: test._tag === 'in' ? { _tag: 'in', values: sortedUnique(test.values) } : test }
}

export const exists = (owner: LabelOwner, k: string): Label => label(owner, k, { _tag: 'exists' })

export const labelIn = (owner: LabelOwner, k: string, values: ReadonlyArray<string>): Formula =>
  values.length === 0 ? ff : label(owner, k, { _tag: 'in', values })

export const labelEquals = (owner: LabelOwner, k: string, value: string): Formula => labelIn(owner, k, [value])

export const inNamespace = (names: ReadonlyArray<string>): Formula =>
  names.length === 0
    ? ff
    : names.length === 1
      ? intern(`n\u0000${names[0] ?? ''}`, () => ({ _tag: 'namespace', names: [...names] }))
      : { _tag: 'namespace', names: sortedUnique(names) }

export const serviceAccount = (names: ReadonlyArray<string>): Formula =>
  names.length === 0 ? ff : { _tag: 'serviceAccount', names: sortedUnique(names) }

export const kind = (kinds: ReadonlyArray<EndpointKind>): Formula => {
  const ks = endpointKinds.filter((k) => kinds.includes(k))
  return ks.length === 0 ? ff : ks.length === endpointKinds.length ? tt : intern(`k\u0000${ks.join(',')}`, () => ({ _tag: 'kind', kinds: ks }))
}

export const ipIn = (cidrs: C.CidrSet): Formula => (C.isEmpty(cidrs) ? ff : { _tag: 'ipIn', cidrs })

export const entity = (name: string): Entity => ({ _tag: 'entity', entity: name })

export const fqdn = (match: 'name' | 'pattern', value: string): Fqdn => ({ _tag: 'fqdn', match, value })

export const service = (namespace: string | undefined, name: string | undefined, selector?: Formula): Service => ({
  _tag: 'service',
  namespace,
  name,
  selector
})

const isAtom = (f: Formula): f is Atom => f._tag !== 'true' && f._tag !== 'false' && f._tag !== 'and' && f._tag !== 'or' && f._tag !== 'not'

const junction = (tag: 'and' | 'or', fs: ReadonlyArray<Formula>): Formula => {
  const unit = tag === 'and' ? 'true' : 'false'
  const zero = tag === 'and' ? 'false' : 'true'
  const byKey = new Map<string, Formula>()
  const push = (f: Formula): boolean => {
    if (f._tag === unit) return true
    if (f._tag === zero) return false
    if (f._tag === tag) return f.args.every(push)
    byKey.set(key(f), f)
    return true
  }
  if (!fs.every(push)) return tag === 'and' ? ff : tt
  // x and not x
  for (const [k, f] of byKey) {
    if (f._tag === 'not' && byKey.has(key(f.arg))) return tag === 'and' ? ff : tt
    void k
  }
  const args = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f)
  if (args.length === 0) return tag === 'and' ? tt : ff
  if (args.length === 1) return args[0] ?? ff
  return { _tag: tag, args }
}

export const and = (...fs: ReadonlyArray<Formula>): Formula => junction('and', fs)
export const or = (...fs: ReadonlyArray<Formula>): Formula => junction('or', fs)

export const not = (f: Formula): Formula =>
  f._tag === 'true' ? ff : f._tag === 'false' ? tt : f._tag === 'not' ? f.arg : { _tag: 'not', arg: f }

export const literal = (l: Literal): Formula => (l.positive ? l.atom : not(l.atom))

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/** Evaluates a formula; `atom` decides each atom (and may memoise). */
export const evaluate = (f: Formula, atom: (a: Atom) => boolean): boolean => {
  switch (f._tag) {
    case 'true':
      return true
    case 'false':
      return false
    case 'and':
      return f.args.every((g) => evaluate(g, atom))
    case 'or':
      return f.args.some((g) => evaluate(g, atom))
    case 'not':
      return !evaluate(f.arg, atom)
    default:
      return atom(f)
  }
}

/** The formula with every atom replaced by `f(atom)`, rebuilt through the smart constructors. */
export const mapAtoms = (g: Formula, f: (a: Atom) => Formula): Formula => {
  switch (g._tag) {
    case 'true':
    case 'false':
      return g
    case 'and':
      return and(...g.args.map((x) => mapAtoms(x, f)))
    case 'or':
      return or(...g.args.map((x) => mapAtoms(x, f)))
    case 'not':
      return not(mapAtoms(g.arg, f))
    default:
      return f(g)
  }
}

/** Like `mapAtoms`, telling `f` whether the atom occurs under an even (positive) or odd number of negations. */
export const mapAtomsPolar = (g: Formula, f: (a: Atom, positive: boolean) => Formula, positive = true): Formula => {
  switch (g._tag) {
    case 'true':
    case 'false':
      return g
    case 'and':
      return and(...g.args.map((x) => mapAtomsPolar(x, f, positive)))
    case 'or':
      return or(...g.args.map((x) => mapAtomsPolar(x, f, positive)))
    case 'not':
      return not(mapAtomsPolar(g.arg, f, !positive))
    default:
      return f(g, positive)
  }
}

/** The endpoint kinds a conjunction of literals admits. */
export const conjunctionKinds = (lits: ReadonlyArray<Literal>): ReadonlyArray<EndpointKind> =>
  lits.reduce<ReadonlyArray<EndpointKind>>((ks, l) => (l.atom._tag === 'kind' ? ks.filter((k) => (l.atom as Kind).kinds.includes(k) === l.positive) : ks), endpointKinds)

/** The addresses a conjunction of literals admits (every address when it tests none). */
export const conjunctionAddresses = (lits: ReadonlyArray<Literal>): C.CidrSet =>
  lits.reduce((s, l) => (l.atom._tag !== 'ipIn' ? s : l.positive ? C.intersect(s, l.atom.cidrs) : C.difference(s, l.atom.cidrs)), C.all)

/** The conjunction of two DNFs, simplified and pruned pair by pair (so it never builds the unpruned product). */
export const andDnf = (a: Dnf, b: Dnf): Dnf => {
  const seen = new Map<string, ReadonlyArray<Literal>>()
  for (const x of a)
    for (const y of b) {
      const s = simplifyConjunction([...x, ...y])
      if (s === undefined) continue
      seen.set(s.map((l) => `${l.positive ? '+' : '-'}${key(l.atom)}`).join('&'), s)
    }
  const conjs = [...seen.entries()].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)).map(([, c]) => c)
  return conjs.some((c) => c.length === 0) ? [[]] : conjs
}

/** Every distinct atom in a formula (by key). */
export const atoms = (f: Formula, into: Map<string, Atom> = new Map()): Map<string, Atom> => {
  switch (f._tag) {
    case 'true':
    case 'false':
      return into
    case 'and':
    case 'or':
      f.args.forEach((g) => atoms(g, into))
      return into
    case 'not':
      return atoms(f.arg, into)
    default:
      into.set(key(f), f)
      if (f._tag === 'service' && f.selector !== undefined) atoms(f.selector, into)
      return into
  }
}

/** Decides a label test on a label map. */
export const testLabel = (labels: Readonly<Record<string, string>> | undefined, k: string, t: LabelTest): boolean => {
  if (labels === undefined || !Object.prototype.hasOwnProperty.call(labels, k)) return false
  const v = labels[k] ?? ''
  switch (t._tag) {
    case 'exists':
      return true
    case 'in':
      return t.values.includes(v)
    case 'startsWith':
      return v.startsWith(t.value)
    case 'endsWith':
      return v.endsWith(t.value)
    case 'contains':
      return v.includes(t.value)
  }
}

// -------------------------------------------------------------------------------------
// normal forms
// -------------------------------------------------------------------------------------

/**
 * Simplifies one conjunction of literals using what atoms of the same kind mean together:
 * `ipIn(A) ∧ ¬ipIn(B)` → `ipIn(A ∖ B)`, `kind(K1) ∧ kind(K2)` → `kind(K1 ∩ K2)`, `namespace(N1) ∧
 * namespace(N2)` → `namespace(N1 ∩ N2)`, `in(V1) ∧ in(V2)` on one label → `in(V1 ∩ V2)`, and
 * drops literals implied by others (`in(V)` implies `exists`). Returns undefined when the
 * conjunction is unsatisfiable.
 */
export const simplifyConjunction = (lits: ReadonlyArray<Literal>): ReadonlyArray<Literal> | undefined => {
  let ipPos: C.CidrSet | undefined
  let ipNeg: C.CidrSet = C.empty
  let kinds: ReadonlyArray<EndpointKind> = endpointKinds
  let nsPos: ReadonlyArray<string> | undefined
  let nsNeg: ReadonlyArray<string> = []
  interface LabelFacts {
    readonly owner: LabelOwner
    readonly key: string
    present: boolean // some positive literal requires the label
    values: ReadonlyArray<string> | undefined // positive `in`: the value is one of these
    absent: boolean // `not exists`
    excluded: ReadonlyArray<string> // `not in`: the value is none of these (or the label is absent)
  }
  const labels = new Map<string, LabelFacts>()
  const rest = new Map<string, Literal>()
  for (const l of lits) {
    const a = l.atom
    if (a._tag === 'ipIn') {
      if (l.positive) ipPos = ipPos === undefined ? a.cidrs : C.intersect(ipPos, a.cidrs)
      else ipNeg = C.union(ipNeg, a.cidrs)
    } else if (a._tag === 'kind') {
      kinds = kinds.filter((k) => a.kinds.includes(k) === l.positive)
    } else if (a._tag === 'namespace') {
      if (l.positive) nsPos = nsPos === undefined ? a.names : nsPos.filter((n) => a.names.includes(n))
      else nsNeg = [...nsNeg, ...a.names]
    } else if (a._tag === 'label' && (a.test._tag === 'in' || a.test._tag === 'exists')) {
      const k = `${a.owner}\u0000${a.key}`
      const facts: LabelFacts = labels.get(k) ?? { owner: a.owner, key: a.key, present: false, values: undefined, absent: false, excluded: [] }
      labels.set(k, facts)
      if (l.positive) {
        facts.present = true
        if (a.test._tag === 'in') {
          const vs = a.test.values
          facts.values = facts.values === undefined ? vs : facts.values.filter((v) => vs.includes(v))
        }
      } else if (a.test._tag === 'exists') facts.absent = true
      else facts.excluded = [...facts.excluded, ...a.test.values]
    } else {
      const k = `${l.positive ? '+' : '-'}${key(a)}`
      if (rest.has(`${l.positive ? '-' : '+'}${key(a)}`)) return undefined
      rest.set(k, l)
    }
  }
  const out: Array<Literal> = []
  if (ipPos !== undefined) {
    const s = C.difference(ipPos, ipNeg)
    if (C.isEmpty(s)) return undefined
    out.push({ atom: { _tag: 'ipIn', cidrs: s }, positive: true })
  } else if (!C.isEmpty(ipNeg)) {
    if (C.isAll(ipNeg)) return undefined
    out.push({ atom: { _tag: 'ipIn', cidrs: ipNeg }, positive: false })
  }
  if (kinds.length === 0) return undefined
  if (kinds.length < endpointKinds.length) out.push({ atom: { _tag: 'kind', kinds }, positive: true })
  if (nsPos !== undefined) {
    const ns = nsPos.filter((n) => !nsNeg.includes(n))
    if (ns.length === 0) return undefined
    out.push({ atom: { _tag: 'namespace', names: ns }, positive: true })
  } else if (nsNeg.length > 0) {
    out.push({ atom: { _tag: 'namespace', names: sortedUnique(nsNeg) }, positive: false })
  }
  for (const f of labels.values()) {
    if (f.present && f.absent) return undefined
    if (f.values !== undefined) {
      const vs = f.values.filter((v) => !f.excluded.includes(v))
      if (vs.length === 0) return undefined
      out.push({ atom: label(f.owner, f.key, { _tag: 'in', values: vs }), positive: true })
      continue
    }
    if (f.present) out.push({ atom: exists(f.owner, f.key), positive: true })
    if (f.absent) out.push({ atom: exists(f.owner, f.key), positive: false })
    else if (f.excluded.length > 0) out.push({ atom: label(f.owner, f.key, { _tag: 'in', values: f.excluded }), positive: false })
  }
  out.push(...rest.values())
  return out.sort(compareLiteral)
}

const compareLiteral = (a: Literal, b: Literal): number => compare(a.atom, b.atom) || Number(b.positive) - Number(a.positive)

/** Negation normal form pushed into DNF, each conjunction simplified, unsatisfiable ones dropped, duplicates removed. */
export const dnf = (f: Formula): Dnf => {
  const go = (g: Formula, positive: boolean): ReadonlyArray<ReadonlyArray<Literal>> => {
    switch (g._tag) {
      case 'true':
        return positive ? [[]] : []
      case 'false':
        return positive ? [] : [[]]
      case 'not':
        return go(g.arg, !positive)
      case 'and':
      case 'or': {
        const conj = (g._tag === 'and') === positive
        const parts = g.args.map((a) => go(a, positive))
        if (!conj) return parts.flat()
        return parts.reduce<ReadonlyArray<ReadonlyArray<Literal>>>(
          (acc, p) => acc.flatMap((x) => p.map((y) => [...x, ...y])),
          [[]]
        )
      }
      default:
        return [[{ atom: g, positive }]]
    }
  }
  const all = go(f, true)
  if (all.length === 1) {
    const s = simplifyConjunction(all[0] ?? [])
    return s === undefined ? [] : [s]
  }
  const seen = new Map<string, ReadonlyArray<Literal>>()
  for (const c of all) {
    const s = simplifyConjunction(c)
    if (s === undefined) continue
    seen.set(s.map((l) => `${l.positive ? '+' : '-'}${key(l.atom)}`).join('&'), s)
  }
  const conjs = [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c)
  return conjs.some((c) => c.length === 0) ? [[]] : conjs
}

export const fromDnf = (d: Dnf): Formula => or(...d.map((c) => and(...c.map(literal))))

/** A readable rendering, for messages and debugging (not a serialisation format). */
export const show = (f: Formula): string => {
  switch (f._tag) {
    case 'true':
      return 'any'
    case 'false':
      return 'none'
    case 'and':
      return f.args.map((a) => (a._tag === 'or' ? `(${show(a)})` : show(a))).join(' && ')
    case 'or':
      return f.args.map(show).join(' || ')
    case 'not':
      return `!${isAtom(f.arg) ? show(f.arg) : `(${show(f.arg)})`}`
    case 'label': {
      const who = f.owner === 'endpoint' ? '' : `${f.owner}:`
      const t = f.test
      return t._tag === 'exists'
        ? `has(${who}${f.key})`
        : t._tag === 'in'
          ? t.values.length === 1
            ? `${who}${f.key} == '${t.values[0] ?? ''}'`
            : `${who}${f.key} in {${t.values.map((v) => `'${v}'`).join(', ')}}`
          : `${who}${f.key} ${t._tag === 'startsWith' ? 'starts with' : t._tag === 'endsWith' ? 'ends with' : 'contains'} '${t.value}'`
    }
    case 'namespace':
      return `namespace in {${f.names.join(', ')}}`
    case 'serviceAccount':
      return `serviceAccount in {${f.names.join(', ')}}`
    case 'kind':
      return `kind in {${f.kinds.join(', ')}}`
    case 'ipIn':
      return `ip in {${C.describe(f.cidrs)}}`
    case 'entity':
      return `entity ${f.entity}`
    case 'fqdn':
      return `fqdn ${f.match === 'name' ? f.value : `~${f.value}`}`
    case 'service':
      return `service ${f.namespace ?? '*'}/${f.name ?? (f.selector === undefined ? '*' : `{${show(f.selector)}}`)}`
  }
}
