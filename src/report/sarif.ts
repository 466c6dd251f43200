/**
 * `--report sarif`: findings as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange
 * Format, errata 01 schema), the format GitHub code scanning uploads.
 *
 * One run; `tool.driver.rules` holds one rule per diagnostic code that occurs, sorted by code,
 * with its help text (`rules.ts`); one result per diagnostic, in `D.sort` order, with `level`
 * from the severity (`info` → `note`), the fidelity as the result property `fidelity`, and a
 * region (startLine, startColumn; columns in UTF-16 code units, SARIF's default `columnKind`)
 * in the input file. File URIs are relative to a root directory (the repository root: see
 * `src/cli/report.ts`) with `uriBaseId` `%SRCROOT%`; a file outside the root keeps an absolute
 * `file://` URI. A finding without a file (or read from standard input) is shown at line 1 of
 * the findings' `anchor`, its message keeping its own position, since GitHub code scanning
 * rejects an upload in which a result has no location; with no anchor (all input from standard
 * input) it has no location. No time, absolute path or host name is written
 * unless a file lies outside the root: the log is byte-identical from run to run.
 */
import * as path from 'node:path'
import * as D from '../diagnostics.js'
import type { Findings } from './findings.js'
import { helpOf } from './rules.js'

export const sarifSchemaUri = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'

export interface SarifOptions {
  readonly toolVersion: string
  /** Absolute: the directory the command ran in (relative input paths start there). */
  readonly cwd: string
  /** Absolute: the directory result URIs are relative to. */
  readonly root: string
}

const level = (s: D.Severity): 'error' | 'warning' | 'note' => (s === 'info' ? 'note' : s)

/** RFC 3986 path segments: everything but unreserved characters and sub-delims percent-encoded. */
const encodePath = (segments: ReadonlyArray<string>): string => segments.map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')

/** The artifact location of an input path, or `undefined` for standard input. */
export const artifactOf = (file: string, o: Pick<SarifOptions, 'cwd' | 'root'>): { readonly uri: string; readonly uriBaseId?: string } | undefined => {
  if (file === '<stdin>') return undefined
  const abs = path.resolve(o.cwd, file)
  const rel = path.relative(o.root, abs)
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: encodePath(rel.split(path.sep)), uriBaseId: '%SRCROOT%' }
  return { uri: `file://${encodePath(abs.split(path.sep))}` }
}

/** PascalCase of a kebab-case code: SARIF's `name` of a rule. */
const ruleName = (code: string): string => code.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')

/** The SARIF log as data, keys in their written order. */
export const sarifLog = (f: Findings, o: SarifOptions): unknown => {
  const ds = D.sort(f.diagnostics)
  const codes = [...new Set(ds.map((d) => d.code))].sort()
  const rules = codes.map((code) => {
    const first = ds.find((d) => d.code === code)
    const sev = first?.severity ?? 'warning'
    const h = helpOf(code, sev, first?.fidelity)
    return {
      id: code,
      name: ruleName(code),
      shortDescription: { text: h.short },
      fullDescription: { text: h.help },
      help: { text: h.help },
      defaultConfiguration: { level: level(sev) }
    }
  })
  const anchor = f.anchor === undefined ? undefined : artifactOf(f.anchor, o)
  const results = ds.map((d) => {
    const own = d.location === undefined ? undefined : artifactOf(d.location.file, o)
    const text = d.location !== undefined && own === undefined ? `${D.formatLocation(d.location)}: ${d.message}` : d.message
    const at =
      d.location !== undefined && own !== undefined
        ? { artifactLocation: own, region: { startLine: d.location.line, startColumn: d.location.col } }
        : anchor === undefined
          ? undefined
          : { artifactLocation: anchor, region: { startLine: 1, startColumn: 1 } }
    return {
      ruleId: d.code,
      ruleIndex: codes.indexOf(d.code),
      level: level(d.severity),
      message: { text },
      ...(at === undefined ? {} : { locations: [{ physicalLocation: at }] }),
      ...(d.fidelity === undefined ? {} : { properties: { fidelity: d.fidelity } })
    }
  })
  return {
    $schema: sarifSchemaUri,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'netpolx', version: o.toolVersion, semanticVersion: o.toolVersion, rules } },
        automationDetails: { id: `netpolx/${f.command.replace(/ /g, '-')}/` },
        results,
        ...(f.fidelity === undefined ? {} : { properties: { fidelity: f.fidelity } })
      }
    ]
  }
}

/** Two-space indented JSON with a final newline. */
export const sarif = (f: Findings, o: SarifOptions): string => `${JSON.stringify(sarifLog(f, o), null, 2)}\n`
