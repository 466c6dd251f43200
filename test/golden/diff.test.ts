/** The unified line diff: GNU `diff -u` output as text, and shortest edit scripts (property tests against an LCS table). */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Edit } from '../../src/golden/diff.js'
import { editScript, splitLines, unifiedDiff } from '../../src/golden/diff.js'
import { params } from '../property.js'

const lines = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `${i + from}\n`).join('')

/** Applies an edit script to `a`, checking that kept lines really are equal. */
const apply = (a: ReadonlyArray<string>, b: ReadonlyArray<string>, edits: ReadonlyArray<Edit>): ReadonlyArray<string> | 'bad' => {
  const out: Array<string> = []
  let i = 0
  let j = 0
  for (const e of edits) {
    if (e._tag === 'keep') {
      if (e.a !== i || e.b !== j || a[i] !== b[j]) return 'bad'
      out.push(b[j] ?? '')
      i++
      j++
    } else if (e._tag === 'delete') {
      if (e.a !== i) return 'bad'
      i++
    } else {
      if (e.b !== j) return 'bad'
      out.push(b[j] ?? '')
      j++
    }
  }
  return i === a.length && j === b.length ? out : 'bad'
}

/** Length of a longest common subsequence, by the textbook table. */
const lcs = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): number => {
  const t: Array<Array<number>> = Array.from({ length: a.length + 1 }, () => Array.from({ length: b.length + 1 }, () => 0))
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) {
      const row = t[i] ?? []
      row[j] = a[i] === b[j] ? (t[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(t[i + 1]?.[j] ?? 0, row[j + 1] ?? 0)
    }
  return t[0]?.[0] ?? 0
}

describe('editScript', () => {
  it('is empty for two empty inputs and all keeps for equal inputs', () => {
    expect(editScript([], [])).toEqual([])
    expect(editScript(['a', 'b'], ['a', 'b'])).toEqual([
      { _tag: 'keep', a: 0, b: 0 },
      { _tag: 'keep', a: 1, b: 1 }
    ])
  })

  it('finds the shortest script of the paper example (ABCABBA → CBABAC, D = 5)', () => {
    const a = [...'ABCABBA']
    const b = [...'CBABAC']
    const e = editScript(a, b)
    expect(e.filter((x) => x._tag !== 'keep').length).toBe(5)
    expect(apply(a, b, e)).toEqual(b)
  })

  it('turns a into b with as few changes as an LCS allows', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 14 })
    fc.assert(
      fc.property(text, text, (a, b) => {
        const e = editScript(a, b)
        expect(apply(a, b, e)).toEqual(b)
        expect(e.filter((x) => x._tag === 'keep').length).toBe(lcs(a, b))
      }),
      params(300)
    )
  })

  it('puts deletions before insertions within a changed run', () => {
    expect(editScript(['x', 'a', 'y'], ['x', 'b', 'y']).map((e) => e._tag)).toEqual(['keep', 'delete', 'insert', 'keep'])
  })
})

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => expect(unifiedDiff('a', 'b', 'x\ny\n', 'x\ny\n')).toBe(''))

  it('writes hunks with three lines of context, as diff -u does', () => {
    const b = lines(15).replace('3\n', 'X\n').replace('14\n', '')
    expect(unifiedDiff('old', 'new', lines(15), b)).toBe(
      ['--- old', '+++ new', '@@ -1,6 +1,6 @@', ' 1', ' 2', '-3', '+X', ' 4', ' 5', ' 6', '@@ -11,5 +11,4 @@', ' 11', ' 12', ' 13', '-14', ' 15', ''].join('\n')
    )
  })

  it('merges changes whose contexts touch into one hunk', () => {
    const b = lines(12).replace('2\n', 'A\n').replace('9\n', 'B\n')
    const d = unifiedDiff('a', 'b', lines(12), b)
    expect(d.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,12 +1,12 @@'])
    const c = lines(13).replace('2\n', 'A\n').replace('10\n', 'B\n')
    expect(unifiedDiff('a', 'b', lines(13), c).split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -7,7 +7,7 @@'])
  })

  it('writes an empty side as the line before it and a single line without its count', () => {
    expect(unifiedDiff('/dev/null', 'f', '', 'x\n')).toBe('--- /dev/null\n+++ f\n@@ -0,0 +1 @@\n+x\n')
    expect(unifiedDiff('f', 'g', 'x\n', '')).toBe('--- f\n+++ g\n@@ -1 +0,0 @@\n-x\n')
    expect(unifiedDiff('f', 'g', 'a\nb\n', 'a\nb\nc\n')).toBe('--- f\n+++ g\n@@ -1,2 +1,3 @@\n a\n b\n+c\n')
  })

  it('marks a last line without newline', () => {
    expect(unifiedDiff('f', 'g', 'x', 'x\n')).toBe('--- f\n+++ g\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n')
    expect(unifiedDiff('f', 'g', 'a\nb\n', 'a\nc')).toBe('--- f\n+++ g\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n')
  })

  it('hunks reproduce the new text from the old one', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 30 }).map((ls) => ls.map((l) => `${l}\n`).join(''))
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = unifiedDiff('a', 'b', a, b)
        if (a === b) {
          expect(d).toBe('')
          return
        }
        // apply the hunks as `patch` would
        const old = splitLines(a).lines
        const out: Array<string> = []
        let at = 0
        for (const hunk of d.split('\n@@').slice(1)) {
          const [header = '', ...body] = hunk.split('\n')
          const start = Number(/^ -(\d+)/.exec(header)?.[1] ?? NaN)
          const count = Number(/^ -\d+,(\d+)/.exec(header)?.[1] ?? 1)
          const from = count === 0 ? start : start - 1
          out.push(...old.slice(at, from))
          at = from
          for (const l of body.filter((x) => x !== '')) {
            if (l.startsWith(' ') || l.startsWith('-')) {
              expect(old[at]).toBe(l.slice(1))
              at++
            }
            if (l.startsWith(' ') || l.startsWith('+')) out.push(l.slice(1))
          }
        }
        out.push(...old.slice(at))
        expect(out).toEqual(splitLines(b).lines)
      }),
      params(300)
    )
  })
})
