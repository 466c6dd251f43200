import { describe, expect, it } from 'vitest'
import { labelKeyProblem, labelNameProblem, labelValueProblem, subdomainProblem } from '../../dialects/validation.js'
import { describe as describeValue, expectedText, looksLikePlaceholder } from '../../src/io/decode.js'

describe('Kubernetes names (apimachinery validation.go)', () => {
  it('DNS-1123 subdomains: lower case, digits, - and ., at most 253', () => {
    expect(subdomainProblem('allow-web.v2')).toBeUndefined()
    expect(subdomainProblem('a'.repeat(253))).toBeUndefined()
    expect(subdomainProblem('a'.repeat(254))).toBe('it is 254 characters long; at most 253 are allowed')
    expect(subdomainProblem('Allow-Web')).toContain('DNS-1123 subdomain')
    expect(subdomainProblem('-a')).toContain('DNS-1123 subdomain')
    expect(subdomainProblem('../../escaped')).toContain('DNS-1123 subdomain')
    expect(subdomainProblem('')).toBe('it must not be empty')
  })

  it('DNS-1123 labels for namespaces: no dots, at most 63', () => {
    expect(labelNameProblem('kube-system')).toBeUndefined()
    expect(labelNameProblem('a.b')).toContain('DNS-1123 label')
    expect(labelNameProblem('a'.repeat(64))).toBe('it is 64 characters long; at most 63 are allowed')
  })

  it('label keys: optional subdomain prefix, one /, a name of at most 63', () => {
    expect(labelKeyProblem('app')).toBeUndefined()
    expect(labelKeyProblem('app.kubernetes.io/name')).toBeUndefined()
    expect(labelKeyProblem('My_Key.1')).toBeUndefined()
    expect(labelKeyProblem('a/b/c')).toContain("one '/'")
    expect(labelKeyProblem('/a')).toBe('the prefix before the "/" must not be empty')
    expect(labelKeyProblem('Example.com/a')).toContain('the prefix "Example.com"')
    expect(labelKeyProblem('k'.repeat(64))).toBe('the name part is 64 characters long; at most 63 are allowed')
    expect(labelKeyProblem('a b')).toContain('the name part must consist of')
  })

  it('label values: empty or at most 63 alphanumerics with - _ . inside', () => {
    expect(labelValueProblem('')).toBeUndefined()
    expect(labelValueProblem('v1.2_x-y')).toBeUndefined()
    expect(labelValueProblem('12:30:00')).toContain('a label value must be empty or consist of')
    expect(labelValueProblem('v'.repeat(64))).toBe('it is 64 characters long; at most 63 are allowed')
  })

  it('placeholders and hidden characters are said in user terms', () => {
    for (const p of ['${NAMESPACE}', '{{ .Values.app }}', '{{.X}}', '<name>', '$APP_NAME']) expect(looksLikePlaceholder(p)).toBe(true)
    for (const p of ['web', 'a$b', '{a}']) expect(looksLikePlaceholder(p)).toBe(false)
    expect(labelValueProblem('<name>')).toContain('fill templates first')
    expect(subdomainProblem('web\u202eevil')).toBe('it contains the invisible control or bidirectional-text character U+202E')
    expect(labelKeyProblem('a\u2028b')).toBe('it contains the invisible control or bidirectional-text character U+2028')
    expect(labelValueProblem('a\u0007')).toBe('it contains the invisible control or bidirectional-text character U+0007')
  })
})

describe('values and expectations in messages (issue 14 item 7)', () => {
  it('no NaN, no Infinity, no raw hidden characters', () => {
    expect(describeValue(Number.NaN)).toBe('.nan (not a number)')
    expect(describeValue(Number.POSITIVE_INFINITY)).toBe('.inf (infinity)')
    expect(describeValue(Number.NEGATIVE_INFINITY)).toBe('-.inf (minus infinity)')
    expect(describeValue('a\u202eb')).toBe('"a\\u202eb"')
  })

  it('io-ts type names become Kubernetes terms', () => {
    expect(expectedText('ReadonlyArray<EgressRule>')).toBe('a list of EgressRule')
    expect(expectedText('ReadonlyArray<string>')).toBe('a list of string')
    expect(expectedText('boolean')).toBe('true or false')
    expect(expectedText('number')).toBe('a number')
    expect(expectedText('{ a: string }')).toBe('a mapping')
    expect(expectedText('string | number')).toBe('one of a string, a number')
  })
})
