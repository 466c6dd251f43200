/**
 * Reads a JUnit report the way CI test reporters do (Jenkins junit, GitLab `reports:junit`,
 * GitHub test-report actions): well-formed XML (fast-xml-parser's validator), a `<testsuites>`
 * root, `<testsuite>` elements with `name` and numeric `tests`/`failures`/`errors` that match
 * their `<testcase>` children, each test case with `name` and `classname`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'

export interface JunitCase {
  readonly suite: string
  readonly name: string
  readonly classname: string
  readonly failure?: { readonly message: string; readonly type: string; readonly text: string }
  readonly error?: { readonly message: string; readonly type: string; readonly text: string }
}

export interface Junit {
  readonly tests: number
  readonly failures: number
  readonly errors: number
  readonly cases: ReadonlyArray<JunitCase>
}

type Xml = Readonly<Record<string, unknown>>

const isXml = (v: unknown): v is Xml => typeof v === 'object' && v !== null && !Array.isArray(v)

const list = (v: unknown): ReadonlyArray<Xml> => (Array.isArray(v) ? v.filter(isXml) : isXml(v) ? [v] : [])

const str = (o: Xml, k: string): string => {
  const v = o[k]
  if (typeof v !== 'string') throw new Error(`missing attribute ${k} in ${JSON.stringify(o).slice(0, 200)}`)
  return v
}

const num = (o: Xml, k: string): number => {
  const n = Number(str(o, k))
  if (!Number.isInteger(n) || n < 0) throw new Error(`attribute ${k} is not a count: ${str(o, k)}`)
  return n
}

const outcome = (v: unknown): JunitCase['failure'] => {
  if (v === undefined) return undefined
  const o = isXml(v) ? v : { '#text': String(v) }
  return { message: str(o, '@_message'), type: str(o, '@_type'), text: typeof o['#text'] === 'string' ? o['#text'] : '' }
}

/** The report's cases and counts; throws on anything a reader would reject. */
export const readJunit = (xml: string): Junit => {
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`)
  const doc: unknown = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, trimValues: false, processEntities: true, htmlEntities: true }).parse(xml)
  if (!isXml(doc) || !isXml(doc.testsuites)) throw new Error('no <testsuites> root')
  const root = doc.testsuites
  const cases: Array<JunitCase> = []
  for (const s of list(root.testsuite)) {
    const name = str(s, '@_name')
    const mine = list(s.testcase).map(
      (c): JunitCase => {
        const failure = outcome(c.failure)
        const error = outcome(c.error)
        return { suite: name, name: str(c, '@_name'), classname: str(c, '@_classname'), ...(failure === undefined ? {} : { failure }), ...(error === undefined ? {} : { error }) }
      }
    )
    if (num(s, '@_tests') !== mine.length) throw new Error(`suite ${name}: tests=${num(s, '@_tests')} but ${mine.length} test cases`)
    if (num(s, '@_failures') !== mine.filter((c) => c.failure !== undefined).length) throw new Error(`suite ${name}: failures count is wrong`)
    if (num(s, '@_errors') !== mine.filter((c) => c.error !== undefined).length) throw new Error(`suite ${name}: errors count is wrong`)
    cases.push(...mine)
  }
  const j = { tests: num(root, '@_tests'), failures: num(root, '@_failures'), errors: num(root, '@_errors'), cases }
  if (j.tests !== cases.length) throw new Error(`testsuites tests=${j.tests} but ${cases.length} test cases`)
  return j
}
