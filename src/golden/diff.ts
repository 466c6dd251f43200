/**
 * Line diffs in the unified format (`diff -u`, `git diff`), for golden-file mismatches.
 *
 * The edit script is a shortest one (Myers, "An O(ND) Difference Algorithm and Its Variations",
 * 1986: the greedy forward search over diagonals, keeping one frontier per step to walk the path
 * back). Hunks carry `context` unchanged lines around each change and merge when their contexts
 * touch, as GNU diff does; a range of one line is written without its count, an empty range as
 * the line before it. A last line without a final newline is marked `\ No newline at end of file`.
 * No dependency we may use provides a diff, so this is written here; it is small and tested.
 */

// -------------------------------------------------------------------------------------
// edit script
// -------------------------------------------------------------------------------------

export type Edit =
  | { readonly _tag: 'keep'; readonly a: number; readonly b: number }
  | { readonly _tag: 'delete'; readonly a: number }
  | { readonly _tag: 'insert'; readonly b: number }

/**
 * A shortest edit script turning `a` into `b`, as indexes into both; deletions come before
 * insertions within a changed run.
 */
export const editScript = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): ReadonlyArray<Edit> => {
  const n = a.length
  const m = b.length
  const max = n + m
  const offset = max + 1
  // v[k + offset]: the furthest x reached on diagonal k = x - y
  const v = new Int32Array(2 * max + 3)
  // trace[d]: the frontier before step d, diagonals -d-1 … d+1 only (index k + d + 1)
  const trace: Array<Int32Array> = []
  let found = n === 0 && m === 0
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2))
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[k - 1 + offset] ?? 0) < (v[k + 1 + offset] ?? 0))
      let x = down ? (v[k + 1 + offset] ?? 0) : (v[k - 1 + offset] ?? 0) + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[k + offset] = x
      if (x >= n && y >= m) {
        found = true
        break
      }
    }
  }
  // walk back from (n, m) through the frontiers saved before each step
  const edits: Array<Edit> = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d >= 0; d--) {
    const w = trace[d] ?? new Int32Array(2 * d + 3)
    const k = x - y
    const down = k === -d || (k !== d && (w[k - 1 + d + 1] ?? 0) < (w[k + 1 + d + 1] ?? 0))
    const prevK = down ? k + 1 : k - 1
    const prevX = d === 0 ? 0 : (w[prevK + d + 1] ?? 0)
    const prevY = d === 0 ? 0 : prevX - prevK
    while (x > prevX && y > prevY) {
      x--
      y--
      edits.push({ _tag: 'keep', a: x, b: y })
    }
    if (d > 0) {
      if (down) edits.push({ _tag: 'insert', b: --y })
      else edits.push({ _tag: 'delete', a: --x })
    }
  }
  edits.reverse()
  // within each changed run, deletions first: the order `diff -u` prints
  const out: Array<Edit> = []
  for (let i = 0; i < edits.length; ) {
    const e = edits[i]
    if (e === undefined || e._tag === 'keep') {
      if (e !== undefined) out.push(e)
      i++
      continue
    }
    let j = i
    while (j < edits.length && edits[j]?._tag !== 'keep') j++
    const run = edits.slice(i, j)
    out.push(...run.filter((r) => r._tag === 'delete'), ...run.filter((r) => r._tag === 'insert'))
    i = j
  }
  return out
}

// -------------------------------------------------------------------------------------
// unified format
// -------------------------------------------------------------------------------------

interface Lines {
  readonly lines: ReadonlyArray<string>
  /** The last line has no final newline. */
  readonly noEol: boolean
}

const noEolMark = '\\ No newline at end of file'

export const splitLines = (text: string): Lines => {
  if (text === '') return { lines: [], noEol: false }
  const lines = text.split('\n')
  const noEol = lines[lines.length - 1] !== ''
  if (!noEol) lines.pop()
  return { lines, noEol }
}

/** `start,count` of a hunk side (1-based); one line is `start`, none is the line before. */
const range = (start: number, count: number): string => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`)

/**
 * The unified diff of two texts, `''` when they are equal. `from` and `to` name the two sides in
 * the `---` / `+++` header lines.
 */
export const unifiedDiff = (from: string, to: string, a: string, b: string, context = 3): string => {
  if (a === b) return ''
  const la = splitLines(a)
  const lb = splitLines(b)
  // a last line without newline differs from the same text with one
  const key = (l: Lines) => l.lines.map((s, i) => (l.noEol && i === l.lines.length - 1 ? `${s}\n` : s))
  const edits = editScript(key(la), key(lb))
  const line = (l: Lines, i: number, sign: string): string => {
    const s = `${sign}${l.lines[i] ?? ''}`
    return l.noEol && i === l.lines.length - 1 ? `${s}\n${noEolMark}` : s
  }
  const out: Array<string> = [`--- ${from}`, `+++ ${to}`]
  const changed = edits.flatMap((e, i) => (e._tag === 'keep' ? [] : [i]))
  let h = 0
  while (h < changed.length) {
    // a hunk: changes whose gaps of kept lines are at most 2 × context
    let first = changed[h] ?? 0
    let last = first
    while (h + 1 < changed.length && (changed[h + 1] ?? 0) - last - 1 <= 2 * context) last = changed[++h] ?? last
    h++
    first = Math.max(0, first - context)
    last = Math.min(edits.length - 1, last + context)
    const slice = edits.slice(first, last + 1)
    // where the hunk starts on each side: the position before its first edit
    let aStart = 0
    let bStart = 0
    for (const e of edits.slice(0, first)) {
      if (e._tag !== 'insert') aStart++
      if (e._tag !== 'delete') bStart++
    }
    const aCount = slice.filter((e) => e._tag !== 'insert').length
    const bCount = slice.filter((e) => e._tag !== 'delete').length
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`)
    for (const e of slice)
      out.push(e._tag === 'keep' ? line(la, e.a, ' ') : e._tag === 'delete' ? line(la, e.a, '-') : line(lb, e.b, '+'))
  }
  return `${out.join('\n')}\n`
}
