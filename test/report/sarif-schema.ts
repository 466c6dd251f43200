/**
 * The official SARIF 2.1.0 schema (OASIS errata 01, vendored in test/fixtures/sarif) as a
 * validator. Ajv is the maintained JSON Schema validator; the schema is draft-04, which Ajv 8
 * reads through ajv-draft-04, and ajv-formats checks its `uri`, `uri-reference` and `date-time`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import AjvDraft04 from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'
import type { ErrorObject } from 'ajv'

// both are CommonJS modules whose export is also their `default`
const Ajv = AjvDraft04.default
const addFormats = ajvFormats.default

const schemaFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json')

const ajv = new Ajv({ allErrors: true, strict: false })
addFormats(ajv)
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object)

/** The schema's complaints about a SARIF log, as text; empty when it validates. */
export const sarifErrors = (log: unknown): ReadonlyArray<string> =>
  validate(log) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
