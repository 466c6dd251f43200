/**
 * How `equiv` without `--cluster` prints a proof (src/semantics/prove.ts): the verdict and the
 * bounds it was proven under; for a difference, the flow and the counterexample inventory, as a
 * YAML text whose first lines are comments, so that standard output itself is loadable with
 * `--cluster`. Deterministic.
 */
import { inventoryYaml } from '../cluster/inventory-yaml.js'
import type { Proof } from '../semantics/prove.js'
import { probeText } from '../semantics/probes.js'

/** The command line that shows the difference again on the counterexample inventory. */
export interface Reproduce {
  readonly left: ReadonlyArray<string>
  readonly right: ReadonlyArray<string>
  readonly leftCni: string
  readonly rightCni: string
  /** Where the inventory is: the `--counterexample` file, or a placeholder for standard output. */
  readonly cluster: string
}

const quote = (s: string): string => (/^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

export const reproduceCommand = (p: Proof, r: Reproduce): string => {
  const externals = p._tag === 'different' ? p.counterexample.inventory.externals.map((x) => ` --external ${quote(x.text)}`).join('') : ''
  return `netpolx equiv${r.left.map((f) => ` --left ${quote(f)}`).join('')}${r.right.map((f) => ` --right ${quote(f)}`).join('')} --left-cni ${r.leftCni} --right-cni ${r.rightCni} --cluster ${quote(r.cluster)}${externals}`
}

const verdict = (allowed: boolean): string => (allowed ? 'allows' : 'denies')

const boundLines = (bounds: ReadonlyArray<string>): ReadonlyArray<string> => bounds.map((b) => `  - ${b}`)

/** The verdict lines (for a difference: YAML comments), without the inventory. */
export const proofHeader = (p: Proof, r: Reproduce): string => {
  switch (p._tag) {
    case 'equivalent':
      return [
        p.bounds.length === 0 ? 'equivalent on every cluster' : 'equivalent on every cluster, under these bounds:',
        ...boundLines(p.bounds),
        `(decided on ${p.endpoints} representative endpoints and ${p.probes} ports)`,
        ''
      ].join('\n')
    case 'undecided':
      return [`undecided: ${p.reason}`, 'bounds of the search:', ...boundLines(p.bounds), ''].join('\n')
    case 'different': {
      const d = p.counterexample.difference
      return [
        `not equivalent on every cluster: ${d.from} -> ${d.to} ${probeText(d.probe)}: left ${verdict(d.left)} (${d.leftReason}), right ${verdict(d.right)} (${d.rightReason})`,
        'the counterexample cluster below (Namespaces, Nodes, Pods) shows it; reproduce with:',
        `  ${reproduceCommand(p, r)}`,
        ''
      ]
        .map((l) => (l === '' ? l : `# ${l}`))
        .join('\n')
    }
  }
}

/** The whole text output: the header, then (for a difference) the inventory. */
export const proofText = (p: Proof, r: Reproduce): string => (p._tag === 'different' ? `${proofHeader(p, r)}${inventoryYaml(p.counterexample.inventory)}` : proofHeader(p, r))

/** The JSON form: one object, keys in a fixed order. */
export const proofJson = (p: Proof, r: Reproduce, leftCni: string, rightCni: string): string => {
  const base = { verdict: p._tag, leftCni, rightCni, bounds: p.bounds }
  const body =
    p._tag === 'equivalent'
      ? { ...base, endpoints: p.endpoints, ports: p.probes }
      : p._tag === 'undecided'
        ? { ...base, reason: p.reason }
        : {
            ...base,
            difference: {
              from: p.counterexample.difference.from,
              to: p.counterexample.difference.to,
              port: probeText(p.counterexample.difference.probe),
              left: p.counterexample.difference.left,
              right: p.counterexample.difference.right,
              leftReason: p.counterexample.difference.leftReason,
              rightReason: p.counterexample.difference.rightReason
            },
            externals: p.counterexample.inventory.externals.map((x) => x.text),
            reproduce: reproduceCommand(p, r),
            counterexample: inventoryYaml(p.counterexample.inventory)
          }
  return `${JSON.stringify(body, null, 2)}\n`
}
