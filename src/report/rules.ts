/**
 * Help text for diagnostic codes, as CI reports show it next to a finding (a SARIF rule's
 * `help`, shown by GitHub code scanning under "Rule"). Codes with a text of their own come first;
 * every other code gets the text of its family (`invalid-*`, `unsupported-*`, `golden-*`, …) or,
 * failing that, of its fidelity, so a code added later still has useful help.
 *
 * Texts cite the README and `netpolx … --help`, never internal notes.
 */
import type * as D from '../diagnostics.js'

export interface RuleHelp {
  /** One sentence: what the code means. */
  readonly short: string
  /** What happened and what to do about it. */
  readonly help: string
}

const reading =
  'netpolx reads YAML (multi-document), JSON and `kind: List` wrappers as `kubectl get -o yaml` writes them, and decodes them as strictly as kubectl. Fix the input at the position given.'

const own: Readonly<Record<string, RuleHelp>> = {
  'yaml-syntax': { short: 'The file is not valid YAML.', help: `The YAML parser stopped at the position given. ${reading}` },
  'yaml-warning': { short: 'The YAML is accepted but ambiguous.', help: `The YAML parser warned at the position given (e.g. a duplicate key or a tag it ignores). ${reading}` },
  'json-syntax': { short: 'The file is not valid JSON.', help: `The JSON parser stopped at the position given. ${reading}` },
  'binary-input': { short: 'The file is not text.', help: `The input holds bytes that are not UTF-8 text. ${reading}` },
  'empty-input': { short: 'The input holds no object.', help: `A file given with -f holds no Kubernetes object. ${reading}` },
  'not-an-object': { short: 'A document is not a Kubernetes object.', help: `Each document must be a mapping with apiVersion and kind. ${reading}` },
  'unreadable-input': { short: 'The input cannot be read.', help: 'The file or directory exists but cannot be read (permissions, a device, …). Check the path given with -f.' },
  'no-such-file': { short: 'The input does not exist.', help: 'The path given with -f (or a golden case file) does not exist. Check the path and the working directory.' },
  'empty-directory': { short: 'A directory given with -f holds no YAML or JSON file.', help: 'Directories are walked recursively for *.yaml, *.yml and *.json files; none was found.' },
  'unknown-kind': {
    short: 'A document of a kind netpolx does not translate.',
    help: 'Objects of other kinds are passed through untouched and reported at info level, never dropped. See the README for the kinds netpolx reads.'
  },
  'namespace-defaulted': {
    short: 'A namespaced policy has no metadata.namespace.',
    help: 'As kubectl apply would, netpolx places it in the namespace "default". Give metadata.namespace (or -n) to make the namespace explicit.'
  },
  'golden-mismatch': {
    short: 'A golden expected file differs from what netpolx writes now.',
    help: 'The case input translates to something else than its committed expected file; the unified diff shows how. If the change is intended, run `netpolx golden update DIR` and commit the new expected files; otherwise fix the regression.'
  },
  'golden-missing': {
    short: 'A golden case has no expected file for a checked target.',
    help: 'Run `netpolx golden update DIR` to write the expected files of the case, review them and commit them.'
  },
  'equiv-differs': {
    short: 'Two policy sets allow different connections.',
    help: 'The truth tables of the left and right policy sets differ on this flow (source, destination, port): one side allows it and the other denies it. The reasons name the deciding policy of each side. See `netpolx equiv --help`.'
  },
  'equiv-mismatch': {
    short: 'The compared sides cannot be evaluated on the same endpoints.',
    help: 'See `netpolx equiv --help`: both sides are evaluated on one cluster inventory.'
  },
  'compiled-order': {
    short: 'Ordered policies were compiled into allow-only policies.',
    help: 'Calico tiers, orders, Pass and Deny have no Kubernetes equivalent; netpolx compiles them into allow-only policies with the same reachability (see the README, "Fidelity").'
  },
  'cluster-scope-expanded': {
    short: 'A cluster-scoped policy was written once per namespace of the inventory.',
    help: 'The target has no cluster-scoped policy; the translation is exact for the namespaces of --cluster only: namespaces created later are not covered. Translate again after creating a namespace.'
  },
  usage: { short: 'The command line is not valid.', help: 'See `netpolx COMMAND --help` for the options and examples.' }
}

/** Families, by code pattern, in order. */
const families: ReadonlyArray<readonly [RegExp, RuleHelp]> = [
  [/^golden-/, { short: 'A golden case folder is not laid out as expected.', help: 'A golden case is a folder with input.yaml (or defaults.yaml), an optional cluster.yaml and expected/<dialect>.yaml plus expected/report.json. See the README, "Use in CI".' }],
  [/^(invalid|missing)-/, { short: 'A resource does not decode.', help: "A field has a type or value the resource's API does not accept. Fix it at the position given; the message says what was expected (see the API reference of the resource's kind)." }],
  [/^(unsupported|no)-/, {
    short: 'A construct has no equivalent in the target dialect.',
    help: 'The translation leaves the construct out or approximates it, with the fidelity given (broader: the target allows more; narrower: it allows less; unsupported: no output for it). `translate` refuses such output unless --allow-lossy; then the output carries a comment at each approximated rule. See the README, "Fidelity".'
  }],
  [/-(expanded|decided|assumed)$/, {
    short: 'A construct was written for the given cluster inventory.',
    help: 'The output has the same reachability on the inventory given with --cluster (fidelity exact-for-inventory); objects created later (namespaces, pods, labels) may not be covered. Translate again when the cluster changes.'
  }],
  [/-(ignored|dropped)$/, { short: 'A field has no effect on reachability and is left out.', help: 'The field is not part of what netpolx translates; the message says why. See the README, "Fidelity".' }]
]

const byFidelity: Readonly<Record<D.Fidelity, string>> = {
  exact: 'The construct translates with the same reachability on every cluster.',
  'exact-for-inventory': 'The construct translates with the same reachability on the inventory given with --cluster.',
  broader: 'The target allows more than the source here.',
  narrower: 'The target allows less than the source here.',
  unsupported: 'The target has no output for this construct.'
}

const bySeverity: Readonly<Record<D.Severity, string>> = {
  error: 'netpolx cannot go on with this input.',
  warning: 'netpolx went on, but the result deserves a look.',
  info: 'A note on how netpolx read or translated the input.'
}

/** The help of a code; `fidelity` and `severity` (of a finding with that code) pick the fallback text. */
export const helpOf = (code: string, severity: D.Severity, fidelity: D.Fidelity | undefined): RuleHelp => {
  const mine = own[code]
  if (mine !== undefined) return mine
  const family = families.find(([re]) => re.test(code))
  if (family !== undefined) return family[1]
  const short = fidelity === undefined ? bySeverity[severity] : byFidelity[fidelity]
  return { short, help: `${short} The message says which construct and why. See the README, "Fidelity", and \`netpolx COMMAND --help\`.` }
}
