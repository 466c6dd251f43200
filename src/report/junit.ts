/**
 * `--report junit`: checks as a JUnit XML report, the shape Jenkins (junit plugin), GitLab
 * (`artifacts:reports:junit`) and GitHub test-report actions read: `<testsuites>` with `tests`,
 * `failures`, `errors`, `skipped` counts; one `<testsuite>` per suite (in first-seen order) with
 * the same counts; one `<testcase name classname>` per check, holding a `<failure>` (a finding)
 * or an `<error>` (input that could not run) with `message`, `type` and the details as text.
 *
 * No `time` or `timestamp` attribute (readers take 0): the report is byte-identical from run to
 * run. Text is XML-escaped; characters XML 1.0 cannot carry are written as `\u{…}`.
 */
import type { Check, Findings } from './findings.js'

/** Escapes text for an attribute value or element content; drops nothing. */
export const xmlEscape = (s: string): string =>
  s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')

const attrs = (as: ReadonlyArray<readonly [string, string | number]>): string => as.map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('')

const counts = (cs: ReadonlyArray<Check>): ReadonlyArray<readonly [string, number]> => [
  ['tests', cs.length],
  ['failures', cs.filter((c) => c.outcome?.kind === 'failure').length],
  ['errors', cs.filter((c) => c.outcome?.kind === 'error').length],
  ['skipped', 0]
]

const testcase = (c: Check): string => {
  const head = `    <testcase${attrs([['name', c.name], ['classname', c.classname]])}`
  if (c.outcome === undefined) return `${head}/>`
  const o = c.outcome
  const body = o.body === '' ? '' : xmlEscape(o.body.endsWith('\n') ? o.body : `${o.body}\n`)
  return `${head}>\n      <${o.kind}${attrs([['message', o.message], ['type', o.type]])}>${body}</${o.kind}>\n    </testcase>`
}

/** The JUnit XML text, with a final newline. */
export const junit = (f: Findings): string => {
  const suites = [...new Set(f.checks.map((c) => c.suite))]
  const body = suites.map((s) => {
    const cs = f.checks.filter((c) => c.suite === s)
    return [`  <testsuite${attrs([['name', s], ...counts(cs)])}>`, ...cs.map(testcase), '  </testsuite>'].join('\n')
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs([['name', `netpolx ${f.command}`], ...counts(f.checks)])}>`,
    ...body,
    '</testsuites>',
    ''
  ].join('\n')
}
